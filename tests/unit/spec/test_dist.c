/* test_dist.c -- distributions: goodness of fit, truncation, clamping, means.
 *
 * Every sampler is checked against a CDF with a one-sample Kolmogorov-Smirnov
 * test (N draws at a fixed seed, D below the alpha = 0.001 critical value
 * 1.95/sqrt(N)), its sample mean against the claimed mean (within a few
 * standard errors), and the claimed mean against a closed form computed here,
 * independently of dist.c. The CDFs themselves are checked against closed
 * forms first, so that a sampler and a CDF cannot be wrong in the same way.
 * Spec-level forms ("gamma:avg=10ms,k=2") are checked against a reference
 * dist built here from the parameters the form is documented to mean. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "spec/dist.h"
#include "spec/spec.h"

#define N 20000
#define KS_CRIT (1.95 / sqrt((double)N))
/* Sample means must be within this many standard errors. */
#define MEAN_SE 5.0

static double xs[N];

/* ---- independent reference formulas ------------------------------------ */

static double Phi(double z)
{
	return 0.5 * erfc(-z / M_SQRT2);
}

static double phi(double z)
{
	return exp(-0.5 * z * z) / sqrt(2 * M_PI);
}

/* P(2, x), P(3, x): Erlang closed forms. */
static double p2(double x)
{
	return 1 - exp(-x) * (1 + x);
}

static double p3(double x)
{
	return 1 - exp(-x) * (1 + x + 0.5 * x * x);
}

/* P(1/2, x) and P(3/2, x). */
static double phalf(double x)
{
	return erf(sqrt(x));
}

static double p3half(double x)
{
	return erf(sqrt(x)) - 2 * sqrt(x / M_PI) * exp(-x);
}

/* Mean of an exponential of mean a truncated to [lo, hi]. */
static double exp_trunc_mean(double a, double lo, double hi)
{
	double w = hi - lo;

	if (isinf(hi))
		return lo + a;
	return lo + a - w * exp(-w / a) / -expm1(-w / a);
}

/* Mean of a normal truncated to [lo, hi]. */
static double norm_trunc_mean(double mu, double sd, double lo, double hi)
{
	double al = (lo - mu) / sd, be = (hi - mu) / sd;

	return mu + sd * (phi(al) - phi(be)) / (Phi(be) - Phi(al));
}

/* Mean of a lognormal(mu, s) truncated to [lo, hi], lo > 0. */
static double lognorm_trunc_mean(double mu, double s, double lo, double hi)
{
	double a = (log(lo) - mu) / s, b = (log(hi) - mu) / s;

	return exp(mu + 0.5 * s * s) * (Phi(b - s) - Phi(a - s)) / (Phi(b) - Phi(a));
}

/* Mean of a pareto(alpha) truncated to [lo, hi], lo >= xm, alpha != 1. */
static double pareto_trunc_mean(double alpha, double lo, double hi)
{
	double num = (pow(lo, 1 - alpha) - (isinf(hi) ? 0 : pow(hi, 1 - alpha))) / (alpha - 1);
	double den = (pow(lo, -alpha) - (isinf(hi) ? 0 : pow(hi, -alpha))) / alpha;

	return num / den;
}

static double weibull_pdf(double k, double lam, double x)
{
	return k / lam * pow(x / lam, k - 1) * exp(-pow(x / lam, k));
}

/* Mean of a weibull truncated to [lo, hi] by Simpson's rule. */
static double weibull_trunc_mean(double k, double lam, double lo, double hi)
{
	const int m = 4000;
	double h = (hi - lo) / m, s0 = 0, s1 = 0;

	for (int i = 0; i <= m; i++) {
		double x = lo + i * h, w = (i == 0 || i == m) ? 1 : (i % 2 ? 4 : 2);
		double f = weibull_pdf(k, lam, x);

		s0 += w * f;
		s1 += w * x * f;
	}
	return s1 / s0;
}

/* ---- the statistics ------------------------------------------------------ */

typedef double cdf_fn(const void *ctx, double x);

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts x and returns the KS distance between its ECDF and F. */
static double ks(double *x, int n, cdf_fn *F, const void *ctx)
{
	double d = 0;

	qsort(x, (size_t)n, sizeof *x, cmp_double);
	for (int i = 0; i < n; i++) {
		double f = F(ctx, x[i]);

		d = fmax(d, fmax(f - (double)i / n, (double)(i + 1) / n - f));
	}
	return d;
}

