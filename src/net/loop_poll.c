/* loop_poll.c -- the poll back end of net/loop (see loop.h).
 *
 * The watched fds are a dense pollfd array (what ppoll wants) with a parallel
 * array of pointers, plus an fd -> slot index so mod/del are O(1); del moves
 * the last slot into the hole. Each wait scans the whole array, which is the
 * cost this back end exists to show. The scan starts where the previous full
 * batch stopped, so with more ready fds than `max` none of them starves. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "net/loop_backend.h"
#include "util/xalloc.h"

struct loop_poll {
	struct loop base;
	struct pollfd *pfd;   /* watched fds, dense */
	void **ptr;           /* ptr[i] belongs to pfd[i] */
	int n, cap;
	int *slot;            /* fd -> index in pfd, or -1 */
	int nslot;
	int next;             /* where the next scan starts */
};

static int slot_of(const struct loop_poll *p, int fd)
{
	return fd < p->nslot ? p->slot[fd] : -1;
}

static int pl_add(struct loop *l, int fd, unsigned events, void *ptr)
{
	struct loop_poll *p = (struct loop_poll *)l;

	if (slot_of(p, fd) >= 0)
		return -EEXIST;
	if (fd >= p->nslot) {
		int n = p->nslot ? p->nslot : 64;

		while (n <= fd)
			n *= 2;
		p->slot = xrealloc(p->slot, (size_t)n * sizeof *p->slot);
		for (int i = p->nslot; i < n; i++)
			p->slot[i] = -1;
		p->nslot = n;
	}
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 64;
		p->pfd = xrealloc(p->pfd, (size_t)p->cap * sizeof *p->pfd);
		p->ptr = xrealloc(p->ptr, (size_t)p->cap * sizeof *p->ptr);
	}
	p->pfd[p->n] = (struct pollfd){ .fd = fd, .events = (short)loop_poll_mask(events) };
	p->ptr[p->n] = ptr;
	p->slot[fd] = p->n++;
	return 0;
}

static int pl_mod(struct loop *l, int fd, unsigned events, void *ptr)
{
	struct loop_poll *p = (struct loop_poll *)l;
	int i = slot_of(p, fd);

	if (i < 0)
		return -ENOENT;
	p->pfd[i].events = (short)loop_poll_mask(events);
	p->ptr[i] = ptr;
	return 0;
}

static int pl_del(struct loop *l, int fd)
{
	struct loop_poll *p = (struct loop_poll *)l;
	int i = slot_of(p, fd);

	if (i < 0)
		return -ENOENT;
	p->n--;
	if (i != p->n) {
		p->pfd[i] = p->pfd[p->n];
		p->ptr[i] = p->ptr[p->n];
		p->slot[p->pfd[i].fd] = i;
	}
	p->slot[fd] = -1;
	return 0;
}

static int pl_wait(struct loop *l, struct loop_event *ev, int max, int64_t timeout_ns)
{
	struct loop_poll *p = (struct loop_poll *)l;
	struct timespec ts;
	int ready, k = 0;

	ready = ppoll(p->pfd, (nfds_t)p->n, loop_timespec(timeout_ns, &ts), NULL);
	if (ready == -1)
		return errno == EINTR ? 0 : -errno;
	if (p->next >= p->n)
		p->next = 0;
	for (int j = 0; j < p->n && ready > 0; j++) {
		int i = (p->next + j) % p->n;
		short r = p->pfd[i].revents;

		if (r == 0)
			continue;
		ready--;
		if (k == max) {
			p->next = i; /* start here next time */
			return k;
		}
		ev[k].ptr = p->ptr[i];
		ev[k].events = loop_poll_events((unsigned short)r);
		k++;
	}
	return k;
}

static void pl_destroy(struct loop *l)
{
	struct loop_poll *p = (struct loop_poll *)l;

	free(p->pfd);
	free(p->ptr);
	free(p->slot);
	free(p);
}

static const struct loop_ops poll_ops = {
	.add = pl_add, .mod = pl_mod, .del = pl_del, .wait = pl_wait, .destroy = pl_destroy,
};

int loop_poll_create(struct loop **out, struct err *e)
{
	struct loop_poll *p = xcalloc(1, sizeof *p);

	(void)e;
	p->base.ops = &poll_ops;
	p->base.max_fd = INT_MAX;
	*out = &p->base;
	return 0;
}
