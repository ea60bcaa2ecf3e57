/* test_compare.c -- the comparison's verdict rule (src/report/compare.h):
 * identical and same-distribution samples are SAME; a 20 % slowdown is
 * DIFFERENT in the right direction; a 2 % change that KS detects on a large
 * sample is SAME (within the margin) and KS's disagreement is noted; a change
 * near the margin, or too few requests for a judged figure, is INCONCLUSIVE
 * with the reason; a watched figure (p99) counts only when different; the
 * intervals are the same from one call to the next; the rule's edges on
 * hand-set intervals (different: the interval excludes 1 and the ratio lies
 * beyond the margin).
 * Samples come from a fixed seed, so every outcome is fixed. */
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

enum { BIG = 50000 };
static double a[BIG], b[BIG];

/* n exponential values with the given mean above a 100 us floor, in the
 * order drawn (a time series without correlation). */
static void draw(struct rng *r, double *x, size_t n, double mean)
{
	for (size_t i = 0; i < n; i++)
		x[i] = 100 + -log(rng_uniform(r)) * mean;
}

static void scale(const double *x, double *y, size_t n, double f)
{
	for (size_t i = 0; i < n; i++)
		y[i] = x[i] * f;
}

static struct compare_rule rule(void)
{
	struct compare_rule r;

	compare_rule_default(&r);
	return r;
}

static void test_identical(void **state)
{
	struct compare_rule r = rule();
	struct compare_figures c;
	struct rng g;

	(void)state;
	rng_seed(&g, 1, 0);
	draw(&g, a, 10000, 500);
	compare_figures(a, 10000, a, 10000, &r, &c);
	assert_int_equal(c.verdict, COMPARE_SAME);
	assert_true(c.d == 0 && c.p == 1);
	for (int k = 0; k < COMPARE_NFIG; k++)
		assert_true(c.ratio[k] == 1);
	assert_true(c.lo[1] <= 1 && c.hi[1] >= 1);
	assert_int_equal(c.judged[1], FIG_SAME);
	assert_int_equal(c.judged[3], FIG_SAME);
	assert_int_equal(c.judged[0], FIG_NOT_JUDGED); /* the mean has no margin by default */
	assert_true(isnan(c.lo[5])); /* the maximum has no interval */
	assert_string_equal(c.name[0], "mean");
	assert_string_equal(c.name[4], "p99.9");
	assert_non_null(strstr(c.reason, "lies within its margin"));
}

static void test_same_distribution(void **state)
{
	struct compare_rule r = rule();
	struct compare_figures c, again;
	struct rng g;

	(void)state;
	rng_seed(&g, 2, 0);
	draw(&g, a, 10000, 500);
	draw(&g, b, 10000, 500);
	compare_figures(a, 10000, b, 10000, &r, &c);
	assert_int_equal(c.verdict, COMPARE_SAME);
	assert_true(c.p >= 0.01);
	/* Deterministic: the same inputs and seed, the same intervals. */
	compare_figures(a, 10000, b, 10000, &r, &again);
	for (int k = 0; k < COMPARE_MAX; k++)
		assert_true(c.lo[k] == again.lo[k] && c.hi[k] == again.hi[k]);
	assert_string_equal(c.reason, again.reason);
}

static void test_slower_and_faster(void **state)
{
	struct compare_rule r = rule();
	struct compare_figures c;
	struct rng g;

	(void)state;
	rng_seed(&g, 3, 0);
	draw(&g, a, 5000, 500);
	draw(&g, b, 5000, 600);
	compare_figures(a, 5000, b, 5000, &r, &c);
	assert_int_equal(c.verdict, COMPARE_DIFFERENT);
	assert_true(c.p < 1e-6);
	assert_true(c.ratio[1] > 1.1 && c.ratio[1] < 1.3); /* p50: (100 + 0.69*600)/(100 + 0.69*500) */
	assert_true(c.lo[1] > 1.05);
	assert_true(c.decisive >= 0 && c.judged[c.decisive] == FIG_DIFFERENT);
	assert_non_null(strstr(c.reason, "B is slower"));
	assert_true(!isnan(c.d_at) && c.d_at >= 100);

	compare_figures(b, 5000, a, 5000, &r, &c);
	assert_int_equal(c.verdict, COMPARE_DIFFERENT);
	assert_non_null(strstr(c.reason, "B is faster"));

	/* The same samples with margins wider than the change: same. */
	r.margin[1] = r.margin[2] = r.margin[3] = 0.5;
	compare_figures(a, 5000, b, 5000, &r, &c);
	assert_int_equal(c.verdict, COMPARE_SAME);
	assert_non_null(strstr(c.reason, "±50%"));
}

/* On 50,000 samples KS detects a 2 % stretch, but that is inside the 5 %
 * and 10 % margins: SAME, and the reason says KS saw it. */