static void moments(const double *x, int n, double *mean, double *sd)
{
	double s = 0, q = 0, m;

	for (int i = 0; i < n; i++)
		s += x[i];
	m = s / n;
	for (int i = 0; i < n; i++)
		q += (x[i] - m) * (x[i] - m);
	*mean = m;
	*sd = sqrt(q / (n - 1));
}

/* A distribution's CDF truncated to [lo, hi]: (F(x) - F(lo)) / (F(hi) - F(lo)). */
struct trunc {
	const struct dist *d;
	double flo, fhi;
};

static void trunc_init(struct trunc *t, const struct dist *d, double lo, double hi)
{
	t->d = d;
	t->flo = dist_cdf(d, lo);
	t->fhi = dist_cdf(d, hi);
}

static double trunc_cdf(const void *ctx, double x)
{
	const struct trunc *t = ctx;
	double v = (dist_cdf(t->d, x) - t->flo) / (t->fhi - t->flo);

	return fmin(fmax(v, 0), 1);
}

/* Asserts that the n values in x lie in [lo, hi], fit F (KS) and average to
 * mean within MEAN_SE standard errors (mean NAN or infinite: not checked).
 * Sorts x. */
static void check_fit(const char *what, double *x, int n, cdf_fn *F, const void *ctx, double lo,
		      double hi, double mean)
{
	double m, sd, d;

	for (int i = 0; i < n; i++)
		if (!(x[i] >= lo && x[i] <= hi))
			fail_msg("%s: sample %d = %.17g outside [%g, %g]", what, i, x[i], lo, hi);
	d = ks(x, n, F, ctx);
	if (!(d < KS_CRIT))
		fail_msg("%s: KS D = %.5f, critical value %.5f", what, d, KS_CRIT);
	if (!isfinite(mean))
		return;
	moments(x, n, &m, &sd);
	if (!(fabs(m - mean) <= MEAN_SE * sd / sqrt((double)n)))
		fail_msg("%s: sample mean %.6g, expected %.6g (se %.3g)", what, m, mean,
			 sd / sqrt((double)n));
}

static void close_rel(const char *what, double got, double want, double tol)
{
	if (!(fabs(got - want) <= tol * fabs(want)))
		fail_msg("%s: got %.17g, expected %.17g", what, got, want);
}

static struct dist mk(enum dist_kind kind, double a, double b, double lo, double hi)
{
	struct dist d;
	struct err e;

	memset(&d, 0, sizeof d);
	d.kind = kind;
	d.a = a;
	d.b = b;
	d.lo = lo;
	d.hi = hi;
	err_clear(&e);
	if (dist_init(&d, &e) != 0)
		fail_msg("dist_init(kind %d, %g, %g, [%g, %g]): %s", (int)kind, a, b, lo, hi, e.msg);
	return d;
}

static void draw(const struct dist *d, uint64_t stream, double *x, int n)
{
	struct rng r;

	rng_seed(&r, 20240601, stream);
	for (int i = 0; i < n; i++)
		x[i] = dist_sample(d, &r);
}

/* ---- the CDFs against closed forms --------------------------------------- */

static void test_cdf_closed_forms(void **state)
{
	struct dist u = mk(DIST_UNIF, 2, 5, -INFINITY, INFINITY);
	struct dist ex = mk(DIST_EXP, 3, 0, -INFINITY, INFINITY);
	struct dist no = mk(DIST_NORM, 10, 2, -INFINITY, INFINITY);
	struct dist ln = mk(DIST_LOGNORM, 1, 0.5, -INFINITY, INFINITY);
	struct dist g2 = mk(DIST_GAMMA, 2, 1.5, -INFINITY, INFINITY);
	struct dist gh = mk(DIST_GAMMA, 0.5, 2, -INFINITY, INFINITY);
	struct dist wb = mk(DIST_WEIBULL, 1.5, 2, -INFINITY, INFINITY);
	struct dist pa = mk(DIST_PARETO, 3, 1, -INFINITY, INFINITY);
	const double xv[] = { 0.01, 0.3, 1, 1.7, 2.5, 4, 7.5, 12, 20, 40 };

	(void)state;
	for (size_t i = 0; i < sizeof xv / sizeof xv[0]; i++) {
		double x = xv[i];

		assert_float_equal(dist_cdf(&u, x), x <= 2 ? 0 : x >= 5 ? 1 : (x - 2) / 3, 1e-12);
		assert_float_equal(dist_cdf(&ex, x), 1 - exp(-x / 3), 1e-12);
		assert_float_equal(dist_cdf(&no, x), Phi((x - 10) / 2), 1e-12);
		assert_float_equal(dist_cdf(&ln, x), Phi((log(x) - 1) / 0.5), 1e-12);
		assert_float_equal(dist_cdf(&g2, x), p2(x / 1.5), 1e-12);
		assert_float_equal(dist_cdf(&gh, x), phalf(x / 2), 1e-12);
		assert_float_equal(dist_cdf(&wb, x), 1 - exp(-pow(x / 2, 1.5)), 1e-12);
		assert_float_equal(dist_cdf(&pa, x), x <= 1 ? 0 : 1 - pow(1 / x, 3), 1e-12);
		/* Both branches of the incomplete gamma (series below a + 1,
		 * continued fraction above). */
		assert_float_equal(dist_gamma_p(2, x), p2(x), 1e-12);
		assert_float_equal(dist_gamma_p(3, x), p3(x), 1e-12);
		assert_float_equal(dist_gamma_p(0.5, x), phalf(x), 1e-12);
		assert_float_equal(dist_gamma_p(1.5, x), p3half(x), 1e-12);
	}
	assert_true(dist_cdf(&ex, -1) == 0 && dist_cdf(&ex, INFINITY) == 1);
	assert_true(dist_cdf(&no, -INFINITY) == 0 && dist_cdf(&no, INFINITY) == 1);
	assert_true(dist_gamma_p(2, 0) == 0 && dist_gamma_p(2, INFINITY) == 1);
}

