/* test_tables.c -- the report's derived tables: the quantile levels, the
 * per-group and overall summary rows (src/report/summary.h) of a results
 * directory written here by hand, the timeline bins and the box plot table
 * (src/report/tables.h), and the inline SVG id rewriting of index.html
 * (src/report/html.h). */
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
#include <sys/stat.h>
#include <unistd.h>

#include "report/html.h"
#include "report/results.h"
#include "report/summary.h"
#include "report/tables.h"

static char dir[64];

static void put(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	char p[128];

	(void)state;
	snprintf(dir, sizeof dir, "/tmp/mw-tables-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(p, sizeof p, "%s/clients", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/clients/a", dir);
	mkdir(p, 0755);
	snprintf(p, sizeof p, "%s/clients/b", dir);
	mkdir(p, 0755);
	/* Group a: 10 ok requests of 10..100 us, one per ms, plus a timeout.
	 * Group b: latencies 1000 and 2000 us, one lost. run.json lists b first. */
	put("clients/a/requests.csv",
	    "thr_id,sess_id,req_id,intended_us,sent_us,recv_us,latency_us,service_us,send_lag_us,status\n"
	    "0,0,0,0,1,10,10,9,1,ok\n0,0,1,1000,1001,1020,20,19,1,ok\n"
	    "0,0,2,2000,2001,2030,30,29,1,ok\n0,0,3,3000,3001,3040,40,39,1,ok\n"
	    "0,0,4,4000,4001,4050,50,49,1,ok\n0,0,5,5000,5001,5060,60,59,1,ok\n"
	    "0,0,6,6000,6001,6070,70,69,1,ok\n0,0,7,7000,7001,7080,80,79,1,ok\n"
	    "0,0,8,8000,8001,8090,90,89,1,ok\n0,0,9,9000,9001,9100,100,99,1,ok\n"
	    "0,0,10,9500,9501,,,,1,timeout\n");
	put("clients/a/summary.json", "{\"target_rate\": 1000.0, \"achieved_rate\": 999.0, "
				      "\"program\": \"COMPUTE(10us) REPLY\"}");
	put("clients/b/requests.csv",
	    "intended_us,latency_us,status\n0,1000,ok\n10,2000,ok\n20,,lost\n");
	put("run.json", "{\"scenario\": \"t\", \"seed\": 3, \"clients\": [{\"name\": \"b\"}, "
			"{\"name\": \"a\"}, {\"name\": \"never-started\"}]}");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd);
}

static void test_levels(void **state)
{
	double lv[TABLES_MAX_LEVELS];
	size_t n;
	int has[5] = { 0 };

	(void)state;
	n = tables_levels(1000000, lv);
	assert_true(n > 400 && n < 800);
	assert_true(lv[0] == 0 && lv[n - 1] == 100);
	for (size_t i = 0; i < n; i++) {
		if (i)
			assert_true(lv[i] > lv[i - 1]);
		has[0] |= lv[i] == 50;
		has[1] |= fabs(lv[i] - 90) < 1e-9;
		has[2] |= fabs(lv[i] - 99) < 1e-9;
		has[3] |= fabs(lv[i] - 99.9) < 1e-9;
		has[4] |= fabs(lv[i] - 99.9999) < 1e-9;
	}
	assert_true(has[0] && has[1] && has[2] && has[3] && has[4]);
	/* Automatic timeline bins: one per 100 requests within 10..200, but at
	 * least 5 requests per bin. */
	assert_int_equal(tables_bins(5, 0), 1);
	assert_int_equal(tables_bins(30, 0), 6);
	assert_int_equal(tables_bins(150, 0), 10);
	assert_int_equal(tables_bins(2000, 0), 20);
	assert_int_equal(tables_bins(1000000, 0), 200);
	assert_int_equal(tables_bins(3, 7), 7);
	/* The tail stops at 1 - 1/n: no 99.99 % level for 1000 samples. */
	n = tables_levels(1000, lv);
	assert_true(lv[n - 2] <= 99.9 + 1e-9);
}

