/* sweep.h -- `meshwalk run` of a scenario with a `sweep` key: one ordinary
 * run per cell of the parameter grid.
 *
 * Contract: run_sweep() creates the sweep's directory (the -o directory, or
 * results/NAME-YYYYmmdd-HHMMSS; it must not exist), then runs the cells one
 * after the other with run_scenario(), each into DIR/cells/NNN_PARAMS (a
 * complete results directory, docs/scenario.md), with the swept group's
 * arguments built by sweep_args() and every cell on the same seed (the
 * scenario's, or one drawn once), so cells differ only by their
 * parameters. Each cell's run.json lists its parameters among its overrides
 * ("sweep.rate=400"). DIR/sweep.json lists the grid and every cell's exit
 * status; it is written after each cell, so an interrupted sweep still
 * describes what ran. A failed cell does not stop the sweep; SIGINT/SIGTERM
 * does (after stopping that cell's processes). --timeout applies per cell.
 * Ownership: borrows the config and the scenario (which is not modified).
 * Threads: as run_scenario().
 * Errors: the exit status: 0 every cell succeeded, 1 a cell failed or the
 * directory could not be set up, 130 interrupted. */
#ifndef MW_RUN_SWEEP_H
#define MW_RUN_SWEEP_H

#include "run/run.h"
#include "scenario/scenario.h"

int run_sweep(const struct run_config *c, const struct scenario *s);

#endif