/* The KS check must be able to fail: a slightly wrong or untruncated CDF is
 * rejected, so the passes below mean something. */
static void test_ks_has_power(void **state)
{
	struct dist d = mk(DIST_EXP, 1, 0, -INFINITY, INFINITY);
	struct dist wrong = mk(DIST_EXP, 1.1, 0, -INFINITY, INFINITY);
	struct dist cut = mk(DIST_EXP, 1, 0, -INFINITY, 3);
	struct trunc t;

	(void)state;
	draw(&d, 1, xs, N);
	trunc_init(&t, &d, -INFINITY, INFINITY);
	assert_true(ks(xs, N, trunc_cdf, &t) < KS_CRIT);
	trunc_init(&t, &wrong, -INFINITY, INFINITY);
	assert_true(ks(xs, N, trunc_cdf, &t) > KS_CRIT);
	draw(&cut, 1, xs, N);
	trunc_init(&t, &d, -INFINITY, INFINITY);
	assert_true(ks(xs, N, trunc_cdf, &t) > KS_CRIT);
	trunc_init(&t, &d, -INFINITY, 3);
	assert_true(ks(xs, N, trunc_cdf, &t) < KS_CRIT);
}

/* ---- every kind, plain and truncated, through dist_init() ---------------- */

struct dcase {
	const char *name;
	enum dist_kind kind;
	double a, b, lo, hi;
	double mean; /* closed form; INFINITY when the mean does not exist */
};

static void run_dcases(const struct dcase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct dist d = mk(c[i].kind, c[i].a, c[i].b, c[i].lo, c[i].hi);
		/* dist_init() raises lo to the support's minimum. */
		double lo = d.lo;
		struct trunc t;

		if (isinf(c[i].mean))
			assert_true(isinf(dist_mean(&d)));
		else
			close_rel(c[i].name, dist_mean(&d), c[i].mean, 1e-9);
		draw(&d, i, xs, N);
		trunc_init(&t, &d, lo, c[i].hi);
		check_fit(c[i].name, xs, N, trunc_cdf, &t, lo, c[i].hi, c[i].mean);
	}
}

static void test_unif_exp(void **state)
{
	const struct dcase c[] = {
		{ "unif 2..5", DIST_UNIF, 2, 5, -INFINITY, INFINITY, 3.5 },
		{ "exp 3", DIST_EXP, 3, 0, -INFINITY, INFINITY, 3 },
		{ "exp 1000 [500, 2000]", DIST_EXP, 1000, 0, 500, 2000,
		  exp_trunc_mean(1000, 500, 2000) },
		{ "exp 1 max=0.5", DIST_EXP, 1, 0, -INFINITY, 0.5, exp_trunc_mean(1, 0, 0.5) },
		{ "exp 1 min=2", DIST_EXP, 1, 0, 2, INFINITY, 3 },
	};

	(void)state;
	run_dcases(c, sizeof c / sizeof c[0]);
}

