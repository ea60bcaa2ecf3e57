/* fit.h -- the model of a set of trace files with the hosts' clocks
 * aligned, for `meshwalk import -o` and `meshwalk validate` alike (the same
 * files fit the same model in both).
 *
 * The offsets between hosts are medians over every call between them
 * (import/clockalign.h), known only once the whole input was read; the
 * model aggregates each trace as it is read and forgets it (the memory
 * bound). So fit_read() reads the files once, measuring the clocks while it
 * fits the model with each call's own rules, and fit_align(), when two hosts
 * were measured, reads them again and fits the model anew with the offsets
 * applied. Traces of one host (every meshwalk run) or without hosts are read
 * once. Standard input cannot be read twice: its model stays as first
 * fitted, and `unaligned` says so.
 * Ownership: fit_free() releases the import, the model and the offsets; the
 * model points at the offsets (model.clocks): the struct fit must not move.
 * Threads: one. Errors: -EINVAL (or -errno) with "FILE:LINE: message". */
#ifndef MW_IMPORT_FIT_H
#define MW_IMPORT_FIT_H

#include <stdbool.h>
#include <stdint.h>

#include "import/clockalign.h"
#include "import/model.h"
#include "import/spans.h"
#include "util/err.h"

struct fit_opts {
	const char *format;    /* as import_file()'s; NULL: sniffed */
	uint64_t max_open;     /* the import's span bound */
	uint64_t tolerance_ns; /* the model's overlap tolerance */
	bool model;            /* fit a model (false: measure clocks and call `also` only) */
	import_trace_fn also;  /* NULL, or every trace of the first read too */
	void *also_arg;
};

struct fit {
	struct import im; /* the import the model was fitted through: stats, names */
	struct model model;
	struct clockalign clocks;
	int reads;      /* how often the files were read: 1, or 2 when aligned */
	bool unaligned; /* clocks differ, but standard input cannot be read again */
};

/* Reads files[0..n) once (used[i], when used is not NULL: the reader each
 * file used; NULL for a file not read). */
int fit_read(struct fit *f, const char *const *files, int n, const struct fit_opts *o,
	     const char **used, struct err *e);
/* Reads them again with the measured offsets when two hosts' clocks were
 * measured and a model is fitted; nothing otherwise. */
int fit_align(struct fit *f, const char *const *files, int n, const struct fit_opts *o,
	      struct err *e);
void fit_free(struct fit *f);

#endif
