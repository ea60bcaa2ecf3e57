/* trace_opts.h -- the options `meshwalk import` and `meshwalk validate`
 * share: how traces are read (--format, --max-open-spans) and how the model
 * is fitted (--overlap-tolerance, --max-plans), so that validate fits the
 * very model the import wrote a scenario from.
 * Contract: the option ids are TRACE_O_*; each command lists its own rows
 * (help texts differ) and hands these ids to trace_opt(). Threads: any.
 * Errors: trace_opt() prints a usage error and returns 2. */
#ifndef MW_CLI_TRACE_OPTS_H
#define MW_CLI_TRACE_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	TRACE_O_FORMAT = 0x2000,
	TRACE_O_MAX_OPEN,
	TRACE_O_TOLERANCE,
	TRACE_O_MAX_PLANS,
};

struct trace_opts {
	const char *format;          /* "auto" or a reader's name */
	unsigned long long max_open; /* --max-open-spans */
	uint64_t tolerance_ns;       /* --overlap-tolerance */
	uint32_t max_plans;          /* --max-plans */
};

void trace_opts_init(struct trace_opts *t);
/* 0 when opt (one of TRACE_O_*) took arg, 2 after a usage error. */
int trace_opt(struct trace_opts *t, int opt, const char *arg);
/* The span files files[0..n) (n >= 1) fitted together as traces are, with
 * t's options, into f: 0, or 1 after printing why, prefixed by who. */
struct fit;
int trace_fit_files(const char *const *files, size_t n, const struct trace_opts *t, struct fit *f,
		    const char *who);
/* The spans a traced run left in its results directory dir
 * (traces.otlp.jsonl), fitted as traces are with t's options into f;
 * *path: where they were looked for (the caller frees it), *have false when
 * the run left none. 0, or 1 after printing why they could not be read. */
int trace_fit_results(const char *dir, const struct trace_opts *t, struct fit *f, char **path,
		      bool *have);

#endif
