/* ops.h -- the op table: every op's code, names, byte layout, limits, how the
 * executor treats it and its printed forms, in one place.
 *
 * Contract: ops_find(code) returns the op's row, or NULL for a code this build
 * does not know. A row says:
 *  - its names: meshwalk's (descriptions, error messages), the one DistWalk's
 *    notation prints ("request template:" of the client) and its trace spans';
 *  - its body layout as a list of fixed fields in wire order (u32 or u64,
 *    little-endian), plus fields present only when one flag bit is set (a
 *    sendfile REPLY's offset); which flags are valid;
 *  - the limits wire_prog_check() applies to each field (a TIME field against
 *    wire_limits.max_compute_ns in the node's own program, a PROB field at most
 *    WIRE_PROB_ONE);
 *  - what the executor does with it (enum ops_run);
 *  - how a template op (struct ops_tmpl: specs and numbers before sampling) is
 *    encoded for one request and printed in both notations.
 * FORWARD is the one op with a variable layout (targets and sub-programs): its
 * row has names and a run kind, no fields; proto/wire walks its layout and
 * prog/prog encodes and prints it, because both recurse into sub-programs.
 * Adding an op: docs/architecture.md, "How to add an op".
 * Ownership: rows are static and immutable; a struct ops_tmpl owns its specs
 * (ops_tmpl_free()). Threads: everything is read-only or caller-owned.
 * Errors: none; ops_check() fills a struct err and returns -WIRE_ERR_*. */
#ifndef MW_PROTO_OPS_H
#define MW_PROTO_OPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/wire.h"
#include "spec/rng.h"
#include "spec/spec.h"
#include "util/err.h"

/* What the executor does when the walk reaches the op. The executor reads
 * the fields of a CPU or TIMER op by position: its TIME field comes first. */
enum ops_run {
	OPS_RUN_CPU = 1, /* runs inline on the worker's CPU (COMPUTE) for its TIME field */
	OPS_RUN_SKIP,    /* decides inline whether to skip the next ops */
	OPS_RUN_TIMER,   /* parks the request on a timer for the op's TIME field (SLEEP) */
	OPS_RUN_STORAGE, /* handed to the node's storage thread (LOAD, STORE) */
	OPS_RUN_FORWARD, /* sends sub-programs to other nodes */
	OPS_RUN_REPLY,   /* the last op: the reply */
};

/* What a field holds, which fixes how a template value becomes wire bytes. */
enum ops_kind {
	OPS_TIME = 1, /* u64 ns; the template's spec is in microseconds */
	OPS_SIZE,     /* u64 bytes from a spec */
	OPS_OFFSET,   /* u64 byte offset from the op's spec, or the program's default
		       * for the op (WIRE_OFFSET_NEXT when none) */
	OPS_COUNT,    /* u32 number, the template's n[] */
	OPS_PROB,     /* u32 parts per billion, the template's n[]; sent as 0 on the
		       * requests that the template's `every` leaves out */
	OPS_ZERO,     /* reserved, 0 */
	OPS_WSET,     /* u64 bytes of a constant size spec, WIRE_WSET_MIN..WIRE_WSET_MAX:
		       * the memory a CPU op walks (COMPUTE's ws=) */
};

#define OPS_MAX_FIELDS 4
/* flags_mask of ops whose flags were never checked (COMPUTE, SLEEP, SKIP):
 * any flags pass, so programs valid before the table stay valid. */
#define OPS_FLAGS_ANY 0xff
#define OPS_MAX_VALUES 2 /* specs and numbers of one template op */

struct ops_field {
	const char *name;   /* for messages and tests: "ns", "offset", ... */
	uint8_t kind;       /* enum ops_kind */
	uint8_t width;      /* 4 or 8 bytes */
	uint8_t slot;       /* index into ops_tmpl.spec[] (TIME, SIZE, OFFSET) or n[] */
	uint8_t flag;       /* 0: always present; else present only with this op flag */
};

/* A template op: the values before sampling (prog/prog keeps these). */
struct ops_tmpl {
	uint8_t code;                         /* enum wire_op_code */
	uint8_t flags;                        /* wire op flags (STORE: sync; REPLY: sendfile) */
	struct spec *spec[OPS_MAX_VALUES];    /* owned; NULL = unset (0, minimal, default) */
	uint32_t n[OPS_MAX_VALUES];           /* COUNT and PROB fields */
	uint32_t every;                       /* PROB fields: on one request in every N (>= 1) */
};

/* Where printed text goes: a bounded buffer that truncates. */
struct ops_out {
	char *p;
	size_t left;
};

