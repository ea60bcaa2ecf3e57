/* test_http1.c -- the HTTP/1.1 parser and writer (src/proto/http1.c). Every
 * input is parsed by a caller that follows the header's buffering contract
 * (keeps unconsumed bytes, compacts its buffer), fed whole, byte by byte and
 * split at every position, and the results must agree: requests, bodies,
 * and the error status. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/http1.h"

#define MAXREQ 8

struct got {
	int nreq, ndone, status;
	const char *reason;
	char method[MAXREQ][16], path[MAXREQ][64], query[MAXREQ][64], host[MAXREQ][64];
	char ctype[MAXREQ][64], trace[MAXREQ][64];
	bool has_query[MAXREQ], keep[MAXREQ], chunked[MAXREQ], h2c[MAXREQ], cont[MAXREQ];
	int minor[MAXREQ];
	uint64_t cl[MAXREQ];
	char body[MAXREQ][512];
	size_t body_len[MAXREQ];
};

static void copy_span(char *dst, size_t cap, struct http1_span s)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;

	if (s.p)
		memcpy(dst, s.p, n);
	dst[s.p ? n : 0] = '\0';
}

/* Feeds in (length n) in pieces of split[k % nsplit] bytes (0: all the
 * rest), as a caller with a compacting buffer would. */
static void run_split(const struct http1_limits *lim, const char *in, size_t n, const size_t *split,
		      size_t nsplit, struct got *g)
{
	static char buf[1 << 16];
	struct http1_parser p;
	size_t blen = 0, pos = 0, k = 0;
	int cur = -1;

	memset(g, 0, sizeof *g);
	http1_init(&p, lim);
	while (1) {
		size_t step = split[k++ % nsplit];

		if (step == 0 || step > n - pos)
			step = n - pos;
		memcpy(buf + blen, in + pos, step);
		blen += step;
		pos += step;
		for (;;) {
			size_t used = 99999;
			enum http1_event ev = http1_feed(&p, buf, blen, &used);

			assert_true(used <= blen);
			if (ev == HTTP1_ERROR) {
				assert_int_equal(used, 0);
				g->status = p.status;
				g->reason = p.reason;
				assert_int_equal(http1_feed(&p, buf, blen, &used), HTTP1_ERROR); /* sticky */
				return;
			}
			if (ev == HTTP1_HEAD) {
				struct http1_request *r = &p.req;

				assert_true(++cur < MAXREQ);
				g->nreq++;
				copy_span(g->method[cur], 16, r->method);
				copy_span(g->path[cur], 64, r->path);
				copy_span(g->query[cur], 64, r->query);
				copy_span(g->host[cur], 64, r->host);
				copy_span(g->ctype[cur], 64, r->content_type);
				copy_span(g->trace[cur], 64, http1_header(r, "traceparent"));
				g->has_query[cur] = r->query.p != NULL;
				g->keep[cur] = r->keep_alive;
				g->chunked[cur] = r->chunked;
				g->h2c[cur] = r->upgrade_h2c;
				g->cont[cur] = r->expect_continue;
				g->minor[cur] = r->minor;
				g->cl[cur] = r->content_length;
				assert_int_equal(r->has_body, r->chunked || r->content_length > 0);
			} else if (ev == HTTP1_BODY) {
				assert_true(cur >= 0 && p.body_len > 0);
				assert_true(p.body >= buf && p.body + p.body_len <= buf + used);
				assert_true(g->body_len[cur] + p.body_len <= sizeof g->body[0]);
				memcpy(g->body[cur] + g->body_len[cur], p.body, p.body_len);
				g->body_len[cur] += p.body_len;
			} else if (ev == HTTP1_DONE) {
				g->ndone++;
				assert_int_equal(g->ndone, g->nreq);
			}
			memmove(buf, buf + used, blen - used);
			blen -= used;
			if (ev == HTTP1_NEED_MORE)
				break;
		}
		if (pos == n)
			return;
	}
}

static void same(const struct got *a, const struct got *b)
{
	assert_int_equal(a->status, b->status);
	assert_int_equal(a->nreq, b->nreq);
	assert_int_equal(a->ndone, b->ndone);
	for (int i = 0; i < a->nreq; i++) {
		assert_string_equal(a->method[i], b->method[i]);
		assert_string_equal(a->path[i], b->path[i]);
		assert_string_equal(a->query[i], b->query[i]);
		assert_string_equal(a->host[i], b->host[i]);
		assert_string_equal(a->ctype[i], b->ctype[i]);
		assert_string_equal(a->trace[i], b->trace[i]);
		assert_int_equal(a->has_query[i], b->has_query[i]);
		assert_int_equal(a->keep[i], b->keep[i]);
		assert_int_equal(a->chunked[i], b->chunked[i]);
		assert_int_equal(a->h2c[i], b->h2c[i]);
		assert_int_equal(a->cont[i], b->cont[i]);
		assert_int_equal(a->minor[i], b->minor[i]);
		assert_int_equal(a->cl[i], b->cl[i]);
		assert_int_equal(a->body_len[i], b->body_len[i]);
		assert_memory_equal(a->body[i], b->body[i], a->body_len[i]);
	}
}

