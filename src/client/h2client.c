/* h2client.c -- the client's HTTP/2 and gRPC requests (see h2client.h):
 * what to send and what the answers mean; the session is proto/h2_client's. */
#include "client/h2client.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/httpclient.h"
#include "net/sock.h"
#include "prog/prog.h"
#include "proto/grpc.h"
#include "proto/h2_client.h"
#include "spec/spec.h"
#include "trace/w3c.h"
#include "util/xalloc.h"

/* What an error's text keeps of a body (its first bytes). */
#define ERR_KEEP 120
#define GRPC_MAX_PAYLOAD (1u << 20) /* a node's message limit, docs/grpc.md */

/* One request: waiting for a stream, or open (until its answer is taken). */
struct h2req {
	uint64_t seq;
	uint64_t size;           /* request body: --ps bytes (gRPC: of payload) */
	char traceparent[TRACE_TRACEPARENT_LEN + 1];
	bool traced;
	int32_t stream;          /* 0: waiting for one */
	bool cancelled;          /* timed out: no result */
	struct h2req *next;      /* waiting list, or the open list */
	struct h2req *prev;      /* the open list */
};

struct h2cl {
	const struct client_config *cfg;
	bool grpc;
	uint32_t max_open;
	struct h2_client *sess;
	const char *scheme;      /* http, or https over TLS */
	char authority[SOCK_ADDR_STRLEN + 16];
	char path[300];
	int64_t expect_size;     /* the REPLY size when constant, else -1 */
	struct h2req *open_list; /* requests with a stream, until their answer is taken */
	struct h2req *wait_head, *wait_tail;
	struct wire_buf out;     /* output being handed out */
	size_t out_off;
	uint64_t cancelled;      /* streams reset because their request timed out */
	bool failed;             /* the session cannot go on */
	char why[160];
};

int h2cl_check(const struct client_config *c, struct err *e)
{
	return httpc_check(c, e);
}

/* A RunReply's payload length from the message's first bytes (prefix and
 * fields before the payload): -1 when they do not say. */
static int64_t run_reply_payload(const uint8_t *head, size_t have, uint64_t body)
{
	size_t i = GRPC_PREFIX_LEN;

	if (body == GRPC_PREFIX_LEN)
		return 0; /* an empty message: no payload field */
	while (i < have) {
		uint8_t tag = head[i++];
		uint64_t v = 0;
		int shift = 0;

		while (i < have && shift < 64) {
			v |= (uint64_t)(head[i] & 0x7f) << shift;
			shift += 7;
			if (!(head[i++] & 0x80))
				break;
		}
		if (tag == 0x0a) /* payload = 1, length-delimited: v is its length */
			return (int64_t)v;
		if (tag != 0x10) /* status = 2, a varint: skipped */
			return -1;
	}
	return -1;
}

static const char *grpc_code_name(int code)
{
	static const char *const names[] = {
		"OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND",
		"ALREADY_EXISTS", "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION",
		"ABORTED", "OUT_OF_RANGE", "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS",
		"UNAUTHENTICATED",
	};
	return code >= 0 && code < (int)(sizeof names / sizeof names[0]) ? names[code] : "?";
}

/* Printable bytes only, NUL-terminated. */
static void copy_field(char *dst, size_t cap, const uint8_t *v, size_t len)
{
	size_t n = len < cap - 1 ? len : cap - 1;

	for (size_t i = 0; i < n; i++)
		dst[i] = v[i] >= 0x20 && v[i] < 0x7f ? (char)v[i] : '?';
	dst[n] = '\0';
}

/* The verdict on a gRPC call's answer. */
static void finish_grpc(struct h2cl *h, const struct h2_client_answer *a, const char *mw,
			struct h2cl_result *r)
{
	char msg[96];
	int64_t got;

