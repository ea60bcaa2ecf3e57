/* front_http.c -- see worker_int.h: HTTP/1.1 (node -b http://ADDR).
 *
 * DESIGN: a connection's bytes go through proto/http1's parser; at a request's
 * head the front end decides what it runs and keeps that in the connection's
 * http_state (the spans of the head die with the buffer); the request starts
 * in the engine once it is complete (body read and dropped), as a native
 * request starts once its padding is in. What a request runs:
 *   GET /worker?duration=D   seed 003's worker: COMPUTE for D (default 100ms),
 *                            answered with its JSON {"ack", "e2e_latency_ms"};
 *   ?program=OPS or header x-meshwalk-program: OPS, meshwalk's op words
 *                            (-C 1ms -F ADDR -R 1k), at most HTTP_PROG_MAX bytes;
 *   /NAME                    the node's route NAME (node --route);
 *   /                        an empty reply (a plain target for load tools).
 * REPLY's size is the body's size (zero bytes, application/octet-stream).
 * Pipelined requests may finish in any order in the engine; responses leave
 * in request order: each request takes the next slot of a ring of
 * HTTP_PIPELINE, and a finished response is written only when every earlier
 * one has been. A full ring stops the parsing (bytes wait in conn.in) until a
 * response leaves. An error answers with a real status (front_http_status())
 * and an x-meshwalk-status field naming meshwalk's; a malformed request is
 * answered (400/413/431/501/505) and the connection closed after it. */
#include "node/worker_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "node/front_req.h"
#include "proto/http1.h"
#include "trace/w3c.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#define HTTP_PIPELINE 64    /* requests of one connection in progress at once */

/* What one request's response needs once the engine has answered it. */
struct http_slot {
	bool done;
	bool head_method;   /* HEAD: no body */
	bool worker;        /* seed 003's JSON body */
	bool close;         /* close the connection after this response */
	bool http10;
	bool keep_alive;
	uint16_t status;    /* meshwalk's wire status */
	int http_status;    /* set for errors found before the engine */
	uint64_t size;      /* body bytes (REPLY's size) */
	int64_t start_ns;   /* when the request started (the worker's latency) */
	char *text;         /* error text (owned), or NULL */
};

/* The decision taken at a request's head, used once it is complete. */
struct http_pending {
	bool active;
	bool head_method, http10, keep_alive;
	struct front_decision d;
	bool has_budget;    /* an HTTP forward from a node carried its budget */
	struct wire_budget budget;
};

struct http_state {
	struct http1_parser parser;
	struct http_pending cur;
	struct wire_buf prog;              /* the current request's program */
	uint64_t next_seq, sent_seq;       /* slots [sent_seq, next_seq) are in use */
	struct http_slot slots[HTTP_PIPELINE];
	bool failed;                       /* a parse error: no more requests */
	/* the current request's W3C trace context (traceparent, tracestate) */
	bool traced;
	struct wire_trace trace;
	uint8_t tracestate[WIRE_TRACESTATE_MAX];
	char trace_name[64];               /* its SERVER span's name: the path */
};

static struct http_state *state_of(struct conn *c)
{
	if (c->http == NULL) {
		c->http = xcalloc(1, sizeof *c->http);
		http1_init(&c->http->parser, NULL);
		wire_buf_init(&c->http->prog);
	}
	return c->http;
}

void front_http_release(struct conn *c)
{
	struct http_state *hs = c->http;

	if (hs == NULL)
		return;
	for (int i = 0; i < HTTP_PIPELINE; i++) {
		free(hs->slots[i].text);
		hs->slots[i].text = NULL;
	}
	wire_buf_free(&hs->prog);
	free(hs);
	c->http = NULL;
}

/* The head of response r (Content-Length framing, no reason or Date of its
 * own): the worker's cached head when r has no extra fields and matches it,
 * else formatted into buf (and cached when it has none). Its length, or a
 * negative errno from http1_write_head(); *out points at the bytes. */
static ssize_t response_head(struct worker *w, const struct http1_resp *r, char *buf, size_t cap,
			     const char **out)
{
	struct http_head_cache *hc = &w->http_head;
	ssize_t n;

	if (r->nextra == 0 && hc->len > 0 && hc->status == r->status &&
	    hc->content_length == r->content_length && hc->content_type == r->content_type &&
	    hc->keep_alive == r->keep_alive && hc->http10 == r->http10) {
		*out = hc->head;
		return (ssize_t)hc->len;
	}
	*out = buf;
	n = http1_write_head(buf, cap, r);
	if (n > 0 && r->nextra == 0 && (size_t)n <= sizeof hc->head) {
		*hc = (struct http_head_cache){ .status = r->status, .content_length = r->content_length,
						.content_type = r->content_type,
						.keep_alive = r->keep_alive, .http10 = r->http10,
						.len = (size_t)n };
		memcpy(hc->head, buf, (size_t)n);
	}
	return n;
}

