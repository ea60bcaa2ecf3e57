/* otlp.h -- spans as OTLP JSON: one ExportTraceServiceRequest per line, as
 * the OpenTelemetry collector's file exporter writes it (docs/tracing.md).
 *
 * Contract: trace_otlp_line() appends one line to a text buffer: a
 * resourceSpans entry for the process (service.name and the resource
 * attributes below), one scopeSpans ("meshwalk"), the spans. Ids are
 * lowercase hex (OTLP/JSON's rule, not protobuf JSON's base64), times unix
 * ns as decimal strings, kind and status code as integers, integer attribute
 * values as decimal strings (protobuf JSON's int64). Monotonic span times
 * become unix ns by adding `offset_ns`. The text is built by hand, not
 * through stdio: a FILE (and open_memstream's above all) cost several times
 * the rest of a span's export.
 * Ownership: the buffer grows as needed (xrealloc); trace_text_free() frees.
 * Threads: one buffer per thread. Errors: none. */
#ifndef MW_TRACE_OTLP_H
#define MW_TRACE_OTLP_H

#include <stddef.h>
#include <stdint.h>

#include "trace/span.h"

struct trace_resource {
	const char *service;   /* service.name */
	const char *instance;  /* service.instance.id, or NULL */
	const char *host;      /* host.name: whose clock the times are on, or NULL */
};

struct trace_text {
	char *p;
	size_t len, cap;
};

void trace_text_free(struct trace_text *t);

void trace_otlp_line(struct trace_text *out, const struct trace_resource *res,
		     const struct trace_span *spans, size_t n, int64_t offset_ns);

#endif
