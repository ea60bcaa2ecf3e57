/* test_prog.c -- program templates (src/prog) and the executor (src/exec):
 * the DistWalk grammar builds the tree the paper describes, encodes to a
 * program the wire check accepts, and the executor walks it as specified. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "exec/exec.h"
#include "prog/prog.h"
#include "util/clock.h"

static struct spec *sp(const char *text, enum spec_unit u)
{
	struct spec *s;
	struct err e;

	assert_int_equal(spec_parse(text, u, &s, &e), 0);
	return s;
}

static void fwd(struct prog_builder *b, const char *addrs, uint32_t nack, bool branch)
{
	struct prog_fwd_opts o;
	struct err e;
	char buf[256], *p = buf, *t;

	memset(&o, 0, sizeof o);
	snprintf(buf, sizeof buf, "%s", addrs);
	while ((t = strsep(&p, ",")) != NULL)
		assert_int_equal(sock_addr_parse(t, "127.0.0.1", 7891, false, &o.targets[o.ntargets++], &e), 0);
	o.nack = nack;
	o.branch = branch;
	assert_int_equal(prog_add_forward(b, &o, &e), 0);
}

static struct prog *finish(struct prog_builder *b)
{
	struct prog *p;
	struct err e;

	assert_int_equal(prog_finish(b, &p, &e), 0);
	return p;
}

static void encode(const struct prog *p, struct wire_buf *out, uint64_t index)
{
	struct rng r;
	struct err e;

	rng_seed(&r, 1, 0);
	out->len = 0;
	prog_encode(p, &r, index, out);
	assert_int_equal(wire_prog_check(out->data, (uint32_t)out->len, &wire_default_limits, &e), 0);
}

/* --to n1 -C 100ms -F n2 -C 100ms: COMPUTE, FORWARD{COMPUTE, REPLY}, REPLY */
static void test_chain_grammar(void **state)
{
	struct prog_builder b;
	struct wire_buf w;
	struct wire_op op;
	struct wire_forward f;
	struct exec_cursor c;
	struct exec_stats st = { 0 };
	struct rng r;
	char desc[512];

	prog_builder_init(&b);
	prog_add_compute(&b, sp("100us", SPEC_TIME), NULL);
	fwd(&b, "127.0.0.1:7892", 0, false);
	prog_add_compute(&b, sp("200us", SPEC_TIME), NULL);
	struct prog *p = finish(&b);
	prog_describe(p, desc, sizeof desc);
	assert_non_null(strstr(desc, "FORWARD(127.0.0.1:7892)"));
	wire_buf_init(&w);
	encode(p, &w, 0);

	rng_seed(&r, 1, 0);
	exec_start(&c, w.data, (uint32_t)w.len);
	int64_t t0 = clock_now_ns();
	assert_int_equal(exec_next(&c, &r, &st, &op), EXEC_FORWARD);
	/* the 100 us COMPUTE ran first, and never shorter than asked */
	assert_true(clock_now_ns() - t0 >= 100000);
	assert_int_equal(st.computes, 1);
	assert_true(st.compute_ns >= 100000);
	wire_forward_decode(&op, &f);
	assert_int_equal(f.ntargets, 1);
	assert_int_equal(f.nack, 1);
	/* the sub-program is the 200 us COMPUTE and its REPLY */
	const uint8_t *sub;
	uint32_t sub_len;
	struct wire_op sop;
	wire_forward_sub(&f, 0, &sub, &sub_len);
	wire_op_at(sub, 0, &sop);
	assert_int_equal(sop.code, OP_COMPUTE);
	assert_true(wire_get_u64(sop.body) == 200000);
	/* after the forward: the final REPLY */
	assert_int_equal(exec_next(&c, &r, &st, &op), EXEC_REPLY);
	prog_destroy(p);
	wire_buf_free(&w);
}

