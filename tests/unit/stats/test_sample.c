/* test_sample.c -- exact sample statistics (src/stats/sample.h): the
 * nearest-rank percentile on hand-checked data, its agreement with the
 * histogram's definition, the p forgiveness at whole ranks, and the moments. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "spec/rng.h"
#include "stats/hist.h"
#include "stats/sample.h"

static void test_percentile_small(void **state)
{
	/* Ten values 10..100: rank ceil(p/10). */
	double x[] = { 70, 10, 100, 40, 20, 90, 30, 60, 50, 80 };
	size_t n = sizeof x / sizeof *x;

	(void)state;
	sample_sort(x, n);
	for (size_t i = 1; i < n; i++)
		assert_true(x[i - 1] <= x[i]);
	assert_true(sample_percentile(x, n, 0) == 10);
	assert_true(sample_percentile(x, n, -5) == 10);
	assert_true(sample_percentile(x, n, NAN) == 10);
	assert_true(sample_percentile(x, n, 1) == 10);
	assert_true(sample_percentile(x, n, 10) == 10);   /* rank 1 exactly */
	assert_true(sample_percentile(x, n, 10.01) == 20);
	assert_true(sample_percentile(x, n, 50) == 50);
	assert_true(sample_percentile(x, n, 90) == 90);
	assert_true(sample_percentile(x, n, 99) == 100);
	assert_true(sample_percentile(x, n, 100) == 100);
	assert_true(sample_percentile(x, n, 250) == 100);
	assert_true(sample_percentile(x, 0, 50) == 0);
}

/* 99.9 % of 1000 is rank 999: without the forgiveness, 99.9 / 100 * 1000 is
 * 999.0000000000001 and ceil() would give the maximum. */
static void test_percentile_whole_rank(void **state)
{
	static double x[1000];

	(void)state;
	for (size_t i = 0; i < 1000; i++)
		x[i] = (double)i + 1;
	assert_true(sample_percentile(x, 1000, 99.9) == 999);
	assert_true(sample_percentile(x, 1000, 99) == 990);
	assert_true(sample_percentile(x, 1000, 99.99) == 1000);
	assert_true(sample_percentile(x, 1000, 0.1) == 1);
}

/* The histogram reports the top of the bucket holding the same rank, so for
 * the same data hist >= exact >= hist / (1 + 1/128). */
static void test_agrees_with_hist(void **state)
{
	enum { N = 20000 };
	static double x[N];
	struct hist *h;
	struct rng r;
	const double ps[] = { 1, 25, 50, 90, 99, 99.9, 99.99 };

	(void)state;
	assert_int_equal(hist_create(&h), 0);
	rng_seed(&r, 7, 0);
	for (size_t i = 0; i < N; i++) {
		uint64_t v = 1000 + (uint64_t)(-log(rng_uniform(&r)) * 300000);

		x[i] = (double)v;
		hist_record(h, v);
	}
	sample_sort(x, N);
	for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) {
		double exact = sample_percentile(x, N, ps[i]);
		double hp = (double)hist_percentile(h, ps[i]);

		assert_true(hp >= exact);
		assert_true(hp <= exact * (1 + 1.0 / 128) + 1);
	}
	assert_true(fabs(sample_mean(x, N) - hist_mean(h)) < 1e-6 * hist_mean(h));
	assert_true(fabs(sample_stddev(x, N) - hist_stddev(h)) < 1e-6 * hist_stddev(h));
	hist_destroy(h);
}

static void test_moments(void **state)
{
	double x[] = { 2, 4, 4, 4, 5, 5, 7, 9 }; /* mean 5, population sd 2 */
	/* A large offset must not cancel the spread (the two-pass formula). */
	double y[] = { 1e12 + 2, 1e12 + 4, 1e12 + 4, 1e12 + 4, 1e12 + 5, 1e12 + 5, 1e12 + 7, 1e12 + 9 };

	(void)state;
	assert_true(sample_mean(x, 8) == 5);
	assert_true(fabs(sample_stddev(x, 8) - 2) < 1e-12);
	assert_true(fabs(sample_stddev(y, 8) - 2) < 1e-6);
	assert_true(sample_mean(x, 0) == 0);
	assert_true(sample_stddev(x, 1) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_percentile_small),
		cmocka_unit_test(test_percentile_whole_rank),
		cmocka_unit_test(test_agrees_with_hist),
		cmocka_unit_test(test_moments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
