/* gnuplot.h -- running gnuplot on a script, and writing the parts every
 * meshwalk plot script shares.
 *
 * Contract: plots are gnuplot scripts kept next to their images, so a user
 * can change a title or a range and rerun `gnuplot plots/NAME.gp` from the
 * report directory. Each script reads its data from CSV tables in that
 * directory and writes NAME.svg and NAME.png into plots/. gnuplot is an
 * external program (Debian package gnuplot-nox): gnuplot_available() says
 * whether `gnuplot` is on PATH, so a report can fail early with advice
 * instead of after writing half of its files.
 * Strings given to gnuplot_quote() become single-quoted gnuplot strings,
 * in which only ' needs escaping; terminals are set noenhanced, so '_' and
 * '^' in group names print as themselves.
 * Threads: gnuplot_run() forks; call it from one thread.
 * Errors: gnuplot_run() returns 0, or -EINVAL with the first line gnuplot
 * printed on stderr (or why it could not be started) in *e. */
#ifndef MW_REPORT_GNUPLOT_H
#define MW_REPORT_GNUPLOT_H

#include <stdbool.h>
#include <stdio.h>

#include "util/err.h"

bool gnuplot_available(void);

/* Runs `gnuplot plots/NAME.gp` with dir as its working directory; gnuplot's
 * output goes to dir/plots/NAME.log, removed when gnuplot succeeds. */
int gnuplot_run(const char *dir, const char *name, struct err *e);

/* Writes s as a single-quoted gnuplot string literal. */
void gnuplot_quote(FILE *f, const char *s);

/* The opening every script shares: CSV input, grid, fonts, and the SVG
 * terminal with plots/NAME.svg as output. Call gnuplot_finish() after the
 * plot command to write the PNG as well. */
void gnuplot_start(FILE *f, const char *name, const char *title);
void gnuplot_finish(FILE *f, const char *name);

#endif
