/* wset.c -- see wset.h. */
#include "exec/wset.h"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include "proto/wire.h"

struct wset {
	volatile uint64_t *buf; /* size bytes, mapped */
	uint64_t size;
	uint64_t pos;           /* byte offset of the next line to touch */
};

static _Thread_local struct wset ws_self;
static pthread_key_t ws_key;
static pthread_once_t ws_once = PTHREAD_ONCE_INIT;

/* Thread exit: the key's value is the thread's struct wset. */
static void ws_release(void *p)
{
	struct wset *w = p;

	if (w->buf)
		munmap((void *)w->buf, w->size);
	w->buf = NULL;
	w->size = 0;
}

static void ws_key_create(void)
{
	(void)pthread_key_create(&ws_key, ws_release);
}

bool wset_reserve(uint64_t bytes)
{
	struct wset *w = &ws_self;
	long page = sysconf(_SC_PAGESIZE);
	uint64_t size;
	void *p;

	if (bytes > WIRE_WSET_MAX)
		bytes = WIRE_WSET_MAX;
	if (bytes <= w->size)
		return w->buf != NULL;
	size = (bytes + WSET_LINE - 1) / WSET_LINE * WSET_LINE;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return w->buf != NULL && bytes <= w->size;
	/* Written page by page: resident now, not at the first walk's faults
	 * (which would be counted as compute time, and a zero page read-only
	 * mapping would keep a read walk in one physical page). */
	for (uint64_t at = 0; at < size; at += page > 0 ? (uint64_t)page : 4096)
		((volatile char *)p)[at] = 1;
	pthread_once(&ws_once, ws_key_create);
	if (w->buf)
		munmap((void *)w->buf, w->size);
	w->buf = p;
	w->size = size;
	(void)pthread_setspecific(ws_key, w);
	return true;
}

void wset_walk(uint64_t bytes, uint64_t n)
{
	struct wset *w = &ws_self;
	uint64_t pos = w->pos;

	if (w->buf == NULL)
		return;
	if (bytes > w->size)
		bytes = w->size;
	if (pos >= bytes)
		pos = 0;
	while (n-- > 0) {
		w->buf[pos / sizeof(uint64_t)] += 1; /* a read and a write of the line */
		pos += WSET_LINE;
		if (pos >= bytes)
			pos = 0;
	}
	w->pos = pos;
}

uint64_t wset_size(void)
{
	return ws_self.size;
}
