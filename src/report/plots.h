/* plots.h -- the report's plots as gnuplot scripts: latency CDF, percentile
 * spectrum, latency and rate over time, box plots per group, and the
 * comparison's two CDFs.
 *
 * Contract: each function writes DIR/plots/NAME.gp and runs it (see
 * gnuplot.h), producing DIR/plots/NAME.svg and .png. The data come from the
 * CSV tables of tables.h, already written in DIR; a plot selects its series
 * by the table's group column, so one table serves every series. Every axis
 * is labelled with its unit; latencies use a log axis where the caller says
 * they span a decade or more (plots_log_scale(); the CDF's script applies the
 * same rule to its table).
 * Ownership: all arguments are borrowed. Threads: see gnuplot.h.
 * Errors: 0, or -EINVAL with a message in *e (writing the script failed, or
 * gnuplot did). */
#ifndef MW_REPORT_PLOTS_H
#define MW_REPORT_PLOTS_H

#include <stdbool.h>
#include <stddef.h>

#include "report/summary.h"
#include "util/err.h"

struct plot_series {
	const char *group; /* value of the data table's group column */
	const char *label; /* legend text */
};

/* true when latencies from lo to hi span a decade or more (lo > 0). */
bool plots_log_scale(double lo, double hi);

/* Fraction of requests at or below each latency (log latency axis when they
 * span a decade, as plots_log_scale() says; linear otherwise), from a
 * quantiles table (group,percentile,latency_us). mark_us, unless NAN, draws a
 * dotted vertical line there (the comparison marks where the KS gap is). */
int plots_cdf(const char *dir, const char *name, const char *title, const char *table,
	      const struct plot_series *s, size_t n, double mark_us, struct err *e);

/* Latency against 1/(1-p) on a log axis labelled 50%, 90%, 99%, ...,
 * out to the largest sample count max_n, from the same table. */
int plots_spectrum(const char *dir, const char *name, const char *title, const char *table,
		   const struct plot_series *s, size_t n, size_t max_n, bool logy, struct err *e);

/* One group's timeline.csv rows: p50, p99 and max latency per bin on the
 * left axis, target and achieved rate on the right. Without latency (no ok
 * request) only the rates; without achieved (no sent_us) only the target. */
int plots_timeline(const char *dir, const char *name, const char *title, const char *group,
		   bool latency, bool achieved, bool logy, struct err *e);

/* boxplot.csv: per row a box p25..p75, whiskers at p1 and p99, a median
 * bar, the mean as a dot and the maximum as a cross. */
int plots_boxplot(const char *dir, const char *name, const char *title, const struct summary *rows,
		  size_t nrows, bool logy, struct err *e);

/* A sweep's figure (column ycol of grid.csv) against column xcol, one line
 * per value of grid.csv's series column (3), points joined in x order. A
 * linear y axis starts at 0 and ends at ymax (NAN: automatic). */
int plots_grid_lines(const char *dir, const char *name, const char *title, int xcol,
		     const char *xlabel, bool logx, int ycol, const char *ylabel, bool logy,
		     double ymax, const char *const *series, size_t n, struct err *e);

/* What a sweep's heatmap shows: a column of grid.csv (14 success rate, 15
 * mean, 17 p99), the colour bar's label, its scale: from 0 to 1 where high
 * is good (success rate, light at 1), or where high is bad (latencies) log
 * or linear (log when the values span a decade: plots_log_scale()), and the
 * gnuplot format of each cell's label. */
struct plot_heatmap_fig {
	int col;
	const char *cblabel;
	bool rate01;     /* 0..1, high is good */
	bool logcb;      /* else: a log colour scale */
	const char *fmt; /* e.g. "%.0f" */
};

/* A sweep's figure as coloured cells: rate index (grid.csv column 8)
 * across, compute index (9) up, for the rows whose arrival (5) is arrival;
 * xtics/ytics are the parameter values, each cell labelled with its value.
 * A cell without a value is left blank; labelled "empty" when its group had
 * no request after the warm-up (requests, column 11, is 0) if mark_empty. */
int plots_grid_heatmap(const char *dir, const char *name, const char *title, const char *arrival,
		       const char *const *rates, size_t nrates, const char *const *computes,
		       size_t ncomputes, const struct plot_heatmap_fig *fig, bool mark_empty,
		       struct err *e);

#endif