static void test_summary(void **state)
{
	struct results r;
	struct summary rows[3];
	struct err e;

	(void)state;
	assert_int_equal(results_load(dir, &r, &e), 0);
	assert_int_equal(r.is_run, 1);
	assert_int_equal(r.ngroups, 2);
	/* run.json's order; a listed group without records is skipped. */
	assert_string_equal(r.groups[0].name, "b");
	assert_string_equal(r.groups[1].name, "a");
	assert_true(r.groups[1].target_rate == 1000 && r.groups[1].achieved_rate == 999);
	assert_string_equal(r.groups[1].program, "COMPUTE(10us) REPLY");
	assert_true(isnan(r.groups[0].target_rate));
	assert_string_equal(jsonin_text(jsonin_get(r.run, "seed")), "3");

	summary_build(&r, rows);
	assert_string_equal(rows[1].name, "a");
	assert_int_equal(rows[1].requests, 11);
	assert_int_equal(rows[1].failures, 1);
	assert_int_equal(rows[1].count[REC_TIMEOUT], 1);
	assert_true(rows[1].mean == 55);
	assert_true(summary_pct(&rows[1], 50) == 50);
	assert_true(summary_pct(&rows[1], 90) == 90);
	assert_true(summary_pct(&rows[1], 99) == 100);
	assert_true(summary_pct(&rows[1], 0) == 10);
	assert_true(fabs(rows[1].duration_s - 0.0095) < 1e-12);
	/* "all" merges the latencies (never averages percentiles); b's rate is
	 * unknown, so the sum is too. */
	assert_string_equal(rows[2].name, "all");
	assert_int_equal(rows[2].n, 12);
	assert_int_equal(rows[2].failures, 2);
	assert_true(summary_pct(&rows[2], 100) == 2000);
	assert_true(summary_pct(&rows[2], 50) == 60);
	assert_true(isnan(rows[2].target_rate));
	assert_true(isnan(summary_pct(&(struct summary){ .n = 0 }, 50)));

	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		assert_int_equal(summary_write_csv(f, rows, 3), 0);
		fclose(f);
		assert_non_null(strstr(buf, "\na,11,10,0,1,0,0,1,10.000,55.000,"));
		assert_non_null(strstr(buf, ",100.000,1000.000,999.000\n"));
		assert_non_null(strstr(buf, "\nb,3,2,0,0,1,0,1,1000.000,1500.000,500.000,1000.000,2000.000,"
					    "2000.000,2000.000,2000.000,,\n"));
		free(buf);
		f = open_memstream(&buf, &len);
		assert_int_equal(tables_write_boxplot(f, rows, 3), 0);
		fclose(f);
		assert_non_null(strstr(buf, "\n1,a,10.000,10.000,30.000,50.000,80.000,100.000,100.000,55.000\n"));
		free(buf);
		/* Timeline of a: 11 requests cover 11 mean gaps of 0.95 ms, from
		 * -0.475 to 9.975 ms: 10 bins of 1.045 ms, 1 request each, the
		 * last also the timeout at 9.5 ms; p99s of 1 sample are flagged. */
		f = open_memstream(&buf, &len);
		assert_int_equal(tables_write_timeline(f, &r, 10), 0);
		fclose(f);
		assert_non_null(strstr(buf, "\na,0.000048,0.001045,1,1,0,956.938,956.938,10.000,10.000,10.000,1\n"));
		assert_non_null(strstr(buf, "\na,0.009453,0.001045,2,1,1,1913.876,1913.876,100.000,100.000,100.000,1\n"));
		/* b has no sent_us column: no achieved rate; no ok request, no p99 to flag. */
		assert_non_null(strstr(buf, "\nb,0.000012,0.000003,1,1,0,333333.333,,2000.000,"));
		assert_non_null(strstr(buf, "\nb,0.000021,0.000003,1,0,1,333333.333,,,,,0\n"));
		free(buf);
	}
	for (int i = 0; i < 3; i++)
		summary_free(&rows[i]);
	results_free(&r);
}

static void test_single_csv(void **state)
{
	struct results r;
	struct err e;
	char p[128];

	(void)state;
	snprintf(p, sizeof p, "%s/clients/a/requests.csv", dir);
	assert_int_equal(results_load(p, &r, &e), 0);
	assert_int_equal(r.is_csv, 1);
	assert_int_equal(r.ngroups, 1);
	assert_string_equal(r.groups[0].name, "a"); /* named after its directory */
	assert_true(r.groups[0].target_rate == 1000);
	results_free(&r);

	put("clients/b/other.csv", "intended_us,latency_us,status\n0,5,ok\n");
	snprintf(p, sizeof p, "%s/clients/b/other.csv", dir);
	assert_int_equal(results_load(p, &r, &e), 0);
	assert_string_equal(r.groups[0].name, "other");
	assert_true(isnan(r.groups[0].target_rate));
	results_free(&r);

	/* A broken CSV is an error naming the file and line, not a skipped group. */
	put("clients/b/requests.csv", "intended_us,latency_us,status\n0,5,ok\n1,x,ok\n");
	assert_int_equal(results_load(dir, &r, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "clients/b/requests.csv"));
	assert_int_equal(e.line, 3);
	results_free(&r);
	assert_int_equal(results_load("/nonexistent-mw", &r, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "No such file"));
	results_free(&r);
}

static void test_inline_svg(void **state)
{
	char p[128], *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	put("x.svg", "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<svg width='1'>\n"
		     "<g id=\"gnuplot_canvas\"><path id='gpPt0'/><use xlink:href='#gpPt0'/>"
		     "<rect fill=\"url(#pat1)\"/><a href=\"#x\">t</a><g id=\"gnuplot_canvas\"/>"
		     "<g id='gpPt0'/></g></svg>\n");
	snprintf(p, sizeof p, "%s/x.svg", dir);
	f = open_memstream(&buf, &len);
	assert_int_equal(html_inline_svg(f, p, "p3-"), 0);
	fclose(f);
	assert_string_equal(buf, "<svg width='1'>\n<g id=\"p3-gnuplot_canvas\"><path id='p3-gpPt0'/>"
				 "<use xlink:href='#p3-gpPt0'/><rect fill=\"url(#p3-pat1)\"/>"
				 "<a href=\"#p3-x\">t</a><g id=\"p3-gnuplot_canvas-dup1\"/>"
				 "<g id='p3-gpPt0-dup2'/></g></svg>\n");
	free(buf);
	f = open_memstream(&buf, &len);
	html_escape(f, "<a href=\"x\">&'</a>");
	fclose(f);
	assert_string_equal(buf, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
	free(buf);
	snprintf(p, sizeof p, "%s/missing.svg", dir);
	f = open_memstream(&buf, &len);
	assert_true(html_inline_svg(f, p, "p-") < 0);
	fclose(f);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_single_csv),
		cmocka_unit_test(test_inline_svg),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