static void test_norm_lognorm(void **state)
{
	const struct dcase c[] = {
		{ "norm 10,2", DIST_NORM, 10, 2, -INFINITY, INFINITY, 10 },
		{ "norm 10,2 [9, 15]", DIST_NORM, 10, 2, 9, 15, norm_trunc_mean(10, 2, 9, 15) },
		{ "norm 0,1 min=1.5", DIST_NORM, 0, 1, 1.5, INFINITY,
		  phi(1.5) / (1 - Phi(1.5)) },
		{ "norm -5,1 max=-5.5", DIST_NORM, -5, 1, -INFINITY, -5.5,
		  norm_trunc_mean(-5, 1, -INFINITY, -5.5) },
		{ "lognorm 1,0.5", DIST_LOGNORM, 1, 0.5, -INFINITY, INFINITY, exp(1.125) },
		{ "lognorm 1,0.5 [2, 5]", DIST_LOGNORM, 1, 0.5, 2, 5,
		  lognorm_trunc_mean(1, 0.5, 2, 5) },
	};

	(void)state;
	run_dcases(c, sizeof c / sizeof c[0]);
}

static void test_gamma(void **state)
{
	const struct dcase c[] = {
		{ "gamma k=2.5", DIST_GAMMA, 2.5, 3, -INFINITY, INFINITY, 7.5 },
		{ "gamma k=1", DIST_GAMMA, 1, 2, -INFINITY, INFINITY, 2 },
		{ "gamma k=0.4", DIST_GAMMA, 0.4, 2, -INFINITY, INFINITY, 0.8 },
		{ "gamma k=0.1", DIST_GAMMA, 0.1, 10, -INFINITY, INFINITY, 1 },
		{ "gamma k=2 [0.5, 4]", DIST_GAMMA, 2, 1, 0.5, 4,
		  2 * (p3(4) - p3(0.5)) / (p2(4) - p2(0.5)) },
		{ "gamma k=0.5 [0.1, 2]", DIST_GAMMA, 0.5, 1, 0.1, 2,
		  0.5 * (p3half(2) - p3half(0.1)) / (phalf(2) - phalf(0.1)) },
		/* Upper tails e^-4 * (1 + 4 + 8) and e^-4 * (1 + 4). */
		{ "gamma k=2 min=4", DIST_GAMMA, 2, 1, 4, INFINITY, 2 * 13.0 / 5 },
	};

	(void)state;
	run_dcases(c, sizeof c / sizeof c[0]);
}

static void test_weibull_pareto(void **state)
{
	const struct dcase c[] = {
		{ "weibull k=1.5", DIST_WEIBULL, 1.5, 2, -INFINITY, INFINITY, 2 * tgamma(1 + 1 / 1.5) },
		{ "weibull k=0.6", DIST_WEIBULL, 0.6, 1, -INFINITY, INFINITY, tgamma(1 + 1 / 0.6) },
		{ "weibull k=2 [0.5, 1.5]", DIST_WEIBULL, 2, 1, 0.5, 1.5,
		  weibull_trunc_mean(2, 1, 0.5, 1.5) },
		{ "pareto a=3", DIST_PARETO, 3, 1, -INFINITY, INFINITY, 1.5 },
		{ "pareto a=2.5 min=3", DIST_PARETO, 2.5, 1, 3, INFINITY, 5 },
		{ "pareto a=1.2 max=50", DIST_PARETO, 1.2, 1, -INFINITY, 50,
		  pareto_trunc_mean(1.2, 1, 50) },
		{ "pareto a=1 [2, 100]", DIST_PARETO, 1, 1, 2, 100,
		  log(100.0 / 2) / (1.0 / 2 - 1.0 / 100) },
		{ "pareto a=0.8", DIST_PARETO, 0.8, 2, -INFINITY, INFINITY, INFINITY },
	};

	(void)state;
	run_dcases(c, sizeof c / sizeof c[0]);
}

/* ---- far tails: exact, and as cheap as the untruncated case -------------- */

struct shifted_exp {
	double lo, a, w; /* truncated exponential from lo, width w (INFINITY: none) */
};

/* P(X <= x | lo <= X <= lo + w), computed from the survival ratio, which
 * keeps precision where F(lo) has rounded to 1. */
static double shifted_exp_cdf(const void *ctx, double x)
{
	const struct shifted_exp *s = ctx;
	double v = -expm1(-(x - s->lo) / s->a);

	if (isfinite(s->w))
		v /= -expm1(-s->w / s->a);
	return fmin(fmax(v, 0), 1);
}

