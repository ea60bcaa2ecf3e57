/* model.h -- the model `meshwalk import` fits to traces: per service and
 * operation (a route), the execution plans observed, with their weights,
 * stages and timing; per service pair, the network time of calls; the entry
 * operations' mix and arrival rate. The scenario writer (import/writer.h)
 * and the fidelity report (import/validate.h) read it.
 *
 * Derivation, per execution (a span whose parent is in another service, or
 * none: the local entry of a service, see docs/import.md):
 *   - its local spans: the entry and the same-service spans below it;
 *   - its calls: each child of a local span that is in another service (the
 *     callee's entry), timed by the caller's client span when there is one
 *     (network time = client span - server span, per service pair) and by the
 *     callee's span otherwise; a client or producer span no service answered
 *     is a call to a leaf route (the peer service, or SERVICE-ext when the
 *     trace does not name it) whose time is the client span's;
 *   - calls sorted by start form concurrent groups: a call overlapping the
 *     group so far by more than min(tolerance, half its own duration, half
 *     the group's) joins it, otherwise it starts the next sequential group
 *     (timestamps of 1 ms resolution make sequential calls seem to overlap);
 *   - the stages: compute segments (the gaps before, between and after the
 *     groups: the self time) and the groups; the plan is the sequence of
 *     groups, each the sorted multiset of callee routes: repeats and
 *     alternatives are plans of their own, so the plan weights carry the
 *     joint probability of calls, repeat counts and mutually exclusive
 *     callees, and each plan keeps its own segment distributions (a slow path
 *     stays slow);
 *   - starts stamped to the millisecond (the OpenTelemetry JS SDK's
 *     Date.now(); durations are finer): a segment from a call's end to the
 *     next start is off by the difference of two stamps' rounding, up to
 *     +-1 ms. Clipping each at 0 would add ~0.17 ms to every short gap, so
 *     of such executions (`coarse`) the segments are kept signed, and the
 *     writer keeps their mean and takes the stamps' noise (variance 1/6
 *     ms^2) out of their spread before it clips;
 *   - of an execution meshwalk recorded itself, whose op spans say what
 *     each part of a segment was: the segment is its COMPUTE spans' time,
 *     its waits (SLEEP, LOAD, STORE, READ spans: the worker off the CPU)
 *     are kept apart (`wait`), so the clone waits there instead of burning
 *     a CPU the original left free, and the rest (meshwalk's own engine:
 *     parsing, replies, recording) is not kept: the clone pays it again.
 * Distributions are reservoirs of at most MODEL_RESERVOIR samples (seeded,
 * so the same input fits the same model; the entries' end-to-end latencies
 * MODEL_ROOT_RESERVOIR); per operation at most
 * MODEL_MAX_PLANS plans are tracked, later new plans are counted apart.
 * Memory grows with routes, plans and service pairs, never with spans.
 * Executions whose entry or calls have no timestamps count for the
 * operation's totals but not for its plans (`untimed`).
 * Clocks: each trace's spans are put on its root's clock first
 * (clockalign_shifts(): with `clocks`, the hosts' offsets measured over the
 * whole input, which the caller sets after model_init(); without, each
 * call's own rules), so a callee on a skewed host is neither clipped to its
 * caller nor taken for a call outliving it; `aligned_calls` counts the
 * calls whose callee moved.
 * Contract: model_trace() is an import_trace_fn (arg: the model). Names are
 * copied into the model's own table. Ownership: model_free(). Threads: one.
 * Errors: none. */
#ifndef MW_IMPORT_MODEL_H
#define MW_IMPORT_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "import/clockalign.h"
#include "import/spans.h"
#include "import/strmap.h"
#include "spec/rng.h"

#define MODEL_RESERVOIR 1024
/* The entries' end-to-end latencies (root_dur) keep more: validate compares
 * them with every request of the clone's runs, so several runs of the
 * original pooled stay whole up to this many traces per entry. */
#define MODEL_ROOT_RESERVOIR 16384
#define MODEL_MAX_PLANS 32
/* Storage ops a segment may hold and still be emulated by the ops themselves. */
#define MODEL_MAX_STOR_OPS 4
/* Overlap tolerance for concurrency, ns (see above). */
#define MODEL_DEFAULT_TOLERANCE_NS 1000000

/* A uniform random sample of at most MODEL_RESERVOIR of the values seen. */
struct reservoir {
	double *v;
	uint32_t n;
	uint64_t seen;
	double sum; /* of every value seen */
};

/* The kinds of op spans meshwalk records that the fit tells apart. */
enum model_op { MOP_COMPUTE, MOP_SLEEP, MOP_LOAD, MOP_STORE, MOP_READ };

/* A segment's storage ops (LOAD, STORE) in meshwalk-recorded executions:
 * the same sequence every time (state STOR_SAME: kinds, sync policies,
 * sequential or at offsets; each op's sizes and offsets) or not (STOR_MIXED:
 * the clone waits their time instead). */
enum stor_state { STOR_UNSEEN, STOR_SAME, STOR_MIXED };
struct model_stor {
	uint8_t state; /* enum stor_state */
	uint8_t n;
	uint8_t kind[MODEL_MAX_STOR_OPS]; /* MOP_LOAD or MOP_STORE */
	int8_t sync[MODEL_MAX_STOR_OPS];  /* a STORE's policy (0 nosync, 1 sync, 2 psync) */
	bool at[MODEL_MAX_STOR_OPS];      /* at offsets of its own, not the node's next */
	struct reservoir size[MODEL_MAX_STOR_OPS];   /* bytes */
	struct reservoir offset[MODEL_MAX_STOR_OPS]; /* bytes, when at[] */
};

