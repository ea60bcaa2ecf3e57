/* overview.h -- what an import read, aggregated trace by trace: services and
 * their operations, root operations, call edges between operations, and
 * client calls no instrumented service answered; printed by meshwalk import
 * --summary. Memory grows with the distinct names and edges, never with the
 * number of spans or traces.
 *
 * Call edges: a span whose parent is in another service is a call from the
 * parent's local entry operation (the operation of the first span of that
 * service up its parent chain: what a route will be) to the span's
 * operation. A client or producer span with no child in another service is
 * an uninstrumented call, to its peer service when the trace names it.
 * Contract: overview_trace() is an import_trace_fn (arg: the summary).
 * Ownership: overview_free(). Threads: one. Errors: none. */
#ifndef MW_IMPORT_OVERVIEW_H
#define MW_IMPORT_OVERVIEW_H

#include <stdio.h>

#include "import/spans.h"
#include "import/strmap.h"

struct overview {
	struct strmap counts; /* packed (kind, ids) -> count */
	uint64_t start_min, end_max; /* ns, over spans with times */
	bool have_time;
};

void overview_init(struct overview *s);
void overview_free(struct overview *s);
void overview_trace(void *arg, const struct import *im, const struct trace *t);
/* Prints the import's counts, warnings and the aggregates. */
void overview_print(const struct overview *s, const struct import *im, FILE *f);

#endif
