/* otlp.h -- spans as OTLP JSON: one ExportTraceServiceRequest per line, as
 * the OpenTelemetry collector's file exporter writes it (docs/tracing.md).
 *
 * Contract: trace_otlp_line() writes one line: a resourceSpans entry for the
 * process (service.name and the resource attributes below), one scopeSpans
 * ("meshwalk"), the spans. Ids are lowercase hex (OTLP/JSON's rule, not
 * protobuf JSON's base64), times unix ns as decimal strings, kind and
 * status code as integers, integer attribute values as decimal strings
 * (protobuf JSON's int64). Monotonic span times become unix ns by adding
 * `offset_ns`.
 * Threads: stateless. Errors: none (the FILE's error flag). */
#ifndef MW_TRACE_OTLP_H
#define MW_TRACE_OTLP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "trace/span.h"

struct trace_resource {
	const char *service;   /* service.name */
	const char *instance;  /* service.instance.id, or NULL */
};

void trace_otlp_line(FILE *f, const struct trace_resource *res, const struct trace_span *spans,
		     size_t n, int64_t offset_ns);

#endif
