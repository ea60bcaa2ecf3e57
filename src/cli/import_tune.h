/* import_tune.h -- `meshwalk import --tune ROUNDS`: Ditto's fine-tuning
 * step on this machine. Each round writes the scenario with the network
 * baseline so far, runs it traced (cmd_run_for(), trace_sample=1), fits the
 * clone's spans as validate does (trace_fit_results()), measures each call
 * edge's extra network time (validate_net()) and adds it to the baseline
 * (import/netbase.h); then the scenario is written to its path with the
 * baseline reached. Layers: cli composes run and import, as validate --run
 * does; import itself runs nothing.
 * Ownership: the caller's (base is updated in place). Threads: one.
 * Errors: an exit status (0; 1: a file or a run's results could not be
 * written or read; 2: a bad scenario; 130: interrupted), after a message. */
#ifndef MW_CLI_IMPORT_TUNE_H
#define MW_CLI_IMPORT_TUNE_H

#include "cli/trace_opts.h"
#include "import/fit.h"
#include "import/netbase.h"
#include "import/writer.h"

/* Writes the scenario of m to path ("-": standard output): 0 or 1 (a
 * message printed, no file left behind). cmd_import.c. */
int import_write(const struct model *m, const struct import *im, const struct writer_opts *w,
		 const char *path);

/* rounds rounds into dir (NULL: out".tune"), then out written; w's
 * net_base is set to base. */
int import_tune(const struct fit *fit, struct writer_opts *w, struct netbase *base,
		const struct trace_opts *to, unsigned rounds, const char *out, const char *dir);

#endif
