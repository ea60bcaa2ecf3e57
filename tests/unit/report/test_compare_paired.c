/* test_compare_paired.c -- the verdict of interleaved blocks
 * (src/report/compare_paired.h): the sign test's ranks and the fewest
 * pairs per confidence; the interval is the sorted pairs' order statistics
 * and one disturbed pair does not stretch it; identical
 * scenarios whose blocks drift by up to 12 % between pairs (the machine's
 * doing) are SAME, while the single-run rule of compare.h calls two of
 * those same runs DIFFERENT; +10 % on B is DIFFERENT; blocks too small for
 * a judged figure are INCONCLUSIVE; a figure of 0 has no ratio. Latencies
 * come from a fixed seed, so every outcome is fixed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/compare.h"
#include "report/compare_paired.h"
#include "spec/rng.h"

enum { PAIRS = 8, PER_BLOCK = 20000 };
static double x[PER_BLOCK], y[PER_BLOCK];

/* The machine's level during pair i: slow drift, as between runs minutes
 * apart on a VM (0.92x to 1.12x). */
static const double level[PAIRS] = { 1.00, 1.12, 0.92, 1.08, 0.95, 1.10, 0.97, 1.05 };

/* n latencies of 100 us + exponential of mean 400 us, times scale. */
static void draw(struct rng *g, double *v, size_t n, double scale)
{
	for (size_t i = 0; i < n; i++)
		v[i] = (100 + -log(rng_uniform(g)) * 400) * scale;
}

/* PAIRS pairs in ABBA order: the block at position t runs at its pair's
 * level, +-1 % inside the pair (drift does not stop within one), and B's
 * latencies are factor times A's process. */
static void blocks(struct compare_block *a, struct compare_block *b, size_t n, double factor,
		   uint64_t seed)
{
	struct rng g;

	rng_seed(&g, seed, 0);
	for (unsigned t = 0; t < 2 * PAIRS; t++) {
		unsigned i = t / 2;
		int is_b = (t % 2) ^ (i % 2);
		double lvl = level[i] * (t % 2 ? 1.01 : 0.99);

		draw(&g, x, n, lvl * (is_b ? factor : 1));
		compare_block_figures(x, n, is_b ? &b[i] : &a[i]);
	}
}

static struct compare_rule rule(void)
{
	struct compare_rule r;

	compare_rule_default(&r);
	return r;
}

/* PAIRS drifting pairs of blocks of n requests, B = factor x A, judged. */
static void judge_blocks(size_t n, double factor, uint64_t seed, struct compare_rule *r,
			 struct compare_figures *c)
{
	struct compare_block a[PAIRS], b[PAIRS];

	blocks(a, b, n, factor, seed);
	compare_paired(a, b, PAIRS, r, c);
}

static void test_min_pairs(void **state)
{
	struct compare_rule r = rule();

	(void)state;
	/* p50 judged at 95 %; p90 and p99 watched, each at its share of the
	 * 5 % among the three figures that can say DIFFERENT */
	assert_int_equal(compare_family(&r), 3);
	assert_true(compare_level(&r, 1) == 0.95);
	assert_true(fabs(compare_level(&r, 2) - (1 - 0.05 / 3)) < 1e-12);
	assert_true(fabs(compare_level_max(&r) - (1 - 0.05 / 3)) < 1e-12);
	assert_int_equal(compare_paired_min_pairs(compare_level_max(&r)), 7);
	r.margin[3] = NAN; /* --watch p99=off: two figures, 97.5 % */
	assert_true(fabs(compare_level(&r, 2) - 0.975) < 1e-12);
	r.margin[2] = NAN; /* p50 alone: no share to take */
	assert_true(compare_level_max(&r) == 0.95);
	assert_int_equal(compare_paired_min_pairs(0.95), 6); /* 2/64 <= 0.05 < 2/32 */
	assert_int_equal(compare_paired_min_pairs(0.99), 8);
	assert_int_equal(compare_paired_min_pairs(0.90), 5);
	assert_int_equal(compare_paired_min_pairs(0.50), 2);
	assert_int_equal(compare_paired_min_pairs(1), 0);
	assert_int_equal(compare_paired_min_pairs(0), 0);
}

/* n pairs whose B/A ratios at every figure are ratio[i] (A 1000 us). */
static void ratio_pairs(struct compare_block *a, struct compare_block *b, const double *ratio,
			size_t n)
{
	memset(a, 0, n * sizeof *a);
	memset(b, 0, n * sizeof *b);
	for (size_t i = 0; i < n; i++) {
		a[i].n = b[i].n = 5000;
		for (int k = 0; k < COMPARE_NFIG; k++) {
			a[i].fig[k] = 1000;
			b[i].fig[k] = 1000 * ratio[i];
		}
	}
}

