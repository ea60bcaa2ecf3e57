/* peer_h2.c -- see worker_int.h: forwards to a node's HTTP/2 and gRPC front
 * ends (-F h2c://HOST:PORT/NAME, -F grpc://HOST:PORT/NAME; over TLS,
 * grpcs:// and https:// when ALPN chose h2: peer_tls.c).
 *
 * DESIGN: an HTTP/2 peer is an ordinary pooled forward connection (peer.c:
 * hashing, --max-peers, queue caps, --net-delay, reconnection) whose bytes
 * are one nghttp2 client session: every forward to the target is a stream of
 * that one connection (HTTP/2 multiplexes, so unlike HTTP/1.1 peers one
 * connection per target is enough, and a route that calls back into its
 * caller does not wait for itself). Over h2c:// a forward is GET /NAME (a
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
 * as a bad frame does. Windows are opened wide at the start. */
#include "node/worker_int.h"

#include <errno.h>
#include <inttypes.h>
#include <nghttp2/nghttp2.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "proto/grpc.h"
#include "proto/http1.h"
#include "trace/w3c.h"
#include "util/log.h"
#include "util/xalloc.h"

#define ERR_TEXT_MAX 400 /* bytes of an error body kept as the forward's error text */
#define BODY_MAX (1u << 20) /* a node's HTTP body and gRPC message limit */
#define WINDOW_WIDE (1 << 30)

/* One forward in flight: a stream. */
struct h2_fwd {
	uint64_t id;              /* the engine's forward id */
	int32_t stream;
	int status;               /* :status, 0: none yet */
	int grpc_status;          /* -1: none */
	int mw_status;            /* x-meshwalk-status, -1: none */
	char text[ERR_TEXT_MAX + 1];
	size_t text_len;
	uint8_t *body;            /* request body (owned), NULL: none */
	size_t body_len, body_off;
	struct h2_fwd *prev, *next; /* the session's open streams */
};

/* A stream that ended during a read: answered after nghttp2 returns, so
 * the engine never re-enters the session from one of its callbacks. */
struct h2_done {
	struct wire_hdr h;
	char text[ERR_TEXT_MAX + 1];
};

struct h2_peer {
	bool grpc;
	nghttp2_session *sess;    /* NULL until the connection's first forward */
	struct h2_fwd *open;
	struct h2_done *done;
	size_t ndone, done_cap;
	const char *authority;    /* p->name after its scheme */
	const char *scheme;       /* :scheme, "https" over TLS */
};

static nghttp2_session_callbacks *callbacks; /* shared, read-only once made */
static pthread_once_t callbacks_once = PTHREAD_ONCE_INIT;

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

static void keep_text(struct h2_fwd *f, const uint8_t *v, size_t len)
{
	size_t n = ERR_TEXT_MAX - f->text_len < len ? ERR_TEXT_MAX - f->text_len : len;

	memcpy(f->text + f->text_len, v, n);
	f->text_len += n;
}

/* The answer to a finished stream (error_code: its RST code, 0 if none). */
static void finish(struct h2_peer *hp, const char *peer_name, const struct h2_fwd *f,
		   uint32_t error_code, struct h2_done *d)
{
	char *text = d->text;
	bool ok = hp->grpc ? f->status == 200 && f->grpc_status == GRPC_OK
			   : f->status >= 200 && f->status < 300;

	memset(&d->h, 0, sizeof d->h);
	d->h.type = WIRE_REPLY;
	d->h.id = f->id;
	text[0] = '\0';
	if (ok && error_code == 0)
		return;
	if (f->mw_status > 0 && f->mw_status < WIRE_STATUS_MAX_)
		d->h.status = (uint16_t)f->mw_status;
	else if (hp->grpc && f->grpc_status > 0)
		d->h.status = wire_status_of_grpc(f->grpc_status);
	else if (f->status >= 300)
		d->h.status = http_wire_status(f->status);
	else
		d->h.status = WIRE_ERR_FORWARD;
	memcpy(text, f->text, f->text_len);
	text[f->text_len] = '\0';
	text[strcspn(text, "\r\n")] = '\0'; /* its first line */
	if (*text == '\0') {
		if (error_code != 0 && (f->status == 0 || (hp->grpc && f->grpc_status < 0)))
			snprintf(text, ERR_TEXT_MAX + 1, "%s: HTTP/2 stream reset (%s)", peer_name,
				 nghttp2_http2_strerror(error_code));
		else if (hp->grpc)
			snprintf(text, ERR_TEXT_MAX + 1, "%s: grpc-status %d", peer_name, f->grpc_status);
		else
			snprintf(text, ERR_TEXT_MAX + 1, "%s: HTTP %d %s", peer_name, f->status,
				 http1_reason(f->status));
	}
	d->h.prog_len = (uint32_t)strlen(text);
}

