/* peer_h2.c -- see worker_int.h: forwards to a node's HTTP/2 and gRPC front
 * ends (-F h2c://HOST:PORT/NAME, -F grpc://HOST:PORT/NAME; over TLS,
 * grpcs:// and https:// when ALPN chose h2: peer_tls.c).
 *
 * DESIGN: an HTTP/2 peer is an ordinary pooled forward connection (peer.c:
 * hashing, --max-peers, queue caps, --net-delay, reconnection) whose bytes
 * are one HTTP/2 client session (proto/h2_client): every forward to the
 * target is a stream of that one connection (HTTP/2 multiplexes, so unlike
 * HTTP/1.1 peers one connection per target is enough, and a route that
 * calls back into its caller does not wait for itself). Over h2c:// a forward is GET /NAME (a
 * POST with a zero body of its ps= size); over grpc:// a call of
 * meshwalk.v1.Walk/Run whose RunRequest names the route and carries ps=
 * bytes of payload. Both carry the request's remaining budget in
 * x-meshwalk-budget (front_h2 reads it, so route cycles stay bounded) and
 * the trace context. A stream's end answers its forward: a 2xx (gRPC:
 * grpc-status 0) is a success; else meshwalk's status from
 * x-meshwalk-status when the peer is a meshwalk node, else from the HTTP
 * status or the gRPC code, with the body's first line or grpc-message as the
 * error text. A forward whose attempt is over is not withdrawn before it
 * leaves (HPACK state forbids dropping queued frames); its late answer is
 * ignored by the engine. The session starts with the connection (its
 * preface is the first output after a (re)connect) and ends with it: a
 * protocol error or a close fails every forward waiting on the connection,
 * as a bad frame does. Windows are opened wide at the start; an answer over
 * proto/h2_client's bounds (header list) fails its forward. */
#include "node/worker_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/grpc.h"
#include "proto/h2_client.h"
#include "proto/http1.h"
#include "trace/w3c.h"
#include "util/log.h"
#include "util/xalloc.h"

#define ERR_TEXT_MAX 400 /* bytes of an error body kept as the forward's error text */
#define BODY_MAX (1u << 20) /* a node's HTTP body and gRPC message limit */

_Static_assert(ERR_TEXT_MAX <= H2_CLIENT_KEEP, "the answer keeps the error text");

struct h2_peer {
	bool grpc;
	struct h2_client *sess;   /* NULL until the connection's first forward */
	const char *authority;    /* p->name after its scheme */
	const char *scheme;       /* :scheme, "https" over TLS */
};

/* meshwalk's status for a gRPC code, when the peer did not name one. */
static uint16_t wire_status_of_grpc(int code)
{
	switch (code) {
	case GRPC_INVALID_ARGUMENT: return WIRE_ERR_MALFORMED;
	case GRPC_NOT_FOUND: return WIRE_ERR_NO_ROUTE;
	case GRPC_PERMISSION_DENIED: return WIRE_ERR_REFUSED;
	case GRPC_RESOURCE_EXHAUSTED: return WIRE_ERR_LIMIT;
	case GRPC_UNIMPLEMENTED: return WIRE_ERR_UNSUPPORTED;
	case GRPC_DEADLINE_EXCEEDED: return WIRE_ERR_TIMEOUT;
	default: return WIRE_ERR_FORWARD;
	}
}

/* The reply to forward id from its stream's answer: h, and its error text
 * into text. */