/* Ten pairs: B/A is their median, the 95 % interval the 2nd and 9th of the
 * sorted ratios (P(X <= 1) = 11/1024 <= 0.025 < P(X <= 2) for Binomial(10,
 * 1/2)). One pair disturbed by +40 % (other load during one block) leaves
 * the verdict SAME: a mean's t-interval would have been 0.96-1.10 and, at
 * p50's ±5 % margin, inconclusive. */
static void test_sign_interval(void **state)
{
	static const double ratio[10] = { 1.01, 0.98, 1.40, 1.02, 0.99,
					  1.00, 1.03, 0.97, 1.01, 1.02 };
	struct compare_block a[10], b[10];
	struct compare_rule r = rule();
	struct compare_figures c;

	(void)state;
	ratio_pairs(a, b, ratio, 10);
	compare_paired(a, b, 10, &r, &c);
	assert_true(fabs(c.ratio[1] - 1.01) < 1e-9);
	assert_true(fabs(c.lo[1] - 0.98) < 1e-9 && fabs(c.hi[1] - 1.03) < 1e-9);
	assert_int_equal(c.judged[1], FIG_SAME);
	assert_int_equal(c.verdict, COMPARE_SAME);
	/* at 99 % (rank 1 of 10: P(X <= 0) = 1/1024, P(X <= 1) > 0.005) the
	 * interval is the whole range, and the disturbed pair is its end */
	r.confidence = 0.99;
	compare_paired(a, b, 10, &r, &c);
	assert_true(fabs(c.lo[1] - 0.97) < 1e-9 && fabs(c.hi[1] - 1.40) < 1e-9);
	assert_int_equal(c.verdict, COMPARE_INCONCLUSIVE);
}

static void test_block_figures(void **state)
{
	struct compare_block bl;
	double v[5] = { 5, 1, 4, 2, 3 };

	(void)state;
	compare_block_figures(v, 5, &bl);
	assert_int_equal(bl.n, 5);
	assert_true(bl.fig[0] == 3 && bl.fig[1] == 3 && bl.fig[5] == 5);
	compare_block_figures(v, 0, &bl);
	assert_true(bl.n == 0 && isnan(bl.fig[1]));
}

static void test_drifting_identical_is_same(void **state)
{
	struct compare_rule r = rule();
	struct compare_figures c;

	(void)state;
	judge_blocks(PER_BLOCK, 1, 7, &r, &c);
	assert_int_equal(c.verdict, COMPARE_SAME);
	assert_int_equal(c.judged[1], FIG_SAME);
	assert_int_equal(c.judged[3], FIG_SAME);
	assert_int_equal(c.judged[5], FIG_NOT_JUDGED);
	assert_true(c.lo[1] <= 1 && c.hi[1] >= 1 && c.lo[1] < c.ratio[1] && c.ratio[1] < c.hi[1]);
	assert_true(isnan(c.lo[5]) && isnan(c.p)); /* max: no interval; no KS */
	assert_non_null(strstr(c.reason, "lies within its margin"));
	assert_null(strstr(c.reason, "KS"));
}

/* The same drift, judged by one run of each (a-1 against b-2, run minutes
 * apart at levels 1.00 and 1.12): the within-run bootstrap cannot see the
 * drift and calls two runs of one scenario DIFFERENT. */
static void test_single_run_rule_is_fooled(void **state)
{
	struct compare_rule r = rule();
	struct compare_figures c;
	struct rng g;

	(void)state;
	rng_seed(&g, 8, 0);
	draw(&g, x, PER_BLOCK, level[0]);
	draw(&g, y, PER_BLOCK, level[1]);
	compare_figures(x, PER_BLOCK, y, PER_BLOCK, &r, &c);
	assert_int_equal(c.verdict, COMPARE_DIFFERENT);
}

static void test_ten_percent_is_different(void **state)
{
	struct compare_block a[PAIRS], b[PAIRS];
	struct compare_rule r = rule();
	struct compare_figures c;

	(void)state;
	blocks(a, b, PER_BLOCK, 1.1, 9);
	compare_paired(a, b, PAIRS, &r, &c);
	assert_int_equal(c.verdict, COMPARE_DIFFERENT);
	assert_int_equal(c.judged[1], FIG_DIFFERENT);
	assert_true(c.lo[1] > 1.05 && c.hi[1] < 1.15);
	assert_true(fabs(c.ratio[1] - 1.1) < 0.03);
	assert_non_null(strstr(c.reason, "B is slower"));
	/* B/A the other way round: faster. */
	compare_paired(b, a, PAIRS, &r, &c);
	assert_int_equal(c.verdict, COMPARE_DIFFERENT);
	assert_non_null(strstr(c.reason, "B is faster"));
}

