/* front_h2.c -- see worker_int.h: HTTP/2 and gRPC (node -b h2c://, -b
 * grpc://, and the h2c upgrade of -b http://).
 *
 * DESIGN: proto/h2 runs the protocol; this file is its node side. Each
 * complete request on a stream becomes one engine request whose id is the
 * stream id (ids are never reused within a session, and a session lives as
 * long as its connection, whose generation the origin's tag checks). A plain
 * request runs what an HTTP/1.1 one would (front_req.h) and is answered the
 * same way (status, x-meshwalk-status, body of REPLY's size); a gRPC request
 * (content-type application/grpc) names a method (front_grpc.c) and is
 * answered with a message and grpc-status trailers. Streams finish in any
 * order. The front keeps per stream only a small task (what kind of answer,
 * when it started, its deadline), freed when proto/h2 says the stream is
 * gone; an answer for a stream the peer reset is counted as orphaned.
 * Output: proto/h2's bytes go into the connection's output until it holds
 * OUT_HIGH; conn_flush() pulls more as it drains (front_h2_pump()), so a
 * large body costs at most that much memory.
 * A connection error (bad preface, bad frame, HPACK) queues GOAWAY; the
 * connection closes once it is sent. */
#include "node/worker_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "node/front_h2.h"
#include "node/front_req.h"
#include "trace/w3c.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

static void on_request(void *ctx, struct h2_session *s, const struct h2_req *r);

static void on_closed(void *ctx, struct h2_session *s, int32_t id, void *user)
{
	struct h2_task *t = user;

	if (t != NULL) {
		free(t->name);
		free(t->trace);
		free(t);
	}
}

/* A client reset a stream (it gave up on the request: a timeout, CANCEL). */
static void on_reset(void *ctx, struct h2_session *s, int32_t id, uint32_t code)
{
	struct h2_front *f = ctx;

	(void)s, (void)id, (void)code;
	f->w->st.h2_resets++;
}

static struct h2_front *front_of(struct conn *c)
{
	return c->h2;
}

void front_h2_attach(struct worker *w, struct conn *c)
{
	struct h2_front *f = xcalloc(1, sizeof *f);
	struct h2_callbacks cb = { .ctx = f, .request = on_request, .closed = on_closed,
				   .reset = on_reset };

	f->w = w;
	f->c = c;
	wire_buf_init(&f->prog);
	f->s = h2_session_new(NULL, &cb);
	c->h2 = f;
	conn_mark_dirty(w, c); /* the server's SETTINGS */
}

void front_h2_release(struct conn *c)
{
	struct h2_front *f = c->h2;

	if (f == NULL)
		return;
	h2_session_free(f->s);
	wire_buf_free(&f->prog);
	free(f);
	c->h2 = NULL;
}

static int sink(void *ctx, const uint8_t *data, size_t len)
{
	struct conn *c = ctx;

	if (conn_queued(c) >= OUT_HIGH)
		return -1;
	conn_append_bytes(c, data, len);
	return 0;
}

bool front_h2_pump(struct worker *w, struct conn *c)
{
	struct h2_front *f = front_of(c);
	ssize_t n;

	if (f == NULL || c->fd < 0)
		return false;
	n = h2_session_send(f->s, sink, c);
	if (n > 0 && c->delay_mask != 0)
		conn_frame_queued(w, c); /* --net-delay holds what was written */
	if (n < 0 || h2_session_done(f->s)) {
		if (h2_session_failed(f->s) && !c->closing) {
			w->st.malformed++;
			log_msg("%s: HTTP/2 connection error, GOAWAY sent, closing", c->name);
		}
		c->closing = true;
	}
	return n > 0;
}

void front_h2_input(struct worker *w, struct conn *c, const uint8_t *data, size_t len)
{
	struct h2_front *f = front_of(c);

	if (f == NULL || c->closing)
		return;
	if (h2_session_recv(f->s, data, len) < 0) {
		w->st.malformed++;
		log_msg("%s: HTTP/2 protocol error (bad preface?), closing", c->name);
		c->closing = true; /* after what is queued (GOAWAY) */
		h2_session_send(f->s, sink, c);
		conn_mark_dirty(w, c);
		return;
	}
	front_h2_pump(w, c);
	conn_mark_dirty(w, c);
}

