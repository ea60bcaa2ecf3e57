/* test_results.c -- the results directory's owner module (src/results/):
 * the status words both ways, requests.csv rows written by the client's
 * writer and read back by the readers (records_load, requests_scan), both
 * summary.json writers and the figure a run reads back, the terminal
 * summary printed from a client's summary.json, both run.json
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
#include "results/summary_text.h"
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

/* f's text so far, from the start (a memstream's). */
static char *text_of(FILE *f, char **buf)
{
	fflush(f);
	return *buf;
}

/* The client's terminal summary and meshwalk run's copy come from one
 * printer on summary.json: the same text, every figure the file's, and a
 * file that is not a client's summary prints nothing. */
static void test_summary_text(void **state)
{
	struct hist *h, *none;
	char *own = NULL, *copy = NULL, *bad = NULL;
	size_t own_len, copy_len, bad_len;
	FILE *fo, *fc, *fb;
	struct err e;

	(void)state;
	assert_int_equal(hist_create(&h), 0);
	assert_int_equal(hist_create(&none), 0);
	hist_record(h, 100000);
	hist_record(h, 300000);
	struct summary_json_client c = {
		.target = "udp://127.0.0.1:7891", .program = "REPLY", .seed = 12345678901234567ull,
		.threads = 2, .sent = 9, .ok = 2, .errors = 1, .timeouts = 2, .lost = 3, .unsent = 2,
		.unsent_interrupted = 1, .target_rate = 20.0, .achieved_rate = 19.99999,
		.lat = h, .svc = h, .lag = none, .conn = h, .traced = true, .trace_recorded = 4,
		.trace_exported = 3, .trace_dropped = 1,
	};
	results_path(path, sizeof path, dir, RESULTS_SUMMARY_JSON);
	assert_int_equal(summary_json_write_client(path, &c), 0);
	fo = open_memstream(&own, &own_len);
	fc = open_memstream(&copy, &copy_len);
	assert_int_equal(summary_text_print_client(fo, &c, true, &e), 0);
	assert_int_equal(summary_text_print_file(fc, path, &e), 0);
	assert_non_null(strstr(text_of(fo, &own),
			       "--- meshwalk client summary: udp://127.0.0.1:7891, 2 threads, "
			       "seed 12345678901234567 ---\n"
			       "requests: sent 9, ok 2, errors 1, timeouts 2, lost 3, unsent 2 "
			       "(not completed: 8; the Sent pkts lines count lost and unsent under error)\n"
			       "interrupted: 1 requests not sent (counted in unsent, no CSV rows)\n"
			       "rate: target 20.0 req/s, achieved 20.0 req/s (-0.00%)\n"
			       "latency (intended send->reply) us: min 100.0  mean 200.0  p50 "));
	assert_non_null(strstr(own, "\nsend lag (actual-intended) us:     (no samples)\n"
				    "connect() us:                      min 100.0"));
	assert_non_null(strstr(own, "\ntraces: 4 spans recorded, 3 exported, 1 dropped\n"));
	/* run's copy: the same but for the Sent pkts note (its clients run -q) */
	assert_null(strstr(text_of(fc, &copy), "Sent pkts"));
	assert_non_null(strstr(copy, "(not completed: 8)\n"));
	assert_string_equal(strstr(own, "interrupted:"), strstr(copy, "interrupted:"));

	/* a closed loop, no connect or trace lines: still identical */
	c = (struct summary_json_client){ .target = "127.0.0.1:1", .program = "REPLY", .threads = 1,
					  .achieved_rate = 12.25, .lat = h, .svc = h, .lag = h };
	assert_int_equal(summary_json_write_client(path, &c), 0);
	rewind(fo);
	rewind(fc);
	assert_int_equal(summary_text_print_client(fo, &c, false, &e), 0);
	assert_int_equal(summary_text_print_file(fc, path, &e), 0);
	fputc('\0', fo);
	fputc('\0', fc);
	assert_string_equal(text_of(fo, &own), text_of(fc, &copy));
	assert_non_null(strstr(own, ", 1 thread, seed 0 ---\n"));
	assert_non_null(strstr(own, "\nrate: closed loop, achieved 12.2 req/s\n"));
	/* a file without the unrounded figures (older) prints the rounded ones */
	FILE *g = fopen(path, "w");
	fprintf(g, "{\"target\": \"x\", \"threads\": 1, \"seed\": 1, \"sent\": 1, \"ok\": 1, "
		"\"errors\": 0, \"timeouts\": 0, \"lost\": 0, \"unsent\": 0, "
		"\"unsent_interrupted\": 0, \"target_rate\": 20.000, \"achieved_rate\": 19.960, %s}",
		"\"latency\": {\"count\": 1, \"min\": 1, \"mean\": 1.050, \"p50\": 1, \"p90\": 1, "
		"\"p99\": 1, \"p99_9\": 1, \"max\": 1}, \"service\": {\"count\": 0, \"min\": 0, "
		"\"mean\": 0, \"p50\": 0, \"p90\": 0, \"p99\": 0, \"p99_9\": 0, \"max\": 0}, "
		"\"send_lag\": {\"count\": 0, \"min\": 0, \"mean\": 0, \"p50\": 0, \"p90\": 0, "
		"\"p99\": 0, \"p99_9\": 0, \"max\": 0}");
	fclose(g);
	rewind(fc);
	assert_int_equal(summary_text_print_file(fc, path, &e), 0);
	fputc('\0', fc);
	assert_non_null(strstr(text_of(fc, &copy), "rate: target 20.0 req/s, achieved 20.0 req/s "
					 "(-0.20%)\nlatency (intended send->reply) us: min 1.0  "
					 "mean 1.1  p50 1.0"));
	assert_null(strstr(own, "connect()"));
	assert_null(strstr(own, "traces:"));

	/* not a client's summary (a run's merged one), garbage, no file */
	fb = open_memstream(&bad, &bad_len);
	const char *groups[] = { "a" };
	struct summary_json_run run = { .groups = groups, .ngroups = 1, .status = "ok", .lat = h };
	assert_int_equal(summary_json_write_run(path, &run), 0);
	assert_int_equal(summary_text_print_file(fb, path, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "not a client's summary (no valid target)"));
	g = fopen(path, "w");
	fputs("{\"target\": \"x\", \"sent\": 1", g);
	fclose(g);
	assert_int_equal(summary_text_print_file(fb, path, &e), -EINVAL);
	assert_non_null(strstr(e.msg, path));
	assert_int_equal(summary_text_print_file(fb, "/nonexistent/summary.json", &e), -EINVAL);
	fflush(fb);
	assert_int_equal(bad_len, 0);
	fclose(fo);
	fclose(fc);
	fclose(fb);
	free(own);
	free(copy);
	free(bad);
	hist_destroy(h);
	hist_destroy(none);
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
		cmocka_unit_test(test_summary_text),
		cmocka_unit_test(test_run_json),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
