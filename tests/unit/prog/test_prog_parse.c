/* test_prog_parse.c -- op words as text (src/prog/prog_parse.c), and the
 * route forwards they build: -F ...,route=NAME encodes a FORWARD whose
 * sub-programs are route names, opens no scope, and never mixes with
 * sub-program branches. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "exec/exec.h"
#include "prog/prog_parse.h"
#include "prog_helpers.h"

static void test_text_forms(void **state)
{
	struct wire_buf w;
	struct wire_op op;
	char desc[512];
	struct prog *p;

	wire_buf_init(&w);
	p = parse_ok("-C 200us  -C300 --comp-time 1ms --comp-time=2ms -R 1k", &w);
	prog_describe(p, desc, sizeof desc);
	assert_string_equal(desc, "COMPUTE(200us) COMPUTE(300us) COMPUTE(1ms) COMPUTE(2ms) REPLY(1k B)");
	prog_destroy(p);

	/* a bare -R before another op takes no value */
	p = parse_ok("-F 127.0.0.1:7892 -C 10 -R -C 20", &w);
	prog_describe(p, desc, sizeof desc);
	assert_non_null(strstr(desc, "FORWARD(127.0.0.1:7892){ COMPUTE(10us) REPLY} COMPUTE(20us) REPLY"));
	prog_destroy(p);

	p = parse_ok("--comp 10us --forw=127.0.0.1:7892 --rs=1k --load-d 4k --sk 1", &w);
	prog_describe(p, desc, sizeof desc);
	assert_non_null(strstr(desc, "COMPUTE(10us) FORWARD(127.0.0.1:7892){ REPLY(1k B)}"));
	prog_destroy(p);

	/* Each -R closes the innermost open -F; the last one is the final reply. */
	p = parse_ok("-F 127.0.0.1:7892 -F 127.0.0.1:7893 -R 10 -R 20 -R 30", &w);
	prog_describe(p, desc, sizeof desc);
	assert_non_null(strstr(desc, "REPLY(10 B)} REPLY(20 B)} REPLY(30 B)"));
	prog_destroy(p);

	p = parse_ok("", &w);
	assert_true(prog_is_ping(p));
	prog_destroy(p);

	p = parse_ok("\t-L 4k --load-offset 0 -S 1k,sync -s 1,prob=0.5\n", &w);
	wire_op_at(w.data, 0, &op);
	assert_int_equal(op.code, OP_LOAD);
	assert_true(wire_get_u64(op.body) == 0); /* --load-offset applies */
	prog_destroy(p);
	wire_buf_free(&w);
}

static void test_text_errors(void **state)
{
	parse_fails("-C 1ms -n 10", "'-n' is not an op");
	parse_fails("checkout", "'checkout' is not an op");
	parse_fails("-C", "-C needs a value");
	parse_fails("-C abc", "-C");
	parse_fails("-F", "-F needs a value");
	parse_fails("-F 127.0.0.1:1,colour=red", "unknown option 'colour=red'");
	parse_fails("-F 127.0.0.1:1,route=a/b", "route name");
	parse_fails("-L 1k,bogus", "unexpected 'bogus'");
	parse_fails("--load-offset", "needs a value");
	/* Long names abbreviate as on the command line, if only one matches. */
	parse_fails("--s 1", "'--s' is ambiguous: --store-data, --skip, --store-offset");
	parse_fails("--load=1k", "ambiguous");
	/* The final reply is given once; a second -R would silently win. */
	parse_fails("-R 1k -R 2k", "-R given twice at the top level");
	parse_fails("-C 1ms -R -C 2ms -R 3k", "-R given twice");
	parse_fails("-F 127.0.0.1:7892 -R 1k -R 2k -R 3k", "-R given twice");
	/* nowait waits for nothing: the options about waiting do not go with it */
	parse_fails("-F 127.0.0.1:1,nowait,nack=1 -R", "nowait waits for no reply");
	parse_fails("-F 127.0.0.1:1,nowait,retry=2 -R", "nowait waits for no reply");
	parse_fails("-F 127.0.0.1:1,nowait,timeout=1ms -R", "nowait waits for no reply");
	parse_fails("-F 127.0.0.1:1,nowait,branch -R", "nowait waits for no reply");
}