static int number(const uint8_t *v, size_t len)
{
	int n = 0;

	for (size_t i = 0; i < len && i < 4 && v[i] >= '0' && v[i] <= '9'; i++)
		n = n * 10 + (v[i] - '0');
	return len > 0 && v[0] >= '0' && v[0] <= '9' ? n : -1;
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name,
		     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *user)
{
	struct h2_fwd *f = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);

	(void)flags, (void)user;
	if (f == NULL)
		return 0;
	if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
		int st = number(value, valuelen);

		if (st >= 200 || f->status == 0)
			f->status = st;
	} else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0) {
		f->grpc_status = number(value, valuelen);
	} else if (namelen == 12 && memcmp(name, "grpc-message", 12) == 0) {
		f->text_len = 0;
		keep_text(f, value, valuelen);
	} else if (namelen == 17 && memcmp(name, "x-meshwalk-status", 17) == 0) {
		f->mw_status = number(value, valuelen);
	}
	return 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t stream_id, const uint8_t *data,
		   size_t len, void *user)
{
	struct h2_fwd *f = nghttp2_session_get_stream_user_data(s, stream_id);
	struct conn *p = user;

	(void)flags;
	if (f != NULL && !p->h2peer->grpc && f->status >= 300)
		keep_text(f, data, len);
	return 0;
}

static void unlink_fwd(struct h2_peer *hp, struct h2_fwd *f)
{
	if (f->prev)
		f->prev->next = f->next;
	else
		hp->open = f->next;
	if (f->next)
		f->next->prev = f->prev;
}

static int on_close(nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *user)
{
	struct conn *p = user;
	struct h2_peer *hp = p->h2peer;
	struct h2_fwd *f = nghttp2_session_get_stream_user_data(s, stream_id);

	if (f == NULL)
		return 0;
	if (hp->ndone == hp->done_cap) {
		hp->done_cap = hp->done_cap ? 2 * hp->done_cap : 16;
		hp->done = xrealloc(hp->done, hp->done_cap * sizeof *hp->done);
	}
	finish(hp, p->name, f, error_code, &hp->done[hp->ndone++]);
	nghttp2_session_set_stream_user_data(s, stream_id, NULL);
	unlink_fwd(hp, f);
	free(f->body);
	free(f);
	return 0;
}

static ssize_t read_body(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t length,
			 uint32_t *flags, nghttp2_data_source *src, void *user)
{
	struct h2_fwd *f = src->ptr;
	size_t n = f->body_len - f->body_off < length ? f->body_len - f->body_off : length;

	(void)s, (void)stream_id, (void)user;
	memcpy(buf, f->body + f->body_off, n);
	f->body_off += n;
	if (f->body_off == f->body_len)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

static void make_callbacks(void)
{
	nghttp2_session_callbacks_new(&callbacks);
	nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data);
	nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_close);
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

void peer_h2_reset(struct conn *p)
{
	struct h2_peer *hp = p->h2peer;

	if (hp == NULL)
		return;
	if (hp->sess != NULL) {
		for (struct h2_fwd *f = hp->open; f; f = f->next)
			nghttp2_session_set_stream_user_data(hp->sess, f->stream, NULL);
		nghttp2_session_del(hp->sess);
		hp->sess = NULL;
	}
	while (hp->open) {
		struct h2_fwd *f = hp->open;

		hp->open = f->next;
		free(f->body);
		free(f);
	}
	hp->ndone = 0;
}

void peer_h2_release(struct conn *p)
{
	if (p->h2peer == NULL)
		return;
	peer_h2_reset(p);
	free(p->h2peer->done);
	free(p->h2peer);
	p->h2peer = NULL;
}

/* Queues what the session has to send on p. False, with why filled, when
 * the session failed (the caller fails p, after accounting the queue). */
static bool pump(struct worker *w, struct conn *p, char *why, size_t why_len)
{
	const uint8_t *d;
	ssize_t n;
	bool any = false;

	while ((n = nghttp2_session_mem_send(p->h2peer->sess, &d)) > 0) {
		conn_append_bytes(p, d, (size_t)n);
		any = true;
	}
	if (any)
		conn_frame_queued(w, p);
	if (n < 0) {
		snprintf(why, why_len, "HTTP/2: %s", nghttp2_strerror((int)n));
		return false;
	}
	return true;
}

static void start_session(struct conn *p)
{
	nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, WINDOW_WIDE },
	};

	pthread_once(&callbacks_once, make_callbacks);
	nghttp2_session_client_new(&p->h2peer->sess, callbacks, p);
	nghttp2_submit_settings(p->h2peer->sess, NGHTTP2_FLAG_NONE, iv, sizeof iv / sizeof iv[0]);
	nghttp2_session_set_local_window_size(p->h2peer->sess, NGHTTP2_FLAG_NONE, 0, WINDOW_WIDE);
}

/* The request body: ps= zero bytes over h2c://; over grpc://, the
 * RunRequest naming the route, with ps= bytes of payload. */