static void test_significant_but_small(void **state)
{
	struct compare_rule r = rule();
	struct compare_figures c;
	struct rng g;

	(void)state;
	r.resamples = 500;
	rng_seed(&g, 4, 0);
	draw(&g, a, BIG, 500);
	scale(a, b, BIG, 1.02);
	compare_figures(a, BIG, b, BIG, &r, &c);
	assert_true(c.p < 0.01);
	assert_int_equal(c.verdict, COMPARE_SAME);
	assert_non_null(strstr(c.reason, "KS tells the samples apart"));
	/* With a 0.5 % margin on the mean the same change is a difference. */
	r.margin[0] = 0.005;
	compare_figures(a, BIG, b, BIG, &r, &c);
	assert_int_equal(c.judged[0], FIG_DIFFERENT);
	assert_int_equal(c.verdict, COMPARE_DIFFERENT);
	assert_int_equal(c.decisive, 0);
}

/* Identical samples of 8000 requests whose slowest 2 % come from a 20 ms
 * mode (a heavy tail, as runs on a VM have): p50 and p90 are pinned down,
 * p99 is not (its interval is far wider than +-10 %). Watched (the
 * default), p99 does not stand in the way of SAME, and the reason says it
 * was not resolved; judged both ways (--margin p99=10), the verdict is
 * INCONCLUSIVE, saying so, rather than a SAME the data cannot back. */
static void test_identical_but_short(void **state)
{
	struct compare_rule r = rule();
	struct compare_figures c;
	struct rng g;

	(void)state;
	rng_seed(&g, 7, 0);
	for (size_t i = 0; i < 8000; i++) {
		double u = rng_uniform(&g);

		a[i] = 100 + -log(rng_uniform(&g)) * (u < 0.02 ? 20000 : 500);
	}
	compare_figures(a, 8000, a, 8000, &r, &c);
	assert_true(c.lo[3] < 0.9 && c.hi[3] > 1.1);
	assert_int_equal(c.judged[1], FIG_SAME);
	assert_int_equal(c.judged[2], FIG_SAME);
	assert_int_equal(c.judged[3], FIG_INCONCLUSIVE);
	assert_int_equal(c.verdict, COMPARE_SAME);
	assert_non_null(strstr(c.reason, "(p50 "));
	/* p99 is named once, as watched, not among the judged figures */
	assert_non_null(strstr(c.reason, "; watched p99 "));
	assert_true(strstr(c.reason, "p99") == strstr(c.reason, "; watched p99 ") + 10);
	assert_non_null(strstr(c.reason, "not resolved"));
	r.watch[3] = false;
	compare_figures(a, 8000, a, 8000, &r, &c);
	assert_int_equal(c.verdict, COMPARE_INCONCLUSIVE);
	assert_non_null(strstr(c.reason, "wider than the margin: p99"));
}

/* A change in the tail alone: the slowest 2 % three times slower. p50 and
 * p90 are the same, p99 (watched) lies far outside its margin: DIFFERENT,
 * on p99. */
static void test_watched_tail(void **state)
{
	struct compare_rule r = rule();
	struct compare_figures c;
	struct rng g;

	(void)state;
	rng_seed(&g, 8, 0);
	draw(&g, a, 20000, 500);
	memcpy(b, a, 20000 * sizeof *b);
	for (size_t i = 0; i < 20000; i++)
		if (b[i] > 100 + 500 * log(50.0)) /* above the 98th percentile */
			b[i] *= 3;
	compare_figures(a, 20000, b, 20000, &r, &c);
	assert_true(c.watch[3] && !c.watch[1]);
	assert_int_equal(c.judged[1], FIG_SAME);
	assert_int_equal(c.judged[2], FIG_SAME);
	assert_int_equal(c.judged[3], FIG_DIFFERENT);
	assert_int_equal(c.verdict, COMPARE_DIFFERENT);
	assert_int_equal(c.decisive, 3);
	assert_non_null(strstr(c.reason, "B's p99 is"));
	/* Watched no more (--watch p99=off): the tail goes unseen. */
	r.margin[3] = NAN;
	compare_figures(a, 20000, b, 20000, &r, &c);
	assert_int_equal(c.verdict, COMPARE_SAME);
}

/* p50 alone judged (±5 %), its ratio and interval set by hand. */
static enum compare_verdict decide_p50(double ratio, double lo, double hi)
{
	struct compare_rule r = rule();
	struct compare_figures c;

	memset(&c, 0, sizeof c);
	for (int k = 0; k < COMPARE_NFIG; k++) {
		c.name[k] = "p50";
		c.a[k] = c.b[k] = c.ratio[k] = c.lo[k] = c.hi[k] = NAN;
		r.margin[k] = NAN;
		r.watch[k] = false;
		c.margin[k] = NAN;
	}
	r.margin[1] = c.margin[1] = 0.05;
	c.a[1] = 1000, c.b[1] = 1000 * ratio;
	c.ratio[1] = ratio, c.lo[1] = lo, c.hi[1] = hi;
	c.d = c.d_at = c.p = NAN;
	compare_decide(&c, 5000, 5000, &r);
	return c.verdict;
}

