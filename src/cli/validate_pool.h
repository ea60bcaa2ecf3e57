/* validate_pool.h -- the clone's side of `meshwalk validate`: one or
 * several results directories of the clone's runs, pooled into the one
 * struct validate_clone the report reads (import/validate.h).
 *
 * Pooling is exact: per client group (matched by name across the runs) its
 * successful requests' latencies are concatenated and its sent requests
 * added; per service the requests its replicas served (nodes/NAME-i/
 * stats.json) added over the runs (unknown, NAN, when one run has no
 * stats.json for it); the spans of every run that was traced (its
 * traces.otlp.jsonl) are fitted together as one input, as the original's
 * TRACES files are, so the per-operation and per-edge tables count every
 * execution and call of them. A run that was not traced adds no spans (the
 * report says how many runs' spans were pooled).
 * The clone's latency is taken from the request's actual send (recv - sent,
 * the span a traced client records) when its requests.csv has sent_us, not
 * from the intended send: the client's own send lag is the load generator's,
 * not the application's, and the original's traces do not hold it either.
 * Ownership: validate_pool_free() releases everything validate_pool_load()
 * made (also after a failure). Threads: one. Errors: 1 with a message logged
 * (a results directory or span file that cannot be read). */
#ifndef MW_CLI_VALIDATE_POOL_H
#define MW_CLI_VALIDATE_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/trace_opts.h"
#include "import/fit.h"
#include "import/model.h"
#include "import/validate.h"

struct validate_pool {
	struct validate_clone vc; /* what the report reads */
	struct fit spans;         /* the traced runs' spans, fitted together */
	bool have_spans;
	char **span_files;        /* each traced run's span file */
	size_t nspan_files;
	char *looked;             /* the first run's span file, looked for */
};

/* Reads the n results directories dirs[0..n) (what is named "--clone" in
 * messages: opt) for the model m of the original (its services, by the
 * scenario names the import wrote). 0, or 1 after logging why. */
int validate_pool_load(struct validate_pool *p, const char *const *dirs, size_t n,
		       const char *opt, const struct model *m, const struct trace_opts *to);
void validate_pool_free(struct validate_pool *p);

#endif
