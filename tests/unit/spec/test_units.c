/* test_units.c -- constants with units: every suffix, limits, rejections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <string.h>

#include "spec/units.h"

static double parse_ok(const char *text, enum spec_unit unit)
{
	struct err e;
	double v = -1;

	err_clear(&e);
	if (units_parse(text, unit, &v, &e) != 0)
		fail_msg("'%s' rejected: %s", text, e.msg);
	return v;
}

/* Asserts that text is rejected with a message quoting it (or `quote`). */
static void parse_bad(const char *text, enum spec_unit unit, const char *quote)
{
	struct err e;
	double v = 12345;

	err_clear(&e);
	assert_int_equal(units_parse(text, unit, &v, &e), -EINVAL);
	assert_true(v == 12345); /* untouched */
	if (strstr(e.msg, quote) == NULL)
		fail_msg("message for '%s' lacks '%s': %s", text, quote, e.msg);
}

static void test_time_suffixes(void **state)
{
	(void)state;
	assert_true(parse_ok("250", SPEC_TIME) == 250);
	assert_true(parse_ok("250us", SPEC_TIME) == 250);
	assert_true(parse_ok("10ms", SPEC_TIME) == 10000);
	assert_true(parse_ok("2s", SPEC_TIME) == 2e6);
	assert_true(parse_ok("1500ns", SPEC_TIME) == 1.5);
	assert_true(parse_ok("1.5k", SPEC_TIME) == 1500);
	assert_true(parse_ok("1m", SPEC_TIME) == 1e6); /* mega, DistWalk style */
	assert_true(parse_ok("1M", SPEC_TIME) == 1e6);
	assert_true(parse_ok("3MS", SPEC_TIME) == 3000);
	assert_true(parse_ok("0.5s", SPEC_TIME) == 5e5);
	assert_true(parse_ok(".5ms", SPEC_TIME) == 500);
	assert_true(parse_ok("2e3us", SPEC_TIME) == 2000);
	assert_true(parse_ok("0", SPEC_TIME) == 0);
}

static void test_size_suffixes(void **state)
{
	(void)state;
	assert_true(parse_ok("512", SPEC_SIZE) == 512);
	assert_true(parse_ok("512b", SPEC_SIZE) == 512);
	assert_true(parse_ok("4k", SPEC_SIZE) == 4000);
	assert_true(parse_ok("10kb", SPEC_SIZE) == 10000);
	assert_true(parse_ok("10KB", SPEC_SIZE) == 10000);
	assert_true(parse_ok("2m", SPEC_SIZE) == 2e6);
	assert_true(parse_ok("2M", SPEC_SIZE) == 2e6);
	assert_true(parse_ok("3g", SPEC_SIZE) == 3e9);
	assert_true(parse_ok("1t", SPEC_SIZE) == 1e12);
	assert_true(parse_ok("4ki", SPEC_SIZE) == 4096);
	assert_true(parse_ok("64KiB", SPEC_SIZE) == 65536);
	assert_true(parse_ok("1Mi", SPEC_SIZE) == 1048576);
	assert_true(parse_ok("2GiB", SPEC_SIZE) == 2147483648.0);
	assert_true(parse_ok("1ti", SPEC_SIZE) == 1099511627776.0);
	assert_true(parse_ok("1.5", SPEC_SIZE) == 2); /* whole bytes */
	assert_true(parse_ok("1.5k", SPEC_SIZE) == 1500);
}

static void test_size_above_4g(void **state)
{
	double v = parse_ok("32g", SPEC_SIZE);

	(void)state;
	assert_true(v == 32e9);
	assert_true(v > 4294967296.0);
	assert_true((uint64_t)v == UINT64_C(32000000000));
}

static void test_count_suffixes(void **state)
{
	(void)state;
	assert_true(parse_ok("100", SPEC_COUNT) == 100);
	assert_true(parse_ok("1.5k", SPEC_COUNT) == 1500);
	assert_true(parse_ok("1.5K", SPEC_COUNT) == 1500);
	assert_true(parse_ok("2m", SPEC_COUNT) == 2e6);
	assert_true(parse_ok("1g", SPEC_COUNT) == 1e9);
	assert_true(parse_ok("0.25", SPEC_COUNT) == 0.25);
}

