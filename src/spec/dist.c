/* dist.c -- see dist.h.
 *
 * DESIGN: truncation is where a naive sampler goes wrong, so the kinds split
 * by how they can be truncated exactly. Exponential, Weibull and Pareto have a
 * closed-form cumulative hazard H (H(x) = -log S(x)); conditioned on X >= lo,
 * H(X) - H(lo) is a unit exponential, and cutting that exponential at
 * H(hi) - H(lo) and mapping back is exact inverse-transform sampling of the
 * truncated law with one uniform. Normal, lognormal and gamma have no cheap
 * inverse CDF, so they use rejection, which is exact as long as it does not give
 * up; dist_init() makes giving up practically impossible by refusing bounds
 * that keep less than DIST_MIN_MASS of the probability (0.98^1000 < 1e-8).
 * Means are computed once from partial expectations E[X; X <= x], using either
 * the lower or the upper tail form depending on where lo falls, so that far
 * tails do not cancel to zero. */
#include "spec/dist.h"

#include <errno.h>
#include <float.h>
#include <math.h>

/* Convergence limits for the incomplete gamma function; both loops converge in
 * a few dozen steps for the shapes specs use. */
#define DIST_GAMMA_ITER 10000
#define DIST_GAMMA_EPS 1e-15

/* exp(a*log(x) - x) / Gamma(a): the common factor of the series and the
 * continued fraction. lgamma_r because lgamma() writes the global signgam. */
static double dist_gamma_front(double a, double x)
{
	int sign;

	return exp(a * log(x) - x - lgamma_r(a, &sign));
}

/* P(a, x) by its power series; converges quickly when x < a + 1. */
static double dist_gamma_series(double a, double x)
{
	double term = 1.0 / a, sum = term;

	for (int n = 1; n < DIST_GAMMA_ITER; n++) {
		term *= x / (a + n);
		sum += term;
		if (fabs(term) < fabs(sum) * DIST_GAMMA_EPS)
			break;
	}
	return sum * dist_gamma_front(a, x);
}

/* Q(a, x) by Legendre's continued fraction, evaluated with the modified Lentz
 * method; converges quickly when x >= a + 1. */
static double dist_gamma_cfrac(double a, double x)
{
	const double tiny = DBL_MIN / DBL_EPSILON;
	double b = x + 1.0 - a, c = 1.0 / tiny, d = 1.0 / b, f = d;

	for (int i = 1; i < DIST_GAMMA_ITER; i++) {
		double an = -i * (i - a), delta;

		b += 2.0;
		d = an * d + b;
		if (fabs(d) < tiny)
			d = tiny;
		c = b + an / c;
		if (fabs(c) < tiny)
			c = tiny;
		d = 1.0 / d;
		delta = d * c;
		f *= delta;
		if (fabs(delta - 1.0) < DIST_GAMMA_EPS)
			break;
	}
	return f * dist_gamma_front(a, x);
}

double dist_gamma_p(double a, double x)
{
	if (!(x > 0))
		return 0;
	if (isinf(x))
		return 1;
	return x < a + 1 ? dist_gamma_series(a, x) : 1.0 - dist_gamma_cfrac(a, x);
}

static double dist_gamma_q(double a, double x)
{
	if (!(x > 0))
		return 1;
	if (isinf(x))
		return 0;
	return x < a + 1 ? 1.0 - dist_gamma_series(a, x) : dist_gamma_cfrac(a, x);
}

static double dist_phi(double z)
{
	return exp(-0.5 * z * z) / sqrt(2.0 * M_PI);
}

/* The untruncated distribution seen from one point x. */
struct dist_at {
	double F;  /* P(X <= x) */
	double S;  /* P(X > x), computed directly, not as 1 - F */
	double PE; /* E[X; X <= x] */
	double UE; /* E[X; X > x] */
};

/* Mean of the untruncated distribution (INFINITY when it has none). */
static double dist_full_mean(const struct dist *d)
{
	switch (d->kind) {
	case DIST_UNIF: return 0.5 * (d->a + d->b);
	case DIST_EXP: return d->a;
	case DIST_NORM: return d->a;
	case DIST_LOGNORM: return exp(d->a + 0.5 * d->b * d->b);
	case DIST_GAMMA: return d->a * d->b;
	case DIST_WEIBULL: return d->b * tgamma(1.0 + 1.0 / d->a);
	case DIST_PARETO: return d->a > 1 ? d->a * d->b / (d->a - 1) : INFINITY;
	}
	return NAN;
}

/* Smallest value the untruncated distribution takes. */
static double dist_support_min(const struct dist *d)
{
	switch (d->kind) {
	case DIST_UNIF: return d->a;
	case DIST_NORM: return -INFINITY;
	case DIST_PARETO: return d->b;
	default: return 0;
	}
}

static struct dist_at dist_eval(const struct dist *d, double x)
{
	double full = dist_full_mean(d);
	struct dist_at p = { 0, 1, 0, full };
	double z, t, s, m;

