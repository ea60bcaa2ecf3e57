/* front_grpc.c -- see front_h2.h: the node's gRPC methods on the HTTP/2
 * front end (docs/grpc.md).
 *
 * DESIGN: a gRPC request is a stream whose content-type is application/grpc;
 * its path names the method:
 *   /meshwalk.v1.Walk/Run                 RunRequest{route | program, payload}
 *                                         -> RunReply{payload of REPLY's size}
 *   /myproject.MyService/ProcessRequest   seed 003: MyRequest{name,
 *                                         duration_seconds} -> COMPUTE for it ->
 *                                         MyResponse{message, latency, worker_id}
 * Everything else is UNIMPLEMENTED. A refusal or failure is a trailers-only
 * response (one HEADERS frame: grpc-status, grpc-message, and meshwalk's
 * status in x-meshwalk-status when there is one).
 * grpc-timeout sets the request's deadline: a program whose own COMPUTE
 * cannot end before it is refused at once; a timer answers DEADLINE_EXCEEDED
 * when it passes while the request waits (forwards, SLEEP); an answer that
 * comes later (a COMPUTE holds the thread, so the timer could not fire) is
 * replaced by DEADLINE_EXCEEDED too. The engine's task runs on: its answer is
 * then counted as orphaned. */
#include "node/front_h2.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/front_req.h"
#include "proto/grpc.h"
#include "util/clock.h"
#include "util/xalloc.h"

static const char run_method[] = "/meshwalk.v1.Walk/Run";
static const char seed_method[] = "/myproject.MyService/ProcessRequest";

/* The largest request message (the node's HTTP body limit). */
#define GRPC_MAX_MESSAGE (1u << 20)

static const struct {
	uint16_t wire;
	int grpc;
} code_map[] = {
	{ WIRE_ERR_MALFORMED, GRPC_INVALID_ARGUMENT }, { WIRE_ERR_VERSION, GRPC_INVALID_ARGUMENT },
	{ WIRE_ERR_LIMIT, GRPC_RESOURCE_EXHAUSTED },   { WIRE_ERR_UNSUPPORTED, GRPC_UNIMPLEMENTED },
	{ WIRE_ERR_FORWARD, GRPC_UNAVAILABLE },        { WIRE_ERR_TIMEOUT, GRPC_DEADLINE_EXCEEDED },
	{ WIRE_ERR_STORAGE, GRPC_INTERNAL },           { WIRE_ERR_REFUSED, GRPC_PERMISSION_DENIED },
	{ WIRE_ERR_INTERNAL, GRPC_INTERNAL },          { WIRE_ERR_NO_ROUTE, GRPC_NOT_FOUND },
	{ WIRE_ERR_BUSY, GRPC_UNAVAILABLE },
};

static int grpc_code_of(uint16_t wire)
{
	for (size_t i = 0; i < sizeof code_map / sizeof code_map[0]; i++)
		if (code_map[i].wire == wire)
			return code_map[i].grpc;
	return wire == WIRE_OK ? GRPC_OK : GRPC_UNKNOWN;
}

/* A trailers-only answer: code (with meshwalk's status `wire` when not 0).
 * Not counted: refuse_text() and refuse_decision() are the refusals before
 * the engine and count them; front_h2_answer() counts the engine's. */
static void refuse(struct worker *w, struct h2_front *f, int32_t id, struct h2_task *t, int code,
		   uint16_t wire, const char *text, size_t len)
{
	char codes[16], msg[600], status_field[64];
	struct h2_hdr extra[4];
	struct h2_resp r = { .status = 200, .content_type = "application/grpc", .extra = extra };

	snprintf(codes, sizeof codes, "%d", code);
	grpc_message_encode(text, len, msg, sizeof msg);
	extra[r.nextra++] = (struct h2_hdr){ "grpc-accept-encoding", "identity" };
	extra[r.nextra++] = (struct h2_hdr){ "grpc-status", codes };
	extra[r.nextra++] = (struct h2_hdr){ "grpc-message", msg };
	if (wire != WIRE_OK) {
		snprintf(status_field, sizeof status_field, "%u %s", wire, wire_status_name(wire));
		extra[r.nextra++] = (struct h2_hdr){ "x-meshwalk-status", status_field };
	}
	t->answered = true;
	h2_respond(f->s, id, &r);
}

static void refuse_text(struct worker *w, struct h2_front *f, int32_t id, struct h2_task *t,
			int code, uint16_t wire, const char *text)
{
	char msg[300];
	int n = snprintf(msg, sizeof msg, "node %s: %s", w->self, text);

	refuse(w, f, id, t, code, wire, msg, (size_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1));
	w->st.error_replies++;
}

static void refuse_decision(struct worker *w, struct h2_front *f, int32_t id, struct h2_task *t,
			    const struct front_decision *d)
{
	uint16_t wire = front_wire_status(d->http_status);

	refuse(w, f, id, t, grpc_code_of(wire), wire, d->text, strlen(d->text));
	w->st.error_replies++;
}

