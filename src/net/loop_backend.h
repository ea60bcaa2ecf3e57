/* loop_backend.h -- what a loop back end provides; private to src/net/loop*.c.
 *
 * Contract: each back end embeds struct loop as the first member of its own
 * state and fills `ops`; loop.c dispatches the public calls through it and
 * checks nothing but the fd range, so the back ends own all their semantics
 * (see loop.h). Errors: 0 or -errno. */
#ifndef MW_NET_LOOP_BACKEND_H
#define MW_NET_LOOP_BACKEND_H

#include <poll.h>
#include <time.h>

#include "net/loop.h"

struct loop_ops {
	int (*add)(struct loop *l, int fd, unsigned events, void *ptr);
	int (*mod)(struct loop *l, int fd, unsigned events, void *ptr);
	int (*del)(struct loop *l, int fd);
	int (*wait)(struct loop *l, struct loop_event *ev, int max, int64_t timeout_ns);
	void (*destroy)(struct loop *l);
	/* socket I/O; NULL where there is none */
	int (*send)(struct loop *l, int fd, const void *p, size_t len, void *block);
};

struct loop {
	const struct loop_ops *ops;
	int max_fd; /* largest fd the back end can watch */
	bool io;    /* socket I/O: LOOP_RECV and send */
};

int loop_epoll_create(struct loop **out, struct err *e);
int loop_poll_create(struct loop **out, struct err *e);
int loop_select_create(struct loop **out, struct err *e);
/* io: with socket I/O where the kernel has it (else as without) */
int loop_uring_create(struct loop **out, bool io, struct err *e);

/* timeout_ns (< 0: none) as a timespec for the p* calls; NULL when none. */
static inline struct timespec *loop_timespec(int64_t timeout_ns, struct timespec *ts)
{
	if (timeout_ns < 0)
		return NULL;
	ts->tv_sec = timeout_ns / 1000000000LL;
	ts->tv_nsec = timeout_ns % 1000000000LL;
	return ts;
}

/* LOOP_* interest as poll(2) bits, for the back ends built on poll masks
 * (listeners, registered exclusive, need no RDHUP, as with epoll). */
static inline unsigned loop_poll_mask(unsigned events)
{
	unsigned ev = 0;

	if (events & LOOP_READ)
		ev |= (events & LOOP_EXCLUSIVE) ? POLLIN : POLLIN | POLLRDHUP;
	if (events & LOOP_WRITE)
		ev |= POLLOUT;
	return ev;
}

/* poll(2) revents as LOOP_* events. */
static inline unsigned loop_poll_events(unsigned revents)
{
	return ((revents & (POLLIN | POLLRDHUP)) ? LOOP_READ : 0) |
	       ((revents & POLLOUT) ? LOOP_WRITE : 0) |
	       ((revents & (POLLERR | POLLHUP | POLLNVAL)) ? LOOP_ERROR : 0);
}

#endif
