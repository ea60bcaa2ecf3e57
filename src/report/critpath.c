/* critpath.c -- see critpath.h. */
#include "report/critpath.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* By parent, then by end, latest first (qsort_r: spans in arg). */
static int by_parent_end(const void *a, const void *b, void *arg)
{
	const struct tv_span *spans = arg;
	const struct tv_span *x = &spans[*(const uint32_t *)a];
	const struct tv_span *y = &spans[*(const uint32_t *)b];
	int64_t ex = x->start_ns + x->dur_ns, ey = y->start_ns + y->dur_ns;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	if (ex != ey)
		return ex > ey ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

struct window {
	uint32_t span;
	int64_t lo, hi;
};

int64_t critpath(const struct tv_span *spans, uint32_t n, uint32_t entry, int64_t *on_path)
{
	uint32_t *kids, *first, nkids = 0;
	struct window *stack;
	size_t top = 0;
	int64_t total = 0;

	memset(on_path, 0, n * sizeof *on_path);
	if (entry >= n)
		return 0;
	kids = xmalloc((n + 1) * sizeof *kids);
	first = xmalloc((n + 1) * sizeof *first);
	stack = xmalloc((n + 1) * sizeof *stack);
	for (uint32_t i = 0; i < n; i++)
		if (spans[i].parent != TV_NONE && spans[i].parent < n)
			kids[nkids++] = i;
	qsort_r(kids, nkids, sizeof *kids, by_parent_end, (void *)spans);
	/* first[p] .. first[p + 1]: p's children in kids */
	for (uint32_t p = 0, k = 0; p <= n; p++) {
		while (k < nkids && spans[kids[k]].parent < p)
			k++;
		first[p] = k;
	}

	stack[top++] = (struct window){ entry, spans[entry].start_ns,
					spans[entry].start_ns + spans[entry].dur_ns };
	/* Each span is pushed at most once (only by its parent, whose window
	 * is visited once), so the stack never holds more than n windows. */
	while (top > 0) {
		struct window w = stack[--top];
		int64_t t = w.hi;

		for (uint32_t k = first[w.span]; k < first[w.span + 1] && t > w.lo; k++) {
			const struct tv_span *c = &spans[kids[k]];
			int64_t ce = c->start_ns + c->dur_ns, cs = c->start_ns;

			/* A call still running when the span ended was not waited
			 * for (fire and forget): never on the path. One that
			 * started before the span (clock skew) counts from the
			 * span's start. */
			if (ce > w.hi)
				continue;
			if (cs < w.lo)
				cs = w.lo;
			if (ce > t || ce <= cs)
				continue; /* overlaps the child chosen after it, or empty */
			on_path[w.span] += t - ce;
			stack[top++] = (struct window){ kids[k], cs, ce };
			t = cs;
		}
		if (t > w.lo)
			on_path[w.span] += t - w.lo;
	}
	for (uint32_t i = 0; i < n; i++)
		total += on_path[i];
	free(kids);
	free(first);
	free(stack);
	return total;
}
