/* test_alibaba.c -- the Alibaba call-graph CSV reader
 * (src/import/read_alibaba.c): both versions' headers, the two sides of a
 * call paired, rt signs and units, mq as producer/consumer, rt not a number,
 * CRLF line ends, the sniffer, and errors with their line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "import_helpers.h"

static void test_v2021(void **state)
{
	struct import_stats st;
	struct err e;
	const char *text = ",traceid,timestamp,rpcid,um,rpctype,dm,interface,rt\r\n"
			   "0,T,100,0.1,A,rpc,B,f,7\r\n"
			   "1,T,101,0.1,A,rpc,B,f,-5.5\r\n"
			   "2,T,102,0.1.1,B,db,D,,0\r\n"
			   "3,T,103,0.1.2,B,mq,Q,put,3\r\n";

	(void)state;
	assert_int_equal(import_text(text, NULL, 0, &st, &e), 0);
	assert_int_equal(nrec, 4);
	assert_int_equal(st.shared, 1);
	assert_int_equal(st.orphans, 1); /* 0.1's parent "0" was not recorded */
	assert_string_equal(recs[0].service, "A");
	assert_int_equal(recs[0].kind, SPAN_KIND_CLIENT);
	assert_string_equal(recs[0].peer, "B");
	assert_int_equal(recs[0].start, 100000000);
	assert_int_equal(recs[0].dur, 7000000);
	assert_string_equal(recs[1].service, "B");
	assert_int_equal(recs[1].kind, SPAN_KIND_SERVER);
	assert_int_equal(recs[1].dur, 5500000);
	assert_string_equal(recs[1].parent, "0.1");
	assert_true(recs[1].flags & SPAN_F_SHARED);
	assert_string_equal(recs[2].op, "db"); /* no interface: the rpctype */
	assert_string_equal(recs[2].service, "B");
	assert_int_equal(recs[2].dur, 0);
	assert_string_equal(recs[2].parent, "0.1"); /* the server side, B */
	assert_int_equal(recs[3].kind, SPAN_KIND_PRODUCER);
}

static void test_v2022(void **state)
{
	struct err e;
	const char *text = "timestamp,traceid,service,rpc_id,um,uminstanceid,rpctype,interface,dm,"
			   "dminstanceid,rt\n"
			   "5,T,S,0,U,U0,mq,m,C,C0,-2\n"
			   "6,T,S,0.1,C,C0,http,h,E,E0,NAN";

	(void)state;
	assert_int_equal(import_text(text, "alibaba", 0, NULL, &e), 0);
	assert_int_equal(nrec, 2);
	assert_int_equal(recs[0].kind, SPAN_KIND_CONSUMER);
	assert_string_equal(recs[0].service, "C");
	assert_true(recs[1].flags & SPAN_F_NO_TIME);
	assert_string_equal(recs[1].parent, "0");
}

static void test_errors(void **state)
{
	struct err e;

	(void)state;
	assert_int_equal(import_text("traceid,timestamp,rpcid,um,dm\nT,1,0,A,B\n", "alibaba", 0, NULL, &e),
			 -EINVAL);
	assert_string_equal(e.msg, "FILE:1: the header has no column rt");
	assert_int_equal(import_text("traceid,timestamp,rpcid,um,dm,rt\nT,1,0,A,B,1\nT,1,0\n", "alibaba",
				     0, NULL, &e),
			 -EINVAL);
	assert_string_equal(e.msg, "FILE:3: 3 fields, the header has 6");
	assert_int_equal(import_text("traceid,timestamp,rpcid,um,dm,rt\nT,-1,0,A,B,1\n", "alibaba", 0,
				     NULL, &e),
			 -EINVAL);
	assert_string_equal(e.msg, "FILE:2: timestamp is not a whole number of ms: -1");
	assert_int_equal(import_text("traceid,timestamp,rpcid,um,dm,rt\n,1,0,A,B,1\n", "alibaba", 0, NULL,
				     &e),
			 -EINVAL);
	assert_string_equal(e.msg, "FILE:2: span without a trace id");
	/* a line over 1 MiB: refused with its number, after a long one that fits */
	size_t big = (1u << 20) + 10;
	char *text = malloc(2 * big + 100);
	int n = sprintf(text, "traceid,timestamp,rpcid,um,dm,rt\nT,1,0,A,");
	memset(text + n, 'x', big - 100);
	n += (int)big - 100;
	n += sprintf(text + n, ",1\nT,1,0,A,");
	memset(text + n, 'y', big);
	strcpy(text + n + big, ",1\n");
	assert_int_equal(import_text(text, "alibaba", 0, NULL, &e), -EINVAL);
	assert_string_equal(e.msg, "FILE:3: a line longer than 1048576 bytes");
	free(text);
	assert_int_equal(import_text("", "alibaba", 0, NULL, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "empty file"));
}

static void test_sniff(void **state)
{
	static const char *const heads[][2] = {
		{ "traceid,timestamp,rpcid,um\n", "alibaba" },
		{ "  {\"resourceSpans\": []}", "otlp" },
		{ "[{\"traceId\": \"1\"}]", "zipkin" },
		{ "{\"data\": [{\"traceID\": \"1\"}]}", "jaeger" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof heads / sizeof *heads; i++) {
		const struct import_reader *r =
			import_sniff((const unsigned char *)heads[i][0], strlen(heads[i][0]));

		assert_non_null(r);
		assert_string_equal(r->name, heads[i][1]);
	}
	assert_null(import_sniff((const unsigned char *)"hello", 5));
	assert_null(import_reader_find("xml"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v2021),
		cmocka_unit_test(test_v2022),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_sniff),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
