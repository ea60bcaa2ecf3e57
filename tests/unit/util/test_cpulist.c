/* test_cpulist.c -- the core-list parser: syntax, order, strides, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "util/cpulist.h"

static struct cpulist l;

/* Parses s and checks it expands to the n cores in want. */
static void expect(const char *s, const int *want, int n)
{
	struct err e;

	err_clear(&e);
	assert_int_equal(cpulist_parse(s, &l, &e), 0);
	assert_int_equal(l.n, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(l.cpu[i], want[i]);
}

static void test_single_and_ranges(void **state)
{
	(void)state;
	expect("0", (int[]){ 0 }, 1);
	expect("7", (int[]){ 7 }, 1);
	expect("2-5", (int[]){ 2, 3, 4, 5 }, 4);
	expect("3-3", (int[]){ 3 }, 1);
	expect("0,2,4-8:2", (int[]){ 0, 2, 4, 6, 8 }, 5);
	expect("1-10:3", (int[]){ 1, 4, 7, 10 }, 4);
	expect("1-9:3", (int[]){ 1, 4, 7 }, 3);
}

static void test_order_and_duplicates_kept(void **state)
{
	(void)state;
	/* Thread i runs on entry i % n, so the written order matters. */
	expect("1,0", (int[]){ 1, 0 }, 2);
	expect("3,0-1,3", (int[]){ 3, 0, 1, 3 }, 4);
}

static void test_large(void **state)
{
	char buf[32];
	struct err e;

	(void)state;
	expect("2-18", (int[]){ 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18 }, 17);
	snprintf(buf, sizeof buf, "%d", CPU_SETSIZE - 1);
	assert_int_equal(cpulist_parse(buf, &l, &e), 0);
	snprintf(buf, sizeof buf, "0-%d", CPU_SETSIZE - 1);
	assert_int_equal(cpulist_parse(buf, &l, &e), 0);
	assert_int_equal(l.n, CPU_SETSIZE);
}

static void test_rejects(void **state)
{
	static const char *const bad[] = {
		"", ",", "0,", ",0", "a", "0-", "-1", "3-1", "0-4:0", "0-4:", "0-4:x", "1:2",
		"0;1", "0 1", " 0", "0,,1", "1-2-3", "99999", "0-99999", "+1", "0x1",
	};
	struct err e;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		if (cpulist_parse(bad[i], &l, &e) == 0)
			fail_msg("accepted '%s'", bad[i]);
		assert_true(strstr(e.msg, "core list") != NULL);
	}
	assert_int_equal(cpulist_parse("3-1", &l, &e), -22);
	assert_non_null(strstr(e.msg, "backwards"));
}

static void test_auto_and_check(void **state)
{
	cpu_set_t allowed;
	struct err e;
	int first = -1, count;

	(void)state;
	assert_int_equal(sched_getaffinity(0, sizeof allowed, &allowed), 0);
	count = CPU_COUNT(&allowed);
	for (int c = 0; c < CPU_SETSIZE && first < 0; c++)
		if (CPU_ISSET(c, &allowed))
			first = c;
	/* auto takes allowed cores in order and wraps around. */
	assert_int_equal(cpulist_auto(count + 1, &l, &e), 0);
	assert_int_equal(l.n, count + 1);
	assert_int_equal(l.cpu[0], first);
	assert_int_equal(l.cpu[count], first);
	assert_int_equal(cpulist_check(&l, &e), 0);
	/* A core far beyond this machine. */
	assert_int_equal(cpulist_parse("1023", &l, &e), 0);
	assert_true(cpulist_check(&l, &e) < 0);
	assert_non_null(strstr(e.msg, "1023"));
}

static void test_str(void **state)
{
	char buf[8];
	struct err e;

	(void)state;
	assert_int_equal(cpulist_parse("0,2,4-8:2", &l, &e), 0);
	cpulist_str(&l, buf, sizeof buf);
	assert_string_equal(buf, "0,2,...");
	assert_int_equal(cpulist_parse("1,0", &l, &e), 0);
	cpulist_str(&l, buf, sizeof buf);
	assert_string_equal(buf, "1,0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_and_ranges),
		cmocka_unit_test(test_order_and_duplicates_kept),
		cmocka_unit_test(test_large),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_auto_and_check),
		cmocka_unit_test(test_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
