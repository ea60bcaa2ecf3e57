/* tables.h -- the CSV tables behind the plots: quantiles.csv, boxplot.csv
 * and timeline.csv (docs/report.md describes every column).
 *
 * Contract: each writer prints a header line and one row per point, with
 * latencies in microseconds ("%.3f", as requests.csv) and an empty field
 * where a value does not exist (a time bin without ok requests). Group
 * names are written as they are: meshwalk's names contain no commas.
 * quantiles.csv holds, per group, the exact nearest-rank latency at a fixed
 * set of levels (tables_levels()) chosen so that both the CDF (uniform in
 * the fraction) and the percentile spectrum (uniform in log 1/(1-p), out to
 * 1 - 1/N) are drawn from one table with a few hundred rows per group,
 * whatever the number of requests.
 * timeline.csv splits each group's schedule into equal time bins; a
 * request belongs to the bin of its intended send time (its latency) and to
 * the bin of its actual send time (the achieved rate).
 * Ownership: rows and results are borrowed. Threads: no shared state.
 * Errors: 0 or -EIO when the stream failed. */
#ifndef MW_REPORT_TABLES_H
#define MW_REPORT_TABLES_H

#include <stdio.h>

#include "report/results.h"
#include "report/summary.h"

/* The percentile levels (0..100, increasing, no duplicates) for a sample of
 * n values: every 0.25 %, plus 100 (1 - 10^(-k/50)) for k >= 1 while
 * 10^(k/50) <= n. Returns how many were written to levels (which must hold
 * TABLES_MAX_LEVELS). */
#define TABLES_MAX_LEVELS 1024
size_t tables_levels(size_t n, double *levels);

int tables_write_quantiles(FILE *f, const struct summary *rows, size_t nrows);
int tables_write_boxplot(FILE *f, const struct summary *rows, size_t nrows);

/* bins == 0 picks one bin per 100 requests, at most 200 and at least 10,
 * but never fewer than 5 requests per bin on average (so 1 bin below 10
 * requests). The bins span the schedule, one mean gap past the last intended
 * send, so a constant rate's target_rate is that rate. p99_few is 1 for a bin
 * whose p99 comes from fewer than TABLES_P99_MIN_SAMPLES ok requests (it is
 * then one of the bin's few largest latencies, not a tail estimate). */
#define TABLES_P99_MIN_SAMPLES 100
int tables_write_timeline(FILE *f, const struct results *r, size_t bins);

/* The bin count tables_write_timeline() uses for a group of n requests. */
size_t tables_bins(size_t n, size_t bins);

#endif
