/* test_httpclient.c -- the client's HTTP/1.1 requests and replies
 * (src/client/httpclient.c): what a request looks like for a program, a
 * route and a --ps body; which responses count as successes (2xx with the
 * REPLY's size) and which as error replies, with the text the client shows;
 * in-order matching to sequence numbers; when the connection is broken. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "client/httpclient.h"
#include "prog/prog_parse.h"

struct fixture {
	struct client_config c;
	struct prog *prog;
	struct spec *ps;
};

static void setup(struct fixture *f, const char *ops, const char *route)
{
	struct err e;

	memset(f, 0, sizeof *f);
	client_config_defaults(&f->c);
	assert_int_equal(sock_addr_parse("http://127.0.0.1:8080", "127.0.0.1", 7891, false, &f->c.to,
					 &e), 0);
	assert_int_equal(prog_parse_text(ops, &f->prog, &e), 0);
	f->c.prog = f->prog;
	f->c.prog_text = ops;
	f->c.route = route;
	f->c.http_host = "node.example:8080";
}

static void teardown(struct fixture *f)
{
	prog_destroy(f->prog);
	spec_destroy(f->ps);
}

/* Feeds all of text; returns the events' results in r[] (at most n). */
static int feed(struct httpc *h, const char *text, struct httpc_result *r, int n,
		enum httpc_event *last)
{
	size_t off = 0, len = strlen(text), used;
	int k = 0;

	for (;;) {
		struct httpc_result x;
		enum httpc_event ev = httpc_parse(h, (const uint8_t *)text + off, len - off, &used, &x);

		off += used;
		*last = ev;
		if (ev != HTTPC_RESULT) {
			if (ev == HTTPC_BROKEN && k < n)
				r[k] = x;
			return k;
		}
		if (k < n)
			r[k++] = x;
	}
}

static void test_program_request(void **state)
{
	struct fixture f;
	struct wire_buf w;
	struct rng rng;

	(void)state;
	setup(&f, "-C 1ms -R 100", NULL);
	struct httpc *h = httpc_new(&f.c);
	wire_buf_init(&w);
	rng_seed(&rng, 1, 0);
	httpc_build(h, &rng, 0, NULL, &w);
	const char *want = "GET / HTTP/1.1\r\nHost: node.example:8080\r\nUser-Agent: meshwalk-client\r\n"
			   "x-meshwalk-program: -C 1ms -R 100\r\n\r\n";
	assert_int_equal(w.len, strlen(want));
	assert_memory_equal(w.data, want, w.len);
	/* a sampled request carries its trace context as W3C traceparent */
	struct wire_trace tc = { .flags = 1 };
	for (int i = 0; i < 16; i++)
		tc.trace_id[i] = (uint8_t)(0xa0 + i);
	for (int i = 0; i < 8; i++)
		tc.parent_id[i] = (uint8_t)(0x10 + i);
	httpc_build(h, &rng, 1, &tc, &w);
	const char *traced = "GET / HTTP/1.1\r\nHost: node.example:8080\r\nUser-Agent: meshwalk-client\r\n"
			     "x-meshwalk-program: -C 1ms -R 100\r\n"
			     "traceparent: 00-a0a1a2a3a4a5a6a7a8a9aaabacadaeaf-1011121314151617-01\r\n\r\n";
	assert_int_equal(w.len, strlen(traced));
	assert_memory_equal(w.data, traced, w.len);
	wire_buf_free(&w);
	httpc_free(h);
	teardown(&f);
}