struct model_plan {
	uint32_t ngroups;
	uint32_t *gsize;     /* calls per group */
	uint32_t *calls;     /* callee route indexes, group after group, sorted in a group */
	bool *detached;      /* per call: it outlived its caller (fire and forget): a group alone */
	uint32_t ncalls;
	uint64_t count;
	struct reservoir *seg; /* ngroups + 1 compute segments, ns (meshwalk-recorded
				* executions: their COMPUTE spans' time) */
	struct reservoir *wait; /* per segment, of meshwalk-recorded executions: its time in
				 * SLEEP, LOAD, STORE and READ spans, ns (off CPU) */
	struct reservoir *wait_other; /* the same, SLEEP and READ only (when the
				       * storage ops are emulated as ops) */
	struct model_stor *stor;      /* per segment: its storage ops */
	struct reservoir dur;  /* the execution's duration, ns */
	uint64_t coarse;       /* of count, executions timed by millisecond start
				* stamps: their segments are kept signed (below) */
};

struct model_route {
	uint32_t svc, op; /* model name ids */
	bool leaf;        /* known only from client spans */
	uint64_t execs, errors, untimed, roots;
	uint64_t frag_roots; /* orphans: roots of trace fragments */
	uint64_t other;   /* timed executions of plans beyond MODEL_MAX_PLANS */
	uint64_t late_calls; /* calls ending after the execution (fire-and-forget?) */
	struct model_plan *plans;
	uint32_t nplans;
	struct reservoir req, resp; /* sizes, bytes */
	struct reservoir leaf_dur;  /* leaf: client span durations, ns */
	struct reservoir root_dur;  /* as a trace root: end-to-end durations, ns (at most
				     * MODEL_ROOT_RESERVOIR of them): a load generator's
				     * client span where one called it, else its own span */
	uint64_t roots_by_client;   /* of root_dur's, those a load generator's client span timed */
	struct reservoir entry_srv_dur; /* of those, the entry's own (server) span, ns: validate
					 * times the clone's entries as the original's are */
	struct reservoir self;      /* per timed execution: its self time (all segments), ns */
	uint32_t wset;              /* largest COMPUTE working set in meshwalk's spans, 0: none */
};

struct model_edge {
	uint32_t from, to; /* service name ids */
	uint64_t calls;
	uint64_t meshwalk_calls; /* of them, both spans recorded by meshwalk itself */
	uint64_t shorter;        /* of them, a client span shorter than its server span
				  * (skew, or a fire-and-forget call's span ending at the send) */
	struct reservoir net; /* client span - server span, ns */
	struct reservoir call; /* client span durations, ns (validate: a call's whole time) */
};

struct model {
	struct strtab names;
	struct strmap route_ix, plan_ix, edge_ix;
	struct model_route *routes;
	uint32_t nroutes, cap_routes;
	struct model_edge *edges;
	uint32_t nedges, cap_edges;
	uint64_t tolerance_ns;
	uint64_t roots, root_first_ns, root_last_ns; /* timed trace roots and their start times */
	uint64_t frags, frag_first_ns, frag_last_ns; /* timed roots of fragments (orphans) */
	uint64_t execs, untimed, other, late_calls, negative_net;
	uint64_t external_roots; /* root CLIENT spans of a load generator: not emulated */
	const struct clockalign *clocks; /* hosts' measured offsets, NULL: none (the caller's) */
	bool clocks_unaligned;           /* hosts' clocks differ, not applied (stdin read once) */
	uint64_t aligned_calls;          /* calls whose callee's clock was moved */
	uint64_t stor_mixed;             /* plan segments whose storage ops varied */
	uint64_t coarse_execs;           /* executions timed by millisecond start stamps */
	int64_t aligned_max_ns;          /* the largest such move, ns */
	struct rng rng; /* reservoir replacement choices */
	struct rng self_rng; /* the same for routes' self reservoirs */
	struct rng call_rng; /* and for edges' call reservoirs */
	/* scratch, reused per execution */
	uint32_t *stack;
	uint32_t cap_stack;
	int64_t *shift; /* the trace's clock shifts (trace_skew_shifts) */
	uint32_t cap_shift;
	struct model_call *calls;
	uint32_t cap_calls;
	struct model_wait *waits; /* the execution's op spans (COMPUTE; SLEEP, LOAD, STORE, READ) */
	uint32_t nwaits, cap_waits;
	bool known_ops;           /* the execution is meshwalk-recorded: its ops are known */
	bool coarse;              /* the execution's and its calls' starts are whole ms */
	uint32_t *key;
	uint32_t cap_key;
	int64_t *seg; /* an execution's segment times */
	uint32_t cap_seg;
};

void model_init(struct model *m, uint64_t tolerance_ns);
void model_free(struct model *m);
void model_trace(void *arg, const struct import *im, const struct trace *t);

const char *model_name(const struct model *m, uint32_t id);
/* Timed executions of a route (those its plans count). */
uint64_t model_route_timed(const struct model_route *r);

/* The entry operations are the trace roots' routes; when no trace has a
 * root (every span names a parent, found or not), the fragments' roots. */
bool model_entries_are_fragments(const struct model *m);
/* How often route r is an entry, in that sense. */
uint64_t model_entries(const struct model *m, const struct model_route *r);
/* Timed entries and the span of their start times, ns. */
void model_entry_times(const struct model *m, uint64_t *n, uint64_t *span_ns);

void reservoir_add(struct reservoir *r, struct rng *g, double v);
/* The same, keeping at most cap values (a power of two). */
void reservoir_add_cap(struct reservoir *r, struct rng *g, double v, uint32_t cap);
/* The reservoir's values sorted (a copy the caller frees), *n of them. */
double *reservoir_sorted(const struct reservoir *r, uint32_t *n);
void reservoir_free(struct reservoir *r);

#endif
