/* front_wire.c -- see worker_int.h: the native protocol over TCP. */
#include "node/worker_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "prog/route.h"
#include "proto/frame.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* -- front end: the native protocol over TCP -- */

static struct conn *origin_conn(struct worker *w, const struct engine_origin *o)
{
	struct conn *c = o->conn;

	if (c->fd < 0 || c->gen != (uint32_t)o->tag || c->closing) {
		counter_inc(&w->st.orphaned);
		return NULL;
	}
	return c;
}

void front_wire_reply(void *ctx, const struct engine_origin *o, uint64_t req_id, uint16_t status,
		      const char *text, uint32_t text_len, uint64_t size)
{
	struct worker *w = ctx;
	struct conn *c = origin_conn(w, o);

	if (c == NULL)
		return;
	if (status == WIRE_OK) {
		conn_queue_reply(w, c, WIRE_OK, req_id, NULL, 0, size);
		counter_inc(&w->st.replies);
	} else {
		conn_queue_reply(w, c, status, req_id, text, text_len, 0);
		counter_inc(&w->st.error_replies);
	}
}

/* The header of a file reply now, its data straight from the storage file. */
void front_wire_reply_file(void *ctx, const struct engine_origin *o, uint64_t req_id,
			   uint64_t off, uint64_t len)
{
	struct worker *w = ctx;
	struct conn *c = origin_conn(w, o);

	if (c == NULL)
		return;
	const struct auth_key *key = &w->cfg->auth;
	struct wire_hdr h = { .version = WIRE_VERSION, .type = WIRE_REPLY, .id = req_id,
			      .len = (uint32_t)(frame_head_len(key, 0) + len) };
	uint8_t hdr[WIRE_HDR_LEN], tag[WIRE_TAG_LEN];
	uint32_t tag_len = frame_write_head(key, &h, NULL, hdr, tag);

	conn_append_frame(c, hdr, NULL, 0, tag, tag_len, 0);
	conn_append_file(c, off, len);
	conn_frame_queued(w, c);
	counter_inc(&w->st.replies);
}

/* -- starting requests -- */

/* An error reply to request h that keeps the connection (c NULL: the
 * datagram origin o). */
static void reply_error(struct worker *w, struct conn *c, const struct engine_origin *o,
			const struct wire_hdr *h, uint16_t status, const char *msg, uint32_t len)
{
	counter_inc(&w->st.error_replies);
	if (c == NULL)
		front_udp_send(w, o, status, h->id, msg, len, 0);
	else
		conn_queue_reply(w, c, status, h->id, msg, len, 0);
}

int front_encode_route(struct worker *w, const uint8_t *name, uint32_t name_len,
		       struct wire_buf *out, struct err *e)
{
	const struct route *r;
	int rc = wire_route_check(name, name_len, e);

	if (rc < 0)
		return rc;
	r = route_table_find(&w->cfg->routes, name, name_len);
	if (r == NULL) {
		char have[160];

		route_table_names(&w->cfg->routes, have, sizeof have);
		err_set(e, "no route '%.*s' (this node has: %s)", (int)name_len, (const char *)name,
			have);
		return -WIRE_ERR_NO_ROUTE;
	}
	out->len = 0;
	prog_encode(r->prog, &w->rng, w->st.eng.requests, out);
	rc = wire_prog_check(out->data, (uint32_t)out->len, &w->cfg->limits, e);
	if (rc < 0) {
		/* The node's own template beyond its own limits (a sampled
		 * COMPUTE too long, say): refuse this request, not the peer. */
		err_prefix(e, "route %s", r->name);
		return -WIRE_ERR_LIMIT;
	}
	return 0;
}

/* A route request: encodes its program into w->route_prog and returns 0;
 * returns a negative wire status with e filled for a malformed name, or 1
 * after answering a name this node has no route for (the connection stays). */
static int route_program(struct worker *w, struct conn *c, const struct engine_origin *o,
			 const struct wire_hdr *h, const uint8_t *name, uint32_t name_len,
			 struct err *e)
{
	int rc = front_encode_route(w, name, name_len, &w->route_prog, e);

