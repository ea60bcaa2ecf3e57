/* test_tlsconf.c -- TLS services in a scenario: protocol: ssl, https and
 * grpcs (their schemes in {svc}, through balancers too, and by --set), and
 * the `tls` key (src/scenario/tlsconf.c): files relative to the scenario,
 * the top level's as the default, and each mistake an error at its
 * position. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "load_text.h"

static char dir[64];

static const char *addr(const struct scenario_service *svc, int i, void *arg)
{
	(void)svc;
	(void)arg;
	return i == 0 ? "127.0.0.1:1" : "127.0.0.1:2";
}

/* Writes text into the test directory's name and returns its path. */
static const char *put(const char *name, const char *text)
{
	static char p[128];
	FILE *f;

	snprintf(p, sizeof p, "%s/%s", dir, name);
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return p;
}

/* Loads text as dir/s.yaml (relative tls paths are relative to dir). */
static int load_in_dir(const char *text, struct scenario *s, struct err *e)
{
	char p[128];

	snprintf(p, sizeof p, "%s", put("s.yaml", text));
	scenario_free(s);
	return scenario_load(p, NULL, 0, s, e);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/mw-tlsconf-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	put("a.pem", "x\n");
	put("a.key", "x\n");
	put("ca.pem", "x\n");
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_protocols(void **state)
{
	struct scenario s = { 0 };
	struct err e;
	char *x;

	(void)state;
	assert_int_equal(load_text("services:\n"
				   "  s: { protocol: ssl }\n"
				   "  h: { protocol: https, replicas: 2, routes: { r: -R } }\n"
				   "  g: { protocol: grpcs, routes: { r: -R } }\n"
				   "  f: { routes: { x: \"-F {h},route=r -F {g},route=r -F {s} -R\" } }\n"
				   "balancers:\n  lb: { service: h }\n"
				   "clients:\n  - { name: m, to: lb, route: r }\n",
				   &s, &e), 0);
	assert_int_equal(scenario_service(&s, "s")->proto, SCENARIO_SSL);
	assert_int_equal(scenario_service(&s, "h")->proto, SCENARIO_HTTPS);
	assert_int_equal(scenario_service(&s, "g")->proto, SCENARIO_GRPCS);
	assert_true(scenario_has_tls(&s));
	assert_true(scenario_proto_tls(SCENARIO_SSL));
	assert_false(scenario_proto_tls(SCENARIO_GRPC));
	assert_string_equal(scenario_scheme(&s, scenario_service(&s, "lb")), "https://");
	assert_null(tlsconf_of(&s, scenario_service(&s, "h"))); /* made by the run */
	x = scenario_expand(&s, "-F {h},route=r -F {g},route=r -F {s}", false, addr, NULL, &e);
	assert_string_equal(x, "-F https://127.0.0.1:1,https://127.0.0.1:2,route=r "
			       "-F grpcs://127.0.0.1:1,route=r -F ssl://127.0.0.1:1");
	free(x);
	x = scenario_expand(&s, "lb", true, addr, NULL, &e);
	assert_string_equal(x, "https://127.0.0.1:1");
	free(x);
	/* a forward to an https service names a route, as to an http one */
	assert_int_equal(load_text("services:\n  a: { protocol: https }\n"
				   "  b: { routes: { x: \"-F {a} -R\" } }\n"
				   "clients:\n  - { name: m, to: b }\n", &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "an https:// target runs a route"));
	/* no TLS service: nothing to make */
	assert_int_equal(load_text("services:\n  a: { protocol: grpc }\nclients:\n  - { name: m, to: a }\n",
				   &s, &e), 0);
	assert_false(scenario_has_tls(&s));
	scenario_free(&s);
}

static void test_set_protocol(void **state)
{
	struct scenario s = { 0 };
	struct err e;
	char p[128];
	char *sets[] = { "services.a.protocol=grpcs" }, *bad[] = { "services.a.protocol=tls" };

	(void)state;
	snprintf(p, sizeof p, "%s", put("set.yaml", "services:\n  a:\nclients:\n  - { name: m, to: a }\n"));
	assert_int_equal(scenario_load(p, sets, 1, &s, &e), 0);
	assert_int_equal(scenario_service(&s, "a")->proto, SCENARIO_GRPCS);
	scenario_free(&s);
	assert_int_equal(scenario_load(p, bad, 1, &s, &e), -EINVAL);
	assert_string_equal(e.msg, "--set protocol: expected tcp, http, h2c, grpc, ssl, https or "
				   "grpcs, got 'tls'");
	scenario_free(&s);
}

static void test_own_files(void **state)
{
	struct scenario s = { 0 };
	struct err e;
	const struct scenario_tls *t;
	char want[160];

	(void)state;
	assert_int_equal(load_in_dir("tls: { ca: ca.pem }\n"
				     "services:\n"
				     "  a: { protocol: https, tls: { cert: a.pem, key: a.key } }\n"
				     "  b: { protocol: ssl }\n"
				     "clients:\n  - { name: m, to: b }\n", &s, &e), 0);
	t = tlsconf_of(&s, scenario_service(&s, "a"));
	assert_non_null(t);
	snprintf(want, sizeof want, "%s/a.pem", dir);
	assert_string_equal(t->cert.path, want);
	snprintf(want, sizeof want, "%s/ca.pem", dir);
	assert_string_equal(s.tls.ca.path, want);
	assert_null(tlsconf_of(&s, scenario_service(&s, "b"))); /* a top-level ca only */
	/* a top-level cert is every TLS service's default; key defaults to cert */
	assert_int_equal(load_in_dir("tls: { cert: a.pem, ca: ca.pem }\n"
				     "services:\n  b: { protocol: ssl }\n"
				     "clients:\n  - { name: m, to: b }\n", &s, &e), 0);
	t = tlsconf_of(&s, scenario_service(&s, "b"));
	assert_non_null(t);
	assert_null(t->key.path);
	scenario_free(&s);
}

/* text's error is msg at line:col. */
static void bad(const char *text, int line, int col, const char *msg)
{
	struct scenario s = { 0 };
	struct err e;

	assert_int_equal(load_in_dir(text, &s, &e), -EINVAL);
	if (strstr(e.msg, msg) == NULL)
		fail_msg("got '%s', expected '%s'", e.msg, msg);
	assert_int_equal(e.line, line);
	assert_int_equal(e.col, col);
	scenario_free(&s);
}

static void test_errors(void **state)
{
	char msg[200];

	(void)state;
	bad("services:\n  a: { protocol: https, tls: { cert: nope.pem, ca: ca.pem } }\n"
	    "clients:\n  - { name: m, to: a }\n", 2, 38, "service a: tls: cert: cannot read ");
	snprintf(msg, sizeof msg, "cannot read %s/nope.pem: No such file or directory", dir);
	bad("services:\n  a: { protocol: https, tls: { cert: nope.pem, ca: ca.pem } }\n"
	    "clients:\n  - { name: m, to: a }\n", 2, 38, msg);
	bad("services:\n  a: { protocol: https, tls: { cert: a.pem } }\n"
	    "clients:\n  - { name: m, to: a }\n", 2, 38,
	    "service a: tls: cert needs ca (the CA that signed it, which the run's clients and "
	    "nodes verify it against), here or in the top level's tls");
	bad("services:\n  a: { protocol: ssl, tls: { key: a.key, ca: ca.pem } }\n"
	    "clients:\n  - { name: m, to: a }\n", 2, 35, "service a: tls: key needs cert");
	bad("services:\n  a: { protocol: http, tls: { ca: ca.pem } }\n"
	    "clients:\n  - { name: m, to: a }\n", 2, 29,
	    "service a: tls: the service speaks http, not TLS: give it protocol: ssl, https or grpcs");
	bad("tls: { ca: ca.pem }\nservices:\n  a:\nclients:\n  - { name: m, to: a }\n", 1, 6,
	    "tls: no service speaks TLS (protocol: ssl, https or grpcs)");
	bad("tls: { cert: a.pem }\nservices:\n  a: { protocol: ssl }\nclients:\n  - { name: m, to: a }\n",
	    1, 14, "tls: cert needs ca");
	bad("services:\n  a: { protocol: ssl, tls: { crt: a.pem } }\n"
	    "clients:\n  - { name: m, to: a }\n", 2, 30,
	    "service a: tls: unknown key 'crt' (expected cert, key or ca)");
	bad("services:\n  a: { protocol: ssl, tls: a.pem }\nclients:\n  - { name: m, to: a }\n", 2, 28,
	    "service a: tls: expected a mapping (cert, key, ca)");
	bad("services:\n  a: { protocol: ssl, tls: { cert: [a] } }\nclients:\n  - { name: m, to: a }\n",
	    2, 36, "service a: tls: cert: expected a file (PEM)");
	bad("services:\n  a: { protocol: ssl }\nclients:\n  - { name: m, to: a }\ntls: {}\ntls: {}\n", 6, 1,
	    "tls");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protocols),
		cmocka_unit_test(test_set_protocol),
		cmocka_unit_test(test_own_files),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