/* -F ADDR,nowait: nack 0 on the wire (fire and forget), in both notations. */
static void test_nowait_words(void **state)
{
	struct wire_buf w;
	struct wire_op op;
	struct wire_forward f;
	char desc[512];
	struct prog *p;

	(void)state;
	wire_buf_init(&w);
	p = parse_ok("-F 127.0.0.1:7892,127.0.0.1:7893,nowait,route=audit -R 10", &w);
	wire_op_at(w.data, 0, &op);
	assert_int_equal(op.code, OP_FORWARD);
	wire_forward_decode(&op, &f);
	assert_int_equal(f.nack, 0);
	assert_int_equal(f.ntargets, 2);
	prog_describe(p, desc, sizeof desc);
	assert_non_null(strstr(desc, ",nowait"));
	prog_describe_dw(p, desc, sizeof desc);
	assert_non_null(strstr(desc, "nack=0"));
	prog_destroy(p);
	wire_buf_free(&w);
}

static void test_route_forward(void **state)
{
	struct wire_buf w;
	struct wire_op op;
	struct wire_forward f;
	const uint8_t *sub;
	uint32_t sub_len;
	char desc[512];
	struct prog *p;

	wire_buf_init(&w);
	/* no scope: the -C after the route forward runs here, -R 1k is the final reply */
	p = parse_ok("-C 200us -F 127.0.0.1:7892,route=pay -C 50us -R 1k", &w);
	prog_describe(p, desc, sizeof desc);
	assert_string_equal(desc, "COMPUTE(200us) FORWARD(127.0.0.1:7892,route=pay) COMPUTE(50us) REPLY(1k B)");
	wire_op_at(w.data, 16, &op);
	assert_int_equal(op.code, OP_FORWARD);
	assert_int_equal(op.flags, WIRE_FWD_ROUTE);
	wire_forward_decode(&op, &f);
	assert_true(f.route);
	wire_forward_sub(&f, 0, &sub, &sub_len);
	assert_int_equal(sub_len, 3);
	assert_memory_equal(sub, "pay", 3);
	wire_op_at(w.data, 16 + op.len, &op);
	assert_int_equal(op.code, OP_COMPUTE);
	prog_destroy(p);

	/* a branch group of routes: one name per target */
	p = parse_ok("-F 127.0.0.1:1,branch,route=a -F 127.0.0.1:2,127.0.0.1:3,branch,route=b,nack=2", &w);
	wire_op_at(w.data, 0, &op);
	assert_int_equal(op.flags, WIRE_FWD_ROUTE | WIRE_FWD_BRANCH);
	wire_forward_decode(&op, &f);
	assert_int_equal(f.ntargets, 3);
	assert_int_equal(f.nack, 2);
	wire_forward_sub(&f, 0, &sub, &sub_len);
	assert_memory_equal(sub, "a", 1);
	wire_forward_sub(&f, 2, &sub, &sub_len);
	assert_memory_equal(sub, "b", 1);
	prog_destroy(p);

	/* a route forward inside a forwarded sub-program */
	p = parse_ok("-F 127.0.0.1:1 -F 127.0.0.1:2,route=inner -R", &w);
	prog_describe(p, desc, sizeof desc);
	assert_non_null(strstr(desc, "FORWARD(127.0.0.1:1){ FORWARD(127.0.0.1:2,route=inner) REPLY}"));
	prog_destroy(p);

	parse_fails("-F 127.0.0.1:1,branch,route=a -F 127.0.0.1:2,branch -C 1 -R",
		    "mixes route= branches");
	parse_fails("-F 127.0.0.1:1,branch -C 1 -R -F 127.0.0.1:2,branch,route=a",
		    "mixes route= branches");
	wire_buf_free(&w);
}

/* --sleep TIME encodes a SLEEP of that many ns; printed SLEEP(..). */
static void test_sleep_words(void **state)
{
	struct wire_buf w;
	struct wire_op op;
	char desc[256];
	struct prog *p;

	(void)state;
	wire_buf_init(&w);
	p = parse_ok("--sleep 2ms -C 1ms --sleep=300us -R 1k", &w);
	prog_describe(p, desc, sizeof desc);
	assert_string_equal(desc, "SLEEP(2ms) COMPUTE(1ms) SLEEP(300us) REPLY(1k B)");
	wire_op_at(w.data, 0, &op);
	assert_int_equal(op.code, OP_SLEEP);
	assert_true(wire_get_u64(op.body) == 2000000);
	prog_destroy(p);
	prog_describe_dw(p = parse_ok("--sleep 5", &w), desc, sizeof desc);
	assert_non_null(strstr(desc, "SLEEP(5us)"));
	prog_destroy(p);
	parse_fails("--sleep", "--sleep needs a value");
	parse_fails("--sleep 1xs", "--sleep");
	wire_buf_free(&w);
}

