/* h2.c -- see h2.h. nghttp2 does the protocol (its HTTP messaging checks
 * stay on: pseudo fields, field names, content-length against DATA); this
 * file keeps per stream only what a request needs (a few field values, a
 * gRPC body) and what its response still has to send, and counts what nghttp2
 * does not bound for us (header list bytes, body bytes). */
#include "proto/h2.h"
#include "proto/h2_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "util/xalloc.h"

const struct h2_limits h2_default_limits = {
	.max_streams = 128,
	.max_header_list = 16384,
	.max_body = 1u << 20,
	.max_message = 1u << 20,
};

/* The fields a request keeps (values copied into the stream's buffer). */
enum {
	F_METHOD,
	F_PATH,
	F_AUTHORITY,
	F_CTYPE,
	F_TE,
	F_TIMEOUT,
	F_ENCODING,
	F_PROGRAM,
	F_TRACEPARENT,
	F_TRACESTATE,
	F_BUDGET,
	F_COUNT
};
static const char *const field_names[F_COUNT] = {
	":method", ":path", ":authority", "content-type", "te", "grpc-timeout", "grpc-encoding",
	"x-meshwalk-program", "traceparent", "tracestate", "x-meshwalk-budget",
};

struct h2_stream {
	int32_t id;
	void *user;
	struct h2_stream *prev, *next; /* every stream of the session, to free them */
	char *hbuf;                    /* copied field values */
	size_t hlen, hcap;
	struct { uint32_t off, len; bool set; } f[F_COUNT];
	size_t hsize;                  /* header list size so far */
	uint8_t *body;                 /* gRPC body */
	size_t blen, bcap;
	uint64_t body_total;
	int error;
	bool grpc, complete, answered, upgraded_head;
	/* the response still to send */
	struct h2_body resp;
	nghttp2_nv trailers[H2_MAX_HDRS];
	size_t ntrailers;
	char *tbuf;
};

struct h2_session {
	nghttp2_session *ng;
	struct h2_limits lim;
	struct h2_callbacks cb;
	struct h2_stream *streams;
	size_t nstreams;
	size_t nincomplete;    /* streams whose request has not ended */
	struct h2_out out;
	bool failed;      /* we sent GOAWAY with an error: a connection error */
};

static struct h2_stream *stream_new(struct h2_session *s, int32_t id)
{
	struct h2_stream *st = xcalloc(1, sizeof *st);

	st->id = id;
	st->next = s->streams;
	if (s->streams)
		s->streams->prev = st;
	s->streams = st;
	s->nstreams++;
	return st;
}

static void stream_free(struct h2_session *s, struct h2_stream *st)
{
	if (st->prev)
		st->prev->next = st->next;
	else
		s->streams = st->next;
	if (st->next)
		st->next->prev = st->prev;
	s->nstreams--;
	free(st->hbuf);
	free(st->body);
	free(st->resp.data);
	free(st->tbuf);
	free(st);
}

static struct h2_stream *stream_of(struct h2_session *s, int32_t id)
{
	return nghttp2_session_get_stream_user_data(s->ng, id);
}

static void keep_field(struct h2_stream *st, int f, const uint8_t *v, size_t len)
{
	if (st->f[f].set)
		return; /* the first one wins */
	if (st->hlen + len + 1 > st->hcap) {
		st->hcap = (st->hlen + len + 1) * 2;
		st->hbuf = xrealloc(st->hbuf, st->hcap);
	}
	memcpy(st->hbuf + st->hlen, v, len);
	st->hbuf[st->hlen + len] = '\0';
	st->f[f].off = (uint32_t)st->hlen;
	st->f[f].len = (uint32_t)len;
	st->f[f].set = true;
	st->hlen += len + 1;
}

static struct http1_span span_of(const struct h2_stream *st, int f)
{
	if (!st->f[f].set)
		return (struct http1_span){ NULL, 0 };
	return (struct http1_span){ st->hbuf + st->f[f].off, st->f[f].len };
}

/* content-type application/grpc, alone or followed by '+' or ';'. */
static bool is_grpc(struct http1_span ct)
{
	static const char g[] = "application/grpc";
	size_t n = sizeof g - 1;

	if (ct.p == NULL || ct.len < n || strncasecmp(ct.p, g, n) != 0)
		return false;
	return ct.len == n || ct.p[n] == '+' || ct.p[n] == ';';
}

/* -- nghttp2 callbacks -- */

static int on_begin_headers(nghttp2_session *ng, const nghttp2_frame *frame, void *ud)
{
	struct h2_session *s = ud;

	if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	struct h2_stream *st = stream_new(s, frame->hd.stream_id);
	nghttp2_session_set_stream_user_data(ng, frame->hd.stream_id, st);
	s->nincomplete++;
	return 0;
}

