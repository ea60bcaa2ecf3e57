/* test_results.c -- the results directory's owner module (src/results/):
 * the status words both ways, requests.csv rows written by the client's
 * writer and read back by the readers (records_load, requests_scan), both
 * summary.json writers and the figure a run reads back, both run.json
 * variants, and a malformed file refused with its line. Files live in a
 * private mkdtemp() directory. */
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

#include "results/files.h"
#include "results/requests.h"
#include "results/run_json.h"
#include "results/status.h"
#include "results/summary_json.h"
#include "util/jsonin.h"

static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/mw-results-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	static const char *const names[] = { RESULTS_REQUESTS_CSV, RESULTS_SUMMARY_JSON,
					     RESULTS_RUN_JSON };

	(void)state;
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		results_path(path, sizeof path, dir, names[i]);
		unlink(path);
	}
	return rmdir(dir);
}

static void test_status_words(void **state)
{
	(void)state;
	for (int s = 0; s < RESULTS_NSTATUS; s++)
		assert_int_equal(results_status_parse(results_status_word((enum results_status)s)), s);
	assert_string_equal(results_status_word(RESULTS_TIMEOUT), "timeout");
	assert_string_equal(results_status_word(RESULTS_NSTATUS), "?");
	assert_int_equal(results_status_parse("fine"), -1);
	assert_int_equal(results_status_parse("OK"), -1);
	assert_string_equal(results_run_status(0, 0), "ok");
	assert_string_equal(results_run_status(0, 1), "failed");
	assert_string_equal(results_run_status(1, 130), "interrupted");
	assert_int_equal(results_path(path, 8, "/a/long/dir", "x"), -1);
}

static void count_row(enum results_status st, double latency_us, void *arg)
{
	double *sum = arg;

	sum[st] += 1;
	if (st == RESULTS_OK)
		sum[RESULTS_NSTATUS] += latency_us;
}

/* Rows as the client writes them (t0 = 1 s), read back by both readers. */
static void test_requests_round_trip(void **state)
{
	const int64_t t0 = 1000000000;
	char row[256];
	struct records r;
	struct err e;
	double sum[RESULTS_NSTATUS + 1] = { 0 };
	FILE *f;

	(void)state;
	results_path(path, sizeof path, dir, RESULTS_REQUESTS_CSV);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(REQUESTS_CSV_HEADER, f);
	requests_format_row(row, sizeof row, 0, 0, 0, RESULTS_OK, t0, t0, t0 + 1500, t0 + 101500);
	assert_string_equal(row, "0,0,0,0.000,1.500,101.500,101.500,100.000,1.500,ok\n");
	fputs(row, f);
	requests_format_row(row, sizeof row, 1, 2, 3, RESULTS_TIMEOUT, t0, t0 + 2000, t0 + 2001, 0);
	assert_string_equal(row, "1,2,3,2.000,2.001,,,,0.001,timeout\n");
	fputs(row, f);
	requests_format_row(row, sizeof row, 1, 2, 4, RESULTS_UNSENT, t0, t0 + 3000, 0, 0);
	assert_string_equal(row, "1,2,4,3.000,,,,,,unsent\n");
	fputs(row, f);
	assert_int_equal(fclose(f), 0);

	assert_int_equal(records_load(path, &r, &e), 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.count[REC_OK], 1);
	assert_int_equal(r.count[REC_TIMEOUT], 1);
	assert_int_equal(r.count[REC_UNSENT], 1);
	assert_true(r.latency_us[0] == 101.5);
	assert_true(isnan(r.sent_us[2]));
	records_free(&r);
	assert_int_equal(requests_scan(path, count_row, sum, &e), 0);
	assert_true(sum[RESULTS_OK] == 1 && sum[RESULTS_TIMEOUT] == 1 && sum[RESULTS_UNSENT] == 1);
	assert_true(sum[RESULTS_NSTATUS] == 101.5);

	/* A malformed row: an error with its line, after the rows before it. */
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("2,0,0,1.0,1.0,,,,0.0,misplaced\n", f);
	assert_int_equal(fclose(f), 0);
	memset(sum, 0, sizeof sum);
	assert_int_equal(requests_scan(path, count_row, sum, &e), -EINVAL);
	assert_int_equal(e.line, 5);
	assert_non_null(strstr(e.msg, "misplaced"));
	assert_true(sum[RESULTS_OK] == 1);
	assert_int_equal(records_load(path, &r, &e), -EINVAL);
	assert_int_equal(e.line, 5);
}

static struct jsonin *load(const char *name)
{
	struct jsonin *v = NULL;
	struct err e;

	results_path(path, sizeof path, dir, name);
	if (jsonin_load(path, &v, &e) != 0)
		fail_msg("%s: line %d: %s", path, e.line, e.msg);
	return v;
}

