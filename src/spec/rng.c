/* rng.c -- see rng.h. */
#include "spec/rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	/* Mix the stream through splitmix first so that neighbouring streams
	 * (thread 0, thread 1, ...) start far apart in the seeding sequence. */
	uint64_t x = stream;
	uint64_t st = seed ^ splitmix64(&x);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&st);
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;
}

double rng_normal(struct rng *r)
{
	double u, v, s;

	do {
		u = 2.0 * rng_uniform(r) - 1.0;
		v = 2.0 * rng_uniform(r) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	return u * sqrt(-2.0 * log(s) / s);
}