void front_grpc_deadline(struct worker *w, struct h2_front *f, int32_t id, struct h2_task *t)
{
	refuse_text(w, f, id, t, GRPC_DEADLINE_EXCEEDED, WIRE_OK, "deadline (grpc-timeout) exceeded");
	front_h2_pump(w, f->c);
	conn_mark_dirty(w, f->c);
}

void front_grpc_timer(struct worker *w, uint64_t key)
{
	struct conn *c = conn_by_timer(w, key);
	int32_t id = (int32_t)(key & 0x7fffffff);
	struct h2_front *f;
	struct h2_task *t;

	if (c == NULL || (f = c->h2) == NULL || (t = h2_stream_user(f->s, id)) == NULL ||
	    t->answered || t->deadline_ns == 0 || clock_now_ns() < t->deadline_ns)
		return; /* answered, gone, or a stale key of a re-used connection */
	front_grpc_deadline(w, f, id, t);
}

void front_grpc_answer(struct worker *w, struct h2_front *f, int32_t id, struct h2_task *t,
		       uint16_t status, const char *text, size_t text_len, uint64_t size)
{
	static const struct h2_hdr trailer[1] = { { "grpc-status", "0" } };
	static const struct h2_hdr extra[1] = { { "grpc-accept-encoding", "identity" } };
	struct h2_resp r = { .status = 200, .content_type = "application/grpc", .trailers = trailer,
			     .ntrailers = 1, .extra = extra, .nextra = 1 };
	uint8_t head[64];

	if (status != WIRE_OK) {
		refuse(w, f, id, t, grpc_code_of(status), status, text, text_len);
		return;
	}
	if (t->kind == H2_GRPC_RUN) {
		size_t n = grpc_run_reply_head(head + GRPC_PREFIX_LEN, sizeof head - GRPC_PREFIX_LEN,
					       0, size);

		if (size > UINT32_MAX - sizeof head) {
			static const char big[] = "the reply is over 4 GiB: a gRPC message cannot carry it";

			refuse(w, f, id, t, GRPC_RESOURCE_EXHAUSTED, WIRE_ERR_LIMIT, big, sizeof big - 1);
			return;
		}
		grpc_prefix(head, (uint32_t)(n + size));
		r.body = head;
		r.body_len = GRPC_PREFIX_LEN + n;
		r.zeros = size;
		h2_respond(f->s, id, &r);
		return;
	}
	/* seed 003: "Processed NAME", the latency in whole ms (Go's Milliseconds()) */
	size_t cap = GRPC_PREFIX_LEN + t->name_len + 64 + SOCK_ADDR_STRLEN;
	uint8_t *buf = xmalloc(cap);
	char *message = xmalloc(t->name_len + 11);
	int64_t ms = (clock_now_ns() - t->start_ns) / 1000000;

	memcpy(message, "Processed ", 10);
	memcpy(message + 10, t->name ? t->name : "", t->name_len);
	size_t n = grpc_seed_resp_encode(buf + GRPC_PREFIX_LEN, cap - GRPC_PREFIX_LEN,
					 (struct http1_span){ message, t->name_len + 10 }, ms, w->self);
	grpc_prefix(buf, (uint32_t)n);
	r.body = buf;
	r.body_len = GRPC_PREFIX_LEN + n;
	h2_respond(f->s, id, &r);
	free(message);
	free(buf);
}

/* COMPUTE of the top level: it holds this thread, so no deadline can cut it. */
static uint64_t own_compute_ns(const struct wire_buf *prog)
{
	uint64_t sum = 0;
	struct wire_op op;

	for (uint32_t off = 0; off < prog->len; off += op.len) {
		wire_op_at(prog->data, off, &op);
		if (op.code == OP_COMPUTE)
			sum += wire_get_u64(op.body);
		if (op.len == 0)
			break;
	}
	return sum;
}

/* RunRequest: a route, a program, or neither (an empty reply). */
static int run_program(struct worker *w, struct h2_front *f, const uint8_t *msg, size_t len,
		       struct front_decision *d)
{
	struct grpc_run_req rr;
	struct err e;
	int rc;

