/* sample.h -- exact statistics of a sample held in memory.
 *
 * Contract: the histogram (hist.h) answers percentiles in fixed memory with
 * a bounded error while a run is going; after the run, the per-request
 * records are all on disk, so a report can afford the exact answer. These
 * functions take plain arrays of doubles (any unit) and never allocate,
 * except sample_sort(), which sorts in place. NaN must not appear in the
 * input: callers drop missing values before (a failed request has no
 * latency).
 * Percentiles use the nearest-rank definition of hist_percentile(), so the
 * exact and the histogram figures describe the same quantity and differ only
 * by the histogram's bucket error.
 * Ownership: arrays are borrowed for the duration of a call.
 * Threads: stateless; safe from any thread.
 * Errors: none; empty input gives 0 (documented per function). */
#ifndef MW_STATS_SAMPLE_H
#define MW_STATS_SAMPLE_H

#include <stddef.h>

/* Sorts x[0..n) in increasing order. */
void sample_sort(double *x, size_t n);

/* Nearest-rank percentile of the sorted x[0..n): with k = ceil(p / 100 * n)
 * (p forgiven a relative 1e-14 so that 99.9 % of 1000 is rank 999, not
 * 1000), returns x[k - 1]. At least p % of the values are <= the result and
 * it is one of the values. p <= 0 (and NaN) gives x[0], p >= 100 gives
 * x[n - 1]. 0 when n == 0. */
double sample_percentile(const double *sorted, size_t n, double p);

/* The 1-based rank k that sample_percentile() returns (x[k - 1]); 0 when
 * n == 0. */
size_t sample_rank(size_t n, double p);

/* Arithmetic mean of x[0..n), summed in long double; 0 when n == 0. */
double sample_mean(const double *x, size_t n);

/* Population standard deviation (divides by n, like hist_stddev()) by the
 * two-pass formula, so a large mean does not cancel the spread; 0 when
 * n < 2. */
double sample_stddev(const double *x, size_t n);

#endif