/* -F a,branch -C 10 -R -F b,branch -C 20 -R: one FORWARD, two sub-programs */
static void test_branch_group(void **state)
{
	struct prog_builder b;
	struct wire_buf w;
	struct wire_op op;
	struct wire_forward f;

	prog_builder_init(&b);
	fwd(&b, "127.0.0.1:1", 0, true);
	prog_add_compute(&b, sp("10", SPEC_TIME), NULL);
	prog_add_reply(&b, sp("100", SPEC_SIZE), false, NULL);
	fwd(&b, "127.0.0.1:2", 0, true);
	prog_add_compute(&b, sp("20", SPEC_TIME), NULL);
	prog_add_reply(&b, NULL, false, NULL);
	prog_add_reply(&b, sp("11192", SPEC_SIZE), false, NULL); /* top level: final reply size */
	struct prog *p = finish(&b);
	wire_buf_init(&w);
	encode(p, &w, 0);
	wire_op_at(w.data, 0, &op);
	assert_int_equal(op.code, OP_FORWARD);
	wire_forward_decode(&op, &f);
	assert_true(f.branch);
	assert_int_equal(f.ntargets, 2);
	assert_int_equal(f.nsub, 2);
	assert_int_equal(f.nack, 2); /* all branches by default */
	for (uint32_t i = 0; i < 2; i++) {
		const uint8_t *sub;
		uint32_t len;
		struct wire_op c, rep;

		wire_forward_sub(&f, i, &sub, &len);
		wire_op_at(sub, 0, &c);
		assert_true(wire_get_u64(c.body) == (i ? 20000u : 10000u));
		wire_op_at(sub, c.len, &rep);
		assert_int_equal(rep.code, OP_REPLY);
		assert_true(wire_get_u64(rep.body) == (i ? 0u : 100u));
	}
	wire_op_at(w.data, op.len, &op);
	assert_int_equal(op.code, OP_REPLY);
	assert_true(wire_get_u64(op.body) == 11192);
	prog_destroy(p);

	/* an op between two branch forwards starts a new group */
	prog_builder_init(&b);
	fwd(&b, "127.0.0.1:1", 0, true);
	prog_add_reply(&b, NULL, false, NULL);
	prog_add_compute(&b, sp("1", SPEC_TIME), NULL);
	fwd(&b, "127.0.0.1:2", 0, true);
	p = finish(&b);
	encode(p, &w, 0);
	wire_op_at(w.data, 0, &op);
	wire_forward_decode(&op, &f);
	assert_int_equal(f.ntargets, 1);
	prog_destroy(p);
	wire_buf_free(&w);
}

static void test_nack_checked_at_finish(void **state)
{
	struct prog_builder b;
	struct prog *p;
	char buf[512];

	prog_builder_init(&b);
	fwd(&b, "127.0.0.1:1", 3, true);
	prog_add_reply(&b, NULL, false, NULL);
	fwd(&b, "127.0.0.1:2", 0, true);
	prog_add_reply(&b, NULL, false, NULL);
	/* Clamped to the group's 2 targets (with a warning), as DistWalk clamps. */
	p = finish(&b);
	prog_describe_dw(p, buf, sizeof buf);
	assert_non_null(strstr(buf, "branched=1,nack=2)"));
	prog_destroy(p);
}

/* DistWalk's reading of -F A,branch -C 1ms -F B,branch -C 2ms -R: the second
 * branch -F ends the first branch and joins its group; the -R is the
 * top-level reply. Never one branch nested in the other. */
static void test_branches_are_siblings(void **state)
{
	struct prog_builder b;
	struct prog *p;
	char buf[1024];

	prog_builder_init(&b);
	fwd(&b, "127.0.0.1:1", 0, true);
	prog_add_compute(&b, sp("1ms", SPEC_TIME), NULL);
	fwd(&b, "127.0.0.1:2", 0, true);
	prog_add_compute(&b, sp("2ms", SPEC_TIME), NULL);
	prog_add_reply(&b, NULL, false, NULL);
	p = finish(&b);
	prog_describe_dw(p, buf, sizeof buf);
	assert_string_equal(buf, "FORWARD_BEGIN(tcp://127.0.0.1:1,auto,retries=0,timeout=10000000,"
				 "branched=1,nack=2)->COMPUTE(1000us)->REPLY(24b, mode=normal, dev=0)->"
				 "FORWARD_CONTINUE(tcp://127.0.0.1:2,auto)->COMPUTE(2000us)->REPLY(24b, "
				 "mode=normal, dev=0)->REPLY(24b, mode=normal, dev=0)");
	prog_destroy(p);
}

/* Regression (found through fuzz_client_args with a hand-made input):
 * twelve nested 4-target branch forwards encode 4^12 copies of the innermost
 * sub-program, gigabytes per request; prog_finish() must refuse the template instead, while ten levels
 * of 2 targets (4094 ops) stay under the limit of 4096 and are accepted. */
static void test_finish_refuses_exploding_branches(void **state)
{
	struct prog_builder b;
	struct prog *p;
	struct wire_buf w;
	struct err e;

	/* A branch -F inside a branch joins its group (DistWalk's reading), so
	 * groups nest through a plain forward between them: 8 levels of 4
	 * branches are 4^8 copies. */
	prog_builder_init(&b);
	for (int i = 0; i < 8; i++) {
		fwd(&b, "127.0.0.1:1,127.0.0.1:2,127.0.0.1:3,127.0.0.1:4", 0, true);
		fwd(&b, "127.0.0.1:5", 0, false);
	}
	prog_add_compute(&b, sp("1", SPEC_TIME), NULL);
	assert_int_equal(prog_finish(&b, &p, &e), -EINVAL);
	assert_null(p);
	assert_non_null(strstr(e.msg, "4096 ops"));

	/* 7 levels of 2 branches, each with a plain forward: level k has 2^k
	 * copies of 4 ops, 4 * (2^8 - 1) + 1 = 1021 ops, accepted. */
	prog_builder_init(&b);
	for (int i = 0; i < 7; i++) {
		fwd(&b, "127.0.0.1:1,127.0.0.1:2", 0, true);
		fwd(&b, "127.0.0.1:5", 0, false);
	}
	prog_add_compute(&b, sp("1", SPEC_TIME), NULL);
	p = finish(&b);
	wire_buf_init(&w);
	encode(p, &w, 0); /* and the node's check accepts it */
	wire_buf_free(&w);
	prog_destroy(p);
}

