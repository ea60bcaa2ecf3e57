/* test_kube.c -- a service's Kubernetes keys: `resources` and `serverless`,
 * their values and defaults, and every error with its position. */
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

#define CLIENTS "clients:\n  - { name: main, to: w }\n"

static void test_values(void **state)
{
	(void)state;
	assert_int_equal(load("services:\n  w:\n    resources: { cpu: 1.5, memory: 256Mi }\n"
			      "    serverless:\n      class: kpa\n      metric: rps\n      target: 2.5\n"
			      "      min-scale: 1\n      max-scale: 8\n      container-concurrency: 3\n"
			      "      protocol: [http1]\n" CLIENTS),
			 0);
	const struct scenario_service *w = &s.services[0];
	assert_string_equal(w->resources.cpu, "1.5");
	assert_string_equal(w->resources.memory, "256Mi");
	assert_true(w->serverless.set);
	assert_string_equal(kube_class_name(w->serverless.cls), "kpa.autoscaling.knative.dev");
	assert_string_equal(kube_metric_name(w->serverless.metric), "rps");
	assert_true(w->serverless.target == 2.5);
	assert_int_equal(w->serverless.min_scale, 1);
	assert_int_equal(w->serverless.max_scale, 8);
	assert_int_equal(w->serverless.container_concurrency, 3);
	assert_string_equal(w->serverless.protocol, "http1");
	assert_int_equal(w->line, 2);
	assert_int_equal(w->col, 3);

	/* "serverless:" alone: Knative's defaults, an HTTP/1.1 port. */
	assert_int_equal(load("services:\n  w:\n    serverless:\n" CLIENTS), 0);
	w = &s.services[0];
	assert_true(w->serverless.set);
	assert_int_equal(w->serverless.cls, KUBE_KPA);
	assert_int_equal(w->serverless.metric, KUBE_CONCURRENCY);
	assert_true(w->serverless.target == 0);
	assert_int_equal(w->serverless.min_scale, -1);
	assert_int_equal(w->serverless.max_scale, -1);
	assert_int_equal(w->serverless.container_concurrency, -1);
	assert_string_equal(w->serverless.protocol, "http1");
	assert_null(w->resources.cpu);

	assert_int_equal(load("services:\n  w:\n    serverless: { class: hpa, metric: cpu, target: 70 }\n"
			      CLIENTS), 0);
	assert_string_equal(kube_class_name(s.services[0].serverless.cls), "hpa.autoscaling.knative.dev");
	/* Without the keys, nothing is set. */
	assert_int_equal(load("services:\n  w:\n" CLIENTS), 0);
	assert_false(s.services[0].serverless.set);
}

static void expect_error(const char *text, const char *msg, int line, int col)
{
	assert_int_equal(load(text), -EINVAL);
	if (strstr(e.msg, msg) == NULL)
		fail_msg("expected '%s' in '%s'", msg, e.msg);
	assert_int_equal(e.line, line);
	assert_int_equal(e.col, col);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("services:\n  w:\n    serverless:\n      protocol: [h2c, http1]\n" CLIENTS,
		     "service w: serverless: protocol: 2 protocols, but Knative routes one container port",
		     4, 17);
	expect_error("services:\n  w:\n    serverless: { protocol: grpc }\n" CLIENTS,
		     "protocol: expected h2c (gRPC) or http1", 3, 29);
	expect_error("services:\n  w:\n    serverless: { metric: qps }\n" CLIENTS,
		     "metric: expected concurrency, rps or cpu", 3, 27);
	expect_error("services:\n  w:\n    serverless: { class: hpa }\n" CLIENTS,
		     "metric concurrency does not go with class hpa", 3, 17);
	expect_error("services:\n  w:\n    serverless: { metric: cpu }\n" CLIENTS,
		     "metric cpu does not go with class kpa", 3, 27);
	expect_error("services:\n  w:\n    serverless: { target: 0 }\n" CLIENTS,
		     "target: expected a number above 0", 3, 27);
	expect_error("services:\n  w:\n    serverless: { min-scale: -1 }\n" CLIENTS,
		     "min-scale: expected a whole number from 0 to 1000000", 3, 30);
	expect_error("services:\n  w:\n    serverless: { min-scale: 5, max-scale: 2 }\n" CLIENTS,
		     "max-scale 2 is below min-scale 5", 3, 44);
	expect_error("services:\n  w:\n    serverless: { max-scale: 2, min-scale: 5 }\n" CLIENTS,
		     "min-scale 5 is above max-scale 2", 3, 17);
	expect_error("services:\n  w:\n    serverless: { color: red }\n" CLIENTS,
		     "serverless: unknown key 'color'", 3, 19);
	expect_error("services:\n  w:\n    serverless: [a]\n" CLIENTS,
		     "serverless: expected a mapping", 3, 17);
	expect_error("services:\n  w:\n    serverless: { target: 1, target: 2 }\n" CLIENTS,
		     "'target' is given twice", 3, 30);
	expect_error("services:\n  w:\n    resources: { cpu: 1x }\n" CLIENTS,
		     "resources: cpu: expected a Kubernetes quantity", 3, 23);
	expect_error("services:\n  w:\n    resources: { memory: '' }\n" CLIENTS,
		     "resources: memory: expected a Kubernetes quantity", 3, 26);
	expect_error("services:\n  w:\n    resources: { gpu: 1 }\n" CLIENTS,
		     "resources: unknown key 'gpu'", 3, 18);
	expect_error("services:\n  w:\n    resources: {}\n" CLIENTS, "give cpu, memory or both", 3, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_values, teardown),
		cmocka_unit_test_teardown(test_errors, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
