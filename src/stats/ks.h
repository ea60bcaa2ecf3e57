/* ks.h -- the two-sample Kolmogorov-Smirnov test.
 *
 * Contract: ks_distance() is the largest vertical gap between the empirical
 * distribution functions of two samples, D = sup_x |F_a(x) - F_b(x)|, in
 * [0, 1]. Ties (within or across samples) are handled exactly: both
 * functions step over a tied value together before the gap is measured, so
 * identical samples give D = 0.
 * ks_pvalue() answers "how likely is a gap this large if both samples came
 * from one continuous distribution", from the asymptotic Kolmogorov
 * distribution: p = Q(lambda) with lambda = (sqrt(m) + 0.12 + 0.11 /
 * sqrt(m)) * D and m = na * nb / (na + nb) (Stephens' correction, which
 * keeps the asymptotic law usable down to m of about 4). The test assumes
 * independent samples; requests of one run are not (a queue couples
 * neighbours), which makes p too small: see docs/report.md.
 * ks_q() is the Kolmogorov survival function
 *     Q(lambda) = P(K > lambda) = 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 lambda^2),
 * evaluated for small lambda through the equivalent (Jacobi theta) series
 *     P(K <= lambda) = sqrt(2 pi) / lambda * sum_{k>=1} exp(-(2k-1)^2 pi^2 / (8 lambda^2)),
 * because the alternating series converges too slowly there. Absolute error
 * below 1e-15 for every lambda.
 * Ownership: arrays are borrowed for the duration of a call.
 * Threads: stateless. Errors: none (see each function for its edge cases). */
#ifndef MW_STATS_KS_H
#define MW_STATS_KS_H

#include <stddef.h>

/* D for the sorted samples a[0..na) and b[0..nb) (no NaN). 0 when either is
 * empty. When at is not NULL it receives the value where the gap is largest
 * (the first such value; NAN when D is 0). */
double ks_distance(const double *a, size_t na, const double *b, size_t nb, double *at);

/* Q(lambda) as above: 1 for lambda <= 0 (and NaN), decreasing to 0. */
double ks_q(double lambda);

/* p-value of distance d between samples of sizes na and nb; 1 when either
 * is empty. */
double ks_pvalue(double d, size_t na, size_t nb);

#endif