	if (rc == -WIRE_ERR_NO_ROUTE) {
		char msg[NODE_MSG_LEN];
		int n = snprintf(msg, sizeof msg, "node %s: %s", w->self, e->msg);

		reply_error(w, c, o, h, WIRE_ERR_NO_ROUTE, msg,
			    (uint32_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1));
		return 1;
	}
	return rc;
}

/* Checks request h (its body at body) and hands it to the engine. c: the
 * TCP connection it came on, or NULL for the datagram origin o. */
void front_start_request(struct worker *w, struct conn *c, struct engine_origin *o,
			 const struct wire_hdr *h, const uint8_t *body)
{
	struct wire_budget carried;
	const uint8_t *prog = body;
	uint32_t prog_len = h->prog_len;
	bool has_budget = (h->flags & WIRE_FLAG_BUDGET) != 0;
	struct wire_trace tctx;
	struct engine_trace_in tin = { .ctx = NULL };
	struct err e;
	int rc = 0;

	if (has_budget)
		rc = wire_budget_decode(body, h->prog_len, &carried, &prog, &prog_len, &e);
	if (rc == 0 && (h->flags & WIRE_FLAG_TRACE)) {
		rc = wire_trace_decode(prog, prog_len, &tctx, &prog, &prog_len, &e);
		tin.ctx = &tctx;
		if (h->flags & WIRE_FLAG_ROUTE) {
			tin.route = (const char *)prog;
			tin.route_len = prog_len;
		}
	}
	if (rc == 0 && (h->flags & WIRE_FLAG_ROUTE)) {
		rc = route_program(w, c, o, h, prog, prog_len, &e);
		if (rc > 0)
			return;
		prog = w->route_prog.data;
		prog_len = (uint32_t)w->route_prog.len;
	} else if (rc == 0) {
		rc = wire_prog_check(prog, prog_len, &w->cfg->limits, &e);
	}
	if (rc < 0) {
		/* Answer first so the client learns why, then close: a peer that
		 * sends bad programs is not one we keep parsing. */
		char msg[NODE_MSG_LEN];
		int n = snprintf(msg, sizeof msg, "node %s: %s", w->self, e.msg);

		if (rc == -WIRE_ERR_LIMIT) {
			/* Well formed but beyond this node's limits: refuse this
			 * request, keep the connection. */
			w->st.limit_violations++;
			reply_error(w, c, o, h, WIRE_ERR_LIMIT, msg, (uint32_t)n);
			return;
		}
		w->st.malformed++;
		if (c == NULL) {
			reply_error(w, c, o, h, (uint16_t)-rc, msg, (uint32_t)n);
			return;
		}
		counter_inc(&w->st.error_replies);
		log_msg("%s: bad request, closing: %s", c->name, e.msg);
		conn_queue_reply(w, c, (uint16_t)-rc, h->id, msg, (uint32_t)n, 0);
		c->closing = true;
		return;
	}
	if (tin.ctx != NULL)
		engine_start_traced(w->engine, o, h->id, prog, prog_len, has_budget ? &carried : NULL,
				    &tin);
	else
		engine_start(w->engine, o, h->id, prog, prog_len, has_budget ? &carried : NULL);
}

static void start_client_request(struct worker *w, struct conn *c, const struct wire_hdr *h,
				 const uint8_t *body)
{
	struct engine_origin o = { .front = &w->front_tcp, .conn = c, .tag = c->gen,
				   .frame_len = h->len,
				   .authenticated = (h->flags & WIRE_FLAG_AUTH) != 0 };

	front_start_request(w, c, &o, h, body);
}

/* -- reading -- */

/* The current frame of a client has fully arrived: a request that waited
 * for its padding starts now. */
static void frame_done(struct worker *w, struct conn *c)
{
	c->frame_seq++;
	if (!c->pending.waiting)
		return;
	c->pending.waiting = false;
	if (c->h.kind == H_CLIENT)
		start_client_request(w, c, &c->pending.hdr, c->pending.body);
	else
		peer_on_reply(w, c, &c->pending.hdr, c->pending.body);
}

/* Keeps frame h's header and body (a request, or a forward's reply) in c
 * until its padding has arrived. */
