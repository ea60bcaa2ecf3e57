/* test_wset.c -- COMPUTE with a working set (-C TIME,ws=SIZE): the op words
 * (every time spec kind before ws=), both printed forms, the bytes on the
 * wire and their check (the flag, the length, 64 B..1 GiB at every depth),
 * bad input refused with a message naming ws, and the executor: the
 * thread's buffer grows to the largest ws, lines are touched on the clock
 * and, with the calibrated loop, one per 64 iterations. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "exec/exec.h"
#include "exec/wset.h"
#include "proto/ops.h"
#include "prog/prog_parse.h"
#include "unit/prog/prog_helpers.h"

/* The first op of w: a COMPUTE with ws bytes (0: none). */
static void compute_at(const struct wire_buf *w, uint32_t at, uint64_t ws)
{
	struct wire_op op;

	wire_op_at(w->data, at, &op);
	assert_int_equal(op.code, OP_COMPUTE);
	assert_int_equal(op.flags, ws ? WIRE_COMPUTE_WSET : 0);
	assert_int_equal(op.len, WIRE_OP_HDR_LEN + (ws ? 16 : 8));
	assert_true(ops_wset(&op) == ws);
}

static void test_words_and_forms(void **state)
{
	struct wire_buf w;
	struct wire_op op;
	char desc[512];
	struct prog *p;

	wire_buf_init(&w);
	p = parse_ok("-C 1ms,ws=4m", &w);
	compute_at(&w, 0, 4000000);
	wire_op_at(w.data, 0, &op);
	assert_true(ops_time_ns(&op) == 1000000);
	prog_describe(p, desc, sizeof desc);
	assert_string_equal(desc, "COMPUTE(1ms,ws=4m) REPLY");
	prog_describe_dw(p, desc, sizeof desc);
	if (strncmp(desc, "COMPUTE(1000us,ws=4000000", 25) != 0)
		fail_msg("DistWalk's form: %s", desc);
	prog_destroy(p);

	/* without ws= nothing changes: 8 bytes, flags 0, DistWalk's form */
	p = parse_ok("-C 1ms", &w);
	compute_at(&w, 0, 0);
	prog_describe_dw(p, desc, sizeof desc);
	assert_non_null(strstr(desc, "COMPUTE(1000us)->"));
	prog_destroy(p);

	/* every time spec kind before ws=, commas of their own included */
	static const char *const kinds[] = { "-C exp:1ms,ws=32ki", "--comp-time=unif:min=1ms,max=2ms,ws=32ki",
					     "-C emp:100us,200us,300us,ws=32ki",
					     "-C norm:1ms,std=100us,ws=32ki" };
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		p = parse_ok(kinds[i], &w);
		compute_at(&w, 0, 32768);
		prog_destroy(p);
	}

	/* in a sub-program (a route forward's target runs it) and beside SLEEP */
	p = parse_ok("-C 10us,ws=1m -F 127.0.0.1:7000 -C 20us,ws=64 --sleep 1ms -R 1k -C 5us", &w);
	compute_at(&w, 0, 1000000);
	prog_describe(p, desc, sizeof desc);
	assert_non_null(strstr(desc, "COMPUTE(20us,ws=64) SLEEP(1ms)"));
	prog_destroy(p);
	wire_buf_free(&w);
}

static void test_bad_input(void **state)
{
	parse_fails("-C 1ms,ws=", "-C ws");
	parse_fails("-C 1ms,ws=abc", "-C ws");
	parse_fails("-C 1ms,ws=0", "working set");
	parse_fails("-C 1ms,ws=63", "working set");
	parse_fails("-C 1ms,ws=2gi", "1gi");
	parse_fails("-C 1ms,ws=1.1g", "1gi");
	parse_fails("-C 1ms,ws=exp:4m", "constant");
	parse_fails("-C 1ms,ws=4m,ws=8m", "-C ws");
	parse_fails("-C ws=4m", "duration first");
	parse_fails("-C ,ws=4m", "-C");
	parse_fails("-C 1xs,ws=4m", "-C");
	/* the largest a node runs by default (--max-working-set 64mi) is taken;
	 * up to 1gi is the node's choice (test_wire_check) */
	struct wire_buf w;

	wire_buf_init(&w);
	prog_destroy(parse_ok("-C 1ms,ws=64mi", &w));
	compute_at(&w, 0, 64ull << 20);
	wire_buf_free(&w);
}

/* A COMPUTE of ws bytes (flags as given, body length len) then a REPLY,
 * checked at the top level under the given node limits. */
