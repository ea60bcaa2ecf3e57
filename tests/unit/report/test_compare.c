/* test_compare.c -- the comparison's verdict rule (src/report/compare.h):
 * identical and same-distribution samples are the same; a 20 % slowdown is
 * DIFFERENT in the right direction; a 2 % change that KS detects on a huge
 * sample stays within the tolerance; which percentiles are judged at which
 * sample size. Samples come from a fixed seed, so every outcome is fixed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/compare.h"
#include "spec/rng.h"
#include "stats/sample.h"

enum { BIG = 200000 };
static double a[BIG], b[BIG];

/* n exponential values with the given mean, plus a 100 us floor, sorted. */
static void draw(struct rng *r, double *x, size_t n, double mean)
{
	for (size_t i = 0; i < n; i++)
		x[i] = 100 + -log(rng_uniform(r)) * mean;
	sample_sort(x, n);
}

static void test_identical(void **state)
{
	struct compare_figures c;
	struct rng r;

	(void)state;
	rng_seed(&r, 1, 0);
	draw(&r, a, 2000, 500);
	compare_figures(a, 2000, a, 2000, 0.01, 0.05, &c);
	assert_int_equal(c.verdict, COMPARE_SAME);
	assert_true(c.d == 0 && c.p == 1);
	for (int k = 0; k < COMPARE_NFIG; k++)
		assert_true(c.ratio[k] == 1);
	assert_string_equal(c.name[0], "mean");
	assert_string_equal(c.name[4], "p99.9");
	assert_non_null(strstr(c.reason, "does not tell"));
}

static void test_same_distribution(void **state)
{
	struct compare_figures c;
	struct rng r;

	(void)state;
	rng_seed(&r, 2, 0);
	draw(&r, a, 2000, 500);
	draw(&r, b, 2000, 500);
	compare_figures(a, 2000, b, 2000, 0.01, 0.05, &c);
	assert_int_equal(c.verdict, COMPARE_SAME);
	assert_true(c.p >= 0.01);
}

static void test_slower_and_faster(void **state)
{
	struct compare_figures c;
	struct rng r;

	(void)state;
	rng_seed(&r, 3, 0);
	draw(&r, a, 5000, 500);
	draw(&r, b, 5000, 600);
	compare_figures(a, 5000, b, 5000, 0.01, 0.05, &c);
	assert_int_equal(c.verdict, COMPARE_DIFFERENT);
	assert_true(c.p < 1e-6);
	assert_true(c.ratio[1] > 1.1 && c.ratio[1] < 1.3); /* p50: (100 + 0.69*600)/(100 + 0.69*500) */
	assert_true(c.worst >= 0 && c.judged[c.worst]);
	assert_non_null(strstr(c.reason, "B is slower"));
	assert_true(!isnan(c.d_at) && c.d_at >= 100);

	compare_figures(b, 5000, a, 5000, 0.01, 0.05, &c);
	assert_int_equal(c.verdict, COMPARE_DIFFERENT);
	assert_non_null(strstr(c.reason, "B is faster"));

	/* The same samples with a tolerance wider than the change: same. */
	compare_figures(a, 5000, b, 5000, 0.01, 0.5, &c);
	assert_int_equal(c.verdict, COMPARE_SAME);
	assert_non_null(strstr(c.reason, "within 50%"));
}

/* On 200,000 samples KS detects a 2 % stretch, but that is below the 5 %
 * tolerance: same within noise, and the reason says both things. */
static void test_significant_but_small(void **state)
{
	struct compare_figures c;
	struct rng r;

	(void)state;
	rng_seed(&r, 4, 0);
	draw(&r, a, BIG, 500);
	for (size_t i = 0; i < BIG; i++)
		b[i] = a[i] * 1.02;
	compare_figures(a, BIG, b, BIG, 0.01, 0.05, &c);
	assert_true(c.p < 0.01);
	assert_int_equal(c.verdict, COMPARE_SAME);
	assert_non_null(strstr(c.reason, "differ"));
	assert_non_null(strstr(c.reason, "within 5%"));
	/* With a 1 % tolerance the same change is a difference. */
	compare_figures(a, BIG, b, BIG, 0.01, 0.01, &c);
	assert_int_equal(c.verdict, COMPARE_DIFFERENT);
}

/* A percentile is judged when each side has >= 10 values above it; the
 * maximum never is, the mean always is. */
static void test_judged(void **state)
{
	struct compare_figures c;
	struct rng r;

	(void)state;
	rng_seed(&r, 5, 0);
	draw(&r, a, 1000, 500);
	draw(&r, b, 999, 500);
	compare_figures(a, 1000, a, 1000, 0.01, 0.05, &c);
	assert_true(c.judged[0] && c.judged[1] && c.judged[2] && c.judged[3]);
	assert_false(c.judged[4]);
	assert_false(c.judged[5]);
	/* 999 values: 9.99 above p99, so p99 is not judged any more. */
	compare_figures(a, 1000, b, 999, 0.01, 0.05, &c);
	assert_false(c.judged[3]);
	draw(&r, b, 10000, 500);
	compare_figures(b, 10000, b, 10000, 0.01, 0.05, &c);
	assert_true(c.judged[4]);

	/* Only the tail differs (the top 0.5 % tripled) on 1000 samples: p99.9
	 * and max change, but they are not judged, and KS sees a gap of 0.5 %. */
	memcpy(b, a, 1000 * sizeof *a);
	for (size_t i = 995; i < 1000; i++)
		b[i] *= 3;
	compare_figures(a, 1000, b, 1000, 0.01, 0.05, &c);
	assert_true(c.ratio[5] > 2.9);
	assert_int_equal(c.verdict, COMPARE_SAME);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_same_distribution),
		cmocka_unit_test(test_slower_and_faster),
		cmocka_unit_test(test_significant_but_small),
		cmocka_unit_test(test_judged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
