/* engine_trace.h -- the spans one request leaves on a node (docs/tracing.md):
 * a SERVER span for the visit, INTERNAL children for COMPUTE, SLEEP,
 * LOAD/STORE, each FORWARD's wait (with its quorum) and the REPLY, and a
 * CLIENT span per forward attempt and target, which is the parent the
 * forwarded request carries on. Span names come from the op table
 * (proto/ops.h: span, span_part); an op whose row names none leaves none.
 *
 * Contract: the engine keeps one struct etrace per task slot, allocated the
 * first time the slot runs a request that carries a trace context (so an
 * untraced node allocates nothing), and calls these functions only for such
 * requests. A request whose context is not sampled, or a node that does not
 * record (no ring), records nothing but still passes the context on
 * unchanged. Times are the engine's clock (CLOCK_MONOTONIC ns).
 * Threads: the engine's. */
#ifndef MW_EXEC_ENGINE_TRACE_H
#define MW_EXEC_ENGINE_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "proto/wire.h"
#include "trace/span.h"

#define ETRACE_MAX_BRANCH 64

struct etrace {
	bool rec;                       /* sampled and recorded here */
	uint8_t trace_id[16];
	uint8_t server_id[8];           /* this visit's SERVER span */
	uint8_t parent_id[8];           /* the caller's span */
	uint8_t flags;                  /* W3C trace-flags */
	uint16_t state_len;
	uint8_t state[WIRE_TRACESTATE_MAX];
	char name[TRACE_NAME_LEN];      /* the route, or "request" */
	bool route;
	int64_t start;                  /* the SERVER span's */
	uint64_t req_bytes;
	int64_t op_start;               /* the SLEEP / LOAD / STORE being waited for */
	uint64_t op_a, op_b;            /* its parameters */
	uint8_t op_code, op_flags;
	int64_t wait_start;             /* the FORWARD being waited for; 0: none */
	uint8_t wait_id[8];
	uint8_t fwd_id[ETRACE_MAX_BRANCH][8]; /* each target's CLIENT span, this attempt */
	int64_t fwd_start[ETRACE_MAX_BRANCH];
	uint64_t fwd_open;              /* targets whose CLIENT span is open */
};

/* A request starts with context ctx (route: the name it asked for, or NULL). */
void etrace_begin(struct etrace *t, struct trace_ring *r, const struct wire_trace *ctx,
		  const char *route, uint32_t route_len, uint64_t req_bytes, int64_t now);

/* The request is answered: the REPLY span [reply_start, now] (status ok
 * only) and the SERVER span; open forward spans end as abandoned. */
void etrace_end(struct etrace *t, struct trace_ring *r, uint16_t status, const char *text,
		uint64_t size, int64_t reply_start, int64_t now);

/* A COMPUTE (an op of code `code` that runs on the CPU) of `asked` ns, over
 * a working set of `wset` bytes (0: none), ran for `spent` ns, ending now. */
void etrace_compute(struct etrace *t, struct trace_ring *r, uint8_t code, uint64_t asked,
		    uint64_t wset, uint64_t spent, int64_t now);

/* A SLEEP, LOAD, STORE or file read starts / ends (status < 0: failed). */
void etrace_op_start(struct etrace *t, uint8_t code, uint8_t flags, uint64_t a, uint64_t b,
		     int64_t now);
void etrace_op_end(struct etrace *t, struct trace_ring *r, int status, const char *err,
		   int64_t now);

/* A FORWARD's wait starts / ends (acked of nack replies, ok or not). */
void etrace_wait_start(struct etrace *t, struct trace_ring *r, int64_t now);
void etrace_wait_end(struct etrace *t, struct trace_ring *r, uint32_t targets, uint32_t nack,
		     uint32_t acked, bool ok, int64_t now);

/* Target i's frame of this attempt is about to be sent: *out is the
 * context it carries (its parent: a new CLIENT span, or the caller's span
 * when not recording). */
void etrace_fwd_send(struct etrace *t, struct trace_ring *r, uint32_t i, struct wire_trace *out,
		     int64_t now);
/* Target i's attempt ended: status WIRE_OK, an error (text), or cancelled
 * (status < 0: its answer no longer counts). */
void etrace_fwd_end(struct etrace *t, struct trace_ring *r, uint32_t i,
		    const struct sockaddr *to, uint32_t attempt, int status, const char *text,
		    uint32_t text_len, int64_t now);

#endif
