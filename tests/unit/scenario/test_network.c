/* test_network.c -- a scenario's emulated network: the `network` key, a
 * service's `link`, the delay specs they stand for, rates, and every error
 * with its position. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario/scenario.h"
#include "unit/scenario/load_text.h"

static struct scenario s;
static struct err e;

/* Loads text as a scenario file; returns scenario_load()'s result. The
 * scenario stays in s (freed by the next load or the teardown). */
static int load(const char *text)
{
	return load_text(text, &s, &e);
}

static int teardown(void **state)
{
	(void)state;
	scenario_free(&s);
	return 0;
}

#define SERVICES "services:\n  front:\n    link: { delay: 1ms, jitter: 200us, rate: 100mbit }\n" \
		 "  back: { replicas: 2 }\n  lb-less: {}\n"
#define CLIENTS "clients:\n  - { name: main, to: front }\n"
#define CLIENTS_A "clients:\n  - { name: main, to: a }\n"

static void test_links_and_specs(void **state)
{
	(void)state;
	assert_int_equal(load(SERVICES CLIENTS
			      "network:\n  mode: loopback\n  links:\n"
			      "    - { between: [front, back], delay: 5ms, jitter: 1ms }\n"
			      "    - { between: [back, lb-less], delay: 'lognorm:2ms,std=500us' }\n"),
			 0);
	assert_true(network_used(&s));
	assert_int_equal(s.network.mode, NETWORK_LOOPBACK);
	assert_string_equal(s.services[0].link.delay, "unif:min=800us,max=1200us");
	assert_int_equal(s.services[0].link.rate_bps, 100000000);
	assert_false(s.services[1].link.set);
	assert_int_equal(s.network.nlinks, 2);
	assert_string_equal(s.network.links[0].link.delay, "unif:min=4000us,max=6000us");
	assert_int_equal(s.network.links[0].svc[0], 0);
	assert_int_equal(s.network.links[0].svc[1], 1);
	assert_string_equal(s.network.links[1].link.delay, "lognorm:2ms,std=500us");
	assert_int_equal(s.network.links[1].svc[1], 2);
	/* A link alone turns emulation on; a plain scenario does not. */
	assert_int_equal(load("services:\n  a:\n    link: { delay: 1ms }\n" CLIENTS_A), 0);
	assert_true(network_used(&s));
	assert_int_equal(s.network.mode, NETWORK_AUTO);
	assert_int_equal(load("services:\n  a: {}\n" CLIENTS_A), 0);
	assert_false(network_used(&s));
}

static void test_rates(void **state)
{
	uint64_t bps;

	(void)state;
	assert_int_equal(network_parse_rate("100mbit", &bps, &e), 0);
	assert_int_equal(bps, 100000000);
	assert_int_equal(network_parse_rate("1Gbit", &bps, &e), 0);
	assert_int_equal(bps, 1000000000);
	assert_int_equal(network_parse_rate("10mbps", &bps, &e), 0);
	assert_int_equal(bps, 80000000);
	assert_int_equal(network_parse_rate("64000", &bps, &e), 0);
	assert_int_equal(bps, 64000);
	assert_int_equal(network_parse_rate("1.5kbit", &bps, &e), -EINVAL); /* under 8 kbit */
	assert_int_equal(network_parse_rate("fast", &bps, &e), -EINVAL);
	assert_int_equal(network_parse_rate("10 mbit", &bps, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unknown unit"));
	assert_int_equal(network_parse_rate("-1mbit", &bps, &e), -EINVAL);
	assert_int_equal(network_parse_rate("2000gbit", &bps, &e), -EINVAL);
}

/* Each bad file: the message and the line:column it points at. */
static void expect_error(const char *text, const char *msg, int line, int col)
{
	assert_int_equal(load(text), -EINVAL);
	if (strstr(e.msg, msg) == NULL)
		fail_msg("expected '%s' in '%s'", msg, e.msg);
	assert_int_equal(e.line, line);
	if (col)
		assert_int_equal(e.col, col);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error(SERVICES CLIENTS "network:\n  mode: bogus\n",
		     "mode: expected auto, namespaces or loopback, got 'bogus'", 9, 9);
	expect_error(SERVICES CLIENTS "network:\n  color: red\n", "unknown key 'color'", 9, 3);
	expect_error(SERVICES CLIENTS "network:\n  mode: auto\n  mode: loopback\n",
		     "network: 'mode' is given twice (first on line 9)", 10, 3);
	expect_error(SERVICES CLIENTS "network:\n  links:\n    - { between: [front], delay: 1ms }\n",
		     "between: expected a list of two services", 10, 18);
	expect_error(SERVICES CLIENTS "network:\n  links:\n    - { between: [front, nope], delay: 1ms }\n",
		     "link 1: no service 'nope'", 10, 0);
	expect_error(SERVICES CLIENTS "network:\n  links:\n    - { between: [back, back], delay: 1ms }\n",
		     "joins back with itself", 10, 0);
	expect_error(SERVICES CLIENTS "network:\n  links:\n"
		     "    - { between: [front, back], delay: 1ms }\n"
		     "    - { between: [back, front], delay: 2ms }\n",
		     "already joined by link 1", 11, 0);
	expect_error(SERVICES CLIENTS "network:\n  links:\n    - { between: [front, back] }\n",
		     "a link between services needs a delay", 10, 0);
	expect_error(SERVICES CLIENTS "network:\n  links:\n    - { between: [front, back], delay: 1ms, rate: 1mbit }\n",
		     "unknown key 'rate'", 10, 0);
	expect_error(SERVICES CLIENTS "network:\n  links:\n    - { between: [front, back], delay: 1ms, jitter: 2ms }\n",
		     "jitter 2ms is larger than the delay 1ms", 10, 0);
	expect_error(SERVICES CLIENTS "network:\n  links:\n    - { between: [front, back], delay: soon }\n",
		     "delay: expected a duration", 10, 0);
	expect_error(SERVICES CLIENTS "network:\n  links:\n    - { between: [front, back], jitter: 1ms }\n",
		     "jitter needs a delay", 10, 0);
	expect_error("services:\n  a:\n    link: { rate: 1mbit, bandwidth: 2 }\n" CLIENTS_A,
		     "service a: link: unknown key 'bandwidth' (expected delay, jitter or rate)", 3, 0);
	expect_error("services:\n  a:\n    link: 5ms\n" CLIENTS_A,
		     "service a: link: expected a mapping", 3, 0);
	expect_error("services:\n  a:\n    link: { delay: 1ms, jitter: exp:1ms }\n" CLIENTS_A,
		     "jitter: expected a duration", 3, 0);
	expect_error("services:\n  a:\n    link: { delay: 1ms, delay: 2ms }\n" CLIENTS_A,
		     "service a: link: 'delay' is given twice (first on line 3)", 3, 0);
	expect_error("services:\n  a:\n    link: { rate: 3 }\n" CLIENTS_A, "outside 8kbit..1000gbit", 3, 0);
	expect_error("services:\n  a: {}\nbalancers:\n  lb: { service: a }\n" CLIENTS_A
		     "network:\n  links:\n    - { between: [a, lb], delay: 1ms }\n",
		     "links join services of nodes, not the balancer", 9, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_links_and_specs, teardown),
		cmocka_unit_test(test_rates),
		cmocka_unit_test_teardown(test_errors, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
