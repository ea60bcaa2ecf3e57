/* test_http1_resp.c -- the HTTP/1.1 response parser (http1_init_response()
 * in src/proto/http1.c). Every input is fed whole, byte by byte and split at
 * every position by a caller that follows the buffering contract, then the
 * connection closes (http1_feed_eof()); the results must agree. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/http1.h"

#define MAXRESP 8

struct got {
	int nhead, ndone, error; /* error: p.status, or 0 */
	const char *reason;
	bool eof_done;           /* the close ended a body */
	int status[MAXRESP], minor[MAXRESP];
	bool keep[MAXRESP], chunked[MAXRESP], until_close[MAXRESP];
	uint64_t cl[MAXRESP];
	char mw[MAXRESP][64];    /* x-meshwalk-status */
	size_t body_len[MAXRESP];
	char body[MAXRESP][256];
};

/* Feeds in[0, n) in pieces of `step` bytes (0: whole); head_mask bit i: the
 * i-th response answers a HEAD. */
static void run(const struct http1_limits *lim, const char *in, size_t n, size_t step,
		unsigned head_mask, struct got *g)
{
	static char buf[1 << 16];
	struct http1_parser p;
	size_t blen = 0, pos = 0;

	memset(g, 0, sizeof *g);
	http1_init_response(&p, lim);
	if (head_mask & 1)
		http1_response_to_head(&p);
	for (;;) {
		size_t k = step == 0 || step > n - pos ? n - pos : step;

		memcpy(buf + blen, in + pos, k);
		blen += k;
		pos += k;
		for (;;) {
			size_t used = 0;
			enum http1_event ev = http1_feed(&p, buf, blen, &used);
			int i = g->nhead - 1;

			assert_true(used <= blen);
			if (ev == HTTP1_ERROR) {
				g->error = p.status;
				g->reason = p.reason;
				return;
			}
			if (ev == HTTP1_HEAD && g->nhead < MAXRESP) {
				const struct http1_response *r = &p.resp;
				struct http1_span s = http1_resp_header(r, "x-meshwalk-status");

				i = g->nhead++;
				g->status[i] = r->status;
				g->minor[i] = r->minor;
				g->keep[i] = r->keep_alive;
				g->chunked[i] = r->chunked;
				g->until_close[i] = r->until_close;
				g->cl[i] = r->content_length;
				if (s.p)
					snprintf(g->mw[i], sizeof g->mw[i], "%.*s", (int)s.len, s.p);
			} else if (ev == HTTP1_BODY && i >= 0) {
				size_t room = sizeof g->body[i] - 1 - g->body_len[i];
				size_t c = p.body_len < room ? p.body_len : room;

				memcpy(g->body[i] + g->body_len[i], p.body, c);
				g->body_len[i] += p.body_len;
			} else if (ev == HTTP1_DONE) {
				g->ndone++;
				/* the next final response answers the next request */
				if (i >= 0 && g->status[i] >= 200 && (head_mask >> g->nhead) & 1)
					http1_response_to_head(&p);
			}
			memmove(buf, buf + used, blen - used);
			blen -= used;
			if (ev == HTTP1_NEED_MORE)
				break;
		}
		if (pos == n)
			break;
	}
	enum http1_event ev = http1_feed_eof(&p, blen);
	if (ev == HTTP1_DONE) {
		g->eof_done = true;
		g->ndone++;
	} else if (ev == HTTP1_ERROR) {
		g->error = p.status;
		g->reason = p.reason;
	}
}

/* Runs in every way and checks they agree; returns the whole run's result. */
static struct got parse_all(const struct http1_limits *lim, const char *in, unsigned head_mask)
{
	struct got whole, other;
	size_t n = strlen(in);