	if (a->status != 200 || a->grpc_status < 0) {
		snprintf(r->text, sizeof r->text, "gRPC call answered HTTP %d without grpc-status%.90s",
			 a->status, mw);
		return;
	}
	if (a->grpc_status != GRPC_OK) {
		copy_field(msg, sizeof msg, (const uint8_t *)a->grpc_message, strlen(a->grpc_message));
		snprintf(r->text, sizeof r->text, "grpc-status %d %.20s%.90s: %.60s", a->grpc_status,
			 grpc_code_name(a->grpc_status), mw, msg);
		return;
	}
	got = run_reply_payload(a->head, a->body < H2_CLIENT_KEEP ? (size_t)a->body : H2_CLIENT_KEEP,
				a->body);
	if (h->expect_size >= 0 && got != h->expect_size) {
		snprintf(r->text, sizeof r->text, "grpc-status 0 with a RunReply payload of %" PRId64
			 " bytes, expected %" PRId64 " (the program's REPLY)", got, h->expect_size);
		return;
	}
	r->ok = true;
}

/* The verdict on a finished stream. */
static void finish(struct h2cl *h, const struct h2req *q, const struct h2_client_answer *a,
		   struct h2cl_result *r)
{
	char mw[96] = "", st[H2_CLIENT_STATUS_KEEP + 1];

	r->seq = q->seq;
	r->ok = false;
	r->text[0] = '\0';
	if (a->over[0]) {
		snprintf(r->text, sizeof r->text, "HTTP/2: the node's response %s over %" PRIu64
			 " bytes (stream reset)", a->over, a->over_bound);
		return;
	}
	if (a->mw_status[0]) {
		copy_field(st, sizeof st, (const uint8_t *)a->mw_status, strlen(a->mw_status));
		snprintf(mw, sizeof mw, " (x-meshwalk-status: %.60s)", st);
	}
	if (a->reset != 0 && (a->status == 0 || (h->grpc && a->grpc_status < 0))) {
		snprintf(r->text, sizeof r->text, "HTTP/2 stream reset by the node (%s)", a->reset_name);
		return;
	}
	if (h->grpc) {
		finish_grpc(h, a, mw, r);
		return;
	}
	if (a->status < 200 || a->status >= 300) {
		char err[ERR_KEEP + 1];
		size_t n = a->body < ERR_KEEP ? (size_t)a->body : ERR_KEEP;

		copy_field(err, sizeof err, a->head, n);
		snprintf(r->text, sizeof r->text, "HTTP %d%.90s: %.90s", a->status, mw, err);
		return;
	}
	if (h->expect_size >= 0 && a->body != (uint64_t)h->expect_size) {
		snprintf(r->text, sizeof r->text, "HTTP %d with a body of %" PRIu64 " bytes, expected %" PRId64
			 " (the program's REPLY)", a->status, a->body, h->expect_size);
		return;
	}
	r->ok = true;
}

struct h2cl *h2cl_new(const struct client_config *c)
{
	struct h2cl *h = xcalloc(1, sizeof *h);
	const struct spec *reply = c->prog ? prog_reply_size(c->prog) : NULL;
	char a[SOCK_ADDR_STRLEN];

	h->cfg = c;
	h->grpc = c->to.proto == SOCK_GRPC || c->to.proto == SOCK_GRPCS;
	h->scheme = sock_proto_tls(c->to.proto) ? "https" : "http";
	h->max_open = c->h2_streams ? c->h2_streams : H2CL_STREAMS_DEFAULT;
	snprintf(h->authority, sizeof h->authority, "%s",
		 c->http_host ? c->http_host : sock_addr_str((const struct sockaddr *)&c->to.ss, a, sizeof a));
	if (h->grpc)
		snprintf(h->path, sizeof h->path, "/meshwalk.v1.Walk/Run");
	else
		snprintf(h->path, sizeof h->path, "/%s", c->route ? c->route : "");
	h->expect_size = -1;
	if (!c->route && (reply == NULL || spec_is_const(reply)))
		h->expect_size = reply ? (int64_t)spec_sample_u64(reply, NULL, 0) : 0;
	wire_buf_init(&h->out);
	return h;
}

static void free_list(struct h2req *q)
{
	while (q) {
		struct h2req *next = q->next;

		free(q);
		q = next;
	}
}

