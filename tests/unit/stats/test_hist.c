/* test_hist.c -- the fixed-memory histogram (src/stats/hist.h): exact moments,
 * the percentile error bound against exact nearest-rank values, overflow,
 * merging, bulk recording, reset and bucket iteration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spec/rng.h"
#include "stats/hist.h"

#define NVALS 100000

static uint64_t vals[NVALS];

static struct hist *mk(void)
{
	struct hist *h = NULL;

	assert_int_equal(hist_create(&h), 0);
	assert_non_null(h);
	return h;
}

/* Values spread over the whole binned range, 0 .. 2^43 - 1, with every
 * magnitude about equally likely (so small values are common too). */
static uint64_t wide_value(struct rng *r)
{
	return rng_next(r) >> (21 + rng_below(r, 43));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Exact nearest-rank percentile of n sorted values, k = ceil(p/100 * n). */
static uint64_t exact_pct(const uint64_t *sorted, size_t n, double p)
{
	long double x = (long double)p / 100 * n;
	uint64_t k;

	x -= x * 1e-14L; /* the same forgiveness for p such as 99.9 */
	k = (uint64_t)ceill(x);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return sorted[k - 1];
}

/* Asserts the documented bound: exact <= got <= exact + exact/128, and at
 * least p % of the values are <= got. */
static void check_pct(const struct hist *h, const uint64_t *sorted, size_t n, double p)
{
	uint64_t want = exact_pct(sorted, n, p), got = hist_percentile(h, p);
	size_t below = 0, lo = 0, hi = n;

	if (got < want || (got - want) * 128 > want)
		fail_msg("p%.6g: got %llu, exact %llu", p, (unsigned long long)got,
			 (unsigned long long)want);
	while (lo < hi) { /* number of values <= got */
		size_t mid = lo + (hi - lo) / 2;

		if (sorted[mid] <= got)
			lo = mid + 1;
		else
			hi = mid;
	}
	below = lo;
	assert_true((long double)below >= (long double)p / 100 * n * (1 - 1e-14L));
}

/* Collects the buckets hist_foreach() visits and checks their order and
 * widths as it goes. */
struct walk {
	uint64_t prev_hi, total, nb;
	uint64_t lo[8192], hi[8192], n[8192];
	int bad;
};

static void walk_fn(uint64_t lo, uint64_t hi, uint64_t count, void *arg)
{
	struct walk *w = arg;

	if (!(lo < hi && lo >= w->prev_hi && count > 0 && w->nb < 8192))
		w->bad++;
	/* Width at most max(1, lo/128): the source of the error bound. */
	if ((hi - lo) > 1 && (hi - lo) * 128 > lo)
		w->bad++;
	if (lo < 256 && hi != lo + 1)
		w->bad++;
	if (w->nb < 8192) {
		w->lo[w->nb] = lo;
		w->hi[w->nb] = hi;
		w->n[w->nb] = count;
	}
	w->nb++;
	w->prev_hi = hi;
	w->total += count;
}

static struct walk *walk(const struct hist *h)
{
	struct walk *w = calloc(1, sizeof *w);

	assert_non_null(w);
	hist_foreach(h, walk_fn, w);
	assert_int_equal(w->bad, 0);
	return w;
}

/* Count of the bucket holding v, from a walk. */
static uint64_t walk_count_at(const struct walk *w, uint64_t v)
{
	for (uint64_t i = 0; i < w->nb; i++)
		if (w->lo[i] <= v && v < w->hi[i])
			return w->n[i];
	return 0;
}

/* ---- moments ------------------------------------------------------------------ */

static void test_known_data(void **state)
{
	const uint64_t d[] = { 2, 4, 4, 4, 5, 5, 7, 9 };
	struct hist *h = mk();

	(void)state;
	for (size_t i = 0; i < sizeof d / sizeof d[0]; i++)
		assert_true(hist_record(h, d[i]));
	assert_true(hist_count(h) == 8);
	assert_true(hist_overflow(h) == 0);
	assert_true(hist_min(h) == 2);
	assert_true(hist_max(h) == 9);
	assert_true(hist_mean(h) == 5.0);
	assert_true(hist_stddev(h) == 2.0); /* population: divides by N */
	/* Small values are exact, so are their percentiles. */
	assert_true(hist_percentile(h, 50) == 4);
	assert_true(hist_percentile(h, 62.5) == 5);
	assert_true(hist_percentile(h, 62.6) == 5);
	assert_true(hist_percentile(h, 87.5) == 7);
	assert_true(hist_percentile(h, 87.6) == 9);
	hist_destroy(h);
}

/* A small spread on a large mean must not cancel away. */
static void test_stddev_no_cancellation(void **state)
{
	struct hist *h = mk();
	const uint64_t base = UINT64_C(5000000000000); /* 5e12 < 2^43 */

	(void)state;
	for (int i = 0; i < 1000; i++) {
		hist_record(h, base);
		hist_record(h, base + 2);
	}
	assert_true(hist_mean(h) == (double)(base + 1));
	assert_true(hist_stddev(h) == 1.0);

	/* A mean that is not an integer: base + 2/3, variance 2/9. */
	hist_reset(h);
	hist_record(h, base);
	hist_record_n(h, base + 1, 2);
	assert_float_equal(hist_stddev(h), sqrt(2.0) / 3, 1e-12);

	hist_reset(h);
	for (int i = 0; i < 10000; i++)
		hist_record(h, UINT64_C(1000000));
	assert_true(hist_mean(h) == 1e6);
	assert_true(hist_stddev(h) == 0.0);
	hist_destroy(h);
}

static void test_random_moments(void **state)
{
	struct hist *h = mk();
	unsigned __int128 sum = 0;
	uint64_t mn = UINT64_MAX, mx = 0;
	long double mean, ss = 0;
	struct rng r;

	(void)state;
	rng_seed(&r, 11, 0);
	for (size_t i = 0; i < NVALS; i++) {
		vals[i] = wide_value(&r);
		assert_true(hist_record(h, vals[i]));
		sum += vals[i];
		mn = vals[i] < mn ? vals[i] : mn;
		mx = vals[i] > mx ? vals[i] : mx;
	}
	mean = (long double)sum / NVALS;
	for (size_t i = 0; i < NVALS; i++)
		ss += ((long double)vals[i] - mean) * ((long double)vals[i] - mean);
	assert_true(hist_count(h) == NVALS);
	assert_true(hist_min(h) == mn);
	assert_true(hist_max(h) == mx);
	assert_true(hist_mean(h) == (double)mean);
	assert_float_equal(hist_stddev(h) / (double)sqrtl(ss / NVALS), 1.0, 1e-12);
	hist_destroy(h);
}

/* ---- percentiles -------------------------------------------------------------- */

static void test_percentile_bound(void **state)
{
	const double grid[] = { 1e-9, 0.001, 0.01, 0.1, 1,    5,     10,     25,      33.3,
				50,   66.6,  75,   90,  95,  99,    99.9,   99.99, 99.999,
				99.9999, 100 - 1e-9 };
	struct hist *h = mk();
	struct rng r;

	(void)state;
	rng_seed(&r, 12, 0);
	for (size_t i = 0; i < NVALS; i++) {
		vals[i] = wide_value(&r);
		hist_record(h, vals[i]);
	}
	qsort(vals, NVALS, sizeof vals[0], cmp_u64);
	for (size_t i = 0; i < sizeof grid / sizeof grid[0]; i++)
		check_pct(h, vals, NVALS, grid[i]);
	for (int i = 0; i < 2000; i++)
		check_pct(h, vals, NVALS, 100 * rng_uniform(&r));
	/* Every possible rank, on a smaller set. */
	hist_reset(h);
	for (size_t i = 0; i < 1000; i++) {
		vals[i] = wide_value(&r);
		hist_record(h, vals[i]);
	}
	qsort(vals, 1000, sizeof vals[0], cmp_u64);
	for (int k = 1; k <= 1000; k++)
		check_pct(h, vals, 1000, (k - 0.5) / 10.0);
	hist_destroy(h);
}

/* The bound holds at its worst: just above a power of two, where the relative
 * bucket width is largest, and at the top of the range. */
static void test_percentile_edges(void **state)
{
	struct hist *h = mk();

	(void)state;
	for (unsigned e = 8; e < 43; e++) {
		uint64_t lo = UINT64_C(1) << e, v[3] = { lo, lo + 1, 2 * lo - 1 };

		for (int i = 0; i < 3; i++) {
			uint64_t got;

			hist_reset(h);
			hist_record(h, 1);           /* min below */
			hist_record(h, v[i]);
			hist_record(h, HIST_MAX_VALUE); /* max above */
			got = hist_percentile(h, 50);
			if (got < v[i] || (got - v[i]) * 128 > v[i])
				fail_msg("2^%u: value %llu reported as %llu", e,
					 (unsigned long long)v[i], (unsigned long long)got);
		}
	}
	/* A lone value is reported exactly (clamped into [min, max]). */
	hist_reset(h);
	hist_record(h, UINT64_C(1000001));
	assert_true(hist_percentile(h, 50) == 1000001);
	hist_reset(h);
	hist_record(h, HIST_MAX_VALUE);
	assert_true(hist_record(h, HIST_MAX_VALUE));
	assert_true(hist_percentile(h, 50) == HIST_MAX_VALUE);
	assert_true(hist_overflow(h) == 0);
	hist_destroy(h);
}

static void test_small_values_exact(void **state)
{
	struct hist *h = mk();

	(void)state;
	/* 0..255, value v recorded v + 1 times. */
	for (uint64_t v = 0; v < 256; v++)
		for (uint64_t k = 0; k <= v; k++)
			hist_record(h, v);
	/* Rank of the last copy of v: (v + 1)(v + 2)/2 of 32896. */
	for (uint64_t v = 0; v < 256; v++) {
		double rank = (double)((v + 1) * (v + 2) / 2);

		assert_true(hist_percentile(h, 100 * rank / 32896) == v);
		if (v > 0)
			assert_true(hist_percentile(h, 100 * (rank - v) / 32896) == v);
	}
	hist_destroy(h);
}

static void test_p_extremes(void **state)
{
	struct hist *h = mk();

	(void)state;
	hist_record(h, 1234567);
	hist_record(h, 300);
	hist_record(h, 98765432);
	assert_true(hist_percentile(h, 0) == 300);
	assert_true(hist_percentile(h, -5) == 300);
	assert_true(hist_percentile(h, NAN) == 300);
	assert_true(hist_percentile(h, 100) == 98765432);
	assert_true(hist_percentile(h, 250) == 98765432);
	assert_true(hist_percentile(h, INFINITY) == 98765432);
	hist_destroy(h);
}

static void test_empty(void **state)
{
	struct hist *h = mk();
	struct walk *w;

	(void)state;
	assert_true(hist_count(h) == 0);
	assert_true(hist_overflow(h) == 0);
	assert_true(hist_min(h) == 0);
	assert_true(hist_max(h) == 0);
	assert_true(hist_mean(h) == 0);
	assert_true(hist_stddev(h) == 0);
	assert_true(hist_percentile(h, 50) == 0);
	assert_true(hist_percentile(h, 0) == 0);
	assert_true(hist_percentile(h, 100) == 0);
	w = walk(h);
	assert_true(w->nb == 0 && w->total == 0);
	free(w);
	hist_destroy(h);
	hist_destroy(NULL);
	assert_true(hist_memory() >= 4736 * sizeof(uint64_t) && hist_memory() < 64 * 1024);
}

/* ---- overflow ------------------------------------------------------------------- */

static void test_overflow(void **state)
{
	struct hist *h = mk();
	const uint64_t big = HIST_MAX_VALUE + 1;
	unsigned __int128 sum = (unsigned __int128)100 + 200 + big + UINT64_MAX;

	(void)state;
	assert_true(hist_record(h, 100));
	assert_true(hist_record(h, 200));
	assert_false(hist_record(h, big));
	assert_false(hist_record(h, UINT64_MAX));
	assert_true(hist_count(h) == 4);
	assert_true(hist_overflow(h) == 2);
	assert_true(hist_min(h) == 100);
	assert_true(hist_max(h) == UINT64_MAX);
	assert_true(hist_mean(h) == (double)((long double)sum / 4));
	assert_true(hist_stddev(h) == 50.0); /* binned samples only */
	assert_true(hist_percentile(h, 25) == 100);
	assert_true(hist_percentile(h, 50) == 200);
	assert_true(hist_percentile(h, 75) == UINT64_MAX); /* an overflow rank */
	assert_true(hist_percentile(h, 100) == UINT64_MAX);

	/* Only overflow: min and max still exact. */
	hist_reset(h);
	assert_false(hist_record(h, big + 5));
	assert_true(hist_count(h) == 1 && hist_overflow(h) == 1);
	assert_true(hist_min(h) == big + 5 && hist_max(h) == big + 5);
	assert_true(hist_stddev(h) == 0);
	assert_true(hist_percentile(h, 50) == big + 5);
	hist_destroy(h);
}

/* ---- bucket iteration ------------------------------------------------------- */

static void test_foreach(void **state)
{
	struct hist *h = mk();
	struct walk *w;
	struct rng r;

	(void)state;
	w = walk(h);
	assert_true(w->nb == 0);
	free(w);

	rng_seed(&r, 13, 0);
	for (size_t i = 0; i < NVALS; i++)
		hist_record(h, wide_value(&r));
	hist_record(h, HIST_MAX_VALUE + 1);
	hist_record(h, UINT64_MAX);
	hist_record_n(h, 1000, 7);
	hist_record(h, 1001);
	hist_record(h, 5);
	w = walk(h);
	assert_true(w->total == hist_count(h) - hist_overflow(h));
	assert_true(w->total == NVALS + 9);
	assert_true(w->lo[0] == hist_min(h) || (w->lo[0] <= hist_min(h) && hist_min(h) < w->hi[0]));
	/* 1000 and 1001 share the bucket [1000, 1004); 5 has its own. */
	assert_true(walk_count_at(w, 1000) >= 8);
	assert_true(walk_count_at(w, 1000) == walk_count_at(w, 1001));
	assert_true(walk_count_at(w, 5) >= 1);
	free(w);
	hist_destroy(h);
}

/* ---- merging, bulk recording, reset ---------------------------------------------- */

/* Asserts that a and b are indistinguishable through the API. */
static void same_hist(const struct hist *a, const struct hist *b)
{
	struct walk *wa, *wb;

	assert_true(hist_count(a) == hist_count(b));
	assert_true(hist_overflow(a) == hist_overflow(b));
	assert_true(hist_min(a) == hist_min(b));
	assert_true(hist_max(a) == hist_max(b));
	assert_true(hist_mean(a) == hist_mean(b));
	assert_true(hist_stddev(a) == hist_stddev(b));
	for (double p = 0; p <= 100; p += 0.5)
		assert_true(hist_percentile(a, p) == hist_percentile(b, p));
	assert_true(hist_percentile(a, 99.99) == hist_percentile(b, 99.99));
	wa = walk(a);
	wb = walk(b);
	assert_true(wa->nb == wb->nb);
	assert_true(memcmp(wa->lo, wb->lo, sizeof wa->lo) == 0);
	assert_true(memcmp(wa->hi, wb->hi, sizeof wa->hi) == 0);
	assert_true(memcmp(wa->n, wb->n, sizeof wa->n) == 0);
	free(wa);
	free(wb);
}

static void test_add(void **state)
{
	struct hist *all = mk(), *part[3], *dst = mk(), *empty = mk();
	struct rng r;

	(void)state;
	for (int i = 0; i < 3; i++)
		part[i] = mk();
	rng_seed(&r, 14, 0);
	for (size_t i = 0; i < 30000; i++) {
		uint64_t v = i % 997 == 0 ? HIST_MAX_VALUE + 1 + rng_below(&r, 1000) : wide_value(&r);
		int k = (int)rng_below(&r, 3);

		hist_record(all, v);
		hist_record(part[k], v);
	}
	for (int i = 0; i < 3; i++)
		hist_add(dst, part[i]);
	hist_add(dst, empty); /* an empty source changes nothing */
	same_hist(dst, all);
	assert_true(hist_overflow(dst) > 0);

	/* src is unchanged, and adding into an empty histogram copies it. */
	hist_reset(dst);
	hist_add(dst, part[1]);
	same_hist(dst, part[1]);
	assert_true(hist_count(part[1]) < hist_count(all));

	/* Adding an empty histogram to an empty one keeps it empty. */
	hist_reset(dst);
	hist_add(dst, empty);
	assert_true(hist_count(dst) == 0 && hist_min(dst) == 0 && hist_max(dst) == 0);
	hist_record(dst, 42);
	assert_true(hist_min(dst) == 42 && hist_max(dst) == 42);

	for (int i = 0; i < 3; i++)
		hist_destroy(part[i]);
	hist_destroy(all);
	hist_destroy(dst);
	hist_destroy(empty);
}

static void test_record_n(void **state)
{
	struct hist *a = mk(), *b = mk();
	const uint64_t v[] = { 0, 7, 255, 256, 1000, 123456789, HIST_MAX_VALUE, HIST_MAX_VALUE + 1,
			       UINT64_MAX };
	const uint64_t n[] = { 3, 1, 10, 2, 1000, 17, 4, 2, 1 };

	(void)state;
	for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
		bool in = v[i] <= HIST_MAX_VALUE;

		assert_true(hist_record_n(a, v[i], n[i]) == in);
		for (uint64_t k = 0; k < n[i]; k++)
			assert_true(hist_record(b, v[i]) == in);
	}
	same_hist(a, b);
	assert_true(hist_count(a) == 1040);
	assert_true(hist_overflow(a) == 3);

	/* n == 0 records nothing and only reports the range. */
	hist_reset(a);
	assert_true(hist_record_n(a, 5, 0));
	assert_false(hist_record_n(a, HIST_MAX_VALUE + 1, 0));
	assert_true(hist_count(a) == 0 && hist_overflow(a) == 0);
	assert_true(hist_min(a) == 0 && hist_max(a) == 0);
	hist_destroy(a);
	hist_destroy(b);
}

