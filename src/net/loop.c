/* loop.c -- see loop.h; the epoll back end. */
#include "net/loop.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "util/xalloc.h"

#define LOOP_BATCH 256

struct loop {
	int epfd;                               /* the epoll instance */
	struct epoll_event buf[LOOP_BATCH];     /* kernel -> user events */
};

int loop_create(struct loop **out)
{
	struct loop *l = xcalloc(1, sizeof *l);

	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd == -1) {
		int rc = -errno;

		free(l);
		return rc;
	}
	*out = l;
	return 0;
}

void loop_destroy(struct loop *l)
{
	if (l == NULL)
		return;
	close(l->epfd);
	free(l);
}

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
	struct epoll_event ev = { .events = to_epoll(events), .data.ptr = ptr };

	return epoll_ctl(l->epfd, op, fd, &ev) == -1 ? -errno : 0;
}

int loop_add(struct loop *l, int fd, unsigned events, void *ptr)
{
	return ctl(l, EPOLL_CTL_ADD, fd, events, ptr);
}

int loop_mod(struct loop *l, int fd, unsigned events, void *ptr)
{
	return ctl(l, EPOLL_CTL_MOD, fd, events, ptr);
}

int loop_del(struct loop *l, int fd)
{
	return epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL) == -1 ? -errno : 0;
}

int loop_wait(struct loop *l, struct loop_event *ev, int max, int64_t timeout_ns)
{
	struct timespec ts, *tsp = NULL;
	int n;

	if (max > LOOP_BATCH)
		max = LOOP_BATCH;
	if (timeout_ns >= 0) {
		ts.tv_sec = timeout_ns / 1000000000LL;
		ts.tv_nsec = timeout_ns % 1000000000LL;
		tsp = &ts;
	}
	n = epoll_pwait2(l->epfd, l->buf, max, tsp, NULL);
	if (n == -1)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		uint32_t e = l->buf[i].events;

		ev[i].ptr = l->buf[i].data.ptr;
		ev[i].events = ((e & (EPOLLIN | EPOLLRDHUP)) ? LOOP_READ : 0) |
			       ((e & EPOLLOUT) ? LOOP_WRITE : 0) |
			       ((e & (EPOLLERR | EPOLLHUP)) ? LOOP_ERROR : 0);
	}
	return n;
}
