/* traceset.h -- a trace file read for the report's trace view: the figures
 * every span is judged against, and the few traces shown whole.
 *
 * Contract: traceset_load() reads a trace file in any format `meshwalk
 * import` reads (meshwalk's own traces.otlp.jsonl, or a Jaeger, Zipkin, OTLP
 * or Alibaba export of a real application) twice, through import/: the first
 * pass keeps only small per-trace rows (entry operation, start, latency, call
 * graph shape) and per-operation duration histograms, so memory grows with the
 * number of traces and operations, never with their spans; the second pass
 * copies the picked traces whole and runs the critical path (critpath.h) of
 * every trace in the p50 and p99 bands of its entry operation.
 * A trace's entry is its earliest root span (a meshwalk request: the client
 * span); its latency is that span's duration. Picks (struct traceset_pick):
 * a percentile of all traces' latencies (nearest rank), the slowest, or a
 * trace id (hex, any case) or meshwalk request id (the client span's
 * `meshwalk.request_id`). A pick that matches nothing is an error; two picks
 * of one trace show it once.
 * Shapes: a trace's call graph with times left out (each span as service and
 * operation, children as a multiset), hashed; the first TRACESET_MAX_SHAPES
 * distinct shapes are counted, the rest fall into one "other" count; the
 * edge lists that let two shapes be compared are kept while they fit
 * TRACESET_EDGE_BUDGET.
 * Ownership: traceset_free() releases everything. Threads: one.
 * Errors: 0, or -EINVAL with the file's position in *e (import's messages);
 * a file without a single trace is an error too. */
#ifndef MW_REPORT_TRACESET_H
#define MW_REPORT_TRACESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import/clockalign.h"
#include "import/strmap.h"
#include "stats/hist.h"
#include "util/err.h"

#define TV_NONE UINT32_MAX
#define TRACESET_MAX_OPS 1024    /* operations with a duration histogram */
#define TRACESET_MAX_SHAPES 4096 /* distinct call-graph shapes counted */
#define TRACESET_MAX_PICKS 16
#define TRACESET_EDGE_BUDGET (4u << 20) /* call-graph edges kept over all shapes */
#define TRACESET_MAX_SPANS 20000 /* spans of one picked trace kept for drawing */
/* Fewer spans of an operation than this give no metric context: a rank
 * among three spans says nothing. */
#define TRACESET_MIN_CONTEXT 10

/* An operation: a service and a span name. */
struct tv_op {
	char *service, *name;
	struct hist *dur; /* span durations, ns; NULL past TRACESET_MAX_OPS */
};

/* One span of a picked trace, times relative to the trace's first start. */
struct tv_span {
	uint32_t parent; /* index, or TV_NONE */
	uint32_t op;     /* index into ops */
	uint8_t kind;    /* enum span_kind */
	uint8_t status;  /* enum span_status */
	uint16_t flags;  /* enum span_flag */
	int64_t start_ns, dur_ns;
};

/* An edge of a call graph: parent operation -> child operation, n times. */
struct tv_edge {
	uint32_t from, to; /* op indexes; from == TV_NONE for the entry */
	uint32_t n;
};

struct tv_shape {
	uint64_t hash;
	uint64_t count;    /* traces with this shape */
	struct tv_edge *edges; /* of the first trace seen with it, sorted; NULL
				* when the edge budget was spent */
	uint32_t nedges;
};

/* A trace of the first pass: what the aggregate views need. */
struct tv_row {
	int64_t start_ns; /* the entry span's start, ns since the epoch */
	int64_t dur_ns;   /* the entry span's duration */
	uint32_t entry;   /* op index of the entry span */
	uint32_t shape;   /* index into shapes, TV_NONE: beyond the shape bound */
};

enum traceset_pick_kind { PICK_PERCENTILE, PICK_SLOWEST, PICK_ID };

struct traceset_pick {
	enum traceset_pick_kind kind;
	double pct;      /* PICK_PERCENTILE: 0 < pct <= 100 */
	char id[80];     /* PICK_ID: trace id or request id, as given */
	char label[96];  /* "p99", "slowest", "id 4f2a..." */
};

/* A trace shown whole. */
struct tv_trace {
	char *id;
	char label[96];   /* what picked it */
	uint32_t pick;    /* the first pick that named it: the order shown */
	int64_t start_ns; /* the first span's start, ns since the epoch */
	int64_t dur_ns;   /* the entry span's duration */
	uint32_t row;     /* its first-pass row */
	uint32_t entry;   /* index of the entry span in spans */
	struct tv_span *spans;
	uint32_t n;
	bool truncated;   /* more than TRACESET_MAX_SPANS spans: the rest are not drawn */
	int64_t request_id; /* -1 when the trace does not carry one */
};

/* The critical path's mean share per operation over one band of traces. */
struct tv_crit {
	uint32_t op;
	double mean_ns; /* mean time on the critical path per trace of the band */
};

/* Per entry operation: the p50 and p99 bands and their breakdowns. */
struct tv_entry {
	uint32_t op;
	uint64_t traces;
	int64_t p50_ns, p99_ns;       /* latency at those percentiles (nearest rank) */
	int64_t band_lo[2], band_hi[2]; /* latencies of the band's bounds: [0] p50, [1] p99 */
	uint64_t band_n[2];           /* traces in each band */
	struct tv_crit *crit[2];      /* sorted by mean_ns, largest first */
	uint32_t ncrit[2];
};

struct traceset {
	const char *path;
	struct tv_op *ops;
	uint32_t nops, capops;
	struct strmap op_index; /* "service\0name" -> op index */
	struct tv_row *rows;
	size_t nrows, caprows;
	struct tv_shape *shapes;
	uint32_t nshapes;
	uint64_t other_shapes; /* traces beyond the shape bound */
	uint32_t edges_kept;   /* edges of all shapes' lists, against the budget */
	struct strmap shape_index; /* hash bytes -> shape index */
	struct tv_trace picked[TRACESET_MAX_PICKS];
	uint32_t npicked;
	struct tv_entry *entries;
	uint32_t nentries;
	uint64_t spans;        /* spans read (first pass) */
	uint64_t flagged;      /* spans with a messy-input flag */
	int64_t first_ns, last_ns; /* entry start times, for the timeline */
	struct clockalign clocks; /* hosts' offsets, measured in the first pass */
};

/* "p50", "p99.9", "max", "slowest", or a trace / request id into *p. */
int traceset_pick_parse(const char *s, struct traceset_pick *p, struct err *e);

/* Reads path (format as meshwalk import's --format; NULL: sniffed) and picks
 * the traces of picks[0..npicks). */
int traceset_load(struct traceset *ts, const char *path, const char *format,
		  const struct traceset_pick *picks, size_t npicks, struct err *e);
void traceset_free(struct traceset *ts);

/* Percentile rank (0..100) of a duration among its operation's spans, or a
 * negative value when the operation has no histogram or fewer than
 * TRACESET_MIN_CONTEXT spans. */
double traceset_rank(const struct traceset *ts, uint32_t op, int64_t dur_ns);
/* An operation's duration at percentile p, or -1 (as traceset_rank()). */
int64_t traceset_op_pct(const struct traceset *ts, uint32_t op, double p);

#endif
