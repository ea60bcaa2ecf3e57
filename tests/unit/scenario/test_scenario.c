/* test_scenario.c -- the YAML scenario loader: every field, the defaults,
 * shell-like splitting, {svc}/{svc[i]} expansion, every error with its
 * position and wording, and --set overrides. Scenario files are written into a
 * private mkdtemp() directory under /tmp that the group teardown removes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "scenario/scenario.h"

/* -- scratch files -- */

static char tmpdir[64];
static char *written[64];
static size_t nwritten;

static int group_setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/mw-scenario-XXXXXX");
	return mkdtemp(tmpdir) == NULL ? -1 : 0;
}

static int group_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < nwritten; i++) {
		unlink(written[i]);
		free(written[i]);
	}
	nwritten = 0;
	return rmdir(tmpdir);
}

/* Writes text to tmpdir/name and returns the path (valid until teardown). */
static const char *write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	for (size_t i = 0; i < nwritten; i++)
		if (strcmp(written[i], path) == 0)
			return written[i];
	assert_true(nwritten < sizeof written / sizeof *written);
	written[nwritten] = strdup(path);
	assert_non_null(written[nwritten]);
	return written[nwritten++];
}

static int load_text(const char *text, char *const *sets, size_t nsets, struct scenario *s,
		     struct err *e)
{
	return scenario_load(write_file("s.yaml", text), sets, nsets, s, e);
}

/* Loads text, which must fail with -EINVAL at line (and col unless 0), with a
 * message containing each of the NULL-terminated words. */
static void expect_error(const char *text, int line, int col, ...)
{
	struct scenario s;
	struct err e;
	va_list ap;
	const char *w;
	int rc = load_text(text, NULL, 0, &s, &e);

	/* Freed first: a failed assertion below must not leak. */
	scenario_free(&s);
	assert_int_equal(rc, -EINVAL);
	if (line != e.line || (col && col != e.col))
		print_error("for:\n%s\ngot %d:%d: %s\n", text, e.line, e.col, e.msg);
	assert_int_equal(e.line, line);
	if (col)
		assert_int_equal(e.col, col);
	va_start(ap, col);
	while ((w = va_arg(ap, const char *)) != NULL) {
		if (strstr(e.msg, w) == NULL)
			print_error("message '%s' lacks '%s'\n", e.msg, w);
		assert_non_null(strstr(e.msg, w));
	}
	va_end(ap);
}

/* A valid scenario for the override tests. */
static const char minimal[] = "services:\n"
			      "  S:\n"
			      "    replicas: 2\n"
			      "clients:\n"
			      "  - name: C\n"
			      "    to: S\n"
			      "    args: \"-n 10 -F {S[1]}\"\n";

/* Loads minimal with the override set, which must fail with -EINVAL (line 0:
 * not from the file) and a message containing word. */
static void expect_set_error(const char *set, const char *word)
{
	char *sets[] = { (char *)set };
	struct scenario s;
	struct err e;
	int rc = load_text(minimal, sets, 1, &s, &e);

	scenario_free(&s);
	assert_int_equal(rc, -EINVAL);
	if (strstr(e.msg, word) == NULL)
		print_error("--set %s: message '%s' lacks '%s'\n", set, e.msg, word);
	assert_non_null(strstr(e.msg, word));
	assert_int_equal(e.line, 0);
}