static int on_header(nghttp2_session *ng, const nghttp2_frame *frame, const uint8_t *name,
		     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *ud)
{
	struct h2_session *s = ud;
	struct h2_stream *st = stream_of(s, frame->hd.stream_id);

	if (st == NULL || frame->hd.type != NGHTTP2_HEADERS)
		return 0;
	st->hsize += namelen + valuelen + 32;
	if (st->hsize > s->lim.max_header_list) {
		st->error = 431;
		return 0;
	}
	if (frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0; /* trailers: counted, not kept */
	for (int f = 0; f < F_COUNT; f++) {
		if (strlen(field_names[f]) == namelen && memcmp(field_names[f], name, namelen) == 0) {
			keep_field(st, f, value, valuelen);
			break;
		}
	}
	return 0;
}

static int on_data_chunk(nghttp2_session *ng, uint8_t flags, int32_t id, const uint8_t *data,
			 size_t len, void *ud)
{
	struct h2_session *s = ud;
	struct h2_stream *st = stream_of(s, id);

	if (st == NULL || st->complete)
		return 0;
	st->body_total += len;
	if (!st->grpc) {
		if (st->body_total > s->lim.max_body)
			st->error = 413;
		return 0;
	}
	if (st->blen + len > (size_t)s->lim.max_message + 5) {
		st->error = 413;
		return 0;
	}
	if (st->blen + len > st->bcap) {
		st->bcap = (st->blen + len) * 2;
		if (st->bcap > (size_t)s->lim.max_message + 5)
			st->bcap = (size_t)s->lim.max_message + 5;
		st->body = xrealloc(st->body, st->bcap);
	}
	memcpy(st->body + st->blen, data, len);
	st->blen += len;
	return 0;
}

static void deliver(struct h2_session *s, struct h2_stream *st)
{
	struct h2_req r = { .stream_id = st->id };

	st->complete = true;
	s->nincomplete--;
	r.method = span_of(st, F_METHOD);
	r.path = span_of(st, F_PATH);
	r.authority = span_of(st, F_AUTHORITY);
	r.content_type = span_of(st, F_CTYPE);
	r.te = span_of(st, F_TE);
	r.grpc_timeout = span_of(st, F_TIMEOUT);
	r.grpc_encoding = span_of(st, F_ENCODING);
	r.program = span_of(st, F_PROGRAM);
	r.traceparent = span_of(st, F_TRACEPARENT);
	r.tracestate = span_of(st, F_TRACESTATE);
	r.budget = span_of(st, F_BUDGET);
	if (r.path.p != NULL) {
		const char *q = memchr(r.path.p, '?', r.path.len);

		if (q != NULL) {
			r.query = (struct http1_span){ q + 1, r.path.len - (size_t)(q + 1 - r.path.p) };
			r.path.len = (size_t)(q - r.path.p);
		}
	}
	r.head_method = st->upgraded_head ||
			(r.method.p && r.method.len == 4 && memcmp(r.method.p, "HEAD", 4) == 0);
	r.grpc = st->grpc;
	r.error = st->error;
	r.body = st->body;
	r.body_len = st->blen;
	r.body_total = st->body_total;
	s->cb.request(s->cb.ctx, s, &r);
}

static int on_frame_recv(nghttp2_session *ng, const nghttp2_frame *frame, void *ud)
{
	struct h2_session *s = ud;
	struct h2_stream *st;

	if (frame->hd.type == NGHTTP2_RST_STREAM && s->cb.reset != NULL &&
	    stream_of(s, frame->hd.stream_id) != NULL)
		s->cb.reset(s->cb.ctx, s, frame->hd.stream_id, frame->rst_stream.error_code);
	if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA)
		return 0;
	st = stream_of(s, frame->hd.stream_id);
	if (st == NULL)
		return 0;
	if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST)
		st->grpc = is_grpc(span_of(st, F_CTYPE));
	if ((frame->hd.flags & NGHTTP2_FLAG_END_STREAM) && !st->complete)
		deliver(s, st);
	return 0;
}

static int on_stream_close(nghttp2_session *ng, int32_t id, uint32_t code, void *ud)
{
	struct h2_session *s = ud;
	struct h2_stream *st = stream_of(s, id);

	if (st == NULL)
		return 0;
	nghttp2_session_set_stream_user_data(ng, id, NULL);
	if (!st->complete)
		s->nincomplete--;
	if (s->cb.closed)
		s->cb.closed(s->cb.ctx, s, id, st->user);
	stream_free(s, st);
	return 0;
}

