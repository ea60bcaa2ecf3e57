/* write_jaeger.h -- traces of the span model as a Jaeger JSON file, the
 * format the Jaeger UI loads ("JSON File" upload) and `meshwalk import`
 * reads back: {"data": [{"traceID", "spans": [...], "processes": {...}}]}.
 *
 * Contract: jaeger_out_trace() is an import consumer (import_trace_fn):
 * each finished trace becomes one element of "data", each of its services
 * on each host (span.host) a process p1, p2... with the host as its
 * "hostname" tag (the Jaeger clients' tag, which the reader takes back). Times are µs since the epoch (starts rounded down, ends
 * up, so a child stays inside its parent), span.kind,
 * error and the size attributes become tags, the parent a CHILD_OF
 * reference (FOLLOWS_FROM when it was one). What the model does not keep
 * (other attributes, events) is not written.
 * Ownership: the writer owns its FILE. Threads: one.
 * Errors: open and close return -errno with a message. */
#ifndef MW_IMPORT_WRITE_JAEGER_H
#define MW_IMPORT_WRITE_JAEGER_H

#include "import/spans.h"
#include "util/err.h"

struct jaeger_out;

int jaeger_out_open(const char *path, struct jaeger_out **out, struct err *e);
void jaeger_out_trace(void *arg, const struct import *im, const struct trace *t);
/* Ends the file; returns 0 or -errno (a write failed) with e filled. */
int jaeger_out_close(struct jaeger_out *j, struct err *e);

#endif