static void assert_argv(const struct scenario_argv *a, size_t n, ...)
{
	va_list ap;

	assert_int_equal(a->n, n);
	va_start(ap, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(a->v[i], va_arg(ap, const char *));
	va_end(ap);
	if (n)
		assert_null(a->v[n]);
}

/* -- loading a valid scenario -- */

static const char full[] = "# a chain of three services\n"              /* 1 */
			   "name: chain\n"                                /* 2 */
			   "seed: 42\n"                                   /* 3 */
			   "services:\n"                                  /* 4 */
			   "  front:\n"                                   /* 5 */
			   "    replicas: 1\n"                            /* 6 */
			   "    node: \"--nt 2 --label 'a b'\"\n"         /* 7 */
			   "  back:\n"                                    /* 8 */
			   "    replicas: 3\n"                            /* 9 */
			   "    node: [\"--nt\", \"4\", \"x y\"]\n"       /* 10 */
			   "  db:\n"                                      /* 11 */
			   "clients:\n"                                   /* 12 */
			   "  - name: main\n"                             /* 13 */
			   "    to: front\n"                              /* 14 */
			   "    args: \"-C 200us -F {back} -R 1k -n 1000\"\n" /* 15 */
			   "    delay: 500ms\n"                           /* 16 */
			   "  - name: direct\n"                           /* 17 */
			   "    to: back[2]\n"                            /* 18 */
			   "    args: [\"-n\", \"10\", \"-F\", \"{db[0]}\"]\n" /* 19 */
			   "    delay: 2s\n"                              /* 20 */
			   "  - name: ext\n"                              /* 21 */
			   "    to: 127.0.0.1:9000\n";                    /* 22 */

static void test_full(void **state)
{
	struct scenario s;
	struct err e;
	const char *path = write_file("full.yaml", full);

	(void)state;
	assert_int_equal(scenario_load(path, NULL, 0, &s, &e), 0);
	assert_string_equal(e.msg, "");
	assert_string_equal(s.path, path);
	assert_string_equal(s.name, "chain");
	assert_true(s.has_seed);
	assert_true(s.seed == 42);

	assert_int_equal(s.nservices, 3);
	assert_string_equal(s.services[0].name, "front");
	assert_int_equal(s.services[0].replicas, 1);
	assert_argv(&s.services[0].node, 4, "--nt", "2", "--label", "a b");
	assert_int_equal(s.services[0].line, 5);
	assert_string_equal(s.services[1].name, "back");
	assert_int_equal(s.services[1].replicas, 3);
	assert_argv(&s.services[1].node, 3, "--nt", "4", "x y");
	assert_int_equal(s.services[1].line, 8);
	assert_string_equal(s.services[2].name, "db");
	assert_int_equal(s.services[2].replicas, 1); /* "db:" alone: defaults */
	assert_int_equal(s.services[2].node.n, 0);
	assert_int_equal(s.services[2].line, 11);

	assert_int_equal(s.nclients, 3);
	assert_string_equal(s.clients[0].name, "main");
	assert_string_equal(s.clients[0].to, "front");
	/* Unexpanded: {back} stays as written until run time. */
	assert_argv(&s.clients[0].args, 8, "-C", "200us", "-F", "{back}", "-R", "1k", "-n", "1000");
	assert_true(s.clients[0].delay_ns == 500000000);
	assert_int_equal(s.clients[0].line, 13);
	assert_string_equal(s.clients[1].name, "direct");
	assert_string_equal(s.clients[1].to, "back[2]");
	assert_argv(&s.clients[1].args, 4, "-n", "10", "-F", "{db[0]}");
	assert_true(s.clients[1].delay_ns == 2000000000);
	assert_int_equal(s.clients[1].line, 17);
	assert_string_equal(s.clients[2].name, "ext");
	assert_string_equal(s.clients[2].to, "127.0.0.1:9000");
	assert_int_equal(s.clients[2].args.n, 0);
	assert_true(s.clients[2].delay_ns == 0);
	assert_int_equal(s.clients[2].line, 21);

	assert_ptr_equal(scenario_service(&s, "back"), &s.services[1]);
	assert_ptr_equal(scenario_service(&s, "db"), &s.services[2]);
	assert_null(scenario_service(&s, "nope"));

	scenario_free(&s);
	assert_null(s.services);
	assert_null(s.name);
	assert_int_equal(s.nclients, 0);
}

static void test_seed_values(void **state)
{
	struct scenario s;
	struct err e;

	(void)state;
	/* No seed: has_seed stays false (the run then picks one). */
	assert_int_equal(load_text("services: {a: }\nclients: [{name: c, to: a}]\n", NULL, 0, &s, &e), 0);
	assert_false(s.has_seed);
	assert_string_equal(s.services[0].name, "a");
	assert_int_equal(s.services[0].replicas, 1);
	scenario_free(&s);
	/* The whole uint64_t range. */
	assert_int_equal(load_text("seed: 18446744073709551615\nservices: {a: }\n"
				   "clients: [{name: c, to: a}]\n",
				   NULL, 0, &s, &e),
			 0);
	assert_true(s.has_seed);
	assert_true(s.seed == UINT64_MAX);
	scenario_free(&s);
	assert_int_equal(load_text("seed: 0\nservices: {a: }\nclients: [{name: c, to: a}]\n", NULL, 0,
				   &s, &e),
			 0);
	assert_true(s.has_seed);
	assert_true(s.seed == 0);
	scenario_free(&s);
}

static void test_replicas_bounds(void **state)
{
	struct scenario s;
	struct err e;

	(void)state;
	assert_int_equal(load_text("services:\n  a:\n    replicas: 64\nclients:\n  - {name: c, to: \"a[63]\"}\n",
				   NULL, 0, &s, &e),
			 0);
	assert_int_equal(s.services[0].replicas, SCENARIO_MAX_REPLICAS);
	scenario_free(&s);
}

static void test_default_name(void **state)
{
	struct scenario s;
	struct err e;
	const char *body = "services: {a: }\nclients: [{name: c, to: a}]\n";

	(void)state;
	assert_int_equal(scenario_load(write_file("my-chain.yaml", body), NULL, 0, &s, &e), 0);
	assert_string_equal(s.name, "my-chain");
	scenario_free(&s);
	/* Only the last extension goes. */
	assert_int_equal(scenario_load(write_file("v1.2.yml", body), NULL, 0, &s, &e), 0);
	assert_string_equal(s.name, "v1.2");
	scenario_free(&s);
	/* No extension: the whole base name. */
	assert_int_equal(scenario_load(write_file("plain", body), NULL, 0, &s, &e), 0);
	assert_string_equal(s.name, "plain");
	scenario_free(&s);
	/* A name in the file wins over the file name. */
	assert_int_equal(scenario_load(write_file("other.yaml", "name: given\nservices: {a: }\n"
								"clients: [{name: c, to: a}]\n"),
				       NULL, 0, &s, &e),
			 0);
	assert_string_equal(s.name, "given");
	scenario_free(&s);
}

static void test_missing_file(void **state)
{
	struct scenario s;
	struct err e;

	(void)state;
	assert_int_equal(scenario_load("/nonexistent/dir/x.yaml", NULL, 0, &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "cannot open /nonexistent/dir/x.yaml"));
	assert_int_equal(e.line, 0);
	scenario_free(&s);
}

/* -- scenario_split -- */

static void test_split_blanks(void **state)
{
	struct scenario_argv a = { 0 };
	struct err e;

	(void)state;
	assert_int_equal(scenario_split("  -C\t200us \n -n   5  ", &a, &e), 0);
	assert_argv(&a, 4, "-C", "200us", "-n", "5");
	/* Appends to what is there. */
	assert_int_equal(scenario_split("x", &a, &e), 0);
	assert_argv(&a, 5, "-C", "200us", "-n", "5", "x");
	scenario_argv_free(&a);
	assert_null(a.v);
	assert_int_equal(a.n, 0);

	assert_int_equal(scenario_split("", &a, &e), 0);
	assert_int_equal(a.n, 0);
	assert_int_equal(scenario_split(" \t ", &a, &e), 0);
	assert_int_equal(a.n, 0);
	scenario_argv_free(&a);
}

static void test_split_quotes(void **state)
{
	struct scenario_argv a = { 0 };
	struct err e;

	(void)state;
	assert_int_equal(scenario_split("'a b' \"c  d\" x'y z'w '' \"\"", &a, &e), 0);
	assert_argv(&a, 5, "a b", "c  d", "xy zw", "", "");
	scenario_argv_free(&a);
	/* Each quote protects the other kind. */
	assert_int_equal(scenario_split("\"it's\" 'say \"hi\"'", &a, &e), 0);
	assert_argv(&a, 2, "it's", "say \"hi\"");
	scenario_argv_free(&a);
}

static void test_split_escapes(void **state)
{
	struct scenario_argv a = { 0 };
	struct err e;

	(void)state;
	/* Outside quotes a backslash keeps the next character. */
	assert_int_equal(scenario_split("a\\ b \\' \\\\ \\\"", &a, &e), 0);
	assert_argv(&a, 4, "a b", "'", "\\", "\"");
	scenario_argv_free(&a);
	/* Inside double quotes too; inside single quotes it is literal. */
	assert_int_equal(scenario_split("\"a\\\"b\" 'c\\d'", &a, &e), 0);
	assert_argv(&a, 2, "a\"b", "c\\d");
	scenario_argv_free(&a);
	/* A trailing backslash is kept. */
	assert_int_equal(scenario_split("end\\", &a, &e), 0);
	assert_argv(&a, 1, "end\\");
	scenario_argv_free(&a);
}

static void test_split_unterminated(void **state)
{
	struct scenario_argv a = { 0 };
	struct err e;

	(void)state;
	err_clear(&e);
	assert_int_equal(scenario_split("a 'b c", &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unterminated ' quote"));
	assert_non_null(strstr(e.msg, "a 'b c"));
	scenario_argv_free(&a);
	assert_int_equal(scenario_split("\"x", &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unterminated \" quote"));
	scenario_argv_free(&a);
	/* An escaped closing quote does not close. */
	assert_int_equal(scenario_split("\"x\\\"", &a, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "unterminated \" quote"));
	scenario_argv_free(&a);
}

/* -- scenario_expand -- */

static const char expand_yaml[] = "services:\n"
				  "  a:\n"
				  "  b:\n"
				  "    replicas: 3\n"
				  "clients:\n"
				  "  - {name: c, to: a}\n";

/* Replica i of the k-th service is 10.0.0.k:(9000+i). */
static const char *fake_addr(const struct scenario_service *svc, int i, void *arg)
{
	static char buf[64];
	const struct scenario *s = arg;

	snprintf(buf, sizeof buf, "10.0.0.%d:%d", (int)(svc - s->services), 9000 + i);
	return buf;
}

static void expect_expand(const struct scenario *s, const char *text, bool bare, const char *want)
{
	struct err e;
	char *x;

	err_clear(&e);
	x = scenario_expand(s, text, bare, fake_addr, (void *)s, &e);
	if (x == NULL)
		print_error("expand '%s': %s\n", text, e.msg);
	assert_non_null(x);
	assert_string_equal(x, want);
	free(x);
}

static void expect_expand_error(const struct scenario *s, const char *text, bool bare, const char *word)
{
	struct err e;
	char *x;

	err_clear(&e);
	x = scenario_expand(s, text, bare, fake_addr, (void *)s, &e);
	if (x != NULL)
		print_error("expand '%s' gave '%s'\n", text, x);
	assert_null(x);
	if (strstr(e.msg, word) == NULL)
		print_error("expand '%s': message '%s' lacks '%s'\n", text, e.msg, word);
	assert_non_null(strstr(e.msg, word));
}

static void test_expand(void **state)
{
	struct scenario s;
	struct err e;

	(void)state;
	assert_int_equal(load_text(expand_yaml, NULL, 0, &s, &e), 0);
	/* {svc}: every replica, comma-joined, in place. */
	expect_expand(&s, "{b}", false, "10.0.0.1:9000,10.0.0.1:9001,10.0.0.1:9002");
	expect_expand(&s, "-F{b},nack=1", false, "-F10.0.0.1:9000,10.0.0.1:9001,10.0.0.1:9002,nack=1");
	expect_expand(&s, "{a}", false, "10.0.0.0:9000");
	/* {svc[i]}: one replica. */
	expect_expand(&s, "{b[1]}", false, "10.0.0.1:9001");
	expect_expand(&s, "{b[2]}", false, "10.0.0.1:9002");
	expect_expand(&s, "{a[0]}/{b[0]}", false, "10.0.0.0:9000/10.0.0.1:9000");
	/* Text without references, or with an unclosed brace, is unchanged. */
	expect_expand(&s, "-n", false, "-n");
	expect_expand(&s, "{a", false, "{a");
	expect_expand(&s, "", false, "");
	/* Not bare: a word equal to a service name is just a word. */
	expect_expand(&s, "a", false, "a");
	scenario_free(&s);
}

static void test_expand_bare(void **state)
{
	struct scenario s;
	struct err e;

	(void)state;
	assert_int_equal(load_text(expand_yaml, NULL, 0, &s, &e), 0);
	/* A bare service is its replica 0, never the list. */
	expect_expand(&s, "b", true, "10.0.0.1:9000");
	expect_expand(&s, "a", true, "10.0.0.0:9000");
	expect_expand(&s, "b[2]", true, "10.0.0.1:9002");
	/* host:port passes through. */
	expect_expand(&s, "127.0.0.1:7891", true, "127.0.0.1:7891");
	expect_expand(&s, "tcp://h:1", true, "tcp://h:1");
	/* Braces still work in a bare `to`. */
	expect_expand(&s, "{b[1]}", true, "10.0.0.1:9001");
	expect_expand_error(&s, "nosuch", true, "no service called 'nosuch'");
	expect_expand_error(&s, "b[3]", true, "no b[3]");
	scenario_free(&s);
}

static void test_expand_errors(void **state)
{
	struct scenario s;
	struct err e;

	(void)state;
	assert_int_equal(load_text(expand_yaml, NULL, 0, &s, &e), 0);
	expect_expand_error(&s, "-F {zz}", false, "no service called 'zz'");
	expect_expand_error(&s, "{b[3]}", false, "b has 3 replicas, there is no b[3]");
	expect_expand_error(&s, "{a[1]}", false, "a has 1 replica, there is no a[1]");
	expect_expand_error(&s, "{b[-1]}", false, "there is no b[-1]");
	expect_expand_error(&s, "{b[x]}", false, "bad replica reference 'b[x]' (expected b[N])");
	expect_expand_error(&s, "{b[1]x}", false, "bad replica reference");
	expect_expand_error(&s, "{b[]}", false, "bad replica reference");
	expect_expand_error(&s, "{}", false, "bad service reference");
	expect_expand_error(&s, "{[0]}", false, "bad service reference");
	scenario_free(&s);
}

/* -- errors in the file -- */

static void test_err_yaml_syntax(void **state)
{
	(void)state;
	expect_error("services:\n  a: [1, 2\nclients: []\n", 3, 0, "YAML syntax", NULL);
	expect_error("name: \"unclosed\n", 2, 0, "YAML syntax", NULL);
	expect_error("a: b: c\n", 1, 5, "YAML syntax", NULL);
}

static void test_err_empty(void **state)
{
	(void)state;
	expect_error("", 0, 0, "the file is empty", NULL);
	expect_error("# only a comment\n", 0, 0, "the file is empty", NULL);
}

static void test_err_top_not_mapping(void **state)
{
	(void)state;
	expect_error("- a\n- b\n", 1, 1, "expected a mapping at the top", "got a list", NULL);
	expect_error("\n  hello\n", 2, 3, "expected a mapping at the top", "got a scalar", NULL);
}

static void test_err_unknown_top_key(void **state)
{
	(void)state;
	expect_error("name: x\nservise: {}\n", 2, 1, "unknown key 'servise'", NULL);
}

static void test_err_wrong_types(void **state)
{
	(void)state;
	expect_error("name: [a]\n", 1, 7, "name: expected a single value", "got a list", NULL);
	expect_error("name: 'a b'\n", 1, 7, "name 'a b'", NULL);
	expect_error("services: [a]\n", 1, 11, "services: expected a mapping", NULL);
	expect_error("clients: {a: 1}\n", 1, 10, "clients: expected a list", NULL);
	expect_error("services:\n  a: 3\n", 2, 6, "service a: expected a mapping", NULL);
	expect_error("services:\n  a/b:\n", 2, 3, "service name 'a/b'", NULL);
	expect_error("services:\n  a:\n    node: {x: 1}\n", 3, 11, "node: expected a string or a list",
		     NULL);
	expect_error("services:\n  a:\n    node: [x, [y]]\n", 3, 15, "node: list items must be strings",
		     NULL);
	expect_error("services: {a: }\nclients:\n  - just-a-name\n", 3, 5,
		     "each item must be a mapping", NULL);
	expect_error("services: {a: }\nclients:\n  - {name: c, to: [a]}\n", 3, 19,
		     "to: expected a single value", NULL);
	expect_error("services: {a: }\nclients:\n  - {name: 'c d', to: a}\n", 3, 12, "client name 'c d'",
		     NULL);
}

static void test_err_unknown_service_key(void **state)
{
	(void)state;
	expect_error("services:\n  a:\n    replicas: 2\n    nodes: x\n", 4, 5,
		     "service a: unknown key 'nodes'", NULL);
}

static void test_err_unknown_client_key(void **state)
{
	(void)state;
	expect_error("services: {a: }\nclients:\n  - name: c\n    to: a\n    dealy: 1s\n", 5, 5,
		     "client: unknown key 'dealy'", NULL);
}

static void test_err_replicas(void **state)
{
	(void)state;
	expect_error("services:\n  a:\n    replicas: 0\n", 3, 15, "service a: replicas:",
		     "expected a whole number from 1 to 64, got '0'", NULL);
	expect_error("services:\n  a:\n    replicas: 65\n", 3, 15, "service a: replicas:",
		     "got '65'", NULL);
	expect_error("services:\n  a:\n    replicas: 'x'\n", 3, 15, "service a: replicas:", "got 'x'",
		     NULL);
	expect_error("services:\n  a:\n    replicas: [1]\n", 3, 15, "replicas: expected a single value",
		     NULL);
}

static void test_err_duplicate_service(void **state)
{
	(void)state;
	expect_error("services:\n  a:\n  b:\n  a:\n    replicas: 2\n", 4, 3,
		     "services: 'a' is given twice (first on line 2)", NULL);
}

static void test_err_duplicate_client(void **state)
{
	(void)state;
	expect_error("services: {a: }\nclients:\n  - {name: c, to: a}\n  - name: d\n    to: a\n"
		     "  - name: c\n    to: a\n",
		     6, 5, "client c is defined twice", NULL);
}

static void test_err_client_missing(void **state)
{
	(void)state;
	expect_error("services: {a: }\nclients:\n  - to: a\n    args: -n 1\n", 3, 5,
		     "client: missing name", NULL);
	expect_error("services: {a: }\nclients:\n  - name: c\n    args: -n 1\n", 3, 5,
		     "client c: missing to", NULL);
}

static void test_err_client_references(void **state)
{
	(void)state;
	/* Checked after the whole file is read: line of the client, no column. */
	expect_error("services: {a: }\nclients:\n  - name: ok\n    to: a\n  - name: c\n    to: b\n", 5, 0,
		     "client c: to:", "no service called 'b'", NULL);
	expect_error("services: {a: }\nclients:\n  - name: c\n    to: a[1]\n", 3, 0, "client c: to:",
		     "a has 1 replica, there is no a[1]", NULL);
	expect_error("services: {a: }\nclients:\n  - name: c\n    to: a\n    args: -F {back} -n 1\n", 3, 0,
		     "client c: args:", "no service called 'back'", NULL);
	expect_error("services: {a: {replicas: 2}}\nclients:\n  - name: c\n    to: a\n"
		     "    args: [-F, '{a[2]}']\n",
		     3, 0, "client c: args:", "a has 2 replicas, there is no a[2]", NULL);
}

static void test_err_no_services_no_clients(void **state)
{
	(void)state;
	expect_error("clients:\n  - {name: c, to: '127.0.0.1:1'}\n", 0, 0, "no services", NULL);
	expect_error("services: {}\nclients:\n  - {name: c, to: '127.0.0.1:1'}\n", 0, 0, "no services",
		     NULL);
	expect_error("services: {a: }\n", 0, 0, "no clients", NULL);
	expect_error("services: {a: }\nclients: []\n", 0, 0, "no clients", NULL);
}

static void test_err_bad_delay(void **state)
{
	(void)state;
	expect_error("services: {a: }\nclients:\n  - name: c\n    to: a\n    delay: soon\n", 5, 12,
		     "delay: expected a duration such as 500ms, got 'soon'", NULL);
	expect_error("services: {a: }\nclients:\n  - name: c\n    to: a\n    delay: -1s\n", 5, 12,
		     "delay: expected a duration", "got '-1s'", NULL);
	/* At most a day. */
	expect_error("services: {a: }\nclients:\n  - name: c\n    to: a\n    delay: 86401s\n", 5, 12,
		     "delay: expected a duration", NULL);
}

static void test_err_bad_seed(void **state)
{
	(void)state;
	expect_error("seed: x\n", 1, 7, "seed: expected a number, got 'x'", NULL);
	expect_error("seed: -1\n", 1, 7, "seed: expected a non-negative number, got '-1'", NULL);
	expect_error("seed: 18446744073709551616\n", 1, 7, "seed: expected a number", NULL);
	expect_error("seed: [1]\n", 1, 7, "seed: expected a single value", NULL);
}

static void test_err_unterminated_in_file(void **state)
{
	(void)state;
	expect_error("services:\n  a:\n    node: \"--x 'y\"\n", 3, 11, "node:", "unterminated ' quote",
		     NULL);
	expect_error("services: {a: }\nclients:\n  - name: c\n    to: a\n    args: '-n \"1'\n", 5, 11,
		     "args:", "unterminated \" quote", NULL);
}

/* A second `services:` (or `clients:`) key must not corrupt memory: it is
 * either an error or handled. Run in a child so a crash fails only this test. */
static void expect_no_crash(const char *text)
{
	const char *path = write_file("dup.yaml", text);
	pid_t pid = fork();
	int status;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct scenario s;
		struct err e;
		int rc;

		/* cmocka catches these to fail a test; in the child a crash must
		 * end the child, not resume the test run. */
		signal(SIGSEGV, SIG_DFL);
		signal(SIGBUS, SIG_DFL);
		signal(SIGILL, SIG_DFL);
		signal(SIGFPE, SIG_DFL);
		signal(SIGABRT, SIG_DFL);
		rc = scenario_load(path, NULL, 0, &s, &e);

		scenario_free(&s);
		_exit(rc == 0 || rc == -EINVAL ? 42 : 43);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 42)
		print_error("scenario_load crashed or misbehaved on:\n%s(wait status %#x)\n", text, status);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 42);
}

static void test_err_repeated_top_key(void **state)
{
	(void)state;
	expect_no_crash("services:\n  a:\n  b:\nservices:\n  c:\nclients:\n  - {name: x, to: c}\n");
	expect_no_crash("services:\n  a:\nclients:\n  - {name: x, to: a}\n  - {name: y, to: a}\n"
			"clients:\n  - {name: z, to: a}\n");
}

/* -- overrides -- */

static void test_set_values(void **state)
{
	char *sets[] = {
		"seed=7",
		"name=x",
		"services.S.replicas=3",
		"services.S.node=--nt 4 'a b'",
		"clients.C.args=-n 5 -F {S[2]}",
		"clients.C.to=S[2]",
		"clients.C.delay=1s",
	};
	struct scenario s;
	struct err e;

	(void)state;
	assert_int_equal(load_text(minimal, sets, sizeof sets / sizeof *sets, &s, &e), 0);
	assert_true(s.has_seed);
	assert_true(s.seed == 7);
	assert_string_equal(s.name, "x");
	assert_int_equal(s.services[0].replicas, 3);
	assert_argv(&s.services[0].node, 3, "--nt", "4", "a b");
	assert_argv(&s.clients[0].args, 4, "-n", "5", "-F", "{S[2]}");
	assert_string_equal(s.clients[0].to, "S[2]");
	assert_true(s.clients[0].delay_ns == 1000000000);
	scenario_free(&s);
}

static void test_set_replaces(void **state)
{
	/* node and args are replaced, not appended to; a later --set wins. */
	char *sets[] = { "services.S.node=--nt 2", "services.S.node=--nt 3", "clients.C.to=127.0.0.1:5",
			 "clients.C.args=-q", "seed=1", "seed=16" };
	struct scenario s;
	struct err e;

	(void)state;
	assert_int_equal(load_text("seed: 99\nservices:\n  S:\n    node: [--a, --b]\nclients:\n"
				   "  - {name: C, to: S, args: '-n 1 -n 2'}\n",
				   sets, sizeof sets / sizeof *sets, &s, &e),
			 0);
	assert_argv(&s.services[0].node, 2, "--nt", "3");
	assert_string_equal(s.clients[0].to, "127.0.0.1:5");
	assert_argv(&s.clients[0].args, 1, "-q");
	assert_true(s.seed == 16);
	scenario_free(&s);
}

static void test_set_validated_after(void **state)
{
	/* Overrides are validated like file values: fewer replicas break {S[1]}. */
	char *fewer[] = { "services.S.replicas=1" };
	char *unknown_to[] = { "clients.C.to=T" };
	struct scenario s;
	struct err e;

	(void)state;
	assert_int_equal(load_text(minimal, fewer, 1, &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "client C: args"));
	assert_non_null(strstr(e.msg, "there is no S[1]"));
	assert_int_equal(e.line, 5);
	scenario_free(&s);
	assert_int_equal(load_text(minimal, unknown_to, 1, &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "client C: to"));
	assert_non_null(strstr(e.msg, "no service called 'T'"));
	scenario_free(&s);
	/* The same override on a file that does not need S[1] is fine. */
	assert_int_equal(load_text("services: {S: {replicas: 2}}\nclients: [{name: C, to: S}]\n", fewer, 1,
				   &s, &e),
			 0);
	assert_int_equal(s.services[0].replicas, 1);
	scenario_free(&s);
}

static void test_set_errors(void **state)
{
	(void)state;
	expect_set_error("seed", "expected key=value");
	expect_set_error("=7", "expected key=value");
	expect_set_error("services.T.replicas=2", "no service called 'T'");
	expect_set_error("clients.D.to=S", "no client group called 'D'");
	expect_set_error("services.S.port=2", "services have no key 'port'");
	expect_set_error("clients.C.rate=2", "clients have no key 'rate'");
	expect_set_error("colour=red", "expected name, seed, services.NAME.KEY or clients.NAME.KEY");
	expect_set_error("services.S=1", "expected name, seed, services.NAME.KEY");
	expect_set_error("nodes.S.replicas=1", "expected name, seed, services.NAME.KEY");
	expect_set_error("seed=abc", "--set seed: expected a number, got 'abc'");
	expect_set_error("seed=-3", "--set seed: expected a non-negative number");
	expect_set_error("name=a b", "--set name: 'a b' is not a valid name");
	expect_set_error("name=", "is not a valid name");
	expect_set_error("services.S.replicas=0", "--set replicas: expected a whole number from 1 to 64");
	expect_set_error("services.S.replicas=65", "got '65'");
	expect_set_error("services.S.replicas=two", "got 'two'");
	expect_set_error("services.S.node=--x 'y", "unterminated ' quote");
	expect_set_error("clients.C.args=-n \"1", "unterminated \" quote");
	expect_set_error("clients.C.delay=soon", "delay: expected a duration such as 500ms, got 'soon'");
}

/* -- routes -- */

static const char shop[] = "services:\n"
			   "  front:\n"
			   "    routes:\n"
			   "      checkout: \"-C 100us -F {pay},route=charge -R 1k\"\n"
			   "      home: -C 10us\n"
			   "  pay:\n"
			   "    replicas: 2\n"
			   "    routes: { charge: \"-F {stock[0]},route=reserve\" }\n"
			   "  stock:\n"
			   "    routes: { reserve: -C 5us }\n"
			   "  other:\n"
			   "clients:\n"
			   "  - name: buyers\n"
			   "    to: front\n"
			   "    route: checkout\n";

static void test_routes(void **state)
{
	struct scenario s;
	struct err e;
	const struct scenario_service *front, *pay, *stock;

	(void)state;
	assert_int_equal(load_text(shop, NULL, 0, &s, &e), 0);
	front = scenario_service(&s, "front");
	pay = scenario_service(&s, "pay");
	stock = scenario_service(&s, "stock");
	assert_int_equal(front->nroutes, 2);
	assert_string_equal(front->routes[0].name, "checkout");
	assert_string_equal(front->routes[0].text, "-C 100us -F {pay},route=charge -R 1k");
	assert_int_equal(front->routes[0].line, 4);
	assert_int_equal(front->routes[0].col, 17);
	assert_string_equal(front->routes[1].name, "home");
	assert_non_null(scenario_route(&s, pay, "charge"));
	assert_null(scenario_route(&s, pay, "checkout"));
	/* start waves: stock, then pay, then front; unrelated services in wave 0 */
	assert_int_equal(stock->level, 0);
	assert_int_equal(pay->level, 1);
	assert_int_equal(front->level, 2);
	assert_int_equal(scenario_service(&s, "other")->level, 0);
	assert_int_equal(s.max_level, 2);
	assert_string_equal(s.clients[0].route, "checkout");
	scenario_free(&s);
}

static void test_routes_set(void **state)
{
	char *sets[] = { "services.pay.routes.charge=-C 1ms", "services.stock.routes.new=-C 2ms",
			 "clients.buyers.route=home" };
	struct scenario s;
	struct err e;
	const struct scenario_service *pay, *stock;

	(void)state;
	assert_int_equal(load_text(shop, sets, 3, &s, &e), 0);
	pay = scenario_service(&s, "pay");
	stock = scenario_service(&s, "stock");
	assert_string_equal(pay->routes[0].text, "-C 1ms");
	assert_int_equal(pay->level, 0); /* no longer references stock */
	assert_int_equal(stock->nroutes, 2);
	assert_string_equal(stock->routes[1].name, "new");
	assert_string_equal(s.clients[0].route, "home");
	assert_int_equal(scenario_service(&s, "front")->level, 1);
	scenario_free(&s);

	char *bad[] = { "clients.buyers.route=nope" };
	assert_int_equal(load_text(shop, bad, 1, &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "client buyers: route nope: service front has no such route "
				      "(it has: checkout, home)"));
	scenario_free(&s);
	char *cyc[] = { "services.stock.routes.back=-F {front},route=home" };
	assert_int_equal(load_text(shop, cyc, 1, &s, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "cycle: front -> pay -> stock -> front"));
	scenario_free(&s);
	expect_set_error("services.S.routes.a b=-C 1", "route name 'a b'");
	expect_set_error("clients.C.route=a/b", "route 'a/b'");
}

static void test_err_routes(void **state)
{
	(void)state;
	/* bad program text: the position of the text, the route named */
	expect_error("services:\n  a:\n    routes:\n      x: \"-C 1ms -n 4\"\nclients:\n  - { name: g, to: a }\n", 4, 10,
		     "service a: route x: '-n' is not an op", NULL);
	expect_error("services:\n  a:\n    routes: { x: \"-F {b}\" }\nclients:\n  - { name: g, to: a }\n", 3, 18,
		     "service a: route x: no service called 'b'", NULL);
	expect_error("services:\n  a:\n    routes: [x]\nclients:\n  - { name: g, to: a }\n", 3, 13,
		     "service a: routes: expected a mapping", NULL);
	expect_error("services:\n  a:\n    routes: { x: [-C, 1] }\nclients:\n  - { name: g, to: a }\n", 3, 18,
		     "route x: expected the program as one string", NULL);
	expect_error("services:\n  a:\n    routes: { 'a b': -C 1 }\nclients:\n  - { name: g, to: a }\n", 3, 15, "route name 'a b'", NULL);
	expect_error("services:\n  a:\n    routes: { x: -C 1, x: -C 2 }\nclients:\n  - { name: g, to: a }\n", 3, 24, "'x' is given twice",
		     NULL);
	/* cycles, self-references: the route that closes the cycle */
	expect_error("services:\n"
		     "  a:\n"
		     "    routes: { x: \"-F {b},route=y\" }\n"
		     "  b:\n"
		     "    routes:\n"
		     "      y: \"-C 1 -F {c[0]},route=z\"\n"
		     "  c:\n"
		     "    routes:\n"
		     "      z: -F {a},route=x\n"
		     "clients:\n"
		     "  - { name: g, to: a }\n",
		     9, 10, "routes reference each other in a cycle: a -> b -> c -> a", NULL);
	expect_error("services:\n  a:\n    routes: { x: \"-F {a},route=x\" }\nclients:\n  - { name: g, to: a }\n",
		     3, 18, "cycle: a -> a", NULL);
	/* a route may not reference a balancer */
	expect_error("services:\n  a:\n    routes: { x: \"-F {lb},route=x\" }\n  b:\n"
		     "balancers:\n  lb: { service: b }\nclients:\n  - { name: g, to: a }\n",
		     3, 18, "route x references balancer lb", NULL);
	/* a client that names a route sends no program: ops in its args are refused */
	expect_error("services:\n  a:\n    routes: { x: -C 1 }\nclients:\n  - name: g\n    to: a\n"
		     "    route: x\n    args: \"-n 5 --comp-time=1ms\"\n",
		     7, 12, "client g: route x: args carry the op '--comp-time=1ms'", NULL);
	/* client route: the `to` service must have it (a balancer: its service's) */
	expect_error("services:\n  a:\n    routes: { x: -C 1 }\nclients:\n  - name: g\n    to: a\n"
		     "    route: y\n",
		     7, 12, "client g: route y: service a has no such route (it has: x)", NULL);
	expect_error("services:\n  a:\nclients:\n  - { name: g, to: \"{a[0]}\", route: y }\n", 4, 37,
		     "service a has no such route (it has no routes)", NULL);
	expect_error("services:\n  b:\n    routes: { x: -C 1 }\nbalancers:\n  lb: { service: b, kind: meshwalk }\n"
		     "clients:\n  - { name: g, to: lb, route: z }\n",
		     7, 31, "service b has no such route (it has: x)", NULL);
	expect_error("services:\n  a:\nclients:\n  - { name: g, to: a, route: 'x y' }\n", 4, 30,
		     "route 'x y'", NULL);
}

static void test_routes_unchecked_address(void **state)
{
	struct scenario s;
	struct err e;

	(void)state;
	/* a plain address: nothing to check the route against */
	assert_int_equal(load_text("services:\n  a:\nclients:\n  - { name: g, to: 127.0.0.1:7891, "
				   "route: any }\n  - { name: h, to: a }\n", NULL, 0, &s, &e), 0);
	assert_string_equal(s.clients[0].route, "any");
	assert_null(s.clients[1].route);
	scenario_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_seed_values),
		cmocka_unit_test(test_replicas_bounds),
		cmocka_unit_test(test_default_name),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_split_blanks),
		cmocka_unit_test(test_split_quotes),
		cmocka_unit_test(test_split_escapes),
		cmocka_unit_test(test_split_unterminated),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_bare),
		cmocka_unit_test(test_expand_errors),
		cmocka_unit_test(test_err_yaml_syntax),
		cmocka_unit_test(test_err_empty),
		cmocka_unit_test(test_err_top_not_mapping),
		cmocka_unit_test(test_err_unknown_top_key),
		cmocka_unit_test(test_err_wrong_types),
		cmocka_unit_test(test_err_unknown_service_key),
		cmocka_unit_test(test_err_unknown_client_key),
		cmocka_unit_test(test_err_replicas),
		cmocka_unit_test(test_err_duplicate_service),
		cmocka_unit_test(test_err_duplicate_client),
		cmocka_unit_test(test_err_client_missing),
		cmocka_unit_test(test_err_client_references),
		cmocka_unit_test(test_err_no_services_no_clients),
		cmocka_unit_test(test_err_bad_delay),
		cmocka_unit_test(test_err_bad_seed),
		cmocka_unit_test(test_err_unterminated_in_file),
		cmocka_unit_test(test_err_repeated_top_key),
		cmocka_unit_test(test_set_values),
		cmocka_unit_test(test_set_replaces),
		cmocka_unit_test(test_set_validated_after),
		cmocka_unit_test(test_set_errors),
		cmocka_unit_test(test_routes),
		cmocka_unit_test(test_routes_set),
		cmocka_unit_test(test_err_routes),
		cmocka_unit_test(test_routes_unchecked_address),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
