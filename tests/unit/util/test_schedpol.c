/* test_schedpol.c -- the --sched-policy parser: every form, ranges, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/schedpol.h"

static void test_other(void **state)
{
	struct schedpol p;
	struct err e;

	(void)state;
	assert_int_equal(schedpol_parse("other", &p, &e), 0);
	assert_int_equal(p.kind, SCHEDPOL_OTHER);
	assert_false(p.has_nice);
	assert_int_equal(schedpol_parse("other:5", &p, &e), 0);
	assert_true(p.has_nice);
	assert_int_equal(p.nice, 5);
	assert_int_equal(schedpol_parse("other:-20", &p, &e), 0);
	assert_int_equal(p.nice, -20);
	assert_int_equal(schedpol_parse("other:19", &p, &e), 0);
	assert_int_equal(p.nice, 19);
}

static void test_rt(void **state)
{
	struct schedpol p;
	struct err e;

	(void)state;
	assert_int_equal(schedpol_parse("rr:1", &p, &e), 0);
	assert_int_equal(p.kind, SCHEDPOL_RR);
	assert_int_equal(p.prio, 1);
	assert_int_equal(schedpol_parse("fifo:99", &p, &e), 0);
	assert_int_equal(p.kind, SCHEDPOL_FIFO);
	assert_int_equal(p.prio, 99);
}

static void test_deadline(void **state)
{
	struct schedpol p;
	struct err e;

	(void)state;
	assert_int_equal(schedpol_parse("dl:100,1000", &p, &e), 0);
	assert_int_equal(p.kind, SCHEDPOL_DL);
	assert_int_equal(p.runtime_us, 100);
	assert_int_equal(p.deadline_us, 1000);
	assert_int_equal(p.period_us, 1000); /* defaults to the deadline */
	assert_int_equal(schedpol_parse("dl:100,500,2000", &p, &e), 0);
	assert_int_equal(p.period_us, 2000);
	assert_int_equal(schedpol_parse("dl:100,100,100", &p, &e), 0);
}

static void test_rejects(void **state)
{
	static const char *const bad[] = {
		"", "x", "OTHER", "other:", "other:20", "other:-21", "other:1.5", "other:5x",
		"rr", "rr:", "rr:0", "rr:100", "fifo:-1", "fifo:10:2", "fifo: 10", "fifo:+10",
		"dl", "dl:", "dl:100", "dl:100,", "dl:1000,100", "dl:100,1000,500",
		"dl:1,10", "dl:0,10", "dl:100,1000,", "dl:100,1000,2000,3000", "dl:-1,10",
		"deadline:100,1000", "batch",
	};
	struct schedpol p;
	struct err e;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		if (schedpol_parse(bad[i], &p, &e) == 0)
			fail_msg("accepted '%s'", bad[i]);
		assert_non_null(strstr(e.msg, "--sched-policy"));
	}
	schedpol_parse("dl:1000,100", &p, &e);
	assert_non_null(strstr(e.msg, "RUNTIME <= DEADLINE <= PERIOD"));
	schedpol_parse("rr:100", &p, &e);
	assert_non_null(strstr(e.msg, "1..99"));
	schedpol_parse("other:20", &p, &e);
	assert_non_null(strstr(e.msg, "-20..19"));
}

static void test_round_trip(void **state)
{
	static const char *const good[] = { "other", "other:-3", "rr:10", "fifo:99",
					    "dl:100,500,2000" };
	struct schedpol p, q;
	struct err e;
	char buf[64];

	(void)state;
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		assert_int_equal(schedpol_parse(good[i], &p, &e), 0);
		schedpol_str(&p, buf, sizeof buf);
		assert_string_equal(buf, good[i]);
		assert_int_equal(schedpol_parse(buf, &q, &e), 0);
		assert_memory_equal(&p, &q, sizeof p);
	}
}

static void test_apply_none_and_other(void **state)
{
	struct schedpol p;
	struct err e;

	(void)state;
	memset(&p, 0, sizeof p);
	assert_int_equal(schedpol_apply(&p, &e), 0);
	/* "other" without a nice keeps the thread's nice; needs no privilege. */
	assert_int_equal(schedpol_parse("other", &p, &e), 0);
	assert_int_equal(schedpol_apply(&p, &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_other),
		cmocka_unit_test(test_rt),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_apply_none_and_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
