/* httpclient.c -- see httpclient.h.
 *
 * DESIGN: the request head is the same for every request but for the
 * Content-Length of a --ps body, so it is written once (httpc_new()) and
 * copied; the body is zeros. Responses go through proto/http1's response
 * parser; only the status, x-meshwalk-status, the body's size and the first
 * bytes of an error body are kept, so a response of any size costs no
 * memory. */
#include "client/httpclient.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/http1.h"
#include "trace/w3c.h"
#include "util/xalloc.h"

#define ERR_BODY_KEEP 150 /* bytes of an error body kept for the message */

struct httpc {
	const struct client_config *cfg;
	char *head;          /* request line and fields, without the final CRLF */
	size_t head_len;
	int64_t expect_size; /* body of a 2xx; -1: not known (a route, a sampled size) */
	struct http1_parser parser;
	uint64_t next_seq;   /* the request the next final response answers */
	/* the response being read */
	int status;
	char mw_status[64];
	uint64_t body;
	char err_body[ERR_BODY_KEEP + 1];
	size_t err_len;
	bool closing;        /* the last response said Connection: close */
};

int httpc_check(const struct client_config *c, struct err *e)
{
	const char *t = c->prog_text ? c->prog_text : "";

	if (c->auth)
		return err_set(e, "--auth-key-file: HTTP requests carry no authentication tag "
			       "(use tcp://)"), -EINVAL;
	if (strlen(t) > HTTPC_PROG_MAX)
		return err_set(e, "the program is %zu bytes as op words; a node takes at most %d "
			       "over HTTP (install it as a route: node --route NAME=PROGRAM)",
			       strlen(t), HTTPC_PROG_MAX), -EINVAL;
	for (const char *s = t; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return err_set(e, "the program's op words hold a control character, which "
				       "an HTTP field cannot carry"), -EINVAL;
	return 0;
}

static void put_str(struct wire_buf *b, const char *s)
{
	wire_buf_put(b, s, strlen(s));
}

struct httpc *httpc_new(const struct client_config *c)
{
	struct httpc *h = xcalloc(1, sizeof *h);
	const struct spec *reply = c->prog ? prog_reply_size(c->prog) : NULL;
	char host[SOCK_ADDR_STRLEN];
	struct wire_buf b;

	h->cfg = c;
	wire_buf_init(&b);
	put_str(&b, c->req_size ? "POST /" : "GET /");
	if (c->route)
		put_str(&b, c->route);
	put_str(&b, " HTTP/1.1\r\nHost: ");
	put_str(&b, c->http_host ? c->http_host
				 : sock_addr_str((const struct sockaddr *)&c->to.ss, host, sizeof host));
	put_str(&b, "\r\nUser-Agent: meshwalk-client\r\n");
	if (!c->route && c->prog_text && *c->prog_text) {
		put_str(&b, "x-meshwalk-program: ");
		put_str(&b, c->prog_text);
		put_str(&b, "\r\n");
	}
	h->head = xmalloc(b.len);
	memcpy(h->head, b.data, b.len);
	h->head_len = b.len;
	wire_buf_free(&b);
	h->expect_size = -1;
	if (!c->route && (reply == NULL || spec_is_const(reply)))
		h->expect_size = reply ? (int64_t)spec_sample_u64(reply, NULL, 0) : 0;
	return h;
}

void httpc_free(struct httpc *h)
{
	if (h == NULL)
		return;
	free(h->head);
	free(h);
}

void httpc_session(struct httpc *h, uint64_t first_seq)
{
	/* A response larger than any reply a node sends is still read. */
	struct http1_limits lim = http1_default_limits;

	lim.max_body = UINT64_MAX;
	http1_init_response(&h->parser, &lim);
	h->next_seq = first_seq;
	h->closing = false;
}

void httpc_build(struct httpc *h, struct rng *rng, uint64_t seq, const struct wire_trace *tc,
		 struct wire_buf *out)
{
	uint64_t body = 0;
	char cl[48];

	out->len = 0;
	wire_buf_put(out, h->head, h->head_len);
	if (tc != NULL) { /* the node's SERVER span is a child of the client's span */
		char tp[TRACE_TRACEPARENT_LEN + 1];

		trace_traceparent_format(tc, tp);
		put_str(out, "traceparent: ");
		put_str(out, tp);
		put_str(out, "\r\n");
	}
	if (h->cfg->req_size) {
		double want = spec_sample(h->cfg->req_size, rng, seq);

		body = want > 0 ? (uint64_t)want : 0;
		if (body > 1u << 20) /* a node's body limit (docs/http.md) */
			body = 1u << 20;
		snprintf(cl, sizeof cl, "Content-Length: %" PRIu64 "\r\n", body);
		put_str(out, cl);
	}
	put_str(out, "\r\n");
	if (body) {
		wire_buf_reserve(out, body);
		memset(out->data + out->len, 0, body);
		out->len += body;
	}
}

/* The response just completed, as a result. */
static void finish(struct httpc *h, struct httpc_result *r)
{
	r->seq = h->next_seq++;
	r->ok = h->status >= 200 && h->status < 300;
	r->text[0] = '\0';
	if (!r->ok) {
		while (h->err_len > 0 && (h->err_body[h->err_len - 1] == '\n' ||
					  h->err_body[h->err_len - 1] == '\r'))
			h->err_len--;
		snprintf(r->text, sizeof r->text, "HTTP %d%s%s%s: %.*s", h->status,
			 h->mw_status[0] ? " (x-meshwalk-status: " : "", h->mw_status,
			 h->mw_status[0] ? ")" : "", (int)h->err_len, h->err_body);
	} else if (h->expect_size >= 0 && h->body != (uint64_t)h->expect_size) {
		r->ok = false;
		snprintf(r->text, sizeof r->text, "HTTP %d with a body of %" PRIu64 " bytes, expected "
			 "%" PRId64 " (the program's REPLY)", h->status, h->body, h->expect_size);
	}
}

static enum httpc_event broken(struct httpc_result *r, const char *prefix, const char *why)
{
	snprintf(r->text, sizeof r->text, "%s%s", prefix, why);
	r->ok = false;
	return HTTPC_BROKEN;
}

enum httpc_event httpc_parse(struct httpc *h, const uint8_t *data, size_t len, size_t *consumed,
			     struct httpc_result *r)
{
	size_t off = 0;

	*consumed = 0;
	for (;;) {
		size_t used = 0;

		if (h->closing)
			return broken(r, "", "the node closed the connection (Connection: close)");
		enum http1_event ev = http1_feed(&h->parser, data + off, len - off, &used);

		off += used;
		*consumed = off;
		switch (ev) {
		case HTTP1_NEED_MORE:
			return HTTPC_MORE;
		case HTTP1_ERROR:
			return broken(r, "bad HTTP response: ", h->parser.reason);
		case HTTP1_HEAD: {
			struct http1_span s = http1_resp_header(&h->parser.resp, "x-meshwalk-status");

			h->status = h->parser.resp.status;
			h->body = 0;
			h->err_len = 0;
			snprintf(h->mw_status, sizeof h->mw_status, "%.*s",
				 s.p ? (int)(s.len < 60 ? s.len : 60) : 0, s.p ? s.p : "");
			break;
		}
		case HTTP1_BODY:
			if (h->status >= 300 && h->err_len < ERR_BODY_KEEP) {
				size_t n = h->parser.body_len < ERR_BODY_KEEP - h->err_len
						   ? h->parser.body_len : ERR_BODY_KEEP - h->err_len;

				memcpy(h->err_body + h->err_len, h->parser.body, n);
				h->err_len += n;
			}
			h->body += h->parser.body_len;
			break;
		case HTTP1_DONE:
			if (h->status < 200)
				break; /* 100 Continue and the like: the answer follows */
			h->closing = !h->parser.resp.keep_alive;
			finish(h, r);
			return HTTPC_RESULT;
		}
	}
}

enum httpc_event httpc_eof(struct httpc *h, size_t pending, struct httpc_result *r)
{
	if (http1_feed_eof(&h->parser, pending) == HTTP1_DONE) {
		finish(h, r);
		return HTTPC_RESULT;
	}
	return broken(r, "", "closed by the node");
}
