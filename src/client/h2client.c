/* h2client.c -- the client's HTTP/2 and gRPC requests (see h2client.h). */
#include "client/h2client.h"

#include <errno.h>
#include <inttypes.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/httpclient.h"
#include "net/sock.h"
#include "prog/prog.h"
#include "proto/grpc.h"
#include "spec/spec.h"
#include "trace/w3c.h"
#include "util/xalloc.h"

/* A response body is read without a bound (a node's REPLY may be large);
 * what is kept of it is what the verdict needs: the head of a gRPC message,
 * the first line of an error. */
#define HEAD_KEEP 32
#define ERR_KEEP 120
/* Windows opened at the start: the node never waits for the client's
 * WINDOW_UPDATE in practice. */
#define WINDOW_WIDE (1 << 30)
#define GRPC_MAX_PAYLOAD (1u << 20) /* a node's message limit, docs/grpc.md */

/* One request: waiting for a stream, or open. */
struct h2req {
	uint64_t seq;
	int status;              /* :status, 0: none yet */
	int grpc_status;         /* -1: none */
	char grpc_msg[96];
	char mw_status[64];
	uint64_t body;           /* response body bytes */
	uint8_t head[HEAD_KEEP]; /* the body's first bytes */
	char err[ERR_KEEP + 1];  /* a non-2xx body's first bytes */
	size_t err_len;
	uint8_t *req_body;       /* request body (owned), NULL: none */
	size_t req_len, req_off;
	char traceparent[TRACE_TRACEPARENT_LEN + 1];
	bool traced;
	int32_t stream;          /* 0: waiting for one */
	bool cancelled;          /* timed out: reset, no result */
	struct h2req *next;      /* waiting list, or the open list */
	struct h2req *prev;      /* the open list */
};

struct h2cl {
	const struct client_config *cfg;
	bool grpc;
	uint32_t max_open;
	nghttp2_session *sess;
	nghttp2_session_callbacks *cbs;
	const char *scheme;      /* http, or https over TLS */
	char authority[SOCK_ADDR_STRLEN + 16];
	char path[300];
	int64_t expect_size;     /* the REPLY size when constant, else -1 */
	uint32_t open;           /* streams open */
	struct h2req *open_list; /* their requests, to free with the session */
	struct h2req *wait_head, *wait_tail;
	struct wire_buf out;     /* output being handed out */
	size_t out_off;
	struct h2cl_result *done; /* results not taken yet */
	size_t ndone, done_cap, done_off;
	uint64_t cancelled;      /* streams reset because their request timed out */
	bool failed;             /* a callback hit a fatal error */
	char why[160];
};

int h2cl_check(const struct client_config *c, struct err *e)
{
	return httpc_check(c, e);
}