/* Writes one finished response into c's output. */
static void write_response(struct worker *w, struct conn *c, struct http_slot *s)
{
	char head[512], status_field[64], body[160];
	const char *text = s->text ? s->text : "";
	int hs_status = s->http_status ? s->http_status : front_http_status(s->status);
	struct http1_hdr extra[1];
	size_t nextra = 0;
	uint64_t body_len;
	const char *ctype;

	if (s->status != WIRE_OK || s->http_status) {
		snprintf(status_field, sizeof status_field, "%u %s", s->status,
			 s->status ? wire_status_name(s->status) : "ok");
		extra[nextra++] = (struct http1_hdr){ "x-meshwalk-status", status_field };
		body_len = strlen(text) + 1; /* the text and a newline */
		ctype = "text/plain";
	} else if (s->worker) {
		double ms = (double)(clock_now_ns() - s->start_ns) / 1e6;

		snprintf(body, sizeof body, "{\"ack\":\"Request processed\",\"e2e_latency_ms\":%.6f}\n",
			 ms);
		body_len = strlen(body);
		ctype = "application/json";
		text = body;
	} else {
		body_len = s->size;
		ctype = body_len ? "application/octet-stream" : NULL;
	}
	struct http1_resp r = { .status = hs_status, .framing = HTTP1_LENGTH,
				.content_length = body_len, .keep_alive = s->keep_alive && !s->close,
				.http10 = s->http10, .content_type = ctype, .extra = extra,
				.nextra = nextra };
	const char *head_bytes;
	ssize_t n = response_head(w, &r, head, sizeof head, &head_bytes);

	if (n < 0) { /* cannot happen with these fields: say so rather than send nothing */
		log_msg("%s: cannot write an HTTP response head: %s", c->name, errstr((int)n));
		c->closing = true;
		return;
	}
	conn_append_bytes(c, head_bytes, (size_t)n);
	if (!s->head_method) {
		if (s->status != WIRE_OK || s->http_status) {
			conn_append_bytes(c, text, body_len - 1);
			conn_append_bytes(c, "\n", 1);
		} else if (s->worker) {
			conn_append_bytes(c, text, body_len);
		} else {
			conn_append_zeros(c, body_len);
		}
	}
	conn_frame_queued(w, c);
	if (s->close || !s->keep_alive)
		c->closing = true;
}

/* Sends every finished response that has no unfinished one before it. */
static void flush_in_order(struct worker *w, struct conn *c)
{
	struct http_state *hs = c->http;

	while (hs->sent_seq < hs->next_seq && !c->closing) {
		struct http_slot *s = &hs->slots[hs->sent_seq % HTTP_PIPELINE];

		if (!s->done)
			break;
		write_response(w, c, s);
		free(s->text);
		s->text = NULL;
		s->done = false;
		hs->sent_seq++;
	}
}

void front_http_reply(void *ctx, const struct engine_origin *o, uint64_t req_id, uint16_t status,
		      const char *text, uint32_t text_len, uint64_t size)
{
	struct worker *w = ctx;
	struct conn *c = o->conn;

	if (c->fd < 0 || c->gen != (uint32_t)(o->tag >> 32) || c->http == NULL) {
		counter_inc(&w->st.orphaned);
		return;
	}
	struct http_state *hs = c->http;
	struct http_slot *s = &hs->slots[req_id % HTTP_PIPELINE];

	if (req_id < hs->sent_seq || req_id >= hs->next_seq || s->done) {
		counter_inc(&w->st.orphaned);
		return;
	}
	s->done = true;
	s->status = status;
	s->size = size;
	if (status != WIRE_OK) {
		s->text = xmalloc((size_t)text_len + 1);
		memcpy(s->text, text, text_len);
		s->text[text_len] = '\0';
		counter_inc(&w->st.error_replies);
	} else {
		counter_inc(&w->st.replies);
	}
	flush_in_order(w, c);
	if (!c->closing && iobuf_len(&c->in) > 0)
		conn_mark_dirty(w, c); /* a full ring may have stopped the parsing */
}

