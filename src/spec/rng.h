/* rng.h -- seeded pseudo-random numbers, one stream per thread or session.
 *
 * Contract: xoshiro256** (Blackman and Vigna): 256 bits of state, period
 * 2^256-1, fast and statistically strong, not cryptographic. rng_seed() turns
 * a (seed, stream) pair into a state through splitmix64, so the same pair
 * always replays the same sequence (runs are reproducible from the seed) and
 * different streams of one seed give sequences that do not overlap in
 * practice: give each client thread or session its own stream number.
 * rng_uniform() returns doubles strictly inside (0,1) with 53 random bits
 * (smallest 2^-53, largest 1-2^-53), so callers may take log(u) or log(1-u)
 * without checks.
 * Ownership: struct rng is a plain value, public so that it can live inline in
 * per-thread structs; nothing to free.
 * Threads: a struct rng belongs to one thread at a time; the functions keep no
 * other state, so threads with their own rngs never contend.
 * Errors: none. */
#ifndef MW_SPEC_RNG_H
#define MW_SPEC_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4]; /* xoshiro256** state, never all zero; written by rng_* only */
};

/* Initializes r for stream `stream` of seed `seed`. */
void rng_seed(struct rng *r, uint64_t seed, uint64_t stream);

/* A seed derived from seed and the text salt (NUL-terminated; any bytes):
 * the same pair always gives the same seed, different salts of one seed
 * (the names of a Deployment's pods) give unrelated ones. */
uint64_t rng_salted_seed(uint64_t seed, const char *salt);

static inline uint64_t rng__rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* Next 64 uniformly distributed bits. */
static inline uint64_t rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t out = rng__rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rng__rotl(s[3], 45);
	return out;
}

/* Uniform double in the open interval (0,1): k * 2^-53 for a 53-bit k drawn
 * again in the one case in 2^53 where it is 0 (centring k + 0.5 instead would
 * round the top value up to exactly 1.0). */
static inline double rng_uniform(struct rng *r)
{
	uint64_t k;

	do
		k = rng_next(r) >> 11;
	while (k == 0);
	return (double)k * 0x1p-53;
}

/* Uniform integer in [0, n); n must be > 0. Unbiased (Lemire's multiply and
 * reject), usually one rng_next(). */
static inline uint64_t rng_below(struct rng *r, uint64_t n)
{
	unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
	uint64_t low = (uint64_t)m;

	if (low < n) {
		uint64_t floor = -n % n; /* 2^64 mod n */

		while (low < floor) {
			m = (unsigned __int128)rng_next(r) * n;
			low = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

/* Standard normal deviate (mean 0, standard deviation 1). Uses exactly two
 * uniforms per call (Box-Muller, second value discarded) so that a stream's
 * position does not depend on the values drawn. */
double rng_normal(struct rng *r);

#endif