static void push_result(struct h2cl *h, const struct h2cl_result *r)
{
	if (h->ndone == h->done_cap) {
		h->done_cap = h->done_cap ? 2 * h->done_cap : 64;
		h->done = xrealloc(h->done, h->done_cap * sizeof *h->done);
	}
	h->done[h->ndone++] = *r;
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

/* The verdict on a finished stream (error_code: the stream's RST code, 0
 * when it ended normally). */
static void finish(struct h2cl *h, const struct h2req *q, uint32_t error_code, struct h2cl_result *r)
{
	char mw[96] = "";

	r->seq = q->seq;
	r->ok = false;
	r->text[0] = '\0';
	if (q->mw_status[0])
		snprintf(mw, sizeof mw, " (x-meshwalk-status: %.60s)", q->mw_status);
	if (error_code != 0 && (q->status == 0 || (h->grpc && q->grpc_status < 0))) {
		snprintf(r->text, sizeof r->text, "HTTP/2 stream reset by the node (%s)",
			 nghttp2_http2_strerror(error_code));
		return;
	}
	if (h->grpc) {
		int64_t got;

		if (q->status != 200 || q->grpc_status < 0) {
			snprintf(r->text, sizeof r->text, "gRPC call answered HTTP %d without grpc-status%.90s",
				 q->status, mw);
			return;
		}
		if (q->grpc_status != GRPC_OK) {
			snprintf(r->text, sizeof r->text, "grpc-status %d %.20s%.90s: %.60s", q->grpc_status,
				 grpc_code_name(q->grpc_status), mw, q->grpc_msg);
			return;
		}
		got = run_reply_payload(q->head, q->body < HEAD_KEEP ? (size_t)q->body : HEAD_KEEP,
					q->body);
		if (h->expect_size >= 0 && got != h->expect_size) {
			snprintf(r->text, sizeof r->text, "grpc-status 0 with a RunReply payload of %" PRId64
				 " bytes, expected %" PRId64 " (the program's REPLY)", got, h->expect_size);
			return;
		}
		r->ok = true;
		return;
	}
	if (q->status < 200 || q->status >= 300) {
		size_t n = q->err_len;

		while (n > 0 && (q->err[n - 1] == '\n' || q->err[n - 1] == '\r'))
			n--;
		snprintf(r->text, sizeof r->text, "HTTP %d%.90s: %.*s", q->status, mw, (int)(n < 90 ? n : 90), q->err);
		return;
	}
	if (h->expect_size >= 0 && q->body != (uint64_t)h->expect_size) {
		snprintf(r->text, sizeof r->text, "HTTP %d with a body of %" PRIu64 " bytes, expected %" PRId64
			 " (the program's REPLY)", q->status, q->body, h->expect_size);
		return;
	}
	r->ok = true;
}

static void copy_field(char *dst, size_t cap, const uint8_t *v, size_t len)
{
	size_t n = len < cap - 1 ? len : cap - 1;

	for (size_t i = 0; i < n; i++)
		dst[i] = v[i] >= 0x20 && v[i] < 0x7f ? (char)v[i] : '?';
	dst[n] = '\0';
}

static int on_header(nghttp2_session *s, const nghttp2_frame *frame, const uint8_t *name,
		     size_t namelen, const uint8_t *value, size_t valuelen, uint8_t flags, void *user)
{
	struct h2req *q = nghttp2_session_get_stream_user_data(s, frame->hd.stream_id);
	char num[16];

	(void)flags, (void)user;
	if (q == NULL)
		return 0;
	if (namelen == 7 && memcmp(name, ":status", 7) == 0) {
		copy_field(num, sizeof num, value, valuelen);
		if (atoi(num) >= 200 || q->status == 0)
			q->status = atoi(num);
	} else if (namelen == 11 && memcmp(name, "grpc-status", 11) == 0) {
		copy_field(num, sizeof num, value, valuelen);
		q->grpc_status = atoi(num);
	} else if (namelen == 12 && memcmp(name, "grpc-message", 12) == 0) {
		copy_field(q->grpc_msg, sizeof q->grpc_msg, value, valuelen);
	} else if (namelen == 17 && memcmp(name, "x-meshwalk-status", 17) == 0) {
		copy_field(q->mw_status, sizeof q->mw_status, value, valuelen);
	}
	return 0;
}

static int on_data(nghttp2_session *s, uint8_t flags, int32_t stream_id, const uint8_t *data,
		   size_t len, void *user)
{
	struct h2req *q = nghttp2_session_get_stream_user_data(s, stream_id);

	(void)flags, (void)user;
	if (q == NULL)
		return 0;
	if (q->body < HEAD_KEEP) {
		size_t n = HEAD_KEEP - (size_t)q->body < len ? HEAD_KEEP - (size_t)q->body : len;

		memcpy(q->head + q->body, data, n);
	}
	if ((q->status < 200 || q->status >= 300) && q->err_len < ERR_KEEP) {
		size_t n = ERR_KEEP - q->err_len < len ? ERR_KEEP - q->err_len : len;

		copy_field(q->err + q->err_len, n + 1, data, n);
		q->err_len += n;
		/* the first line only */
		char *nl = memchr(q->err, '\n', q->err_len);
		if (nl)
			q->err_len = (size_t)(nl - q->err);
	}
	q->body += len;
	return 0;
}

static int on_close(nghttp2_session *s, int32_t stream_id, uint32_t error_code, void *user)
{
	struct h2cl *h = user;
	struct h2req *q = nghttp2_session_get_stream_user_data(s, stream_id);
	struct h2cl_result r;

	if (q == NULL)
		return 0;
	if (!q->cancelled) { /* a cancelled one was accounted for when it timed out */
		finish(h, q, error_code, &r);
		push_result(h, &r);
	}
	nghttp2_session_set_stream_user_data(s, stream_id, NULL);
	if (q->prev)
		q->prev->next = q->next;
	else
		h->open_list = q->next;
	if (q->next)
		q->next->prev = q->prev;
	free(q->req_body);
	free(q);
	h->open--;
	return 0;
}

static ssize_t read_body(nghttp2_session *s, int32_t stream_id, uint8_t *buf, size_t length,
			 uint32_t *flags, nghttp2_data_source *src, void *user)
{
	struct h2req *q = src->ptr;
	size_t n = q->req_len - q->req_off < length ? q->req_len - q->req_off : length;

	(void)s, (void)stream_id, (void)user;
	memcpy(buf, q->req_body + q->req_off, n);
	q->req_off += n;
	if (q->req_off == q->req_len)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
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
	nghttp2_session_callbacks_new(&h->cbs);
	nghttp2_session_callbacks_set_on_header_callback(h->cbs, on_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(h->cbs, on_data);
	nghttp2_session_callbacks_set_on_stream_close_callback(h->cbs, on_close);
	return h;
}

static void free_list(struct h2req *q)
{
	while (q) {
		struct h2req *next = q->next;

		free(q->req_body);
		free(q);
		q = next;
	}
}

/* Ends the session: requests still open or waiting are the caller's to
 * account for (the connection is gone), so no result is made for them. */
static void end_session(struct h2cl *h)
{
	if (h->sess) {
		/* Detached first, so no callback of the deletion can see them. */
		for (struct h2req *q = h->open_list; q; q = q->next)
			nghttp2_session_set_stream_user_data(h->sess, q->stream, NULL);
		nghttp2_session_del(h->sess);
		h->sess = NULL;
	}
	free_list(h->open_list);
	free_list(h->wait_head);
	h->open_list = h->wait_head = h->wait_tail = NULL;
	h->open = 0;
	h->out.len = h->out_off = 0;
	h->ndone = h->done_off = 0;
}

void h2cl_free(struct h2cl *h)
{
	if (h == NULL)
		return;
	end_session(h);
	nghttp2_session_callbacks_del(h->cbs);
	wire_buf_free(&h->out);
	free(h->done);
	free(h);
}

void h2cl_session(struct h2cl *h)
{
	nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_ENABLE_PUSH, 0 },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, WINDOW_WIDE },
	};

	end_session(h);
	h->failed = false;
	nghttp2_session_client_new(&h->sess, h->cbs, h);
	nghttp2_submit_settings(h->sess, NGHTTP2_FLAG_NONE, iv, sizeof iv / sizeof iv[0]);
	nghttp2_session_set_local_window_size(h->sess, NGHTTP2_FLAG_NONE, 0, WINDOW_WIDE);
}

