/* loop.h -- the readiness event loop used by node workers.
 *
 * Contract: one loop per thread; it knows nothing of the protocol. A file
 * descriptor is registered with an opaque pointer that comes back with its
 * events. Timeouts are in nanoseconds (epoll_pwait2), so a worker can wake for
 * a forward timeout without rounding to milliseconds. The back end today is
 * epoll; poll/select back ends slot in behind the same calls.
 * Ownership: the loop does not own the fds; loop_del() before close().
 * Threads: a loop is used by the thread that created it, except that any
 * thread may loop_add() a descriptor (epoll allows it; used for hand-off).
 * Errors: 0 or -errno. */
#ifndef MW_NET_LOOP_H
#define MW_NET_LOOP_H

#include <stdint.h>

enum loop_events {
	LOOP_READ = 1,
	LOOP_WRITE = 2,
	LOOP_ERROR = 4,     /* reported only: hang-up or socket error */
	LOOP_EXCLUSIVE = 8, /* register only: wake one waiter (shared accept) */
};

struct loop_event {
	void *ptr;        /* as registered */
	unsigned events;  /* LOOP_READ | LOOP_WRITE | LOOP_ERROR */
};

struct loop;

int loop_create(struct loop **out);
void loop_destroy(struct loop *l);

int loop_add(struct loop *l, int fd, unsigned events, void *ptr);
int loop_mod(struct loop *l, int fd, unsigned events, void *ptr);
int loop_del(struct loop *l, int fd);

/* Waits up to timeout_ns (< 0: forever, 0: poll) and fills up to max events.
 * Returns the number of events (0 on timeout or EINTR) or -errno. */
int loop_wait(struct loop *l, struct loop_event *ev, int max, int64_t timeout_ns);

#endif
