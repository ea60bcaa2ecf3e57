/* test_dw_output.c -- DistWalk's client output (src/client/dw_output): the -o
 * argument, the per-request lines and rows, the conn_time line, and the
 * Configuration block's keys in dw_client's order. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "client/client.h"
#include "client/dw_output.h"
#include "prog/prog_parse.h"

static void test_outfile_parse(void **state)
{
	struct dw_outfile o;
	struct err e;

	assert_int_equal(dw_outfile_parse("r.csv", &o, &e), 0);
	assert_string_equal(o.path, "r.csv");
	assert_int_equal(o.format, DW_FMT_CSV);
	assert_int_equal(o.sep, ',');
	assert_false(o.header);
	dw_outfile_free(&o);
	/* DistWalk wants the separator quoted; a quoted comma is a separator too. */
	assert_int_equal(dw_outfile_parse("r.csv,sep=';',header=1", &o, &e), 0);
	assert_int_equal(o.sep, ';');
	assert_true(o.header);
	dw_outfile_free(&o);
	assert_int_equal(dw_outfile_parse("r.csv,sep=',',header=0", &o, &e), 0);
	assert_int_equal(o.sep, ',');
	dw_outfile_free(&o);
	assert_int_equal(dw_outfile_parse("r.txt,sep=|", &o, &e), 0);
	assert_int_equal(o.format, DW_FMT_TXT);
	assert_int_equal(o.sep, '|');
	dw_outfile_free(&o);
	/* Refused: other extensions, header= for .txt, unknown options, long separators. */
	assert_int_equal(dw_outfile_parse("r.dat", &o, &e), -EINVAL);
	assert_non_null(strstr(e.msg, ".csv or .txt"));
	assert_int_equal(dw_outfile_parse("r.txt,header=1", &o, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "only for .csv"));
	assert_int_equal(dw_outfile_parse("r.csv,bogus=1", &o, &e), -EINVAL);
	assert_int_equal(dw_outfile_parse("r.csv,sep=ab", &o, &e), -EINVAL);
	assert_null(o.path);
}

static void test_lines(void **state)
{
	struct dw_outfile o = { .format = DW_FMT_CSV, .sep = ';', .header = true };
	char buf[200];

	dw_format_req(buf, sizeof buf, DW_FMT_TEXT, ',', false, 71851000, 325400, 0, 1, 2);
	assert_string_equal(buf, "t: 71851 us, elapsed: 325 us, req_id: 0, thr_id: 1, sess_id: 2\n");
	dw_format_req(buf, sizeof buf, DW_FMT_TEXT, ',', true, 7, 3, 4, 0, 0);
	assert_string_equal(buf, "t: 7 ns, elapsed: 3 ns, req_id: 4, thr_id: 0, sess_id: 0\n");
	dw_format_req(buf, sizeof buf, DW_FMT_CSV, ';', false, 66771000, 5452000, 1, 0, 0);
	assert_string_equal(buf, "66771;5452;1;0;0\n");
	dw_format_req(buf, sizeof buf, DW_FMT_TXT, ',', false, 84936000, 254000, 0, 0, 0);
	assert_string_equal(buf, "t:84936,elapsed:254,req_id:0,thr_id:0,sess_id:0\n");
	dw_format_conn(buf, sizeof buf, false, 617000, 2, 0, 1);
	assert_string_equal(buf, "conn_time: 617 us, req_id: 2, thr_id: 0, sess_id: 1\n");
	dw_outfile_header(&o, false, buf, sizeof buf);
	assert_string_equal(buf, "t(us);elapsed(us);req_id;thr_id;sess_id\n");
	o.header = false;
	dw_outfile_header(&o, false, buf, sizeof buf);
	assert_string_equal(buf, "");
}

/* The keys of dw_client's Configuration block, in its order. */
static void test_config_block(void **state)
{
	static const char *const keys[] = {
		"Configuration:", "  clienthost=", "  serverhost=", "  num_threads: ", "  num_pkts=",
		"  period=", "  waitspin=", "  rate=", "  rate_step_secs=", "  pkt_size=",
		"  resp_size=", "  min packet size due to header: ", "  max packet size: ",
		"  no_delay: ", "  num_sessions: ", "  use_per_session_output: ",
		"  num_conn_retries: ", "  seed: ", "  request template: ",
	};
	struct client_config c;
	struct prog_builder b;
	struct prog *p;
	struct err e;
	char *text = NULL, line[1024];
	size_t len = 0, i = 0;
	FILE *f;

	client_config_defaults(&c);
	c.requests = 5;
	c.pacing = PACER_RATE;
	assert_int_equal(spec_parse("100", SPEC_COUNT, (struct spec **)&c.pace, &e), 0);
	prog_builder_init(&b);
	assert_int_equal(prog_parse_op(&b, 'C', "1ms", &e), 0);
	assert_int_equal(prog_finish(&b, &p, &e), 0);
	c.prog = p;
	f = open_memstream(&text, &len);
	dw_print_config(f, &c);
	fclose(f);
	f = fmemopen(text, len, "r");
	while (fgets(line, sizeof line, f)) {
		assert_true(i < sizeof keys / sizeof keys[0]);
		assert_int_equal(strncmp(line, keys[i], strlen(keys[i])), 0);
		i++;
	}
	fclose(f);
	assert_int_equal(i, sizeof keys / sizeof keys[0]);
	assert_non_null(strstr(text, "  num_pkts=5\n  period=10000us\n  waitspin=0\n  rate=100\n"));
	assert_non_null(strstr(text, "  request template: COMPUTE(1000us)->REPLY(24b, mode=normal, dev=0)\n"));
	free(text);
	prog_destroy(p);
	spec_destroy((struct spec *)c.pace);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_outfile_parse),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_config_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
