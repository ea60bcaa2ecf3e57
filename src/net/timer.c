/* timer.c -- see timer.h. */
#include "net/timer.h"

#include <stdlib.h>

#include "util/xalloc.h"

void timer_heap_init(struct timer_heap *h)
{
	h->v = NULL;
	h->n = 0;
	h->cap = 0;
}

void timer_heap_free(struct timer_heap *h)
{
	free(h->v);
	timer_heap_init(h);
}

void timer_heap_push(struct timer_heap *h, int64_t deadline, uint64_t key)
{
	size_t i;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = xrealloc(h->v, h->cap * sizeof *h->v);
	}
	i = h->n++;
	while (i > 0) {
		size_t parent = (i - 1) / 2;

		if (h->v[parent].deadline <= deadline)
			break;
		h->v[i] = h->v[parent];
		i = parent;
	}
	h->v[i].deadline = deadline;
	h->v[i].key = key;
}

bool timer_heap_peek(const struct timer_heap *h, struct timer_entry *out)
{
	if (h->n == 0)
		return false;
	*out = h->v[0];
	return true;
}

void timer_heap_pop(struct timer_heap *h)
{
	struct timer_entry last;
	size_t i = 0;

	if (h->n == 0)
		return;
	last = h->v[--h->n];
	for (;;) {
		size_t child = 2 * i + 1;

		if (child >= h->n)
			break;
		if (child + 1 < h->n && h->v[child + 1].deadline < h->v[child].deadline)
			child++;
		if (last.deadline <= h->v[child].deadline)
			break;
		h->v[i] = h->v[child];
		i = child;
	}
	if (h->n > 0)
		h->v[i] = last;
}
