/* compare_paired.c -- see compare_paired.h. */
#include "report/compare_paired.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/sample.h"
#include "util/xalloc.h"

static const double fig_p[COMPARE_NFIG] = { NAN, 50, 90, 99, 99.9, 100 };

void compare_block_figures(const double *x, size_t n, struct compare_block *out)
{
	double *s;

	out->n = n;
	for (int k = 0; k < COMPARE_NFIG; k++)
		out->fig[k] = NAN;
	if (n == 0)
		return;
	s = xcalloc(n, sizeof *s);
	memcpy(s, x, n * sizeof *x);
	sample_sort(s, n);
	out->fig[0] = sample_mean(s, n);
	for (int k = 1; k < COMPARE_NFIG; k++)
		out->fig[k] = sample_percentile(s, n, fig_p[k]);
	free(s);
}

/* P(|T| < t) for Student's T with df degrees of freedom, in closed form for
 * whole df (a finite sum of powers of cos(theta), theta = atan(t/sqrt(df))):
 * exact, and small enough not to need a special-function library. */
static double t_central(double t, unsigned df)
{
	double th = atan(t / sqrt(df)), c2 = cos(th) * cos(th), sum = 0, term;

	if (df % 2 == 0) {
		term = 1;
		for (unsigned j = 0; j + 2 <= df; j += 2) {
			sum += term;
			term *= c2 * (j + 1) / (j + 2);
		}
		return sin(th) * sum;
	}
	term = cos(th);
	for (unsigned j = 1; j + 2 <= df; j += 2) {
		sum += term;
		term *= c2 * (j + 1) / (j + 2);
	}
	return 2 / M_PI * (th + sin(th) * sum);
}

double compare_t_critical(double conf, unsigned df)
{
	double lo = 0, hi = 1e7;

	if (df < 1 || !(conf > 0) || !(conf < 1))
		return NAN;
	for (int i = 0; i < 200; i++) { /* bisection: t_central rises with t */
		double mid = (lo + hi) / 2;

		if (t_central(mid, df) < conf)
			lo = mid;
		else
			hi = mid;
	}
	return (lo + hi) / 2;
}

/* Mean and sample deviation of the pairs' log-ratios of figure k; false when
 * a figure is missing or 0 somewhere (no ratio). */
static bool log_ratios(const struct compare_block *a, const struct compare_block *b, size_t n,
		       int k, double *mean, double *sd)
{
	double s = 0, ss = 0;

	for (size_t i = 0; i < n; i++) {
		if (!(a[i].fig[k] > 0) || !(b[i].fig[k] > 0))
			return false;
		s += log(b[i].fig[k] / a[i].fig[k]);
	}
	*mean = s / n;
	for (size_t i = 0; i < n; i++) {
		double d = log(b[i].fig[k] / a[i].fig[k]) - *mean;

		ss += d * d;
	}
	*sd = sqrt(ss / (n - 1));
	return true;
}

/* The geometric mean of figure k over the blocks (NAN when one is not > 0). */
static double geomean(const struct compare_block *x, size_t n, int k)
{
	double s = 0;

	for (size_t i = 0; i < n; i++) {
		if (!(x[i].fig[k] > 0))
			return NAN;
		s += log(x[i].fig[k]);
	}
	return exp(s / n);
}

void compare_paired(const struct compare_block *a, const struct compare_block *b, size_t npairs,
		    const struct compare_rule *r, struct compare_figures *c)
{
	static const char *const names[COMPARE_NFIG] = { "mean", "p50", "p90", "p99", "p99.9",
							  "max" };
	double t = compare_t_critical(r->confidence, (unsigned)(npairs - 1)), m, sd;
	size_t na = SIZE_MAX, nb = SIZE_MAX, len;
	int k;

	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < npairs; i++) {
		na = a[i].n < na ? a[i].n : na;
		nb = b[i].n < nb ? b[i].n : nb;
	}
	for (k = 0; k < COMPARE_NFIG; k++) {
		c->name[k] = names[k];
		c->margin[k] = k == COMPARE_MAX ? NAN : r->margin[k];
		c->watch[k] = k != COMPARE_MAX && r->watch[k];
		c->a[k] = geomean(a, npairs, k);
		c->b[k] = geomean(b, npairs, k);
		c->ratio[k] = c->lo[k] = c->hi[k] = NAN;
		if (npairs < 2 || !log_ratios(a, b, npairs, k, &m, &sd))
			continue;
		c->ratio[k] = exp(m);
		if (k == COMPARE_MAX)
			continue;
		c->lo[k] = exp(m - t * sd / sqrt((double)npairs));
		c->hi[k] = exp(m + t * sd / sqrt((double)npairs));
	}
	c->d = c->d_at = c->p = NAN;
	compare_decide(c, na, nb, r);
	/* An interval too wide: the pairs vary, and more of them is the cure
	 * compare.c's sentence cannot name. */
	k = c->decisive;
	len = strlen(c->reason);

	if (c->verdict == COMPARE_INCONCLUSIVE && k >= 0 && c->judged[k] == FIG_INCONCLUSIVE &&
	    !isnan(c->lo[k]) && c->hi[k] - c->lo[k] > 2 * c->margin[k] && len < sizeof c->reason)
		snprintf(c->reason + len, sizeof c->reason - len,
			 "; the %zu pairs vary: more pairs (a larger --interleave) narrow it too",
			 npairs);
}
