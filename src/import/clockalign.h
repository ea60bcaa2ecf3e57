/* clockalign.h -- the clock offsets between hosts, measured from the calls
 * between them as NTP measures them, and applied to a trace: one module for
 * the trace view (report/traceset) and the model's fit (import/model), so
 * both see the same aligned times.
 *
 * Model: a call between two known hosts (a CLIENT span on host A, its child
 * span of another service on host B, each host named by the spans' host.name
 * or Jaeger's hostname) gives one sample of B's clock minus A's
 * (trace_call_offset(): ((t1 - t0) + (t2 - t3)) / 2), unless the far side is
 * longer than its client span (not waited for: fire and forget, whose four
 * times bracket no exchange). Per ordered host pair the first
 * CLOCKALIGN_SAMPLES samples are kept (a pair without one is not measured); after every trace was seen,
 * clockalign_finish() takes their median as the pair's offset.
 * clockalign_shifts() then moves the far side of every call between the two
 * hosts by it, with its subtree (trace_skew_shifts(); calls on one host, or
 * between a pair never measured, keep that function's per-call rules).
 * Hosts are kept by name, so the offsets measured through one import apply
 * to a trace of another (a second read of the same files).
 * Bounds: at most CLOCKALIGN_MAX_PAIRS pairs (later ones are not measured:
 * `unmeasured` counts their calls), 8 bytes a sample.
 * Ownership: clockalign_free(). Threads: one. Errors: none. */
#ifndef MW_IMPORT_CLOCKALIGN_H
#define MW_IMPORT_CLOCKALIGN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "import/spans.h"

#define CLOCKALIGN_MAX_PAIRS 64
#define CLOCKALIGN_SAMPLES 20000

struct clock_pair {
	char *from, *to; /* the caller's host, the callee's */
	uint64_t calls;
	int64_t *samples;
	uint32_t n;
	int64_t offset_ns, min_ns, max_ns; /* after clockalign_finish() */
};

struct clockalign {
	struct clock_pair pairs[CLOCKALIGN_MAX_PAIRS];
	uint32_t npairs;
	uint64_t unmeasured; /* calls between pairs beyond the bound */
};

void clockalign_init(struct clockalign *c);
void clockalign_free(struct clockalign *c);
/* Samples every call of t between two known hosts. */
void clockalign_trace(struct clockalign *c, const struct import *im, const struct trace *t);
/* Each pair's offset: the median of its samples. */
void clockalign_finish(struct clockalign *c);
/* The offset of host `to` to host `from` (names), false when not measured. */
bool clockalign_offset(const struct clockalign *c, const char *from, const char *to,
		       int64_t *offset_ns);
/* trace_skew_shifts() with the measured offsets (c NULL: none). */
void clockalign_shifts(const struct clockalign *c, const struct import *im, const struct trace *t,
		       int64_t *shift);
/* One line per pair, each after prefix ("clock of host B: +X ms to host
 * A's (median of N calls of M, from .. to .. ms)"); nothing when no call
 * between hosts was seen. */
void clockalign_print(const struct clockalign *c, const char *prefix, FILE *f);
/* The largest |offset| of the measured pairs, ns (0: none). */
int64_t clockalign_max_offset(const struct clockalign *c);

#endif
