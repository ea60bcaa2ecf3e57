/* h2_client.c -- see h2_client.h. nghttp2 does the protocol (framing, HPACK,
 * flow control, stream states, its HTTP messaging checks of responses);
 * this file keeps per stream the request body still to send and the answer
 * being filled, counts what nghttp2 does not bound for us (header list bytes,
 * body bytes), and queues answers so callers take them outside nghttp2's
 * callbacks. A stream's record lives until nghttp2 closes the stream, even
 * when it was answered earlier (a broken bound): nghttp2 may still read its
 * request body until the reset has left. */
#include "proto/h2_client.h"
#include "proto/h2_int.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "util/xalloc.h"

#define WINDOW_WIDE (1 << 30)

const struct h2_client_limits h2_client_default_limits = {
	.max_header_list = 65536,
	.max_body = 0,
};

struct stream {
	struct h2_client_answer a;
	bool answered;             /* a.over: answered before nghttp2 closed it */
	size_t hsize;              /* header list bytes so far */
	struct h2_body req;        /* the request body still to send (its bytes owned) */
	struct stream *prev, *next; /* every record of the session */
};
/* glibc's per-thread cache takes blocks of up to 1032 bytes: one stream's
 * record is allocated and freed per request. */
_Static_assert(sizeof(struct stream) <= 1032, "a stream's record fits glibc's tcache");

struct h2_client {
	nghttp2_session *ng;
	struct h2_client_limits lim;
	struct stream *streams;
	size_t open;               /* streams not answered */
	struct h2_client_answer *done; /* answers not taken */
	size_t ndone, done_cap, done_off;
	struct h2_out out;
	bool failed;
	char why[160];
};

static nghttp2_session_callbacks *callbacks; /* shared, read-only once made */
static pthread_once_t callbacks_once = PTHREAD_ONCE_INIT;

static void unlink_stream(struct h2_client *c, struct stream *st)
{
	if (st->prev)
		st->prev->next = st->next;
	else
		c->streams = st->next;
	if (st->next)
		st->next->prev = st->prev;
	free(st->req.data);
	free(st);
}

/* Queues st's answer: the stream no longer counts as open. */
static void answer(struct h2_client *c, struct stream *st)
{
	if (c->ndone == c->done_cap) {
		c->done_cap = c->done_cap ? 2 * c->done_cap : 16;
		c->done = xrealloc(c->done, c->done_cap * sizeof *c->done);
	}
	st->a.reset_name = st->a.reset ? nghttp2_http2_strerror(st->a.reset) : "";
	c->done[c->ndone++] = st->a;
	st->answered = true;
	c->open--;
}

/* A broken bound: answered now, the stream reset. */
static void over(struct h2_client *c, struct stream *st, const char *what, uint64_t bound)
{
	st->a.over = what;
	st->a.over_bound = bound;
	st->a.reset = NGHTTP2_CANCEL;
	answer(c, st);
	nghttp2_submit_rst_stream(c->ng, NGHTTP2_FLAG_NONE, st->a.stream_id, NGHTTP2_CANCEL);
}

/* A field's leading decimal number (at most 9 digits), -1 when none. */
static int number(const uint8_t *v, size_t len)
{
	int n = 0;
	size_t i;

	for (i = 0; i < len && i < 9 && v[i] >= '0' && v[i] <= '9'; i++)
		n = n * 10 + (v[i] - '0');
	return i > 0 ? n : -1;
}

static void keep_text(char *dst, size_t cap, const uint8_t *v, size_t len)
{
	size_t n = len < cap - 1 ? len : cap - 1;

	memcpy(dst, v, n);
	dst[n] = '\0';
}

static bool named(const uint8_t *name, size_t len, const char *want, size_t want_len)
{
	return len == want_len && memcmp(name, want, len) == 0;
}

/* -- nghttp2 callbacks -- */

