/* summary.h -- one row of figures per client group (and for all groups
 * together), and the files that print them: summary.txt, summary.csv,
 * summary.json.
 *
 * Contract: a summary is built from groups' records with summary_add() and
 * closed with summary_finish(); its latency figures are exact, from the
 * sorted latencies of the ok requests (sample.h's nearest-rank
 * percentiles), so they may sit up to 0.79 % below the histogram figures a
 * run prints (hist.h rounds up). Failed requests (error, timeout, lost,
 * unsent) are counted, never turned into latencies. The rates are the
 * groups' own (summary.json), summed over groups for the overall row; NAN
 * when any group's is unknown (closed loop, or a bare CSV).
 * Ownership: summary_init() and summary_free() pair; a summary owns its
 * sorted latencies, which others may borrow (lat, n) until summary_free().
 * Threads: no shared state. Errors: writers return 0 or -errno from stdio. */
#ifndef MW_REPORT_SUMMARY_H
#define MW_REPORT_SUMMARY_H

#include <stdio.h>

#include "results/requests.h"
#include "report/results.h"

/* The percentiles every table shows, besides min, mean and max. */
#define SUMMARY_NPCT 4
extern const double summary_pcts[SUMMARY_NPCT];      /* 50, 90, 99, 99.9 */
extern const char *const summary_pct_names[SUMMARY_NPCT]; /* "p50", ..., "p99.9" */
extern const char *const summary_pct_keys[SUMMARY_NPCT];  /* "p50", ..., "p99_9" (JSON, CSV) */

struct summary {
	char *name;                 /* group name, or "all" */
	size_t groups;              /* groups added */
	size_t requests;            /* rows */
	size_t count[REC_NSTATUS];  /* rows per status */
	size_t failures;            /* rows not ok */
	size_t n;                   /* ok latencies */
	double *lat;                /* the ok latencies (us), sorted after summary_finish() */
	double mean, stddev;        /* of lat; 0 when n == 0 */
	double target_rate;         /* req/s asked for, NAN when unknown */
	double achieved_rate;       /* req/s sent, NAN when unknown */
	double duration_s;          /* first to last intended send of the requests sent, seconds */
};

void summary_init(struct summary *s, const char *name);
void summary_add(struct summary *s, const struct results_group *g);
void summary_finish(struct summary *s);
void summary_free(struct summary *s);

/* Percentile p (0..100) of the ok latencies; NAN when there are none. */
double summary_pct(const struct summary *s, double p);

/* Fills rows[0..ngroups) with one summary per group and rows[ngroups] with
 * all groups together ("all"); rows must hold ngroups + 1. */
void summary_build(const struct results *r, struct summary *rows);

/* summary.txt: a header naming the results, then one line per row (the
 * "all" row only when there are several groups). rows[nrows - 1] is "all". */
int summary_write_text(FILE *f, const struct results *r, const struct summary *rows, size_t nrows,
		       double warmup_us);
int summary_write_csv(FILE *f, const struct summary *rows, size_t nrows);
int summary_write_json(FILE *f, const struct results *r, const struct summary *rows, size_t nrows,
		       double warmup_us);

/* Writes one row as a JSON object (no trailing newline); also used by the
 * comparison. */
void summary_json_object(FILE *f, const struct summary *s);

#endif
