/* export.h -- a process's span exporter: the rings its threads record into,
 * and the background thread that writes their spans out (docs/tracing.md).
 *
 * Contract: trace_export_open() opens the output (an OTLP JSON file,
 * `--trace-out`, and/or an OTLP/HTTP endpoint, `--otlp-endpoint`) and makes
 * one ring per recording thread; trace_export_start() starts the exporter
 * thread, which drains every ring every 20 ms into lines of at most
 * TRACE_BATCH spans (trace/otlp.h), writes them to the file and POSTs them to
 * the endpoint (application/json; a failed or refused POST loses that batch,
 * counted). Nothing waits on the exporter: a thread whose ring is full drops
 * the span and counts it (a slow endpoint shows up as drops, never as
 * latency). trace_export_stop() drains what is left, closes, and returns the
 * counts.
 * Ownership: the exporter owns its rings and copies the config's strings.
 * Threads: open/start/stop from one thread; ring i used by one producer;
 * trace_export_drops() from any thread.
 * Errors: trace_export_open() returns -errno with a message (file cannot be
 * created, endpoint not http://HOST:PORT/PATH). */
#ifndef MW_TRACE_EXPORT_H
#define MW_TRACE_EXPORT_H

#include <stdint.h>

#include "trace/span.h"
#include "util/err.h"

#define TRACE_BATCH 256
#define TRACE_RING_SLOTS 4096

struct trace_export_config {
	const char *path;      /* OTLP JSON lines file, or NULL */
	const char *endpoint;  /* http://HOST:PORT/PATH for OTLP/HTTP JSON, or NULL */
	const char *service;   /* service.name of every span */
	const char *instance;  /* service.instance.id, or NULL */
	uint32_t ring_slots;   /* per ring, a power of two; 0: TRACE_RING_SLOTS */
};

struct trace_export_stats {
	uint64_t recorded;     /* spans committed to the rings */
	uint64_t dropped;      /* spans lost to a full ring */
	uint64_t exported;     /* spans written (file) or accepted (endpoint) */
	uint64_t post_failed;  /* spans of batches the endpoint did not accept */
};

struct trace_export;

/* Checks an --otlp-endpoint URL: http://HOST:PORT/PATH. */
int trace_endpoint_check(const char *url, struct err *e);

int trace_export_open(const struct trace_export_config *c, int nrings, struct trace_export **out,
		      struct err *e);
struct trace_ring *trace_export_ring(struct trace_export *x, int i);
int trace_export_start(struct trace_export *x, struct err *e);
/* Drains, closes and frees x; fills st (may be NULL). */
void trace_export_stop(struct trace_export *x, struct trace_export_stats *st);
uint64_t trace_export_drops(const struct trace_export *x);

/* CLOCK_REALTIME - CLOCK_MONOTONIC in ns, read back to back (the offset that
 * turns recorded times into unix ns). */
int64_t trace_unix_offset(void);

#endif