/* Connection errors nghttp2 answers itself end in our GOAWAY with an error. */
static int on_frame_send(nghttp2_session *ng, const nghttp2_frame *frame, void *ud)
{
	struct h2_session *s = ud;

	if (frame->hd.type == NGHTTP2_GOAWAY && frame->goaway.error_code != NGHTTP2_NO_ERROR)
		s->failed = true;
	return 0;
}

static ssize_t on_send(nghttp2_session *ng, const uint8_t *data, size_t len, int flags, void *ud)
{
	return h2_out_put(&((struct h2_session *)ud)->out, data, len);
}

/* The response body: copied bytes, then zeros, then trailers if any. */
static ssize_t read_body(nghttp2_session *ng, int32_t id, uint8_t *buf, size_t length,
			 uint32_t *data_flags, nghttp2_data_source *source, void *ud)
{
	struct h2_stream *st = source->ptr;
	bool done;
	size_t n = h2_body_fill(&st->resp, buf, length, &done);

	if (done) {
		*data_flags |= NGHTTP2_DATA_FLAG_EOF;
		if (st->ntrailers > 0) {
			*data_flags |= NGHTTP2_DATA_FLAG_NO_END_STREAM;
			if (nghttp2_submit_trailer(ng, id, st->trailers, st->ntrailers) != 0)
				return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
		}
	}
	return (ssize_t)n;
}

/* -- the API -- */

/* nghttp2 allocates only for session set-up here: its failure is memory. */
static void oom(void)
{
	fputs("meshwalk: out of memory\n", stderr);
	abort();
}

struct h2_session *h2_session_new(const struct h2_limits *lim, const struct h2_callbacks *cb)
{
	struct h2_session *s = xcalloc(1, sizeof *s);
	nghttp2_session_callbacks *cbs;
	nghttp2_option *opt;

	s->lim = lim ? *lim : h2_default_limits;
	s->cb = *cb;
	if (nghttp2_session_callbacks_new(&cbs) != 0 || nghttp2_option_new(&opt) != 0)
		oom();
	nghttp2_session_callbacks_set_send_callback(cbs, on_send);
	nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, on_begin_headers);
	nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
	nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
	/* The encoder's table stays at HPACK's default, whatever the peer allows. */
	nghttp2_option_set_max_deflate_dynamic_table_size(opt, 4096);
	if (nghttp2_session_server_new2(&s->ng, cbs, s, opt) != 0)
		oom();
	nghttp2_option_del(opt);
	nghttp2_session_callbacks_del(cbs);
	nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, s->lim.max_streams },
		{ NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, s->lim.max_header_list },
	};
	nghttp2_submit_settings(s->ng, NGHTTP2_FLAG_NONE, iv, sizeof iv / sizeof iv[0]);
	return s;
}

void h2_session_free(struct h2_session *s)
{
	if (s == NULL)
		return;
	while (s->streams != NULL) {
		struct h2_stream *st = s->streams;

		if (s->cb.closed)
			s->cb.closed(s->cb.ctx, s, st->id, st->user);
		stream_free(s, st);
	}
	nghttp2_session_del(s->ng);
	free(s);
}

