/* test_protocol.c -- a service's protocol (src/scenario/scenario.c): http
 * services, the serverless http1 default, {svc} expanding to http:// for
 * them and for the balancers in front of them, bad values and --set. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "load_text.h"

static const char *addr(const struct scenario_service *svc, int i, void *arg)
{
	static char buf[32];

	(void)arg;
	snprintf(buf, sizeof buf, "10.0.0.%d:%d", i + 1, (int)svc->name[0]);
	return buf;
}

static void test_http_services(void **state)
{
	struct scenario s = { 0 };
	struct err e;
	char *x;

	(void)state;
	assert_int_equal(load_text("services:\n"
				   "  a: { protocol: http, replicas: 2, routes: { r: -R } }\n"
				   "  b: { protocol: tcp }\n"
				   "  f: { serverless: { protocol: http1 } }\n"
				   "  g: { serverless: { protocol: h2c } }\n"
				   "  t: { protocol: tcp, serverless: { protocol: http1 } }\n"
				   "  c: { routes: { x: \"-F {a},route=r -R\" } }\n"
				   "  h: { protocol: h2c, routes: { r: -R } }\n"
				   "  q: { protocol: grpc, routes: { r: -R } }\n"
				   "  d: { routes: { y: \"-F {h},route=r -F {q},route=r -R\" } }\n"
				   "balancers:\n  lb: { service: a }\n  lq: { service: q }\n"
				   "clients:\n  - { name: m, to: a, route: r }\n",
				   &s, &e), 0);
	assert_int_equal(scenario_service(&s, "a")->proto, SCENARIO_HTTP);
	assert_int_equal(scenario_service(&s, "b")->proto, SCENARIO_TCP);
	assert_int_equal(scenario_service(&s, "f")->proto, SCENARIO_HTTP);
	assert_int_equal(scenario_service(&s, "g")->proto, SCENARIO_H2C); /* Knative's h2c port */
	assert_int_equal(scenario_service(&s, "t")->proto, SCENARIO_TCP);
	assert_int_equal(scenario_service(&s, "h")->proto, SCENARIO_H2C);
	assert_int_equal(scenario_service(&s, "q")->proto, SCENARIO_GRPC);
	assert_string_equal(scenario_scheme(&s, scenario_service(&s, "lb")), "http://");
	assert_string_equal(scenario_scheme(&s, scenario_service(&s, "lq")), "grpc://");
	x = scenario_expand(&s, "-F {h},route=r -F {q},route=r", false, addr, NULL, &e);
	assert_non_null(x);
	assert_non_null(strstr(x, "-F h2c://"));
	assert_non_null(strstr(x, "-F grpc://"));
	free(x);
	x = scenario_expand(&s, "-F {a} -F {a[1]} -F {b} -F {lb}", false, addr, NULL, &e);
	assert_string_equal(x, "-F http://10.0.0.1:97,http://10.0.0.2:97 -F http://10.0.0.2:97 "
			       "-F 10.0.0.1:98 -F http://10.0.0.1:108");
	free(x);
	x = scenario_expand(&s, "a", true, addr, NULL, &e);
	assert_string_equal(x, "http://10.0.0.1:97");
	free(x);
	scenario_free(&s);
}

static void test_errors_and_set(void **state)
{
	struct scenario s = { 0 };
	struct err e;
	char path[] = "/tmp/mw-protocol-XXXXXX";
	const char *text = "services:\n  a:\n  b: { routes: { x: \"-F {a},route=y -R\" } }\n"
			   "clients:\n  - { name: m, to: b }\n";
	char *sets[] = { "services.a.protocol=http" }, *bad[] = { "services.a.protocol=udp" };
	int fd;

	(void)state;
	assert_int_equal(load_text("services:\n  a: { protocol: h2 }\nclients:\n  - { name: m, to: a }\n",
				   &s, &e), -EINVAL);
	assert_int_equal(e.line, 2);
	assert_non_null(strstr(e.msg, "protocol: expected tcp, http, h2c, grpc, ssl, https or grpcs, got 'h2'"));
	/* a forward to an HTTP service without a route is a route error */
	assert_int_equal(load_text("services:\n  a: { protocol: http }\n  b: { routes: { x: \"-F {a} -R\" } }\n"
				   "clients:\n  - { name: m, to: b }\n", &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "an http:// target runs a route"));
	scenario_free(&s);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	memset(&s, 0, sizeof s);
	assert_int_equal(scenario_load(path, sets, 1, &s, &e), 0);
	assert_int_equal(scenario_service(&s, "a")->proto, SCENARIO_HTTP);
	scenario_free(&s);
	memset(&s, 0, sizeof s);
	assert_int_equal(scenario_load(path, bad, 1, &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "protocol: expected tcp, http, h2c, grpc, ssl, https or grpcs, got 'udp'"));
	scenario_free(&s);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_http_services),
		cmocka_unit_test(test_errors_and_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
