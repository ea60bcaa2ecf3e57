/* html.h -- index.html: one self-contained page with a report's metadata,
 * tables and plots.
 *
 * Contract: the page needs no other file: every plot is embedded as inline
 * SVG (read from DIR/plots/NAME.svg), and the style sheet is inline. SVG
 * ids are prefixed per plot, because gnuplot names its markers the same in
 * every file and a page must not hold one id twice. A plot whose SVG is
 * missing is shown as a note instead (the page is still written, so a
 * report made with --no-plots has one too). All text from the results (names,
 * commands, the scenario) is HTML-escaped.
 * Ownership: everything is borrowed. Threads: no shared state.
 * Errors: 0, or -EINVAL with "PATH: reason" in *e. */
#ifndef MW_REPORT_HTML_H
#define MW_REPORT_HTML_H

#include <stddef.h>
#include <stdio.h>

#include "report/results.h"
#include "report/summary.h"
#include "report/traceset.h"
#include "util/err.h"

struct html_plot {
	const char *name;    /* plots/NAME.svg */
	const char *heading; /* the figure's heading */
	const char *caption; /* how to read it */
};

/* ts: NULL, or traces whose view (traceview.h) follows the plots. */
int html_write(const char *dir, const struct results *r, const struct summary *rows, size_t nrows,
	       const struct html_plot *plots, size_t nplots, double warmup_us,
	       const struct traceset *ts, struct err *e);
/* index.html with the trace view alone. */
int html_write_traces(const char *dir, const struct traceset *ts, struct err *e);

/* Writes s with &, <, >, " and ' escaped. */
void html_escape(FILE *f, const char *s);

/* Writes the SVG file at path into f as an inline <svg> element (XML
 * declaration and DOCTYPE dropped), prefixing every id and every reference
 * to one with prefix; an id defined twice in the file gets a "-dupN" suffix
 * on its later copies. Returns 0 or -errno when the file cannot be read. */
int html_inline_svg(FILE *f, const char *path, const char *prefix);

#endif