static void finish(const struct h2_peer *hp, const char *peer_name, uint64_t id,
		   const struct h2_client_answer *a, struct wire_hdr *h, char text[ERR_TEXT_MAX + 1])
{
	bool ok = hp->grpc ? a->status == 200 && a->grpc_status == GRPC_OK
			   : a->status >= 200 && a->status < 300;

	memset(h, 0, sizeof *h);
	h->type = WIRE_REPLY;
	h->id = id;
	text[0] = '\0';
	if (ok && a->reset == 0)
		return;
	if (a->over[0]) {
		h->status = WIRE_ERR_FORWARD;
		snprintf(text, ERR_TEXT_MAX + 1, "%s: HTTP/2: response %s over %" PRIu64
			 " bytes (stream reset)", peer_name, a->over, a->over_bound);
		h->prog_len = (uint32_t)strlen(text);
		return;
	}
	if (a->mw_code > 0 && a->mw_code < WIRE_STATUS_MAX_)
		h->status = (uint16_t)a->mw_code;
	else if (hp->grpc && a->grpc_status > 0)
		h->status = wire_status_of_grpc(a->grpc_status);
	else if (a->status >= 300)
		h->status = http_wire_status(a->status);
	else
		h->status = WIRE_ERR_FORWARD;
	if (hp->grpc) {
		snprintf(text, ERR_TEXT_MAX + 1, "%s", a->grpc_message);
	} else if (a->status >= 300) { /* the body's first bytes */
		size_t n = a->body < ERR_TEXT_MAX ? (size_t)a->body : ERR_TEXT_MAX;

		memcpy(text, a->head, n);
		text[n] = '\0';
	}
	text[strcspn(text, "\r\n")] = '\0'; /* its first line */
	if (*text == '\0') {
		if (a->reset != 0 && (a->status == 0 || (hp->grpc && a->grpc_status < 0)))
			snprintf(text, ERR_TEXT_MAX + 1, "%s: HTTP/2 stream reset (%s)", peer_name,
				 a->reset_name);
		else if (hp->grpc)
			snprintf(text, ERR_TEXT_MAX + 1, "%s: grpc-status %d", peer_name, a->grpc_status);
		else
			snprintf(text, ERR_TEXT_MAX + 1, "%s: HTTP %d %s", peer_name, a->status,
				 http1_reason(a->status));
	}
	h->prog_len = (uint32_t)strlen(text);
}

void peer_h2_attach(struct conn *p, enum wire_transport via)
{
	if (via != WIRE_VIA_H2C && via != WIRE_VIA_GRPC && via != WIRE_VIA_GRPCS &&
	    via != WIRE_VIA_HTTPS) {
		peer_h2_release(p);
		return;
	}
	if (p->h2peer == NULL)
		p->h2peer = xcalloc(1, sizeof *p->h2peer);
	peer_h2_reset(p);
	p->h2peer->grpc = via == WIRE_VIA_GRPC || via == WIRE_VIA_GRPCS;
	p->h2peer->scheme = via == WIRE_VIA_GRPCS || via == WIRE_VIA_HTTPS ? "https" : "http";
	p->h2peer->authority = peer_authority(p);
}

/* A stream's user pointer is its forward's id, malloc'd: freed when its
 * answer is taken, or here with the session. */
void peer_h2_reset(struct conn *p)
{
	struct h2_peer *hp = p->h2peer;

	if (hp == NULL)
		return;
	h2_client_free(hp->sess, free);
	hp->sess = NULL;
}

void peer_h2_release(struct conn *p)
{
	if (p->h2peer == NULL)
		return;
	peer_h2_reset(p);
	free(p->h2peer);
	p->h2peer = NULL;
}

static int put_conn(void *ctx, const uint8_t *data, size_t len)
{
	conn_append_bytes(ctx, data, len);
	return 0;
}

/* Queues what the session has to send on p. False, with why filled, when
 * the session failed (the caller fails p, after accounting the queue). */
static bool pump(struct worker *w, struct conn *p, char *why, size_t why_len)
{
	ssize_t n = h2_client_send(p->h2peer->sess, put_conn, p);

	if (n > 0)
		conn_frame_queued(w, p);
	if (n < 0) {
		snprintf(why, why_len, "HTTP/2: %s", h2_client_error(p->h2peer->sess));
		return false;
	}
	return true;
}

#define FIELD(n, v, l) ((struct h2_client_field){ (n), (const char *)(v), (l) })

