/* loop_uring.c -- the io_uring back end of net/loop (see loop.h).
 *
 * Readiness through IORING_OP_POLL_ADD, one-shot: a registered fd has at most
 * one poll in flight ("armed"). When its completion is reported, the fd goes
 * on a re-arm list and is armed again at the start of the next wait; a poll
 * armed on a still-ready fd completes at once, so the loop is level-triggered
 * like the others (multishot polls are edge-like: a handler that stops
 * reading early would never hear of the rest). Every add, change, removal and
 * re-arm is only queued: the one io_uring_enter() of loop_wait() submits them
 * and waits, which is where io_uring saves system calls.
 * A completion's user_data is (generation << 32 | fd). mod and del bump the
 * fd's generation and queue a POLL_REMOVE of the old poll, so a completion
 * that was already on its way (or the -ECANCELED of the removal) is known to
 * be stale and dropped. Queued SQEs run in order, so an fd number that is
 * closed and reused before the next submit is still handled right: the old
 * poll is removed before the new one is armed.
 * The completion queue is sized well above the submission queue; the kernel
 * keeps overflowing completions (IORING_FEAT_NODROP) and liburing flushes
 * them, so many connections only cost extra io_uring_enter() calls. */
#include <errno.h>
#include <limits.h>
#include <liburing.h>
#include <poll.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "net/loop_backend.h"
#include "util/xalloc.h"

#define SQ_ENTRIES 256
#define CQ_ENTRIES 4096
#define UD_IGNORE UINT64_MAX /* user_data of POLL_REMOVE requests */

struct reg {
	void *ptr;
	unsigned events;
	uint32_t gen;     /* bumped by every mod/del */
	bool active;      /* registered */
	bool armed;       /* a poll for the current generation is queued or in flight */
};

struct loop_uring {
	struct loop base;
	struct io_uring ring;
	struct reg *reg;  /* by fd */
	int nreg;
	int *rearm;       /* fds whose poll completed and was reported */
	int nrearm, rearm_cap;
};

static uint64_t ud_of(int fd, uint32_t gen)
{
	return (uint64_t)gen << 32 | (uint32_t)fd;
}

/* A free SQE; submits what is queued when the ring is full. */
static struct io_uring_sqe *sqe_get(struct loop_uring *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (sqe == NULL && io_uring_submit(&u->ring) >= 0)
		sqe = io_uring_get_sqe(&u->ring);
	return sqe;
}

static int arm(struct loop_uring *u, int fd)
{
	struct reg *r = &u->reg[fd];
	struct io_uring_sqe *sqe = sqe_get(u);

	if (sqe == NULL)
		return -EBUSY;
	io_uring_prep_poll_add(sqe, fd, loop_poll_mask(r->events));
	io_uring_sqe_set_data64(sqe, ud_of(fd, r->gen));
	r->armed = true;
	return 0;
}

/* Retires the fd's current generation: its poll, if any, is cancelled. */
static int disarm(struct loop_uring *u, int fd)
{
	struct reg *r = &u->reg[fd];

	if (r->armed) {
		struct io_uring_sqe *sqe = sqe_get(u);

		if (sqe == NULL)
			return -EBUSY;
		io_uring_prep_poll_remove(sqe, ud_of(fd, r->gen));
		io_uring_sqe_set_data64(sqe, UD_IGNORE);
		r->armed = false;
	}
	r->gen++;
	return 0;
}

static int ur_add(struct loop *l, int fd, unsigned events, void *ptr)
{
	struct loop_uring *u = (struct loop_uring *)l;

	if (fd >= u->nreg) {
		int n = u->nreg ? u->nreg : 64;

		while (n <= fd)
			n *= 2;
		u->reg = xrealloc(u->reg, (size_t)n * sizeof *u->reg);
		memset(u->reg + u->nreg, 0, (size_t)(n - u->nreg) * sizeof *u->reg);
		u->nreg = n;
	}
	if (u->reg[fd].active)
		return -EEXIST;
	u->reg[fd].active = true;
	u->reg[fd].ptr = ptr;
	u->reg[fd].events = events;
	u->reg[fd].gen++;
	return arm(u, fd);
}

