/* grid.h -- the report of a sweep (a directory with sweep.json, written by
 * `meshwalk run` for a scenario with a `sweep` key): one row per cell of the
 * parameter grid, plots of the figures across the grid, and a report of
 * each cell.
 *
 * Contract: grid_report() reads DIR/sweep.json and every cell's results
 * directory, takes the swept client group's requests (after the warm-up:
 * the sweep's own, unless opts->warmup_us is given), and writes into the
 * output directory grid.txt (also printed), grid.csv, plots (success rate,
 * mean, p99 and slowdown against the swept rate, or against compute when
 * the rate is not swept, one line per combination of the other parameters;
 * success rate, mean and p99 heatmaps per arrival when both rate and
 * compute are swept) and index.html. Each cell that has results also gets its own report
 * (report.h) in OUT/cells/CELL, beside the sweep's, so the results are not
 * written to. A cell that did not run, or left no records of the group, is
 * listed with its exit status and no figures; one whose requests all fall
 * inside the warm-up is listed as empty (a warning on stderr, not an error)
 * and left out of the plots, as is a plot without a single value.
 * Slowdown: a cell's mean latency divided by the mean latency of the cell
 * with the lowest swept rate among those with the same arrival and compute
 * (1 for that cell itself; without a swept rate every cell is its own
 * baseline). It shows how much load alone costs.
 * Ownership: borrowed arguments. Threads: see gnuplot.h.
 * Errors: 0, or -EINVAL with a message in *e (sweep.json unreadable or not a
 * sweep, a cell's CSV broken, a file that cannot be written). */
#ifndef MW_REPORT_GRID_H
#define MW_REPORT_GRID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/err.h"

struct grid_opts {
	const char *out_dir; /* required */
	double warmup_us;    /* < 0: the sweep's own warm-up */
	size_t bins;         /* for the cells' reports; 0 = automatic */
	bool plots;          /* run gnuplot */
};

/* true when dir holds a sweep.json. */
bool grid_is_sweep(const char *dir);

int grid_report(const char *dir, const struct grid_opts *o, struct err *e);

#endif
