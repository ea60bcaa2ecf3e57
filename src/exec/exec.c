/* exec.c -- see exec.h. */
#include "exec/exec.h"

#include "util/clock.h"

void exec_start(struct exec_cursor *c, const uint8_t *prog, uint32_t len)
{
	c->prog = prog;
	c->len = len;
	c->pc = 0;
}

int64_t exec_compute(uint64_t ns)
{
	int64_t start = clock_now_ns();

	return clock_spin_until(start + (int64_t)ns) - start;
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
	for (;;) {
		/* A checked program always ends with REPLY, so pc stays in range. */
		wire_op_at(c->prog, c->pc, op);
		c->pc += op->len;
		switch (op->code) {
		case OP_COMPUTE:
			st->compute_ns += (uint64_t)exec_compute(wire_get_u64(op->body));
			st->computes++;
			continue;
		case OP_SKIP: {
			uint32_t n = wire_get_u32(op->body);
			uint32_t prob = wire_get_u32(op->body + 4);

			if (prob >= WIRE_PROB_ONE || rng_uniform(rng) * WIRE_PROB_ONE < prob)
				st->skipped += skip_ops(c, n);
			continue;
		}
		case OP_REPLY:
			return EXEC_REPLY;
		case OP_FORWARD:
			return EXEC_FORWARD;
		default:
			return EXEC_UNSUPPORTED;
		}
	}
}