/* base64url (RFC 4648 section 5), padding optional. */
static int b64url_decode(struct http1_span in, uint8_t *out, size_t cap, size_t *out_len)
{
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;

	for (size_t i = 0; i < in.len; i++) {
		char ch = in.p[i];
		int v;

		if (ch >= 'A' && ch <= 'Z')
			v = ch - 'A';
		else if (ch >= 'a' && ch <= 'z')
			v = ch - 'a' + 26;
		else if (ch >= '0' && ch <= '9')
			v = ch - '0' + 52;
		else if (ch == '-')
			v = 62;
		else if (ch == '_')
			v = 63;
		else if (ch == '=')
			break;
		else
			return -EINVAL;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -EINVAL;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	*out_len = n;
	return 0;
}

int h2_session_upgrade(struct h2_session *s, struct http1_span settings, bool head)
{
	uint8_t payload[256]; /* 42 settings: far more than the 7 defined */
	size_t len;
	struct h2_stream *st;

	if (settings.p == NULL || b64url_decode(settings, payload, sizeof payload, &len) < 0 ||
	    len % 6 != 0)
		return -EINVAL;
	st = stream_new(s, 1);
	st->complete = true; /* the request came in HTTP/1.1: the caller runs it */
	st->upgraded_head = head;
	if (nghttp2_session_upgrade2(s->ng, payload, len, head, NULL) != 0) {
		stream_free(s, st);
		return -EINVAL;
	}
	/* a server's upgrade2() ignores its stream_user_data argument */
	nghttp2_session_set_stream_user_data(s->ng, 1, st);
	return 0;
}

int h2_session_recv(struct h2_session *s, const uint8_t *data, size_t len)
{
	ssize_t rc = nghttp2_session_mem_recv(s->ng, data, len);

	if (rc < 0) {
		/* nghttp2 has queued GOAWAY for protocol errors; make sure one goes
		 * for the others (callback failures) too. */
		nghttp2_session_terminate_session(s->ng, NGHTTP2_PROTOCOL_ERROR);
		s->failed = true;
		return -EPROTO;
	}
	return 0;
}

ssize_t h2_session_send(struct h2_session *s, h2_sink sink, void *ctx)
{
	int rc;

	s->out = (struct h2_out){ sink, ctx, 0 };
	rc = nghttp2_session_send(s->ng);
	if (rc != 0)
		return -EPROTO;
	return (ssize_t)s->out.sent;
}

bool h2_session_failed(const struct h2_session *s)
{
	return s->failed;
}

bool h2_session_done(const struct h2_session *s)
{
	return !nghttp2_session_want_read(s->ng) && !nghttp2_session_want_write(s->ng);
}

size_t h2_session_streams(const struct h2_session *s)
{
	return s->nstreams;
}

size_t h2_session_incomplete(const struct h2_session *s)
{
	return s->nincomplete;
}

static char *copy_hdrs(const struct h2_hdr *h, size_t n, nghttp2_nv *nv)
{
	size_t total = 0, at = 0;
	char *buf;

	for (size_t i = 0; i < n; i++)
		total += strlen(h[i].name) + strlen(h[i].value) + 2;
	buf = xmalloc(total ? total : 1);
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(h[i].name), vl = strlen(h[i].value);

		memcpy(buf + at, h[i].name, nl + 1);
		memcpy(buf + at + nl + 1, h[i].value, vl + 1);
		nv[i] = (nghttp2_nv){ (uint8_t *)buf + at, (uint8_t *)buf + at + nl + 1, nl, vl,
				      NGHTTP2_NV_FLAG_NONE };
		at += nl + vl + 2;
	}
	return buf;
}

static nghttp2_nv nv_of(const char *name, const char *value)
{
	return (nghttp2_nv){ (uint8_t *)name, (uint8_t *)value, strlen(name), strlen(value),
			     NGHTTP2_NV_FLAG_NONE };
}

int h2_respond(struct h2_session *s, int32_t id, const struct h2_resp *r)
{
	struct h2_stream *st = stream_of(s, id);
	nghttp2_nv nva[3 + H2_MAX_HDRS];
	char status[16], clen[24];
	size_t n = 0;

	if (st == NULL)
		return -ENOENT;
	if (st->answered)
		return -EALREADY;
	st->answered = true;
	snprintf(status, sizeof status, "%d", r->status);
	nva[n++] = nv_of(":status", status);
	if (r->content_type)
		nva[n++] = nv_of("content-type", r->content_type);
	if (r->content_length) {
		snprintf(clen, sizeof clen, "%llu", (unsigned long long)(r->body_len + r->zeros));
		nva[n++] = nv_of("content-length", clen);
	}
	for (size_t i = 0; i < r->nextra && i < H2_MAX_HDRS; i++)
		nva[n++] = nv_of(r->extra[i].name, r->extra[i].value);
	bool data = !r->no_body && (r->body_len > 0 || r->zeros > 0 || r->ntrailers > 0);
	if (data) {
		if (r->body_len > 0) {
			st->resp.data = xmalloc(r->body_len);
			memcpy(st->resp.data, r->body, r->body_len);
		}
		st->resp.len = r->body_len;
		st->resp.off = 0;
		st->resp.zeros = r->zeros;
		st->ntrailers = r->ntrailers < H2_MAX_HDRS ? r->ntrailers : H2_MAX_HDRS;
		st->tbuf = copy_hdrs(r->trailers, st->ntrailers, st->trailers);
	}
	nghttp2_data_provider prd = { .source.ptr = st, .read_callback = read_body };
	if (nghttp2_submit_response(s->ng, id, nva, n, data ? &prd : NULL) != 0)
		return -EINVAL;
	return 0;
}

void *h2_stream_user(struct h2_session *s, int32_t id)
{
	struct h2_stream *st = stream_of(s, id);

	return st ? st->user : NULL;
}

void h2_stream_set_user(struct h2_session *s, int32_t id, void *user)
{
	struct h2_stream *st = stream_of(s, id);

	if (st != NULL)
		st->user = user;
}
