/* loop_epoll.c -- the epoll back end of net/loop (see loop.h).
 *
 * Waits with epoll_pwait2 (nanosecond timeouts, Linux 5.11). Where it does
 * not exist (ENOSYS: an older kernel, or valgrind up to 3.19, under which
 * bench/http.sh --instr counts the worker's instructions), the loop falls
 * back to epoll_wait with the timeout rounded up to whole milliseconds: a
 * timer may then fire up to a millisecond late, never early. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "net/loop_backend.h"
#include "util/xalloc.h"

#define EPOLL_BATCH 256

struct loop_epoll {
	struct loop base;
	int epfd;                                /* the epoll instance */
	bool no_pwait2;                          /* epoll_pwait2 said ENOSYS: epoll_wait */
	struct epoll_event buf[EPOLL_BATCH];     /* kernel -> user events */
};

static uint32_t to_epoll(unsigned events)
{
	uint32_t ev = 0;

	/* EPOLLEXCLUSIVE admits only IN/OUT/ET, and listeners need no RDHUP. */
	if (events & LOOP_READ)
		ev |= (events & LOOP_EXCLUSIVE) ? EPOLLIN : EPOLLIN | EPOLLRDHUP;
	if (events & LOOP_WRITE)
		ev |= EPOLLOUT;
	if (events & LOOP_EXCLUSIVE)
		ev |= EPOLLEXCLUSIVE;
	return ev;
}

static int ctl(struct loop *l, int op, int fd, unsigned events, void *ptr)
{
	struct loop_epoll *p = (struct loop_epoll *)l;
	struct epoll_event ev = { .events = to_epoll(events), .data.ptr = ptr };

	return epoll_ctl(p->epfd, op, fd, &ev) == -1 ? -errno : 0;
}

static int ep_add(struct loop *l, int fd, unsigned events, void *ptr)
{
	return ctl(l, EPOLL_CTL_ADD, fd, events, ptr);
}

static int ep_mod(struct loop *l, int fd, unsigned events, void *ptr)
{
	return ctl(l, EPOLL_CTL_MOD, fd, events, ptr);
}

static int ep_del(struct loop *l, int fd)
{
	struct loop_epoll *p = (struct loop_epoll *)l;

	return epoll_ctl(p->epfd, EPOLL_CTL_DEL, fd, NULL) == -1 ? -errno : 0;
}

static int ep_wait(struct loop *l, struct loop_event *ev, int max, int64_t timeout_ns)
{
	struct loop_epoll *p = (struct loop_epoll *)l;
	struct timespec ts;
	int n;

	if (max > EPOLL_BATCH)
		max = EPOLL_BATCH;
	n = p->no_pwait2 ? -1 : epoll_pwait2(p->epfd, p->buf, max, loop_timespec(timeout_ns, &ts), NULL);
	if (n == -1 && (p->no_pwait2 || errno == ENOSYS)) {
		int64_t ms = timeout_ns < 0 ? -1 : (timeout_ns + 999999) / 1000000;

		p->no_pwait2 = true;
		n = epoll_wait(p->epfd, p->buf, max, ms > INT_MAX ? INT_MAX : (int)ms);
	}
	if (n == -1)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		uint32_t e = p->buf[i].events;

		ev[i].ptr = p->buf[i].data.ptr;
		ev[i].events = ((e & (EPOLLIN | EPOLLRDHUP)) ? LOOP_READ : 0) |
			       ((e & EPOLLOUT) ? LOOP_WRITE : 0) |
			       ((e & (EPOLLERR | EPOLLHUP)) ? LOOP_ERROR : 0);
	}
	return n;
}

static void ep_destroy(struct loop *l)
{
	struct loop_epoll *p = (struct loop_epoll *)l;

	close(p->epfd);
	free(p);
}

static const struct loop_ops epoll_ops = {
	.add = ep_add, .mod = ep_mod, .del = ep_del, .wait = ep_wait, .destroy = ep_destroy,
};

int loop_epoll_create(struct loop **out, struct err *e)
{
	struct loop_epoll *p = xcalloc(1, sizeof *p);

	p->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (p->epfd == -1) {
		int rc = -errno;

		free(p);
		err_set(e, "epoll_create1 failed: %s", errstr(rc));
		return rc;
	}
	p->base.ops = &epoll_ops;
	p->base.max_fd = INT_MAX;
	*out = &p->base;
	return 0;
}