static void test_route_and_body(void **state)
{
	struct fixture f;
	struct wire_buf w;
	struct rng rng;
	struct err e;

	(void)state;
	setup(&f, "", "pay");
	assert_int_equal(spec_parse("300", SPEC_SIZE, &f.ps, &e), 0);
	f.c.req_size = f.ps;
	struct httpc *h = httpc_new(&f.c);
	wire_buf_init(&w);
	rng_seed(&rng, 1, 0);
	httpc_build(h, &rng, 0, NULL, &w);
	const char *head = "POST /pay HTTP/1.1\r\nHost: node.example:8080\r\n"
			   "User-Agent: meshwalk-client\r\nContent-Length: 300\r\n\r\n";
	assert_int_equal(w.len, strlen(head) + 300);
	assert_memory_equal(w.data, head, strlen(head));
	for (size_t i = strlen(head); i < w.len; i++)
		assert_int_equal(w.data[i], 0);
	/* a route's reply size is the node's business: any 2xx body is fine */
	struct httpc_result r[4];
	enum httpc_event last;
	httpc_session(h, 5);
	assert_int_equal(feed(h, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", r, 4, &last), 1);
	assert_true(r[0].ok);
	assert_int_equal(r[0].seq, 5);
	wire_buf_free(&w);
	httpc_free(h);
	teardown(&f);
}

static void test_results(void **state)
{
	struct fixture f;
	struct httpc_result r[8];
	enum httpc_event last;

	(void)state;
	setup(&f, "-C 1ms -R 4", NULL);
	struct httpc *h = httpc_new(&f.c);
	httpc_session(h, 10);
	int n = feed(h,
		     "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd"
		     "HTTP/1.1 100 Continue\r\n\r\n"
		     "HTTP/1.1 204 No Content\r\n\r\n"
		     "HTTP/1.1 504 Gateway Timeout\r\nx-meshwalk-status: 6 forward timed out\r\n"
		     "Content-Length: 23\r\n\r\nnode X: no reply in 1s\n"
		     "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n"
		     "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"
		     "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 4\r\n\r\nwxyz",
		     r, 8, &last);
	assert_int_equal(n, 6);
	for (int i = 0; i < n; i++)
		assert_int_equal(r[i].seq, 10 + (uint64_t)i);
	assert_true(r[0].ok);
	/* 204: a 2xx without the REPLY's 4 bytes */
	assert_false(r[1].ok);
	assert_string_equal(r[1].text, "HTTP 204 with a body of 0 bytes, expected 4 (the program's REPLY)");
	assert_false(r[2].ok);
	assert_string_equal(r[2].text, "HTTP 504 (x-meshwalk-status: 6 forward timed out): node X: no reply in 1s");
	assert_false(r[3].ok);
	assert_string_equal(r[3].text, "HTTP 200 with a body of 2 bytes, expected 4 (the program's REPLY)");
	assert_false(r[4].ok);
	assert_string_equal(r[4].text, "HTTP 500: ");
	assert_true(r[5].ok);
	/* after Connection: close the session is over */
	assert_int_equal(last, HTTPC_BROKEN);
	httpc_free(h);
	teardown(&f);
}

static void test_broken(void **state)
{
	struct fixture f;
	struct httpc_result r[2];
	enum httpc_event last;

	(void)state;
	setup(&f, "-R 3", NULL);
	struct httpc *h = httpc_new(&f.c);
	httpc_session(h, 0);
	assert_int_equal(feed(h, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", r,
			      2, &last), 0);
	assert_int_equal(last, HTTPC_BROKEN);
	assert_string_equal(r[0].text, "bad HTTP response: differing Content-Length values");
	/* a new session, a body delimited by the close */
	httpc_session(h, 1);
	assert_int_equal(feed(h, "HTTP/1.0 200 OK\r\n\r\nxyz", r, 2, &last), 0);
	assert_int_equal(last, HTTPC_MORE);
	assert_int_equal(httpc_eof(h, 0, &r[0]), HTTPC_RESULT);
	assert_true(r[0].ok);
	assert_int_equal(r[0].seq, 1);
	/* closed mid-response */
	httpc_session(h, 2);
	assert_int_equal(feed(h, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nx", r, 2, &last), 0);
	assert_int_equal(httpc_eof(h, 0, &r[0]), HTTPC_BROKEN);
	assert_string_equal(r[0].text, "closed by the node");
	httpc_free(h);
	teardown(&f);
}

static void test_check(void **state)
{
	struct client_config c;
	struct err e;
	char big[HTTPC_PROG_MAX + 2];
	static struct auth_key key;

	(void)state;
	client_config_defaults(&c);
	c.prog_text = "-C 1ms -R";
	assert_int_equal(httpc_check(&c, &e), 0);
	memset(big, 'C', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	c.prog_text = big;
	assert_int_equal(httpc_check(&c, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "at most 4096"));
	c.prog_text = "-C 1ms\t-R";
	assert_int_equal(httpc_check(&c, &e), -EINVAL);
	c.prog_text = "";
	c.auth = &key;
	assert_int_equal(httpc_check(&c, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "no authentication tag"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_program_request),
		cmocka_unit_test(test_route_and_body),
		cmocka_unit_test(test_results),
		cmocka_unit_test(test_broken),
		cmocka_unit_test(test_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
