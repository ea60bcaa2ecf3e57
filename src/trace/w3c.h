/* w3c.h -- W3C Trace Context headers (traceparent, tracestate) to and from
 * the wire's trace context block (proto/wire.h), for the HTTP front ends and
 * HTTP forwards (docs/tracing.md).
 *
 * Contract: trace_traceparent_parse() accepts "VV-TRACEID-PARENTID-FF"
 * (lowercase hex; version 00, or a higher one whose first four fields have
 * that form, as the spec's forward compatibility asks; version ff, all-zero
 * ids, uppercase hex and wrong lengths are refused: the request is then not
 * part of a trace). trace_tracestate_take() keeps a tracestate of at most
 * WIRE_TRACESTATE_MAX printable bytes (else none: the spec lets a receiver
 * drop it). trace_traceparent_format() writes version 00.
 * Threads: stateless. */
#ifndef MW_TRACE_W3C_H
#define MW_TRACE_W3C_H

#include <stdbool.h>
#include <stddef.h>

#include "proto/http1.h"
#include "proto/wire.h"

#define TRACE_TRACEPARENT_LEN 55

bool trace_traceparent_parse(const char *v, size_t len, struct wire_trace *t);
/* Points t's tracestate at a copy of v in buf (WIRE_TRACESTATE_MAX bytes);
 * false (t has none) when v is longer or not printable. */
bool trace_tracestate_take(const char *v, size_t len, struct wire_trace *t, uint8_t *buf);
/* A request's context from its traceparent and tracestate fields (tp, ts;
 * p NULL: absent) and its path: true when tp is a valid traceparent, then in
 * *t (tracestate copied to state), and name gets the path without its '/'
 * ("request" for "/"), the SERVER span's name. The HTTP/1.1 front end finds
 * the two fields in its one pass over a head's fields, HTTP/2 in its own. */
bool trace_http_context(struct http1_span tp, struct http1_span ts, struct http1_span path,
			struct wire_trace *t, uint8_t *state, char *name, size_t name_cap);
/* TRACE_TRACEPARENT_LEN characters and a NUL. */
void trace_traceparent_format(const struct wire_trace *t, char out[TRACE_TRACEPARENT_LEN + 1]);

#endif