static void test_exp_far_tail(void **state)
{
	struct dist d = mk(DIST_EXP, 1000, 0, 100000, INFINITY);
	struct dist e = mk(DIST_EXP, 1000, 0, 100000, 101000);
	struct shifted_exp s = { 100000, 1000, INFINITY };

	(void)state;
	/* F(100 ms) of a 1 ms exponential is 1 - e^-100: 1.0 in double. */
	assert_true(dist_cdf(&d, 100000) == 1.0);
	close_rel("exp far tail mean", dist_mean(&d), 101000, 1e-12);
	draw(&d, 7, xs, N);
	check_fit("exp far tail", xs, N, shifted_exp_cdf, &s, 100000, INFINITY, 101000);

	s.w = 1000;
	close_rel("exp far tail window mean", dist_mean(&e), exp_trunc_mean(1000, 100000, 101000),
		  1e-9);
	draw(&e, 8, xs, N);
	check_fit("exp far tail window", xs, N, shifted_exp_cdf, &s, 100000, 101000,
		  dist_mean(&e));
}

/* Weibull k=2, scale 1, from 10 on (S(10) = e^-100): H(X) - H(10) = X^2 - 100
 * is a unit exponential. */
static double weibull_tail_cdf(const void *ctx, double x)
{
	(void)ctx;
	return fmin(fmax(-expm1(-(x * x - 100)), 0), 1);
}

static void test_weibull_far_tail(void **state)
{
	struct dist d = mk(DIST_WEIBULL, 2, 1, 10, INFINITY);
	/* E[X | X > L] = L + int_0^inf exp(-(2Lu + u^2)) du
	 *             = L + sqrt(pi)/2 * exp(L^2) * erfc(L). */
	double want = 10 + sqrt(M_PI) / 2 * exp(100.0) * erfc(10.0);

	(void)state;
	close_rel("weibull far tail mean", dist_mean(&d), want, 1e-9);
	draw(&d, 9, xs, N);
	check_fit("weibull far tail", xs, N, weibull_tail_cdf, NULL, 10, INFINITY, want);
}

/* Pareto windows far out in the tail: the probability of [lo, hi] is a
 * difference of two survival values near 1e-15, which F = 1 - S cannot
 * resolve; alpha <= 1 (no finite untruncated mean) included. */
static void test_pareto_far_window(void **state)
{
	const double alphas[] = { 0.5, 0.8, 1, 1.5, 3 };

	(void)state;
	for (size_t i = 0; i < sizeof alphas / sizeof alphas[0]; i++) {
		double a = alphas[i], lo = 1e15, hi = 2e15;
		struct dist d = mk(DIST_PARETO, a, 1, lo, hi);
		double want = a == 1 ? log(hi / lo) / (1 / lo - 1 / hi) : pareto_trunc_mean(a, lo, hi);
		double m, sd;

		close_rel("pareto far window mean", dist_mean(&d), want, 1e-9);
		draw(&d, 20 + i, xs, N);
		moments(xs, N, &m, &sd);
		assert_true(fabs(m - want) < MEAN_SE * sd / sqrt((double)N));
	}
}

/* ---- clamp0: a point mass at 0 -------------------------------------------- */

/* Asserts the clamp0 law of N(mu, sd) clamped at 0 and cut at hi: the share
 * of exact zeros is P(X < 0 | X <= hi), there is nothing below 0, and the
 * positive part follows the normal truncated to (0, hi]. */
static void check_clamp0(const char *what, double *x, int n, double mu, double sd, double hi)
{
	struct dist ref = mk(DIST_NORM, mu, sd, -INFINITY, INFINITY);
	double p0 = Phi(-mu / sd) / Phi((hi - mu) / sd);
	double share, tol;
	struct trunc t;
	int zeros = 0, k = 0;

	for (int i = 0; i < n; i++) {
		assert_true(x[i] >= 0 && x[i] <= hi);
		if (x[i] == 0)
			zeros++;
		else
			x[k++] = x[i];
	}
	share = (double)zeros / n;
	tol = MEAN_SE * sqrt(p0 * (1 - p0) / n);
	if (!(fabs(share - p0) <= tol))
		fail_msg("%s: %.4f of the samples are 0, expected %.4f", what, share, p0);
	trunc_init(&t, &ref, 0, hi);
	{
		double d = ks(x, k, trunc_cdf, &t);

		if (!(d < 1.95 / sqrt((double)k)))
			fail_msg("%s: KS D of the positive part = %.5f", what, d);
	}
}

