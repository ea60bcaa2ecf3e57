/* span.h -- recorded spans and the per-thread buffers that hold them until
 * the exporter takes them (docs/tracing.md).
 *
 * Contract: a span is a fixed-size record (ids, kind, times, a name, a few
 * attributes from a fixed key table, one string attribute, a status). Each
 * recording thread (a node worker, a client thread) owns one trace_ring: a
 * bounded single-producer single-consumer queue. The producer claims a slot,
 * fills it in place and commits it; when the ring is full the span is
 * dropped and counted, so recording never blocks or allocates on the request
 * path. The exporter thread (trace/export.h) is the only consumer.
 * Times are CLOCK_MONOTONIC ns (util/clock.h); the exporter turns them into
 * unix ns with one offset per process.
 * Ids: random (xoshiro, seeded from getrandom) per ring, never zero.
 * Ownership: the exporter owns the rings; a ring's slots stay valid until
 * trace_export_stop().
 * Threads: claim/commit/new_id on the producer only; trace_ring_pop on the
 * consumer only; drops readable from any thread. */
#ifndef MW_TRACE_SPAN_H
#define MW_TRACE_SPAN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/rng.h"

/* OTLP's SpanKind values. */
enum trace_kind {
	TRACE_INTERNAL = 1,
	TRACE_SERVER = 2,
	TRACE_CLIENT = 3,
};

/* OTLP's StatusCode values. */
enum trace_status {
	TRACE_UNSET = 0,
	TRACE_OK = 1,
	TRACE_ERROR = 2,
};

/* Integer attributes: their OTLP keys are trace_attr_name(). */
enum trace_attr_key {
	TA_REQ_SIZE = 1,     /* rpc.request.size: request frame bytes */
	TA_RESP_SIZE,        /* rpc.response.size: reply frame bytes */
	TA_WIRE_STATUS,      /* meshwalk.status: the wire status (0 ok) */
	TA_NS,               /* meshwalk.duration_ns: COMPUTE / SLEEP asked for */
	TA_OFFSET,           /* meshwalk.offset: LOAD / STORE offset (-1: next) */
	TA_SIZE,             /* meshwalk.size: LOAD / STORE / file reply bytes */
	TA_SYNC,             /* meshwalk.sync: STORE sync policy */
	TA_TARGETS,          /* meshwalk.forward.targets */
	TA_NACK,             /* meshwalk.forward.acks_needed */
	TA_ACKED,            /* meshwalk.forward.acks_got */
	TA_ATTEMPT,          /* meshwalk.forward.attempt (0: the first) */
	TA_REQ_ID,           /* meshwalk.request_id: the client's sequence number */
	TA_PEER_PORT,        /* server.port */
	TA_WSET,             /* meshwalk.working_set: COMPUTE's ws= bytes (absent: none) */
	TA_KEY_MAX_,
};

/* What the string attribute is. */
enum trace_str_key {
	TS_NONE = 0,
	TS_ROUTE,            /* meshwalk.route */
	TS_PEER,             /* server.address (a forward's or the client's target) */
	TS_PROGRAM,          /* meshwalk.program: the op words */
};

#define TRACE_MAX_ATTRS 6
#define TRACE_NAME_LEN 48
#define TRACE_STR_LEN 72
#define TRACE_MSG_LEN 96
#define TRACE_STATE_MAX 512 /* W3C tracestate's bound (WIRE_TRACESTATE_MAX) */

struct trace_span {
	uint8_t trace_id[16];
	uint8_t span_id[8];
	uint8_t parent_id[8];       /* all zero: a root */
	uint8_t kind;               /* enum trace_kind */
	uint8_t status;             /* enum trace_status */
	uint8_t nattr;
	uint8_t str_key;            /* enum trace_str_key */
	int64_t start_ns, end_ns;   /* CLOCK_MONOTONIC */
	struct { uint8_t key; int64_t val; } attr[TRACE_MAX_ATTRS];
	char name[TRACE_NAME_LEN];
	char str[TRACE_STR_LEN];    /* the string attribute's value */
	char msg[TRACE_MSG_LEN];    /* status message, "" when none */
	/* The W3C tracestate the request came with (its SERVER span), or NULL:
	 * state_len bytes in the ring's side store, then the exporter's. */
	const char *state;
	uint16_t state_len;
};