	run(lim, in, n, 0, head_mask, &whole);
	for (size_t step = 1; step <= 3; step++) {
		run(lim, in, n, step, head_mask, &other);
		assert_int_equal(other.nhead, whole.nhead);
		assert_int_equal(other.ndone, whole.ndone);
		assert_int_equal(other.error, whole.error);
		for (int i = 0; i < whole.nhead; i++) {
			assert_int_equal(other.status[i], whole.status[i]);
			assert_int_equal(other.body_len[i], whole.body_len[i]);
			assert_memory_equal(other.body[i], whole.body[i], sizeof whole.body[i]);
		}
	}
	return whole;
}

static void test_content_length_pipelined(void **state)
{
	struct got g = parse_all(NULL,
				 "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"
				 "HTTP/1.1 504 Gateway Timeout\r\nx-meshwalk-status: 6 forward timed out\r\n"
				 "Content-Type: text/plain\r\nContent-Length: 3\r\n\r\nab\n"
				 "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
				 0);

	(void)state;
	assert_int_equal(g.error, 0);
	assert_int_equal(g.nhead, 3);
	assert_int_equal(g.ndone, 3);
	assert_int_equal(g.status[0], 200);
	assert_int_equal(g.body_len[0], 5);
	assert_string_equal(g.body[0], "hello");
	assert_true(g.keep[0]);
	assert_int_equal(g.status[1], 504);
	assert_string_equal(g.mw[1], "6 forward timed out");
	assert_string_equal(g.body[1], "ab\n");
	assert_int_equal(g.body_len[2], 0);
	assert_false(g.eof_done);
}

static void test_chunked_and_trailers(void **state)
{
	struct got g = parse_all(NULL,
				 "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				 "3;x=y\r\nabc\r\n2\r\nde\r\n0\r\nT: v\r\n\r\n"
				 "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nz",
				 0);

	(void)state;
	assert_int_equal(g.error, 0);
	assert_int_equal(g.nhead, 2);
	assert_int_equal(g.ndone, 2);
	assert_true(g.chunked[0]);
	assert_string_equal(g.body[0], "abcde");
	assert_string_equal(g.body[1], "z");
}

static void test_until_close(void **state)
{
	struct got g = parse_all(NULL, "HTTP/1.0 200 OK\r\n\r\nall of this until EOF", 0);

	(void)state;
	assert_int_equal(g.error, 0);
	assert_int_equal(g.nhead, 1);
	assert_true(g.until_close[0]);
	assert_false(g.keep[0]);
	assert_true(g.eof_done);
	assert_string_equal(g.body[0], "all of this until EOF");
}

static void test_keep_alive(void **state)
{
	struct got g = parse_all(NULL,
				 "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
				 "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"
				 "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
				 0);

	(void)state;
	assert_int_equal(g.nhead, 3);
	assert_false(g.keep[0]);
	assert_true(g.keep[1]);
	assert_false(g.keep[2]);
	assert_int_equal(g.minor[2], 0);
}

/* 1xx, 204, 304 and answers to HEAD have no body whatever their fields say. */
static void test_no_body(void **state)
{
	struct got g = parse_all(NULL,
				 "HTTP/1.1 100 Continue\r\n\r\n"
				 "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbody"
				 "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\n"
				 "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"
				 "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"
				 "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
				 /* the 5th head (4th final response) answers a HEAD */ 1u << 4);

	(void)state;
	assert_int_equal(g.error, 0);
	assert_int_equal(g.nhead, 6);
	assert_int_equal(g.ndone, 6);
	assert_int_equal(g.status[0], 100);
	assert_int_equal(g.body_len[1], 4);
	assert_int_equal(g.body_len[2], 0);
	assert_int_equal(g.body_len[3], 0);
	assert_int_equal(g.body_len[4], 0);
	assert_string_equal(g.body[5], "ok");
}

static void expect_error(const struct http1_limits *lim, const char *in, const char *reason)
{
	struct got g = parse_all(lim, in, 0);

	assert_int_equal(g.error, 502);
	assert_non_null(g.reason);
	if (strstr(g.reason, reason) == NULL)
		fail_msg("'%s': reason '%s', expected '%s'", in, g.reason, reason);
}

