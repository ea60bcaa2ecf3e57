/* test_critpath.c -- the critical path of one trace (src/report/critpath.h):
 * sequential and parallel children, fire-and-forget and skewed children,
 * nesting, and the times always summing to the entry's duration. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "report/critpath.h"

#define US 1000

static struct tv_span sp(uint32_t parent, int64_t start_us, int64_t dur_us)
{
	return (struct tv_span){ .parent = parent, .start_ns = start_us * US, .dur_ns = dur_us * US };
}

/* root [0,100]: a [10,40], then b [50,90]: root's own time is the gaps. */
static void sequential(void **state)
{
	struct tv_span s[] = { sp(TV_NONE, 0, 100), sp(0, 10, 30), sp(0, 50, 40) };
	int64_t on[3];

	(void)state;
	assert_int_equal(critpath(s, 3, 0, on), 100 * US);
	assert_int_equal(on[0], 30 * US); /* 0-10, 40-50, 90-100 */
	assert_int_equal(on[1], 30 * US);
	assert_int_equal(on[2], 40 * US);
}

/* Parallel calls: only the one that ended last is waited for. */
static void parallel(void **state)
{
	struct tv_span s[] = { sp(TV_NONE, 0, 100), sp(0, 10, 80), sp(0, 10, 30) };
	int64_t on[3];

	(void)state;
	assert_int_equal(critpath(s, 3, 0, on), 100 * US);
	assert_int_equal(on[1], 80 * US);
	assert_int_equal(on[2], 0); /* overlapped by the longer call */
	assert_int_equal(on[0], 20 * US);
}

/* A call that outlives its caller was not waited for (fire and forget):
 * not on the path; one that starts before it (skew) counts from its start. */
static void clamped(void **state)
{
	struct tv_span s[] = { sp(TV_NONE, 0, 100), sp(0, 60, 100), sp(0, -20, 40) };
	int64_t on[3];

	(void)state;
	assert_int_equal(critpath(s, 3, 0, on), 100 * US);
	assert_int_equal(on[1], 0);
	assert_int_equal(on[2], 20 * US);
	assert_int_equal(on[0], 80 * US);
}

/* root -> a -> b: times go down the chain; a span outside the entry's
 * subtree (another root) gets nothing. */
static void nested(void **state)
{
	struct tv_span s[] = { sp(TV_NONE, 0, 100), sp(0, 10, 80), sp(1, 20, 50),
			       sp(TV_NONE, 0, 500) };
	int64_t on[4];

	(void)state;
	assert_int_equal(critpath(s, 4, 0, on), 100 * US);
	assert_int_equal(on[0], 20 * US);
	assert_int_equal(on[1], 30 * US);
	assert_int_equal(on[2], 50 * US);
	assert_int_equal(on[3], 0);
}

/* Many overlapping children in any order: still sums to the duration. */
static void sums(void **state)
{
	struct tv_span s[64];
	int64_t on[64], total = 0;

	(void)state;
	s[0] = sp(TV_NONE, 0, 1000);
	for (uint32_t i = 1; i < 64; i++)
		s[i] = sp(i < 32 ? 0 : i - 31, (int64_t)(i * 37 % 900), (int64_t)(i * 53 % 300 + 1));
	assert_int_equal(critpath(s, 64, 0, on), 1000 * US);
	for (uint32_t i = 0; i < 64; i++) {
		assert_true(on[i] >= 0);
		total += on[i];
	}
	assert_int_equal(total, 1000 * US);
	assert_int_equal(critpath(s, 64, 99, on), 0); /* no such entry */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sequential), cmocka_unit_test(parallel), cmocka_unit_test(clamped),
		cmocka_unit_test(nested),     cmocka_unit_test(sums),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