/* Ends the session: requests still open or waiting are the caller's to
 * account for (the connection is gone), so no result is made for them. */
static void end_session(struct h2cl *h)
{
	h2_client_free(h->sess, NULL); /* its user pointers are on our lists */
	h->sess = NULL;
	free_list(h->open_list);
	free_list(h->wait_head);
	h->open_list = h->wait_head = h->wait_tail = NULL;
	h->out.len = h->out_off = 0;
}

void h2cl_free(struct h2cl *h)
{
	if (h == NULL)
		return;
	end_session(h);
	wire_buf_free(&h->out);
	free(h);
}

void h2cl_session(struct h2cl *h)
{
	end_session(h);
	h->failed = false;
	h->sess = h2_client_new(NULL);
}

/* Opens q's stream: h2c://, the request an HTTP/1.1 client sends (--ps
 * zero bytes of body); grpc://, the RunRequest with --ps bytes of payload. */
static int open_stream(struct h2cl *h, struct h2req *q, char *why, size_t why_len)
{
	const struct client_config *c = h->cfg;
	const char *prog = !c->route && c->prog_text ? c->prog_text : "";
	struct h2_client_field f[4];
	struct h2_client_req r = { .scheme = h->scheme, .authority = h->authority, .path = h->path,
				   .fields = f };
	int32_t id;

	f[r.nfields++] = (struct h2_client_field){ "user-agent", "meshwalk-client", 15 };
	if (h->grpc) {
		const char *text = c->route ? c->route : prog;

		f[r.nfields++] = (struct h2_client_field){ "content-type", "application/grpc", 16 };
		f[r.nfields++] = (struct h2_client_field){ "te", "trailers", 8 };
		r.body = grpc_run_req_body(c->route != NULL, text, strlen(text), q->size, &r.body_len);
	} else {
		if (*prog)
			f[r.nfields++] = (struct h2_client_field){ "x-meshwalk-program", prog, strlen(prog) };
		r.zeros = q->size;
	}
	if (q->traced)
		f[r.nfields++] = (struct h2_client_field){ "traceparent", q->traceparent,
							   TRACE_TRACEPARENT_LEN };
	r.method = r.body || r.zeros ? "POST" : "GET";
	id = h2_client_submit(h->sess, &r, q);
	if (id < 0) {
		snprintf(why, why_len, "HTTP/2: cannot open a stream: %s", h2_client_error(h->sess));
		free(q);
		return -1;
	}
	q->stream = id;
	q->prev = NULL;
	q->next = h->open_list;
	if (q->next)
		q->next->prev = q;
	h->open_list = q;
	return 0;
}

/* Opens waiting requests' streams while fewer than --streams are open. */
static int open_waiting(struct h2cl *h, char *why, size_t why_len)
{
	while (h->wait_head && h2_client_streams(h->sess) < h->max_open) {
		struct h2req *q = h->wait_head;

		h->wait_head = q->next;
		if (h->wait_head == NULL)
			h->wait_tail = NULL;
		q->next = NULL;
		if (open_stream(h, q, why, why_len) < 0)
			return -1;
	}
	return 0;
}

int h2cl_submit(struct h2cl *h, struct rng *rng, uint64_t seq, const struct wire_trace *tc,
		char *why, size_t why_len)
{
	const struct client_config *c = h->cfg;
	struct h2req *q;

	if (h->sess == NULL || h->failed) {
		snprintf(why, why_len, "%s", h->failed ? h->why : "HTTP/2: no session");
		return -1;
	}
	q = xcalloc(1, sizeof *q);
	q->seq = seq;
	if (tc != NULL) {
		trace_traceparent_format(tc, q->traceparent);
		q->traced = true;
	}
	if (c->req_size) {
		double want = spec_sample(c->req_size, rng, seq);

		q->size = want > 0 ? (uint64_t)want : 0;
		if (q->size > GRPC_MAX_PAYLOAD) /* a node's body and message limit */
			q->size = GRPC_MAX_PAYLOAD;
	}
	if (h2_client_streams(h->sess) >= h->max_open) {
		if (h->wait_tail)
			h->wait_tail->next = q;
		else
			h->wait_head = q;
		h->wait_tail = q;
		return 0;
	}
	return open_stream(h, q, why, why_len);
}

