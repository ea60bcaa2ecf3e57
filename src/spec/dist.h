/* dist.h -- probability distributions for value specs, optionally truncated.
 *
 * Contract: a struct dist holds a distribution in its natural parameters plus
 * truncation bounds [lo, hi]. dist_init() validates it and precomputes what
 * sampling needs; afterwards dist_sample() returns draws that follow the
 * truncated distribution exactly:
 *   - unif, exp, weibull and pareto are sampled by inverting their cumulative
 *     hazard over [lo, hi], one uniform per draw and no rejection, so even a
 *     far tail ("exp:1ms,min=100ms") costs the same as the untruncated case;
 *   - norm, lognorm and gamma are sampled by rejection, at most
 *     DIST_MAX_TRIES tries and then clamped into [lo, hi]. dist_init() refuses
 *     bounds that keep less than DIST_MIN_MASS of the probability, so the
 *     clamp is reached with probability below 1e-8 and never biases results.
 * With clamp0 set, negative draws become 0 (a normal duration cannot be
 * negative); that puts a point mass at 0 which dist_mean() accounts for.
 * dist_mean() is the exact mean of what dist_sample() returns (truncation and
 * clamp included), dist_cdf() the CDF of the untruncated distribution.
 * Ownership: plain value, nothing to free.
 * Threads: after dist_init() a dist is read-only and may be sampled from any
 * number of threads at once, each with its own rng.
 * Errors: dist_init() returns 0 or -EINVAL with a message naming the bad
 * parameter. */
#ifndef MW_SPEC_DIST_H
#define MW_SPEC_DIST_H

#include <stdbool.h>

#include "spec/rng.h"
#include "util/err.h"

#define DIST_MAX_TRIES 1000
#define DIST_MIN_MASS 0.02

enum dist_kind {
	DIST_UNIF = 1, /* a = min, b = max */
	DIST_EXP,      /* a = mean */
	DIST_NORM,     /* a = mean, b = standard deviation */
	DIST_LOGNORM,  /* a = mu, b = sigma of the underlying normal */
	DIST_GAMMA,    /* a = shape k, b = scale theta */
	DIST_WEIBULL,  /* a = shape k, b = scale lambda */
	DIST_PARETO,   /* a = shape alpha, b = scale xm (the minimum) */
};

struct dist {
	/* Set by the caller before dist_init(). */
	enum dist_kind kind; /* which distribution */
	double a, b;         /* parameters, see enum dist_kind */
	double lo, hi;       /* truncation bounds; -INFINITY/INFINITY for none */
	bool clamp0;         /* map negative draws to 0 */
	/* Set by dist_init(); read-only afterwards. */
	bool point;          /* lo == hi: every draw is lo */
	bool truncated;      /* lo or hi cuts into the support */
	double h_lo;         /* hazard kinds: cumulative hazard at lo */
	double q;            /* hazard kinds: 1 - exp(-(H(hi) - H(lo))) */
	double inv;          /* weibull 1/k, pareto 1/alpha, gamma 1/k for k<1 */
	double gd, gc;       /* gamma: Marsaglia-Tsang d and c */
	double mean;         /* dist_mean() */
};

/* Validates d (parameters positive where they must be, lo <= hi, enough
 * probability inside [lo, hi]) and fills the derived fields. */
int dist_init(struct dist *d, struct err *e);

double dist_sample(const struct dist *d, struct rng *r);

/* Mean of dist_sample()'s output; INFINITY for a pareto with alpha <= 1 and
 * no upper bound. */
double dist_mean(const struct dist *d);

/* CDF of the untruncated distribution at x. */
double dist_cdf(const struct dist *d, double x);

/* Regularized lower incomplete gamma P(a, x), a > 0, x >= 0; exposed for
 * tests and for spec means. */
double dist_gamma_p(double a, double x);

#endif
