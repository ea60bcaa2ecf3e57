/* loop.h -- the readiness event loop used by node workers.
 *
 * Contract: one loop per thread; it knows nothing of the protocol. A file
 * descriptor is registered with an opaque pointer that comes back with its
 * events. Readiness is level-triggered in every back end: an fd that is still
 * readable is reported again by the next loop_wait(), so a handler may stop
 * reading early (e.g. after a batch of accepts). Timeouts are in nanoseconds,
 * so a worker can wake for a forward timeout without rounding to milliseconds.
 * Back ends (DistWalk's --poll-mode, plus io_uring):
 *   epoll    epoll_pwait2; the default. LOOP_EXCLUSIVE uses EPOLLEXCLUSIVE.
 *            Where epoll_pwait2 is ENOSYS (before Linux 5.11, valgrind 3.19):
 *            epoll_wait, timeouts rounded up to whole milliseconds.
 *   poll     ppoll over an array; O(registered fds) per wait.
 *   select   pselect; O(highest fd) per wait, and fds >= FD_SETSIZE cannot be
 *            watched: loop_add() refuses them with -ERANGE (see loop_max_fd).
 *   io_uring one-shot IORING_OP_POLL_ADD per fd, re-armed on the next wait
 *            (which is what keeps it level-triggered); all changes and re-arms
 *            go to the kernel in the one io_uring_enter() of each wait.
 * LOOP_EXCLUSIVE is a hint: back ends other than epoll wake every waiter (the
 * losers of a shared accept get EAGAIN).
 * Ownership: the loop does not own the fds; loop_del() before close().
 * Threads: a loop is used by one thread at a time: the thread that creates it
 * may register fds before handing it to the thread that runs it (the
 * hand-over must be a happens-before edge, e.g. pthread_create).
 * Errors: 0 or -errno; loop_create() also explains failures in `e`. */
#ifndef MW_NET_LOOP_H
#define MW_NET_LOOP_H

#include <stdint.h>

#include "util/err.h"

enum loop_events {
	LOOP_READ = 1,
	LOOP_WRITE = 2,
	LOOP_ERROR = 4,     /* reported only: hang-up or socket error */
	LOOP_EXCLUSIVE = 8, /* register only: wake one waiter (shared accept) */
};

enum loop_backend {
	LOOP_EPOLL = 0,
	LOOP_POLL = 1,
	LOOP_SELECT = 2,
	LOOP_URING = 3,
};

struct loop_event {
	void *ptr;        /* as registered */
	unsigned events;  /* LOOP_READ | LOOP_WRITE | LOOP_ERROR */
};

struct loop;

/* "epoll", "poll", "select", "io_uring". */
const char *loop_backend_name(enum loop_backend b);
/* Parses a back end name; returns 0 or -EINVAL. */
int loop_backend_parse(const char *s, enum loop_backend *out);

/* Creates a loop; on failure returns -errno and says why in e (for io_uring:
 * that the kernel or a seccomp filter refused it; never falls back). */
int loop_create(struct loop **out, enum loop_backend b, struct err *e);
void loop_destroy(struct loop *l);

/* The largest fd number loop_add() accepts (FD_SETSIZE - 1 for select). */
int loop_max_fd(const struct loop *l);

int loop_add(struct loop *l, int fd, unsigned events, void *ptr);
int loop_mod(struct loop *l, int fd, unsigned events, void *ptr);
int loop_del(struct loop *l, int fd);

/* Waits up to timeout_ns (< 0: forever, 0: poll) and fills up to max events.
 * Returns the number of events (0 on timeout or EINTR) or -errno. */
int loop_wait(struct loop *l, struct loop_event *ev, int max, int64_t timeout_ns);

#endif