static void hold_request(struct conn *c, const struct wire_hdr *h, const uint8_t *body)
{
	if (c->pending.cap < h->prog_len) {
		c->pending.body = xrealloc(c->pending.body, h->prog_len);
		c->pending.cap = h->prog_len;
	}
	if (h->prog_len > 0) /* an ok reply has no text (and body may be a NULL buffer) */
		memcpy(c->pending.body, body, h->prog_len);
	c->pending.hdr = *h;
	c->pending.waiting = true;
}

/* A frame header that failed its checks; returns -1 (stop reading c) or 0
 * after refusing a well-formed request over a limit (its bytes are skipped). */
static int bad_header(struct worker *w, struct conn *c, const struct wire_hdr *h, int rc,
		      const struct err *e)
{
	char msg[NODE_MSG_LEN];
	int n = snprintf(msg, sizeof msg, "node %s: %s", w->self, e->msg);

	if (rc == -WIRE_ERR_LIMIT && c->h.kind == H_CLIENT && h->type == WIRE_REQUEST) {
		/* Well formed but beyond --max-frame-size / --max-prog-size:
		 * refuse it, let its bytes stream past unread, keep the
		 * connection. */
		conn_queue_reply(w, c, WIRE_ERR_LIMIT, h->id, msg, (uint32_t)n, 0);
		w->st.limit_violations++;
		counter_inc(&w->st.error_replies);
		c->discard = h->len - WIRE_HDR_LEN;
		return 0;
	}
	w->st.malformed++;
	log_msg("%s: closing connection: %s", c->name, e->msg);
	if (c->h.kind == H_CLIENT && rc == -WIRE_ERR_VERSION) {
		conn_queue_reply(w, c, WIRE_ERR_VERSION, h->id, msg, (uint32_t)n, 0);
		c->closing = true;
		return -1;
	}
	conn_close(w, c, e->msg);
	return -1;
}

/* A frame without the right tag (e says which: wrong or missing). */
static void bad_tag(struct worker *w, struct conn *c, const struct frame *f, const struct err *e)
{
	w->st.auth_failures++;
	if (c->h.kind == H_CLIENT) {
		char msg[96];
		int n = snprintf(msg, sizeof msg, "node %s: %s", w->self, e->msg);

		conn_queue_reply(w, c, f->status, f->h.id, msg, (uint32_t)n, 0);
		counter_inc(&w->st.error_replies);
		c->closing = true;
		log_msg("%s: closing connection: %s", c->name, msg);
	} else {
		peer_fail(w, c, "reply failed authentication (different --auth-key-file?)", true);
	}
}

/* Parses frames from data; returns bytes consumed, or -1 when c was closed or
 * is closing (stop reading it). */
static ssize_t parse_frames(struct worker *w, struct conn *c, const uint8_t *data, size_t len)
{
	const struct frame_reader rd = { .lim = &w->cfg->limits, .key = &w->cfg->auth,
					 .type = c->h.kind == H_CLIENT ? WIRE_REQUEST : WIRE_REPLY };
	size_t off = 0;

	while (off < len && !c->closing && c->fd >= 0 &&
	       (c->h.kind != H_CLIENT || conn_queued(c) < OUT_HIGH)) {
		struct frame f;
		struct err e;
		enum frame_result rc;

		if (c->discard > 0) {
			size_t d = len - off < c->discard ? len - off : (size_t)c->discard;

			off += d;
			c->discard -= d;
			if (c->discard == 0)
				frame_done(w, c);
			continue;
		}
		rc = frame_read(&rd, data + off, len - off, &f, &e);
		if (rc == FRAME_MORE)
			break;
		if (rc == FRAME_ERR_AUTH) {
			bad_tag(w, c, &f, &e);
			return -1;
		}
		if (rc != FRAME_OK) {
			if (bad_header(w, c, &f.h, -(int)f.status, &e) < 0)
				return -1;
			off += WIRE_HDR_LEN;
			continue;
		}
		if (f.pad > len - off - f.head) {
			/* The padding is still on its way: a request starts, and a
			 * forward's reply counts, when it has arrived, so the
			 * transfer is part of the latency. */
			hold_request(c, &f.h, f.body);
		} else {
			if (c->h.kind == H_PEER)
				peer_on_reply(w, c, &f.h, f.body);
			else
				start_client_request(w, c, &f.h, f.body);
			off += f.head + f.pad;
			c->frame_seq++;
			continue;
		}
		off += f.head;
		c->discard = f.pad;
		if (f.pad == 0)
			frame_done(w, c);
	}
	return (c->closing || c->fd < 0) ? -1 : (ssize_t)off;
}

