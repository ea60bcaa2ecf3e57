/* run.h -- `meshwalk run`: execute a scenario on this machine.
 *
 * Contract: run_scenario() starts every replica of every service as a
 * `meshwalk node` process on 127.0.0.1 (ports picked by the kernel), waits
 * until each accepts connections, starts each client group as a
 * `meshwalk client` process at its delay (groups run concurrently), and when
 * the last client has exited stops the nodes so they write their counters.
 * Everything lands in one results directory (docs/results.md, "Results
 * directory"): the scenario as run, the command lines, run.json (seed,
 * version, host facts, addresses, exit statuses), per-group CSV and JSON, node
 * counters and logs, and summary.json whose percentiles come from merging
 * every group's per-request latencies into one histogram. A scenario with
 * TLS services also gets a throwaway CA and certificates in tls/, and its
 * processes verify each other against it (docs/tls.md, "Scenarios").
 * Every process it started is stopped before it returns: on success, on a
 * node that exits early (the run fails), on SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT (the run is interrupted) and on the optional overall timeout; if
 * the run is killed outright, the kernel sends them SIGTERM. Before it
 * starts, it removes what killed runs left, and it keeps a state file of
 * its own children meanwhile (run/leftovers.h). A client group that
 * fails does not stop the others; it makes the run's status 1.
 * Ownership: borrows the config and the scenario.
 * Threads: single-threaded; it blocks SIGINT, SIGTERM, SIGHUP, SIGQUIT and
 * SIGCHLD and ignores SIGPIPE while it runs, and restores both before
 * returning.
 * Errors: returns the exit status: 0 all groups succeeded, 1 a group or node
 * failed or setup failed (message on stderr), 130 interrupted. */
#ifndef MW_RUN_RUN_H
#define MW_RUN_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "scenario/scenario.h"

struct run_config {
	const char *out_dir;        /* NULL: results/NAME-YYYYmmdd-HHMMSS[-N] */
	const char *exe;            /* the meshwalk binary to run nodes and clients with */
	int64_t timeout_ns;         /* whole run; 0 = none */
	bool quiet;                 /* no progress lines */
	char *const *overrides;     /* the --set values, recorded in run.json */
	size_t noverrides;
	char *dir_out;              /* NULL, or gets the results directory made ... */
	size_t dir_out_len;         /* ... in this many bytes (meshwalk validate --run) */
};

int run_scenario(const struct run_config *c, const struct scenario *s);

/* Creates the results directory into dir (maxlen + 1 bytes): out_dir, which
 * must not exist yet, or results/NAME-YYYYmmdd-HHMMSS with -2, -3... appended
 * until one is new (so quick runs never collide). Parents are created. 0, or
 * -errno with the message printed. */
int run_make_dir(const char *out_dir, const char *name, char *dir, size_t maxlen);

#endif
