/* compare.h -- `meshwalk compare A B`: two sets of latencies side by side,
 * and whether they differ by more than run-to-run noise.
 *
 * Contract: compare_figures() puts the two samples' figures (mean, p50, p90,
 * p99, p99.9, max) side by side with B/A ratios, runs the two-sample
 * Kolmogorov-Smirnov test (stats/ks.h) and decides:
 *   DIFFERENT when the KS p-value is below alpha AND at least one figure
 *   that both samples estimate reliably differs by more than the tolerance
 *   (|B/A - 1| > tolerance);
 *   SAME (within noise) otherwise.
 * A percentile p counts as reliably estimated when each sample has at least
 * COMPARE_TAIL_MIN values above it (N * (1 - p/100) >= 10), so p99.9 is
 * judged only from 10,000 samples on; the mean always counts; the maximum
 * never does (it is one sample). docs/report.md explains why both
 * conditions: KS alone flags differences a rerun would not reproduce.
 * compare_write() loads nothing itself: it takes two loaded results, picks
 * the group to compare (or all groups merged), prints the comparison to
 * out and, with an output directory, writes compare.txt, compare.csv,
 * compare.json, compare-quantiles.csv and the plot plots/compare-cdf.*.
 * Ownership: borrowed inputs. Threads: see gnuplot.h.
 * Errors: 0, or -EINVAL with a message in *e (a group missing from one side,
 * a side without ok requests, a file that cannot be written). */
#ifndef MW_REPORT_COMPARE_H
#define MW_REPORT_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "report/results.h"
#include "util/err.h"

#define COMPARE_TAIL_MIN 10
#define COMPARE_NFIG 6

enum compare_verdict {
	COMPARE_SAME = 1,
	COMPARE_DIFFERENT,
};

struct compare_opts {
	const char *out_dir; /* NULL: print only */
	const char *group;   /* NULL: all groups merged */
	double alpha;        /* KS significance level, e.g. 0.01 */
	double tolerance;    /* relative, e.g. 0.05 for 5 % */
	bool plots;
};

struct compare_figures {
	const char *name[COMPARE_NFIG]; /* "mean", "p50", ..., "max" */
	double a[COMPARE_NFIG], b[COMPARE_NFIG]; /* us */
	double ratio[COMPARE_NFIG];     /* b / a */
	bool judged[COMPARE_NFIG];      /* counts for the verdict */
	double d, d_at, p;              /* KS distance, where, p-value */
	enum compare_verdict verdict;
	int worst;                      /* judged figure with the largest |ratio - 1| */
	char reason[256];               /* one sentence behind the verdict */
};

/* Compares the sorted samples a[0..na) and b[0..nb) (both non-empty). */
void compare_figures(const double *a, size_t na, const double *b, size_t nb, double alpha,
		     double tolerance, struct compare_figures *out);

int compare_write(const struct results *a, const struct results *b, const struct compare_opts *o,
		  FILE *out, enum compare_verdict *verdict, struct err *e);

#endif