static void test_norm_clamp0(void **state)
{
	struct dist d;
	struct err e;
	/* E[max(X, 0)] for X ~ N(1, 1). */
	double want = Phi(1) + phi(1), m, sd;

	(void)state;
	memset(&d, 0, sizeof d);
	d.kind = DIST_NORM;
	d.a = 1;
	d.b = 1;
	d.lo = -INFINITY;
	d.hi = INFINITY;
	d.clamp0 = true;
	assert_int_equal(dist_init(&d, &e), 0);
	close_rel("clamp0 mean", dist_mean(&d), want, 1e-12);
	draw(&d, 11, xs, N);
	moments(xs, N, &m, &sd);
	assert_true(fabs(m - want) < MEAN_SE * sd / sqrt((double)N));
	check_clamp0("clamp0", xs, N, 1, 1, INFINITY);

	/* Clamped and cut above: E[max(X, 0) | X <= 2]. */
	d.hi = 2;
	assert_int_equal(dist_init(&d, &e), 0);
	want = ((Phi(1) - Phi(-1)) + (phi(-1) - phi(1))) / Phi(1);
	close_rel("clamp0 max=2 mean", dist_mean(&d), want, 1e-9);
	draw(&d, 12, xs, N);
	moments(xs, N, &m, &sd);
	assert_true(fabs(m - want) < MEAN_SE * sd / sqrt((double)N));
	check_clamp0("clamp0 max=2", xs, N, 1, 1, 2);
}

/* ---- validation ------------------------------------------------------------ */

static void init_bad(enum dist_kind kind, double a, double b, double lo, double hi,
		     const char *words)
{
	struct dist d;
	struct err e;

	memset(&d, 0, sizeof d);
	d.kind = kind;
	d.a = a;
	d.b = b;
	d.lo = lo;
	d.hi = hi;
	err_clear(&e);
	assert_int_equal(dist_init(&d, &e), -EINVAL);
	if (strstr(e.msg, words) == NULL)
		fail_msg("expected '%s' in: %s", words, e.msg);
}

static void test_init_rejects(void **state)
{
	(void)state;
	init_bad(DIST_EXP, 0, 0, -INFINITY, INFINITY, "> 0");
	init_bad(DIST_NORM, 0, 0, -INFINITY, INFINITY, "standard deviation");
	init_bad(DIST_GAMMA, -1, 1, -INFINITY, INFINITY, "> 0");
	init_bad(DIST_WEIBULL, 1, 0, -INFINITY, INFINITY, "> 0");
	init_bad(DIST_EXP, 1, 0, 5, 2, "greater than max");
	init_bad(DIST_UNIF, 5, 2, -INFINITY, INFINITY, "greater than max");
	init_bad(DIST_EXP, NAN, 0, -INFINITY, INFINITY, "finite");
	init_bad(DIST_PARETO, 2, 1, -INFINITY, 0.5, "below the smallest value");
	/* Rejection samplers refuse bounds that keep too little mass ... */
	init_bad(DIST_NORM, 0, 1, 3, INFINITY, "keep only");
	init_bad(DIST_GAMMA, 2, 1, 30, 40, "keep only");
	init_bad(DIST_LOGNORM, 0, 0.1, 3, INFINITY, "keep only");
	/* ... but 2 % is enough, and the hazard kinds take any tail. */
	mk(DIST_NORM, 0, 1, 2, INFINITY);
	mk(DIST_EXP, 1, 0, 1000, INFINITY);
	mk(DIST_PARETO, 1.5, 1, 1e9, INFINITY);
}

static void test_point(void **state)
{
	struct dist d = mk(DIST_NORM, 10, 2, 11, 11);
	struct dist p = mk(DIST_PARETO, 2, 1, 4, 4);
	struct rng r;

	(void)state;
	rng_seed(&r, 1, 1);
	for (int i = 0; i < 100; i++) {
		assert_true(dist_sample(&d, &r) == 11);
		assert_true(dist_sample(&p, &r) == 4);
	}
	assert_true(dist_mean(&d) == 11 && dist_mean(&p) == 4);
}

/* ---- spec-level forms mean what they say ---------------------------------- */

struct scase {
	const char *text;
	enum spec_unit unit;
	enum dist_kind kind; /* the law the text names ... */
	double a, b;         /* ... in its natural parameters */
	double lo, hi;       /* truncation as given */
	double mean;         /* the requested or closed-form mean */
};

/* Smallest value of the untruncated law. */
static double support_min(enum dist_kind kind, double a, double b)
{
	switch (kind) {
	case DIST_UNIF: return a;
	case DIST_NORM: return -INFINITY;
	case DIST_PARETO: return b;
	default: return 0;
	}
}

