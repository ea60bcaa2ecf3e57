/* test_route_prefix.c -- a service's route_prefix (src/scenario/scenario.c,
 * the key in scenario_keys.c): the same from the file and from --set, put in
 * front of every route of its service only, references in it counted in the
 * start waves, and refused with the service named when it has no routes to
 * go in front of, does not parse, or would change the ops after it. */
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

#include "scenario/scenario.h"

/* text into s with the overrides, through a temporary file. */
static int load(const char *text, char **sets, size_t nsets, struct scenario *s, struct err *e)
{
	char path[] = "/tmp/mw-prefix-XXXXXX";
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	memset(s, 0, sizeof *s);
	rc = scenario_load(path, sets, nsets, s, e);
	unlink(path);
	return rc;
}

static const char shop[] = "services:\n"
			   "  db:\n"
			   "    routes: { q: \"--sleep 1ms\" }\n"
			   "  tap:\n"
			   "    routes: { hit: -R }\n"
			   "  front:\n"
			   "    routes:\n"
			   "      home: \"-C 10us -F {db},route=q -R 1k\"\n"
			   "      ping: \"\"\n"
			   "clients:\n"
			   "  - { name: C, to: front, route: home }\n";

static void test_prefix_from_set(void **state)
{
	char *sets[] = { "services.front.route_prefix=-C 1ms" };
	struct scenario s;
	struct err e;
	const struct scenario_service *front, *db;

	(void)state;
	assert_int_equal(load(shop, sets, 1, &s, &e), 0);
	front = scenario_service(&s, "front");
	db = scenario_service(&s, "db");
	assert_string_equal(front->route_prefix, "-C 1ms");
	assert_string_equal(front->routes[0].text, "-C 1ms -C 10us -F {db},route=q -R 1k");
	assert_string_equal(front->routes[1].text, "-C 1ms"); /* a ping: the prefix, then the reply */
	assert_null(db->route_prefix);
	assert_string_equal(db->routes[0].text, "--sleep 1ms");
	assert_int_equal(front->prefix_line, 0);
	scenario_free(&s);
}

static void test_prefix_from_file(void **state)
{
	struct scenario s;
	struct err e;
	const struct scenario_service *db;

	(void)state;
	assert_int_equal(load("services:\n  db:\n    route_prefix: -C 2ms --sleep 1ms\n"
			      "    routes: { q: -L 4k }\nclients:\n  - { name: C, to: db }\n",
			      NULL, 0, &s, &e), 0);
	db = scenario_service(&s, "db");
	assert_string_equal(db->routes[0].text, "-C 2ms --sleep 1ms -L 4k");
	assert_int_equal(db->prefix_line, 3);
	assert_int_equal(db->prefix_col, 19);
	scenario_free(&s);
}

/* A forward in the prefix: its target starts first, as a route's would. */
static void test_prefix_references(void **state)
{
	char *sets[] = { "services.db.route_prefix=-F {tap},route=hit" };
	struct scenario s;
	struct err e;

	(void)state;
	assert_int_equal(load(shop, sets, 1, &s, &e), 0);
	assert_int_equal(scenario_service(&s, "tap")->level, 0);
	assert_int_equal(scenario_service(&s, "db")->level, 1);
	assert_int_equal(scenario_service(&s, "front")->level, 2);
	scenario_free(&s);
	char *cyc[] = { "services.db.route_prefix=-F {front},route=ping" };
	assert_int_equal(load(shop, cyc, 1, &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "cycle"));
	scenario_free(&s);
}

static void expect_set_error(const char *set, const char *words)
{
	char *sets[] = { (char *)set };
	struct scenario s;
	struct err e;
	int rc = load(shop, sets, 1, &s, &e);

	scenario_free(&s);
	assert_int_equal(rc, -EINVAL);
	if (strstr(e.msg, words) == NULL)
		print_error("--set %s: '%s' lacks '%s'\n", set, e.msg, words);
	assert_non_null(strstr(e.msg, words));
	assert_int_equal(e.line, 0);
}

static void test_prefix_errors(void **state)
{
	struct scenario s;
	struct err e;

	(void)state;
	expect_set_error("services.front.route_prefix=-C", "service front: route_prefix '-C': -C needs a value");
	expect_set_error("services.front.route_prefix=-Q 1", "'-Q' is not an op");
	expect_set_error("services.front.route_prefix=-F {nope},route=x", "no service called 'nope'");
	expect_set_error("services.front.route_prefix=-C 1ms -R 1k", "-R at the top level is the final reply");
	expect_set_error("services.front.route_prefix=-F {tap}", "a -F without route= is still open");
	expect_set_error("services.front.route_prefix=--choice 1 -C 1ms", "--choice group is still open");
	expect_set_error("services.front.route_prefix=-F {tap},route=hit,branch", "ends in a branch group");
	expect_set_error("services.front.route_prefix=--load-offset 0", "sets the offsets of the whole program");
	expect_set_error("services.nope.route_prefix=-C 1ms", "no service called 'nope'");
	/* a service without routes: at the prefix in the file */
	assert_int_equal(load("services:\n  a:\n    route_prefix: -C 1ms\nclients:\n  - { name: C, to: a }\n",
			      NULL, 0, &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "service a: route_prefix: the service has no routes"));
	assert_int_equal(e.line, 3);
	assert_int_equal(e.col, 19);
	scenario_free(&s);
	/* a list is not one value */
	assert_int_equal(load("services:\n  a:\n    route_prefix: [-C, 1ms]\n    routes: { x: -R }\n"
			      "clients:\n  - { name: C, to: a }\n", NULL, 0, &s, &e), -EINVAL);
	assert_int_equal(e.line, 3);
	scenario_free(&s);
	/* closed groups and scopes are a whole part of a program: taken */
	char *ok[] = { "services.front.route_prefix=--choice 1 -C 1ms --choice 3 -C 2ms --choice-end "
		       "-F {tap} -C 5us -R -F {tap},route=hit,branch -C 0" };
	assert_int_equal(load(shop, ok, 1, &s, &e), 0);
	scenario_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix_from_set),
		cmocka_unit_test(test_prefix_from_file),
		cmocka_unit_test(test_prefix_references),
		cmocka_unit_test(test_prefix_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
