/* test_rng.c -- reproducibility, stream independence and range of the rng. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "spec/rng.h"

static void test_reproducible(void **state)
{
	struct rng a, b;

	(void)state;
	rng_seed(&a, 42, 7);
	rng_seed(&b, 42, 7);
	for (int i = 0; i < 10000; i++)
		assert_true(rng_next(&a) == rng_next(&b));
}

static void test_streams_differ(void **state)
{
	struct rng r[8];
	uint64_t first[8];

	(void)state;
	/* Streams 0..3 of seed 1 and seeds 0..3 of stream 1, all different,
	 * already at the first output and for a long run after it. */
	for (int i = 0; i < 4; i++) {
		rng_seed(&r[i], 1, (uint64_t)i);
		rng_seed(&r[4 + i], (uint64_t)i, 1);
	}
	for (int i = 0; i < 8; i++)
		first[i] = rng_next(&r[i]);
	for (int i = 0; i < 8; i++)
		for (int j = i + 1; j < 8; j++) {
			int same = first[i] == first[j];

			if (i == 1 && j == 5) /* (1,1) is both */
				continue;
			for (int k = 0; k < 1000; k++)
				same += rng_next(&r[i]) == rng_next(&r[j]);
			assert_int_equal(same, 0);
		}
}

static void test_seed_zero(void **state)
{
	struct rng r;
	uint64_t x = 0;

	(void)state;
	rng_seed(&r, 0, 0);
	for (int i = 0; i < 100; i++)
		x |= rng_next(&r);
	assert_true(x != 0);
}

static void test_uniform_open_interval(void **state)
{
	struct rng r;
	double sum = 0, lo = 1, hi = 0;
	const int n = 1000000;

	(void)state;
	rng_seed(&r, 2024, 0);
	for (int i = 0; i < n; i++) {
		double u = rng_uniform(&r);

		assert_true(u > 0 && u < 1);
		sum += u;
		lo = fmin(lo, u);
		hi = fmax(hi, u);
	}
	assert_true(fabs(sum / n - 0.5) < 0.002);
	assert_true(lo < 1e-5 && hi > 1 - 1e-5);
}

/* An rng whose next output is x: xoshiro256** returns rotl(s1*5,7)*9, which is
 * invertible, so s[1] can be chosen. */
static void rng_force(struct rng *r, uint64_t x)
{
	uint64_t inv9 = 0x8e38e38e38e38e39ULL, inv5 = 0xcccccccccccccccdULL;
	uint64_t y = x * inv9;

	y = (y >> 7) | (y << 57);
	r->s[0] = 1;
	r->s[1] = y * inv5;
	r->s[2] = 2;
	r->s[3] = 3;
}

static void test_uniform_extremes(void **state)
{
	struct rng r;

	(void)state;
	rng_force(&r, UINT64_MAX);
	assert_true(rng_next(&r) == UINT64_MAX);
	rng_force(&r, UINT64_MAX);
	assert_true(rng_uniform(&r) < 1.0);
	rng_force(&r, 0);
	assert_true(rng_next(&r) == 0);
	rng_force(&r, 0);
	assert_true(rng_uniform(&r) > 0.0); /* 0 is drawn again */
	rng_force(&r, 1 << 11);
	assert_true(rng_uniform(&r) == 0x1p-53);
}

static void test_normal(void **state)
{
	struct rng r;
	double sum = 0, sq = 0;
	const int n = 200000;

	(void)state;
	rng_seed(&r, 5, 5);
	for (int i = 0; i < n; i++) {
		double z = rng_normal(&r);

		assert_true(isfinite(z));
		sum += z;
		sq += z * z;
	}
	assert_true(fabs(sum / n) < 0.01);
	assert_true(fabs(sq / n - 1) < 0.02);
}

static void test_below(void **state)
{
	struct rng r;
	int hist[7] = { 0 };

	(void)state;
	rng_seed(&r, 9, 0);
	for (int i = 0; i < 70000; i++) {
		uint64_t v = rng_below(&r, 7);

		assert_true(v < 7);
		hist[v]++;
	}
	for (int i = 0; i < 7; i++)
		assert_true(hist[i] > 9500 && hist[i] < 10500);
	assert_true(rng_below(&r, 1) == 0);
}

/* Replicas started from one command line: the same salt gives the same
 * seed, pod names that differ in one character give unrelated seeds, and
 * an empty salt still moves the seed (it is a salt, not "none"). */
static void test_salted_seed(void **state)
{
	const char *pods[] = { "web-7d9f8-abcde", "web-7d9f8-abcdf", "web-7d9f8-x", "" };
	uint64_t s[4];

	(void)state;
	for (int i = 0; i < 4; i++) {
		s[i] = rng_salted_seed(1011, pods[i]);
		assert_true(s[i] == rng_salted_seed(1011, pods[i]));
		assert_true(s[i] != 1011);
		assert_true(s[i] != rng_salted_seed(1012, pods[i]));
		for (int j = 0; j < i; j++) {
			assert_true(s[i] != s[j]);
			/* unrelated: about half the bits differ, not a handful */
			int bits = __builtin_popcountll(s[i] ^ s[j]);

			assert_in_range(bits, 12, 52);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_streams_differ),
		cmocka_unit_test(test_seed_zero),
		cmocka_unit_test(test_uniform_open_interval),
		cmocka_unit_test(test_uniform_extremes),
		cmocka_unit_test(test_normal),
		cmocka_unit_test(test_below),
		cmocka_unit_test(test_salted_seed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
