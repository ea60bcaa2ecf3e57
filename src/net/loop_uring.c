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
 * A completion's user_data is (kind << 62 | generation << 32 | fd), the
 * generation cut to 30 bits. A poll's generation is bumped by mod and del,
 * which queue a POLL_REMOVE of the old poll, so a completion that was already
 * on its way (or the -ECANCELED of the removal) is known to be stale and
 * dropped. Queued SQEs run in order, so an fd number that is closed and
 * reused before the next submit is still handled right: the old poll is
 * removed before the new one is armed.
 * Socket I/O (io): an fd registered with LOOP_RECV gets, while its interest
 * holds LOOP_READ, one multishot IORING_OP_RECV instead of a poll for input:
 * it stays armed and completes once per arrival, into a buffer the kernel
 * picks from a buffer ring (IOSQE_BUFFER_SELECT) then, so ten thousand idle
 * connections hold no buffer; the buffers reported by a wait go back to the
 * ring at the start of the next one. A completion without IORING_CQE_F_MORE
 * ends it (end of stream, error, no buffer free): it is armed again at the
 * next wait. Interest without LOOP_READ cancels it, and what it brings until
 * the cancellation lands is still reported. Sends are IORING_OP_SEND, one in
 * flight per fd. Receives and sends carry the registration's generation
 * ("life", bumped by add and del), not the poll's; del cancels them, and
 * their late completions only give back the buffer (receive) or free the
 * caller's block (send, kept on an orphan list by user_data until then).
 * With socket I/O the ring is made with IORING_SETUP_DEFER_TASKRUN (6.1;
 * else COOP_TASKRUN, 5.19): the kernel finishes completions when the worker
 * enters it to wait, in a batch, instead of interrupting it, so a wait with
 * a zero timeout enters it too. DEFER_TASKRUN needs SINGLE_ISSUER: the ring
 * is made disabled, so the thread that creates it may queue registrations,
 * and the first wait (or a full submission queue) enables it on its own
 * thread, which then is the only one to submit (and to destroy the loop,
 * if anything is in flight).
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
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "net/loop_backend.h"
#include "util/xalloc.h"

#define SQ_ENTRIES 256
#define CQ_ENTRIES 4096
#define NBUF 256               /* receive buffers (a power of two) */
#define BGID 0                 /* their buffer group */
#define UD_IGNORE UINT64_MAX   /* user_data of removals and cancellations */
#define GEN_MASK 0x3fffffffu

enum { UD_POLL = 0, UD_RECV = 1, UD_SEND = 2 };

struct reg {
	void *ptr;
	unsigned events;
	uint32_t gen;     /* the poll's: bumped by every mod/del */
	uint32_t life;    /* the registration's: bumped by add and del (recv, send) */
	bool active;      /* registered */
	bool armed;       /* a poll for the current generation is queued or in flight */
	bool recving;     /* a (multishot) receive of this life is in flight */
	bool recv_stop;   /* ...and its cancellation is queued (paused) */
	bool sending;     /* a send of this life is in flight */
	void *send_block; /* the caller's block of that send */
	/* the SQEs of the receive and the send, and the submission count when
	 * they were queued: still that count, they have not left */
	struct io_uring_sqe *recv_sqe, *send_sqe;
	unsigned recv_seq, send_seq;
};

/* A send whose fd was removed: its block is freed when it completes. */
struct orphan {
	uint64_t ud;
	void *block;
};

struct loop_uring {
	struct loop base;
	struct io_uring ring;
	struct reg *reg;  /* by fd */
	int nreg;
	int *rearm;       /* fds whose poll or receive completed and was reported */
	int nrearm, rearm_cap;
	/* socket I/O (base.io) */
	struct io_uring_buf_ring *br;
	uint8_t *bufs;    /* NBUF buffers of LOOP_RECV_MAX bytes */
	uint16_t lent[NBUF]; /* buffers reported by the last wait */
	int nlent;
	int nreturn;      /* buffers added to the ring, not yet made visible */
	struct orphan *orphans;
	int norphans, orphan_cap;
	int inflight;     /* receives and sends in the kernel */
	bool disabled;    /* made disabled: enabled by the first wait, on its thread */
	unsigned nsubmit; /* submissions so far */
};

static uint64_t ud_of(unsigned kind, int fd, uint32_t gen)
{
	return (uint64_t)kind << 62 | (uint64_t)(gen & GEN_MASK) << 32 | (uint32_t)fd;
}

