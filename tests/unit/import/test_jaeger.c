/* test_jaeger.c -- the Jaeger reader (src/import/read_jaeger.c): the UI
 * export with processes after the spans, a lone trace object, {"data": TRACE},
 * references (CHILD_OF over FOLLOWS_FROM, other references as links), tags
 * (kind, error, peer, sizes), ids lowercased, times in us, the host from the
 * process tags (hostname, host.name, else ip), errors with their line; and
 * the writer (src/import/write_jaeger.c) read back: a process per service
 * and host, the host kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "import_helpers.h"
#include "import/write_jaeger.h"

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

/* hostname and host.name name the host; ip only when neither does; an
 * inline process's tags count too; no tag: unknown. */
static void test_hosts(void **state)
{
	struct err e;
	const char *text =
		"{\"data\": [{\"traceID\": \"1\", \"spans\": [\n"
		" {\"traceID\": \"1\", \"spanID\": \"a\", \"processID\": \"p1\"},"
		" {\"traceID\": \"1\", \"spanID\": \"b\", \"processID\": \"p2\", \"parentSpanID\": \"a\"},"
		" {\"traceID\": \"1\", \"spanID\": \"c\", \"processID\": \"p3\", \"parentSpanID\": \"a\"},"
		" {\"traceID\": \"1\", \"spanID\": \"d\", \"processID\": \"p4\", \"parentSpanID\": \"a\"},"
		" {\"traceID\": \"1\", \"spanID\": \"e\", \"parentSpanID\": \"a\", \"process\":"
		"   {\"serviceName\": \"inl\", \"tags\": [{\"key\": \"ip\", \"value\": \"10.0.0.9\"}]}}],"
		" \"processes\": {"
		"  \"p1\": {\"serviceName\": \"front\", \"tags\": [{\"key\": \"ip\", \"type\": \"string\","
		"   \"value\": \"10.0.0.1\"}, {\"key\": \"hostname\", \"type\": \"string\", \"value\": \"h1\"}]},"
		"  \"p2\": {\"serviceName\": \"back\", \"tags\": [{\"key\": \"host.name\", \"value\": \"h2\"}]},"
		"  \"p3\": {\"serviceName\": \"db\", \"tags\": [{\"key\": \"ip\", \"value\": \"10.0.0.3\"}]},"
		"  \"p4\": {\"serviceName\": \"bare\", \"tags\": []}}}]}\n";

	(void)state;
	assert_int_equal(import_text(text, "jaeger", 0, NULL, &e), 0);
	assert_int_equal(nrec, 5);
	assert_string_equal(find("a")->host, "h1");
	assert_string_equal(find("b")->host, "h2");
	assert_string_equal(find("c")->host, "10.0.0.3");
	assert_string_equal(find("d")->host, "");
	assert_string_equal(find("e")->host, "10.0.0.9");
}

/* import_text()'s consumer, writing Jaeger instead of keeping spans. */
static void test_write_hosts(void **state)
{
	char in[] = "/tmp/meshwalk-jaeger-in.XXXXXX", out[] = "/tmp/meshwalk-jaeger-out.XXXXXX";
	/* one service on two hosts, one on none */
	const char *otlp =
		"{\"resourceSpans\": [{\"resource\": {\"attributes\": ["
		"{\"key\": \"service.name\", \"value\": {\"stringValue\": \"s\"}},"
		"{\"key\": \"host.name\", \"value\": {\"stringValue\": \"h1\"}}]},"
		" \"scopeSpans\": [{\"spans\": [{\"traceId\": \"01\", \"spanId\": \"0a\", \"name\": \"x\","
		"  \"startTimeUnixNano\": \"1000\", \"endTimeUnixNano\": \"9000\"}]}]},"
		" {\"resource\": {\"attributes\": ["
		"{\"key\": \"service.name\", \"value\": {\"stringValue\": \"s\"}},"
		"{\"key\": \"host.name\", \"value\": {\"stringValue\": \"h2\"}}]},"
		" \"scopeSpans\": [{\"spans\": [{\"traceId\": \"01\", \"spanId\": \"0b\", \"name\": \"y\","
		"  \"parentSpanId\": \"0a\", \"startTimeUnixNano\": \"2000\", \"endTimeUnixNano\": \"3000\"}]}]},"
		" {\"resource\": {\"attributes\": ["
		"{\"key\": \"service.name\", \"value\": {\"stringValue\": \"t\"}}]},"
		" \"scopeSpans\": [{\"spans\": [{\"traceId\": \"01\", \"spanId\": \"0c\", \"name\": \"z\","
		"  \"parentSpanId\": \"0a\", \"startTimeUnixNano\": \"2000\", \"endTimeUnixNano\": \"3000\"}]}]}]}\n";
	struct jaeger_out *j;
	struct import im;
	struct err e;
	char buf[8192];
	int fd = mkstemp(in), fo = mkstemp(out);
	size_t len;
	FILE *f;

	(void)state;
	assert_true(fd >= 0 && fo >= 0);
	assert_int_equal(write(fd, otlp, strlen(otlp)), (ssize_t)strlen(otlp));
	close(fd);
	close(fo);
	assert_int_equal(jaeger_out_open(out, &j, &e), 0);
	import_init(&im, 0, jaeger_out_trace, j);
	assert_int_equal(import_file(&im, in, "otlp", NULL, &e), 0);
	import_finish(&im);
	import_free(&im);
	assert_int_equal(jaeger_out_close(j, &e), 0);
	f = fopen(out, "r");
	assert_non_null(f);
	len = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[len] = '\0';
	/* three processes: s on h1, s on h2, t without a host */
	assert_non_null(strstr(buf, "\"p1\":{\"serviceName\":\"s\",\"tags\":[{\"key\":\"hostname\","
				    "\"type\":\"string\",\"value\":\"h1\"}]}"));
	assert_non_null(strstr(buf, "\"p2\":{\"serviceName\":\"s\",\"tags\":[{\"key\":\"hostname\","
				    "\"type\":\"string\",\"value\":\"h2\"}]}"));
	assert_non_null(strstr(buf, "\"p3\":{\"serviceName\":\"t\",\"tags\":[]}"));
	assert_int_equal(import_text(buf, "jaeger", 0, NULL, &e), 0);
	assert_int_equal(nrec, 3);
	assert_string_equal(find("0a")->host, "h1");
	assert_string_equal(find("0b")->host, "h2");
	assert_string_equal(find("0b")->service, "s");
	assert_string_equal(find("0c")->host, "");
	unlink(in);
	unlink(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_hosts),
		cmocka_unit_test(test_write_hosts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