static void test_rejects(void **state)
{
	struct err e;
	double v;

	(void)state;
	parse_bad("10xs", SPEC_TIME, "'10xs'");
	parse_bad("10xs", SPEC_TIME, "duration");
	parse_bad("", SPEC_TIME, "empty");
	parse_bad("ms", SPEC_TIME, "'ms'");
	parse_bad("10ms ", SPEC_TIME, "'10ms '");
	parse_bad(" 10ms", SPEC_TIME, "' 10ms'");
	parse_bad("10ms--", SPEC_TIME, "'10ms--'");
	parse_bad("--10", SPEC_COUNT, "'--10'");
	parse_bad("-5ms", SPEC_TIME, "'-5ms'");
	parse_bad("-5ms", SPEC_TIME, "negative");
	parse_bad("nan", SPEC_COUNT, "'nan'");
	parse_bad("inf", SPEC_COUNT, "'inf'");
	parse_bad("0x10", SPEC_COUNT, "'0x10'");
	parse_bad("1e999", SPEC_COUNT, "too large");
	parse_bad("1e30s", SPEC_TIME, "'1e30s'");
	parse_bad("200d", SPEC_TIME, "'200d'");
	parse_bad("4kib2", SPEC_SIZE, "'4kib2'");
	parse_bad("4kk", SPEC_SIZE, "'4kk'");
	parse_bad("10ms", SPEC_SIZE, "size");
	parse_bad("4ki", SPEC_COUNT, "number");
	parse_bad("1.2.3", SPEC_COUNT, "'1.2.3'");
	parse_bad(".", SPEC_COUNT, "'.'");
	parse_bad("1e", SPEC_COUNT, "'1e'");
	assert_int_equal(units_parse(NULL, SPEC_TIME, &v, &e), -EINVAL);
	assert_int_equal(units_parse("1", SPEC_TIME, &v, NULL), 0); /* NULL err ok */
}

static void test_signed(void **state)
{
	struct err e;
	double v = 0;

	(void)state;
	assert_int_equal(units_parse_signed("-5ms", SPEC_TIME, &v, &e), 0);
	assert_true(v == -5000);
	assert_int_equal(units_parse_signed("-1.5k", SPEC_COUNT, &v, &e), 0);
	assert_true(v == -1500);
	assert_int_equal(units_parse_signed("--5", SPEC_COUNT, &v, &e), -EINVAL);
	assert_int_equal(units_parse_signed("-", SPEC_COUNT, &v, &e), -EINVAL);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(units_name(SPEC_TIME), "duration");
	assert_string_equal(units_name(SPEC_SIZE), "size");
	assert_string_equal(units_name(SPEC_COUNT), "number");
}

static void fmt_is(double v, enum spec_unit unit, const char *want)
{
	char buf[64];
	double back;

	units_format(v, unit, buf, sizeof buf);
	assert_string_equal(buf, want);
	assert_int_equal(units_parse_signed(buf, unit, &back, NULL), 0);
	assert_true(back == v);
}

static void test_format(void **state)
{
	char small[4];
	static const double vals[] = { 0, 1, 0.1, 1.5, 999, 1000, 1e6, 123456.789, 1e-3,
				       4096, 32e9, 1e12, 7.3e12 };

	(void)state;
	fmt_is(10000, SPEC_TIME, "10ms");
	fmt_is(1500, SPEC_TIME, "1.5ms");
	fmt_is(1e6, SPEC_TIME, "1s");
	fmt_is(10, SPEC_TIME, "10us");
	fmt_is(0.5, SPEC_TIME, "0.5us");
	fmt_is(-2000, SPEC_TIME, "-2ms");
	fmt_is(4096, SPEC_SIZE, "4Ki");
	fmt_is(32e9, SPEC_SIZE, "32g");
	fmt_is(100, SPEC_SIZE, "100");
	fmt_is(1500, SPEC_COUNT, "1500");
	fmt_is(2e6, SPEC_COUNT, "2m");
	fmt_is(0.25, SPEC_COUNT, "0.25");
	for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
		for (int u = SPEC_TIME; u <= SPEC_COUNT; u++) {
			char buf[64];
			double back;

			if (u == SPEC_SIZE && vals[i] != floor(vals[i]))
				continue;
			units_format(vals[i], (enum spec_unit)u, buf, sizeof buf);
			assert_int_equal(units_parse(buf, (enum spec_unit)u, &back, NULL), 0);
			assert_true(back == vals[i]);
		}
	/* snprintf-like return on truncation */
	assert_int_equal(units_format(123456789, SPEC_COUNT, small, sizeof small), 9);
	assert_string_equal(small, "123");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_suffixes),
		cmocka_unit_test(test_size_suffixes),
		cmocka_unit_test(test_size_above_4g),
		cmocka_unit_test(test_count_suffixes),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