static void run_scases(const struct scase *c, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct dist ref = mk(c[i].kind, c[i].a, c[i].b, -INFINITY, INFINITY);
		double lo = fmax(c[i].lo, support_min(c[i].kind, c[i].a, c[i].b));
		double hi = c[i].kind == DIST_UNIF ? c[i].b : c[i].hi;
		struct spec *s;
		struct trunc t;
		struct err e;
		struct rng r;

		err_clear(&e);
		if (spec_parse(c[i].text, c[i].unit, &s, &e) != 0)
			fail_msg("'%s' rejected: %s", c[i].text, e.msg);
		assert_false(spec_is_const(s));
		assert_true(spec_length(s) == 0);
		if (isinf(c[i].mean))
			assert_true(isinf(spec_mean(s)));
		else
			close_rel(c[i].text, spec_mean(s), c[i].mean, 1e-9);
		rng_seed(&r, 77, i);
		for (int j = 0; j < N; j++)
			xs[j] = spec_sample(s, &r, (uint64_t)j);
		trunc_init(&t, &ref, lo, hi);
		check_fit(c[i].text, xs, N, trunc_cdf, &t, lo, hi, c[i].mean);
		spec_destroy(s);
	}
}

static void test_spec_forms(void **state)
{
	const double ln_s2 = log1p(0.25); /* lognorm avg=10ms, std=5ms: cv = 0.5 */
	const struct scase c[] = {
		{ "unif:min=1ms,max=3ms", SPEC_TIME, DIST_UNIF, 1000, 3000, -INFINITY, INFINITY, 2000 },
		{ "exp:1ms", SPEC_TIME, DIST_EXP, 1000, 0, -INFINITY, INFINITY, 1000 },
		{ "exp:avg=2k", SPEC_COUNT, DIST_EXP, 2000, 0, -INFINITY, INFINITY, 2000 },
		{ "exp:1ms,min=500us,max=2ms", SPEC_TIME, DIST_EXP, 1000, 0, 500, 2000,
		  exp_trunc_mean(1000, 500, 2000) },
		{ "norm:10ms,std=1ms", SPEC_TIME, DIST_NORM, 10000, 1000, -INFINITY, INFINITY, 10000 },
		{ "norm:10ms,std=2ms,min=8ms,max=15ms", SPEC_TIME, DIST_NORM, 10000, 2000, 8000, 15000,
		  norm_trunc_mean(10000, 2000, 8000, 15000) },
		{ "norm:1k,std=100", SPEC_SIZE, DIST_NORM, 1000, 100, -INFINITY, INFINITY, 1000 },
		{ "lognorm:avg=10ms,std=5ms", SPEC_TIME, DIST_LOGNORM, log(10000) - 0.5 * ln_s2,
		  sqrt(ln_s2), -INFINITY, INFINITY, 10000 },
		{ "lognorm:xval=2,xstd=0.5", SPEC_COUNT, DIST_LOGNORM, 2, 0.5, -INFINITY, INFINITY,
		  exp(2.125) },
		{ "lognorm:xval=-1,xstd=0.25,max=0.5", SPEC_COUNT, DIST_LOGNORM, -1, 0.25, -INFINITY,
		  0.5, lognorm_trunc_mean(-1, 0.25, 1e-300, 0.5) },
		{ "gamma:avg=10ms,std=5ms", SPEC_TIME, DIST_GAMMA, 4, 2500, -INFINITY, INFINITY, 10000 },
		{ "gamma:k=0.5,scale=2ms", SPEC_TIME, DIST_GAMMA, 0.5, 2000, -INFINITY, INFINITY, 1000 },
		{ "gamma:avg=1ms,k=0.3", SPEC_TIME, DIST_GAMMA, 0.3, 1000 / 0.3, -INFINITY, INFINITY,
		  1000 },
		{ "gamma:avg=4ms,k=2,min=1ms,max=10ms", SPEC_TIME, DIST_GAMMA, 2, 2000, 1000, 10000,
		  4000 * (p3(5) - p3(0.5)) / (p2(5) - p2(0.5)) },
		{ "weibull:avg=1ms,k=2", SPEC_TIME, DIST_WEIBULL, 2, 1000 / tgamma(1.5), -INFINITY,
		  INFINITY, 1000 },
		{ "weibull:k=0.7,scale=1ms", SPEC_TIME, DIST_WEIBULL, 0.7, 1000, -INFINITY, INFINITY,
		  1000 * tgamma(1 + 1 / 0.7) },
		{ "pareto:avg=3ms,alpha=3", SPEC_TIME, DIST_PARETO, 3, 2000, -INFINITY, INFINITY, 3000 },
		{ "pareto:alpha=1.5,xm=1ms,max=100ms", SPEC_TIME, DIST_PARETO, 1.5, 1000, -INFINITY,
		  100000, pareto_trunc_mean(1.5, 1000, 100000) },
		{ "pareto:alpha=0.8,xm=64k", SPEC_SIZE, DIST_PARETO, 0.8, 64000, -INFINITY, INFINITY,
		  INFINITY },
	};

	(void)state;
	run_scases(c, sizeof c / sizeof c[0]);
}

