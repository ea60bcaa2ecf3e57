/* test_bootstrap.c -- the block bootstrap's intervals of B/A
 * (src/stats/bootstrap.h): the same seed gives the same interval and
 * another seed a different one; samples of one distribution give intervals
 * holding 1, a 20 % shift intervals excluding it; an autocorrelated series
 * gets longer blocks and wider intervals than a value-by-value bootstrap;
 * bad arguments are refused. Samples come from fixed seeds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "spec/rng.h"
#include "stats/bootstrap.h"

enum { N = 4000 };
static double a[N], b[N];
static const double stats[] = { NAN, 50, 90, 99 }; /* mean, p50, p90, p99 */

/* n exponential values with the given mean above a 100 us floor, times
 * scale; with ar > 0 each value leans on the one before (a queue). */
static void draw(uint64_t seed, double *x, size_t n, double mean, double scale, double ar)
{
	struct rng r;
	double q = 0;

	rng_seed(&r, seed, 0);
	for (size_t i = 0; i < n; i++) {
		q = ar * q + (1 - ar) * -log(rng_uniform(&r)) * mean;
		x[i] = (100 + q) * scale;
	}
}

static struct boot_opts opts(uint64_t seed)
{
	struct boot_opts o = { .resamples = 1000, .confidence = 0.95, .seed = seed };

	return o;
}

static void test_deterministic(void **state)
{
	struct boot_opts o = opts(7);
	struct boot_ci c1, c2, c3;

	(void)state;
	draw(1, a, N, 400, 1, 0);
	draw(2, b, N, 400, 1, 0);
	assert_int_equal(boot_ratio_ci(a, N, b, N, stats, 4, &o, &c1), 0);
	assert_int_equal(boot_ratio_ci(a, N, b, N, stats, 4, &o, &c2), 0);
	for (int i = 0; i < 4; i++) {
		assert_true(c1.lo[i] == c2.lo[i] && c1.hi[i] == c2.hi[i]);
		assert_true(c1.lo[i] < c1.hi[i]);
	}
	assert_int_equal(c1.resamples, 1000);
	o.seed = 8;
	assert_int_equal(boot_ratio_ci(a, N, b, N, stats, 4, &o, &c3), 0);
	assert_true(c3.lo[1] != c1.lo[1] || c3.hi[1] != c1.hi[1]);
}

static void test_identical_and_same_distribution(void **state)
{
	struct boot_opts o = opts(1);
	struct boot_ci c;

	(void)state;
	draw(3, a, N, 400, 1, 0);
	/* A sample against itself: every ratio's interval holds 1. */
	assert_int_equal(boot_ratio_ci(a, N, a, N, stats, 4, &o, &c), 0);
	for (int i = 0; i < 4; i++)
		assert_true(c.lo[i] <= 1 && c.hi[i] >= 1);
	/* Two samples of one distribution: so does every interval, and p50's
	 * is narrow (a few per cent) at 4000 values. */
	draw(4, b, N, 400, 1, 0);
	assert_int_equal(boot_ratio_ci(a, N, b, N, stats, 4, &o, &c), 0);
	for (int i = 0; i < 4; i++)
		assert_true(c.lo[i] <= 1 && c.hi[i] >= 1);
	assert_true(c.hi[1] - c.lo[1] < 0.1);
	assert_int_equal(c.block_a, 1); /* independent values: no blocks */
	assert_int_equal(c.block_b, 1);
}

static void test_shifted(void **state)
{
	struct boot_opts o = opts(1);
	struct boot_ci c;

	(void)state;
	draw(5, a, N, 400, 1, 0);
	draw(6, b, N, 400, 1.2, 0);
	assert_int_equal(boot_ratio_ci(a, N, b, N, stats, 4, &o, &c), 0);
	for (int i = 0; i < 4; i++) {
		assert_true(c.lo[i] > 1);
		assert_true(c.lo[i] < 1.2 && c.hi[i] > 1.2); /* and they hold the true 1.2 */
	}
	/* The other way round: below 1, around 1/1.2. */
	assert_int_equal(boot_ratio_ci(b, N, a, N, stats, 2, &o, &c), 0);
	assert_true(c.hi[0] < 1 && c.hi[1] < 1);
	assert_true(c.lo[1] < 1 / 1.2 && c.hi[1] > 1 / 1.2);
}

/* Ten values: the interval of p50 is wide, far wider than a 5 % margin. */
static void test_tiny(void **state)
{
	struct boot_opts o = opts(1);
	struct boot_ci c;

	(void)state;
	draw(7, a, 10, 400, 1, 0);
	draw(8, b, 10, 400, 1, 0);
	assert_int_equal(boot_ratio_ci(a, 10, b, 10, stats, 2, &o, &c), 0);
	assert_true(c.hi[1] - c.lo[1] > 0.3);
	assert_true(c.lo[1] <= 1 && c.hi[1] >= 1);
}

/* A queue-like series: neighbours are correlated, so the automatic block
 * length is well above 1 and the interval wider than with blocks of 1,
 * which would claim a precision the series does not have. */
static void test_autocorrelated(void **state)
{
	struct boot_opts o = opts(1);
	struct boot_ci blocks, single;

	(void)state;
	draw(9, a, N, 400, 1, 0.95);
	draw(10, b, N, 400, 1, 0.95);
	assert_true(boot_block_length(a, N) >= 10);
	assert_int_equal(boot_ratio_ci(a, N, b, N, stats, 4, &o, &blocks), 0);
	o.block_a = o.block_b = 1;
	assert_int_equal(boot_ratio_ci(a, N, b, N, stats, 4, &o, &single), 0);
	assert_true(blocks.block_a >= 10 && single.block_a == 1);
	assert_true(blocks.hi[1] - blocks.lo[1] > 2 * (single.hi[1] - single.lo[1]));
	/* The bound: at most min(3 sqrt(n), n / 3). */
	assert_true(boot_block_length(a, 30) <= 10);
}

static void test_bounds_and_errors(void **state)
{
	struct boot_opts o = opts(1);
	struct boot_ci c;
	double bad = 0;

	(void)state;
	assert_int_equal(boot_resamples_bound(2000, 1000, 1000), 2000);
	assert_int_equal(boot_resamples_bound(2000, 1000000, 1000000), BOOT_MIN_RESAMPLES);
	assert_int_equal(boot_resamples_bound(2000, 200000, 200000), 1000);
	assert_int_equal(boot_ratio_ci(a, 0, b, 10, stats, 1, &o, &c), -EINVAL);
	assert_int_equal(boot_ratio_ci(a, 10, b, 10, &bad, 1, &o, &c), -EINVAL);
	o.confidence = 1;
	assert_int_equal(boot_ratio_ci(a, 10, b, 10, stats, 1, &o, &c), -EINVAL);
	o = opts(1);
	o.resamples = 0;
	assert_int_equal(boot_ratio_ci(a, 10, b, 10, stats, 1, &o, &c), -EINVAL);
	/* A side whose statistic is 0 has no ratio: NAN. */
	o = opts(1);
	for (int i = 0; i < 10; i++)
		a[i] = 0;
	assert_int_equal(boot_ratio_ci(a, 10, b, 10, stats, 2, &o, &c), 0);
	assert_true(isnan(c.lo[1]) && isnan(c.hi[1]));
	assert_int_equal(boot_block_length(a, 10), 1); /* constant: no correlation to measure */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_identical_and_same_distribution),
		cmocka_unit_test(test_shifted),
		cmocka_unit_test(test_tiny),
		cmocka_unit_test(test_autocorrelated),
		cmocka_unit_test(test_bounds_and_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
