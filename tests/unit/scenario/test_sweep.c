/* test_sweep.c -- a scenario's `sweep` key (src/scenario/sweep.h): the
 * grid's order, each cell's client arguments (rate and period options
 * dropped, the first -C replaced), the names, and every error with its
 * position. Scenario files are written into a private mkdtemp() directory. */
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

#include "scenario/scenario.h"
#include "scenario/sweep.h"

static char dir[64], path[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/mw-sweep-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(path, sizeof path, "%s/s.yaml", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

static int load(const char *sweep, struct scenario *s, struct err *e)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fprintf(f, "services: { web: {} }\n"
		   "clients:\n"
		   "  - { name: a, to: web, args: \"-n 10 -r 100 -C 50us -F {web} -C 10us -R\" }\n"
		   "  - { name: b, to: web, args: \"-n 10 --rate=5 -p7 --period 3ms\" }\n"
		   "  - { name: c, to: web, args: \"--comp-time=3us -C 4us\" }\n"
		   "  - { name: d, to: web, args: \"-C5us,ws=4m -n 1\" }\n"
		   "%s",
		sweep);
	assert_int_equal(fclose(f), 0);
	return scenario_load(path, NULL, 0, s, e);
}

/* The words of cell i's arguments for group g, joined by spaces. */
static char *args_of(const struct scenario *s, int g, size_t i)
{
	struct scenario_argv a = { 0 };
	char *out = calloc(1, 1024);

	sweep_args(s->sweep, i, &s->clients[g].args, &a);
	for (size_t k = 0; k < a.n; k++) {
		strcat(out, k ? " " : "");
		strcat(out, a.v[k]);
	}
	scenario_argv_free(&a);
	return out;
}

static void expect_args(const struct scenario *s, int g, size_t i, const char *want)
{
	char *got = args_of(s, g, i);

	if (strcmp(got, want) != 0)
		fail_msg("cell %zu: '%s', expected '%s'", i, got, want);
	free(got);
}

static void test_grid(void **state)
{
	struct scenario s;
	struct err e;
	struct sweep_cell c;
	char *name;

	(void)state;
	if (load("sweep:\n  rate: [100, 2k]\n  arrival: [const, exp]\n  compute: [5us, 1ms, 7]\n"
		 "  warmup: 20ms\n",
		 &s, &e) != 0)
		fail_msg("%s (line %d)", e.msg, e.line);
	assert_non_null(s.sweep);
	assert_int_equal(sweep_ncells(s.sweep), 12);
	assert_int_equal(sweep_group(&s, s.sweep), 0);
	assert_true(s.sweep->warmup_us == 20000);
	/* Rate fastest, then compute, then arrival. */
	sweep_cell(s.sweep, 0, &c);
	assert_true(c.rate == 100 && c.arrival == SWEEP_CONST && strcmp(c.compute, "5us") == 0);
	sweep_cell(s.sweep, 1, &c);
	assert_true(c.rate == 2000 && c.arrival == SWEEP_CONST && strcmp(c.compute, "5us") == 0);
	sweep_cell(s.sweep, 2, &c);
	assert_true(c.rate == 100 && strcmp(c.compute, "1ms") == 0);
	sweep_cell(s.sweep, 11, &c);
	assert_true(c.rate == 2000 && c.arrival == SWEEP_EXP && strcmp(c.compute, "7") == 0);
	/* The group's -r goes, the rate comes last; only the first -C changes. */
	expect_args(&s, 0, 0, "-n 10 -C 5us -F {web} -C 10us -R -r 100");
	expect_args(&s, 0, 8, "-n 10 -C 1ms -F {web} -C 10us -R -p exp:10000us");
	expect_args(&s, 0, 11, "-n 10 -C 7 -F {web} -C 10us -R -p exp:500us");
	name = sweep_cell_name(s.sweep, 11);
	assert_string_equal(name, "rate=2000,arrival=exp,compute=7");
	free(name);
	scenario_free(&s);
	assert_null(s.sweep);
}

/* Every spelling of a rate or period option is dropped; the other
 * parameters stay unswept. */
static void test_pace_spellings(void **state)
{
	struct scenario s;
	struct err e;
	struct sweep_cell c;
	char *name;

	(void)state;
	assert_int_equal(load("sweep: { group: b, rate: 300 }\n", &s, &e), 0);
	assert_int_equal(sweep_ncells(s.sweep), 1);
	assert_int_equal(sweep_group(&s, s.sweep), 1);
	expect_args(&s, 1, 0, "-n 10 -r 300");
	sweep_cell(s.sweep, 0, &c);
	assert_true(c.arrival == SWEEP_CONST && c.compute == NULL);
	name = sweep_cell_name(s.sweep, 0);
	assert_string_equal(name, "rate=300");
	free(name);
	scenario_free(&s);

	/* compute alone: the rate stays as the group gives it. */
	assert_int_equal(load("sweep: { compute: [1us, 2us] }\n", &s, &e), 0);
	sweep_cell(s.sweep, 1, &c);
	assert_true(isnan(c.rate) && c.arrival == 0);
	expect_args(&s, 0, 1, "-n 10 -r 100 -C 2us -F {web} -C 10us -R");
	scenario_free(&s);
	/* The other spellings of -C: only the first one changes. */
	assert_int_equal(load("sweep: { group: c, compute: 9us }\n", &s, &e), 0);
	expect_args(&s, 2, 0, "--comp-time=9us -C 4us");
	scenario_free(&s);
	assert_int_equal(load("sweep: { group: d, compute: 9us }\n", &s, &e), 0);
	/* a working set (ws=) stays with the new duration */
	expect_args(&s, 3, 0, "-C9us,ws=4m -n 1");
	scenario_free(&s);
}

static void expect_error(const char *sweep, int line, const char *word)
{
	struct scenario s;
	struct err e;

	assert_int_equal(load(sweep, &s, &e), -EINVAL);
	if (strstr(e.msg, word) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'", sweep, e.msg, word);
	if (e.line != line)
		fail_msg("'%s': error at line %d, expected %d", sweep, e.line, line);
	scenario_free(&s);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("sweep: 5\n", 7, "expected a mapping");
	expect_error("sweep: {}\n", 7, "nothing to sweep");
	expect_error("sweep:\n  arrival: exp\n", 8, "arrival needs rate");
	expect_error("sweep:\n  rate: [100, 0]\n", 8, "above 0");
	expect_error("sweep:\n  rate: []\n", 8, "empty");
	expect_error("sweep:\n  rate: [[1]]\n", 8, "single values");
	expect_error("sweep:\n  arrival: poisson\n  rate: 1\n", 8, "const or exp");
	expect_error("sweep:\n  compute: 10xs\n", 8, "duration");
	expect_error("sweep:\n  warmup: soon\n  rate: 1\n", 8, "warmup");
	expect_error("sweep:\n  rates: 1\n", 8, "unknown key 'rates'");
	expect_error("sweep:\n  rate: 1\n  rate: 2\n", 9, "twice");
	expect_error("sweep: { group: nosuch, rate: 1 }\n", 7, "no client group 'nosuch'");
	expect_error("sweep: { group: b, compute: 1us }\n", 7, "-C in the args of client b");
	expect_error("sweep:\n  rate: [1,2,3,4,5,6,7,8,9,10]\n  compute: [1,2,3,4,5,6,7,8,9,10]\n"
		     "  arrival: [const, exp, const, exp, const, exp, const, exp, const, exp, const]\n", 8, "at most 1000");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grid),
		cmocka_unit_test(test_pace_spellings),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