/* A ring made disabled is enabled by the first thread that submits. */
static int enable(struct loop_uring *u)
{
	if (u->disabled) {
		/* the system call: liburing 2.3 declares io_uring_enable_rings()
		 * but does not export it */
		if (syscall(__NR_io_uring_register, u->ring.ring_fd, IORING_REGISTER_ENABLE_RINGS,
			    NULL, 0) < 0)
			return -errno;
		u->disabled = false;
	}
	return 0;
}

/* A free SQE; submits what is queued when the ring is full. */
static struct io_uring_sqe *sqe_get(struct loop_uring *u)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(&u->ring);

	if (sqe == NULL && enable(u) == 0 && (u->nsubmit++, io_uring_submit(&u->ring)) >= 0)
		sqe = io_uring_get_sqe(&u->ring);
	return sqe;
}

/* Turns a queued SQE that has not been submitted into a no-op: a request
 * of an fd being removed must not reach the kernel, where the fd number
 * may by then name another connection's socket. */
static void unqueue(struct loop_uring *u, struct io_uring_sqe *sqe)
{
	io_uring_prep_nop(sqe);
	io_uring_sqe_set_data64(sqe, UD_IGNORE);
	u->inflight--;
}

/* The poll mask a registration needs: input comes by receive with LOOP_RECV
 * (no poll at all when nothing else is asked for). */
static bool poll_wanted(const struct reg *r, unsigned *mask)
{
	if (r->events & LOOP_RECV) {
		*mask = loop_poll_mask(r->events & LOOP_WRITE);
		return *mask != 0;
	}
	*mask = loop_poll_mask(r->events);
	return true;
}

/* Queues what fd's registration needs and lacks: its poll, its receive. */
static int arm(struct loop_uring *u, int fd)
{
	struct reg *r = &u->reg[fd];
	struct io_uring_sqe *sqe;
	unsigned mask;

	if (!r->armed && poll_wanted(r, &mask)) {
		sqe = sqe_get(u);
		if (sqe == NULL)
			return -EBUSY;
		io_uring_prep_poll_add(sqe, fd, mask);
		io_uring_sqe_set_data64(sqe, ud_of(UD_POLL, fd, r->gen));
		r->armed = true;
	}
	if ((r->events & (LOOP_RECV | LOOP_READ)) == (LOOP_RECV | LOOP_READ) && !r->recving) {
		sqe = sqe_get(u);
		if (sqe == NULL)
			return -EBUSY;
		/* multishot: length 0, each completion a whole buffer at most */
		io_uring_prep_recv_multishot(sqe, fd, NULL, 0, 0);
		sqe->flags |= IOSQE_BUFFER_SELECT;
		sqe->buf_group = BGID;
		io_uring_sqe_set_data64(sqe, ud_of(UD_RECV, fd, r->life));
		r->recving = true;
		r->recv_sqe = sqe;
		r->recv_seq = u->nsubmit;
		u->inflight++;
	}
	return 0;
}

/* Queues the cancellation of the request with user_data ud. */
static int cancel(struct loop_uring *u, uint64_t ud)
{
	struct io_uring_sqe *sqe = sqe_get(u);

	if (sqe == NULL)
		return -EBUSY;
	io_uring_prep_cancel64(sqe, ud, 0);
	io_uring_sqe_set_data64(sqe, UD_IGNORE);
	return 0;
}

