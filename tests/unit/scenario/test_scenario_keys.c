/* test_scenario_keys.c -- each scenario key is defined once for the loader
 * and --set (src/scenario/scenario_keys.c): a value given by --set lands
 * where the same value from the file does, a bad value gets the same check
 * (the same words) from either, and the keys --set cannot give are named by
 * the tables themselves. */
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

/* The scenario in text, with one --set (or none), into s: scenario_load()'s result. */
static int load(const char *text, const char *set, struct scenario *s, struct err *e)
{
	char path[] = "/tmp/mw-keys-XXXXXX";
	char *sets[] = { (char *)set };
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	memset(s, 0, sizeof *s);
	rc = scenario_load(path, sets, set ? 1 : 0, s, e);
	unlink(path);
	return rc;
}

#define BASE "services:\n  S:\n    replicas: 1\nclients:\n  - name: C\n    to: S\n"

/* The file's KEY: VALUE and --set's PATH.KEY=VALUE load the same scenario. */
static void test_same_result(void **state)
{
	static const struct {
		const char *file, *set;
	} cases[] = {
		{ "name: demo\n" BASE, "name=demo" },
		{ "seed: 42\n" BASE, "seed=42" },
		{ "trace_sample: 0.25\n" BASE, "trace_sample=0.25" },
		{ "services:\n  S:\n    replicas: 3\nclients:\n  - name: C\n    to: S\n",
		  "services.S.replicas=3" },
		{ "services:\n  S:\n    protocol: http\nclients:\n  - name: C\n    to: S\n",
		  "services.S.protocol=http" },
		{ "services:\n  S:\n    node: -q --nt 2\nclients:\n  - name: C\n    to: S\n",
		  "services.S.node=-q --nt 2" },
		{ BASE "    args: -n 5 -C 1ms\n", "clients.C.args=-n 5 -C 1ms" },
		{ BASE "    delay: 250ms\n", "clients.C.delay=250ms" },
		{ BASE "    trace_sample: 0.5\n", "clients.C.trace_sample=0.5" },
	};
	struct scenario a, b;
	struct err e;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(load(cases[i].file, NULL, &a, &e), 0);
		assert_int_equal(load(BASE, cases[i].set, &b, &e), 0);
		if (i == 0) /* else each is named after its temporary file */
			assert_string_equal(a.name, b.name);
		assert_int_equal(a.has_seed, b.has_seed);
		assert_true(a.seed == b.seed);
		assert_true(a.trace_sample == b.trace_sample);
		assert_int_equal(a.services[0].replicas, b.services[0].replicas);
		assert_int_equal(a.services[0].proto, b.services[0].proto);
		assert_int_equal(a.services[0].node.n, b.services[0].node.n);
		for (size_t k = 0; k < a.services[0].node.n; k++)
			assert_string_equal(a.services[0].node.v[k], b.services[0].node.v[k]);
		assert_int_equal(a.clients[0].args.n, b.clients[0].args.n);
		for (size_t k = 0; k < a.clients[0].args.n; k++)
			assert_string_equal(a.clients[0].args.v[k], b.clients[0].args.v[k]);
		assert_true(a.clients[0].delay_ns == b.clients[0].delay_ns);
		assert_int_equal(a.clients[0].has_trace_sample, b.clients[0].has_trace_sample);
		assert_true(a.clients[0].trace_sample == b.clients[0].trace_sample);
		scenario_free(&a);
		scenario_free(&b);
	}
}

/* A bad value: the same words from the file (at its position) and --set. */
static void test_same_check(void **state)
{
	static const struct {
		const char *file, *set, *words;
	} cases[] = {
		{ "services:\n  S:\n    replicas: 0\nclients:\n  - name: C\n    to: S\n",
		  "services.S.replicas=0", "replicas: expected a whole number from 1 to 64, got '0'" },
		{ "services:\n  S:\n    protocol: udp\nclients:\n  - name: C\n    to: S\n",
		  "services.S.protocol=udp", "protocol: expected tcp, http, h2c, grpc, ssl, https or grpcs, got 'udp'" },
		{ BASE "    delay: soon\n", "clients.C.delay=soon",
		  "delay: expected a duration such as 500ms, got 'soon'" },
		{ BASE "    trace_sample: 2\n", "clients.C.trace_sample=2",
		  "trace_sample: expected a share from 0 to 1, got '2'" },
		{ BASE "    route: a/b\n", "clients.C.route=a/b", "route 'a/b': use 1 to 64 letters" },
		{ "seed: x\n" BASE, "seed=x", "seed: expected a number, got 'x'" },
		{ "name: a b\n" BASE, "name=a b", "'a b'" },
	};
	struct scenario s;
	struct err e;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		assert_int_equal(load(cases[i].file, NULL, &s, &e), -EINVAL);
		if (strstr(e.msg, cases[i].words) == NULL)
			print_error("file: '%s' lacks '%s'\n", e.msg, cases[i].words);
		assert_non_null(strstr(e.msg, cases[i].words));
		assert_true(e.line > 0);
		scenario_free(&s);
		assert_int_equal(load(BASE, cases[i].set, &s, &e), -EINVAL);
		if (strstr(e.msg, cases[i].words) == NULL)
			print_error("--set: '%s' lacks '%s'\n", e.msg, cases[i].words);
		assert_non_null(strstr(e.msg, cases[i].words));
		assert_int_equal(e.line, 0);
		scenario_free(&s);
	}
}

/* Keys only the file gives: --set names the ones it takes, from the table. */
static void test_file_only(void **state)
{
	struct scenario s;
	struct err e;

	(void)state;
	assert_int_equal(load(BASE, "services.S.link=x", &s, &e), -EINVAL);
	assert_string_equal(e.msg, "--set: services have no key 'link' (replicas, node, "
				   "route_prefix, protocol, routes.NAME)");
	scenario_free(&s);
	assert_int_equal(load(BASE, "clients.C.name=D", &s, &e), -EINVAL);
	assert_string_equal(e.msg, "--set: clients have no key 'name' (to, args, delay, route, "
				   "trace_sample)");
	scenario_free(&s);
	assert_int_equal(load(BASE, "services=x", &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "expected name, seed, services.NAME.KEY"));
	scenario_free(&s);
	assert_int_equal(load("services:\n  S:\n    replica: 2\n", NULL, &s, &e), -EINVAL);
	assert_string_equal(e.msg, "service S: unknown key 'replica' (expected replicas, node, "
				   "routes, route_prefix, protocol, link, resources, serverless or tls)");
	scenario_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_result),
		cmocka_unit_test(test_same_check),
		cmocka_unit_test(test_file_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
