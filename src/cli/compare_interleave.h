/* compare_interleave.h -- `meshwalk compare --interleave N A.yaml B.yaml`:
 * run two scenarios alternately in blocks and judge B/A by the pairs.
 *
 * Contract: compare_interleave() loads both scenarios (a sweep is refused),
 * makes the output directory (o->out_dir, which must not exist yet, or
 * results/compare-YYYYmmdd-HHMMSS[-N]) and runs 2n blocks in ABBA order
 * (a-1 b-1 b-2 a-2 a-3 b-3 ...), each a whole `meshwalk run` of its
 * scenario (run/run.h, in this process) into DIR/a-I or DIR/b-I. Each block's
 * ok latencies (every client group merged, or the group o->group names;
 * warmup_us trimmed as compare --warmup does) give its figures, pair I is
 * (a-I, b-I), and report/compare_paired.h gives the interval and verdict.
 * It prints the blocks, the figures and the verdict to stdout (unless
 * quiet) and writes the same text as DIR/compare.txt and DIR/compare.json
 * (docs/report.md, "Interleaved blocks"). No plot.
 * Ownership: borrows everything. Threads: single-threaded (run.h's signal
 * handling applies while a block runs).
 * Errors: returns the exit status: 0 after a verdict (in *verdict), 2 when a
 * scenario cannot be loaded or is a sweep, 1 when the directory cannot be
 * made, a block fails (its message and where its results are), a block's
 * results cannot be read or lack the group, 130 when a block is
 * interrupted. */
#ifndef MW_CLI_COMPARE_INTERLEAVE_H
#define MW_CLI_COMPARE_INTERLEAVE_H

#include <stdbool.h>

#include "report/compare.h"

int compare_interleave(const char *scen_a, const char *scen_b, unsigned n,
		       const struct compare_opts *o, double warmup_us, bool quiet,
		       enum compare_verdict *verdict);

#endif
