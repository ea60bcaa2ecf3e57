/* test_ks.c -- the two-sample Kolmogorov-Smirnov test (src/stats/ks.h): the
 * Kolmogorov survival function against reference values, continuity where
 * it switches series, the distance on hand-checked samples (ties included),
 * and the p-value's behaviour on samples from one and from two
 * distributions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "spec/rng.h"
#include "stats/ks.h"
#include "stats/sample.h"

/* Q(lambda) = 2 sum (-1)^(k-1) exp(-2 k^2 lambda^2), summed to 200 terms in
 * double precision outside this program; the critical values 1.2238,
 * 1.3581 and 1.6276 are the textbook 10 %, 5 % and 1 % points of the
 * Kolmogorov distribution. */
static const struct {
	double lambda, q;
} ref[] = {
	{ 0.3, 0.999990694198665 },   { 0.5, 0.963945243664875 },
	{ 0.8, 0.544142411574198 },   { 1.0, 0.269999671677355 },
	{ 1.18, 0.123453809429766 },  { 1.2238, 0.100023427835678 },
	{ 1.3581, 0.0499996304316674 }, { 1.6276, 0.0100015373330608 },
	{ 2.0, 0.000670925255779695 }, { 3.0, 3.04599594894253e-08 },
};

static void test_q_reference(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof ref / sizeof *ref; i++) {
		double q = ks_q(ref[i].lambda);

		/* Absolute 1e-13, and relative 1e-9 where Q is tiny. */
		assert_true(fabs(q - ref[i].q) < 1e-13 || fabs(q / ref[i].q - 1) < 1e-9);
	}
	assert_true(fabs(ks_q(1.3581) - 0.05) < 1e-5);
	assert_true(fabs(ks_q(1.6276) - 0.01) < 1e-5);
}

static void test_q_edges(void **state)
{
	double prev = 1;

	(void)state;
	assert_true(ks_q(0) == 1);
	assert_true(ks_q(-1) == 1);
	assert_true(ks_q(NAN) == 1);
	assert_true(ks_q(0.01) == 1);
	assert_true(ks_q(10) >= 0 && ks_q(10) < 1e-80);
	/* Monotone and in [0, 1] across the whole range, and continuous where
	 * the two series meet. */
	for (double l = 0.02; l < 6; l += 0.001) {
		double q = ks_q(l);

		assert_true(q >= 0 && q <= 1);
		assert_true(q <= prev + 1e-15);
		prev = q;
	}
	assert_true(fabs(ks_q(1.18 - 1e-12) - ks_q(1.18 + 1e-12)) < 1e-11);
}

static void test_distance(void **state)
{
	double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };
	double c[] = { 1, 2, 3, 4 }, d[] = { 3, 4, 5, 6 };
	double t1[] = { 1, 1, 2 }, t2[] = { 1, 2, 2 };
	double at;

	(void)state;
	assert_true(ks_distance(a, 3, b, 3, NULL) == 1);
	assert_true(ks_distance(b, 3, a, 3, NULL) == 1);
	assert_true(ks_distance(a, 3, a, 3, NULL) == 0);
	assert_true(ks_distance(c, 4, d, 4, NULL) == 0.5);
	/* The gap of 1/2 is first reached after 2 ({1,2} vs {}). */
	assert_true(ks_distance(c, 4, d, 4, &at) == 0.5 && at == 2);
	assert_true(ks_distance(a, 3, a, 3, &at) == 0 && isnan(at));
	/* Tied values step together: at 1 the CDFs are 2/3 and 1/3, at 2 both 1. */
	assert_true(fabs(ks_distance(t1, 3, t2, 3, NULL) - 1.0 / 3) < 1e-15);
	/* Different sizes: {1} against {1, 2}: at 1, 1 - 1/2. */
	assert_true(ks_distance(a, 1, a, 2, NULL) == 0.5);
	assert_true(ks_distance(a, 0, b, 3, NULL) == 0);
	assert_true(ks_pvalue(0.5, 0, 3) == 1);
}

/* The p-value's formula: lambda = (sqrt(m) + 0.12 + 0.11 / sqrt(m)) * D. */
static void test_pvalue_formula(void **state)
{
	double m = 1000.0 * 1000 / 2000, s = sqrt(m);

	(void)state;
	assert_true(fabs(ks_pvalue(0.06, 1000, 1000) - ks_q((s + 0.12 + 0.11 / s) * 0.06)) < 1e-15);
	assert_true(ks_pvalue(0, 1000, 1000) == 1);
	assert_true(ks_pvalue(1, 1000, 1000) < 1e-100);
}

static void draw_exp(struct rng *r, double *x, size_t n, double mean)
{
	for (size_t i = 0; i < n; i++)
		x[i] = -log(rng_uniform(r)) * mean;
	sample_sort(x, n);
}

/* Samples of one distribution: p below 5 % about 5 % of the time. Samples
 * whose means differ by 20 %: p tiny every time. (Fixed seeds: the outcome is
 * deterministic, the bounds are only loose in case the rng changes.) */
static void test_pvalue_behaviour(void **state)
{
	enum { N = 500, TRIALS = 400 };
	static double a[5 * N], b[5 * N];
	struct rng r;
	int below = 0;

	(void)state;
	rng_seed(&r, 11, 0);
	for (int t = 0; t < TRIALS; t++) {
		draw_exp(&r, a, N, 100);
		draw_exp(&r, b, N, 100);
		if (ks_pvalue(ks_distance(a, N, b, N, NULL), N, N) < 0.05)
			below++;
	}
	assert_true(below >= TRIALS * 0.02 && below <= TRIALS * 0.09);
	for (int t = 0; t < 20; t++) {
		draw_exp(&r, a, 5 * N, 100);
		draw_exp(&r, b, 5 * N, 120);
		assert_true(ks_pvalue(ks_distance(a, 5 * N, b, 5 * N, NULL), 5 * N, 5 * N) < 0.01);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_q_reference),
		cmocka_unit_test(test_q_edges),
		cmocka_unit_test(test_distance),
		cmocka_unit_test(test_pvalue_formula),
		cmocka_unit_test(test_pvalue_behaviour),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
