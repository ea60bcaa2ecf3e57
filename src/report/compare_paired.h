/* compare_paired.h -- the verdict of `meshwalk compare --interleave`: A and
 * B run alternately in blocks, judged by the variation between blocks.
 *
 * Why: compare_figures()'s bootstrap sees only the sampling noise inside
 * one run. Two runs of one scenario minutes apart also differ by the
 * machine's drift, which no statistic of one run can see, so identical
 * runs are called DIFFERENT. Run in pairs of adjacent blocks in ABBA order
 * (A B, B A, A B, ...), drift falls on both sides alike: slow drift cancels
 * inside each pair, and what is left varies from pair to pair, where the
 * interval sees it.
 *
 * Contract: compare_block_figures() measures one block (mean, p50, p90,
 * p99, p99.9, max of its ok latencies). compare_paired() takes npairs >= 2
 * pairs (a[i], b[i]) and, per figure, the log-ratios d_i = ln(b_i / a_i):
 * the ratio B/A is exp(median d), its interval [exp d(k), exp d(n+1-k)]
 * from the sorted d, k the sign test's rank for the rule's confidence:
 * a distribution-free interval of the median pair, which one disturbed
 * pair (a burst of other load during one block) cannot stretch the way it
 * stretches a mean's t-interval. Fewer pairs than
 * compare_paired_min_pairs(confidence) give no interval (NAN: judged
 * inconclusive). A and B in the result are the geometric means of the
 * blocks' figures. The interval then goes through the rule of compare.h
 * (compare_decide(): margins, too few requests judged on the smallest
 * block); KS is not run (d, p NAN). The max is shown, never judged.
 * A figure that is 0 in a block has no ratio: NAN, judged inconclusive.
 * Ownership: borrowed inputs. Threads: no shared state. Errors: none. */
#ifndef MW_REPORT_COMPARE_PAIRED_H
#define MW_REPORT_COMPARE_PAIRED_H

#include <stddef.h>

#include "report/compare.h"

struct compare_block {
	double fig[COMPARE_NFIG]; /* mean, p50, p90, p99, p99.9, max: us */
	size_t n;                 /* ok requests */
};

/* The figures of x[0..n) (any order; n may be 0: every figure NAN). */
void compare_block_figures(const double *x, size_t n, struct compare_block *out);

/* The fewest pairs whose sign-test interval reaches conf: the smallest n
 * with 2 * 2^-n <= 1 - conf (6 for 0.95, 8 for 0.99); 0 for a conf outside
 * (0, 1). */
unsigned compare_paired_min_pairs(double conf);

void compare_paired(const struct compare_block *a, const struct compare_block *b, size_t npairs,
		    const struct compare_rule *r, struct compare_figures *out);

#endif