	if (x <= dist_support_min(d))
		return p;
	if (isinf(x))
		return (struct dist_at){ 1, 0, full, 0 };
	switch (d->kind) {
	case DIST_UNIF:
		if (x >= d->b)
			return (struct dist_at){ 1, 0, full, 0 };
		p.F = (x - d->a) / (d->b - d->a);
		p.S = (d->b - x) / (d->b - d->a);
		p.PE = p.F * 0.5 * (d->a + x);
		p.UE = p.S * 0.5 * (x + d->b);
		break;
	case DIST_EXP:
		t = x / d->a;
		p.S = exp(-t);
		p.F = -expm1(-t);
		p.UE = d->a * p.S * (1 + t);
		p.PE = d->a * dist_gamma_p(2, t);
		break;
	case DIST_NORM:
		z = (x - d->a) / d->b;
		p.F = 0.5 * erfc(-z / M_SQRT2);
		p.S = 0.5 * erfc(z / M_SQRT2);
		p.PE = d->a * p.F - d->b * dist_phi(z);
		p.UE = d->a * p.S + d->b * dist_phi(z);
		break;
	case DIST_LOGNORM:
		z = (log(x) - d->a) / d->b;
		p.F = 0.5 * erfc(-z / M_SQRT2);
		p.S = 0.5 * erfc(z / M_SQRT2);
		p.PE = full * 0.5 * erfc(-(z - d->b) / M_SQRT2);
		p.UE = full * 0.5 * erfc((z - d->b) / M_SQRT2);
		break;
	case DIST_GAMMA:
		t = x / d->b;
		p.F = dist_gamma_p(d->a, t);
		p.S = dist_gamma_q(d->a, t);
		p.PE = full * dist_gamma_p(d->a + 1, t);
		p.UE = full * dist_gamma_q(d->a + 1, t);
		break;
	case DIST_WEIBULL:
		t = pow(x / d->b, d->a);
		s = 1.0 + 1.0 / d->a;
		p.F = -expm1(-t);
		p.S = exp(-t);
		p.PE = full * dist_gamma_p(s, t);
		p.UE = full * dist_gamma_q(s, t);
		break;
	case DIST_PARETO:
		t = log(d->b / x); /* < 0 */
		p.S = exp(d->a * t);
		p.F = -expm1(d->a * t);
		m = d->a == 1 ? d->b * -t : d->a * d->b / (d->a - 1) * -expm1((d->a - 1) * t);
		p.PE = m;
		p.UE = d->a > 1 ? p.S * x * d->a / (d->a - 1) : INFINITY;
		break;
	}
	return p;
}

/* Probability of [lo, hi] and E[X; lo <= X <= hi], each from whichever tail
 * keeps precision. The mass always can use the upper tail (S is finite); the
 * partial expectation must use the lower one when E[X; X > lo] is infinite
 * (pareto with alpha <= 1). */
static void dist_interval(const struct dist *d, double lo, double hi, double *mass,
			  double *partial)
{
	struct dist_at l = dist_eval(d, lo), h = dist_eval(d, hi);
	bool lower = l.F < 0.5;

	*mass = lower ? h.F - l.F : l.S - h.S;
	*partial = lower || isinf(l.UE) ? h.PE - l.PE : l.UE - h.UE;
}

double dist_cdf(const struct dist *d, double x)
{
	return dist_eval(d, x).F;
}

static bool dist_by_hazard(const struct dist *d)
{
	return d->kind == DIST_EXP || d->kind == DIST_WEIBULL || d->kind == DIST_PARETO;
}

/* Cumulative hazard -log S(x) for the hazard kinds, x >= support minimum. */
static double dist_hazard(const struct dist *d, double x)
{
	switch (d->kind) {
	case DIST_EXP: return x / d->a;
	case DIST_WEIBULL: return pow(x / d->b, d->a);
	case DIST_PARETO: return d->a * log(x / d->b);
	default: return NAN;
	}
}

static double dist_compute_mean(const struct dist *d)
{
	double mass, partial, unused;

	if (d->point)
		return d->lo;
	if (d->kind == DIST_UNIF)
		return 0.5 * (d->a + d->b);
	dist_interval(d, d->lo, d->hi, &mass, &unused);
	/* Clamping moves the mass below 0 to 0, which adds nothing to the sum. */
	dist_interval(d, d->clamp0 ? fmax(d->lo, 0) : d->lo, d->hi, &unused, &partial);
	if (d->clamp0 && d->hi < 0)
		partial = 0;
	return mass > 0 ? partial / mass : d->lo;
}

