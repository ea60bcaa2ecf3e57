/* peer_http.c -- see worker_int.h: forwards to a node's HTTP/1.1 front end
 * (-F http://HOST:PORT/NAME; over TLS, https:// when ALPN chose
 * http/1.1: peer_tls.c).
 *
 * DESIGN: an HTTP peer is an ordinary pooled forward connection (peer.c:
 * hashing, --max-peers, queue caps, --net-delay, reconnection) whose bytes
 * are HTTP/1.1: each forward is a GET /NAME (a POST with a zero body of the
 * forward's ps= size) carrying the request's remaining budget in an
 * x-meshwalk-budget field, on a pool of keep-alive connections per target
 * with one request in flight on each (peer_find(): answers come in order,
 * so a request sharing a busy connection would wait for the other's answer,
 * and a route that calls back into its caller would wait for itself);
 * only at --max-peers are requests pipelined, on the least busy one. The
 * forward ids wait in a FIFO per connection and the n-th response answers
 * the n-th request; that is also why an HTTP forward whose attempt
 * is over is not withdrawn before it leaves (conn_cancel_frame() would make
 * the FIFO lie): it runs, and its late answer is ignored by the engine as a
 * native one would be. A response maps back to meshwalk's status: 2xx is a
 * success, else x-meshwalk-status when the peer is a meshwalk node, else the
 * HTTP status (404 no route, 413/431 limit, 504 timeout, 503 busy, ...); its
 * body's first line is the error text the engine chains ("via ..."). A
 * response the strict parser refuses, or a close, fails every forward
 * waiting on the connection, as a bad frame does. */
#include "node/worker_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proto/http1.h"
#include "trace/w3c.h"
#include "util/log.h"
#include "util/xalloc.h"

#define ERR_TEXT_MAX 400 /* bytes of an error body kept as the forward's error text */
#define BODY_MAX (1u << 20) /* a node's HTTP body limit (docs/http.md) */

struct http_peer {
	struct http1_parser parser;
	uint64_t *ids;              /* forward ids in request order: ring */
	uint64_t head, tail;        /* [head, tail) are waiting for a response */
	size_t cap;                 /* a power of two */
	/* the response being read */
	int status;
	int mw_status;              /* x-meshwalk-status, or -1 */
	char text[ERR_TEXT_MAX + 1];
	size_t text_len;
};

static void reset_parser(struct http_peer *hp)
{
	struct http1_limits lim = http1_default_limits;

	lim.max_body = UINT64_MAX; /* a REPLY of any size is read and dropped */
	http1_init_response(&hp->parser, &lim);
	hp->head = hp->tail = 0;
}

void peer_http_attach(struct conn *p, bool http)
{
	if (!http) {
		peer_http_release(p);
		return;
	}
	if (p->hpeer == NULL) {
		p->hpeer = xcalloc(1, sizeof *p->hpeer);
		p->hpeer->cap = 16;
		p->hpeer->ids = xmalloc(p->hpeer->cap * sizeof *p->hpeer->ids);
	}
	reset_parser(p->hpeer);
}

uint64_t peer_http_waiting(const struct conn *p)
{
	return p->hpeer->tail - p->hpeer->head;
}

void peer_http_reset(struct conn *p)
{
	if (p->hpeer != NULL)
		reset_parser(p->hpeer);
}

void peer_http_release(struct conn *p)
{
	if (p->hpeer == NULL)
		return;
	free(p->hpeer->ids);
	free(p->hpeer);
	p->hpeer = NULL;
}

/* -- the budget field: 64 hex digits of the native budget block -- */

void http_budget_format(const struct wire_budget *b, char out[2 * WIRE_BUDGET_LEN + 1])
{
	static const char hex[] = "0123456789abcdef";
	uint8_t block[WIRE_BUDGET_LEN];

	wire_budget_encode(b, block);
	for (size_t i = 0; i < WIRE_BUDGET_LEN; i++) {
		out[2 * i] = hex[block[i] >> 4];
		out[2 * i + 1] = hex[block[i] & 15];
	}
	out[2 * WIRE_BUDGET_LEN] = '\0';
}

static int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

