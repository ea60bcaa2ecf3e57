/* rng.c -- see rng.h. */
#include "spec/rng.h"

#include <math.h>

/* splitmix64 step: advances *x by the golden-ratio increment and returns a
 * well-mixed function of it. Consecutive outputs are all distinct, which is why
 * it is the recommended way to fill xoshiro state from a small seed. */
static uint64_t rng_splitmix(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed, uint64_t stream)
{
	/* The stream is hashed (splitmix64 is a bijection, so distinct streams of
	 * one seed always get distinct starting points) and folded into the seed;
	 * the four state words then come from one splitmix64 chain, so each of
	 * them, and hence the very first output, depends on both inputs. */
	uint64_t y = stream;
	uint64_t x = seed ^ rng_splitmix(&y);

	for (int i = 0; i < 4; i++)
		r->s[i] = rng_splitmix(&x);
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1; /* the one state xoshiro cannot leave */
}

uint64_t rng_salted_seed(uint64_t seed, const char *salt)
{
	/* FNV-1a over the bytes, then splitmix64 over seed ^ hash: the hash
	 * alone would leave seeds that differ in few bits close together. */
	uint64_t h = 0xcbf29ce484222325ULL;

	for (const unsigned char *p = (const unsigned char *)salt; *p; p++)
		h = (h ^ *p) * 0x100000001b3ULL;
	h ^= seed;
	return rng_splitmix(&h);
}

double rng_normal(struct rng *r)
{
	double u1 = rng_uniform(r); /* in (0,1): log() is finite */
	double u2 = rng_uniform(r);

	return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}