/* Parses whole, byte by byte, and in two pieces split at every position;
 * all must agree. Result of the whole parse in g. */
static void parse_lim(const struct http1_limits *lim, const char *in, struct got *g)
{
	static const size_t whole = 0, one = 1, odd[] = { 3, 1, 7, 2, 11 };
	size_t n = strlen(in);
	struct got o;

	run_split(lim, in, n, &whole, 1, g);
	run_split(lim, in, n, &one, 1, &o);
	same(g, &o);
	run_split(lim, in, n, odd, 5, &o);
	same(g, &o);
	for (size_t at = 1; at < n; at++) {
		size_t two[2] = { at, 0 };

		run_split(lim, in, n, two, 2, &o);
		same(g, &o);
	}
}

static void parse(const char *in, struct got *g)
{
	parse_lim(NULL, in, g);
}

static void expect_error(const char *in, int status)
{
	struct got g;

	parse(in, &g);
	if (g.status != status)
		fail_msg("%d (%s) instead of %d for: %s", g.status, g.reason ? g.reason : "-", status, in);
	assert_non_null(g.reason);
	assert_true(strlen(g.reason) > 0);
}

/* No error, n requests, each complete. */
static void parsed_ok(const struct got *g, int n)
{
	assert_int_equal(g->status, 0);
	assert_int_equal(g->nreq, n);
	assert_int_equal(g->ndone, n);
}

static void test_simple_get(void **state)
{
	struct got g;

	parse("GET /worker?duration=100ms&x=1 HTTP/1.1\r\nHost: node:80\r\n"
	      "traceparent: 00-abc-01\r\nUser-Agent: t\r\n\r\n",
	      &g);
	parsed_ok(&g, 1);
	assert_string_equal(g.method[0], "GET");
	assert_string_equal(g.path[0], "/worker");
	assert_true(g.has_query[0]);
	assert_string_equal(g.query[0], "duration=100ms&x=1");
	assert_string_equal(g.host[0], "node:80");
	assert_string_equal(g.trace[0], "00-abc-01");
	assert_int_equal(g.minor[0], 1);
	assert_true(g.keep[0]);
	assert_false(g.chunked[0]);
	assert_int_equal(g.body_len[0], 0);

	parse("GET / HTTP/1.1\r\nHost:\r\n\r\n", &g); /* empty Host is allowed */
	assert_int_equal(g.status, 0);
	assert_string_equal(g.path[0], "/");
	assert_false(g.has_query[0]);
	parse("GET /a? HTTP/1.1\r\nHost: h\r\n\r\n", &g);
	assert_true(g.has_query[0]);
	assert_string_equal(g.query[0], "");
}

/* The events of one request, one call at a time, and the exact consumed
 * counts the buffering contract promises. */
static void test_event_sequence(void **state)
{
	const char *head = "POST /r HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n";
	char in[256];
	struct http1_parser p;
	size_t used, hl = strlen(head);

	snprintf(in, sizeof in, "%shelloGET / HTTP/1.1\r\nHost: h\r\n\r\n", head);
	http1_init(&p, NULL);
	assert_int_equal(http1_feed(&p, in, 10, &used), HTTP1_NEED_MORE);
	assert_int_equal(used, 0);
	assert_int_equal(http1_feed(&p, in, hl - 1, &used), HTTP1_NEED_MORE);
	assert_int_equal(used, 0);
	assert_int_equal(http1_feed(&p, in, hl, &used), HTTP1_HEAD);
	assert_int_equal(used, hl);
	assert_int_equal(p.req.method_id, HTTP1_POST);
	assert_int_equal(p.req.content_length, 5);
	assert_int_equal(http1_feed(&p, in + hl, 0, &used), HTTP1_NEED_MORE);
	assert_int_equal(used, 0);
	assert_int_equal(http1_feed(&p, in + hl, 2, &used), HTTP1_BODY);
	assert_int_equal(used, 2);
	assert_memory_equal(p.body, "he", 2);
	assert_int_equal(http1_feed(&p, in + hl + 2, strlen(in) - hl - 2, &used), HTTP1_BODY);
	assert_int_equal(used, 3);
	assert_memory_equal(p.body, "llo", 3);
	assert_int_equal(http1_feed(&p, in + hl + 5, strlen(in) - hl - 5, &used), HTTP1_DONE);
	assert_int_equal(used, 0);
	assert_int_equal(http1_feed(&p, in + hl + 5, strlen(in) - hl - 5, &used), HTTP1_HEAD);
	assert_int_equal(p.req.method_id, HTTP1_GET);
	assert_int_equal(http1_feed(&p, "", 0, &used), HTTP1_DONE);
	assert_int_equal(http1_feed(&p, "", 0, &used), HTTP1_NEED_MORE);
	/* Empty lines before a request are skipped (RFC 9112 section 2.2). */
	assert_int_equal(http1_feed(&p, "\r\n\r\nGE", 6, &used), HTTP1_NEED_MORE);
	assert_int_equal(used, 4);
	assert_int_equal(http1_feed(&p, "GET / HTTP/1.0\r\n\r\n", 18, &used), HTTP1_HEAD);
	assert_int_equal(used, 18);
	assert_int_equal(p.req.minor, 0);
}