/* -s 1 -C 50ms: the COMPUTE is skipped; every=2 skips on even requests only */
static void test_skip(void **state)
{
	struct prog_builder b;
	struct wire_buf w;
	struct wire_op op;
	struct exec_cursor c;
	struct exec_stats st = { 0 };
	struct rng r;

	prog_builder_init(&b);
	prog_add_skip(&b, 1, 1.0, 2, NULL);
	prog_add_compute(&b, sp("50ms", SPEC_TIME), NULL);
	prog_add_compute(&b, sp("1us", SPEC_TIME), NULL);
	struct prog *p = finish(&b);
	wire_buf_init(&w);
	rng_seed(&r, 3, 0);
	encode(p, &w, 0); /* request 0: 0 % 2 == 0, skip */
	exec_start(&c, w.data, (uint32_t)w.len);
	assert_int_equal(exec_next(&c, &r, &st, &op), EXEC_REPLY);
	assert_int_equal(st.skipped, 1);
	assert_int_equal(st.computes, 1);
	assert_true(st.compute_ns < 50000000);
	encode(p, &w, 1); /* request 1: no skip; run only the tiny compute path check */
	wire_op_at(w.data, 0, &op);
	assert_int_equal(op.code, OP_SKIP);
	assert_int_equal(wire_get_u32(op.body + 4), 0); /* probability 0 on this request */
	prog_destroy(p);

	/* SKIP never skips the final REPLY, and a skipped FORWARD goes whole */
	prog_builder_init(&b);
	prog_add_skip(&b, 5, 1.0, 1, NULL);
	fwd(&b, "127.0.0.1:1", 0, false);
	prog_add_compute(&b, sp("1s", SPEC_TIME), NULL);
	prog_add_reply(&b, NULL, false, NULL);
	p = finish(&b);
	encode(p, &w, 0);
	memset(&st, 0, sizeof st);
	exec_start(&c, w.data, (uint32_t)w.len);
	assert_int_equal(exec_next(&c, &r, &st, &op), EXEC_REPLY);
	assert_int_equal(st.skipped, 1);
	prog_destroy(p);
	wire_buf_free(&w);
}

static void test_skip_probability(void **state)
{
	struct prog_builder b;
	struct wire_buf w;
	struct wire_op op;
	struct exec_cursor c;
	struct exec_stats st = { 0 };
	struct rng r;

	prog_builder_init(&b);
	prog_add_skip(&b, 1, 0.25, 1, NULL);
	prog_add_compute(&b, sp("0", SPEC_TIME), NULL);
	struct prog *p = finish(&b);
	wire_buf_init(&w);
	encode(p, &w, 0);
	rng_seed(&r, 9, 0);
	for (int i = 0; i < 20000; i++) {
		exec_start(&c, w.data, (uint32_t)w.len);
		assert_int_equal(exec_next(&c, &r, &st, &op), EXEC_REPLY);
	}
	/* 25% +- 5 standard deviations (sd = sqrt(20000 * .25 * .75) ~ 61) */
	assert_in_range(st.skipped, 5000 - 310, 5000 + 310);
	assert_int_equal(st.skipped + st.computes, 20000);
	prog_destroy(p);
	wire_buf_free(&w);
}

/* SLEEP stops the walk (the node parks the request on a timer), then the
 * walk resumes after it. */
static void test_sleep_op(void **state)
{
	struct wire_buf w;
	struct wire_op op;
	struct exec_cursor c;
	struct exec_stats st = { 0 };
	struct rng r;
	struct err e;

	wire_buf_init(&w);
	size_t at = wire_put_op(&w, OP_SLEEP, 0, 0);
	wire_buf_put_u64(&w, 100);
	wire_end_op(&w, at);
	at = wire_put_op(&w, OP_REPLY, 0, 0);
	wire_buf_put_u64(&w, 0);
	wire_end_op(&w, at);
	assert_int_equal(wire_prog_check(w.data, (uint32_t)w.len, &wire_default_limits, &e), 0);
	rng_seed(&r, 1, 0);
	exec_start(&c, w.data, (uint32_t)w.len);
	assert_int_equal(exec_next(&c, &r, &st, &op), EXEC_SLEEP);
	assert_int_equal(op.code, OP_SLEEP);
	assert_int_equal(wire_get_u64(op.body), 100);
	assert_int_equal(exec_next(&c, &r, &st, &op), EXEC_REPLY);
	assert_int_equal(st.computes, 0);
	wire_buf_free(&w);
}

