/* bootstrap.h -- confidence intervals of B/A ratios of sample statistics, by
 * a seeded circular block bootstrap.
 *
 * Contract: boot_ratio_ci() takes two independent samples, each IN THE ORDER
 * IT WAS MEASURED (time order, not sorted), and for each requested statistic
 * (the mean, or a nearest-rank percentile as sample_percentile() defines it)
 * returns a confidence interval of stat(B) / stat(A). It resamples each side
 * R times with the circular block bootstrap (Politis and Romano): blocks of
 * L consecutive values, starting anywhere and wrapping around, until the
 * resample has the sample's size. Blocks keep the dependence between
 * neighbouring values (requests behind one burst share its queue), which a
 * value-by-value bootstrap would throw away, making intervals too narrow.
 * With L = 1 it is the ordinary bootstrap. The interval is the percentile
 * interval of the R ratios: [q((1 - c) / 2), q((1 + c) / 2)], c the
 * statistic's own level where o->level gives one.
 * L per side is given, or chosen by boot_block_length(): Politis and
 * White's (2004) automatic rule with Patton, Politis and White's (2009)
 * constant for the circular bootstrap, on the series of ranks (so one huge
 * outlier does not decide it).
 * Deterministic: the same inputs, seed and R give the same interval (side A
 * draws from rng stream 0, side B from stream 1).
 * Cost: O(R * (na + nb)) time, O(na + nb) memory; boot_resamples_bound()
 * caps R so that R * (na + nb) stays near BOOT_WORK (a few seconds at
 * most), never below BOOT_MIN_RESAMPLES.
 * Ownership: inputs are borrowed; the function allocates (xalloc) and frees
 * its scratch. Threads: stateless. Errors: -EINVAL when a side is empty, R
 * is 0, c is outside (0, 1) or a percentile outside (0, 100]; else 0. A
 * ratio whose A statistic is 0 makes that interval NAN. */
#ifndef MW_STATS_BOOTSTRAP_H
#define MW_STATS_BOOTSTRAP_H

#include <stddef.h>
#include <stdint.h>

#define BOOT_MAX_STATS 8
#define BOOT_MIN_RESAMPLES 200
#define BOOT_WORK 4e8 /* resamples x values, about 2 s on a slow core */

struct boot_opts {
	unsigned resamples; /* R */
	double confidence;  /* c, e.g. 0.95 */
	uint64_t seed;
	size_t block_a, block_b; /* L per side; 0 = boot_block_length() */
	const double *level; /* NULL, or c per statistic (nstats values) */
};

struct boot_ci {
	double lo[BOOT_MAX_STATS], hi[BOOT_MAX_STATS]; /* interval of each ratio */
	size_t block_a, block_b;                       /* L used per side */
	unsigned resamples;                            /* R used */
};

/* pct[i] is a percentile in (0, 100], or NAN for the mean; nstats <=
 * BOOT_MAX_STATS. */
int boot_ratio_ci(const double *a, size_t na, const double *b, size_t nb, const double *pct,
		  int nstats, const struct boot_opts *o, struct boot_ci *out);

/* The automatic block length of the time-ordered x[0..n): 1 for a series
 * without autocorrelation, at most min(3 sqrt(n), n / 3). */
size_t boot_block_length(const double *x, size_t n);

/* R capped by the work bound for samples of na and nb values. */
unsigned boot_resamples_bound(unsigned r, size_t na, size_t nb);

#endif