static void test_pipelined(void **state)
{
	struct got g;

	parse("GET /a HTTP/1.1\r\nHost: h\r\n\r\n"
	      "POST /b?q=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\nContent-Type: text/plain\r\n\r\n"
	      "hello world"
	      "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
	      "\r\n" /* a stray CRLF between requests */
	      "DELETE /d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	      &g);
	parsed_ok(&g, 4);
	assert_string_equal(g.path[0], "/a");
	assert_string_equal(g.path[1], "/b");
	assert_string_equal(g.query[1], "q=1");
	assert_string_equal(g.ctype[1], "text/plain");
	assert_int_equal(g.body_len[1], 11);
	assert_memory_equal(g.body[1], "hello world", 11);
	assert_true(g.chunked[2]);
	assert_int_equal(g.body_len[2], 5);
	assert_memory_equal(g.body[2], "abcde", 5);
	assert_string_equal(g.method[3], "DELETE");
	assert_false(g.keep[3]);
	/* An incomplete request after complete ones: no error, no HEAD. */
	parse("GET /a HTTP/1.1\r\nHost: h\r\n\r\nGET /b HTTP/1.1\r\nHo", &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.nreq, 1);
}

static void test_keep_alive(void **state)
{
	static const struct {
		const char *in;
		bool keep;
	} c[] = {
		{ "GET / HTTP/1.1\r\nHost: h\r\n\r\n", true },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", false },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", false },
		{ "GET / HTTP/1.1\r\nHost: h\r\nConnection: x\r\nConnection: close\r\n\r\n", false },
		{ "GET / HTTP/1.0\r\n\r\n", false },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", true },
		{ "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", false },
		{ "GET / HTTP/1.0\r\nConnection: keep-alived\r\n\r\n", false },
	};

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		struct got g;

		parse(c[i].in, &g);
		assert_int_equal(g.status, 0);
		if (g.keep[0] != c[i].keep)
			fail_msg("keep_alive %d for %s", g.keep[0], c[i].in);
	}
}

static void test_content_length(void **state)
{
	struct got g;

	parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\ncontent-length: 3\r\n\r\nabcX", &g);
	assert_int_equal(g.status, 0); /* "X": the start of the next request */
	assert_int_equal(g.nreq, 1);
	assert_int_equal(g.ndone, 1);
	assert_memory_equal(g.body[0], "abc", 3);
	parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\n\r\nabc", &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.cl[0], 3);
	parse("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", &g);
	assert_int_equal(g.ndone, 1);
	assert_int_equal(g.body_len[0], 0);
	parse("POST / HTTP/1.0\r\nContent-Length: 000004\r\n\r\n\r\n\r\n", &g);
	assert_int_equal(g.ndone, 1);
	assert_memory_equal(g.body[0], "\r\n\r\n", 4);
	expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", 400);
	expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 4\r\n\r\n", 400);
	expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400);
	expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: +3\r\n\r\n", 400);
	expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3a\r\n\r\n", 400);
	expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 0x3\r\n\r\n", 400);
	expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3 3\r\n\r\n", 400);
	expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length:\r\n\r\n", 400);
	expect_error("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999\r\n\r\n", 400);
}

