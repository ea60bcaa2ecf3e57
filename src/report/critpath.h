/* critpath.h -- the critical path of one trace: which spans the entry span's
 * latency was spent in.
 *
 * Contract: walking back from the end of a span, the child that finished
 * last (and not after the point reached) is what the span waited for; the
 * time between that child's end and the point is the span's own, the walk
 * goes into the child for the child's time, and goes on from the child's
 * start. A child that ends after its parent was not waited for (a
 * fire-and-forget call, or clock skew) and is not on the path; one that
 * starts before its parent counts from the parent's start; a child that
 * overlaps the child already chosen is not on the path. So the times handed out sum to the
 * entry span's duration exactly. A span's time on the path is written to
 * on_path[i] (ns; 0 when it is not on it).
 * Ownership: the caller's arrays. Threads: no shared state.
 * Errors: none; spans outside the entry's subtree get 0. */
#ifndef MW_REPORT_CRITPATH_H
#define MW_REPORT_CRITPATH_H

#include <stdint.h>

#include "report/traceset.h"

/* Fills on_path[0..n) for the subtree of spans[entry]; returns the sum. */
int64_t critpath(const struct tv_span *spans, uint32_t n, uint32_t entry, int64_t *on_path);

#endif