static int ur_mod(struct loop *l, int fd, unsigned events, void *ptr)
{
	struct loop_uring *u = (struct loop_uring *)l;
	int rc;

	if (fd >= u->nreg || !u->reg[fd].active)
		return -ENOENT;
	rc = disarm(u, fd);
	if (rc < 0)
		return rc;
	u->reg[fd].ptr = ptr;
	u->reg[fd].events = events;
	return arm(u, fd);
}

static int ur_del(struct loop *l, int fd)
{
	struct loop_uring *u = (struct loop_uring *)l;

	if (fd >= u->nreg || !u->reg[fd].active)
		return -ENOENT;
	u->reg[fd].active = false;
	return disarm(u, fd);
}

static int ur_wait(struct loop *l, struct loop_event *ev, int max, int64_t timeout_ns)
{
	struct loop_uring *u = (struct loop_uring *)l;
	struct io_uring_cqe *cqe;
	int rc, k = 0;

	for (int i = 0; i < u->nrearm; i++) {
		int fd = u->rearm[i];

		if (u->reg[fd].active && !u->reg[fd].armed && arm(u, fd) < 0)
			return -EBUSY;
	}
	u->nrearm = 0;
	if (timeout_ns == 0) {
		rc = io_uring_submit(&u->ring);
	} else if (timeout_ns < 0) {
		rc = io_uring_submit_and_wait(&u->ring, 1);
	} else {
		struct __kernel_timespec ts = {
			.tv_sec = timeout_ns / 1000000000LL,
			.tv_nsec = timeout_ns % 1000000000LL,
		};

		rc = io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1, &ts, NULL);
	}
	if (rc < 0 && rc != -ETIME && rc != -EINTR)
		return rc;
	while (k < max && io_uring_peek_cqe(&u->ring, &cqe) == 0) {
		uint64_t ud = io_uring_cqe_get_data64(cqe);
		int res = cqe->res;
		int fd = (int)(uint32_t)ud;
		struct reg *r = fd < u->nreg ? &u->reg[fd] : NULL;

		io_uring_cqe_seen(&u->ring, cqe);
		if (ud == UD_IGNORE || r == NULL || !r->active || !r->armed ||
		    r->gen != (uint32_t)(ud >> 32))
			continue; /* removal result, or a poll retired by mod/del */
		r->armed = false;
		if (u->nrearm == u->rearm_cap) {
			u->rearm_cap = u->rearm_cap ? u->rearm_cap * 2 : 64;
			u->rearm = xrealloc(u->rearm, (size_t)u->rearm_cap * sizeof *u->rearm);
		}
		u->rearm[u->nrearm++] = fd;
		ev[k].ptr = r->ptr;
		if (res < 0)
			ev[k].events = LOOP_ERROR; /* the poll itself failed: let the handler find out */
		else
			ev[k].events = loop_poll_events((unsigned)res);
		k++;
	}
	return k;
}

static void ur_destroy(struct loop *l)
{
	struct loop_uring *u = (struct loop_uring *)l;

	io_uring_queue_exit(&u->ring);
	free(u->reg);
	free(u->rearm);
	free(u);
}

static const struct loop_ops uring_ops = {
	.add = ur_add, .mod = ur_mod, .del = ur_del, .wait = ur_wait, .destroy = ur_destroy,
};

int loop_uring_create(struct loop **out, struct err *e)
{
	struct loop_uring *u = xcalloc(1, sizeof *u);
	struct io_uring_params params = { .flags = IORING_SETUP_CQSIZE, .cq_entries = CQ_ENTRIES };
	int rc;

	rc = io_uring_queue_init_params(SQ_ENTRIES, &u->ring, &params);
	if (rc < 0) {
		free(u);
		err_set(e, "io_uring_queue_init failed: %s (io_uring is unavailable: a kernel "
			"without it, the kernel.io_uring_disabled sysctl, or a seccomp filter such "
			"as a container runtime's; choose another --poll-mode)", errstr(rc));
		return rc;
	}
	if (!(params.features & IORING_FEAT_NODROP)) {
		io_uring_queue_exit(&u->ring);
		free(u);
		err_set(e, "io_uring: this kernel may drop completions (no IORING_FEAT_NODROP, "
			"before 5.5); choose another --poll-mode");
		return -ENOSYS;
	}
	u->base.ops = &uring_ops;
	u->base.max_fd = INT_MAX;
	*out = &u->base;
	return 0;
}
