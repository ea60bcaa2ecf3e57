/* test_netbase.c -- the network baseline (src/import/netbase.h): the rule
 * that takes the clone's own hop off the observed network times (mean and
 * variance, shape kept, clipped at 0 with the mean kept, half each way),
 * baselines per edge that add up, leaf edges (one part, no default), and
 * the file validate writes and import reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import/netbase.h"
#include "stats/sample.h"

#define N 400

/* A skewed sample, sorted: 100 us and an exponential-like tail. */
static void skewed(double *x)
{
	for (int i = 0; i < N; i++)
		x[i] = 100e3 + 200e3 * -log(1 - (i + 0.5) / N);
}

/* Two independent draws each way of y add up to the round trip: the
 * round trip's variance is twice y's. */
static void test_rule_no_baseline(void **state)
{
	double x[N], y[N], xm, xv, ym, yv;

	(void)state;
	skewed(x);
	assert_int_equal(netbase_link(x, N, 0, 0, y), N);
	netbase_moments(x, N, &xm, &xv);
	netbase_moments(y, N, &ym, &yv);
	assert_true(fabs(2 * ym - xm) < 1);         /* the mean, half each way */
	assert_true(fabs(2 * yv / xv - 1) < 0.02);  /* the variance, half each way */
	for (int i = 1; i < N; i++)
		assert_true(y[i] >= y[i - 1] && y[0] >= 0); /* sorted, the shape kept */
	/* not half of each sample: that keeps a quarter of the variance each
	 * way, half of it round trip */
	assert_true(y[N - 1] - y[0] > 0.6 * (x[N - 1] - x[0]));
}

/* The baseline's mean and variance come off the original's. */
static void test_rule_subtracts(void **state)
{
	double x[N], y[N], xm, xv, ym, yv;
	const double bm = 20e3;

	(void)state;
	skewed(x);
	netbase_moments(x, N, &xm, &xv);
	assert_int_equal(netbase_link(x, N, bm, 0.25 * xv, y), N);
	netbase_moments(y, N, &ym, &yv);
	assert_true(fabs(2 * ym - (xm - bm)) < 1);
	assert_true(fabs(2 * yv / (0.75 * xv) - 1) < 0.05);
	/* one figure off every sample would clip the shortest at 0 and keep
	 * the spread; this keeps the order and takes the spread down */
	assert_true(y[0] > 0);
}

/* A baseline larger than the shortest times: clipped at 0, the mean kept. */
static void test_rule_clips(void **state)
{
	double x[N], y[N], xm, xv, ym, yv;

	(void)state;
	skewed(x);
	netbase_moments(x, N, &xm, &xv);
	assert_int_equal(netbase_link(x, N, xm - 40e3, 0, y), N);
	netbase_moments(y, N, &ym, &yv);
	assert_true(fabs(ym - 20e3) < 1); /* 40 us round trip: 20 us each way */
	assert_true(y[0] == 0 && y[N - 1] > 20e3);
	for (int i = 1; i < N; i++)
		assert_true(y[i] >= y[i - 1]);
	/* the clone's hop costs more than the original's network: no link */
	assert_int_equal(netbase_link(x, N, xm, 0, y), 0);
	assert_int_equal(netbase_link(x, N, xm + 1, 0, y), 0);
	/* a negative baseline (a residual) counts as 0 */
	assert_int_equal(netbase_link(x, N, -50e3, -xv, y), N);
	netbase_moments(y, N, &ym, &yv);
	assert_true(fabs(2 * ym - xm) < 1 && fabs(2 * yv / xv - 1) < 0.02);
	/* more variance in the hop than in the original: a constant */
	assert_int_equal(netbase_link(x, N, 10e3, 2 * xv, y), N);
	assert_true(fabs(y[0] - (xm - 10e3) / 2) < 1 && y[N - 1] == y[0]);
	assert_int_equal(netbase_link(x, 0, 0, 0, y), 0);
}

/* A stall among the clone's calls does not make the variance: the top and
 * bottom 1 % are clamped. */
static void test_moments_clamped(void **state)
{
	double x[N], m, v;

	(void)state;
	for (int i = 0; i < N; i++)
		x[i] = 100e3 + i;
	x[N - 1] = 10e6; /* one 10 ms stall */
	netbase_moments(x, N, &m, &v);
	assert_true(m < 101e3 && sqrt(v) < 200);
}

/* Per edge, with a default for the others; baselines add up. */
static void test_edges_add(void **state)
{
	struct netbase a, b;
	double m, v;

	(void)state;
	netbase_init(&a);
	netbase_init(&b);
	netbase_set(&a, "front", "cart", 100, 10);
	a.mean_ns = 50;
	a.var_ns2 = 5;
	netbase_set(&b, "front", "auth", 7, 1);
	netbase_set(&b, "front", "cart", -20, -4);
	b.mean_ns = 3;
	netbase_add(&a, &b);
	netbase_get(&a, "front", "cart", &m, &v);
	assert_true(m == 80 && v == 6);
	netbase_get(&a, "front", "auth", &m, &v);
	assert_true(m == 57 && v == 6); /* a's default + b's edge */
	netbase_get(&a, "cart", "front", &m, &v);
	assert_true(m == 53 && v == 5); /* the defaults */
	netbase_set(&a, "front", "auth", 1, 2);
	netbase_get(&a, "front", "auth", &m, &v);
	assert_true(m == 1 && v == 2 && a.n == 2);
	netbase_free(&a);
	netbase_free(&b);
}

