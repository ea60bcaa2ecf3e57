/* counter.h -- counters one thread writes while other threads may read them.
 *
 * Contract: a counter has exactly one writer thread (e.g. a node worker's
 * own statistics); any thread may read it at any time with counter_read(),
 * which gives a value the counter really had (never a torn one), not a
 * consistent cut across counters. The writer updates it with a plain load
 * and a relaxed atomic store, not a locked read-modify-write: on x86-64 a
 * load, an add and a plain store (`c++` is one add to memory), no lock
 * prefix and no fence, so the hot path pays next to nothing, and the
 * concurrent read is no longer a data race (TSan agrees).
 * Two writers on one counter would lose updates: use __atomic_add_fetch then.
 * Threads: as above. */
#ifndef MW_UTIL_COUNTER_H
#define MW_UTIL_COUNTER_H

#include <stdint.h>

/* Writer only: *c += n (n may wrap, to take one back). */
static inline void counter_add(uint64_t *c, uint64_t n)
{
	__atomic_store_n(c, *c + n, __ATOMIC_RELAXED);
}

static inline void counter_inc(uint64_t *c)
{
	counter_add(c, 1);
}

/* Any thread. */
static inline uint64_t counter_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

#endif
