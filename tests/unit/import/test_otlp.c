/* test_otlp.c -- the OTLP JSON reader (src/import/read_otlp.c): hex and
 * base64 ids, times as strings and numbers, kinds and status codes as numbers
 * and names, message events as sizes, links, a resource after its spans,
 * the "result" wrapper, and errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "import_helpers.h"

static void test_request(void **state)
{
	struct import_stats st;
	struct err e;
	/* base64 of bytes 01..10 (trace) and 00..07 (span): protobuf's JSON */
	const char *text =
		"{\"result\": {\"resourceSpans\": [{\"scopeSpans\": [{\"spans\": [\n"
		" {\"traceId\": \"AQIDBAUGBwgJCgsMDQ4PEA==\", \"spanId\": \"AAECAwQFBgc=\", \"name\": \"rpc\","
		"  \"kind\": \"SPAN_KIND_CLIENT\", \"startTimeUnixNano\": 1000, \"endTimeUnixNano\": \"900\","
		"  \"status\": {\"code\": 2},"
		"  \"links\": [{\"traceId\": \"ffffffffffffffffffffffffffffffff\", \"spanId\": \"1111111111111111\"}],"
		"  \"events\": [{\"name\": \"message\", \"attributes\": ["
		"   {\"key\": \"message.type\", \"value\": {\"stringValue\": \"SENT\"}},"
		"   {\"key\": \"message.uncompressed_size\", \"value\": {\"intValue\": \"10\"}}]},"
		"   {\"name\": \"message\", \"attributes\": ["
		"   {\"key\": \"message.type\", \"value\": {\"stringValue\": \"SENT\"}},"
		"   {\"key\": \"message.uncompressed_size\", \"value\": {\"intValue\": 5}}]}]}\n"
		"]}], \"resource\": {\"attributes\": [{\"key\": \"service.name\","
		" \"value\": {\"stringValue\": \"svc\"}}]}}]}}";

	(void)state;
	assert_int_equal(import_text(text, NULL, 0, &st, &e), 0);
	assert_int_equal(nrec, 1);
	assert_string_equal(recs[0].trace, "0102030405060708090a0b0c0d0e0f10");
	assert_string_equal(recs[0].id, "0001020304050607");
	assert_string_equal(recs[0].service, "svc"); /* resource read after the span */
	assert_int_equal(recs[0].kind, SPAN_KIND_CLIENT);
	assert_int_equal(recs[0].status, SPAN_STATUS_ERROR);
	assert_int_equal(recs[0].start, 1000);
	assert_int_equal(recs[0].dur, 0); /* ends before it starts */
	assert_int_equal(recs[0].req, 15);
	assert_int_equal(recs[0].resp, -1);
	assert_int_equal(recs[0].nlinks, 1);
	assert_int_equal(st.links, 1);
}

static void test_defaults(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(import_text("{\"resourceSpans\": [{\"resource\": {}, \"scopeSpans\": [{\"spans\": ["
				     "{\"traceId\": \"aa\", \"spanId\": \"bb\", \"parentSpanId\": \"\","
				     " \"kind\": 2, \"status\": {\"code\": \"STATUS_CODE_OK\"}}]}]}]}",
				     "otlp", 0, NULL, &e),
			 0);
	assert_string_equal(recs[0].service, "unknown_service");
	assert_int_equal(recs[0].kind, SPAN_KIND_SERVER);
	assert_int_equal(recs[0].status, SPAN_STATUS_OK);
	assert_true(recs[0].flags & SPAN_F_NO_TIME);
	assert_string_equal(recs[0].parent, "");
}

static void test_errors(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(import_text("{\"resourceSpans\": [{\"resource\": {}, \"scopeSpans\": [{\"spans\": [\n"
				     "{\"traceId\": \"aa\", \"spanId\": \"bb\", \"startTimeUnixNano\": \"1\"}]}]}]}",
				     "otlp", 0, NULL, &e),
			 -EINVAL);
	assert_string_equal(e.msg, "FILE:2: span bb: \"endTimeUnixNano\" missing or not a time in ns");
	assert_int_equal(import_text("{\"resourceSpans\": [{\"resource\": {}, \"scopeSpans\": [{\"spans\": ["
				     "{\"traceId\": \"aa\", \"spanId\": \"bb\", \"startTimeUnixNano\": "
				     "\"99999999999999999999\", \"endTimeUnixNano\": \"1\"}]}]}]}",
				     "otlp", 0, NULL, &e),
			 -EINVAL);
	assert_int_equal(import_text("{\"resourceSpans\": [{\"resource\": {}, \"scopeSpans\": [{\"spans\": ["
				     "{\"spanId\": \"bb\"}]}]}]}",
				     "otlp", 0, NULL, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "no valid \"traceId\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
