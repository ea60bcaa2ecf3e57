/* bootstrap.c -- see bootstrap.h.
 *
 * A resample is never sorted. Each value's rank in the sorted sample is
 * computed once; a resample is then a count per rank (how many times the
 * value of that rank was drawn), and its percentiles come from one walk of
 * the counts in rank order. That makes a resample O(n) instead of
 * O(n log n), which is what lets R be in the thousands on 10^5 values. */
#include "stats/bootstrap.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "spec/rng.h"
#include "stats/sample.h"
#include "util/xalloc.h"

/* One side, ready to be resampled. */
struct side {
	const double *x;  /* time order */
	size_t n;
	size_t *rank;     /* rank of x[i] in the sorted sample, 0-based */
	double *sorted;   /* sorted[rank[i]] == x[i] */
	uint32_t *count;  /* per rank, in one resample */
	size_t block;
	struct rng rng;
};

static int cmp_index(const void *pa, const void *pb, void *base)
{
	size_t i = *(const size_t *)pa, j = *(const size_t *)pb;
	double x = ((const double *)base)[i], y = ((const double *)base)[j];

	if (x != y)
		return (x > y) - (x < y);
	return (i > j) - (i < j);
}

/* Positions of x[0..n) in increasing order of value (ties by position,
 * so the order does not depend on qsort's whims); the caller frees. */
static size_t *sorted_index(const double *x, size_t n)
{
	size_t *idx = xcalloc(n ? n : 1, sizeof *idx);

	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	qsort_r(idx, n, sizeof *idx, cmp_index, (void *)x);
	return idx;
}

/* Ranks of x[0..n) (0-based, ties broken by position) and the sorted
 * values; the caller frees the ranks. */
static size_t *ranks_of(const double *x, size_t n, double *sorted)
{
	size_t *idx = sorted_index(x, n), *rank = xcalloc(n, sizeof *rank);

	for (size_t r = 0; r < n; r++) {
		rank[idx[r]] = r;
		sorted[r] = x[idx[r]];
	}
	free(idx);
	return rank;
}

/* Lag-k autocovariance of y (mean m), divided by n as Politis and White do. */
static double autocov(const double *y, size_t n, double m, size_t k)
{
	long double s = 0;

	for (size_t t = 0; t + k < n; t++)
		s += (y[t] - m) * (y[t + k] - m);
	return (double)(s / n);
}

/* Flat-top lag window. */
static double flat_top(double t)
{
	t = fabs(t);
	return t <= 0.5 ? 1 : t <= 1 ? 2 * (1 - t) : 0;
}

size_t boot_block_length(const double *x, size_t n)
{
	size_t *idx, kn, mmax, m, big_m, bmax;
	double *y, *cov, mean = (n - 1) / 2.0, thr, g = 0, gg = 0, b;

	if (n < 8)
		return 1;
	bmax = (size_t)ceil(fmin(3 * sqrt((double)n), n / 3.0));
	kn = (size_t)fmax(5, ceil(sqrt(log10((double)n))));
	mmax = (size_t)ceil(sqrt((double)n)) + kn;
	if (mmax + kn >= n)
		mmax = n - kn - 1;
	/* Mid-ranks: tied values share their average rank, so a run of ties
	 * is not mistaken for a trend. */
	idx = sorted_index(x, n);
	y = xcalloc(n, sizeof *y);
	for (size_t r = 0, e; r < n; r = e) {
		for (e = r + 1; e < n && x[idx[e]] == x[idx[r]]; e++)
			;
		for (size_t j = r; j < e; j++)
			y[idx[j]] = (r + e - 1) / 2.0;
	}
	free(idx);
	cov = xcalloc(mmax + kn + 1, sizeof *cov);
	for (size_t k = 0; k <= mmax + kn; k++)
		cov[k] = NAN; /* filled on demand: the search usually stops early */
	cov[0] = autocov(y, n, mean, 0);
	if (!(cov[0] > 0)) { /* every value the same */
		free(cov);
		free(y);
		return 1;
	}
	/* m: the first lag after which kn autocorrelations in a row are
	 * insignificant (|rho| < 2 sqrt(log10(n) / n)). */
	thr = 2 * sqrt(log10((double)n) / n);
	for (m = 0; m <= mmax; m++) {
		size_t k;

		for (k = 1; k <= kn; k++) {
			if (isnan(cov[m + k]))
				cov[m + k] = autocov(y, n, mean, m + k);
			if (fabs(cov[m + k] / cov[0]) >= thr)
				break;
		}
		if (k > kn)
			break;
	}
	big_m = 2 * m < mmax ? 2 * m : mmax;
	for (size_t k = 1; k <= big_m; k++) {
		double w;

		if (isnan(cov[k]))
			cov[k] = autocov(y, n, mean, k);
		w = flat_top((double)k / big_m);
		g += 2 * w * k * cov[k];
		gg += 2 * w * cov[k];
	}
	gg += cov[0];
	free(cov);
	free(y);
	if (big_m == 0 || !(gg > 0) || g == 0)
		return 1;
	/* b = (2 G^2 / D)^(1/3) n^(1/3), D = 4/3 g(0)^2 for the circular
	 * block bootstrap. */
	b = cbrt(2 * g * g / (4.0 / 3 * gg * gg)) * cbrt((double)n);
	if (!(b >= 1))
		return 1;
	return b > bmax ? bmax : (size_t)ceil(b);
}

