/* test_err.c -- error messages: formatting, context prefixes, and what is kept
 * when a message and its context do not both fit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "util/err.h"

static void test_set_and_prefix(void **state)
{
	struct err e;

	(void)state;
	err_clear(&e);
	assert_string_equal(e.msg, "");
	assert_int_equal(err_set(&e, "expected %s, got '%s'", "a duration", "x"), -EINVAL);
	assert_string_equal(e.msg, "expected a duration, got 'x'");
	assert_int_equal(err_prefix(&e, "option %s", "-C"), -EINVAL);
	assert_string_equal(e.msg, "option -C: expected a duration, got 'x'");
}

/* Nested scripts prefix their names one by one; once the context no longer
 * fits, the message's own words must survive whole. */
static void test_prefix_never_cuts_the_message(void **state)
{
	struct err e;
	char want[ERR_MSG_LEN];

	(void)state;
	err_set(&e, "the command line expands to more than 1000000 words");
	strcpy(want, e.msg);
	for (int i = 0; i < 20; i++)
		err_prefix(&e, "in script '/tmp/some/long/path/level-%d.dw'", i);
	assert_non_null(strstr(e.msg, want));
	assert_true(strlen(e.msg) < ERR_MSG_LEN);
	assert_non_null(strstr(e.msg, "level-")); /* some context still fits */
}

static void test_long_message_is_truncated_not_overrun(void **state)
{
	struct err e;
	char big[2 * ERR_MSG_LEN];

	(void)state;
	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	err_set(&e, "%s", big);
	assert_int_equal(strlen(e.msg), ERR_MSG_LEN - 1);
	err_prefix(&e, "ctx");
	assert_int_equal(strlen(e.msg), ERR_MSG_LEN - 1);
	assert_int_equal(e.msg[0], 'x');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_and_prefix),
		cmocka_unit_test(test_prefix_never_cuts_the_message),
		cmocka_unit_test(test_long_message_is_truncated_not_overrun),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