static int check_lim(uint8_t flags, uint64_t ws, uint32_t body, const struct wire_limits *lim,
		     struct err *e)
{
	struct wire_buf b;
	struct ops_tmpl reply = { .code = OP_REPLY };
	struct ops_ctx c = { NULL, NULL };
	size_t at;
	int rc;

	wire_buf_init(&b);
	at = wire_put_op(&b, OP_COMPUTE, flags, 0);
	wire_buf_put_u64(&b, 1000);
	if (body >= 16)
		wire_buf_put_u64(&b, ws);
	wire_end_op(&b, at);
	ops_encode(&reply, &c, NULL, 0, &b);
	err_clear(e);
	rc = wire_prog_check(b.data, (uint32_t)b.len, lim, e);
	wire_buf_free(&b);
	return rc;
}

/* The same under limits that allow the whole wire range (1 GiB). */
static int check_raw(uint8_t flags, uint64_t ws, uint32_t body, struct err *e)
{
	struct wire_limits lim = wire_default_limits;

	lim.max_wset = WIRE_WSET_MAX;
	return check_lim(flags, ws, body, &lim, e);
}

static void test_wire_check(void **state)
{
	struct err e;

	assert_int_equal(check_raw(WIRE_COMPUTE_WSET, 64, 16, &e), 0);
	assert_int_equal(check_raw(WIRE_COMPUTE_WSET, WIRE_WSET_MAX, 16, &e), 0);
	assert_int_equal(check_raw(WIRE_COMPUTE_WSET, 0, 16, &e), -WIRE_ERR_LIMIT);
	assert_non_null(strstr(e.msg, "COMPUTE working set"));
	assert_int_equal(check_raw(WIRE_COMPUTE_WSET, WIRE_WSET_MAX + 1, 16, &e), -WIRE_ERR_LIMIT);
	/* the flag without its field, the field without its flag */
	assert_int_equal(check_raw(WIRE_COMPUTE_WSET, 0, 8, &e), -WIRE_ERR_MALFORMED);
	assert_int_equal(check_raw(0, 4096, 16, &e), -WIRE_ERR_MALFORMED);
	/* a plain COMPUTE is what it was */
	assert_int_equal(check_raw(0, 0, 8, &e), 0);
	/* the node's own limit (--max-working-set, default 64 MiB) */
	assert_int_equal(check_lim(WIRE_COMPUTE_WSET, 64ull << 20, 16, &wire_default_limits, &e), 0);
	assert_int_equal(check_lim(WIRE_COMPUTE_WSET, (64ull << 20) + 1, 16, &wire_default_limits, &e),
			 -WIRE_ERR_LIMIT);
	assert_non_null(strstr(e.msg, "--max-working-set"));
}

static void test_executor(void **state)
{
	struct wire_buf w;
	struct exec_cursor c;
	struct exec_stats st = { 0 };
	struct wire_op op;
	struct rng r;
	uint64_t lines;
	struct prog *p;

	/* no ws: no buffer, no line */
	assert_true(exec_compute_ws(10000, 0, &lines) >= 10000);
	assert_true(lines == 0);
	/* on the clock: lines back to back for the whole duration */
	assert_true(exec_compute_ws(200000, 1 << 20, &lines) >= 200000);
	assert_true(lines > 0);
	assert_true(wset_size() == 1 << 20);
	/* grown to the largest ws seen, never shrunk */
	exec_compute_ws(1000, 4096, &lines);
	assert_true(wset_size() == 1 << 20);
	exec_compute_ws(1000, 2 << 20, &lines);
	assert_true(wset_size() == 2 << 20);
	/* the calibrated loop: a fixed count, one line per 64 iterations */
	exec_set_loops_per_usec(10);
	exec_compute_ws(100000, 65536, &lines); /* 1000 iterations */
	assert_true(lines == 16);
	exec_set_loops_per_usec(0);

	/* the walk runs it as any COMPUTE */
	wire_buf_init(&w);
	p = parse_ok("-C 50us,ws=8m -R 10", &w);
	rng_seed(&r, 1, 0);
	exec_start(&c, w.data, (uint32_t)w.len);
	assert_int_equal(exec_next(&c, &r, &st, &op), EXEC_REPLY);
	assert_true(st.computes == 1 && st.compute_ns >= 50000);
	assert_true(wset_size() == 8000000);
	prog_destroy(p);
	wire_buf_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words_and_forms),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_wire_check),
		cmocka_unit_test(test_executor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