void front_h2_readable(struct worker *w, struct conn *c)
{
	ssize_t n;

	if (conn_queued(c) >= OUT_HIGH)
		return; /* paused: conn_flush() resumes reading */
	n = conn_recv(w, c);
	if (n > 0)
		front_h2_input(w, c, w->scratch, (size_t)n);
	front_wire_arm_frame_timer(w, c);
}

bool front_h2_mid_request(const struct conn *c)
{
	return c->h2 != NULL && h2_session_incomplete(c->h2->s) > 0;
}

/* -- answers -- */

/* A plain (not gRPC) answer, as front_http writes it in HTTP/1.1. */
static void answer_plain(struct worker *w, struct h2_front *f, int32_t id, struct h2_task *t,
			 int http_status, uint16_t status, const char *text, size_t text_len,
			 uint64_t size)
{
	char status_field[64], body[256];
	struct h2_hdr extra[1];
	struct h2_resp r = { .status = http_status, .content_length = true, .no_body = t->head,
			     .extra = extra };

	if (http_status != 200) {
		snprintf(status_field, sizeof status_field, "%u %s", status,
			 status ? wire_status_name(status) : "ok");
		extra[r.nextra++] = (struct h2_hdr){ "x-meshwalk-status", status_field };
		int n = snprintf(body, sizeof body, "%.*s\n", (int)(text_len < 250 ? text_len : 250),
				 text);
		r.content_type = "text/plain";
		r.body = body;
		r.body_len = (size_t)n;
	} else if (t->kind == H2_WORKER) {
		double ms = (double)(clock_now_ns() - t->start_ns) / 1e6;
		int n = snprintf(body, sizeof body,
				 "{\"ack\":\"Request processed\",\"e2e_latency_ms\":%.6f}\n", ms);

		r.content_type = "application/json";
		r.body = body;
		r.body_len = (size_t)n;
	} else {
		r.zeros = size;
		r.content_type = size ? "application/octet-stream" : NULL;
	}
	h2_respond(f->s, id, &r);
}

void front_h2_answer(struct worker *w, struct h2_front *f, int32_t id, struct h2_task *t,
		     uint16_t status, const char *text, size_t text_len, uint64_t size)
{
	t->answered = true;
	if (t->grpc)
		front_grpc_answer(w, f, id, t, status, text, text_len, size);
	else
		answer_plain(w, f, id, t, front_http_status(status), status, text, text_len, size);
	if (status == WIRE_OK)
		w->st.replies++;
	else
		w->st.error_replies++;
	front_h2_pump(w, f->c);
	conn_mark_dirty(w, f->c);
}

void front_h2_reply(void *ctx, const struct engine_origin *o, uint64_t req_id, uint16_t status,
		    const char *text, uint32_t text_len, uint64_t size)
{
	struct worker *w = ctx;
	struct conn *c = o->conn;
	struct h2_front *f;
	struct h2_task *t;

	if (c->fd < 0 || c->gen != (uint32_t)(o->tag >> 32) || (f = front_of(c)) == NULL ||
	    (t = h2_stream_user(f->s, (int32_t)req_id)) == NULL || t->answered) {
		w->st.orphaned++;
		return;
	}
	if (t->deadline_ns != 0 && clock_now_ns() > t->deadline_ns) {
		/* It ran past its deadline (a COMPUTE holds the thread, so the
		 * timer could not fire first): the client has given up. */
		front_grpc_deadline(w, f, (int32_t)req_id, t);
		return;
	}
	front_h2_answer(w, f, (int32_t)req_id, t, status, text, text_len, size);
}

/* -- requests -- */

void front_h2_start(struct worker *w, struct h2_front *f, int32_t id, struct h2_task *t)
{
	struct engine_origin o = { .front = &w->front_h2, .conn = f->c,
				   .tag = ((uint64_t)f->c->gen << 32), .frame_len = 0 };

	if (t->trace != NULL) {
		struct engine_trace_in tin = { .ctx = &t->trace->ctx, .route = t->trace->name,
					       .route_len = (uint32_t)strlen(t->trace->name) };

		engine_start_traced(w->engine, &o, (uint64_t)id, f->prog.data, (uint32_t)f->prog.len,
				    t->has_budget ? &t->budget : NULL, &tin);
		return;
	}
	engine_start(w->engine, &o, (uint64_t)id, f->prog.data, (uint32_t)f->prog.len,
		     t->has_budget ? &t->budget : NULL);
}