struct trace_ring {
	struct trace_span *slots;
	uint32_t mask;
	_Atomic uint64_t head;      /* next slot the producer fills */
	_Atomic uint64_t tail;      /* next slot the consumer reads */
	_Atomic uint64_t drops;     /* spans lost to a full ring */
	uint64_t recorded;          /* producer's count of committed spans */
	char (*states)[TRACE_STATE_MAX]; /* tracestates by slot; allocated on first use */
	struct rng ids;             /* the producer's id generator */
};

/* A free slot to fill, or NULL (counted as a drop) when the ring is full. */
static inline struct trace_span *trace_ring_claim(struct trace_ring *r)
{
	uint64_t h = atomic_load_explicit(&r->head, memory_order_relaxed);

	if (h - atomic_load_explicit(&r->tail, memory_order_acquire) > r->mask) {
		atomic_fetch_add_explicit(&r->drops, 1, memory_order_relaxed);
		return NULL;
	}
	struct trace_span *s = &r->slots[h & r->mask];
	s->nattr = 0;
	s->str_key = TS_NONE;
	s->str[0] = s->msg[0] = '\0';
	s->status = TRACE_UNSET;
	s->state = NULL;
	s->state_len = 0;
	return s;
}

/* Producer: gives claimed span s the tracestate st (len bytes, at most
 * TRACE_STATE_MAX). The side store is allocated the first time (a run
 * without tracestates never pays for it). */
void trace_span_state(struct trace_ring *r, struct trace_span *s, const uint8_t *st, size_t len);

/* Publishes the slot trace_ring_claim() returned. */
static inline void trace_ring_commit(struct trace_ring *r)
{
	r->recorded++;
	atomic_store_explicit(&r->head, atomic_load_explicit(&r->head, memory_order_relaxed) + 1,
			      memory_order_release);
}

/* Consumer: the oldest committed span, or NULL; trace_ring_done() frees it. */
struct trace_span *trace_ring_peek(struct trace_ring *r);
void trace_ring_done(struct trace_ring *r);

void trace_ring_init(struct trace_ring *r, uint32_t slots_pow2, uint64_t stream);
void trace_ring_free(struct trace_ring *r);

/* A new random id of n bytes (8 or 16), never all zero. */
void trace_new_id(struct trace_ring *r, uint8_t *out, unsigned n);

/* Appends an integer attribute (ignored beyond TRACE_MAX_ATTRS). */
static inline void trace_attr(struct trace_span *s, enum trace_attr_key k, int64_t v)
{
	if (s->nattr < TRACE_MAX_ATTRS) {
		s->attr[s->nattr].key = (uint8_t)k;
		s->attr[s->nattr].val = v;
		s->nattr++;
	}
}

/* Sets the string attribute / the name / the status message (truncated). */
void trace_str(struct trace_span *s, enum trace_str_key k, const char *v, size_t len);
void trace_name(struct trace_span *s, const char *name, size_t len);
void trace_error(struct trace_span *s, const char *msg, size_t len);

const char *trace_attr_name(unsigned key);
const char *trace_str_name(unsigned key);

/* Hex (lowercase) of n bytes into out (2n + 1 bytes). */
void trace_hex(const uint8_t *id, unsigned n, char *out);
/* Parses exactly 2n hex digits; false when not hex or all zero. */
bool trace_unhex(const char *s, size_t len, uint8_t *out, unsigned n);

/* The head-based decision: true with probability p (0..1) from the ring's
 * generator (not the workload's, so sampling never changes a run's draws). */
bool trace_sample(struct trace_ring *r, double p);

#endif