/* The fields a request's head may carry for the node, looked up in one pass
 * over its fields (the order of `fields` below). */
static const struct http1_name node_fields[] = {
	HTTP1_NAME("traceparent"), HTTP1_NAME("tracestate"), HTTP1_NAME("x-meshwalk-program"),
	HTTP1_NAME("x-meshwalk-budget"),
};
enum { F_TRACEPARENT, F_TRACESTATE, F_PROGRAM, F_BUDGET, F_COUNT };

/* What the request whose head is in p->req will run (hs->cur, hs->prog).
 * hs->cur is set field by field, not cleared whole: its decision's text is
 * only read once front_decide() has written it (a refusal). */
static void on_head(struct worker *w, struct conn *c, struct http_state *hs)
{
	const struct http1_request *r = &hs->parser.req;
	struct http1_span f[F_COUNT];

	_Static_assert(sizeof node_fields / sizeof node_fields[0] == F_COUNT, "node_fields");
	http1_headers(r, node_fields, f, F_COUNT);
	hs->cur.active = true;
	hs->cur.head_method = r->method_id == HTTP1_HEAD_METHOD;
	hs->cur.http10 = r->minor == 0;
	hs->cur.keep_alive = r->keep_alive;
	hs->cur.has_budget = false;
	hs->traced = trace_http_context(f[F_TRACEPARENT], f[F_TRACESTATE], r->path, &hs->trace,
					hs->tracestate, hs->trace_name, sizeof hs->trace_name);
	if (r->expect_continue && hs->sent_seq == hs->next_seq)
		conn_append_bytes(c, HTTP1_CONTINUE, strlen(HTTP1_CONTINUE));
	front_decide(w, r->path, r->query, f[F_PROGRAM], &hs->prog, &hs->cur.d);
	/* A forwarding node's remaining budget (peer_http.c): the engine caps it
	 * by this node's own, so it can only lower what the request may cost. */
	struct http1_span hdr = f[F_BUDGET];
	if (hs->cur.d.http_status == 0 && hdr.p != NULL) {
		struct err e;

		if (http_budget_parse(hdr.p, hdr.len, &hs->cur.budget, &e) < 0)
			front_refuse(&hs->cur.d, 400, "node %s: %s", w->self, e.msg);
		hs->cur.has_budget = true;
	}
}

/* An h2c upgrade request (RFC 7540 section 3.2) becomes HTTP/2's stream 1
 * (front_h2.c) when it can: in cleartext only, with nothing in progress
 * ahead of it (those answers would have to leave first, in HTTP/1.1), and
 * without a body. Otherwise it is answered in HTTP/1.1, as RFC 9113 allows. */
static bool try_upgrade(struct worker *w, struct conn *c, struct http_state *hs)
{
	const struct http1_request *r = &hs->parser.req;

	if (!r->upgrade_h2c || r->has_body || c->h.kind != H_HTTP || hs->sent_seq != hs->next_seq)
		return false;
	if (front_h2_upgrade(w, c, r->http2_settings, hs->cur.head_method, &hs->cur.d,
			     &hs->prog) < 0)
		return false;
	hs->cur.active = false;
	hs->failed = true; /* no more HTTP/1.1 on this connection */
	c->frame_seq++;
	w->st.http_requests++;
	return true;
}

/* The request is complete: it takes the next slot and starts. */
static void on_done(struct worker *w, struct conn *c, struct http_state *hs)
{
	if (try_upgrade(w, c, hs))
		return;
	uint64_t seq = hs->next_seq++;
	struct http_slot *s = &hs->slots[seq % HTTP_PIPELINE];

	memset(s, 0, sizeof *s);
	s->head_method = hs->cur.head_method;
	s->worker = hs->cur.d.worker;
	s->http10 = hs->cur.http10;
	s->keep_alive = hs->cur.keep_alive;
	s->start_ns = s->worker ? clock_now_ns() : 0; /* only seed 003's JSON reports it */
	hs->cur.active = false;
	c->frame_seq++;
	w->st.http_requests++;
	if (hs->cur.d.http_status) {
		s->done = true;
		s->http_status = hs->cur.d.http_status;
		s->status = front_wire_status(s->http_status);
		s->text = xstrdup(hs->cur.d.text);
		counter_inc(&w->st.error_replies);
		flush_in_order(w, c);
		return;
	}
	struct engine_origin o = { .front = &w->front_http, .conn = c,
				   .tag = ((uint64_t)c->gen << 32), .frame_len = 0 };
	if (hs->traced) {
		struct engine_trace_in tin = { .ctx = &hs->trace, .route = hs->trace_name,
					       .route_len = (uint32_t)strlen(hs->trace_name) };

		engine_start_traced(w->engine, &o, seq, hs->prog.data, (uint32_t)hs->prog.len,
				    hs->cur.has_budget ? &hs->cur.budget : NULL, &tin);
		return;
	}
	engine_start(w->engine, &o, seq, hs->prog.data, (uint32_t)hs->prog.len,
		     hs->cur.has_budget ? &hs->cur.budget : NULL);
}

