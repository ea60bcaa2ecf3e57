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
 *            go to the kernel in the one io_uring_enter() of each wait. It
 *            also does socket I/O (loop_has_io(), below) where the kernel
 *            has buffer rings (5.19); where not, it is io_uring-poll.
 *   io_uring-poll  the same without the socket I/O (readiness only).
 * Socket I/O (io_uring only): an fd registered with LOOP_RECV is read by the
 * loop instead of reported readable: while its interest holds LOOP_READ, a
 * receive is in flight, into buffers of the loop's, and what it reads is
 * reported as LOOP_RECV events with the bytes (at most LOOP_RECV_MAX each,
 * valid until the next loop_wait()), 0 at the end of the stream, or -errno
 * (interest without LOOP_READ pauses it, but what arrives before the pause
 * reaches the kernel, at the next wait, is still reported). loop_send() sends
 * on such an fd, at most one send in flight per fd, reported as LOOP_SENT
 * with the bytes sent (possibly fewer than asked) or -errno. Readiness of
 * the other bits (LOOP_WRITE) is still reported as events. Completions of a
 * registration that loop_del() ended are never reported, even when the fd
 * number is registered again.
 * LOOP_EXCLUSIVE is a hint: back ends other than epoll wake every waiter (the
 * losers of a shared accept get EAGAIN).
 * Ownership: the loop does not own the fds; loop_del() before close().
 * loop_destroy() cancels the socket I/O in flight and waits for it, so no
 * buffer is used by the kernel after it returns.
 * Threads: a loop is used by one thread at a time: the thread that creates it
 * may register fds before handing it to the thread that runs it (the
 * hand-over must be a happens-before edge, e.g. pthread_create). io_uring
 * with socket I/O: the thread of the first loop_wait() is then the only one
 * that may use it, destroy included (registering more than 256 fds before
 * it counts as using).
 * Errors: 0 or -errno; loop_create() also explains failures in `e`. */
#ifndef MW_NET_LOOP_H
#define MW_NET_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

enum loop_events {
	LOOP_READ = 1,
	LOOP_WRITE = 2,
	LOOP_ERROR = 4,     /* reported only: hang-up or socket error */
	LOOP_EXCLUSIVE = 8, /* register only: wake one waiter (shared accept) */
	LOOP_RECV = 16,     /* register: the loop reads the fd (loop_has_io()); reported: bytes read */
	LOOP_SENT = 32,     /* reported only: a loop_send() completed */
};

/* The most bytes one LOOP_RECV event brings. */
#define LOOP_RECV_MAX (16 * 1024)

enum loop_backend {
	LOOP_EPOLL = 0,
	LOOP_POLL = 1,
	LOOP_SELECT = 2,
	LOOP_URING = 3,
	LOOP_URING_POLL = 4,
};

struct loop_event {
	void *ptr;           /* as registered */
	unsigned events;     /* LOOP_READ | LOOP_WRITE | LOOP_ERROR, or LOOP_RECV, or LOOP_SENT */
	int res;             /* LOOP_RECV, LOOP_SENT: bytes (> 0), 0 (end of stream), or -errno */
	const uint8_t *data; /* LOOP_RECV with res > 0: the bytes, valid until the next wait */
};

struct loop;

/* "epoll", "poll", "select", "io_uring", "io_uring-poll". */
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
/* Removes fd; with a loop_send() in flight, cancels it and takes `block`
 * (see loop_send()): the caller must not free it. */
int loop_del(struct loop *l, int fd);

/* Whether the loop does socket I/O (LOOP_RECV, loop_send()). */
bool loop_has_io(const struct loop *l);
/* Sends len bytes (at most 1 GiB) at p on fd, registered with LOOP_RECV;
 * the completion is a LOOP_SENT event. p must stay valid and unmoved until
 * then. `block` is the malloc'd block p lies in (NULL: memory that is never
 * freed): if fd is removed first, the loop frees it once the kernel is done
 * with it. 0, -EBUSY (a send is in flight), -ENOENT, -EINVAL (not LOOP_RECV),
 * -EOPNOTSUPP (no socket I/O). */
int loop_send(struct loop *l, int fd, const void *p, size_t len, void *block);

/* Waits up to timeout_ns (< 0: forever, 0: poll) and fills up to max events.
 * Returns the number of events (0 on timeout or EINTR) or -errno. */
int loop_wait(struct loop *l, struct loop_event *ev, int max, int64_t timeout_ns);

#endif