	memset(d, 0, sizeof *d);
	if (grpc_run_req_decode(msg, len, &rr) < 0) {
		front_refuse(d, 400, "node %s: RunRequest: malformed protobuf", w->self);
		return -1;
	}
	if (rr.route.len > 0) {
		rc = front_encode_route(w, (const uint8_t *)rr.route.p, (uint32_t)rr.route.len,
					&f->prog, &e);
		if (rc < 0)
			front_refuse(d, front_http_status((uint16_t)-rc), "node %s: %s", w->self,
				     e.msg);
	} else if (rr.program.len > HTTP_PROG_MAX) {
		front_refuse(d, 413, "node %s: program longer than %d bytes", w->self, HTTP_PROG_MAX);
	} else if (rr.program.len > 0) {
		if (memchr(rr.program.p, '\0', rr.program.len) != NULL) {
			front_refuse(d, 400, "node %s: program: a NUL byte", w->self);
			return -1;
		}
		memcpy(w->http_text, rr.program.p, rr.program.len);
		w->http_text[rr.program.len] = '\0';
		front_program_text(w, w->http_text, &f->prog, d);
	} else {
		f->prog.len = 0;
		size_t at = wire_put_op(&f->prog, OP_REPLY, 0, 0);
		wire_buf_put_u64(&f->prog, 0);
		wire_end_op(&f->prog, at);
	}
	if (d->http_status == 0)
		front_check_program(w, &f->prog, d);
	return d->http_status ? -1 : 0;
}

/* MyRequest: COMPUTE for duration_seconds (seconds, as seed 003's Go worker
 * reads it; a negative one spins for nothing, as there). */
static int seed_program(struct worker *w, struct h2_front *f, const uint8_t *msg, size_t len,
			struct h2_task *t, struct front_decision *d)
{
	struct grpc_seed_req sr;

	memset(d, 0, sizeof *d);
	if (grpc_seed_req_decode(msg, len, &sr) < 0) {
		front_refuse(d, 400, "node %s: MyRequest: malformed protobuf", w->self);
		return -1;
	}
	t->name = xmalloc(sr.name.len + 1);
	memcpy(t->name, sr.name.p ? sr.name.p : "", sr.name.len);
	t->name_len = sr.name.len;
	front_compute_program(&f->prog,
			      sr.duration_seconds > 0 ? (uint64_t)sr.duration_seconds * 1000000000u : 0);
	return front_check_program(w, &f->prog, d) ? -1 : 0;
}

void front_grpc_request(struct worker *w, struct h2_front *f, const struct h2_req *r,
			struct h2_task *t)
{
	int32_t id = r->stream_id;
	const uint8_t *msg;
	size_t len;
	const char *why;
	struct front_decision d;
	int code, rc;

	if (r->path.len == sizeof run_method - 1 && memcmp(r->path.p, run_method, r->path.len) == 0) {
		t->kind = H2_GRPC_RUN;
	} else if (r->path.len == sizeof seed_method - 1 &&
		   memcmp(r->path.p, seed_method, r->path.len) == 0) {
		t->kind = H2_GRPC_SEED;
	} else {
		char text[200];

		snprintf(text, sizeof text, "unknown method %.*s (this node has %s and %s)",
			 (int)(r->path.len < 100 ? r->path.len : 100), r->path.p ? r->path.p : "",
			 run_method + 1, seed_method + 1);
		refuse_text(w, f, id, t, GRPC_UNIMPLEMENTED, WIRE_OK, text);
		return;
	}
	if (r->error != 0) {
		refuse_text(w, f, id, t, GRPC_RESOURCE_EXHAUSTED, WIRE_ERR_LIMIT,
			    r->error == 431 ? "request header list over the node's limit"
					    : "request message over the node's limit");
		return;
	}
	if (r->grpc_timeout.p != NULL) {
		int64_t ns;

		if (grpc_timeout_parse(r->grpc_timeout, &ns) < 0) {
			refuse_text(w, f, id, t, GRPC_INVALID_ARGUMENT, WIRE_ERR_MALFORMED,
				    "malformed grpc-timeout");
			return;
		}
		t->deadline_ns = ns > INT64_MAX - t->start_ns ? INT64_MAX : t->start_ns + ns;
	}
	code = grpc_unary_message(r->body, r->body_len, GRPC_MAX_MESSAGE, &msg, &len, &why);
	if (code != GRPC_OK) {
		refuse_text(w, f, id, t, code, WIRE_OK, why);
		return;
	}
	rc = t->kind == H2_GRPC_RUN ? run_program(w, f, msg, len, &d)
				    : seed_program(w, f, msg, len, t, &d);
	if (rc < 0) {
		refuse_decision(w, f, id, t, &d);
		return;
	}
	if (t->deadline_ns != 0) {
		uint64_t own = own_compute_ns(&f->prog);

		if ((int64_t)own > t->deadline_ns - t->start_ns) {
			char text[160];

			snprintf(text, sizeof text,
				 "its COMPUTE (%llu ms) cannot end within grpc-timeout (deadline exceeded)",
				 (unsigned long long)(own / 1000000));
			refuse_text(w, f, id, t, GRPC_DEADLINE_EXCEEDED, WIRE_OK, text);
			return;
		}
		timer_heap_push(&w->timers, t->deadline_ns, conn_timer_key(TIMER_H2, f->c, (uint32_t)id));
	}
	front_h2_start(w, f, id, t);
}
