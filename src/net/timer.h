/* timer.h -- a min-heap of deadlines for one thread's loop.
 *
 * Contract: entries are (deadline ns, key). There is no cancel: the owner
 * encodes a generation in the key and ignores stale entries when they fire,
 * which keeps push and pop O(log n) and the request path free of searches.
 * Ownership: the heap owns its array; timer_heap_free() releases it.
 * Threads: one thread. Errors: none (allocation aborts on OOM). */
#ifndef MW_NET_TIMER_H
#define MW_NET_TIMER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct timer_entry {
	int64_t deadline; /* CLOCK_MONOTONIC ns */
	uint64_t key;     /* owner-defined */
};

struct timer_heap {
	struct timer_entry *v; /* heap-ordered by deadline */
	size_t n;              /* entries in use */
	size_t cap;            /* entries allocated */
};

void timer_heap_init(struct timer_heap *h);
void timer_heap_free(struct timer_heap *h);
void timer_heap_push(struct timer_heap *h, int64_t deadline, uint64_t key);
/* The earliest entry, if any. */
bool timer_heap_peek(const struct timer_heap *h, struct timer_entry *out);
/* Removes the earliest entry (no-op when empty). */
void timer_heap_pop(struct timer_heap *h);

#endif