static void test_reset(void **state)
{
	struct hist *h = mk(), *fresh = mk();
	struct walk *w;

	(void)state;
	for (uint64_t v = 1; v < 100000; v += 37)
		hist_record(h, v);
	hist_record(h, UINT64_MAX);
	hist_reset(h);
	assert_true(hist_count(h) == 0 && hist_overflow(h) == 0);
	assert_true(hist_min(h) == 0 && hist_max(h) == 0);
	assert_true(hist_mean(h) == 0 && hist_stddev(h) == 0);
	assert_true(hist_percentile(h, 50) == 0);
	w = walk(h);
	assert_true(w->nb == 0);
	free(w);
	/* It works as new afterwards: min is not stuck at an old value. */
	hist_record(h, 5000);
	hist_record(h, 6000);
	hist_record(fresh, 5000);
	hist_record(fresh, 6000);
	same_hist(h, fresh);
	assert_true(hist_min(h) == 5000);
	hist_destroy(h);
	hist_destroy(fresh);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_data),
		cmocka_unit_test(test_stddev_no_cancellation),
		cmocka_unit_test(test_random_moments),
		cmocka_unit_test(test_percentile_bound),
		cmocka_unit_test(test_percentile_edges),
		cmocka_unit_test(test_small_values_exact),
		cmocka_unit_test(test_p_extremes),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_foreach),
		cmocka_unit_test(test_add),
		cmocka_unit_test(test_record_n),
		cmocka_unit_test(test_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
