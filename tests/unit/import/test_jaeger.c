/* test_jaeger.c -- the Jaeger reader (src/import/read_jaeger.c): the UI
 * export with processes after the spans, a lone trace object, {"data": TRACE},
 * references (CHILD_OF over FOLLOWS_FROM, other references as links), tags
 * (kind, error, peer, sizes), ids lowercased, times in us, and errors with
 * their line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "import_helpers.h"

static void test_export(void **state)
{
	struct import_stats st;
	struct err e;
	const char *text =
		"{\"data\": [{\"traceID\": \"AB\", \"spans\": [\n"
		" {\"traceID\": \"AB\", \"spanID\": \"01\", \"operationName\": \"root\", \"startTime\": 5,"
		"  \"duration\": 7, \"processID\": \"p1\", \"references\": [], \"tags\": ["
		"   {\"key\": \"span.kind\", \"type\": \"string\", \"value\": \"server\"},"
		"   {\"key\": \"http.response_content_length\", \"type\": \"int64\", \"value\": 300}]},\n"
		" {\"traceID\": \"AB\", \"spanID\": \"0F\", \"operationName\": \"call\", \"startTime\": 6,"
		"  \"duration\": 2, \"processID\": \"p2\", \"references\": ["
		"   {\"refType\": \"FOLLOWS_FROM\", \"traceID\": \"AB\", \"spanID\": \"99\"},"
		"   {\"refType\": \"CHILD_OF\", \"traceID\": \"AB\", \"spanID\": \"01\"}],"
		"  \"tags\": [{\"key\": \"error\", \"type\": \"bool\", \"value\": true},"
		"   {\"key\": \"peer.service\", \"type\": \"string\", \"value\": \"db\"},"
		"   {\"key\": \"span.kind\", \"type\": \"string\", \"value\": \"client\"}]}\n"
		"], \"processes\": {\"p1\": {\"serviceName\": \"front\"}, \"p2\": {\"serviceName\": \"back\"}}}]}\n";

	(void)state;
	assert_int_equal(import_text(text, NULL, 0, &st, &e), 0);
	assert_int_equal(st.traces, 1);
	assert_int_equal(nrec, 2);
	const struct rec *r = find("01"), *c = find("0f");
	assert_string_equal(r->trace, "ab");
	assert_string_equal(r->service, "front");
	assert_int_equal(r->kind, SPAN_KIND_SERVER);
	assert_int_equal(r->start, 5000);
	assert_int_equal(r->dur, 7000);
	assert_int_equal(r->resp, 300);
	assert_int_equal(r->req, -1);
	assert_string_equal(c->service, "back");
	assert_string_equal(c->parent, "01"); /* CHILD_OF wins */
	assert_int_equal(c->nlinks, 1);       /* the FOLLOWS_FROM one */
	assert_int_equal(c->status, SPAN_STATUS_ERROR);
	assert_int_equal(c->kind, SPAN_KIND_CLIENT);
	assert_string_equal(c->peer, "db");
}

static void test_shapes(void **state)
{
	struct err e;
	const char *lone = "{\"traceID\": \"1\", \"spans\": [{\"traceID\": \"1\", \"spanID\": \"2\","
			   " \"process\": {\"serviceName\": \"s\"}, \"startTime\": 1, \"duration\": 1,"
			   " \"references\": [{\"refType\": \"FOLLOWS_FROM\", \"spanID\": \"3\"}]},"
			   " {\"traceID\": \"1\", \"spanID\": \"3\", \"parentSpanID\": \"0\","
			   " \"process\": {\"serviceName\": \"s\"}}]}";
	const char *data_obj = "{\"data\": {\"traceID\": \"1\", \"spans\": [{\"traceID\": \"1\","
			       " \"spanID\": \"2\", \"processID\": \"p\"}], \"processes\": {\"p\":"
			       " {\"serviceName\": \"s\"}}}}";

	(void)state;
	assert_int_equal(import_text(lone, "jaeger", 0, NULL, &e), 0);
	assert_int_equal(nrec, 2);
	assert_string_equal(find("2")->parent, "3");
	assert_true(find("2")->flags & SPAN_F_FOLLOWS);
	assert_true(find("3")->flags & SPAN_F_NO_TIME);
	assert_string_equal(find("3")->parent, ""); /* parentSpanID 0: a root */
	assert_int_equal(import_text(data_obj, NULL, 0, NULL, &e), 0);
	assert_int_equal(nrec, 1);
	assert_string_equal(find("2")->service, "s");
}

static void test_errors(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(import_text("{\"data\": [{\"spans\": [\n{\"traceID\": \"1\", \"spanID\": \"2\","
				     " \"processID\": \"nope\"}], \"processes\": {}}]}",
				     "jaeger", 0, NULL, &e),
			 -EINVAL);
	assert_string_equal(e.msg, "FILE:2: span 2: no service (no process with its processID)");
	assert_int_equal(import_text("{\"data\": [{\"spans\": [{\"traceID\": \"1\", \"spanID\": \"2\","
				     " \"startTime\": \"x\"}]}]}",
				     "jaeger", 0, NULL, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "\"startTime\" is not a time in us"));
	assert_int_equal(import_text("{\"data\": [{\"spans\": [{\"traceID\": \"1\", \"spanID\": \"2\","
				     " \"startTime\": -4}]}]}",
				     "jaeger", 0, NULL, &e),
			 -EINVAL);
	assert_int_equal(import_text("{\"data\": [}", "jaeger", 0, NULL, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "FILE:1:"));
	assert_non_null(strstr(e.msg, "malformed JSON"));
	assert_int_equal(import_text("{\"processes\": {\"p\": {}}}", "jaeger", 0, NULL, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "without a \"serviceName\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