/* "exp:1ms,min=100ms": the far tail at spec level, mean exactly 101 ms. */
static void test_spec_far_tail(void **state)
{
	struct spec *s;
	struct err e;
	struct rng r;
	struct shifted_exp t = { 100000, 1000, INFINITY };

	(void)state;
	assert_int_equal(spec_parse("exp:1ms,min=100ms", SPEC_TIME, &s, &e), 0);
	close_rel("exp:1ms,min=100ms", spec_mean(s), 101000, 1e-12);
	rng_seed(&r, 3, 3);
	for (int i = 0; i < N; i++)
		xs[i] = spec_sample(s, &r, 0);
	check_fit("exp:1ms,min=100ms", xs, N, shifted_exp_cdf, &t, 100000, INFINITY, 101000);
	spec_destroy(s);
}

/* A norm of durations or sizes without min= is clamped at 0; with min= it is
 * truncated instead; a norm of plain numbers keeps its negative values. */
static void test_spec_norm_clamp0(void **state)
{
	const double clamped = 1000 * (Phi(1) + phi(1));
	struct spec *s;
	struct err e;
	struct rng r;
	double m, sd;
	int neg = 0;

	(void)state;
	assert_int_equal(spec_parse("norm:1ms,std=1ms", SPEC_TIME, &s, &e), 0);
	close_rel("norm:1ms,std=1ms", spec_mean(s), clamped, 1e-12);
	rng_seed(&r, 4, 0);
	for (int i = 0; i < N; i++)
		xs[i] = spec_sample(s, &r, 0);
	moments(xs, N, &m, &sd);
	assert_true(fabs(m - clamped) < MEAN_SE * sd / sqrt((double)N));
	check_clamp0("norm:1ms,std=1ms", xs, N, 1000, 1000, INFINITY);
	spec_destroy(s);

	assert_int_equal(spec_parse("norm:1k,std=1k", SPEC_SIZE, &s, &e), 0);
	close_rel("norm:1k,std=1k", spec_mean(s), clamped, 1e-12);
	rng_seed(&r, 4, 1);
	for (int i = 0; i < N; i++)
		xs[i] = spec_sample(s, &r, 0);
	check_clamp0("norm:1k,std=1k", xs, N, 1000, 1000, INFINITY);
	spec_destroy(s);

	/* min=0 truncates: no point mass, mean of the truncated normal. */
	assert_int_equal(spec_parse("norm:1ms,std=1ms,min=0", SPEC_TIME, &s, &e), 0);
	close_rel("norm:1ms,std=1ms,min=0", spec_mean(s), norm_trunc_mean(1000, 1000, 0, INFINITY),
		  1e-9);
	{
		struct dist ref = mk(DIST_NORM, 1000, 1000, -INFINITY, INFINITY);
		struct trunc t;
		int zeros = 0;

		rng_seed(&r, 4, 2);
		for (int i = 0; i < N; i++) {
			xs[i] = spec_sample(s, &r, 0);
			zeros += xs[i] == 0;
		}
		assert_int_equal(zeros, 0);
		trunc_init(&t, &ref, 0, INFINITY);
		check_fit("norm:1ms,std=1ms,min=0", xs, N, trunc_cdf, &t, 0, INFINITY,
			  norm_trunc_mean(1000, 1000, 0, INFINITY));
	}
	spec_destroy(s);

	/* Plain numbers: negative draws stay, the mean is the requested one. */
	assert_int_equal(spec_parse("norm:1,std=1", SPEC_COUNT, &s, &e), 0);
	assert_true(spec_mean(s) == 1);
	rng_seed(&r, 4, 3);
	for (int i = 0; i < N; i++)
		neg += spec_sample(s, &r, 0) < 0;
	assert_true(fabs((double)neg / N - Phi(-1)) < 0.015);
	spec_destroy(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cdf_closed_forms),
		cmocka_unit_test(test_ks_has_power),
		cmocka_unit_test(test_unif_exp),
		cmocka_unit_test(test_norm_lognorm),
		cmocka_unit_test(test_gamma),
		cmocka_unit_test(test_weibull_pareto),
		cmocka_unit_test(test_exp_far_tail),
		cmocka_unit_test(test_weibull_far_tail),
		cmocka_unit_test(test_pareto_far_window),
		cmocka_unit_test(test_norm_clamp0),
		cmocka_unit_test(test_init_rejects),
		cmocka_unit_test(test_point),
		cmocka_unit_test(test_spec_forms),
		cmocka_unit_test(test_spec_far_tail),
		cmocka_unit_test(test_spec_norm_clamp0),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