void ops_put(struct ops_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* DistWalk's form of a spec. */
void ops_put_dw_spec(struct ops_out *o, const struct spec *v);
/* A frame size in DistWalk's form: the spec, or for none (or a constant
 * below min_len) the smallest frame, min_len bytes; 0: "auto" (sized by its
 * program). */
void ops_put_dw_size(struct ops_out *o, const struct spec *v, uint64_t min_len);

/* What printing and encoding read beyond the op: the program's default
 * offsets (--load-offset / --store-offset; NULL: none). */
struct ops_ctx {
	const struct spec *load_offset, *store_offset;
};

struct ops_def {
	uint8_t code;             /* enum wire_op_code */
	const char *name;         /* "SLEEP" */
	const char *dw_name;      /* DistWalk's notation: "SLEEP", "FORWARD_BEGIN" */
	enum ops_run run;
	uint8_t flags_mask;       /* valid flag bits (REPLY: WIRE_REPLY_SENDFILE; OPS_FLAGS_ANY) ... */
	uint8_t flags_max;        /* ... or valid flag values below this (STORE: sync) */
	uint8_t nfields;
	struct ops_field fields[OPS_MAX_FIELDS];
	/* An example of the op's value in the op words (prog/prog_parse), so a
	 * test can build every op from text; NULL: no op word makes it. */
	const char *example;
	/* Printed forms of a template op (NULL for FORWARD: prog/prog prints it):
	 * meshwalk's ("SLEEP(5ms) ") and DistWalk's ("SLEEP(5000us)->"). */
	void (*print)(struct ops_out *o, const struct ops_def *d, const struct ops_tmpl *t,
		      const struct ops_ctx *c);
	void (*print_dw)(struct ops_out *o, const struct ops_def *d, const struct ops_tmpl *t,
			 const struct ops_ctx *c);
	/* The names of the spans a node's tracing records for the op
	 * (exec/engine_trace, docs/tracing.md); NULL: none. span: the op's
	 * step ("COMPUTE", "SLEEP", "REPLY", a FORWARD's whole wait
	 * "FORWARD"); span_part: a part of it ("READ", a sendfile REPLY's
	 * storage read; "forward", a FORWARD's CLIENT span per target and
	 * attempt). Exported names: changing one breaks users' queries. */
	const char *span;
	const char *span_part;
};

/* Template op t (not FORWARD) in meshwalk's / DistWalk's printed form,
 * through its row's printer. */
void ops_print(struct ops_out *o, const struct ops_tmpl *t, const struct ops_ctx *c);
void ops_print_dw(struct ops_out *o, const struct ops_tmpl *t, const struct ops_ctx *c);

/* The row of an op code, or NULL. */
const struct ops_def *ops_find(unsigned code);
/* A STORE's sync policy (enum wire_sync) as -S and DistWalk spell it:
 * "nosync", "sync", "psync" ("?" beyond). */
const char *ops_sync_word(unsigned sync);
/* Every row, in code order (for tests and docs): *n rows. */
const struct ops_def *ops_all(size_t *n);

/* Checks a fixed-layout op (not FORWARD): flags, body length, field limits.
 * depth 0 is the node's own program (TIME limits apply there only: a
 * sub-program runs under its own node's limits). */
int ops_check(const struct ops_def *d, const struct wire_op *op, uint32_t depth,
	      const struct wire_limits *lim, struct err *e);

/* Appends template op t (not FORWARD) for request `index`: samples its specs
 * in wire order from rng. */
void ops_encode(const struct ops_tmpl *t, const struct ops_ctx *c, struct rng *rng,
		uint64_t index, struct wire_buf *out);

/* The values of a checked fixed-layout op, one per field present, in the
 * row's field order; returns how many. */
size_t ops_decode(const struct ops_def *d, const struct wire_op *op, uint64_t v[OPS_MAX_FIELDS]);

/* A spec's sample times scale, rounded to a u64 (0 for none, below 0 or
 * NaN; UINT64_MAX past it). */
uint64_t ops_sample(const struct spec *s, struct rng *rng, uint64_t index, double scale);

/* The nanoseconds of an op's TIME field (COMPUTE, SLEEP), 0 when it has none:
 * what the op costs a request's time budget. */
uint64_t ops_time_ns(const struct wire_op *op);
/* The bytes of a checked op's WSET field (COMPUTE with ws=), 0 when absent. */
uint64_t ops_wset(const struct wire_op *op);

/* Whether row d is a timed op: its first field TIME, any other present only
 * with a flag (COMPUTE's ws=), so one time spec alone makes the op. */
bool ops_is_timed(const struct ops_def *d);

void ops_tmpl_free(struct ops_tmpl *t);

#endif
