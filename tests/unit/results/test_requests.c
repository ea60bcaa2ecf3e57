/* test_records.c -- reading per-request CSVs (src/results/requests.h): the
 * format meshwalk writes, columns found by name, optional sent_us, CRLF and
 * blank lines, failed rows never counted as latencies, every rejection with
 * its line, the warm-up trim and latency extraction. Files live in a private
 * mkdtemp() directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "results/requests.h"

static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/mw-records-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/requests.csv", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

static const char *put(const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	return path;
}

static const char meshwalk_csv[] =
	"thr_id,sess_id,req_id,intended_us,sent_us,recv_us,latency_us,service_us,send_lag_us,status\n"
	"0,0,0,0.000,23.676,2446.923,2446.923,2423.247,23.676,ok\n"
	"0,0,1,1057.248,1057.958,2768.185,1710.937,1710.227,0.710,ok\n"
	"0,0,2,2000.000,2001.000,,,,1.000,timeout\n"
	"1,0,0,3000.000,,,,,,unsent\n"
	"1,0,1,4000.000,4000.500,,,,0.500,error\n"
	"1,0,2,5000.000,5000.500,,,,0.500,lost\n"
	"1,0,3,6000.000,6000.200,6100.200,100.200,100.000,0.200,ok\n";

static void test_meshwalk_format(void **state)
{
	struct records r;
	struct err e;
	double *v = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(records_load(put(meshwalk_csv), &r, &e), 0);
	assert_int_equal(r.n, 7);
	assert_int_equal(r.has_sent, 1);
	assert_int_equal(r.count[REC_OK], 3);
	assert_int_equal(r.count[REC_TIMEOUT], 1);
	assert_int_equal(r.count[REC_UNSENT], 1);
	assert_int_equal(r.count[REC_ERROR], 1);
	assert_int_equal(r.count[REC_LOST], 1);
	assert_true(r.latency_us[0] == 2446.923);
	assert_true(r.intended_us[1] == 1057.248);
	assert_true(r.sent_us[1] == 1057.958);
	assert_true(isnan(r.sent_us[3]));
	assert_true(isnan(r.latency_us[2]));
	records_latencies(&r, &v, &n);
	assert_int_equal(n, 3);
	assert_true(v[0] == 2446.923 && v[1] == 1710.937 && v[2] == 100.2);
	/* Appending a second time merges (the run's "all" row does this). */
	records_latencies(&r, &v, &n);
	assert_int_equal(n, 6);
	free(v);

	/* The warm-up: rows intended before 1.5 ms go, the counts follow. */
	records_trim(&r, 1500);
	assert_int_equal(r.n, 5);
	assert_int_equal(r.count[REC_OK], 1);
	assert_true(r.intended_us[0] == 2000);
	assert_int_equal(r.status[0], REC_TIMEOUT);
	records_free(&r);
	assert_null(r.latency_us);
	assert_int_equal(r.n, 0);
}

/* Other column orders, extra columns, no sent_us, CRLF and blank lines; a
 * latency on a failed row is not a latency. */
static void test_flexible(void **state)
{
	struct records r;
	struct err e;

	(void)state;
	assert_int_equal(records_load(put("status,extra,latency_us,intended_us\r\n"
					  "ok,x,10.5,1\r\n"
					  "\r\n"
					  "error,y,99,2\r\n"
					  "\n"
					  "ok,z,1e3,3\n"),
				      &r, &e),
			 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.has_sent, 0);
	assert_true(isnan(r.sent_us[0]));
	assert_true(r.latency_us[0] == 10.5);
	assert_true(isnan(r.latency_us[1]));
	assert_true(r.latency_us[2] == 1000);
	assert_int_equal(r.count[REC_OK], 2);
	records_free(&r);

	/* A header alone: no rows, no error. */
	assert_int_equal(records_load(put("intended_us,latency_us,status\n"), &r, &e), 0);
	assert_int_equal(r.n, 0);
	records_free(&r);
}

static void expect_error(const char *text, int line, const char *word)
{
	struct records r;
	struct err e;

	assert_int_equal(records_load(put(text), &r, &e), -EINVAL);
	if (strstr(e.msg, word) == NULL)
		fail_msg("message '%s' lacks '%s'", e.msg, word);
	assert_int_equal(e.line, line);
	assert_null(r.intended_us);
}

static void test_errors(void **state)
{
	struct records r;
	struct err e;

	(void)state;
	expect_error("", 1, "header");
	expect_error("a,b,c\n1,2,3\n", 1, "intended_us");
	expect_error("intended_us,status\n1,ok\n", 1, "latency_us");
	expect_error("intended_us,latency_us,status\n1,2,ok\n1,abc,ok\n", 3, "expected a number");
	expect_error("intended_us,latency_us,status\n1,2x,ok\n", 2, "2x");
	expect_error("intended_us,latency_us,status\n1,inf,ok\n", 2, "number");
	expect_error("intended_us,latency_us,status\n1,2,fine\n", 2, "status");
	expect_error("intended_us,latency_us,status\n1,,ok\n", 2, "without a latency");
	expect_error("intended_us,latency_us,status\n,5,ok\n", 2, "intended_us is empty");
	expect_error("intended_us,latency_us,status\n1,2\n", 2, "fields");
	assert_int_equal(records_load("/nonexistent/requests.csv", &r, &e), -ENOENT);
	assert_string_equal(results_status_word(RESULTS_LOST), "lost");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meshwalk_format),
		cmocka_unit_test(test_flexible),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