static void test_chunked(void **state)
{
	struct got g;

	parse("POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "A;name=val;q=\"x y\"\r\n0123456789\r\n"
	      "1 ; ext\r\n!\r\n"
	      "00000f\r\nabcdefghijklmno\r\n"
	      "0;last\r\n"
	      "Expires: never\r\nx-checksum: 1234 \r\n"
	      "\r\n"
	      "GET /next HTTP/1.1\r\nHost: h\r\n\r\n",
	      &g);
	parsed_ok(&g, 2);
	assert_int_equal(g.body_len[0], 26);
	assert_memory_equal(g.body[0], "0123456789!abcdefghijklmno", 26);
	assert_string_equal(g.path[1], "/next");
	/* Transfer-Encoding as a list with empty elements, case-insensitive. */
	parse("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: , CHUNKED\r\n\r\n0\r\n\r\n", &g);
	assert_int_equal(g.status, 0);
	assert_true(g.chunked[0]);
	assert_int_equal(g.ndone, 1);
}

static void test_headers(void **state)
{
	struct http1_parser p;
	const char *in = "OPTIONS * HTTP/1.1\r\nHOST: h\r\nX-Meshwalk-Program: -C%201ms\r\n"
			 "Empty:\r\nx-meshwalk-program: second\r\nContent-Type: a/b\r\n"
			 "Expect: 100-Continue\r\nValue: \t a  b \t\r\nObs: caf\xc3\xa9\r\n\r\n";
	size_t used;
	struct http1_span s;

	http1_init(&p, NULL);
	assert_int_equal(http1_feed(&p, in, strlen(in), &used), HTTP1_HEAD);
	assert_int_equal(p.req.method_id, HTTP1_OPTIONS);
	assert_int_equal(p.req.path.len, 1);
	assert_int_equal(p.req.nfields, 8);
	s = http1_header(&p.req, "x-meshwalk-program");
	assert_int_equal(s.len, 8);
	assert_memory_equal(s.p, "-C%201ms", 8);
	s = http1_header(&p.req, "empty");
	assert_non_null(s.p);
	assert_int_equal(s.len, 0);
	s = http1_header(&p.req, "value");
	assert_int_equal(s.len, 4);
	assert_memory_equal(s.p, "a  b", 4);
	assert_null(http1_header(&p.req, "absent").p);
	assert_null(http1_header(&p.req, "valu").p);
	assert_true(p.req.expect_continue);
	assert_int_equal(p.req.content_type.len, 3);
	assert_int_equal(p.req.host.len, 1);
	assert_int_equal(p.req.fields[7].value.len, 5);
	assert_null(p.req.upgrade.p);
	assert_false(p.req.upgrade_h2c);
	/* several names in one pass: the first line of each, any case, absent
	 * ones and names of the same length told apart */
	static const struct http1_name names[] = { HTTP1_NAME("x-meshwalk-program"),
						   HTTP1_NAME("absent"), HTTP1_NAME("value"),
						   HTTP1_NAME("valuf"), HTTP1_NAME("empty") };
	struct http1_span f[5];
	http1_headers(&p.req, names, f, 5);
	assert_int_equal(f[0].len, 8);
	assert_memory_equal(f[0].p, "-C%201ms", 8);
	assert_null(f[1].p);
	assert_int_equal(f[2].len, 4);
	assert_memory_equal(f[2].p, "a  b", 4);
	assert_null(f[3].p);
	assert_non_null(f[4].p);
	assert_int_equal(f[4].len, 0);
	assert_int_equal(http1_feed(&p, "", 0, &used), HTTP1_DONE);
}

static void test_method_and_target(void **state)
{
	struct http1_parser p;
	size_t used;
	static const struct {
		const char *in, *path, *query;
		enum http1_method m;
	} c[] = {
		{ "GET http://example.com:8080/x/y?z=1 HTTP/1.1\r\nHost: example.com\r\n\r\n", "/x/y", "z=1",
		  HTTP1_GET },
		{ "GET HTTPS://example.com HTTP/1.1\r\nHost: example.com\r\n\r\n", "/", NULL, HTTP1_GET },
		{ "GET http://e?a HTTP/1.1\r\nHost: e\r\n\r\n", "/", "a", HTTP1_GET },
		{ "CONNECT node:443 HTTP/1.1\r\nHost: node:443\r\n\r\n", "node:443", NULL, HTTP1_CONNECT },
		{ "HEAD / HTTP/1.1\r\nHost: h\r\n\r\n", "/", NULL, HTTP1_HEAD_METHOD },
		{ "PATCH / HTTP/1.1\r\nHost: h\r\n\r\n", "/", NULL, HTTP1_PATCH },
		{ "TRACE / HTTP/1.1\r\nHost: h\r\n\r\n", "/", NULL, HTTP1_TRACE },
		{ "get / HTTP/1.1\r\nHost: h\r\n\r\n", "/", NULL, HTTP1_OTHER },
		{ "M-SEARCH /%7E?%20 HTTP/1.1\r\nHost: h\r\n\r\n", "/%7E", "%20", HTTP1_OTHER },
	};

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
		http1_init(&p, NULL);
		assert_int_equal(http1_feed(&p, c[i].in, strlen(c[i].in), &used), HTTP1_HEAD);
		assert_int_equal(p.req.method_id, c[i].m);
		assert_int_equal(p.req.path.len, strlen(c[i].path));
		assert_memory_equal(p.req.path.p, c[i].path, p.req.path.len);
		if (c[i].query) {
			assert_int_equal(p.req.query.len, strlen(c[i].query));
			assert_memory_equal(p.req.query.p, c[i].query, p.req.query.len);
		} else {
			assert_null(p.req.query.p);
		}
	}
	expect_error("GET * HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_error("GET x HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_error("GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_error("GET /a\x7f HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_error("GET /\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_error("GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n", 400);
}

static void test_h2c_upgrade(void **state)
{
	struct got g;

	parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\n"
	      "Upgrade: websocket, h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n",
	      &g);
	assert_true(g.h2c[0]);
	assert_true(g.keep[0]);
	parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\n" /* no http2-settings token */
	      "Upgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n",
	      &g);
	assert_false(g.h2c[0]);
	parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\n"
	      "Upgrade: h2c\r\n\r\n", /* no HTTP2-Settings field */
	      &g);
	assert_false(g.h2c[0]);
	parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
	      "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n",
	      &g);
	assert_false(g.h2c[0]);
	parse("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2\r\n"
	      "HTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA\r\n\r\n",
	      &g);
	assert_false(g.h2c[0]);
}