static void test_summary_json(void **state)
{
	struct hist *h;
	struct jsonin *v;

	(void)state;
	assert_int_equal(hist_create(&h), 0);
	hist_record(h, 100000);
	hist_record(h, 300000);
	struct summary_json_client c = {
		.target = "udp://127.0.0.1:7891", .program = "COMPUTE(1ms) REPLY", .seed = 7,
		.threads = 2, .sessions = 1, .requests = 5, .sent = 9, .ok = 2, .errors = 1,
		.timeouts = 2, .lost = 3, .unsent = 2, .unsent_interrupted = 1,
		.duration_ns = 1500000000, .achieved_rate = 9.5, .first_error = "forward failed",
		.lat = h, .svc = h, .lag = h,
	};
	results_path(path, sizeof path, dir, RESULTS_SUMMARY_JSON);
	assert_int_equal(summary_json_write_client(path, &c), 0);
	v = load(RESULTS_SUMMARY_JSON);
	assert_string_equal(jsonin_str(jsonin_get(v, "target")), "udp://127.0.0.1:7891");
	assert_string_equal(jsonin_str(jsonin_get(v, "command_line")), "");
	assert_true(jsonin_num(jsonin_get(v, "not_completed")) == 8);
	assert_int_equal(jsonin_get(v, "target_rate")->type, JSONIN_NULL);
	assert_true(jsonin_num(jsonin_get(jsonin_get(v, "latency"), "max")) > 299);
	assert_null(jsonin_get(v, "connect"));
	assert_null(jsonin_get(v, "trace"));
	jsonin_free(v);
	assert_int_equal(summary_json_unsent_interrupted(path), 1);
	struct summary_json_facts facts;
	assert_int_equal(summary_json_read_client(path, &facts), 0);
	assert_int_equal(facts.unsent_interrupted, 1);
	assert_true(isnan(facts.target_rate));
	assert_true(facts.achieved_rate == 9.5);
	assert_string_equal(facts.program, "COMPUTE(1ms) REPLY");
	free(facts.program);

	const char *groups[] = { "a", "b" };
	struct summary_json_run run = { .groups = groups, .ngroups = 2, .status = "ok",
					.requests = 4, .ok = 2, .unsent = 2, .lat = h };
	assert_int_equal(summary_json_write_run(path, &run), 0);
	v = load(RESULTS_SUMMARY_JSON);
	assert_string_equal(jsonin_str(jsonin_get(v, "scope")), "run");
	assert_string_equal(jsonin_str(jsonin_at(jsonin_get(v, "groups"), 1)), "b");
	assert_true(jsonin_num(jsonin_get(v, "unsent")) == 2);
	jsonin_free(v);
	/* no such figure, no such file: 0 */
	assert_int_equal(summary_json_unsent_interrupted(path), 0);
	assert_int_equal(summary_json_unsent_interrupted("/nonexistent/summary.json"), 0);
	assert_int_equal(summary_json_read_client("/nonexistent/summary.json", &facts), -1);
	assert_null(facts.program);
	hist_destroy(h);
}

static void test_run_json(void **state)
{
	const char *reps[] = { "127.0.0.1:40001", "127.0.0.1:40002" };
	const char *sets[] = { "seed=3" };
	struct run_json_service svc = { "front", reps, 2 };
	struct run_json_client cl[] = { { "load", "meshwalk client -q", true, 0 },
					{ "late", NULL, false, 0 } };
	struct run_json r = { .scenario = "demo", .scenario_file = "demo.yaml", .overrides = sets,
			      .noverrides = 1, .seed = 12345678901234567ull, .started = 0,
			      .ended = 86400, .emulation = "none", .services = &svc, .nservices = 1,
			      .status = "failed", .exit_status = 1, .failure = "node died",
			      .clients = cl, .nclients = 2 };
	struct jsonin *v;
	struct err e;

	(void)state;
	assert_int_equal(run_json_write(dir, &r, &e), 0);
	v = load(RESULTS_RUN_JSON);
	assert_string_equal(jsonin_text(jsonin_get(v, "seed")), "12345678901234567");
	assert_string_equal(jsonin_str(jsonin_get(v, "ended")), "1970-01-02T00:00:00Z");
	assert_non_null(jsonin_get(v, "host"));
	assert_string_equal(jsonin_str(jsonin_get(jsonin_get(v, "network"), "emulation")), "none");
	assert_string_equal(jsonin_str(jsonin_at(jsonin_get(jsonin_at(jsonin_get(v, "services"), 0),
							     "replicas"), 1)), "127.0.0.1:40002");
	assert_int_equal(jsonin_get(jsonin_at(jsonin_get(v, "clients"), 1), "exit_status")->type,
			 JSONIN_NULL);
	assert_null(jsonin_get(v, "deployed"));
	jsonin_free(v);

	struct run_json d = { .scenario = "demo", .deploy_dir = "k8s", .collected = 0,
			      .status = "ok", .clients = cl, .nclients = 1 };
	assert_int_equal(run_json_write(dir, &d, &e), 0);
	v = load(RESULTS_RUN_JSON);
	assert_int_equal(jsonin_get(v, "deployed")->type, JSONIN_BOOL);
	assert_string_equal(jsonin_str(jsonin_get(v, "collected")), "1970-01-01T00:00:00Z");
	assert_int_equal(jsonin_get(v, "failure")->type, JSONIN_NULL);
	assert_null(jsonin_get(v, "host"));
	jsonin_free(v);

	/* cut short: refused with the line of the problem */
	results_path(path, sizeof path, dir, RESULTS_RUN_JSON);
	assert_int_equal(truncate(path, 40), 0);
	v = NULL;
	assert_int_equal(jsonin_load(path, &v, &e), -EINVAL);
	assert_int_equal(e.line, 3);
	assert_int_equal(run_json_write("/nonexistent/dir", &d, &e), -1);
	assert_non_null(strstr(e.msg, "cannot write /nonexistent/dir/run.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_words),
		cmocka_unit_test(test_requests_round_trip),
		cmocka_unit_test(test_summary_json),
		cmocka_unit_test(test_run_json),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
