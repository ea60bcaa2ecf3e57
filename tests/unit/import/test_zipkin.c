/* test_zipkin.c -- the Zipkin v2 reader (src/import/read_zipkin.c): fields,
 * the shared client/server id, an array of traces, one span per line, the
 * error tag's presence, and errors with their line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "import_helpers.h"

static void test_spans(void **state)
{
	struct import_stats st;
	struct err e;
	const char *text =
		"[[{\"traceId\": \"T\", \"id\": \"a\", \"kind\": \"SERVER\", \"name\": \"get\","
		"   \"timestamp\": 10, \"duration\": 20, \"localEndpoint\": {\"serviceName\": \"web\"},"
		"   \"tags\": {\"http.request.size\": \"42\", \"error\": \"\"}}],\n"
		" [{\"traceId\": \"U\", \"id\": \"b\", \"kind\": \"CLIENT\", \"name\": \"q\","
		"   \"timestamp\": 1, \"duration\": 9, \"localEndpoint\": {\"serviceName\": \"web\"},"
		"   \"remoteEndpoint\": {\"serviceName\": \"db\"}},"
		"  {\"traceId\": \"U\", \"id\": \"b\", \"kind\": \"SERVER\", \"name\": \"q\", \"shared\": true,"
		"   \"timestamp\": 2, \"duration\": 5, \"localEndpoint\": {\"serviceName\": \"db\"}}]]";

	(void)state;
	assert_int_equal(import_text(text, NULL, 0, &st, &e), 0);
	assert_int_equal(st.traces, 2);
	assert_int_equal(st.shared, 1);
	const struct rec *a = find("a");
	assert_string_equal(a->service, "web");
	assert_string_equal(a->op, "get");
	assert_int_equal(a->start, 10000);
	assert_int_equal(a->dur, 20000);
	assert_int_equal(a->req, 42);
	assert_int_equal(a->status, SPAN_STATUS_ERROR); /* present, even empty */
	assert_int_equal(recs[1].kind, SPAN_KIND_CLIENT);
	assert_string_equal(recs[1].peer, "db");
	assert_string_equal(recs[2].parent, "b");
	assert_true(recs[2].flags & SPAN_F_SHARED);
}

static void test_lines(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(import_text("{\"traceId\": \"1\", \"id\": \"2\"}\n{\"traceId\": \"1\", \"id\": \"3\","
				     " \"parentId\": \"2\"}\n",
				     "zipkin", 0, NULL, &e),
			 0);
	assert_int_equal(nrec, 2);
	assert_string_equal(find("3")->parent, "2");
	assert_string_equal(find("2")->service, "?");
}

static void test_errors(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(import_text("[\n{\"traceId\": \"1\"}]", "zipkin", 0, NULL, &e), -EINVAL);
	assert_string_equal(e.msg, "FILE:2: span ?: no valid \"id\"");
	assert_int_equal(import_text("[{\"traceId\": \"1\", \"id\": \"2\", \"duration\": 1, \"timestamp\": 1.5}]",
				     "zipkin", 0, NULL, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "\"timestamp\" is not a time"));
	assert_int_equal(import_text("[{\"traceId\": \"1\", \"id\": \"2\", \"timestamp\": 1e300}]",
				     "zipkin", 0, NULL, &e),
			 -EINVAL);
	assert_int_equal(import_text("[{\"traceId\": 1, \"id\": \"2\"} 5", "zipkin", 0, NULL, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "malformed JSON"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spans),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
