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

unsigned compare_paired_min_pairs(double conf)
{
	unsigned n = 1;

	if (!(conf > 0) || !(conf < 1))
		return 0;
	while (n < 64 && ldexp(1, -(int)n) > (1 - conf) / 2)
		n++;
	return n;
}

/* The rank k (1-based) of the interval's lower end among n sorted values:
 * the largest k with P(X <= k - 1) <= (1 - conf) / 2 for X ~ Binomial(n, 1/2),
 * so [d(k), d(n + 1 - k)] holds the median with probability >= conf (the
 * sign test's interval); 0 when even [d(1), d(n)] falls short. */
static size_t sign_rank(size_t n, double conf)
{
	double cdf = 0, pmf = ldexp(1, -(int)n); /* P(X = 0) */
	size_t k = 0;

	for (size_t j = 0; j < n; j++) {
		cdf += pmf;
		if (cdf > (1 - conf) / 2 + 1e-12)
			break;
		k = j + 1;
		pmf = pmf * (double)(n - j) / (double)(j + 1);
	}
	return k;
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return (a > b) - (a < b);
}

/* The pairs' log-ratios of figure k, sorted into d[0..n); false when a
 * figure is missing or 0 somewhere (no ratio). */
static bool log_ratios(const struct compare_block *a, const struct compare_block *b, size_t n,
		       int k, double *d)
{
	for (size_t i = 0; i < n; i++) {
		if (!(a[i].fig[k] > 0) || !(b[i].fig[k] > 0))
			return false;
		d[i] = log(b[i].fig[k] / a[i].fig[k]);
	}
	qsort(d, n, sizeof *d, cmp_double);
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
	size_t na = SIZE_MAX, nb = SIZE_MAX, len, kr, rank = sign_rank(npairs, compare_level_max(r));
	double *d = xcalloc(npairs ? npairs : 1, sizeof *d);
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
		c->level[k] = k == COMPARE_MAX ? NAN : compare_level(r, k);
		if (npairs < 2 || !log_ratios(a, b, npairs, k, d))
			continue;
		c->ratio[k] = exp((d[(npairs - 1) / 2] + d[npairs / 2]) / 2);
		kr = k == COMPARE_MAX ? 0 : sign_rank(npairs, compare_level(r, k));
		if (kr == 0)
			continue;
		c->lo[k] = exp(d[kr - 1]);
		c->hi[k] = exp(d[npairs - kr]);
	}
	free(d);
	c->d = c->d_at = c->p = NAN;
	compare_decide(c, na, nb, r);
	/* An interval too wide: the pairs vary, and more of them is the cure
	 * compare.c's sentence cannot name. */
	k = c->decisive;
	len = strlen(c->reason);

	if (c->verdict == COMPARE_INCONCLUSIVE && rank == 0 && len < sizeof c->reason)
		snprintf(c->reason + len, sizeof c->reason - len, ": %zu pairs are too few, it needs %u",
			 npairs, compare_paired_min_pairs(compare_level_max(r)));
	else if (c->verdict == COMPARE_INCONCLUSIVE && k >= 0 && c->judged[k] == FIG_INCONCLUSIVE &&
	    !isnan(c->lo[k]) && c->hi[k] - c->lo[k] > 2 * c->margin[k] && len < sizeof c->reason)
		snprintf(c->reason + len, sizeof c->reason - len,
			 "; the %zu pairs vary: more pairs (a larger --interleave) narrow it too",
			 npairs);
}