/* RFC 9112 framing ambiguities and malformed heads: all 400 (or 501/505),
 * however the bytes are split. */
static void test_smuggling_and_malformed(void **state)
{
	static const struct {
		const char *in;
		int status;
	} c[] = {
		{ "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n",
		  400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding:\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: xchunked\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked;x=1\r\n\r\n", 400 },
		{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 501 },
		{ "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 400 },
		/* obs-fold, and whitespace right after the request line */
		{ "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n b\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n\tb\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\n Host: h\r\n\r\n", 400 },
		/* bare CR and bare LF */
		{ "GET / HTTP/1.1\r\nHost: h\rX: 1\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400 },
		{ "GET /\r HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\rHost: h\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\nHost: h\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\n\n", 400 },
		{ "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "\r\rGET / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		/* methods and field names are tokens, no space before the colon */
		{ "G@T / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "GE(T / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		{ " GET / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "GET /  HTTP/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", 400 },
		{ "GET /\r\nHost: h\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost : h\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost\t: h\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nX Y: 1\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nX\"Y: 1\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nX(Y): 1\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\n: 1\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nX: a\x01" "b\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: h\r\nX: a\x7f\r\n\r\n", 400 },
		/* Host */
		{ "GET / HTTP/1.1\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400 },
		/* versions */
		{ "GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505 },
		{ "GET / HTTP/1.2\r\nHost: h\r\n\r\n", 505 },
		{ "GET / HTTP/0.9\r\nHost: h\r\n\r\n", 505 },
		{ "GET / HTTP/1.10\r\nHost: h\r\n\r\n", 400 },
		{ "GET / http/1.1\r\nHost: h\r\n\r\n", 400 },
		{ "GET / HTTP/1\r\nHost: h\r\n\r\n", 400 },
		{ "GET / HTTP/a.1\r\nHost: h\r\n\r\n", 400 },
	};

	for (size_t i = 0; i < sizeof c / sizeof c[0]; i++)
		expect_error(c[i].in, c[i].status);
}

static void test_nul_and_early_reject(void **state)
{
	static const char nul[] = "GET / HTTP/1.1\r\nHost: h\r\nX: a\0b\r\n\r\n";
	static const char tls[] = "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03";
	struct got g;
	size_t whole = 0;
	struct http1_parser p;
	size_t used;

	run_split(NULL, nul, sizeof nul - 1, &whole, 1, &g);
	assert_int_equal(g.status, 400);
	/* Not HTTP at all: refused at once, without waiting for a head. */
	http1_init(&p, NULL);
	assert_int_equal(http1_feed(&p, tls, sizeof tls - 1, &used), HTTP1_ERROR);
	assert_int_equal(p.status, 400);
	http1_init(&p, NULL);
	assert_int_equal(http1_feed(&p, "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJ", 36, &used), HTTP1_ERROR);
	http1_init(&p, NULL);
	assert_int_equal(http1_feed(&p, "GET /never-ending", 17, &used), HTTP1_NEED_MORE);
	assert_int_equal(used, 0);
}

static void test_limits(void **state)
{
	struct http1_limits lim = { .max_head = 64, .max_headers = 3, .max_body = 10 };
	char in[512];
	struct got g;

	/* A head of exactly max_head bytes passes; one more is 431. */
	snprintf(in, sizeof in, "GET / HTTP/1.1\r\nHost: h\r\nX: %s\r\n\r\n",
		 "01234567890123456789012345678901");
	assert_int_equal(strlen(in), 64);
	parse_lim(&lim, in, &g);
	assert_int_equal(g.status, 0);
	snprintf(in, sizeof in, "GET / HTTP/1.1\r\nHost: h\r\nX: %s\r\n\r\n",
		 "012345678901234567890123456789012");
	parse_lim(&lim, in, &g);
	assert_int_equal(g.status, 431);
	/* Without an end in sight: 431 once max_head bytes are there. */
	memset(in, 'a', 200);
	memcpy(in, "GET /", 5);
	in[200] = '\0';
	parse_lim(&lim, in, &g);
	assert_int_equal(g.status, 431);
	/* Field count. */
	parse_lim(&lim, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", &g);
	assert_int_equal(g.status, 0);
	parse_lim(&lim, "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n", &g);
	assert_int_equal(g.status, 431);
	/* Body: Content-Length at the limit, over it, and chunked over it. */
	parse_lim(&lim, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.body_len[0], 10);
	parse_lim(&lim, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", &g);
	assert_int_equal(g.status, 413);
	parse_lim(&lim, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
			"5\r\n01234\r\n5\r\n56789\r\n0\r\n\r\n",
		  &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.body_len[0], 10);
	parse_lim(&lim, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
			"5\r\n01234\r\n6\r\n567890\r\n0\r\n\r\n",
		  &g);
	assert_int_equal(g.status, 413);
	assert_int_equal(g.body_len[0], 5); /* the first chunk got through */
	parse_lim(&lim, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n",
		  &g);
	assert_int_equal(g.status, 413);
	/* Trailers: counted like fields. */
	parse_lim(&lim, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
			"0\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n",
		  &g);
	assert_int_equal(g.status, 0);
	parse_lim(&lim, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
			"0\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\n\r\n",
		  &g);
	assert_int_equal(g.status, 431);
	snprintf(in, sizeof in, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
				"0\r\nX: %070d\r\n\r\n", 0);
	parse_lim(&lim, in, &g);
	assert_int_equal(g.status, 431);
	/* max_headers above the array is clamped. */
	struct http1_limits big = { .max_head = 1 << 20, .max_headers = 100000, .max_body = 0 };
	char *many = malloc(HTTP1_MAX_HEADERS * 8 + 64);
	size_t n = (size_t)sprintf(many, "GET / HTTP/1.1\r\nHost: h\r\n");
	for (int i = 0; i < HTTP1_MAX_HEADERS; i++)
		n += (size_t)sprintf(many + n, "H%03d:\r\n", i);
	strcpy(many + n, "\r\n");
	struct http1_parser p;
	size_t used;
	http1_init(&p, &big);
	assert_int_equal(http1_feed(&p, many, strlen(many), &used), HTTP1_ERROR);
	assert_int_equal(p.status, 431);
	free(many);
}

static void test_chunk_errors(void **state)
{
#define CH "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
	expect_error(CH "g\r\n", 400);
	expect_error(CH "\r\n", 400);
	expect_error(CH ";x\r\n", 400);
	expect_error(CH "-1\r\n", 400);
	expect_error(CH "0x5\r\n", 400);
	expect_error(CH "3\r\nabcd\r\n", 400);
	expect_error(CH "3\r\nab\r\n\r\n", 400);
	expect_error(CH "3\nabc\r\n", 400);
	expect_error(CH "3\rabc\r\n", 400);
	expect_error(CH "3\r\nabc\n0\r\n\r\n", 400);
	expect_error(CH "3 x\r\nabc\r\n", 400);
	expect_error(CH "3;a\x01\r\nabc\r\n", 400);
	expect_error(CH "00000000000000001\r\n", 400);
	expect_error(CH "0\r\n X: 1\r\n\r\n", 400);
	expect_error(CH "0\r\nX : 1\r\n\r\n", 400);
	expect_error(CH "0\r\nX@: 1\r\n\r\n", 400);
	expect_error(CH "0\r\nX: a\x01\r\n\r\n", 400);
	expect_error(CH "0\r\nX: 1\n\r\n", 400);
	expect_error(CH "0\r\nX: 1\r\r\n", 400);
	expect_error(CH "0\r\n\n", 400);
	expect_error(CH "0\r\n\r\r", 400);
	char in[2048];
	snprintf(in, sizeof in, CH "1;%0*d\r\na\r\n0\r\n\r\n", HTTP1_CHUNK_EXT_MAX, 0);
	struct got g;
	parse(in, &g);
	assert_int_equal(g.status, 0); /* exactly the cap */
	snprintf(in, sizeof in, CH "1;%0*d\r\na\r\n0\r\n\r\n", HTTP1_CHUNK_EXT_MAX + 1, 0);
	expect_error(in, 400);
#undef CH
}

static void test_query_param(void **state)
{
	const char *qs = "a=1&prog=-C%201ms+-R+1k&empty=&flag&x%41y=z&a=2&pct=%2B%2b%41&bad=%4";
	struct http1_span q = { qs, strlen(qs) };
	char out[32];
	size_t n;

	assert_int_equal(http1_query_param(q, "a", out, sizeof out, &n), 0);
	assert_string_equal(out, "1"); /* the first one */
	assert_int_equal(http1_query_param(q, "prog", out, sizeof out, &n), 0);
	assert_string_equal(out, "-C 1ms -R 1k");
	assert_int_equal(n, 12);
	assert_int_equal(http1_query_param(q, "empty", out, sizeof out, &n), 0);
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
	assert_int_equal(http1_query_param(q, "flag", out, sizeof out, NULL), 0);
	assert_string_equal(out, "");
	assert_int_equal(http1_query_param(q, "xAy", out, sizeof out, NULL), 0);
	assert_string_equal(out, "z");
	assert_int_equal(http1_query_param(q, "pct", out, sizeof out, NULL), 0);
	assert_string_equal(out, "++A");
	assert_int_equal(http1_query_param(q, "bad", out, sizeof out, NULL), -EINVAL);
	assert_int_equal(http1_query_param(q, "x", out, sizeof out, NULL), -ENOENT);
	assert_int_equal(http1_query_param(q, "pro", out, sizeof out, NULL), -ENOENT);
	assert_int_equal(http1_query_param(q, "progx", out, sizeof out, NULL), -ENOENT);
	assert_int_equal(http1_query_param((struct http1_span){ NULL, 0 }, "a", out, sizeof out, NULL),
			 -ENOENT);
	/* The cap counts the NUL: 12 characters need 13 bytes. */
	assert_int_equal(http1_query_param(q, "prog", out, 13, &n), 0);
	assert_int_equal(http1_query_param(q, "prog", out, 12, &n), -ENOSPC);
	assert_int_equal(http1_query_param(q, "empty", out, 1, &n), 0);
	assert_int_equal(http1_query_param(q, "empty", out, 0, &n), -ENOSPC);

	assert_int_equal(http1_pct_decode("a%00b", 5, out, sizeof out, &n), -EINVAL);
	assert_int_equal(http1_pct_decode("%zz", 3, out, sizeof out, &n), -EINVAL);
	assert_int_equal(http1_pct_decode("%", 1, out, sizeof out, &n), -EINVAL);
	assert_int_equal(http1_pct_decode("%e2%82%ac", 9, out, sizeof out, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(out, "\xe2\x82\xac");
}

static void test_write_head(void **state)
{
	char buf[512];
	const struct http1_hdr extra[] = { { "x-meshwalk-status", "0" }, { "Server", "meshwalk" } };
	struct http1_resp r = {
		.status = 200,
		.framing = HTTP1_LENGTH,
		.content_length = 1024,
		.keep_alive = true,
		.content_type = "application/json",
		.extra = extra,
		.nextra = 2,
	};
	const char *want = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1024\r\n"
			   "x-meshwalk-status: 0\r\nServer: meshwalk\r\n\r\n";
	ssize_t n = http1_write_head(buf, sizeof buf, &r);

	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, (size_t)n);
	/* Every smaller buffer is refused, never overrun. */
	for (size_t cap = 0; cap < strlen(want); cap++) {
		memset(buf, 'Z', sizeof buf);
		assert_int_equal(http1_write_head(buf, cap, &r), -ENOSPC);
		assert_int_equal(buf[cap], 'Z');
	}

	struct http1_resp c = { .status = 404, .framing = HTTP1_CHUNKED, .keep_alive = false };
	n = http1_write_head(buf, sizeof buf, &c);
	want = "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, (size_t)n);

	struct http1_resp k = { .status = 431, .reason = "Too Big", .keep_alive = true, .http10 = true,
				.date = "Sun, 06 Nov 1994 08:49:37 GMT" };
	n = http1_write_head(buf, sizeof buf, &k);
	want = "HTTP/1.1 431 Too Big\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Length: 0\r\n"
	       "Connection: keep-alive\r\n\r\n";
	assert_int_equal(n, strlen(want));
	assert_memory_equal(buf, want, (size_t)n);

	struct http1_resp s = { .status = 204, .framing = HTTP1_NO_BODY, .keep_alive = true };
	n = http1_write_head(buf, sizeof buf, &s);
	assert_int_equal(n, strlen("HTTP/1.1 204 No Content\r\n\r\n"));
	s.status = 799; /* unknown: empty reason, still valid */
	n = http1_write_head(buf, sizeof buf, &s);
	assert_memory_equal(buf, "HTTP/1.1 799 \r\n\r\n", (size_t)n);

	/* Refused: response splitting, bad names, chunked to 1.0, bad status. */
	const struct http1_hdr bad1[] = { { "X", "a\r\nSet-Cookie: x" } };
	const struct http1_hdr bad2[] = { { "X Y", "a" } };
	const struct http1_hdr bad3[] = { { "", "a" } };
	struct http1_resp b = { .status = 200, .keep_alive = true, .extra = bad1, .nextra = 1 };
	assert_int_equal(http1_write_head(buf, sizeof buf, &b), -EINVAL);
	b.extra = bad2;
	assert_int_equal(http1_write_head(buf, sizeof buf, &b), -EINVAL);
	b.extra = bad3;
	assert_int_equal(http1_write_head(buf, sizeof buf, &b), -EINVAL);
	b.nextra = 0;
	b.reason = "OK\n";
	assert_int_equal(http1_write_head(buf, sizeof buf, &b), -EINVAL);
	b.reason = NULL;
	b.content_type = "text/plain\r\n";
	assert_int_equal(http1_write_head(buf, sizeof buf, &b), -EINVAL);
	b.content_type = NULL;
	b.framing = HTTP1_CHUNKED;
	b.http10 = true;
	assert_int_equal(http1_write_head(buf, sizeof buf, &b), -EINVAL);
	b.http10 = false;
	b.status = 99;
	assert_int_equal(http1_write_head(buf, sizeof buf, &b), -EINVAL);
	b.status = 1000;
	assert_int_equal(http1_write_head(buf, sizeof buf, &b), -EINVAL);
}

static void test_small_helpers(void **state)
{
	char buf[HTTP1_CHUNK_LINE_MAX], date[HTTP1_DATE_LEN + 1];
	size_t n;

	assert_string_equal(http1_reason(200), "OK");
	assert_string_equal(http1_reason(400), "Bad Request");
	assert_string_equal(http1_reason(413), "Content Too Large");
	assert_string_equal(http1_reason(431), "Request Header Fields Too Large");
	assert_string_equal(http1_reason(502), "Bad Gateway");
	assert_string_equal(http1_reason(504), "Gateway Timeout");
	assert_string_equal(http1_reason(505), "HTTP Version Not Supported");
	assert_string_equal(http1_reason(299), "");
	n = http1_chunk_line(buf, 500);
	assert_int_equal(n, 5);
	assert_memory_equal(buf, "1f4\r\n", 5);
	n = http1_chunk_line(buf, UINT64_MAX);
	assert_int_equal(n, HTTP1_CHUNK_LINE_MAX);
	assert_memory_equal(buf, "ffffffffffffffff\r\n", n);
	http1_date(784111777, date);
	assert_string_equal(date, "Sun, 06 Nov 1994 08:49:37 GMT");
	http1_date(1767225599, date);
	assert_string_equal(date, "Wed, 31 Dec 2025 23:59:59 GMT");
	assert_int_equal(strlen(HTTP1_CONTINUE), 25);
}

/* The writer's output parses as the head of a response would: a request
 * built from writer-like fields with the parser round-trips chunk lines. */
static void test_chunk_line_roundtrip(void **state)
{
	char in[1024];
	size_t n = (size_t)sprintf(in, "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n");
	struct got g;

	for (uint64_t sz = 1; sz <= 40; sz += 13) {
		n += http1_chunk_line(in + n, sz);
		memset(in + n, 'a' + (int)sz % 26, sz);
		n += sz;
		memcpy(in + n, "\r\n", 2);
		n += 2;
	}
	strcpy(in + n, HTTP1_LAST_CHUNK);
	parse(in, &g);
	assert_int_equal(g.status, 0);
	assert_int_equal(g.body_len[0], 1 + 14 + 27 + 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_get),
		cmocka_unit_test(test_event_sequence),
		cmocka_unit_test(test_pipelined),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_content_length),
		cmocka_unit_test(test_chunked),
		cmocka_unit_test(test_headers),
		cmocka_unit_test(test_method_and_target),
		cmocka_unit_test(test_h2c_upgrade),
		cmocka_unit_test(test_smuggling_and_malformed),
		cmocka_unit_test(test_nul_and_early_reject),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_chunk_errors),
		cmocka_unit_test(test_query_param),
		cmocka_unit_test(test_write_head),
		cmocka_unit_test(test_small_helpers),
		cmocka_unit_test(test_chunk_line_roundtrip),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
