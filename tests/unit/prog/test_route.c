/* test_route.c -- a node's route table (src/prog/route.c): definitions,
 * files, lookup by (name, length), and errors that name the route. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "prog/route.h"

static void test_defs_and_lookup(void **state)
{
	struct route_table t;
	const struct route *r;
	struct err e;
	char names[64];

	route_table_init(&t);
	route_table_names(&t, names, sizeof names);
	assert_string_equal(names, "none");
	assert_int_equal(route_table_add_def(&t, "checkout=-C 200us -F 127.0.0.1:7892,route=pay -R 1k", &e), 0);
	assert_int_equal(route_table_add_def(&t, "ping=", &e), 0);
	assert_int_equal(route_table_add(&t, "pay.v2", "-C exp:1ms", &e), 0);
	assert_int_equal(t.n, 3);
	r = route_table_find(&t, (const uint8_t *)"ping", 4);
	assert_non_null(r);
	assert_true(prog_is_ping(r->prog));
	/* by length: a prefix or a longer name is another route */
	assert_null(route_table_find(&t, (const uint8_t *)"pin", 3));
	assert_null(route_table_find(&t, (const uint8_t *)"pingg", 5));
	assert_non_null(route_table_find(&t, (const uint8_t *)"pay.v2xyz", 6));
	route_table_names(&t, names, sizeof names);
	assert_string_equal(names, "checkout, ping, pay.v2");
	route_table_names(&t, names, 12); /* truncated, still terminated */
	assert_string_equal(names, "checkout, p");

	assert_int_equal(route_table_add_def(&t, "ping=-C 1", &e), -EINVAL);
	assert_string_equal(e.msg, "route ping defined twice");
	assert_int_equal(route_table_add_def(&t, "x=-C 1 -n 2", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "route x: '-n' is not an op"));
	assert_int_equal(route_table_add_def(&t, "-C 1", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "expected NAME=PROGRAM"));
	assert_int_equal(route_table_add_def(&t, "=-C 1", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "empty route name"));
	assert_int_equal(route_table_add_def(&t, "a:b=-C 1", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "route 'a:b'"));
	assert_int_equal(t.n, 3);
	route_table_free(&t);
	assert_int_equal(t.n, 0);
	route_table_free(&t); /* twice: a no-op */
}

static void test_limit(void **state)
{
	struct route_table t;
	struct err e;
	char name[16];

	route_table_init(&t);
	for (int i = 0; i < ROUTE_MAX; i++) {
		snprintf(name, sizeof name, "r%d", i);
		assert_int_equal(route_table_add(&t, name, "", &e), 0);
	}
	assert_int_equal(route_table_add(&t, "one-more", "", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "more than 256 routes"));
	route_table_free(&t);
}

static void test_file(void **state)
{
	char path[] = "/tmp/mw-routes-XXXXXX";
	int fd = mkstemp(path);
	struct route_table t;
	struct err e;
	FILE *f;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("# routes\n\ncheckout   -C 200us -R 1k  # trailing\n  ping\nbad -C\n", f);
	fclose(f);
	route_table_init(&t);
	assert_int_equal(route_table_load_file(&t, path, &e), -EINVAL);
	assert_int_equal(t.n, 2); /* the lines before the bad one */
	assert_int_equal(e.line, 5);
	assert_non_null(strstr(e.msg, ":5: route bad: -C needs a value"));
	route_table_free(&t);
	unlink(path);
	assert_int_equal(route_table_load_file(&t, path, &e), -ENOENT);
	assert_non_null(strstr(e.msg, "cannot open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defs_and_lookup),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