int peer_h2_queue(struct worker *w, struct conn *p, const struct engine_send *s, char *why,
		  size_t why_len)
{
	struct h2_peer *hp = p->h2peer;
	char path[WIRE_ROUTE_MAX + 2], budget[2 * WIRE_BUDGET_LEN + 1];
	char tp[TRACE_TRACEPARENT_LEN + 1];
	struct h2_client_field f[H2_CLIENT_MAX_FIELDS];
	struct h2_client_req r = { .scheme = hp->scheme, .authority = hp->authority, .path = path,
				   .fields = f };
	uint64_t size = s->frame_size < BODY_MAX ? s->frame_size : BODY_MAX;
	uint64_t *id = xmalloc(sizeof *id);

	if (hp->sess == NULL)
		hp->sess = h2_client_new(NULL);
	*id = s->id;
	/* The sub-program of an HTTP target is a route name (wire_prog_check).
	 * h2c://: GET /NAME (a POST of ps= zero bytes); grpc://: the RunRequest
	 * naming the route, with ps= bytes of payload. */
	http_budget_format(s->budget, budget);
	f[r.nfields++] = FIELD("x-meshwalk-budget", budget, strlen(budget));
	if (hp->grpc) {
		snprintf(path, sizeof path, "/meshwalk.v1.Walk/Run");
		f[r.nfields++] = FIELD("content-type", "application/grpc", 16);
		f[r.nfields++] = FIELD("te", "trailers", 8);
		r.body = grpc_run_req_body(true, (const char *)s->sub, s->sub_len, size, &r.body_len);
	} else {
		snprintf(path, sizeof path, "/%.*s", (int)s->sub_len, (const char *)s->sub);
		r.zeros = size;
	}
	if (s->trace != NULL) { /* W3C Trace Context: the target joins the trace */
		trace_traceparent_format(s->trace, tp);
		f[r.nfields++] = FIELD("traceparent", tp, TRACE_TRACEPARENT_LEN);
		if (s->trace->state_len > 0)
			f[r.nfields++] = FIELD("tracestate", s->trace->state, s->trace->state_len);
	}
	r.method = r.body || r.zeros ? "POST" : "GET";
	if (h2_client_submit(hp->sess, &r, id) < 0) {
		/* Out of stream ids (2^30 forwards on one connection): the
		 * caller fails p, and the next forward opens a new one. */
		free(id);
		snprintf(why, why_len, "forward to %s failed: HTTP/2: %s", p->name,
			 h2_client_error(hp->sess));
		return -1;
	}
	/* A session that cannot write (out of memory in nghttp2) is failed by
	 * the next read: failing p here, inside the caller's accounting of its
	 * queue, would count its bytes twice. */
	char late[160];
	if (!pump(w, p, late, sizeof late))
		log_msg("forward connection to %s: %s", p->name, late);
	return 0;
}

/* Answers the forwards whose streams ended. One at a time, as a reply may
 * queue new forwards on p or fail it (which ends the session). False when
 * p failed. */
static bool answer_forwards(struct worker *w, struct conn *p, struct h2_peer *hp)
{
	struct h2_client_answer a;

	while (p->fd >= 0 && p->h2peer == hp && hp->sess != NULL && h2_client_next(hp->sess, &a)) {
		struct wire_hdr h;
		char text[ERR_TEXT_MAX + 1];
		uint64_t id = *(uint64_t *)a.user;

		free(a.user);
		finish(hp, p->name, id, &a, &h, text);
		peer_on_reply(w, p, &h, (const uint8_t *)text);
	}
	return p->fd >= 0;
}

void peer_h2_readable(struct worker *w, struct conn *p)
{
	struct h2_peer *hp = p->h2peer;
	ssize_t n = conn_recv(w, p); /* a close or an error fails p */

	if (n <= 0)
		return;
	if (hp->sess == NULL) {
		peer_fail(w, p, "HTTP/2 bytes before any request", false);
		return;
	}
	if (h2_client_recv(hp->sess, w->scratch, (size_t)n) < 0) {
		char why[200];

		snprintf(why, sizeof why, "bad HTTP/2 response: %s", h2_client_error(hp->sess));
		peer_fail(w, p, why, false);
		return;
	}
	/* Answers after the read, so the engine never re-enters the session. */
	if (!answer_forwards(w, p, hp))
		return;
	if (p->h2peer == hp && hp->sess != NULL) { /* acknowledgements, window updates, resets */
		uint64_t before = conn_queued(p);
		char why[200];
		bool ok = pump(w, p, why, sizeof why);

		peer_account(p, &before);
		if (!ok) {
			peer_fail(w, p, why, false);
			return;
		}
		/* a stream the server had answered ends when our side of it has left */
		if (!answer_forwards(w, p, hp))
			return;
	}
	if (p->fd >= 0 && p->h2peer == hp && hp->sess != NULL && h2_client_done(hp->sess))
		peer_fail(w, p, "the peer ended the HTTP/2 session (GOAWAY)", false);
}
