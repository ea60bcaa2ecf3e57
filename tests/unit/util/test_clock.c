/* test_clock.c -- the timer lead a node's worker takes off its sleeps: it
 * learns the mean lateness of sleeps that ended by their timeout, never leads
 * by more than the gap or CLOCK_LEAD_MAX_NS, and one long stall moves it by
 * one clamped sample's share only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "util/clock.h"

#define US NSEC_PER_USEC

/* n sleeps asked to end at t, each ended late_ns after it. */
static void learn_n(struct clock_lead *l, int n, int64_t late_ns)
{
	int64_t t = 1000 * NSEC_PER_SEC;

	for (int i = 0; i < n; i++, t += NSEC_PER_MSEC)
		clock_lead_learn(l, t, t + late_ns);
}

static void test_starts_at_zero(void **state)
{
	struct clock_lead l;

	(void)state;
	clock_lead_init(&l);
	assert_int_equal(clock_lead_ns(&l, NSEC_PER_MSEC), 0);
}

/* After a few dozen sleeps 60 us late each, the lead is about 60 us. */
static void test_learns_the_mean_lateness(void **state)
{
	struct clock_lead l;
	int64_t lead;

	(void)state;
	clock_lead_init(&l);
	learn_n(&l, 100, 60 * US);
	lead = clock_lead_ns(&l, NSEC_PER_MSEC);
	assert_in_range(lead, 59 * US, 60 * US);
	/* late by 20 or by 100 us alternately: their mean */
	clock_lead_init(&l);
	for (int i = 0; i < 200; i++)
		learn_n(&l, 1, i % 2 ? 100 * US : 20 * US);
	lead = clock_lead_ns(&l, NSEC_PER_MSEC);
	assert_in_range(lead, 55 * US, 65 * US);
}

/* Sleeps that end on time (or early: interrupted) bring the lead back down. */
static void test_decays_when_sleeps_are_on_time(void **state)
{
	struct clock_lead l;

	(void)state;
	clock_lead_init(&l);
	learn_n(&l, 100, 80 * US);
	learn_n(&l, 100, 0);
	assert_true(clock_lead_ns(&l, NSEC_PER_MSEC) < 1 * US);
	learn_n(&l, 100, 80 * US);
	learn_n(&l, 100, -30 * US); /* woke before it asked: counts as on time */
	assert_true(clock_lead_ns(&l, NSEC_PER_MSEC) < 1 * US);
}

/* Never more than the gap (a sleep of 10 us does not become a negative
 * one), nor than CLOCK_LEAD_MAX_NS however late sleeps end. */
static void test_bounded_by_gap_and_ceiling(void **state)
{
	struct clock_lead l;

	(void)state;
	clock_lead_init(&l);
	learn_n(&l, 100, 60 * US);
	assert_int_equal(clock_lead_ns(&l, 10 * US), 10 * US);
	assert_int_equal(clock_lead_ns(&l, 0), 0);
	assert_int_equal(clock_lead_ns(&l, -5 * US), 0);
	learn_n(&l, 200, 900 * US);
	assert_int_equal(clock_lead_ns(&l, NSEC_PER_SEC), CLOCK_LEAD_MAX_NS);
}

/* A 50 ms stall (the thread preempted) counts as CLOCK_LEAD_SAMPLE_MAX_NS:
 * the lead moves by a sixteenth of that, not to tens of ms. */
static void test_one_stall_moves_it_little(void **state)
{
	struct clock_lead l;
	int64_t before, after;

	(void)state;
	clock_lead_init(&l);
	learn_n(&l, 100, 40 * US);
	before = clock_lead_ns(&l, NSEC_PER_SEC);
	learn_n(&l, 1, 50 * NSEC_PER_MSEC);
	after = clock_lead_ns(&l, NSEC_PER_SEC);
	assert_true(after > before);
	assert_true(after - before <= CLOCK_LEAD_SAMPLE_MAX_NS / 16 + 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_starts_at_zero),
		cmocka_unit_test(test_learns_the_mean_lateness),
		cmocka_unit_test(test_decays_when_sleeps_are_on_time),
		cmocka_unit_test(test_bounded_by_gap_and_ceiling),
		cmocka_unit_test(test_one_stall_moves_it_little),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