unsigned boot_resamples_bound(unsigned r, size_t na, size_t nb)
{
	double cap = BOOT_WORK / ((double)na + nb);

	if (cap < BOOT_MIN_RESAMPLES)
		cap = BOOT_MIN_RESAMPLES;
	return r > cap ? (unsigned)cap : r;
}

/* One resample of s: counts per rank and the sum of the values. */
static long double resample(struct side *s)
{
	long double sum = 0;
	size_t got = 0;

	memset(s->count, 0, s->n * sizeof *s->count);
	while (got < s->n) {
		size_t t = rng_below(&s->rng, s->n);

		for (size_t j = 0; j < s->block && got < s->n; j++, got++) {
			s->count[s->rank[t]]++;
			sum += s->x[t];
			if (++t == s->n)
				t = 0;
		}
	}
	return sum;
}

/* The statistics of the current resample: out[i] for pct[i]; order[] lists
 * the percentiles by increasing rank (the mean is not in it). */
static void stats_of(const struct side *s, long double sum, const double *pct, const int *order,
		     int nord, int nstats, double *out)
{
	size_t r = 0, cum = 0;

	for (int i = 0; i < nstats; i++)
		if (isnan(pct[i]))
			out[i] = (double)(sum / s->n);
	for (int o = 0; o < nord; o++) {
		size_t k = sample_rank(s->n, pct[order[o]]);

		while (cum + s->count[r] < k)
			cum += s->count[r++];
		out[order[o]] = s->sorted[r];
	}
}

static void side_init(struct side *s, const double *x, size_t n, size_t block, uint64_t seed,
		      uint64_t stream)
{
	s->x = x;
	s->n = n;
	s->sorted = xcalloc(n, sizeof *s->sorted);
	s->rank = ranks_of(x, n, s->sorted);
	s->count = xcalloc(n, sizeof *s->count);
	s->block = block ? block : boot_block_length(x, n);
	if (s->block > n)
		s->block = n;
	rng_seed(&s->rng, seed, stream);
}

static void side_free(struct side *s)
{
	free(s->sorted);
	free(s->rank);
	free(s->count);
}

static int cmp_double(const void *pa, const void *pb)
{
	double x = *(const double *)pa, y = *(const double *)pb;

	return (x > y) - (x < y);
}

int boot_ratio_ci(const double *a, size_t na, const double *b, size_t nb, const double *pct,
		  int nstats, const struct boot_opts *o, struct boot_ci *out)
{
	struct side sa, sb;
	int order[BOOT_MAX_STATS], nord = 0;
	unsigned rr;
	double *ratio;
	bool bad[BOOT_MAX_STATS] = { false };

	if (na == 0 || nb == 0 || o->resamples == 0 || !(o->confidence > 0 && o->confidence < 1) ||
	    nstats < 1 || nstats > BOOT_MAX_STATS)
		return -EINVAL;
	for (int i = 0; o->level && i < nstats; i++)
		if (!(o->level[i] > 0 && o->level[i] < 1))
			return -EINVAL;
	for (int i = 0, j; i < nstats; i++) {
		if (isnan(pct[i]))
			continue;
		if (!(pct[i] > 0 && pct[i] <= 100))
			return -EINVAL;
		/* insertion sort by percentile: the walk visits ranks upwards */
		j = nord++;
		while (j > 0 && pct[order[j - 1]] > pct[i]) {
			order[j] = order[j - 1];
			j--;
		}
		order[j] = i;
	}
	memset(out, 0, sizeof *out);
	rr = boot_resamples_bound(o->resamples, na, nb);
	side_init(&sa, a, na, o->block_a, o->seed, 0);
	side_init(&sb, b, nb, o->block_b, o->seed, 1);
	ratio = xcalloc((size_t)nstats * rr, sizeof *ratio);
	for (unsigned r = 0; r < rr; r++) {
		double va[BOOT_MAX_STATS], vb[BOOT_MAX_STATS];
		long double suma = resample(&sa), sumb = resample(&sb);

		stats_of(&sa, suma, pct, order, nord, nstats, va);
		stats_of(&sb, sumb, pct, order, nord, nstats, vb);
		for (int i = 0; i < nstats; i++) {
			if (!(va[i] > 0))
				bad[i] = true;
			else
				ratio[(size_t)i * rr + r] = vb[i] / va[i];
		}
	}
	for (int i = 0; i < nstats; i++) {
		double *v = ratio + (size_t)i * rr;
		double tail = (1 - (o->level ? o->level[i] : o->confidence)) / 2;
		size_t lo = (size_t)floor(tail * rr), hi = (size_t)ceil((1 - tail) * rr);

		if (bad[i]) {
			out->lo[i] = out->hi[i] = NAN;
			continue;
		}
		qsort(v, rr, sizeof *v, cmp_double);
		if (hi > 0)
			hi--;
		if (hi >= rr)
			hi = rr - 1;
		if (lo > hi)
			lo = hi;
		out->lo[i] = v[lo];
		out->hi[i] = v[hi];
	}
	out->block_a = sa.block;
	out->block_b = sb.block;
	out->resamples = rr;
	free(ratio);
	side_free(&sa);
	side_free(&sb);
	return 0;
}
