/* engine_cost.h -- what a request's tree of requests may cost (engine.h,
 * "Cost"), for the engine: the walk over a program and the saturating sums.
 *
 * Contract: engine_cost_walk() adds to *c what running prog costs (COMPUTE
 * and SLEEP time, forwarded requests, bytes sent, hops; every level, every
 * attempt, nested fan-outs multiplied) and notes in *w what the engine needs
 * beside it, so a program is walked once before it runs. Sums saturate at
 * UINT64_MAX instead of wrapping, so no program can wrap its cost under a
 * budget. engine_cost() and engine_default_budget (engine.h) live in
 * engine_cost.c too. The program passed wire_prog_check().
 * Threads: stateless. */
#ifndef MW_EXEC_ENGINE_COST_H
#define MW_EXEC_ENGINE_COST_H

#include <stdint.h>

#include "proto/wire.h"

static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static inline uint64_t sat_mul(uint64_t a, uint64_t b)
{
	return b != 0 && a > UINT64_MAX / b ? UINT64_MAX : a * b;
}

/* What the walk notes beside the cost: the largest retries field of any
 * FORWARD, and the requests the top level sends (the slack is shared among
 * them), so a request's program is walked once before it runs. */
struct cost_walk {
	uint32_t max_retries;
	uint32_t depth;
	uint64_t top_sends;
};

void engine_cost_walk(const uint8_t *prog, uint32_t len, struct wire_budget *c,
		      struct cost_walk *w);

#endif