int http_budget_parse(const char *v, size_t len, struct wire_budget *b, struct err *e)
{
	uint8_t block[WIRE_BUDGET_LEN];
	const uint8_t *rest;
	uint32_t rest_len;

	if (len != 2 * WIRE_BUDGET_LEN)
		return err_set(e, "x-meshwalk-budget: expected %d hex digits", 2 * WIRE_BUDGET_LEN),
		       -WIRE_ERR_MALFORMED;
	for (size_t i = 0; i < WIRE_BUDGET_LEN; i++) {
		int hi = hexdigit(v[2 * i]), lo = hexdigit(v[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return err_set(e, "x-meshwalk-budget: expected %d hex digits",
				       2 * WIRE_BUDGET_LEN), -WIRE_ERR_MALFORMED;
		block[i] = (uint8_t)(hi << 4 | lo);
	}
	return wire_budget_decode(block, WIRE_BUDGET_LEN, b, &rest, &rest_len, e);
}

/* -- requests -- */

void peer_http_queue(struct worker *w, struct conn *p, const struct engine_send *s)
{
	struct http_peer *hp = p->hpeer;
	char head[512 + WIRE_ROUTE_MAX + 64 + TRACE_TRACEPARENT_LEN + WIRE_TRACESTATE_MAX], budget[2 * WIRE_BUDGET_LEN + 1], cl[48] = "";
	char trace[64 + TRACE_TRACEPARENT_LEN + WIRE_TRACESTATE_MAX] = "";
	uint64_t body = s->frame_size < BODY_MAX ? s->frame_size : BODY_MAX;
	int n;

	if (hp->tail - hp->head == hp->cap) { /* grow the ring, keeping the order */
		uint64_t *ids = xmalloc(2 * hp->cap * sizeof *ids);

		for (uint64_t i = hp->head; i < hp->tail; i++)
			ids[i - hp->head] = hp->ids[i & (hp->cap - 1)];
		free(hp->ids);
		hp->ids = ids;
		hp->tail -= hp->head;
		hp->head = 0;
		hp->cap *= 2;
	}
	hp->ids[hp->tail++ & (hp->cap - 1)] = s->id;
	http_budget_format(s->budget, budget);
	if (body)
		snprintf(cl, sizeof cl, "Content-Length: %" PRIu64 "\r\n", body);
	if (s->trace != NULL) { /* W3C Trace Context: the target joins the trace */
		char tp[TRACE_TRACEPARENT_LEN + 1];
		int k;

		trace_traceparent_format(s->trace, tp);
		k = snprintf(trace, sizeof trace, "traceparent: %s\r\n", tp);
		if (s->trace->state_len > 0)
			snprintf(trace + k, sizeof trace - (size_t)k, "tracestate: %.*s\r\n",
				 (int)s->trace->state_len, (const char *)s->trace->state);
	}
	/* The sub-program of an HTTP target is a route name (wire_prog_check). */
	n = snprintf(head, sizeof head,
		     "%s /%.*s HTTP/1.1\r\nHost: %s\r\nx-meshwalk-budget: %s\r\n%s%s\r\n",
		     body ? "POST" : "GET", (int)s->sub_len, (const char *)s->sub,
		     peer_authority(p), budget, cl, trace);
	conn_append_bytes(p, head, (size_t)n);
	if (body)
		conn_append_zeros(p, body);
	conn_frame_queued(w, p);
}

/* -- responses -- */

uint16_t http_wire_status(int http_status)
{
	static const struct {
		int http;
		uint16_t wire;
	} map[] = {
		{ 400, WIRE_ERR_MALFORMED }, { 403, WIRE_ERR_REFUSED }, { 404, WIRE_ERR_NO_ROUTE },
		{ 413, WIRE_ERR_LIMIT },     { 431, WIRE_ERR_LIMIT },   { 501, WIRE_ERR_UNSUPPORTED },
		{ 503, WIRE_ERR_BUSY },      { 504, WIRE_ERR_TIMEOUT },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (map[i].http == http_status)
			return map[i].wire;
	return WIRE_ERR_FORWARD;
}

/* meshwalk's status for a response that is not a success. */
static uint16_t wire_status_of(const struct http_peer *hp)
{
	if (hp->mw_status > 0 && hp->mw_status < WIRE_STATUS_MAX_)
		return (uint16_t)hp->mw_status;
	return http_wire_status(hp->status);
}

static void on_head(struct http_peer *hp)
{
	struct http1_span s = http1_resp_header(&hp->parser.resp, "x-meshwalk-status");

	hp->status = hp->parser.resp.status;
	hp->mw_status = -1;
	hp->text_len = 0;
	if (s.p && s.len > 0 && s.p[0] >= '0' && s.p[0] <= '9') {
		hp->mw_status = 0;
		for (size_t i = 0; i < s.len && i < 4 && s.p[i] >= '0' && s.p[i] <= '9'; i++)
			hp->mw_status = hp->mw_status * 10 + (s.p[i] - '0');
	}
}

/* A whole response: the oldest forward's answer. */
static void on_done(struct worker *w, struct conn *p, struct http_peer *hp)
{
	struct wire_hdr h = { .type = WIRE_REPLY };
	char *text = hp->text;

	if (hp->status < 200)
		return; /* 100 Continue and the like: the answer follows */
	if (hp->head == hp->tail) {
		peer_fail(w, p, "an HTTP response to no request", false);
		return;
	}
	h.id = hp->ids[hp->head++ & (hp->cap - 1)];
	if (hp->status >= 300) {
		h.status = wire_status_of(hp);
		text[hp->text_len] = '\0';
		text[strcspn(text, "\r\n")] = '\0'; /* its first line */
		if (*text == '\0')
			snprintf(text, sizeof hp->text, "%s: HTTP %d %s", p->name, hp->status,
				 http1_reason(hp->status));
		h.prog_len = (uint32_t)strlen(text);
	}
	peer_on_reply(w, p, &h, (const uint8_t *)text);
}

/* Parses data; returns the bytes consumed, or -1 when p has failed. */
static ssize_t parse(struct worker *w, struct conn *p, const char *data, size_t len)
{
	struct http_peer *hp = p->hpeer;
	size_t off = 0;

	while (p->fd >= 0) {
		size_t used = 0;
		enum http1_event ev = http1_feed(&hp->parser, data + off, len - off, &used);
		char why[160];

		off += used;
		switch (ev) {
		case HTTP1_NEED_MORE:
			return (ssize_t)off;
		case HTTP1_ERROR:
			snprintf(why, sizeof why, "bad HTTP response: %s", hp->parser.reason);
			peer_fail(w, p, why, false);
			return -1;
		case HTTP1_HEAD:
			on_head(hp);
			break;
		case HTTP1_BODY:
			if (hp->status >= 300 && hp->text_len < ERR_TEXT_MAX) {
				size_t n = ERR_TEXT_MAX - hp->text_len;

				n = hp->parser.body_len < n ? hp->parser.body_len : n;
				memcpy(hp->text + hp->text_len, hp->parser.body, n);
				hp->text_len += n;
			}
			break;
		case HTTP1_DONE:
			on_done(w, p, hp);
			if (hp->parser.resp.status >= 200 && !hp->parser.resp.keep_alive &&
			    p->fd >= 0) {
				peer_fail(w, p, "the peer closes the connection (Connection: close)",
					  false);
				return -1;
			}
			break;
		}
	}
	return -1;
}

void peer_http_readable(struct worker *w, struct conn *p)
{
	ssize_t n, used;

	if (p->tls != NULL) {
		/* https:// (ALPN http/1.1): the TLS layer reads, and a close fails
		 * p, so a body delimited by the close is not read over TLS */
		n = conn_recv(w, p);
		if (n == 0)
			return;
	} else {
		do
			n = recv(p->fd, w->scratch, SCRATCH_LEN, 0);
		while (n == -1 && errno == EINTR);
	}
	if (n == 0) {
		/* A body delimited by the close ends here; anything else failed. */
		if (http1_feed_eof(&p->hpeer->parser, iobuf_len(&p->in)) == HTTP1_DONE)
			on_done(w, p, p->hpeer);
		peer_fail(w, p, "connection closed by peer", false);
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN)
			peer_fail(w, p, errstr(-errno), false);
		return;
	}
	if (iobuf_len(&p->in) == 0) {
		used = parse(w, p, (const char *)w->scratch, (size_t)n);
		if (used >= 0 && used < n)
			iobuf_append(&p->in, w->scratch + used, (size_t)(n - used));
		return;
	}
	iobuf_append(&p->in, w->scratch, (size_t)n);
	used = parse(w, p, (const char *)iobuf_head(&p->in), iobuf_len(&p->in));
	if (used > 0)
		iobuf_consume(&p->in, (size_t)used);
}
