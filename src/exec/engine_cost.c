/* engine_cost.c -- see engine_cost.h: the cost walk of engine.h's "Cost". */
#include "exec/engine_cost.h"

#include <string.h>

#include "exec/engine.h"
#include "proto/ops.h"

const struct wire_budget engine_default_budget = {
	.compute_ns = 60ull * 1000 * 1000 * 1000, /* a minute of COMPUTE over the whole tree */
	.requests = 10000,                         /* forwarded requests, all attempts */
	.bytes = 1ull << 30,                       /* 1 GiB sent over the whole tree */
	.hops = 32,
};

static void cost_add_times(struct wire_budget *to, const struct wire_budget *c, uint64_t times)
{
	to->compute_ns = sat_add(to->compute_ns, sat_mul(c->compute_ns, times));
	to->requests = sat_add(to->requests, sat_mul(c->requests, times));
	to->bytes = sat_add(to->bytes, sat_mul(c->bytes, times));
}

static void forward_cost(const struct wire_op *op, struct wire_budget *c, struct cost_walk *w)
{
	struct wire_forward f;
	uint32_t hops = 0;

	wire_forward_decode(op, &f);
	if (f.retries > w->max_retries)
		w->max_retries = f.retries;
	uint64_t attempts = 1 + (uint64_t)f.retries;
	if (w->depth == 0)
		w->top_sends = sat_add(w->top_sends, sat_mul(f.ntargets, attempts));
	w->depth++;
	for (uint32_t i = 0; i < f.nsub; i++) {
		const uint8_t *sub;
		uint32_t sub_len;
		struct wire_budget sc = { 0 };

		wire_forward_sub(&f, i, &sub, &sub_len);
		uint64_t frame = (uint64_t)WIRE_HDR_LEN + WIRE_BUDGET_LEN + sub_len + WIRE_TAG_LEN;
		if (f.frame_size > frame)
			frame = f.frame_size;
		uint64_t sends = sat_mul(f.branch ? 1 : f.ntargets, attempts);
		if (!f.route)
			engine_cost_walk(sub, sub_len, &sc, w);
		sc.requests = sat_add(sc.requests, 1);
		sc.bytes = sat_add(sc.bytes, frame);
		cost_add_times(c, &sc, sends);
		if (sc.hops + 1 > hops)
			hops = sc.hops + 1;
	}
	w->depth--;
	if (hops > c->hops)
		c->hops = hops;
}

void engine_cost_walk(const uint8_t *prog, uint32_t len, struct wire_budget *c,
		      struct cost_walk *w)
{
	for (uint32_t pc = 0; pc < len;) {
		struct wire_op op;

		wire_op_at(prog, pc, &op);
		pc += op.len;
		switch (op.code) {
		case OP_REPLY:
			c->bytes = sat_add(c->bytes, sat_add(wire_get_u64(op.body),
							     WIRE_HDR_LEN + WIRE_TAG_LEN));
			break;
		case OP_FORWARD:
			forward_cost(&op, c, w);
			break;
		default: /* an op with a TIME field (the op table's): COMPUTE, SLEEP, ... */
			c->compute_ns = sat_add(c->compute_ns, ops_time_ns(&op));
			break; /* SKIP, LOAD, STORE: no cost of their own (skipped ops still count) */
		}
	}
}

void engine_cost(const uint8_t *prog, uint32_t len, struct wire_budget *cost)
{
	struct cost_walk w = { 0 };

	memset(cost, 0, sizeof *cost);
	engine_cost_walk(prog, len, cost, &w);
}
