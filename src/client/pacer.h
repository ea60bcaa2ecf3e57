/* pacer.h -- the intended send schedule of one client thread.
 *
 * Contract: pacer_next() returns the absolute CLOCK_MONOTONIC time at which
 * request i should be sent. The schedule is absolute and never re-planned: a
 * sender that falls behind sends what is due at once, and its lateness shows
 * up as send lag, not as a shifted schedule (no coordinated omission).
 * Modes: PERIOD (-p: inter-arrival times in us, sampled per request), RATE
 * (-r: requests per second, sampled per request), RATE_STEPS (-r with --rss:
 * one rate sample per step of `step_ns`, e.g. aseq ramps) and CLOSED (no
 * rate: the caller sends the next request when the previous reply is in).
 * Ownership: borrows the spec. Threads: one pacer per sender thread. */
#ifndef MW_CLIENT_PACER_H
#define MW_CLIENT_PACER_H

#include <stdint.h>

#include "spec/rng.h"
#include "spec/spec.h"

enum pacer_mode {
	PACER_CLOSED = 1,
	PACER_PERIOD = 2,
	PACER_RATE = 3,
	PACER_RATE_STEPS = 4,
};

struct pacer {
	enum pacer_mode mode;
	const struct spec *spec; /* period (us) or rate (req/s); NULL when CLOSED */
	int64_t step_ns;         /* RATE_STEPS: step length */
	int64_t start;           /* time of request 0 */
	int64_t next;            /* intended time of the next request */
	uint64_t i;              /* requests scheduled so far */
	uint64_t step;           /* RATE_STEPS: current step index */
	double step_rate;        /* RATE_STEPS: rate of the current step */
	double carry_ns;         /* gaps' fractions of a ns not yet scheduled */
};

void pacer_init(struct pacer *p, enum pacer_mode mode, const struct spec *spec, double step_secs,
		int64_t start, struct rng *rng);
/* Intended time of the next request (CLOSED: returns `now`). */
int64_t pacer_next(struct pacer *p, struct rng *rng, int64_t now);

/* Number of requests the schedule defines when its spec is a finite sequence
 * or file (for `-n auto`); 0 when unbounded. */
uint64_t pacer_auto_count(enum pacer_mode mode, const struct spec *spec, double step_secs);

#endif
