/* hist.h -- fixed-memory latency histogram.
 *
 * Contract: values are unsigned 64-bit integers in whatever unit the caller
 * records (meshwalk records nanoseconds). Values 0 .. HIST_MAX_VALUE (2^43 - 1,
 * about 2 h 26 min in ns) are binned into log-linear buckets: every value below
 * 256 has a bucket of its own, and each power-of-two range above is split into
 * 128 equal sub-buckets, so a bucket [lo, hi) is never wider than lo/128.
 * Percentiles report the highest value of their bucket (clamped into
 * [min, max]), so a reported percentile is never below the exact one and at
 * most 1/128 (0.79 %) above it: the tail is never under-reported. Values above
 * HIST_MAX_VALUE are not binned: hist_record() returns false, and they are
 * counted in hist_overflow() and hist_count() and still feed min, max and mean.
 * Count, min, max and mean are exact; the standard deviation is exact too but
 * covers only the binned samples (see hist_stddev()).
 * Memory is fixed: hist_create() allocates hist_memory() bytes (about 37 KB)
 * once, and recording is O(1) with no allocation and no locks.
 * Ownership: hist_create() allocates, hist_destroy() frees; struct hist is
 * opaque. hist_add() only reads src. hist_foreach() lends its values to the
 * callback for the duration of the call.
 * Threads: a histogram has one writer and no internal locking. Give each
 * thread its own histogram, and merge them with hist_add() after joining the
 * threads (or after some other happens-before hand-off). Readers may run
 * concurrently with each other but not with a writer.
 * Errors: hist_create() returns 0 or -errno; recording reports out-of-range
 * values through its bool result; nothing else can fail. */
#ifndef MW_STATS_HIST_H
#define MW_STATS_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Largest value that is binned; larger ones only count as overflow. */
#define HIST_MAX_VALUE ((UINT64_C(1) << 43) - 1)

struct hist; /* opaque */

/* Called by hist_foreach() for a bucket holding count samples, all with
 * lo <= value < hi. */
typedef void hist_bucket_fn(uint64_t lo, uint64_t hi, uint64_t count, void *arg);

/* Allocates an empty histogram into *out. Returns 0 (and *out is valid) or
 * -ENOMEM. Allocation goes through xcalloc(), which aborts on exhaustion, so
 * today the result is always 0; callers still check it so that a future
 * variant with a caller-chosen range can reject bad arguments. */
int hist_create(struct hist **out);

/* Frees h. NULL is a no-op. */
void hist_destroy(struct hist *h);

/* Records one sample of value v. Returns true when v was binned, false when
 * v > HIST_MAX_VALUE (then it is counted as overflow and still updates
 * count, min, max and mean). */
bool hist_record(struct hist *h, uint64_t v);

/* Records n samples of value v; same result as n calls of hist_record(), in
 * O(1). n == 0 records nothing and only reports whether v is in range. */
bool hist_record_n(struct hist *h, uint64_t v, uint64_t n);

/* Adds src's samples to dst (counts, overflow, min, max, sums), as if every
 * sample recorded into src had been recorded into dst. src is unchanged. */
void hist_add(struct hist *dst, const struct hist *src);

/* Empties h, keeping its memory. */
void hist_reset(struct hist *h);

/* Number of samples recorded, overflow included. */
uint64_t hist_count(const struct hist *h);

/* Number of samples above HIST_MAX_VALUE. */
uint64_t hist_overflow(const struct hist *h);

/* Exact smallest and largest recorded value, overflow included; 0 when
 * empty. */
uint64_t hist_min(const struct hist *h);
uint64_t hist_max(const struct hist *h);

/* Exact arithmetic mean of all samples, overflow included (the sum is kept
 * in 128 bits, so the only error is the final rounding to double); 0 when
 * empty. */
double hist_mean(const struct hist *h);

/* Population standard deviation (divides by N, not N - 1) of the binned
 * samples, computed from an exact 128-bit sum of squares, not from bucket
 * representatives, so it is exact up to the final rounding. Overflow samples
 * are left out because their squares do not fit 128 bits; when
 * hist_overflow() is 0 this is the standard deviation of all samples.
 * 0 when there are no binned samples. */
double hist_stddev(const struct hist *h);

/* Nearest-rank percentile: with N = hist_count() and k = ceil(p / 100 * N),
 * returns the highest value of the bucket holding the k-th smallest sample,
 * clamped into [min, max]. At least p % of the samples are <= the result, and
 * the result is within 1/128 above the exact k-th smallest value. p <= 0 (and
 * NaN) returns hist_min(), p >= 100 returns hist_max(), both exact. When the
 * k-th sample is an overflow sample, returns hist_max(). 0 when empty.
 * O(number of buckets), about 5 us; call it after the run, not per sample. */
uint64_t hist_percentile(const struct hist *h, double p);

/* Calls fn for each non-empty bucket in increasing order of value, with the
 * bucket's bounds [lo, hi) and its count; for CDF export. Overflow samples
 * are not visited (their number is hist_overflow()). fn must not modify h. */
void hist_foreach(const struct hist *h, hist_bucket_fn *fn, void *arg);

/* Writes h as one JSON object {"count", "min", "mean", "stddev", "p50",
 * "p90", "p99", "p99_9", "max"}, every value but count divided by `scale`
 * (1000 turns ns into us), with no trailing newline. */
void hist_write_json(const struct hist *h, FILE *f, double scale);

/* Bytes one histogram occupies, for docs and benchmarks. */
size_t hist_memory(void);

#endif