/* Retires the fd's current poll generation: its poll, if any, is removed. */
static int disarm(struct loop_uring *u, int fd)
{
	struct reg *r = &u->reg[fd];

	if (r->armed) {
		struct io_uring_sqe *sqe = sqe_get(u);

		if (sqe == NULL)
			return -EBUSY;
		io_uring_prep_poll_remove(sqe, ud_of(UD_POLL, fd, r->gen));
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
	u->reg[fd].life++;
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
	if (u->reg[fd].recving && !(events & LOOP_READ) && !u->reg[fd].recv_stop) {
		/* paused: what arrives before the cancellation is still reported */
		rc = cancel(u, ud_of(UD_RECV, fd, u->reg[fd].life));
		if (rc < 0)
			return rc;
		u->reg[fd].recv_stop = true;
	}
	return arm(u, fd);
}

static int ur_del(struct loop *l, int fd)
{
	struct loop_uring *u = (struct loop_uring *)l;
	struct reg *r;

	if (fd >= u->nreg || !u->reg[fd].active)
		return -ENOENT;
	r = &u->reg[fd];
	r->active = false;
	if (r->recving) {
		if (r->recv_seq == u->nsubmit)
			unqueue(u, r->recv_sqe);
		else if (!r->recv_stop)
			cancel(u, ud_of(UD_RECV, fd, r->life));
		r->recving = false;
		r->recv_stop = false;
	}
	if (r->sending && r->send_seq == u->nsubmit) {
		unqueue(u, r->send_sqe);
		free(r->send_block); /* the kernel never saw it */
	} else if (r->sending) {
		uint64_t ud = ud_of(UD_SEND, fd, r->life);

		cancel(u, ud);
		if (r->send_block != NULL) {
			if (u->norphans == u->orphan_cap) {
				u->orphan_cap = u->orphan_cap ? u->orphan_cap * 2 : 16;
				u->orphans = xrealloc(u->orphans,
						      (size_t)u->orphan_cap * sizeof *u->orphans);
			}
			u->orphans[u->norphans++] = (struct orphan){ ud, r->send_block };
		}
	}
	r->sending = false;
	r->send_block = NULL;
	r->life++;
	return disarm(u, fd);
}

static int ur_send(struct loop *l, int fd, const void *p, size_t len, void *block)
{
	struct loop_uring *u = (struct loop_uring *)l;
	struct io_uring_sqe *sqe;
	struct reg *r;

	if (fd >= u->nreg || !u->reg[fd].active)
		return -ENOENT;
	r = &u->reg[fd];
	if (!(r->events & LOOP_RECV) || len > (1u << 30))
		return -EINVAL;
	if (r->sending)
		return -EBUSY;
	sqe = sqe_get(u);
	if (sqe == NULL)
		return -EBUSY;
	io_uring_prep_send(sqe, fd, p, len, MSG_NOSIGNAL);
	io_uring_sqe_set_data64(sqe, ud_of(UD_SEND, fd, r->life));
	r->sending = true;
	r->send_block = block;
	r->send_sqe = sqe;
	r->send_seq = u->nsubmit;
	u->inflight++;
	return 0;
}

/* Gives buffer bid back to the ring (visible at the next buf_flush()). */
static void buf_return(struct loop_uring *u, unsigned bid)
{
	io_uring_buf_ring_add(u->br, u->bufs + (size_t)bid * LOOP_RECV_MAX, LOOP_RECV_MAX,
			      (unsigned short)bid, io_uring_buf_ring_mask(NBUF), u->nreturn++);
}

static void buf_flush(struct loop_uring *u)
{
	if (u->nreturn > 0) {
		io_uring_buf_ring_advance(u->br, u->nreturn);
		u->nreturn = 0;
	}
}

static void rearm_later(struct loop_uring *u, int fd)
{
	if (u->nrearm == u->rearm_cap) {
		u->rearm_cap = u->rearm_cap ? u->rearm_cap * 2 : 64;
		u->rearm = xrealloc(u->rearm, (size_t)u->rearm_cap * sizeof *u->rearm);
	}
	u->rearm[u->nrearm++] = fd;
}

/* Frees the block of a removed fd's send (user_data ud), if there is one. */
static void orphan_done(struct loop_uring *u, uint64_t ud)
{
	for (int i = 0; i < u->norphans; i++)
		if (u->orphans[i].ud == ud) {
			free(u->orphans[i].block);
			u->orphans[i] = u->orphans[--u->norphans];
			return;
		}
}

/* A registration r of fd, if the completion's generation g is its life. */
static struct reg *live(struct loop_uring *u, int fd, uint32_t g)
{
	struct reg *r = fd < u->nreg ? &u->reg[fd] : NULL;

	return r != NULL && r->active && (r->life & GEN_MASK) == g ? r : NULL;
}

/* A receive completed: fills ev and returns 1 when it is to be reported. */
static int on_recv(struct loop_uring *u, int fd, uint32_t g, const struct io_uring_cqe *cqe,
		   struct loop_event *ev)
{
	struct reg *r = live(u, fd, g);
	bool has_buf = (cqe->flags & IORING_CQE_F_BUFFER) != 0;
	bool last = !(cqe->flags & IORING_CQE_F_MORE);
	unsigned bid = cqe->flags >> IORING_CQE_BUFFER_SHIFT;

	if (last)
		u->inflight--;
	if (r == NULL || !r->recving) {
		if (has_buf)
			buf_return(u, bid);
		return 0;
	}
	if (last) { /* ended: end of stream, error, no buffer, or paused */
		r->recving = false;
		r->recv_stop = false;
		rearm_later(u, fd);
	}
	if (cqe->res == -ENOBUFS || cqe->res == -EINTR || cqe->res == -EAGAIN ||
	    (cqe->res == -ECANCELED && last))
		return 0; /* no buffer free now (tried again on the next wait), or paused */
	ev->ptr = r->ptr;
	ev->events = LOOP_RECV;
	ev->res = cqe->res;
	ev->data = NULL;
	if (cqe->res > 0 && has_buf) {
		ev->data = u->bufs + (size_t)bid * LOOP_RECV_MAX;
		u->lent[u->nlent++] = (uint16_t)bid;
	} else if (has_buf) {
		buf_return(u, bid);
	} else if (cqe->res > 0) {
		ev->res = -EIO; /* bytes without a buffer: cannot happen */
	}
	return 1;
}

/* A send completed: fills ev and returns 1 when it is to be reported. */
static int on_send(struct loop_uring *u, uint64_t ud, int fd, uint32_t g, int res,
		   struct loop_event *ev)
{
	struct reg *r = live(u, fd, g);

	u->inflight--;
	if (r == NULL || !r->sending) {
		orphan_done(u, ud);
		return 0;
	}
	r->sending = false;
	r->send_block = NULL;
	ev->ptr = r->ptr;
	ev->events = LOOP_SENT;
	ev->res = res;
	ev->data = NULL;
	return 1;
}

/* A poll completed: fills ev and returns 1 when it is to be reported. */
static int on_poll(struct loop_uring *u, int fd, uint32_t g, int res, struct loop_event *ev)
{
	struct reg *r = fd < u->nreg ? &u->reg[fd] : NULL;

	if (r == NULL || !r->active || !r->armed || (r->gen & GEN_MASK) != g)
		return 0; /* a poll retired by mod/del */
	r->armed = false;
	rearm_later(u, fd);
	ev->ptr = r->ptr;
	if (res < 0)
		ev->events = LOOP_ERROR; /* the poll itself failed: let the handler find out */
	else
		ev->events = loop_poll_events((unsigned)res);
	return 1;
}

/* One completion: 1 when it filled ev. */
static int on_cqe(struct loop_uring *u, const struct io_uring_cqe *cqe, struct loop_event *ev)
{
	uint64_t ud = io_uring_cqe_get_data64(cqe);
	int fd = (int)(uint32_t)ud;
	uint32_t g = (uint32_t)(ud >> 32) & GEN_MASK;

	if (ud == UD_IGNORE)
		return 0; /* a removal or cancellation */
	switch (ud >> 62) {
	case UD_RECV:
		return on_recv(u, fd, g, cqe, ev);
	case UD_SEND:
		return on_send(u, ud, fd, g, cqe->res, ev);
	default:
		return on_poll(u, fd, g, cqe->res, ev);
	}
}

static int ur_wait(struct loop *l, struct loop_event *ev, int max, int64_t timeout_ns)
{
	struct loop_uring *u = (struct loop_uring *)l;
	struct io_uring_cqe *cqe;
	int rc, k = 0;

	rc = enable(u); /* this thread becomes the ring's one submitter */
	if (rc < 0)
		return rc;
	for (int i = 0; i < u->nlent; i++)
		buf_return(u, u->lent[i]);
	u->nlent = 0;
	buf_flush(u);
	for (int i = 0; i < u->nrearm; i++) {
		int fd = u->rearm[i];

		if (u->reg[fd].active && arm(u, fd) < 0)
			return -EBUSY;
	}
	u->nrearm = 0;
	u->nsubmit++; /* what is queued leaves now */
	if (timeout_ns == 0 && l->io) {
		/* completions wait for the task to enter the kernel (COOP_TASKRUN):
		 * enter, even with nothing to submit */
		struct __kernel_timespec ts = { 0 };

		rc = io_uring_submit_and_wait_timeout(&u->ring, &cqe, 1, &ts, NULL);
	} else if (timeout_ns == 0) {
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
	/* A receive's buffer stays lent until the next wait: at most NBUF. */
	if (l->io && max > NBUF)
		max = NBUF;
	while (k < max && io_uring_peek_cqe(&u->ring, &cqe) == 0) {
		k += on_cqe(u, cqe, &ev[k]);
		io_uring_cqe_seen(&u->ring, cqe);
	}
	buf_flush(u);
	return k;
}

/* Cancels the socket I/O in flight and waits (a second at most) for its
 * completions, so the kernel is done with the buffers and blocks; false if
 * some never came (their memory is then left alone). */
static bool drain(struct loop_uring *u)
{
	struct io_uring_sqe *sqe;
	struct io_uring_cqe *cqe;

	if (u->inflight == 0 || u->disabled)
		return true; /* nothing ever reached the kernel */
	sqe = sqe_get(u);
	if (sqe == NULL)
		return false;
	io_uring_prep_cancel64(sqe, 0, IORING_ASYNC_CANCEL_ANY);
	io_uring_sqe_set_data64(sqe, UD_IGNORE);
	u->nsubmit++;
	io_uring_submit(&u->ring);
	while (u->inflight > 0) {
		struct __kernel_timespec ts = { .tv_sec = 1 };

		if (io_uring_wait_cqe_timeout(&u->ring, &cqe, &ts) < 0)
			return false;
		uint64_t ud = io_uring_cqe_get_data64(cqe);

		if (ud != UD_IGNORE && (ud >> 62) != UD_POLL && !(cqe->flags & IORING_CQE_F_MORE)) {
			u->inflight--;
			orphan_done(u, ud); /* a receive's ud is never an orphan's */
		}
		io_uring_cqe_seen(&u->ring, cqe);
	}
	return true;
}

static void ur_destroy(struct loop *l)
{
	struct loop_uring *u = (struct loop_uring *)l;
	bool done = drain(u);

	io_uring_queue_exit(&u->ring);
	if (done) {
		for (int i = 0; i < u->norphans; i++)
			free(u->orphans[i].block);
		free(u->bufs);
		free(u->br);
	}
	free(u->orphans);
	free(u->reg);
	free(u->rearm);
	free(u);
}

static const struct loop_ops uring_ops = {
	.add = ur_add, .mod = ur_mod, .del = ur_del, .wait = ur_wait, .destroy = ur_destroy,
	.send = ur_send,
};

/* The receive buffers as buffer ring BGID; false where the kernel has no
 * buffer rings (before 5.19): the loop then does no socket I/O. */
static bool setup_bufs(struct loop_uring *u)
{
	struct io_uring_buf_reg reg = { .ring_entries = NBUF, .bgid = BGID };
	void *br;

	if (posix_memalign(&br, 4096, NBUF * sizeof(struct io_uring_buf)) != 0)
		return false;
	reg.ring_addr = (uint64_t)(uintptr_t)br;
	if (io_uring_register_buf_ring(&u->ring, &reg, 0) < 0) {
		free(br);
		return false;
	}
	u->br = br;
	u->bufs = xmalloc((size_t)NBUF * LOOP_RECV_MAX);
	io_uring_buf_ring_init(u->br);
	for (unsigned i = 0; i < NBUF; i++)
		buf_return(u, i);
	buf_flush(u);
	return true;
}

int loop_uring_create(struct loop **out, bool io, struct err *e)
{
	struct loop_uring *u = xcalloc(1, sizeof *u);
	struct io_uring_params params = { .flags = IORING_SETUP_CQSIZE, .cq_entries = CQ_ENTRIES };
	int rc;

	if (io) {
		params.flags |= IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER |
				IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_R_DISABLED;
		u->disabled = true;
	}
	rc = io_uring_queue_init_params(SQ_ENTRIES, &u->ring, &params);
	if (rc == -EINVAL && io) { /* before 6.1: no DEFER_TASKRUN */
		params = (struct io_uring_params){
			.flags = IORING_SETUP_CQSIZE | IORING_SETUP_COOP_TASKRUN,
			.cq_entries = CQ_ENTRIES };
		u->disabled = false;
		rc = io_uring_queue_init_params(SQ_ENTRIES, &u->ring, &params);
	}
	if (rc == -EINVAL && io) { /* before 5.19: no COOP_TASKRUN, nor buffer rings */
		params = (struct io_uring_params){ .flags = IORING_SETUP_CQSIZE,
						   .cq_entries = CQ_ENTRIES };
		io = false;
		rc = io_uring_queue_init_params(SQ_ENTRIES, &u->ring, &params);
	}
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
	u->base.io = io && setup_bufs(u);
	*out = &u->base;
	return 0;
}