#define NV(n, v, vl) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, (vl), NGHTTP2_NV_FLAG_NONE }

/* Opens q's stream. */
static int open_stream(struct h2cl *h, struct h2req *q, char *why, size_t why_len)
{
	const struct client_config *c = h->cfg;
	const char *prog = !c->route && c->prog_text ? c->prog_text : "";
	char clen[24];
	nghttp2_nv nv[10];
	size_t n = 0;
	nghttp2_data_provider dp = { .source.ptr = q, .read_callback = read_body };
	int32_t id;

	nv[n++] = (nghttp2_nv)NV(":method", q->req_body || h->grpc ? "POST" : "GET",
				  q->req_body || h->grpc ? 4 : 3);
	nv[n++] = (nghttp2_nv)NV(":scheme", h->scheme, strlen(h->scheme));
	nv[n++] = (nghttp2_nv)NV(":authority", h->authority, strlen(h->authority));
	nv[n++] = (nghttp2_nv)NV(":path", h->path, strlen(h->path));
	nv[n++] = (nghttp2_nv)NV("user-agent", "meshwalk-client", 15);
	if (h->grpc) {
		nv[n++] = (nghttp2_nv)NV("content-type", "application/grpc", 16);
		nv[n++] = (nghttp2_nv)NV("te", "trailers", 8);
	} else if (*prog) {
		nv[n++] = (nghttp2_nv)NV("x-meshwalk-program", prog, strlen(prog));
	}
	if (q->req_body) {
		snprintf(clen, sizeof clen, "%zu", q->req_len);
		nv[n++] = (nghttp2_nv)NV("content-length", clen, strlen(clen));
	}
	if (q->traced)
		nv[n++] = (nghttp2_nv)NV("traceparent", q->traceparent, TRACE_TRACEPARENT_LEN);
	id = nghttp2_submit_request(h->sess, NULL, nv, n, q->req_body ? &dp : NULL, q);
	if (id < 0) {
		snprintf(why, why_len, "HTTP/2: cannot open a stream: %s", nghttp2_strerror(id));
		free(q->req_body);
		free(q);
		return -1;
	}
	q->stream = id;
	q->prev = NULL;
	q->next = h->open_list;
	if (q->next)
		q->next->prev = q;
	h->open_list = q;
	h->open++;
	return 0;
}

