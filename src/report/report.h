/* report.h -- `meshwalk report`: everything written for one set of results.
 *
 * Contract: report_write() turns loaded results into a report directory
 * (docs/report.md lists every file): summary.txt, summary.csv,
 * summary.json, the plot tables quantiles.csv, boxplot.csv and
 * timeline.csv, the plots under plots/ (unless opts->plots is false) and
 * index.html; with traces, trace-exemplars.csv, critical-path.csv and the
 * page's trace view (traceview.h). The directory is created when missing (its parent must
 * exist); files of an earlier report there are overwritten, so a report can
 * be remade after a change of options. Nothing is written into the results
 * themselves unless the report directory is inside them (the default).
 * When there is only one group, its figures are not repeated as "all".
 * A group without a request (all inside the warm-up) has its counts and no
 * plot: no timeline (gnuplot refuses a plot without a point).
 * Ownership: results are borrowed (and were trimmed by the caller for a
 * warm-up). Threads: see gnuplot.h (forks gnuplot).
 * Errors: 0, or -EINVAL with "PATH: reason" in *e. */
#ifndef MW_REPORT_REPORT_H
#define MW_REPORT_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "report/results.h"
#include "report/traceset.h"
#include "util/err.h"

struct report_opts {
	const char *out_dir; /* where to write; required */
	double warmup_us;    /* already applied to the results; recorded in the files */
	size_t bins;         /* timeline bins per group; 0 = automatic */
	bool plots;          /* run gnuplot */
	const struct traceset *traces; /* NULL, or the trace view's (traceview.h) */
};

int report_write(const struct results *r, const struct report_opts *o, struct err *e);

/* A report of traces alone (no client results): the trace view's tables
 * and an index.html holding only it. */
int report_write_traces(const struct traceset *ts, const char *out_dir, struct err *e);

#endif