/* Runs the encoded program's top level as a node would and returns the sum
 * of the SLEEP values it met (ns): which alternatives ran. */
static uint64_t walk_sleeps(const struct wire_buf *w, struct rng *r)
{
	struct exec_cursor c;
	struct exec_stats st = { 0 };
	struct wire_op op;
	uint64_t sum = 0;

	exec_start(&c, w->data, (uint32_t)w->len);
	for (;;) {
		enum exec_step k = exec_next(&c, r, &st, &op);

		if (k == EXEC_REPLY)
			return sum;
		assert_int_equal(k, EXEC_SLEEP);
		sum += wire_get_u64(op.body);
	}
}

/* --choice: exactly one alternative runs, each by its weight; the group
 * needs --choice-end in its own scope. */
static void test_choice_words(void **state)
{
	struct wire_buf w;
	struct prog *p;
	unsigned seen[4] = { 0 };
	struct rng r;

	(void)state;
	wire_buf_init(&w);
	/* alternatives sleep 1, 2+2 and 8 ns: sums tell which ran */
	p = parse_ok("--sleep 1000ns --choice 5 --sleep 1ns --choice 3 --sleep 2ns --sleep 2ns "
		     "--choice 2 --sleep 8ns --choice-end --sleep 16ns", &w);
	rng_seed(&r, 7, 0);
	for (int i = 0; i < 20000; i++) {
		uint64_t s = walk_sleeps(&w, &r);

		/* the ops before and after the group always run */
		assert_true(s == 1017 || s == 1020 || s == 1024);
		seen[s == 1017 ? 0 : s == 1020 ? 1 : 2]++;
	}
	assert_true(seen[0] > 9500 && seen[0] < 10500);
	assert_true(seen[1] > 5600 && seen[1] < 6400);
	assert_true(seen[2] > 3600 && seen[2] < 4400);
	prog_destroy(p);

	/* one alternative: always; a group inside a forward scope; an empty one */
	p = parse_ok("--choice 1 --sleep 3ns --choice-end", &w);
	assert_true(walk_sleeps(&w, &r) == 3);
	prog_destroy(p);
	prog_destroy(parse_ok("-F 127.0.0.1:7892 --choice 1 -C 1 --choice 1 --choice-end -R", &w));

	parse_fails("--choice 1 -C 1", "not closed");
	parse_fails("--choice-end", "without an open --choice");
	parse_fails("--choice 0 -C 1 --choice-end", "above 0");
	parse_fails("--choice x", "--choice");
	parse_fails("-F 127.0.0.1:7892 --choice 1 -C 1 -R --choice-end", "still open");
	wire_buf_free(&w);
}

/* A route prefix: op words that the route's own may follow unchanged. */
static void test_prefix(void **state)
{
	static const char *const ok[] = {
		"", "-C 1ms", "--sleep 2ms -L 4k -S 1k,sync -s 1,prob=0.5",
		"-F 127.0.0.1:7892 -C 1 -R", "-F 127.0.0.1:7892,route=a,branch -C 0",
		"--choice 1 -C 1ms --choice 2 -C 2ms --choice-end",
	};
	static const struct {
		const char *text, *words;
	} bad[] = {
		{ "-R", "-R at the top level" },
		{ "-C 1ms -R 1k", "-R at the top level" },
		{ "-F 127.0.0.1:7892 -C 1", "a -F without route= is still open" },
		{ "--choice 1 -C 1ms", "--choice group is still open" },
		{ "-F 127.0.0.1:7892,route=a,branch", "ends in a branch group" },
		{ "-F 127.0.0.1:7892,branch -C 1 -R", "ends in a branch group" },
		{ "--store-offset 0 -S 1k", "sets the offsets of the whole program" },
		{ "-C", "-C needs a value" },
	};
	struct err e;

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
		if (prog_parse_prefix(ok[i], &e) != 0)
			fail_msg("'%s': %s", ok[i], e.msg);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(prog_parse_prefix(bad[i].text, &e), -EINVAL);
		if (strstr(e.msg, bad[i].words) == NULL)
			fail_msg("'%s': '%s' lacks '%s'", bad[i].text, e.msg, bad[i].words);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sleep_words),
		cmocka_unit_test(test_choice_words),
		cmocka_unit_test(test_text_forms),
		cmocka_unit_test(test_text_errors),
		cmocka_unit_test(test_nowait_words),
		cmocka_unit_test(test_route_forward),
		cmocka_unit_test(test_prefix),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