/* A malformed request: answered, and the connection closes after it. */
static void on_error(struct worker *w, struct conn *c, struct http_state *hs)
{
	uint64_t seq = hs->next_seq++;
	struct http_slot *s = &hs->slots[seq % HTTP_PIPELINE];

	memset(s, 0, sizeof *s);
	s->done = true;
	s->close = true;
	s->http_status = hs->parser.status;
	s->status = hs->parser.status == 413 || hs->parser.status == 431 ? WIRE_ERR_LIMIT
									 : WIRE_ERR_MALFORMED;
	s->text = xmalloc(256);
	snprintf(s->text, 256, "node %s: %s", w->self, hs->parser.reason);
	hs->failed = true;
	w->st.malformed++;
	counter_inc(&w->st.error_replies);
	log_msg("%s: bad HTTP request (%d %s), closing", c->name, hs->parser.status,
		hs->parser.reason);
	flush_in_order(w, c);
}

/* Parses data; returns the bytes consumed (the rest is kept by the caller). */
static size_t parse(struct worker *w, struct conn *c, const char *data, size_t len)
{
	struct http_state *hs = state_of(c);
	size_t off = 0;

	while (!hs->failed && !c->closing && c->fd >= 0 && conn_queued(c) < OUT_HIGH) {
		size_t used = 0;

		if (!hs->cur.active && hs->next_seq - hs->sent_seq >= HTTP_PIPELINE)
			break; /* the ring is full: wait for a response to leave */
		enum http1_event ev = http1_feed(&hs->parser, data + off, len - off, &used);

		off += used;
		if (ev == HTTP1_NEED_MORE)
			break;
		if (ev == HTTP1_HEAD)
			on_head(w, c, hs);
		else if (ev == HTTP1_DONE)
			on_done(w, c, hs);
		else if (ev == HTTP1_ERROR)
			on_error(w, c, hs);
		/* HTTP1_BODY: the body is dropped; its bytes are consumed */
	}
	if (c->h.kind == H_H2 && c->fd >= 0 && off < len) {
		/* upgraded: what follows the request is the client's HTTP/2 */
		front_h2_input(w, c, (const uint8_t *)data + off, len - off);
		off = len;
	}
	return off;
}

static void parse_buffered(struct worker *w, struct conn *c)
{
	size_t used = parse(w, c, (const char *)iobuf_head(&c->in), iobuf_len(&c->in));

	if (c->fd >= 0)
		iobuf_consume(&c->in, used);
}

bool front_http_mid_request(const struct conn *c)
{
	return c->http != NULL && c->http->cur.active;
}

bool front_http_blocked(const struct conn *c)
{
	return c->http != NULL && !c->http->cur.active &&
	       c->http->next_seq - c->http->sent_seq >= HTTP_PIPELINE;
}

void front_http_resume(struct worker *w, struct conn *c)
{
	parse_buffered(w, c);
}

void front_http_readable(struct worker *w, struct conn *c)
{
	ssize_t n;

	if (conn_queued(c) >= OUT_HIGH)
		return; /* paused: conn_flush() resumes it */
	n = conn_recv(w, c);
	if (n > 0)
		front_http_input(w, c, w->scratch, (size_t)n);
}

/* Parsed where the bytes lie while nothing waits in c->in (the rest is kept);
 * parse() stops at OUT_HIGH and at a full ring, so what the loop brings a
 * paused connection waits in c->in. */
void front_http_input(struct worker *w, struct conn *c, const uint8_t *data, size_t n)
{
	if (c->http != NULL && c->http->failed)
		return; /* answered and closing: what follows is not read */
	if (iobuf_len(&c->in) == 0) {
		size_t used = parse(w, c, (const char *)data, n);

		if (c->fd >= 0 && used < n)
			iobuf_append(&c->in, data + used, n - used);
	} else {
		iobuf_append(&c->in, data, n);
		parse_buffered(w, c);
	}
	front_wire_arm_frame_timer(w, c);
}