int dist_init(struct dist *d, struct err *e)
{
	double smin;

	if (!isfinite(d->a) || !isfinite(d->b))
		return err_set(e, "distribution parameters must be finite numbers");
	if (isnan(d->lo) || isnan(d->hi))
		return err_set(e, "min and max must be numbers");
	if (d->lo > d->hi)
		return err_set(e, "min (%g) is greater than max (%g)", d->lo, d->hi);
	switch (d->kind) {
	case DIST_UNIF:
		if (d->a > d->b)
			return err_set(e, "min (%g) is greater than max (%g)", d->a, d->b);
		d->lo = d->a;
		d->hi = d->b;
		break;
	case DIST_EXP:
		if (!(d->a > 0))
			return err_set(e, "the average must be > 0");
		break;
	case DIST_NORM:
	case DIST_LOGNORM:
		if (!(d->b > 0))
			return err_set(e, "the standard deviation must be > 0");
		break;
	case DIST_GAMMA:
	case DIST_WEIBULL:
	case DIST_PARETO:
		if (!(d->a > 0) || !(d->b > 0))
			return err_set(e, "shape and scale must be > 0");
		break;
	default:
		return err_set(e, "internal error: unknown distribution kind %d", (int)d->kind);
	}
	smin = dist_support_min(d);
	if (d->hi < smin)
		return err_set(e, "max (%g) is below the smallest value the distribution takes (%g)",
			       d->hi, smin);
	if (d->lo < smin)
		d->lo = d->kind == DIST_NORM ? -INFINITY : smin;
	d->truncated = d->lo > smin || d->hi < INFINITY;
	d->point = d->lo == d->hi;
	if (d->kind == DIST_GAMMA || d->kind == DIST_WEIBULL || d->kind == DIST_PARETO)
		d->inv = 1.0 / d->a;
	if (d->kind == DIST_GAMMA) {
		/* Marsaglia and Tsang need shape >= 1; smaller shapes draw with
		 * k + 1 and scale by U^(1/k). */
		d->gd = (d->a < 1 ? d->a + 1 : d->a) - 1.0 / 3.0;
		d->gc = 1.0 / sqrt(9.0 * d->gd);
	}
	if (dist_by_hazard(d) && !d->point) {
		double span;

		d->h_lo = dist_hazard(d, d->lo);
		span = d->kind == DIST_EXP ? (d->hi - d->lo) / d->a
		     : d->kind == DIST_PARETO ? d->a * log(d->hi / d->lo)
					      : dist_hazard(d, d->hi) - d->h_lo;
		d->q = isinf(span) ? 1.0 : -expm1(-span);
	} else if (d->truncated && !d->point && d->kind != DIST_UNIF) {
		double mass, partial;

		dist_interval(d, d->lo, d->hi, &mass, &partial);
		if (!(mass >= DIST_MIN_MASS))
			return err_set(e,
				       "min/max keep only %.2g%% of the distribution (at least %g%% "
				       "is needed); widen them or move the average",
				       100 * mass, 100 * DIST_MIN_MASS);
	}
	d->mean = dist_compute_mean(d);
	return 0;
}

/* Marsaglia and Tsang's gamma sampler in units of the scale. */
static double dist_gamma_draw(const struct dist *d, struct rng *r)
{
	double g;

	for (;;) {
		double x, v, u;

		do {
			x = rng_normal(r);
			v = 1.0 + d->gc * x;
		} while (v <= 0);
		v = v * v * v;
		u = rng_uniform(r);
		if (u < 1.0 - 0.0331 * (x * x) * (x * x) ||
		    log(u) < 0.5 * x * x + d->gd * (1.0 - v + log(v))) {
			g = d->gd * v;
			break;
		}
	}
	if (d->a < 1)
		g *= exp(log(rng_uniform(r)) * d->inv);
	return g * d->b;
}

static double dist_raw(const struct dist *d, struct rng *r)
{
	switch (d->kind) {
	case DIST_NORM: return d->a + d->b * rng_normal(r);
	case DIST_LOGNORM: return exp(d->a + d->b * rng_normal(r));
	case DIST_GAMMA: return dist_gamma_draw(d, r);
	default: return NAN;
	}
}

double dist_sample(const struct dist *d, struct rng *r)
{
	double x, ex;

	if (d->point)
		return d->lo;
	switch (d->kind) {
	case DIST_UNIF:
		return d->a + (d->b - d->a) * rng_uniform(r);
	case DIST_EXP:
	case DIST_WEIBULL:
	case DIST_PARETO:
		/* Unit exponential cut at H(hi) - H(lo), then mapped back. */
		ex = -log1p(-rng_uniform(r) * d->q);
		if (d->kind == DIST_EXP)
			x = d->lo + ex * d->a;
		else if (d->kind == DIST_PARETO)
			x = d->lo * exp(ex * d->inv);
		else
			x = d->b * pow(d->h_lo + ex, d->inv);
		return d->truncated ? fmin(fmax(x, d->lo), d->hi) : x;
	default:
		break;
	}
	x = dist_raw(d, r);
	if (d->truncated) {
		for (int i = 1; i < DIST_MAX_TRIES && (x < d->lo || x > d->hi); i++)
			x = dist_raw(d, r);
		x = fmin(fmax(x, d->lo), d->hi);
	}
	if (d->clamp0 && x < 0)
		x = 0;
	return x;
}

double dist_mean(const struct dist *d)
{
	return d->mean;
}
