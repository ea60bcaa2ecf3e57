/* sweep.h -- a scenario's `sweep` key: one run per point of a parameter grid.
 *
 * Contract: sweep_load() reads the value of the top-level `sweep` key
 * (docs/scenario.md, "Sweeps"):
 *   sweep:
 *     group: main              # the client group the parameters apply to (default: the first)
 *     rate: [200, 400, 800]    # requests/s per client thread
 *     arrival: [const, exp]    # constant spacing or Poisson (exponential gaps); needs rate
 *     compute: [100us, 300us]  # replaces the argument of the group's first -C
 *     warmup: 500ms            # what reports leave out at the start of each cell
 * Each of rate, arrival and compute is a value or a list; at least one is
 * required, and the grid (their product) has at most SWEEP_MAX_CELLS cells.
 * Cell i varies rate fastest, then compute, then arrival, so cells with
 * the same arrival and compute are consecutive and in the order of rate.
 * sweep_args() builds one cell's client arguments from the group's: rate
 * and arrival drop every -r/--rate and -p/--period of the group and add
 * `-r RATE` (const) or `-p exp:PERIODus` (exp); compute replaces the value
 * of the first -C/--comp-time. sweep_check() says, before anything runs,
 * whether the group exists and has a -C to replace.
 * Ownership: sweep_load() allocates *out (freed by sweep_free(), NULL is a
 * no-op); strings returned by sweep_cell_name() are the caller's to free.
 * Threads: not thread-safe, like the scenario.
 * Errors: 0 or -EINVAL with a message and the position in the file. */
#ifndef MW_SCENARIO_SWEEP_H
#define MW_SCENARIO_SWEEP_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "scenario/scenario.h"
#include "util/err.h"

#define SWEEP_MAX_CELLS 1000

enum sweep_arrival {
	SWEEP_CONST = 1,
	SWEEP_EXP,
};

struct scenario_sweep {
	char *group;                      /* client group, or NULL for the first */
	double *rates;                    /* req/s per thread, in file order */
	size_t nrates;                    /* 0: rate not swept */
	enum sweep_arrival *arrivals;
	size_t narrivals;                 /* 0: not swept (const when rates are) */
	char **computes;                  /* durations as written ("100us") */
	size_t ncomputes;                 /* 0: not swept */
	double warmup_us;                 /* 0 when not given */
	int line;                         /* where the key is */
};

/* One cell's parameters; a parameter that is not swept is NAN / 0 / NULL. */
struct sweep_cell {
	double rate;                      /* NAN when not swept */
	enum sweep_arrival arrival;       /* 0 when no rate */
	const char *compute;              /* NULL when not swept */
};

int sweep_load(yaml_document_t *doc, yaml_node_t *node, struct scenario_sweep **out,
	       struct err *e);
void sweep_free(struct scenario_sweep *sw);

size_t sweep_ncells(const struct scenario_sweep *sw);
void sweep_cell(const struct scenario_sweep *sw, size_t i, struct sweep_cell *out);

/* The group the sweep applies to (its index in s->clients), or -1. */
int sweep_group(const struct scenario *s, const struct scenario_sweep *sw);

/* 0, or -EINVAL with a message: the group does not exist, or compute is
 * swept and the group's args have no -C to replace. */
int sweep_check(const struct scenario *s, const struct scenario_sweep *sw, struct err *e);

/* Appends cell's client arguments, built from in, to out. */
void sweep_args(const struct scenario_sweep *sw, size_t cell, const struct scenario_argv *in,
		struct scenario_argv *out);

/* "rate=400,arrival=exp,compute=100us" (only the swept parameters). */
char *sweep_cell_name(const struct scenario_sweep *sw, size_t cell);

/* "const" or "exp". */
const char *sweep_arrival_name(enum sweep_arrival a);

#endif