/* A watched figure's interval is at its share of the risk: ten pairs whose
 * p99 is 1.3x in nine and 0.9x in one. At 95 % (the 2nd to the 9th ratio)
 * that would exclude 1 and say DIFFERENT; at the watched 98.3 % (the whole
 * range) it holds 1, and p50, the same in every pair, makes it SAME. Judged
 * both ways (--margin p99=10, so p99 is not watched), p99's 95 % interval
 * clears 1 and the verdict is DIFFERENT. */
static void test_watched_share(void **state)
{
	static const double ones[10] = { 1, 1, 1, 1, 1, 1, 1, 1, 1, 1 };
	struct compare_block a[10], b[10];
	struct compare_rule r = rule();
	struct compare_figures c;

	(void)state;
	ratio_pairs(a, b, ones, 10);
	for (int i = 0; i < 10; i++)
		b[i].fig[3] = a[i].fig[3] * (i == 4 ? 0.9 : 1.3);
	compare_paired(a, b, 10, &r, &c);
	assert_true(fabs(c.level[3] - (1 - 0.05 / 3)) < 1e-12 && c.level[1] == 0.95);
	assert_true(fabs(c.lo[3] - 0.9) < 1e-9 && fabs(c.hi[3] - 1.3) < 1e-9);
	assert_int_equal(c.judged[3], FIG_INCONCLUSIVE);
	assert_int_equal(c.verdict, COMPARE_SAME);
	r.watch[3] = false;
	compare_paired(a, b, 10, &r, &c);
	assert_true(fabs(c.lo[3] - 1.3) < 1e-9);
	assert_int_equal(c.verdict, COMPARE_DIFFERENT);
	assert_int_equal(c.decisive, 3);
}

/* Five pairs cannot give a 95 % interval of the median (2/32 > 0.05): the
 * ratio is shown, the interval is not, and the reason says how many pairs
 * it takes (7: the watched figures' 98.3 % needs 2/128). */
static void test_too_few_pairs(void **state)
{
	static const double ratio[5] = { 1.0, 1.0, 1.0, 1.0, 1.0 };
	struct compare_block a[5], b[5];
	struct compare_rule r = rule();
	struct compare_figures c;

	(void)state;
	ratio_pairs(a, b, ratio, 5);
	compare_paired(a, b, 5, &r, &c);
	assert_true(c.ratio[1] == 1 && isnan(c.lo[1]) && isnan(c.hi[1]));
	assert_int_equal(c.verdict, COMPARE_INCONCLUSIVE);
	assert_non_null(strstr(c.reason, "no 95% interval"));
	assert_non_null(strstr(c.reason, "5 pairs are too few, it needs 7"));
}

/* A wide interval prints as one short field, not a 20-digit number. */
static void test_wide_interval_printed(void **state)
{
	struct compare_figures c;
	struct compare_rule r = rule();
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	(void)state;
	memset(&c, 0, sizeof c);
	for (int k = 0; k < COMPARE_NFIG; k++) {
		c.name[k] = "p50";
		c.a[k] = c.b[k] = c.ratio[k] = 1;
		c.lo[k] = 0, c.hi[k] = 8.8e18;
	}
	compare_print_table(f, &c, &r);
	fclose(f);
	assert_non_null(strstr(out, "0-8.8e+18"));
	assert_null(strstr(out, "8800000000000000000"));
	free(out);
}

static void test_too_few_and_zero(void **state)
{
	struct compare_block a[PAIRS], b[PAIRS];
	struct compare_rule r = rule();
	struct compare_figures c;

	(void)state;
	r.watch[3] = false; /* p99 judged both ways (--margin p99=10) */
	blocks(a, b, 500, 1, 10); /* p99 needs 1000 requests per block */
	compare_paired(a, b, PAIRS, &r, &c);
	assert_int_equal(c.verdict, COMPARE_INCONCLUSIVE);
	assert_int_equal(c.judged[3], FIG_TOO_FEW);
	assert_non_null(strstr(c.reason, "too few requests for p99"));
	r.margin[3] = NAN;
	a[2].fig[1] = 0; /* no ratio for p50 */
	compare_paired(a, b, PAIRS, &r, &c);
	assert_true(isnan(c.ratio[1]) && isnan(c.lo[1]));
	assert_int_equal(c.judged[1], FIG_INCONCLUSIVE);
	assert_int_equal(c.verdict, COMPARE_INCONCLUSIVE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_min_pairs),
		cmocka_unit_test(test_sign_interval),
		cmocka_unit_test(test_block_figures),
		cmocka_unit_test(test_drifting_identical_is_same),
		cmocka_unit_test(test_single_run_rule_is_fooled),
		cmocka_unit_test(test_ten_percent_is_different),
		cmocka_unit_test(test_watched_share),
		cmocka_unit_test(test_too_few_pairs),
		cmocka_unit_test(test_too_few_and_zero),
		cmocka_unit_test(test_wide_interval_printed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