/* Leaf edges: the rule in one part; no default, in lookups or sums. */
static void test_leaf(void **state)
{
	struct netbase a, b;
	double x[N], y[N], xm, xv, ym, yv, m, v;

	(void)state;
	skewed(x);
	netbase_moments(x, N, &xm, &xv);
	assert_int_equal(netbase_leaf_time(x, N, 50e3, 0.5 * xv, y), N);
	netbase_moments(y, N, &ym, &yv);
	assert_true(fabs(ym - (xm - 50e3)) < 1 && fabs(yv / (0.5 * xv) - 1) < 0.05);
	assert_int_equal(netbase_leaf_time(x, N, xm, 0, y), 0);

	netbase_init(&a);
	netbase_init(&b);
	a.mean_ns = 400;
	netbase_leaf(&a, "db", &m, &v);
	assert_true(m == 0 && v == 0);
	netbase_set_leaf(&b, "cat", "db", 100, 9);
	netbase_set_leaf(&b, "cart", "db", 300, 1);
	b.mean_ns = 7;
	netbase_add(&a, &b);
	netbase_leaf(&a, "db", &m, &v);
	assert_true(m == 200 && v == 5); /* the mean of its edges, no default */
	assert_true(a.mean_ns == 407);
	netbase_set(&b, "cat", "web", 1, 1);
	netbase_add(&a, &b);
	netbase_leaf(&a, "db", &m, &v);
	assert_true(m == 400 && v == 10);
	netbase_get(&a, "cat", "web", &m, &v);
	assert_true(m == 408 && v == 1); /* a's default and b's edge */
	netbase_free(&a);
	netbase_free(&b);
}

static char *tmpfile_with(const char *text)
{
	char *path = strdup("/tmp/mw-netbase-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

/* What netbase_write() writes, netbase_load() reads back; validate's --json
 * (its "network" member) too, older files by their median. */
static void test_file(void **state)
{
	struct netbase a, b;
	struct err e;
	double m, v;
	char *path = tmpfile_with("");
	FILE *f;

	(void)state;
	netbase_init(&a);
	netbase_init(&b);
	netbase_set(&a, "front", "cart", 420e3, 1600e6);
	netbase_set_leaf(&a, "cart", "db", 150e3, 0);
	a.mean_ns = 400e3;
	a.var_ns2 = -100e6;
	f = fopen(path, "w");
	netbase_write(f, &a);
	fclose(f);
	assert_int_equal(netbase_load(path, &b, &e), 0);
	netbase_get(&b, "front", "cart", &m, &v);
	assert_true(fabs(m - 420e3) < 1 && fabs(v - 1600e6) < 1e3);
	assert_true(fabs(b.mean_ns - 400e3) < 1 && fabs(b.var_ns2 + 100e6) < 1e3);
	netbase_leaf(&b, "db", &m, &v);
	assert_true(fabs(m - 150e3) < 1 && b.n == 2 && b.e[1].leaf && !b.e[0].leaf);
	/* loaded twice: added up */
	assert_int_equal(netbase_load(path, &b, &e), 0);
	netbase_get(&b, "front", "cart", &m, &v);
	assert_true(fabs(m - 840e3) < 1);
	unlink(path);
	free(path);
	netbase_free(&b);

	path = tmpfile_with("{\"entries\": [], \"network\": {\"edges\": [{\"from\": \"a\", \"to\": "
			    "\"b\", \"extra_us\": 300}], \"median_extra_us\": 250}}");
	assert_int_equal(netbase_load(path, &b, &e), 0);
	netbase_get(&b, "a", "b", &m, &v);
	assert_true(m == 300e3 && v == 0);
	assert_true(b.mean_ns == 250e3 && b.var_ns2 == 0);
	unlink(path);
	free(path);
	netbase_free(&b);

	path = tmpfile_with("{\"entries\": []}");
	assert_true(netbase_load(path, &b, &e) < 0);
	assert_non_null(strstr(e.msg, "no \"network\" member"));
	unlink(path);
	free(path);
	path = tmpfile_with("{\"network\": {\"edges\": [{\"from\": \"a\"}]}}");
	assert_true(netbase_load(path, &b, &e) < 0);
	assert_non_null(strstr(e.msg, "network edge 1"));
	unlink(path);
	free(path);
	/* an untraced clone's run: validate measured nothing */
	path = tmpfile_with("{\"network\": {\"edges\": [], \"median_extra_us\": null}}");
	assert_true(netbase_load(path, &b, &e) < 0);
	assert_non_null(strstr(e.msg, "measured no call edge"));
	unlink(path);
	free(path);
	assert_true(netbase_load("/nonexistent/x.json", &b, &e) < 0);
	assert_non_null(strstr(e.msg, "/nonexistent/x.json"));
	netbase_free(&a);
	netbase_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rule_no_baseline),
		cmocka_unit_test(test_rule_subtracts),
		cmocka_unit_test(test_rule_clips),
		cmocka_unit_test(test_moments_clamped),
		cmocka_unit_test(test_edges_add),
		cmocka_unit_test(test_leaf),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