/* -C 10 -S 4k,offset=5g,sync -L 10918 --load-offset 0 -R sendfile,100k: the
 * executor stops at each storage op with its 64-bit numbers, then at the
 * sendfile REPLY with the default load offset. */
static void test_storage_ops(void **state)
{
	struct prog_builder b;
	struct wire_buf w;
	struct wire_op op;
	struct exec_cursor c;
	struct exec_stats st = { 0 };
	struct rng r;
	struct err e;
	char desc[256];

	prog_builder_init(&b);
	assert_int_equal(prog_add_compute(&b, sp("10", SPEC_TIME), &e), 0);
	assert_int_equal(prog_add_storage(&b, OP_STORE, sp("4k", SPEC_SIZE), sp("5g", SPEC_SIZE),
					  WIRE_SYNC, &e), 0);
	assert_int_equal(prog_add_storage(&b, OP_LOAD, sp("10918", SPEC_SIZE), NULL, WIRE_NOSYNC,
					  &e), 0);
	assert_int_equal(prog_add_storage(&b, OP_STORE, sp("1k", SPEC_SIZE), NULL, WIRE_PSYNC, &e),
			 0);
	/* LOAD cannot sync; an unknown policy is refused */
	assert_int_equal(prog_add_storage(&b, OP_LOAD, sp("1", SPEC_SIZE), NULL, WIRE_SYNC, &e),
			 -EINVAL);
	assert_int_equal(prog_add_storage(&b, OP_STORE, sp("1", SPEC_SIZE), NULL, 7, &e), -EINVAL);
	prog_set_default_offsets(&b, sp("0", SPEC_SIZE), NULL);
	assert_int_equal(prog_add_reply(&b, sp("100k", SPEC_SIZE), true, &e), 0);
	struct prog *p = finish(&b);
	prog_describe(p, desc, sizeof desc);
	assert_string_equal(desc, "COMPUTE(10us) STORE(4k B,offset=5g,sync) LOAD(10918 B) "
				  "STORE(1k B,psync) REPLY(sendfile,100k B)");

	wire_buf_init(&w);
	encode(p, &w, 0);
	rng_seed(&r, 1, 0);
	exec_start(&c, w.data, (uint32_t)w.len);
	assert_int_equal(exec_next(&c, &r, &st, &op), EXEC_STORAGE);
	assert_int_equal(st.computes, 1);
	assert_int_equal(op.code, OP_STORE);
	assert_int_equal(op.flags, WIRE_SYNC);
	assert_true(wire_get_u64(op.body) == 5000000000ull); /* past 4 GiB: not narrowed */
	assert_int_equal(wire_get_u64(op.body + 8), 4000);
	assert_int_equal(exec_next(&c, &r, &st, &op), EXEC_STORAGE);
	assert_int_equal(op.code, OP_LOAD);
	assert_true(wire_get_u64(op.body) == 0); /* --load-offset 0 */
	assert_int_equal(wire_get_u64(op.body + 8), 10918);
	assert_int_equal(exec_next(&c, &r, &st, &op), EXEC_STORAGE);
	assert_int_equal(op.flags, WIRE_PSYNC);
	assert_true(wire_get_u64(op.body) == WIRE_OFFSET_NEXT); /* no store default */
	assert_int_equal(exec_next(&c, &r, &st, &op), EXEC_REPLY);
	assert_int_equal(op.flags, WIRE_REPLY_SENDFILE);
	assert_int_equal(wire_get_u64(op.body), 100000);
	assert_true(wire_get_u64(op.body + 8) == 0);
	wire_buf_free(&w);
	prog_destroy(p);
}

static void test_ping(void **state)
{
	struct prog_builder b;

	prog_builder_init(&b);
	struct prog *p = finish(&b);
	assert_true(prog_is_ping(p));
	prog_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chain_grammar),
		cmocka_unit_test(test_branch_group),
		cmocka_unit_test(test_nack_checked_at_finish),
		cmocka_unit_test(test_branches_are_siblings),
		cmocka_unit_test(test_finish_refuses_exploding_branches),
		cmocka_unit_test(test_skip),
		cmocka_unit_test(test_skip_probability),
		cmocka_unit_test(test_sleep_op),
		cmocka_unit_test(test_storage_ops),
		cmocka_unit_test(test_ping),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