static void make_body(struct h2_peer *hp, struct h2_fwd *f, const struct engine_send *s)
{
	uint64_t size = s->frame_size < BODY_MAX ? s->frame_size : BODY_MAX;

	if (!hp->grpc) {
		if (size > 0) {
			f->body = xcalloc(1, size);
			f->body_len = size;
		}
		return;
	}
	f->body = grpc_run_req_body(true, (const char *)s->sub, s->sub_len, size, &f->body_len);
}

#define NV(n, v, vl) ((nghttp2_nv){ (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, (vl), NGHTTP2_NV_FLAG_NONE })

int peer_h2_queue(struct worker *w, struct conn *p, const struct engine_send *s, char *why,
		  size_t why_len)
{
	struct h2_peer *hp = p->h2peer;
	struct h2_fwd *f = xcalloc(1, sizeof *f);
	char path[WIRE_ROUTE_MAX + 2], budget[2 * WIRE_BUDGET_LEN + 1], clen[24];
	char tp[TRACE_TRACEPARENT_LEN + 1];
	nghttp2_data_provider dp = { .source.ptr = f, .read_callback = read_body };
	nghttp2_nv nv[12];
	size_t n = 0;
	int32_t id;

	if (hp->sess == NULL)
		start_session(p);
	f->id = s->id;
	f->grpc_status = f->mw_status = -1;
	make_body(hp, f, s);
	/* The sub-program of an HTTP target is a route name (wire_prog_check). */
	if (hp->grpc)
		snprintf(path, sizeof path, "/meshwalk.v1.Walk/Run");
	else
		snprintf(path, sizeof path, "/%.*s", (int)s->sub_len, (const char *)s->sub);
	http_budget_format(s->budget, budget);
	nv[n++] = NV(":method", f->body ? "POST" : "GET", f->body ? 4 : 3);
	nv[n++] = NV(":scheme", hp->scheme, strlen(hp->scheme));
	nv[n++] = NV(":authority", hp->authority, strlen(hp->authority));
	nv[n++] = NV(":path", path, strlen(path));
	nv[n++] = NV("x-meshwalk-budget", budget, strlen(budget));
	if (hp->grpc) {
		nv[n++] = NV("content-type", "application/grpc", 16);
		nv[n++] = NV("te", "trailers", 8);
	}
	if (f->body) {
		snprintf(clen, sizeof clen, "%zu", f->body_len);
		nv[n++] = NV("content-length", clen, strlen(clen));
	}
	if (s->trace != NULL) { /* W3C Trace Context: the target joins the trace */
		trace_traceparent_format(s->trace, tp);
		nv[n++] = NV("traceparent", tp, TRACE_TRACEPARENT_LEN);
		if (s->trace->state_len > 0)
			nv[n++] = NV("tracestate", s->trace->state, s->trace->state_len);
	}
	id = nghttp2_submit_request(hp->sess, NULL, nv, n, f->body ? &dp : NULL, f);
	if (id < 0) {
		/* Out of stream ids (2^30 forwards on one connection): the
		 * caller fails p, and the next forward opens a new one. */
		free(f->body);
		free(f);
		snprintf(why, why_len, "forward to %s failed: HTTP/2: %s", p->name, nghttp2_strerror(id));
		return -1;
	}
	f->stream = id;
	f->next = hp->open;
	if (f->next)
		f->next->prev = f;
	hp->open = f;
	/* A session that cannot write (out of memory in nghttp2) is failed by
	 * the next read: failing p here, inside the caller's accounting of its
	 * queue, would count its bytes twice. */
	char late[160];
	if (!pump(w, p, late, sizeof late))
		log_msg("forward connection to %s: %s", p->name, late);
	return 0;
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
	ssize_t used = nghttp2_session_mem_recv(hp->sess, w->scratch, (size_t)n);
	if (used < 0) {
		char why[160];

		snprintf(why, sizeof why, "bad HTTP/2 response: %s", nghttp2_strerror((int)used));
		peer_fail(w, p, why, false);
		return;
	}
	/* Answers after the read: a reply may queue new forwards on p. They are
	 * taken from the array one at a time, as peer_on_reply() may fail p
	 * (which empties it). */
	for (size_t i = 0; i < hp->ndone && p->h2peer == hp; i++) {
		struct h2_done d = hp->done[i];

		peer_on_reply(w, p, &d.h, (const uint8_t *)d.text);
		if (p->fd < 0)
			return;
	}
	hp->ndone = 0;
	if (p->fd >= 0 && hp->sess != NULL) { /* acknowledgements, window updates */
		uint64_t before = conn_queued(p);
		char why[160];
		bool ok = pump(w, p, why, sizeof why);

		peer_account(p, &before);
		if (!ok) {
			peer_fail(w, p, why, false);
			return;
		}
	}
	if (p->fd >= 0 && hp->sess != NULL && !nghttp2_session_want_read(hp->sess) &&
	    !nghttp2_session_want_write(hp->sess))
		peer_fail(w, p, "the peer ended the HTTP/2 session (GOAWAY)", false);
}
