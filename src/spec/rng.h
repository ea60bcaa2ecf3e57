/* rng.h -- seeded pseudo-random numbers, one independent stream per user.
 *
 * Contract: xoshiro256** seeded through splitmix64 from (seed, stream). The
 * same pair always gives the same sequence; different streams of one seed are
 * statistically independent, so each client thread and session, and each node
 * worker, draws from its own stream and a run is reproducible from its seed.
 * rng_uniform() is in the open interval (0, 1), so log() and 1/x are safe.
 * Ownership: struct rng is a plain value; embed it where it is used.
 * Threads: one thread per struct rng; no shared state. */
#ifndef MW_SPEC_RNG_H
#define MW_SPEC_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4]; /* xoshiro256** state, never all zero */
};

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);

static inline uint64_t rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t result = rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng_rotl(s[3], 45);
	return result;
}

/* Uniform in (0, 1), 53 bits. */
static inline double rng_uniform(struct rng *r)
{
	return ((double)(rng_next(r) >> 11) + 0.5) * 0x1.0p-53;
}

/* Standard normal (polar method). */
double rng_normal(struct rng *r);

#endif
