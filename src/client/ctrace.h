/* ctrace.h -- the client's side of tracing (docs/tracing.md): the
 * head-based sampling decision per request, the trace context it carries,
 * and its CLIENT span, the root of its trace.
 *
 * Contract: one struct ctrace per client thread when --trace-sample is
 * above 0. ctrace_sample() decides for request seq (with the ring's own
 * generator, so sampling never changes the workload's random draws) and,
 * when sampled, fills the context the request carries: a new trace id and
 * the id of the request's CLIENT span as its parent. Both ids are derived
 * from seq and per-thread random bases, so the client keeps one bit per
 * outstanding request, not its ids. ctrace_end() records the span once the
 * request is accounted for (reply, error, timeout, lost connection).
 * Threads: a ctrace belongs to its client thread. */
#ifndef MW_CLIENT_CTRACE_H
#define MW_CLIENT_CTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "proto/wire.h"
#include "trace/span.h"
#include "util/err.h"

struct ctrace {
	struct trace_ring *ring;   /* NULL: sample and propagate, record nothing */
	struct trace_ring own;     /* the generator when there is no ring to record into */
	double p;                  /* sampling probability */
	uint8_t base_tid[16];
	uint64_t base_sid;
	char name[TRACE_NAME_LEN]; /* the route, or "request" */
	bool route;
	char peer[TRACE_STR_LEN];  /* the target's address */
	int port;
};

void ctrace_init(struct ctrace *t, struct trace_ring *ring, double p, const char *route,
		 const struct sockaddr *to);
void ctrace_free(struct ctrace *t);

/* True when request seq is sampled; *out is then its context. */
bool ctrace_sample(struct ctrace *t, uint64_t seq, struct wire_trace *out);

/* A client run's tracing: the exporter (--trace-out, --otlp-endpoint; none:
 * requests are sampled and carry their context, nothing is recorded) and
 * one ctrace per thread. */
struct ctrace_run;
struct trace_export_stats;

struct ctrace_run_config {
	double p;
	const char *path, *endpoint, *service, *route;
	const struct sockaddr *to;
	int threads;
};

int ctrace_run_open(const struct ctrace_run_config *c, struct ctrace_run **out, struct err *e);
struct ctrace *ctrace_run_thread(struct ctrace_run *r, int i);
/* After the threads: drains, closes, fills st (recording: true), frees r. */
bool ctrace_run_close(struct ctrace_run *r, struct trace_export_stats *st);

/* Request seq (sampled) ended: ok, or failed with why (a status word or the
 * error text). */
void ctrace_end(struct ctrace *t, uint64_t seq, int64_t sent, int64_t now, uint64_t req_bytes,
		bool ok, const char *why);

#endif
