/* spans.h -- the span model every trace reader fills, and the assembler that
 * groups spans into traces with parent/child indexes.
 *
 * Model: a span is one timed operation of one service (Jaeger span, Zipkin
 * span or half of a shared one, OTLP span, one side of an Alibaba call). Its
 * service, operation and peer service are ids in the import's string table;
 * times are ns (start: since the epoch, or since the trace set's origin for
 * Alibaba); sizes are bytes, -1 when the trace does not carry them.
 *
 * Contract: readers call import_add() once per span, with strings borrowed
 * for the call, and may call import_flush_trace() when their format says a
 * trace is complete (a Jaeger trace object). Spans are grouped by trace id
 * into open traces; a trace is finished when flushed, at import_finish(), or
 * when the open spans exceed max_open_spans (the trace that has gone longest
 * without a new span goes first: that is the memory bound, see
 * docs/import.md; such a trace is `evicted`, and when spans of it come later
 * they form a trace marked `tail`, counted as split). Finishing resolves parents
 * (and counts every rule applied in struct import_stats), then hands the
 * trace to the consumer, which may read it only during the call.
 * Messy input is kept and flagged, never dropped:
 *   - a parent id not in the trace: SPAN_F_ORPHAN, the span becomes a root;
 *   - starts before its parent / ends after it: SPAN_F_EARLY / SPAN_F_LATE_END
 *     (clock skew, or a fire-and-forget call outliving its parent);
 *   - no timestamp: SPAN_F_NO_TIME (start and duration 0);
 *   - a span id seen twice: a caller (client, producer) and a callee (server,
 *     consumer, or "shared") under one id are the two sides of one call, as
 *     Zipkin's shared spans and Alibaba's rows are: caller -> callee
 *     (SPAN_F_SHARED on the callee; children of the id attach to it); any
 *     other repeat is SPAN_F_DUP_ID, and children attach to the first;
 *   - a parent chain that loops: SPAN_F_CYCLE, the span where the loop was
 *     found becomes a root;
 *   - a FOLLOWS_FROM parent: SPAN_F_FOLLOWS (a parent all the same).
 * Ownership: the import owns traces and names; import_free() releases all.
 * Threads: one thread. Errors: import_add() returns -EINVAL with a message
 * for a span that cannot be placed (no trace id or span id). */
#ifndef MW_IMPORT_SPANS_H
#define MW_IMPORT_SPANS_H

#include <stdbool.h>
#include <stdint.h>

#include "import/strmap.h"
#include "util/err.h"

#define SPAN_NONE UINT32_MAX
/* The attribute meshwalk's own spans carry the client's request id in (the
 * id of its per-request output lines), so a request can be found by it. */
#define SPAN_REQUEST_ID_ATTR "meshwalk.request_id"
/* The attribute of meshwalk's COMPUTE and SLEEP spans: the time the op asked
 * for, ns (the span is the time it took: a preempted spin or a late timer
 * wake-up ends it later). */
#define SPAN_ASKED_ATTR "meshwalk.duration_ns"
/* The attribute of meshwalk's COMPUTE spans with a working set: its bytes. */
#define SPAN_WSET_ATTR "meshwalk.working_set"
/* The attributes of meshwalk's LOAD and STORE spans: the offset asked for
 * (-1: the node's next), bytes, and a STORE's sync policy (0 nosync, 1 sync,
 * 2 psync: enum wire_sync). */
#define SPAN_OFFSET_ATTR "meshwalk.offset"
#define SPAN_OFFSET_NONE (-2) /* no SPAN_OFFSET_ATTR */
#define SPAN_SIZE_ATTR "meshwalk.size"
#define SPAN_SYNC_ATTR "meshwalk.sync"
/* Default bound on the spans of traces not yet finished (about 300 bytes
 * each with ids and slack, measured: ~150 MB at this bound). */
#define IMPORT_DEFAULT_MAX_OPEN_SPANS 500000
#define IMPORT_EVICTED_IDS 65536

enum span_kind {
	SPAN_KIND_UNSET,
	SPAN_KIND_INTERNAL,
	SPAN_KIND_SERVER,
	SPAN_KIND_CLIENT,
	SPAN_KIND_PRODUCER,
	SPAN_KIND_CONSUMER,
};

enum span_status { SPAN_STATUS_UNSET, SPAN_STATUS_OK, SPAN_STATUS_ERROR };

enum span_ref { SPAN_REF_CHILD_OF, SPAN_REF_FOLLOWS_FROM, SPAN_REF_LINK };

enum span_flag {
	SPAN_F_ORPHAN = 1 << 0,
	SPAN_F_EARLY = 1 << 1,
	SPAN_F_LATE_END = 1 << 2,
	SPAN_F_NO_TIME = 1 << 3,
	SPAN_F_DUP_ID = 1 << 4,
	SPAN_F_SHARED = 1 << 5,
	SPAN_F_FOLLOWS = 1 << 6,
	SPAN_F_CYCLE = 1 << 7,
	SPAN_F_MESHWALK = 1 << 8, /* recorded by meshwalk (telemetry.sdk.name): not a messy-input flag */
};

/* A reference beyond the parent (Jaeger references, OTLP links). */
struct span_ref_in {
	const char *trace_id; /* NULL: the span's own trace */
	const char *span_id;
	enum span_ref type;
};