/* Opens waiting requests' streams while fewer than --streams are open. */
static int open_waiting(struct h2cl *h, char *why, size_t why_len)
{
	while (h->wait_head && h->open < h->max_open) {
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

/* The request body: --ps zero bytes over h2c://; over grpc://, the
 * RunRequest message with --ps bytes of payload. */
static void make_body(struct h2cl *h, struct h2req *q, uint64_t size)
{
	const struct client_config *c = h->cfg;
	const char *text = c->route ? c->route : c->prog_text ? c->prog_text : "";
	size_t tlen = strlen(text);

	if (!h->grpc) {
		if (size == 0)
			return;
		q->req_len = size;
		q->req_body = xcalloc(1, size);
		return;
	}
	q->req_body = grpc_run_req_body(c->route != NULL, text, tlen, size, &q->req_len);
}

int h2cl_submit(struct h2cl *h, struct rng *rng, uint64_t seq, const struct wire_trace *tc,
		char *why, size_t why_len)
{
	const struct client_config *c = h->cfg;
	struct h2req *q = xcalloc(1, sizeof *q);
	uint64_t size = 0;

	if (h->sess == NULL || h->failed) {
		snprintf(why, why_len, "%s", h->failed ? h->why : "HTTP/2: no session");
		free(q);
		return -1;
	}
	q->seq = seq;
	q->grpc_status = -1;
	if (tc != NULL) {
		trace_traceparent_format(tc, q->traceparent);
		q->traced = true;
	}
	if (c->req_size) {
		double want = spec_sample(c->req_size, rng, seq);

		size = want > 0 ? (uint64_t)want : 0;
		if (size > GRPC_MAX_PAYLOAD) /* a node's body and message limit */
			size = GRPC_MAX_PAYLOAD;
	}
	make_body(h, q, size);
	if (h->open >= h->max_open) {
		if (h->wait_tail)
			h->wait_tail->next = q;
		else
			h->wait_head = q;
		h->wait_tail = q;
		return 0;
	}
	return open_stream(h, q, why, why_len);
}

const uint8_t *h2cl_output(struct h2cl *h, size_t *len)
{
	if (h->out_off == h->out.len && h->sess && !h->failed) {
		const uint8_t *d;
		ssize_t n;

		h->out.len = h->out_off = 0;
		for (;;) {
			while ((n = nghttp2_session_mem_send(h->sess, &d)) > 0)
				wire_buf_put(&h->out, d, (size_t)n);
			if (n < 0) {
				h->failed = true;
				snprintf(h->why, sizeof h->why, "HTTP/2: %s", nghttp2_strerror((int)n));
				break;
			}
			/* a reset sent closed its stream: a waiting request may open */
			if (h->wait_head == NULL || h->open >= h->max_open)
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
			if (!q->cancelled &&
			    nghttp2_submit_rst_stream(h->sess, NGHTTP2_FLAG_NONE, q->stream,
						      NGHTTP2_CANCEL) == 0) {
				q->cancelled = true;
				h->cancelled++;
			}
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
			free(q->req_body);
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
	ssize_t n;

	if (h->sess == NULL || h->failed) {
		snprintf(why, why_len, "%s", h->failed ? h->why : "HTTP/2: no session");
		return -1;
	}
	n = nghttp2_session_mem_recv(h->sess, data, len);
	if (n < 0) {
		h->failed = true;
		snprintf(h->why, sizeof h->why, "bad HTTP/2 from the node: %s", nghttp2_strerror((int)n));
		snprintf(why, why_len, "%s", h->why);
		return -1;
	}
	if (open_waiting(h, why, why_len) < 0) {
		h->failed = true;
		snprintf(h->why, sizeof h->why, "%s", why);
		return -1;
	}
	if (!nghttp2_session_want_read(h->sess) && !nghttp2_session_want_write(h->sess) &&
	    (h->open > 0 || h->wait_head)) {
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
	if (h->done_off == h->ndone) {
		h->done_off = h->ndone = 0;
		return false;
	}
	*r = h->done[h->done_off++];
	return true;
}
