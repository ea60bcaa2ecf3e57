/* traceview.h -- the report's trace view: picked traces as Gantt charts with
 * TraVista's three kinds of context, and the critical-path breakdown.
 *
 * Contract: traceview_tables() writes trace-exemplars.csv and
 * critical-path.csv into the report directory (docs/report.md lists their
 * columns); traceview_html() writes the "Traces" section of index.html: per
 * picked trace an inline SVG Gantt chart with one bar (class "span-bar") per
 * span in call order (children by start time under their parent), each bar
 * over its operation's p5..p95 duration band with a tick at the median
 * (metric context: where this span falls among its operation's spans, its
 * percentile rank in the bar's label), bars on the critical path outlined;
 * a latency-over-time scatter of all traces with this one marked (temporal
 * context); how common its call-graph shape is and how it differs from the
 * most common shape (structure context). Then, per entry operation, which
 * service and operation the p50 and p99 bands' latency went to.
 * All names are HTML-escaped. Ownership: the traceset is borrowed.
 * Threads: no shared state. Errors: traceview_tables() returns 0 or -EINVAL
 * with "PATH: reason"; traceview_html() writes to f and reports nothing
 * (the caller checks ferror). */
#ifndef MW_REPORT_TRACEVIEW_H
#define MW_REPORT_TRACEVIEW_H

#include <stdio.h>

#include "report/traceset.h"
#include "util/err.h"

int traceview_tables(const char *dir, const struct traceset *ts, struct err *e);
void traceview_html(FILE *f, const struct traceset *ts);

#endif