static void test_errors(void **state)
{
	const struct http1_limits small = { .max_head = 128, .max_headers = 4, .max_body = 10 };

	(void)state;
	expect_error(NULL, "HTTP/2 200 OK\r\n\r\n", "not an HTTP/1.x response");
	expect_error(NULL, "\x16\x03\x01 garbage", "not an HTTP/1.x response");
	expect_error(NULL, "HTTP/1.2 200 OK\r\n\r\n", "version");
	expect_error(NULL, "HTTP/1.1 2x0 OK\r\n\r\n", "status code");
	expect_error(NULL, "HTTP/1.1 099 Low\r\n\r\n", "status code");
	expect_error(NULL, "HTTP/1.1 200OK\r\n\r\n", "status line");
	expect_error(NULL, "HTTP/1.1 200 O\x01K\r\n\r\n", "reason phrase");
	expect_error(NULL, "HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n", "bare LF");
	expect_error(NULL, "HTTP/1.1 200 OK\r\nContent-Length : 0\r\n\r\n", "whitespace before colon");
	expect_error(NULL, "HTTP/1.1 200 OK\r\nA: b\r\n c\r\n\r\n", "folding");
	expect_error(NULL, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx",
		     "differing Content-Length");
	expect_error(NULL, "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "bad Content-Length");
	expect_error(NULL,
		     "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
		     "both Content-Length and Transfer-Encoding");
	expect_error(NULL, "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HTTP/1.0");
	expect_error(NULL, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "chunked");
	expect_error(NULL, "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		     "other than chunked");
	expect_error(NULL, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nz\r\n", "chunk size");
	expect_error(NULL, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n",
		     "chunk longer");
	expect_error(&small, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", "body limit");
	expect_error(&small, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n",
		     "body limit");
	expect_error(&small, "HTTP/1.1 200 OK\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n",
		     "too many header fields");
	/* closed mid-message */
	expect_error(NULL, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nabc", "closed mid-message");
	expect_error(NULL, "HTTP/1.1 200 OK\r\nContent-Le", "closed mid-message");
	expect_error(NULL, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n",
		     "closed mid-message");
}

/* The status line's reason may be empty, with or without its space; a
 * response without Host is fine (Host is a request field). */
static void test_status_line_forms(void **state)
{
	struct got g = parse_all(NULL,
				 "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n"
				 "HTTP/1.1 500 \r\nContent-Length: 0\r\n\r\n"
				 "HTTP/1.1 999 Whatever \xe9t\xe9\r\nHost: a\r\nHost: b\r\nContent-Length: 0\r\n\r\n",
				 0);

	(void)state;
	assert_int_equal(g.error, 0);
	assert_int_equal(g.nhead, 3);
	assert_int_equal(g.status[0], 404);
	assert_int_equal(g.status[1], 500);
	assert_int_equal(g.status[2], 999);
}

/* After an error or a close the parser takes nothing more. */
static void test_final_states(void **state)
{
	struct http1_parser p;
	size_t used = 7;

	(void)state;
	http1_init_response(&p, NULL);
	assert_int_equal(http1_feed_eof(&p, 0), HTTP1_NEED_MORE);
	assert_int_equal(http1_feed(&p, "HTTP/1.1 200 OK\r\n\r\n", 19, &used), HTTP1_ERROR);
	assert_int_equal(used, 0);
	assert_int_equal(http1_feed_eof(&p, 0), HTTP1_ERROR);
	/* a request parser closed between requests is fine, mid-head is not */
	http1_init(&p, NULL);
	assert_int_equal(http1_feed(&p, "GET / HT", 8, &used), HTTP1_NEED_MORE);
	assert_int_equal(http1_feed_eof(&p, 8), HTTP1_ERROR);
	assert_int_equal(p.status, 400);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_length_pipelined),
		cmocka_unit_test(test_chunked_and_trailers),
		cmocka_unit_test(test_until_close),
		cmocka_unit_test(test_keep_alive),
		cmocka_unit_test(test_no_body),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_status_line_forms),
		cmocka_unit_test(test_final_states),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
