/* test_jsonin.c -- the JSON reader (src/util/jsonin.h): every value type,
 * escapes and UTF-8, numbers kept as written, lookups that tolerate missing
 * keys and wrong types, and every rejection with its position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/jsonin.h"

static struct jsonin *parse_ok(const char *text)
{
	struct jsonin *v = NULL;
	struct err e;

	if (jsonin_parse(text, strlen(text), &v, &e) != 0)
		fail_msg("'%s' was refused: %s", text, e.msg);
	assert_non_null(v);
	return v;
}

static void test_values(void **state)
{
	struct jsonin *v = parse_ok(" {\"a\": 1, \"b\": [true, false, null, -2.5e3], \"c\": \"x\","
				    " \"d\": {}, \"e\": [], \"seed\": 18446744073709551615}\n");
	const struct jsonin *b;

	(void)state;
	assert_int_equal(v->type, JSONIN_OBJECT);
	assert_int_equal(v->n, 6);
	assert_true(jsonin_num(jsonin_get(v, "a")) == 1);
	b = jsonin_get(v, "b");
	assert_int_equal(b->type, JSONIN_ARRAY);
	assert_int_equal(jsonin_at(b, 0)->type, JSONIN_BOOL);
	assert_true(jsonin_at(b, 0)->num == 1);
	assert_true(jsonin_at(b, 1)->num == 0);
	assert_int_equal(jsonin_at(b, 2)->type, JSONIN_NULL);
	assert_true(jsonin_num(jsonin_at(b, 3)) == -2500);
	assert_null(jsonin_at(b, 4));
	assert_string_equal(jsonin_str(jsonin_get(v, "c")), "x");
	assert_int_equal(jsonin_get(v, "d")->n, 0);
	assert_int_equal(jsonin_get(v, "e")->n, 0);
	/* A 64-bit seed survives as text, although the double rounds it. */
	assert_string_equal(jsonin_text(jsonin_get(v, "seed")), "18446744073709551615");
	jsonin_free(v);
}

/* Lookups on the wrong type or a missing key give NULL / NAN, never crash. */
static void test_lookups(void **state)
{
	struct jsonin *v = parse_ok("{\"s\": \"str\", \"n\": 5, \"n\": 6}");

	(void)state;
	assert_null(jsonin_get(v, "missing"));
	assert_null(jsonin_str(jsonin_get(v, "n")));
	assert_true(isnan(jsonin_num(jsonin_get(v, "s"))));
	assert_true(isnan(jsonin_num(NULL)));
	assert_null(jsonin_get(jsonin_get(v, "s"), "x"));
	assert_null(jsonin_get(NULL, "x"));
	assert_null(jsonin_at(v, 0));
	assert_string_equal(jsonin_text(jsonin_get(v, "s")), "str");
	assert_true(jsonin_num(jsonin_get(v, "n")) == 5); /* the first of duplicates */
	jsonin_free(v);
	jsonin_free(NULL);
}

static void test_strings(void **state)
{
	struct jsonin *v = parse_ok("[\"a\\\"b\\\\c\\/d\\n\\t\", \"\\u00e9\\u20ac\", \"\\ud83d\\ude00\", \"\"]");

	(void)state;
	assert_string_equal(jsonin_str(jsonin_at(v, 0)), "a\"b\\c/d\n\t");
	assert_string_equal(jsonin_str(jsonin_at(v, 1)), "\xc3\xa9\xe2\x82\xac");
	assert_string_equal(jsonin_str(jsonin_at(v, 2)), "\xf0\x9f\x98\x80");
	assert_string_equal(jsonin_str(jsonin_at(v, 3)), "");
	jsonin_free(v);
}

/* Each text must be refused with a message containing word, at line:col. */
static void expect_error(const char *text, int line, int col, const char *word)
{
	struct jsonin *v = (struct jsonin *)1;
	struct err e;

	assert_int_equal(jsonin_parse(text, strlen(text), &v, &e), -EINVAL);
	assert_null(v);
	if (strstr(e.msg, word) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'", text, e.msg, word);
	if (e.line != line || e.col != col)
		fail_msg("'%s': error at %d:%d, expected %d:%d", text, e.line, e.col, line, col);
}

static void test_errors(void **state)
{
	char deep[200];

	(void)state;
	expect_error("", 1, 1, "end of input");
	expect_error("{\"a\": 1,}", 1, 9, "key");
	expect_error("{\"a\" 1}", 1, 6, "':'");
	expect_error("[1 2]", 1, 4, "','");
	expect_error("{\n  \"a\": tru\n}", 2, 8, "value");
	expect_error("01", 1, 2, "after the value");
	expect_error("1.", 1, 1, "digits");
	expect_error("-", 1, 1, "value");
	expect_error("1e+", 1, 1, "exponent");
	expect_error("\"abc", 1, 1, "unterminated");
	expect_error("\"a\\qb\"", 1, 4, "escape");
	expect_error("\"\\u12zz\"", 1, 7, "hex");
	expect_error("\"\\u12\"", 1, 4, "truncated");
	expect_error("\"\\ud800x\"", 1, 8, "surrogate");
	expect_error("\"\\udc00\"", 1, 8, "surrogate");
	expect_error("\"\\u0000\"", 1, 8, "\\u0000");
	expect_error("\"a\tb\"", 1, 3, "control");
	expect_error("[1] [2]", 1, 5, "after the value");
	expect_error("NaN", 1, 1, "value");
	memset(deep, '[', sizeof deep);
	deep[sizeof deep - 1] = '\0';
	expect_error(deep, 1, JSONIN_MAX_DEPTH + 2, "deeply");
}

static void test_load(void **state)
{
	char path[] = "/tmp/mw-jsonin-XXXXXX";
	int fd = mkstemp(path);
	struct jsonin *v;
	struct err e;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "{\"k\": [1, 2, 3]}", 16), 16);
	close(fd);
	assert_int_equal(jsonin_load(path, &v, &e), 0);
	assert_int_equal(jsonin_get(v, "k")->n, 3);
	jsonin_free(v);
	unlink(path);
	assert_int_equal(jsonin_load(path, &v, &e), -ENOENT);
	assert_null(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
