/* test_pacer.c -- the intended send schedule (src/client/pacer.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "client/pacer.h"
#include "util/clock.h"

static struct spec *sp(const char *text, enum spec_unit u)
{
	struct spec *s;
	struct err e;

	assert_int_equal(spec_parse(text, u, &s, &e), 0);
	return s;
}

static void test_period_is_absolute(void **state)
{
	struct pacer p;
	struct rng r;
	struct spec *s = sp("1ms", SPEC_TIME);

	rng_seed(&r, 1, 0);
	pacer_init(&p, PACER_PERIOD, s, 0, 1000, &r);
	for (int i = 0; i < 1000; i++)
		assert_true(pacer_next(&p, &r, 0) == 1000 + (int64_t)i * NSEC_PER_MSEC);
	spec_destroy(s);
}

static void test_rate(void **state)
{
	struct pacer p;
	struct rng r;
	struct spec *s = sp("250", SPEC_COUNT);

	rng_seed(&r, 1, 0);
	pacer_init(&p, PACER_RATE, s, 0, 0, &r);
	int64_t last = 0;
	for (int i = 0; i < 100; i++)
		last = pacer_next(&p, &r, 0);
	assert_true(last == 99 * 4 * NSEC_PER_MSEC);
	spec_destroy(s);
}

/* A ramp 2, 4, ..., 10 req/s with 1 s steps: step k holds rate_k requests. */
static void test_rate_steps(void **state)
{
	struct pacer p;
	struct rng r;
	struct spec *s = sp("aseq:min=2,max=10,step=2", SPEC_COUNT);
	int per_step[6] = { 0 };

	assert_int_equal(pacer_auto_count(PACER_RATE_STEPS, s, 1.0), 30);
	rng_seed(&r, 1, 0);
	pacer_init(&p, PACER_RATE_STEPS, s, 1.0, 0, &r);
	for (int i = 0; i < 30; i++) {
		int64_t t = pacer_next(&p, &r, 0);
		int step = (int)(t / NSEC_PER_SEC);

		assert_in_range(step, 0, 4);
		per_step[step]++;
	}
	for (int k = 0; k < 5; k++)
		assert_int_equal(per_step[k], 2 * (k + 1));
	spec_destroy(s);
}

static void test_auto_count(void **state)
{
	struct spec *s = sp("aseq:min=1,max=100", SPEC_TIME);

	assert_int_equal(pacer_auto_count(PACER_PERIOD, s, 0), 100);
	spec_destroy(s);
	s = sp("exp:100", SPEC_TIME);
	assert_int_equal(pacer_auto_count(PACER_PERIOD, s, 0), 0);
	spec_destroy(s);
}

static void test_closed(void **state)
{
	struct pacer p;
	struct rng r;

	rng_seed(&r, 1, 0);
	pacer_init(&p, PACER_CLOSED, NULL, 0, 0, &r);
	assert_true(pacer_next(&p, &r, 12345) == 12345);
	/* Never before the schedule's start, so 't' is never negative. */
	pacer_init(&p, PACER_CLOSED, NULL, 0, 50000, &r);
	assert_true(pacer_next(&p, &r, 12345) == 50000);
	assert_true(pacer_next(&p, &r, 60000) == 60000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_period_is_absolute),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_rate_steps),
		cmocka_unit_test(test_auto_count),
		cmocka_unit_test(test_closed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