static void test_rule_edges(void **state)
{
	(void)state;
	assert_int_equal(decide_p50(1.00, 0.96, 1.04), COMPARE_SAME);
	assert_int_equal(decide_p50(1.08, 1.06, 1.10), COMPARE_DIFFERENT);
	/* excludes 1, beyond the margin by its best estimate: different, though
	 * the interval reaches inside the margin */
	assert_int_equal(decide_p50(1.08, 1.03, 1.12), COMPARE_DIFFERENT);
	assert_int_equal(decide_p50(0.92, 0.88, 0.97), COMPARE_DIFFERENT);
	/* excludes 1 but the estimate is within the margin: a real change too
	 * small to matter, not shown to be small enough either */
	assert_int_equal(decide_p50(1.04, 1.01, 1.07), COMPARE_INCONCLUSIVE);
	/* beyond the margin by its estimate but the interval holds 1 */
	assert_int_equal(decide_p50(1.08, 0.99, 1.17), COMPARE_INCONCLUSIVE);
}

/* A 5 % change on 2000 requests: p50's interval holds both 1.05 and values
 * inside the margin, so the data cannot say; neither SAME nor DIFFERENT. */
static void test_inconclusive_at_the_edge(void **state)
{
	struct compare_rule r = rule();
	struct compare_figures c;
	struct rng g;

	(void)state;
	rng_seed(&g, 5, 0);
	draw(&g, a, 2000, 500);
	draw(&g, b, 2000, 500);
	scale(b, b, 2000, 1.05);
	r.margin[2] = r.margin[3] = NAN; /* judge p50 alone */
	compare_figures(a, 2000, b, 2000, &r, &c);
	assert_true(c.lo[1] < 1.05 && c.hi[1] > 1.05);
	assert_int_equal(c.judged[1], FIG_INCONCLUSIVE);
	assert_int_equal(c.verdict, COMPARE_INCONCLUSIVE);
	assert_int_equal(c.decisive, 1);
	assert_non_null(strstr(c.reason, "p50"));
}

/* p99 needs 10 values above it on each side, so 1000 requests: with 999
 * it is "too few" and the verdict INCONCLUSIVE naming the cure; a clear
 * difference elsewhere still makes it DIFFERENT. */
static void test_too_few(void **state)
{
	struct compare_rule r = rule();
	struct compare_figures c;
	struct rng g;

	(void)state;
	rng_seed(&g, 6, 0);
	draw(&g, a, 1000, 500);
	compare_figures(a, 1000, a, 1000, &r, &c);
	assert_int_not_equal(c.judged[3], FIG_TOO_FEW);
	assert_true(isnan(c.lo[4])); /* p99.9 from 1000: no interval */
	compare_figures(a, 1000, a, 999, &r, &c);
	assert_int_equal(c.judged[3], FIG_TOO_FEW);
	/* watched, p99 does not decide (p50's interval from 1000 does); judged,
	 * it is the reason */
	assert_null(strstr(c.reason, "p99"));
	r.watch[3] = false;
	compare_figures(a, 1000, a, 999, &r, &c);
	assert_int_equal(c.verdict, COMPARE_INCONCLUSIVE);
	assert_non_null(strstr(c.reason, "too few requests for p99: it needs 1000 ok per side"));
	assert_non_null(strstr(c.reason, "--margin p99=off"));

	scale(a, b, 500, 1.5);
	compare_figures(a, 500, b, 500, &r, &c);
	assert_int_equal(c.judged[3], FIG_TOO_FEW);
	assert_int_equal(c.verdict, COMPARE_DIFFERENT);

	/* Ten requests: not even p50 (it needs 20). */
	compare_figures(a, 10, a, 10, &r, &c);
	assert_int_equal(c.judged[1], FIG_TOO_FEW);
	assert_int_equal(c.verdict, COMPARE_INCONCLUSIVE);
}

static void test_names(void **state)
{
	(void)state;
	assert_int_equal(compare_fig_index("p99.9"), 4);
	assert_int_equal(compare_fig_index("p95"), -1);
	assert_string_equal(compare_fig_name(FIG_TOO_FEW), "too few");
	assert_string_equal(compare_verdict_word(COMPARE_INCONCLUSIVE), "INCONCLUSIVE");
	assert_string_equal(compare_verdict_key(COMPARE_SAME), "same");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_identical),
		cmocka_unit_test(test_same_distribution),
		cmocka_unit_test(test_slower_and_faster),
		cmocka_unit_test(test_significant_but_small),
		cmocka_unit_test(test_identical_but_short),
		cmocka_unit_test(test_watched_tail),
		cmocka_unit_test(test_rule_edges),
		cmocka_unit_test(test_inconclusive_at_the_edge),
		cmocka_unit_test(test_too_few),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
