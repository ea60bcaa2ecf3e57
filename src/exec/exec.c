/* exec.c -- see exec.h. */
#include "exec/exec.h"

#include <stdatomic.h>

#include "exec/wset.h"
#include "proto/ops.h"
#include "util/clock.h"

/* Set once before the workers start; atomic only so that no reader can see
 * a torn value. */
static _Atomic uint64_t loops_per_usec;
static atomic_bool aborted;

void exec_abort_all(void)
{
	atomic_store_explicit(&aborted, true, memory_order_relaxed);
}

static bool is_aborted(void)
{
	return atomic_load_explicit(&aborted, memory_order_relaxed);
}

void exec_set_loops_per_usec(uint64_t n)
{
	atomic_store_explicit(&loops_per_usec, n, memory_order_relaxed);
}

/* The work unit: a volatile add the compiler can neither drop nor vectorise,
 * so iterations cost the same on every call. */
static void spin_loops(uint64_t n)
{
	volatile uint64_t acc = 0;

	for (uint64_t i = 0; i < n; i++)
		acc += i;
}

uint64_t exec_calibrate_loops_per_usec(void)
{
	uint64_t n = 1 << 16, best = 0;

	/* Grow the run until it lasts ~10 ms, so clock reads do not matter. */
	for (;;) {
		int64_t t0 = clock_now_ns();

		spin_loops(n);
		if (clock_now_ns() - t0 >= 10 * NSEC_PER_MSEC || n >= (1ULL << 40))
			break;
		n *= 2;
	}
	/* The fastest of a few runs: a slower one was interrupted. */
	for (int i = 0; i < 4; i++) {
		int64_t t0 = clock_now_ns();
		int64_t dt;

		spin_loops(n);
		dt = clock_now_ns() - t0;
		if (dt > 0 && n * 1000 / (uint64_t)dt > best)
			best = n * 1000 / (uint64_t)dt;
	}
	return best ? best : 1;
}

void exec_start(struct exec_cursor *c, const uint8_t *prog, uint32_t len)
{
	c->prog = prog;
	c->len = len;
	c->pc = 0;
	c->report_compute = false;
}

/* COMPUTE runs in slices this long, checking for exec_abort_all() between
 * them (a check costs a relaxed load; 1 ms keeps a stop prompt). */
#define SLICE_NS (1000 * 1000)

int64_t exec_compute(uint64_t ns)
{
	uint64_t lpu = atomic_load_explicit(&loops_per_usec, memory_order_relaxed);
	int64_t start = clock_now_ns();

	if (lpu == 0) {
		int64_t end = start + (int64_t)ns, now = start;

		while (now < end && !is_aborted()) {
			int64_t until = end - now > SLICE_NS ? now + SLICE_NS : end;

			now = clock_spin_until(until);
		}
		return now - start;
	}
	for (uint64_t left = ns; left > 0 && !is_aborted();) {
		uint64_t slice = left > SLICE_NS ? SLICE_NS : left;

		spin_loops(slice / 1000 * lpu + slice % 1000 * lpu / 1000); /* no overflow */
		left -= slice;
	}
	return clock_now_ns() - start;
}

/* Lines touched between clock reads: a few hundred ns even when each misses
 * every cache, so the duration stays as exact as without a working set. */
#define WSET_BATCH 16
/* Calibrated-loop iterations per line touched: the loop's work stays fixed
 * and a working set that misses the caches makes it last longer. */
#define WSET_LOOPS_PER_LINE 64

int64_t exec_compute_ws(uint64_t ns, uint64_t ws, uint64_t *lines)
{
	uint64_t lpu = atomic_load_explicit(&loops_per_usec, memory_order_relaxed), n = 0;
	int64_t start, now;

	if (lines)
		*lines = 0;
	if (ws == 0 || !wset_reserve(ws)) /* allocated before the clock starts */
		return exec_compute(ns);
	start = now = clock_now_ns();
	if (lpu == 0) {
		int64_t end = start + (int64_t)ns;

		while (now < end && !is_aborted()) {
			wset_walk(ws, WSET_BATCH);
			n += WSET_BATCH;
			now = clock_now_ns();
		}
	} else {
		uint64_t loops = ns / 1000 * lpu + ns % 1000 * lpu / 1000, done = 0;

		while (done < loops && !is_aborted()) {
			uint64_t k = loops - done < WSET_LOOPS_PER_LINE ? loops - done : WSET_LOOPS_PER_LINE;

			spin_loops(k);
			wset_walk(ws, 1);
			n++;
			done += k;
		}
		now = clock_now_ns();
	}
	if (lines)
		*lines = n;
	return now - start;
}

/* Skips up to n ops at the current level, never the final REPLY. */
static uint32_t skip_ops(struct exec_cursor *c, uint32_t n)
{
	uint32_t done = 0;

	while (done < n && c->pc < c->len) {
		struct wire_op op;

		wire_op_at(c->prog, c->pc, &op);
		if (op.code == OP_REPLY)
			break;
		c->pc += op.len;
		done++;
	}
	return done;
}

enum exec_step exec_next(struct exec_cursor *c, struct rng *rng, struct exec_stats *st,
			 struct wire_op *op)
{
	const struct ops_def *d;

	for (;;) {
		if (is_aborted())
			return EXEC_ABORTED;
		/* A checked program always ends with REPLY, so pc stays in range. */
		wire_op_at(c->prog, c->pc, op);
		c->pc += op->len;
		/* What an op does is its row's run kind (proto/ops), so an op
		 * of a kind the executor knows needs no case here. */
		d = ops_find(op->code);
		switch (d ? d->run : 0) {
		case OPS_RUN_CPU:
			/* a CPU op's TIME field comes first (proto/ops.h); ws= is
			 * its WSET field, when present */
			st->compute_ns += (uint64_t)exec_compute_ws(wire_get_u64(op->body),
								    ops_wset(op), NULL);
			st->computes++;
			if (c->report_compute)
				return EXEC_COMPUTED;
			continue;
		case OPS_RUN_SKIP: {
			uint32_t n = wire_get_u32(op->body);
			uint32_t prob = wire_get_u32(op->body + 4);

			if (prob >= WIRE_PROB_ONE || rng_uniform(rng) * WIRE_PROB_ONE < prob)
				st->skipped += skip_ops(c, n);
			continue;
		}
		case OPS_RUN_REPLY:
			return EXEC_REPLY;
		case OPS_RUN_FORWARD:
			return EXEC_FORWARD;
		case OPS_RUN_STORAGE:
			return EXEC_STORAGE;
		case OPS_RUN_TIMER:
			return EXEC_SLEEP;
		default:
			return EXEC_UNSUPPORTED;
		}
	}
}