static int put_out(void *ctx, const uint8_t *data, size_t len)
{
	wire_buf_put(ctx, data, len);
	return 0;
}

const uint8_t *h2cl_output(struct h2cl *h, size_t *len)
{
	if (h->out_off == h->out.len && h->sess && !h->failed) {
		h->out.len = h->out_off = 0;
		for (;;) {
			if (h2_client_send(h->sess, put_out, &h->out) < 0) {
				h->failed = true;
				snprintf(h->why, sizeof h->why, "HTTP/2: %s", h2_client_error(h->sess));
				break;
			}
			/* a reset sent closed its stream: a waiting request may open */
			if (h->wait_head == NULL || h2_client_streams(h->sess) >= h->max_open)
				break;
			if (open_waiting(h, h->why, sizeof h->why) < 0) {
				h->failed = true;
				break;
			}
		}
	}
	*len = h->out.len - h->out_off;
	return h->out.data + h->out_off;
}

void h2cl_cancel(struct h2cl *h, uint64_t seq)
{
	struct h2req *prev = NULL;

	if (h->sess == NULL || h->failed)
		return;
	for (struct h2req *q = h->open_list; q; q = q->next)
		if (q->seq == seq) {
			/* An answer already waiting is dropped when taken. */
			if (!q->cancelled && h2_client_reset(h->sess, q->stream, H2_CANCEL) == 0)
				h->cancelled++;
			q->cancelled = true;
			return;
		}
	for (struct h2req *q = h->wait_head; q; prev = q, q = q->next)
		if (q->seq == seq) { /* never sent: the server never knew it */
			if (prev)
				prev->next = q->next;
			else
				h->wait_head = q->next;
			if (h->wait_tail == q)
				h->wait_tail = prev;
			free(q);
			return;
		}
}

uint64_t h2cl_cancelled(const struct h2cl *h)
{
	return h->cancelled;
}

void h2cl_sent(struct h2cl *h, size_t n)
{
	h->out_off += n;
	if (h->out_off >= h->out.len)
		h->out.len = h->out_off = 0;
}

int h2cl_feed(struct h2cl *h, const uint8_t *data, size_t len, char *why, size_t why_len)
{
	if (h->sess == NULL || h->failed) {
		snprintf(why, why_len, "%s", h->failed ? h->why : "HTTP/2: no session");
		return -1;
	}
	if (h2_client_recv(h->sess, data, len) < 0) {
		h->failed = true;
		snprintf(h->why, sizeof h->why, "bad HTTP/2 from the node: %s", h2_client_error(h->sess));
		snprintf(why, why_len, "%s", h->why);
		return -1;
	}
	if (open_waiting(h, why, why_len) < 0) {
		h->failed = true;
		snprintf(h->why, sizeof h->why, "%s", why);
		return -1;
	}
	if (h2_client_done(h->sess) && (h2_client_streams(h->sess) > 0 || h->wait_head)) {
		h->failed = true;
		snprintf(h->why, sizeof h->why, "the node ended the HTTP/2 session (GOAWAY) with "
			 "requests in flight");
		snprintf(why, why_len, "%s", h->why);
		return -1;
	}
	return 0;
}

bool h2cl_next(struct h2cl *h, struct h2cl_result *r)
{
	struct h2_client_answer a;

	while (h->sess && h2_client_next(h->sess, &a)) {
		struct h2req *q = a.user;
		bool cancelled = q->cancelled; /* accounted for when it timed out */

		if (!cancelled)
			finish(h, q, &a, r);
		if (q->prev)
			q->prev->next = q->next;
		else
			h->open_list = q->next;
		if (q->next)
			q->next->prev = q->prev;
		free(q);
		if (!cancelled)
			return true;
	}
	return false;
}