static int on_header(nghttp2_session *ng, const nghttp2_frame *frame, const uint8_t *name,
		     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *ud)
{
	struct h2_client *c = ud;
	struct stream *st = nghttp2_session_get_stream_user_data(ng, frame->hd.stream_id);
	struct h2_client_answer *a;

	(void)flags;
	if (st == NULL || st->answered || frame->hd.type != NGHTTP2_HEADERS)
		return 0;
	st->hsize += namelen + valuelen + 32;
	if (st->hsize > c->lim.max_header_list) {
		over(c, st, "header list", c->lim.max_header_list);
		return 0;
	}
	a = &st->a;
	if (named(name, namelen, ":status", 7)) {
		int s = number(value, valuelen);

		if (s >= 200 || a->status == 0)
			a->status = s;
	} else if (named(name, namelen, "grpc-status", 11)) {
		a->grpc_status = number(value, valuelen);
	} else if (named(name, namelen, "grpc-message", 12)) {
		keep_text(a->grpc_message, sizeof a->grpc_message, value, valuelen);
	} else if (named(name, namelen, "x-meshwalk-status", 17)) {
		keep_text(a->mw_status, sizeof a->mw_status, value, valuelen);
		a->mw_code = number(value, valuelen);
	}
	return 0;
}

static int on_data(nghttp2_session *ng, uint8_t flags, int32_t id, const uint8_t *data, size_t len,
		   void *ud)
{
	struct h2_client *c = ud;
	struct stream *st = nghttp2_session_get_stream_user_data(ng, id);

	(void)flags;
	if (st == NULL || st->answered)
		return 0;
	if (st->a.body < H2_CLIENT_KEEP) {
		size_t room = H2_CLIENT_KEEP - (size_t)st->a.body;

		memcpy(st->a.head + st->a.body, data, len < room ? len : room);
	}
	st->a.body += len;
	if (c->lim.max_body > 0 && st->a.body > c->lim.max_body)
		over(c, st, "body", c->lim.max_body);
	return 0;
}

static int on_close(nghttp2_session *ng, int32_t id, uint32_t code, void *ud)
{
	struct h2_client *c = ud;
	struct stream *st = nghttp2_session_get_stream_user_data(ng, id);

	if (st == NULL)
		return 0;
	if (!st->answered) {
		st->a.reset = code;
		answer(c, st);
	}
	nghttp2_session_set_stream_user_data(ng, id, NULL);
	unlink_stream(c, st);
	return 0;
}

static ssize_t on_send(nghttp2_session *ng, const uint8_t *data, size_t len, int flags, void *ud)
{
	return h2_out_put(&((struct h2_client *)ud)->out, data, len);
}

/* The request body: its bytes, then its zeros. */
static ssize_t read_body(nghttp2_session *ng, int32_t id, uint8_t *buf, size_t length,
			 uint32_t *flags, nghttp2_data_source *src, void *ud)
{
	struct stream *st = src->ptr;
	bool done;
	size_t n = h2_body_fill(&st->req, buf, length, &done);

	if (done)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

static void make_callbacks(void)
{
	if (nghttp2_session_callbacks_new(&callbacks) != 0)
		abort(); /* out of memory at start-up */
	nghttp2_session_callbacks_set_send_callback(callbacks, on_send);
	nghttp2_session_callbacks_set_on_header_callback(callbacks, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(callbacks, on_data);
	nghttp2_session_callbacks_set_on_stream_close_callback(callbacks, on_close);
}

/* -- the API -- */

struct h2_client *h2_client_new(const struct h2_client_limits *lim)
{
	struct h2_client *c = xcalloc(1, sizeof *c);

	c->lim = lim ? *lim : h2_client_default_limits;
	pthread_once(&callbacks_once, make_callbacks);
	if (nghttp2_session_client_new(&c->ng, callbacks, c) != 0) {
		fputs("meshwalk: out of memory (nghttp2)\n", stderr);
		abort();
	}
	nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, WINDOW_WIDE },
		{ NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, c->lim.max_header_list },
	};
	nghttp2_submit_settings(c->ng, NGHTTP2_FLAG_NONE, iv, sizeof iv / sizeof iv[0]);
	nghttp2_session_set_local_window_size(c->ng, NGHTTP2_FLAG_NONE, 0, WINDOW_WIDE);
	return c;
}

void h2_client_free(struct h2_client *c, void (*drop)(void *user))
{
	if (c == NULL)
		return;
	nghttp2_session_del(c->ng); /* calls none of ours */
	while (c->streams) {
		if (!c->streams->answered && drop)
			drop(c->streams->a.user);
		unlink_stream(c, c->streams);
	}
	for (size_t i = c->done_off; i < c->ndone && drop; i++)
		drop(c->done[i].user);
	free(c->done);
	free(c);
}