/* What a reader hands to import_add(); strings borrowed for the call. */
struct span_in {
	const char *trace_id, *id;
	const char *parent_id; /* NULL or "": a root */
	enum span_ref parent_type;
	const struct span_ref_in *refs;
	uint32_t nrefs;
	const char *service, *operation; /* NULL or "": "?" */
	const char *peer_service;        /* NULL: unknown */
	const char *host;                /* host.name (whose clock), NULL: unknown */
	enum span_kind kind;
	bool has_time;
	int64_t start_ns, dur_ns;
	enum span_status status;
	int64_t req_bytes, resp_bytes; /* -1: unknown */
	int64_t request_id;            /* SPAN_REQUEST_ID_ATTR, -1: none */
	int64_t asked_ns;              /* SPAN_ASKED_ATTR, -1: none */
	uint32_t wset;                 /* SPAN_WSET_ATTR, 0: none */
	int64_t op_offset;             /* SPAN_OFFSET_ATTR, SPAN_OFFSET_NONE: none */
	int64_t op_size;               /* SPAN_SIZE_ATTR, -1: none */
	int8_t op_sync;                /* SPAN_SYNC_ATTR, -1: none */
	bool shared;                   /* Zipkin "shared": the server half of a client's id */
	bool meshwalk;                 /* recorded by meshwalk (OTLP telemetry.sdk.name) */
	uint64_t pos;                  /* line (CSV) or byte offset (JSON) it was read at */
};

/* span_in with every optional field at "unknown". */
void span_in_init(struct span_in *in);

struct span_link {
	char *trace_id; /* NULL: same trace */
	char *span_id;
	enum span_ref type;
};

struct span {
	char *id, *parent_id; /* parent_id NULL for a root; one allocation */
	uint32_t service, operation, peer_service; /* name ids; peer_service SPAN_NONE */
	uint32_t host;                             /* name id, SPAN_NONE: unknown */
	uint8_t kind, status, parent_type;
	int8_t op_sync; /* SPAN_SYNC_ATTR, -1: none */
	uint16_t flags;
	int64_t start_ns, dur_ns;
	int64_t req_bytes, resp_bytes;
	int64_t request_id; /* -1: none */
	int64_t asked_ns;   /* SPAN_ASKED_ATTR, -1: none */
	uint32_t wset;      /* SPAN_WSET_ATTR, 0: none */
	int64_t op_offset;  /* SPAN_OFFSET_ATTR, SPAN_OFFSET_NONE: none */
	int64_t op_size;    /* SPAN_SIZE_ATTR, -1: none */
	uint32_t parent, first_child, next_sibling; /* indexes in the trace, SPAN_NONE */
	uint32_t nlinks;
	struct span_link *links;
	uint32_t file; /* index of the input file */
	uint64_t pos;
};

struct trace {
	char *id;
	struct span *spans;
	uint32_t n, cap;
	uint32_t *roots; /* spans without a parent in the trace, by start time */
	uint32_t nroots;
	bool evicted; /* finished by the span bound: later spans may follow */
	bool tail;    /* spans of a trace that the span bound had already finished */
	struct trace *older, *newer;
};

struct import_stats {
	uint64_t spans, traces, roots, orphans, early, late_end, no_time, dup_ids, shared,
		follows, cycles, links, errors, files;
	uint64_t evicted; /* traces finished by the span bound before the input ended */
	uint64_t split;   /* of those, traces whose later spans came after: split in two */
};

struct import;
typedef void (*import_trace_fn)(void *arg, const struct import *im, const struct trace *t);

struct import {
	struct strtab names;
	struct strmap open; /* trace id -> struct trace * */
	struct trace *oldest, *newest; /* by last span added */
	uint64_t open_spans, max_open_spans;
	/* ids of the traces last finished by the bound (a ring of at most
	 * IMPORT_EVICTED_IDS), to tell a split trace from a complete one */
	struct strmap evicted;
	char **ring;
	size_t ring_pos;
	import_trace_fn on_trace;
	void *arg;
	struct import_stats st;
	uint32_t file;
};

void import_init(struct import *im, uint64_t max_open_spans, import_trace_fn fn, void *arg);
void import_free(struct import *im);
int import_add(struct import *im, const struct span_in *in, struct err *e);
void import_flush_trace(struct import *im, const char *trace_id);
void import_finish(struct import *im);
const char *import_name(const struct import *im, uint32_t id);

const char *span_kind_name(enum span_kind k);
/* "client", "SPAN_KIND_CLIENT", "CLIENT", "2"-style names and numbers into a
 * kind; SPAN_KIND_UNSET when unknown. */
enum span_kind span_kind_parse(const char *s);

/* The span's local entry: walking up parents while the service stays the
 * same, the last span reached (the operation a route will be). */
uint32_t trace_local_entry(const struct trace *t, uint32_t i);

/* The clock offset of a call's far side (server, on its host's clock) to
 * its client span's clock, as NTP computes it from the four times: positive
 * when the server's clock is ahead. */
int64_t trace_call_offset(const struct span *client, const struct span *server);

/* A measured offset of host `to`'s clock to host `from`'s (name ids of the
 * trace's import); false when none is known. */
typedef bool (*trace_host_offset_fn)(void *arg, uint32_t from, uint32_t to, int64_t *offset_ns);

/* Clock skew between hosts, corrected as trace viewers do: shift[i] (ns,
 * n entries) moves span i and its subtree onto the root's clock. Only the
 * far side of a call (a span of another service under a CLIENT span) can
 * move:
 * - on two known hosts (host.name), by the hosts' offset from `offset`
 *   (NULL, or none known: by this call's own NTP estimate, which centres it
 *   in the client span, if no longer than it);
 * - on one host, or unknown: only when it does not fit in the client span
 *   though no longer than it (skew, not a call outliving its caller),
 *   centred (one host has one clock, but SDKs that anchor each process's
 *   own, as OpenTelemetry JS does, disagree by a little).
 * Every other span keeps its parent's shift (a call that outlives its
 * caller, fire and forget, stays so). Spans not reached from a root keep 0. */
void trace_skew_shifts(const struct trace *t, int64_t *shift, trace_host_offset_fn offset,
		       void *arg);

#endif