/* A plain request: what it runs, or its refusal. */
static void plain_request(struct worker *w, struct h2_front *f, const struct h2_req *r,
			  struct h2_task *t)
{
	struct front_decision d;

	if (r->error != 0) {
		memset(&d, 0, sizeof d);
		front_refuse(&d, r->error, "node %s: %s", w->self,
			     r->error == 431 ? "request header list over the node's limit"
					     : "request body over the node's limit");
	} else {
		front_decide(w, r->path, r->query, r->program, &f->prog, &d);
	}
	if (d.http_status != 0) {
		uint16_t st = front_wire_status(d.http_status);

		t->answered = true;
		answer_plain(w, f, r->stream_id, t, d.http_status, st, d.text, strlen(d.text), 0);
		w->st.error_replies++;
		return;
	}
	t->kind = d.worker ? H2_WORKER : H2_PLAIN;
	front_h2_start(w, f, r->stream_id, t);
}

static void on_request(void *ctx, struct h2_session *s, const struct h2_req *r)
{
	struct h2_front *f = ctx;
	struct worker *w = f->w;
	struct h2_task *t = xcalloc(1, sizeof *t);

	t->start_ns = clock_now_ns();
	t->head = r->head_method;
	if (r->traceparent.p != NULL) { /* W3C Trace Context, as over HTTP/1.1 */
		t->trace = xmalloc(sizeof *t->trace);
		if (!trace_http_context(r->traceparent, r->tracestate, r->path, &t->trace->ctx,
					t->trace->state, t->trace->name, sizeof t->trace->name)) {
			free(t->trace);
			t->trace = NULL;
		}
	}
	h2_stream_set_user(s, r->stream_id, t);
	w->st.h2_requests++;
	f->c->frame_seq++;
	if (r->budget.p != NULL) {
		/* A forwarding node's remaining budget (peer_h2.c): the engine caps
		 * this request's cost with it, so route cycles stay bounded. A
		 * malformed one is refused, never ignored. */
		struct err e;

		if (http_budget_parse(r->budget.p, r->budget.len, &t->budget, &e) < 0) {
			t->grpc = r->grpc;
			w->st.malformed++;
			front_h2_answer(w, f, r->stream_id, t, WIRE_ERR_MALFORMED, e.msg, strlen(e.msg), 0);
			return;
		}
		t->has_budget = true;
	}
	if (r->grpc) {
		t->grpc = true;
		w->st.grpc_requests++;
		front_grpc_request(w, f, r, t);
	} else {
		plain_request(w, f, r, t);
	}

}

/* -- the HTTP/1.1 upgrade -- */

int front_h2_upgrade(struct worker *w, struct conn *c, struct http1_span settings, bool head,
		     const struct front_decision *d, const struct wire_buf *prog)
{
	struct h2_front *f;
	struct h2_task *t;
	static const char switching[] = "HTTP/1.1 101 Switching Protocols\r\n"
					"Connection: Upgrade\r\nUpgrade: h2c\r\n\r\n";

	front_h2_attach(w, c);
	f = c->h2;
	if (h2_session_upgrade(f->s, settings, head) < 0) {
		front_h2_release(c);
		return -1;
	}
	conn_append_bytes(c, switching, sizeof switching - 1);
	c->h.kind = H_H2;
	t = xcalloc(1, sizeof *t);
	t->start_ns = clock_now_ns();
	t->head = head;
	h2_stream_set_user(f->s, 1, t);
	w->st.h2_requests++;
	if (d->http_status != 0) {
		t->answered = true;
		answer_plain(w, f, 1, t, d->http_status, front_wire_status(d->http_status), d->text,
			     strlen(d->text), 0);
		w->st.error_replies++;
	} else {
		t->kind = d->worker ? H2_WORKER : H2_PLAIN;
		f->prog.len = 0;
		wire_buf_put(&f->prog, prog->data, prog->len);
		front_h2_start(w, f, 1, t);
	}
	front_h2_pump(w, c);
	conn_mark_dirty(w, c);
	return 0;
}