/* Whether a client is in the middle of a frame. */
static bool mid_frame(const struct conn *c)
{
	return iobuf_len(&c->in) > 0 || c->discard > 0 || front_http_mid_request(c) ||
	       front_tls_handshaking(c) || front_h2_mid_request(c);
}

static uint32_t frame_check(const struct conn *c)
{
	return (c->gen << 16) | (c->frame_seq & 0xffff);
}

/* A client in the middle of a frame gets --frame-timeout to finish it. */
void front_wire_arm_frame_timer(struct worker *w, struct conn *c)
{
	if (c->frame_timer || c->fd < 0 || c->h.kind == H_PEER || !mid_frame(c))
		return;
	c->frame_timer = true;
	timer_heap_push(&w->timers,
			clock_now_ns() + (int64_t)(w->cfg->frame_timeout_ms * NSEC_PER_MSEC),
			conn_timer_key(TIMER_FRAME, c, frame_check(c)));
}

void front_wire_frame_timer(struct worker *w, uint64_t key)
{
	struct conn *c = conn_by_timer(w, key);

	if (c == NULL || (c->gen & 0xffff) != ((uint32_t)key >> 16) || !c->frame_timer)
		return;
	c->frame_timer = false;
	if (!mid_frame(c))
		return;
	if ((uint32_t)key != frame_check(c) || !(c->interest & LOOP_READ)) {
		/* A later frame gets its own time; and a client we stopped
		 * reading (its replies are not read) is not the one stalling. */
		front_wire_arm_frame_timer(w, c);
		return;
	}
	w->st.frame_timeouts++;
	if (front_tls_handshaking(c))
		w->st.tls_failures++;
	log_msg("%s: closing connection: %s did not complete within --frame-timeout %llu ms",
		c->name, front_tls_handshaking(c) ? "its TLS handshake" : "a frame",
		(unsigned long long)w->cfg->frame_timeout_ms);
	conn_close(w, c, NULL);
}

void front_wire_readable(struct worker *w, struct conn *c)
{
	ssize_t n;

	if (c->h.kind == H_CLIENT && conn_queued(c) >= OUT_HIGH)
		return; /* paused (an error or hang-up event): conn_flush resumes it */
	if (c->hpeer != NULL) {
		peer_http_readable(w, c); /* a forward connection speaking HTTP/1.1 */
		return;
	}
	if (c->h2peer != NULL) {
		peer_h2_readable(w, c); /* one speaking HTTP/2 */
		return;
	}
	n = conn_recv(w, c);
	if (n > 0)
		front_wire_input(w, c, w->scratch, (size_t)n);
}

void front_wire_input(struct worker *w, struct conn *c, const uint8_t *data, size_t n)
{
	ssize_t used;

	if (c->h.kind == H_CLIENT && conn_queued(c) >= OUT_HIGH) {
		/* paused (bytes of a receive of the loop's that was in flight):
		 * parsed when conn_flush() resumes it */
		iobuf_append(&c->in, data, n);
		return;
	}
	if (iobuf_len(&c->in) == 0) {
		used = parse_frames(w, c, data, n);
		if (used >= 0 && (size_t)used < n)
			iobuf_append(&c->in, data + used, n - (size_t)used);
	} else {
		/* Only the bytes that arrived are kept: a frame's memory grows
		 * with what its sender has sent, not with what it announced. */
		iobuf_append(&c->in, data, n);
		used = parse_frames(w, c, iobuf_head(&c->in), iobuf_len(&c->in));
		if (used > 0)
			iobuf_consume(&c->in, (size_t)used);
		else if (used < 0 && c->fd >= 0)
			iobuf_release(&c->in);
	}
	front_wire_arm_frame_timer(w, c);
}

/* Parses what a paused client left in c->in, now that its output drained. */
void front_wire_resume(struct worker *w, struct conn *c)
{
	ssize_t used = parse_frames(w, c, iobuf_head(&c->in), iobuf_len(&c->in));

	if (used > 0)
		iobuf_consume(&c->in, (size_t)used);
	else if (used < 0 && c->fd >= 0)
		iobuf_release(&c->in);
}