static nghttp2_nv nv_of(const char *name, const char *value, size_t len)
{
	return (nghttp2_nv){ (uint8_t *)name, (uint8_t *)value, strlen(name), len,
			     NGHTTP2_NV_FLAG_NONE };
}

int32_t h2_client_submit(struct h2_client *c, const struct h2_client_req *r, void *user)
{
	nghttp2_nv nv[5 + H2_CLIENT_MAX_FIELDS];
	size_t n = 0;
	char clen[24];
	struct stream *st;
	int32_t id;

	if (c->failed) {
		free(r->body);
		return -1;
	}
	/* Not zeroed whole: the kept bytes are written before they are read. */
	st = xmalloc(sizeof *st);
	st->a.user = user;
	st->a.stream_id = 0;
	st->a.status = 0;
	st->a.grpc_status = st->a.mw_code = -1;
	st->a.grpc_message[0] = st->a.mw_status[0] = '\0';
	st->a.body = 0;
	st->a.reset = 0;
	st->a.over = "";
	st->a.over_bound = 0;
	st->answered = false;
	st->hsize = 0;
	st->prev = NULL;
	st->req = (struct h2_body){ r->body, r->body ? r->body_len : 0, 0, r->zeros };
	nv[n++] = nv_of(":method", r->method, strlen(r->method));
	nv[n++] = nv_of(":scheme", r->scheme, strlen(r->scheme));
	nv[n++] = nv_of(":authority", r->authority, strlen(r->authority));
	nv[n++] = nv_of(":path", r->path, strlen(r->path));
	for (size_t i = 0; i < r->nfields && i < H2_CLIENT_MAX_FIELDS; i++)
		nv[n++] = nv_of(r->fields[i].name, r->fields[i].value, r->fields[i].len);
	bool data = st->req.len > 0 || st->req.zeros > 0;
	if (data) {
		snprintf(clen, sizeof clen, "%llu", (unsigned long long)(st->req.len + st->req.zeros));
		nv[n++] = nv_of("content-length", clen, strlen(clen));
	}
	nghttp2_data_provider dp = { .source.ptr = st, .read_callback = read_body };
	id = nghttp2_submit_request(c->ng, NULL, nv, n, data ? &dp : NULL, st);
	if (id < 0) {
		snprintf(c->why, sizeof c->why, "%s", nghttp2_strerror(id));
		free(st->req.data);
		free(st);
		return -1;
	}
	st->a.stream_id = id;
	st->next = c->streams;
	if (st->next)
		st->next->prev = st;
	c->streams = st;
	c->open++;
	return id;
}

int h2_client_reset(struct h2_client *c, int32_t id, uint32_t code)
{
	struct stream *st = nghttp2_session_get_stream_user_data(c->ng, id);

	if (c->failed || st == NULL || st->answered)
		return -1;
	if (nghttp2_submit_rst_stream(c->ng, NGHTTP2_FLAG_NONE, id, code) != 0)
		return -1;
	return 0;
}

int h2_client_recv(struct h2_client *c, const uint8_t *data, size_t len)
{
	ssize_t n;

	if (c->failed)
		return -1;
	n = nghttp2_session_mem_recv(c->ng, data, len);
	if (n < 0) {
		c->failed = true;
		snprintf(c->why, sizeof c->why, "%s", nghttp2_strerror((int)n));
		return -1;
	}
	return 0;
}

ssize_t h2_client_send(struct h2_client *c, h2_sink sink, void *ctx)
{
	int rc;

	if (c->failed)
		return -1;
	c->out = (struct h2_out){ sink, ctx, 0 };
	rc = nghttp2_session_send(c->ng);
	if (rc != 0) {
		c->failed = true;
		snprintf(c->why, sizeof c->why, "%s", nghttp2_strerror(rc));
		return -1;
	}
	return (ssize_t)c->out.sent;
}

bool h2_client_next(struct h2_client *c, struct h2_client_answer *a)
{
	if (c->done_off == c->ndone) {
		c->done_off = c->ndone = 0;
		return false;
	}
	*a = c->done[c->done_off++];
	return true;
}

size_t h2_client_streams(const struct h2_client *c)
{
	return c->open;
}

bool h2_client_done(const struct h2_client *c)
{
	return !nghttp2_session_want_read(c->ng) && !nghttp2_session_want_write(c->ng);
}

const char *h2_client_error(const struct h2_client *c)
{
	return c->failed || c->why[0] ? c->why : "no error";
}
