/* test_job.c -- the bundle a client Job prints and collect parses (sizes,
 * noise before it, cut and malformed logs), and the DNS label rule of
 * deploy k8s. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deploy/job.h"
#include "deploy/k8s.h"

struct seen {
	char names[8][32];
	char data[8][64];
	int n;
};

static int note(const char *name, const char *data, size_t len, void *arg)
{
	struct seen *s = arg;

	assert_true(s->n < 8 && len < 64);
	snprintf(s->names[s->n], sizeof s->names[0], "%s", name);
	memcpy(s->data[s->n], data, len);
	s->data[s->n][len] = '\0';
	s->n++;
	return 0;
}

static int parse(const char *text, struct seen *s, int *status, struct err *e)
{
	memset(s, 0, sizeof *s);
	return job_parse(text, strlen(text), "main", note, s, status, e);
}

static void test_bundle(void **state)
{
	struct seen s;
	struct err e;
	int st;

	(void)state;
	/* Noise before the bundle (a runtime's warning) is skipped; a file's
	 * bytes may hold anything, bundle keywords and newlines included. */
	assert_int_equal(parse("warning: x\nmeshwalk-bundle 1 main\nfile a.csv 5\nx\nend\n"
			       "file b.txt 0\n\nexit 0\nend\n", &s, &st, &e), 0);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.names[0], "a.csv");
	assert_string_equal(s.data[0], "x\nend");
	assert_string_equal(s.names[1], "b.txt");
	assert_string_equal(s.data[1], "");
	assert_int_equal(st, 0);
	/* The exit status is carried. */
	assert_int_equal(parse("meshwalk-bundle 1 main\nexit 1\nend\n", &s, &st, &e), 0);
	assert_int_equal(st, 1);
	/* Another group's bundle is not this one's. */
	assert_int_equal(parse("meshwalk-bundle 1 other\nexit 0\nend\n", &s, &st, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "no results of group main"));
	/* A prefix of the group's name is not the group. */
	assert_int_equal(parse("meshwalk-bundle 1 mainx\nexit 0\nend\n", &s, &st, &e), -EINVAL);
}

static void test_bad(void **state)
{
	struct seen s;
	struct err e;
	int st;

	(void)state;
	/* Cut inside a file, or before the end line. */
	assert_int_equal(parse("meshwalk-bundle 1 main\nfile a.csv 50\nabc\n", &s, &st, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "cut"));
	assert_int_equal(parse("meshwalk-bundle 1 main\nfile a.csv 3\nabc\nexit 0\n", &s, &st, &e),
			 -EINVAL);
	assert_non_null(strstr(e.msg, "cut short"));
	/* A size that does not end at a newline. */
	assert_int_equal(parse("meshwalk-bundle 1 main\nfile a.csv 2\nabc\nend\n", &s, &st, &e), -EINVAL);
	/* Negative sizes and names that would leave the group's directory. */
	assert_int_equal(parse("meshwalk-bundle 1 main\nfile a.csv -1\n\nend\n", &s, &st, &e), -EINVAL);
	assert_int_equal(parse("meshwalk-bundle 1 main\nfile ../x 1\na\nend\n", &s, &st, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "named '../x'"));
	assert_int_equal(parse("meshwalk-bundle 1 main\nfile .hidden 1\na\nend\n", &s, &st, &e), -EINVAL);
	assert_int_equal(parse("", &s, &st, &e), -EINVAL);
}

static void test_dns_label(void **state)
{
	(void)state;
	assert_true(k8s_dns_label("front"));
	assert_true(k8s_dns_label("a-1"));
	assert_true(k8s_dns_label("9"));
	assert_false(k8s_dns_label(""));
	assert_false(k8s_dns_label("Front"));
	assert_false(k8s_dns_label("a_b"));
	assert_false(k8s_dns_label("a.b"));
	assert_false(k8s_dns_label("-a"));
	assert_false(k8s_dns_label("a-"));
	assert_true(k8s_dns_label("a23456789012345678901234567890123456789012345678901234567890123"));
	assert_false(k8s_dns_label("a234567890123456789012345678901234567890123456789012345678901234"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bundle),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_dns_label),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
