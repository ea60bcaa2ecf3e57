/* worker.c -- see worker.h.
 *
 * DESIGN: one event loop per worker thread (net/loop: epoll, poll, select or
 * io_uring, as --poll-mode says; with --wait-spin it is polled with a zero
 * timeout instead of slept in). Three kinds of descriptor sit in
 * it: listeners (CHILD/SHARED accept modes) and the wake eventfd, client
 * connections, and peer connections (this worker's pooled connections to the
 * nodes it forwards to; one per target address, pipelined, replies matched by
 * id). A request becomes a task: its header and program are copied out of the
 * input buffer (padding is dropped as it streams by), then the executor runs
 * it until it needs I/O. A FORWARD sends one frame per target and parks the
 * task; replies, failures and the per-attempt timer move it on. A forward id
 * packs (task slot, task generation, forward sequence, branch) so a late
 * reply for a finished or re-used task is recognised and ignored.
 * Output is appended to per-connection buffers and flushed after each event,
 * so replies produced by one read go out in one send().
 * Input is read into a per-worker scratch buffer; only an incomplete frame's
 * bytes are copied into the connection, so idle connections hold no buffers. */
#include "node/worker.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/eventfd.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/iobuf.h"
#include "net/loop.h"
#include "net/netdelay.h"
#include "net/sock.h"
#include "net/timer.h"
#include "prog/route.h"
#include "proto/auth.h"
#include "storage/storage.h"
#include "util/clock.h"
#include "util/cpulist.h"
#include "util/log.h"
#include "util/schedpol.h"
#include "util/xalloc.h"

#define SCRATCH_LEN (64 * 1024)
/* "node ADDR: MESSAGE" always fits, so snprintf's count is the length sent. */
#define NODE_MSG_LEN (sizeof "node : " + SOCK_ADDR_STRLEN + ERR_MSG_LEN)
#define MAX_EVENTS 128
#define MAX_TASKS (1u << 20)
#define ACCEPT_BATCH 64

enum handle_kind {
	H_LISTEN = 1,
	H_WAKE = 2,
	H_CLIENT = 3,
	H_PEER = 4,
	H_UDP = 5,
};

#define UDP_BATCH 64

/* Client connections open in this process, against --max-conns. */
static atomic_ulong open_clients;
/* Padding of UDP replies: sent by reference, never copied. */
static const uint8_t udp_zeros[SOCK_UDP_MAX_PAYLOAD];

struct handle {
	enum handle_kind kind;
};

/* Output that is not copied into conn.out: a sendfile() reply's data, or
 * large zero padding. It goes out once the stream has reached byte `at`
 * (counted in bytes appended to conn.out). */
struct out_seg {
	uint64_t at;
	uint64_t off;                  /* file offset of the next byte */
	uint64_t len;                  /* bytes still to send */
	bool zeros;                    /* padding, not file data */
	struct out_seg *next;
};

/* Padding up to this size is copied into conn.out; larger padding is a
 * segment, so a 64 MiB reply costs no memory. */
#define INLINE_PAD (64 * 1024)
/* A client connection with this much output queued is not read from until
 * it drains: a client that never reads cannot make the node buffer without
 * bound. */
#define OUT_HIGH (1024 * 1024)
static const uint8_t zero_page[64 * 1024];

struct conn {
	struct handle h;               /* H_CLIENT or H_PEER; first member */
	int fd;                        /* -1 when closed */
	uint32_t gen;                  /* bumped on close: stale task references */
	struct iobuf in;               /* bytes of an incomplete frame */
	struct iobuf out;              /* bytes not yet sent */
	uint64_t out_total, out_sent;  /* bytes ever appended to / sent from out */
	struct out_seg *segs;          /* pending segments, in stream order */
	struct out_seg **segs_tail;
	uint64_t seg_bytes;            /* bytes still to send in segs */
	unsigned interest;             /* LOOP_READ / LOOP_WRITE registered */
	uint64_t discard;              /* padding of the current frame still to drop */
	bool closing;                  /* close once out is flushed */
	bool dirty;                    /* on the worker's flush list */
	bool connecting;               /* peer: connect() in progress */
	struct conn *next;             /* free list or flush list */
	struct sockaddr_storage addr;  /* peer: target address */
	socklen_t addrlen;
	char name[SOCK_ADDR_STRLEN];   /* remote address for messages */
	uint32_t idx;                  /* in worker->all_conns, for timer keys */
	uint64_t delay_mask;           /* --net-delay rules for this peer; 0: none */
	struct delay_queue delayed;    /* when held output may go (delay_mask != 0) */
};

/* Timer keys with this bit release a connection's delayed output; the others
 * are forward timeouts (task slots stay below 2^20, so never reach it). */
#define DELAY_TIMER (1ull << 63)

#define MAX_BRANCH 64

struct task {
	uint32_t slot;                 /* index in worker->tasks */
	uint32_t gen;                  /* bumped on free */
	bool busy;                     /* allocated */
	bool waiting;                  /* parked on a forward */
	bool in_storage;               /* sreq is with the storage thread */
	struct conn *client;           /* reply destination (TCP) */
	uint32_t client_gen;           /* client->gen when the request arrived */
	bool udp;                      /* came as a datagram: reply to udp_peer */
	struct sockaddr_storage udp_peer;
	socklen_t udp_peer_len;
	uint64_t req_id;               /* echoed in the reply */
	uint8_t *prog;                 /* copy of the program */
	uint32_t prog_len, prog_cap;
	struct exec_cursor cur;        /* where the program is */
	struct wire_forward fwd;       /* the forward being waited for */
	uint8_t fwd_seq;               /* attempt sequence, part of forward ids */
	uint32_t attempts;             /* retries used */
	uint64_t acked, failed;        /* per-target bitmasks of this forward */
	struct conn *peers[MAX_BRANCH]; /* connection each target was sent on */
	uint16_t err_status;           /* first failure of the forward */
	char err[200];                 /* its message */
	struct storage_req sreq;       /* the LOAD / STORE / sendfile read in progress */
	struct task *next_free;
};

struct worker {
	const struct node_config *cfg;
	int index;
	pthread_t thread;
	struct loop *loop;
	struct handle listen_h;        /* H_LISTEN */
	int listen_fd;                 /* -1 in PARENT mode */
	struct handle udp_h;           /* H_UDP */
	int udp_fd;                    /* this worker's UDP socket, or -1 */
	struct sockaddr_storage udp_src; /* sender of the datagram being parsed */
	socklen_t udp_src_len;
	struct handle wake_h;          /* H_WAKE */
	int wake_fd;                   /* eventfd: hand-off and stop */
	atomic_bool stop;
	pthread_mutex_t start_lock;    /* guards start_rc, start_err */
	pthread_cond_t start_cond;
	int start_rc;                  /* 1 while setting up, then 0 or -errno */
	struct err start_err;          /* why the set-up failed */
	pthread_mutex_t handoff_lock;  /* guards handoff[] */
	int *handoff;                  /* fds given by the accept thread */
	size_t nhandoff, handoff_cap;
	struct conn **all_conns;       /* every conn ever allocated, for teardown */
	size_t nall_conns;
	struct conn *free_conns;
	struct conn *flush_list;
	struct conn **peers;           /* pooled peer connections */
	size_t npeers;
	struct task **tasks;           /* by slot */
	uint32_t ntasks;
	struct task *free_tasks;
	struct timer_heap timers;
	struct rng rng;
	struct storage *storage;       /* the node's; NULL: storage ops unsupported */
	pthread_mutex_t done_lock;     /* guards done */
	struct storage_req *done;      /* completed storage requests (newest first) */
	uint8_t *scratch;              /* SCRATCH_LEN read buffer */
	struct wire_buf route_prog;    /* the program of the route request being started */
	char self[SOCK_ADDR_STRLEN];   /* this node, for error messages */
	uint64_t delay_samples;        /* --net-delay samples drawn, their index */
	struct worker_stats st;
};

static void finish_task(struct worker *w, struct task *t, uint16_t status, const char *msg,
			uint64_t size);
static void continue_task(struct worker *w, struct task *t);
static void close_conn(struct worker *w, struct conn *c, const char *why);

/* -- tasks -- */

static struct task *task_alloc(struct worker *w)
{
	struct task *t = w->free_tasks;

	if (t != NULL) {
		w->free_tasks = t->next_free;
	} else {
		if (w->ntasks >= MAX_TASKS)
			return NULL;
		if ((w->ntasks & (w->ntasks - 1)) == 0) /* grow at powers of two */
			w->tasks = xrealloc(w->tasks, (w->ntasks ? w->ntasks * 2 : 16) * sizeof *w->tasks);
		t = xcalloc(1, sizeof *t);
		t->slot = w->ntasks;
		w->tasks[w->ntasks++] = t;
	}
	t->busy = true;
	t->waiting = false;
	t->attempts = 0;
	t->err[0] = '\0';
	return t;
}

static void task_free(struct worker *w, struct task *t)
{
	t->busy = false;
	t->waiting = false;
	t->gen++;
	t->next_free = w->free_tasks;
	w->free_tasks = t;
}

/* Forward ids: slot(32) | gen(16) | fwd_seq(8) | branch(8). */
static uint64_t fwd_id(const struct task *t, uint32_t branch)
{
	return ((uint64_t)t->slot << 32) | ((uint64_t)(t->gen & 0xffff) << 16) |
	       ((uint64_t)t->fwd_seq << 8) | branch;
}

static struct task *task_by_fwd_id(struct worker *w, uint64_t id, uint32_t *branch)
{
	uint32_t slot = (uint32_t)(id >> 32);
	struct task *t;

	if (slot >= w->ntasks)
		return NULL;
	t = w->tasks[slot];
	if (!t->busy || !t->waiting || (t->gen & 0xffff) != ((id >> 16) & 0xffff) ||
	    t->fwd_seq != ((id >> 8) & 0xff))
		return NULL;
	*branch = id & 0xff;
	return *branch < t->fwd.ntargets ? t : NULL;
}

/* -- connections -- */

static void mark_dirty(struct worker *w, struct conn *c)
{
	if (c->dirty)
		return;
	c->dirty = true;
	c->next = w->flush_list;
	w->flush_list = c;
}

static struct conn *conn_new(struct worker *w, enum handle_kind kind, int fd)
{
	struct conn *c = w->free_conns;

	if (c != NULL) {
		w->free_conns = c->next;
	} else {
		c = xcalloc(1, sizeof *c);
		c->idx = (uint32_t)w->nall_conns;
		w->all_conns = xrealloc(w->all_conns, (w->nall_conns + 1) * sizeof *w->all_conns);
		w->all_conns[w->nall_conns++] = c;
	}
	uint32_t gen = c->gen, idx = c->idx;
	struct delay_queue delayed = c->delayed; /* keeps its allocation */
	memset(c, 0, sizeof *c);
	c->gen = gen;
	c->idx = idx;
	c->delayed = delayed;
	delay_queue_reset(&c->delayed);
	c->h.kind = kind;
	c->fd = fd;
	c->segs_tail = &c->segs;
	c->interest = LOOP_READ;
	return c;
}

/* Puts a conn back on the free list; its memory stays valid for stale
 * references, which the generation check rejects. */
static void out_reset(struct conn *c)
{
	iobuf_release(&c->out);
	while (c->segs != NULL) {
		struct out_seg *f = c->segs;

		c->segs = f->next;
		free(f);
	}
	c->segs_tail = &c->segs;
	c->seg_bytes = 0;
	c->out_total = c->out_sent = 0;
	delay_queue_reset(&c->delayed);
}

static void conn_release(struct worker *w, struct conn *c)
{
	iobuf_release(&c->in);
	out_reset(c);
	c->gen++;
	c->fd = -1;
	if (c->dirty)
		return; /* flush_dirty() will free it when it gets there */
	c->next = w->free_conns;
	w->free_conns = c;
}

static void add_client(struct worker *w, int fd)
{
	struct conn *c;
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (sock_set_nonblock(fd, true) < 0) {
		close(fd);
		return;
	}
	if (w->cfg->nodelay)
		sock_set_nodelay(fd, true);
	if (atomic_fetch_add(&open_clients, 1) >= w->cfg->max_conns) {
		atomic_fetch_sub(&open_clients, 1);
		w->st.refused_conns++;
		close(fd); /* over --max-conns: the peer sees the connection closed */
		return;
	}
	c = conn_new(w, H_CLIENT, fd);
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		sock_addr_str((struct sockaddr *)&ss, c->name, sizeof c->name);
		c->delay_mask = netdelay_match(&w->cfg->net_delay, (struct sockaddr *)&ss);
	} else {
		snprintf(c->name, sizeof c->name, "fd %d", fd);
	}
	int rc = loop_add(w->loop, fd, LOOP_READ, c);
	if (rc == -ERANGE) {
		log_msg("%s: fd %d is above what --poll-mode %s can watch (%d): connection "
			"closed; use epoll or poll for this many descriptors", c->name, fd,
			loop_backend_name(w->cfg->poll_mode), loop_max_fd(w->loop));
		close(fd);
		conn_release(w, c);
		atomic_fetch_sub(&open_clients, 1);
		return;
	}
	if (rc < 0) {
		log_msg("%s: cannot watch connection: %s", c->name, errstr(rc));
		close(fd);
		conn_release(w, c);
		atomic_fetch_sub(&open_clients, 1);
		return;
	}
	w->st.accepted++;
}

static void fail_peer(struct worker *w, struct conn *p, const char *why);

static void close_conn(struct worker *w, struct conn *c, const char *why)
{
	if (c->fd < 0)
		return;
	if (c->h.kind == H_PEER) {
		fail_peer(w, c, why);
		return;
	}
	loop_del(w->loop, c->fd);
	close(c->fd);
	w->st.closed++;
	atomic_fetch_sub(&open_clients, 1);
	conn_release(w, c);
}

/* Stream bytes (counted as out_total counts them) that may be sent now. */
static uint64_t sendable_end(const struct conn *c)
{
	return c->delay_mask ? c->delayed.released : UINT64_MAX;
}

/* Sends what it can of segment f; returns 0 (all sent, or the socket is
 * full) or -errno. */
static int send_seg(struct worker *w, struct conn *c, struct out_seg *f)
{
	while (f->len > 0) {
		size_t want = f->len < (1u << 30) ? (size_t)f->len : (1u << 30);
		ssize_t n;

		if (f->zeros) {
			n = send(c->fd, zero_page, want < sizeof zero_page ? want : sizeof zero_page,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		} else {
			off_t off = (off_t)f->off;

			n = sendfile(c->fd, storage_sendfile_fd(w->storage), &off, want);
			if (n == 0)
				return -ENODATA; /* the file shrank since the storage thread read it */
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -errno;
		f->off += (uint64_t)n;
		f->len -= (uint64_t)n;
		c->seg_bytes -= (uint64_t)n;
	}
	return 0;
}

/* Sends the output stream: buffered bytes up to the next segment, the
 * segment, and so on, until done or the socket is full. 0 or -errno. */
static int send_output(struct worker *w, struct conn *c)
{
	uint64_t end = sendable_end(c);

	for (;;) {
		struct out_seg *f = c->segs;
		uint64_t limit = f ? f->at - c->out_sent : UINT64_MAX;

		if (end - c->out_sent < limit)
			limit = end - c->out_sent; /* the rest is held by --net-delay */
		if (limit > 0 && iobuf_len(&c->out) > 0) {
			ssize_t n = iobuf_flush_max(&c->out, c->fd, limit);

			if (n == -EAGAIN)
				return 0;
			if (n < 0)
				return (int)n;
			c->out_sent += (uint64_t)n;
		}
		if (f == NULL || c->out_sent < f->at || f->at > end)
			return 0; /* all sent, the socket is full, or the rest is held */
		int rc = send_seg(w, c, f);
		if (rc < 0 || f->len > 0)
			return rc;
		c->segs = f->next;
		if (c->segs == NULL)
			c->segs_tail = &c->segs;
		free(f);
	}
}

static uint64_t out_queued(const struct conn *c)
{
	return iobuf_len(&c->out) + c->seg_bytes;
}

/* Whether some queued output may be sent now (not all of it held). */
static bool out_sendable(const struct conn *c)
{
	uint64_t end = sendable_end(c);

	return (iobuf_len(&c->out) > 0 && c->out_sent < end) ||
	       (c->segs != NULL && c->segs->at <= end);
}

static ssize_t parse_frames(struct worker *w, struct conn *c, const uint8_t *data, size_t len);

/* Parses what a paused client left in c->in, now that its output drained. */
static void resume_client(struct worker *w, struct conn *c)
{
	ssize_t used = parse_frames(w, c, iobuf_head(&c->in), iobuf_len(&c->in));

	if (used > 0)
		iobuf_consume(&c->in, (size_t)used);
	else if (used < 0 && c->fd >= 0)
		iobuf_release(&c->in);
}

/* Sends what it can, then registers for what the connection needs next:
 * WRITE while output waits, READ unless a client's output is over OUT_HIGH.
 * Closes on error, or once a closing connection has sent everything. */
static void flush_conn(struct worker *w, struct conn *c)
{
	int rc;

	if (c->fd < 0 || c->connecting)
		return;
	rc = send_output(w, c);
	if (rc < 0) {
		char why[128];

		snprintf(why, sizeof why, "send failed: %s", errstr(rc));
		close_conn(w, c, why);
		return;
	}
	uint64_t queued = out_queued(c);
	if (queued == 0 && c->closing) {
		close_conn(w, c, NULL);
		return;
	}
	bool paused = c->h.kind == H_CLIENT && queued >= OUT_HIGH;
	if (c->h.kind == H_CLIENT && !paused && (c->interest & LOOP_READ) == 0 &&
	    iobuf_len(&c->in) > 0) {
		resume_client(w, c); /* may queue output (and re-mark c dirty) */
		if (c->fd < 0)
			return;
		queued = out_queued(c);
		paused = queued >= OUT_HIGH;
	}
	/* Held output waits for its delay timer, not for the socket. */
	unsigned want = (paused ? 0 : LOOP_READ) | (queued > 0 && out_sendable(c) ? LOOP_WRITE : 0);
	if (want != c->interest) {
		c->interest = want;
		loop_mod(w->loop, c->fd, want, c);
	}
}

static void flush_dirty(struct worker *w)
{
	while (w->flush_list != NULL) {
		struct conn *c = w->flush_list;

		w->flush_list = c->next;
		c->dirty = false;
		if (c->fd < 0) {
			/* A client closed while queued: finish its release. A peer
			 * stays in w->peers for reconnection. */
			if (c->h.kind == H_CLIENT) {
				c->next = w->free_conns;
				w->free_conns = c;
			}
			continue;
		}
		flush_conn(w, c);
	}
}

/* A whole frame has been queued on c: hold it for its --net-delay sample
 * when the peer has one, and flush it after this event. */
static void frame_queued(struct worker *w, struct conn *c)
{
	if (c->delay_mask != 0) {
		int64_t hold = netdelay_sample_ns(&w->cfg->net_delay, c->delay_mask, &w->rng,
						  w->delay_samples++);

		if (delay_queue_push(&c->delayed, c->out_total, clock_now_ns() + hold)) {
			int64_t due;

			delay_queue_next(&c->delayed, &due);
			timer_heap_push(&w->timers, due,
					DELAY_TIMER | ((uint64_t)c->idx << 24) |
						(c->delayed.epoch & 0xffffff));
		}
	}
	mark_dirty(w, c);
}

/* A delay timer fired: release what is due, and wait for the next mark.
 * One timer is pending per queue epoch while marks are: frame_queued() arms
 * it when the queue becomes non-empty, and this re-arms it. */
static void on_delay_timer(struct worker *w, uint64_t key)
{
	uint64_t idx = (key & ~DELAY_TIMER) >> 24;
	struct conn *c;
	int64_t due;

	if (idx >= w->nall_conns)
		return;
	c = w->all_conns[idx];
	if (c->fd < 0 || (c->delayed.epoch & 0xffffff) != (key & 0xffffff))
		return; /* closed, failed or re-used since: its marks are gone */
	delay_queue_release(&c->delayed, clock_now_ns());
	if (delay_queue_next(&c->delayed, &due))
		timer_heap_push(&w->timers, due, key);
	mark_dirty(w, c);
}

/* Queues output that is not copied into c->out (zero padding or file data)
 * at the current end of the stream. */
static void add_seg(struct conn *c, bool zeros, uint64_t off, uint64_t len)
{
	struct out_seg *f = xmalloc(sizeof *f);

	f->at = c->out_total;
	f->off = off;
	f->len = len;
	f->zeros = zeros;
	f->next = NULL;
	*c->segs_tail = f;
	c->segs_tail = &f->next;
	c->seg_bytes += len;
}

/* Queues a frame: header (with `flags`, and WIRE_FLAG_AUTH under a key), then
 * `text` (prog_len bytes), then zero padding up to frame_size. */
static void queue_frame_flags(struct worker *w, struct conn *c, uint8_t type, uint16_t status,
			      uint64_t id, uint32_t flags, const void *body, uint32_t body_len,
			      uint64_t frame_size)
{
	const struct auth_key *key = &w->cfg->auth;
	struct wire_hdr h = { .version = WIRE_VERSION, .type = type, .status = status, .id = id,
			      .prog_len = body_len, .flags = flags | (key->len ? WIRE_FLAG_AUTH : 0) };
	uint64_t used = (uint64_t)WIRE_HDR_LEN + body_len + wire_tag_len(&h), len = used;
	uint8_t hdr[WIRE_HDR_LEN], tag[WIRE_TAG_LEN];

	if (frame_size > len)
		len = frame_size < w->cfg->limits.max_frame ? frame_size : w->cfg->limits.max_frame;
	if (len < used)
		len = used;
	h.len = (uint32_t)len;
	wire_hdr_encode(&h, hdr);
	iobuf_append(&c->out, hdr, sizeof hdr);
	if (body_len)
		iobuf_append(&c->out, body, body_len);
	if (key->len) {
		auth_tag(key, hdr, body, body_len, tag);
		iobuf_append(&c->out, tag, sizeof tag);
	}
	c->out_total += used;
	uint64_t pad = len - used;
	if (pad > INLINE_PAD) {
		add_seg(c, true, 0, pad);
	} else if (pad > 0) {
		iobuf_append_zeros(&c->out, pad);
		c->out_total += pad;
	}
	frame_queued(w, c);
}

static void queue_frame(struct worker *w, struct conn *c, uint8_t type, uint16_t status,
			uint64_t id, const void *body, uint32_t body_len, uint64_t frame_size)
{
	queue_frame_flags(w, c, type, status, id, 0, body, body_len, frame_size);
}

/* -- UDP -- */

/* One reply datagram: header, text, zero padding up to frame_size; a reply
 * that would not fit in a datagram becomes an error reply saying so. */
static void udp_send_frame(struct worker *w, const struct sockaddr_storage *to, socklen_t to_len,
			   uint16_t status, uint64_t id, const void *text, uint32_t text_len,
			   uint64_t frame_size)
{
	const struct auth_key *key = &w->cfg->auth;
	uint32_t tag_len = key->len ? WIRE_TAG_LEN : 0;
	char msg[160];
	uint64_t len = (uint64_t)WIRE_HDR_LEN + text_len + tag_len;

	if (frame_size > len)
		len = frame_size;
	if (len > SOCK_UDP_MAX_PAYLOAD) {
		text_len = (uint32_t)snprintf(msg, sizeof msg,
					      "node %s: reply of %llu bytes exceeds UDP's %d-byte "
					      "datagram limit", w->self, (unsigned long long)len,
					      SOCK_UDP_MAX_PAYLOAD);
		text = msg;
		if (status == WIRE_OK) { /* counted as a reply by the caller */
			w->st.replies--;
			w->st.error_replies++;
		}
		status = WIRE_ERR_LIMIT;
		len = WIRE_HDR_LEN + text_len + tag_len;
	}
	struct wire_hdr h = { .version = WIRE_VERSION, .type = WIRE_REPLY, .status = status,
			      .id = id, .prog_len = text_len, .len = (uint32_t)len,
			      .flags = tag_len ? WIRE_FLAG_AUTH : 0 };
	uint8_t hdr[WIRE_HDR_LEN], tag[WIRE_TAG_LEN];
	struct iovec iov[4] = { { hdr, sizeof hdr }, { (void *)text, text_len }, { tag, tag_len },
				{ (void *)udp_zeros, len - WIRE_HDR_LEN - text_len - tag_len } };
	struct msghdr m = { .msg_name = (void *)to, .msg_namelen = to_len, .msg_iov = iov,
			    .msg_iovlen = 4 };

	wire_hdr_encode(&h, hdr);
	if (tag_len)
		auth_tag(key, hdr, text, text_len, tag);
	while (sendmsg(w->udp_fd, &m, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		if (errno == EINTR)
			continue;
		w->st.udp_send_drops++; /* socket buffer full or peer unreachable: UDP's loss */
		return;
	}
}

/* -- finishing requests -- */

static void finish_task(struct worker *w, struct task *t, uint16_t status, const char *msg,
			uint64_t size)
{
	struct conn *c = t->client;

	if (t->udp) {
		if (status == WIRE_OK)
			w->st.replies++;
		else
			w->st.error_replies++;
		udp_send_frame(w, &t->udp_peer, t->udp_peer_len, status, t->req_id, msg,
			       msg ? (uint32_t)strlen(msg) : 0, size);
	} else if (c->fd < 0 || c->gen != t->client_gen || c->closing) {
		w->st.orphaned++;
	} else if (status == WIRE_OK) {
		queue_frame(w, c, WIRE_REPLY, WIRE_OK, t->req_id, NULL, 0, size);
		w->st.replies++;
	} else {
		size_t n = strlen(msg);

		queue_frame(w, c, WIRE_REPLY, status, t->req_id, msg, (uint32_t)n, 0);
		w->st.error_replies++;
	}
	task_free(w, t);
}

static void finish_error(struct worker *w, struct task *t, uint16_t status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void finish_error(struct worker *w, struct task *t, uint16_t status, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	int n = snprintf(msg, sizeof msg, "node %s: ", w->self);

	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	va_end(ap);
	finish_task(w, t, status, msg, 0);
}

/* -- forwarding -- */

static struct conn *get_peer(struct worker *w, const struct sockaddr_storage *ss, socklen_t len,
			     int *err)
{
	struct conn *p = NULL;
	int fd;

	for (size_t i = 0; i < w->npeers; i++)
		if (sock_addr_equal((const struct sockaddr *)&w->peers[i]->addr,
				    (const struct sockaddr *)ss)) {
			p = w->peers[i];
			break;
		}
	if (p != NULL && p->fd >= 0)
		return p;
	const struct sock_addr *self = &w->cfg->bind;
	/* On loopback every connection would come from 127.0.0.1: a node bound to
	 * a loopback address of its own forwards from it, so its peers (and
	 * their --net-delay rules) can tell the nodes apart. */
	bool from_self = self->ss.ss_family == ss->ss_family &&
			 sock_addr_is_loopback((const struct sockaddr *)&self->ss) &&
			 sock_addr_is_loopback((const struct sockaddr *)ss);
	fd = sock_connect_from((const struct sockaddr *)ss, len,
			       from_self ? (const struct sockaddr *)&self->ss : NULL, self->len, true);
	if (fd < 0) {
		*err = fd;
		return NULL;
	}
	if (p == NULL) {
		p = conn_new(w, H_PEER, -1);
		memcpy(&p->addr, ss, len);
		p->addrlen = len;
		p->delay_mask = netdelay_match(&w->cfg->net_delay, (const struct sockaddr *)ss);
		sock_addr_str((const struct sockaddr *)ss, p->name, sizeof p->name);
		w->peers = xrealloc(w->peers, (w->npeers + 1) * sizeof *w->peers);
		w->peers[w->npeers++] = p;
	}
	p->fd = fd;
	p->connecting = true;
	p->interest = LOOP_READ | LOOP_WRITE;
	p->discard = 0;
	if (w->cfg->nodelay)
		sock_set_nodelay(fd, true);
	int rc = loop_add(w->loop, fd, LOOP_READ | LOOP_WRITE, p);
	if (rc < 0) {
		if (rc == -ERANGE)
			log_msg("forward to %s: fd %d is above what --poll-mode %s can watch (%d)",
				p->name, fd, loop_backend_name(w->cfg->poll_mode), loop_max_fd(w->loop));
		*err = rc;
		close(fd);
		p->fd = -1;
		return NULL;
	}
	return p;
}

static int popcount64(uint64_t v)
{
	return __builtin_popcountll(v);
}

static void record_failure(struct task *t, uint32_t branch, uint16_t status, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void record_failure(struct task *t, uint32_t branch, uint16_t status, const char *fmt, ...)
{
	va_list ap;

	t->failed |= 1ull << branch;
	if (t->err[0] != '\0')
		return; /* keep the first reason: it is usually the root cause */
	t->err_status = status;
	va_start(ap, fmt);
	vsnprintf(t->err, sizeof t->err, fmt, ap);
	va_end(ap);
}

static void send_attempt(struct worker *w, struct task *t);

/* Moves a waiting task on when its quorum is met or has become impossible. */
static void check_forward(struct worker *w, struct task *t)
{
	uint32_t n = t->fwd.ntargets, nack = t->fwd.nack;

	if ((uint32_t)popcount64(t->acked) >= nack) {
		t->waiting = false;
		continue_task(w, t);
		return;
	}
	if ((uint32_t)popcount64(t->failed) <= n - nack)
		return;
	if (t->attempts < t->fwd.retries) {
		t->attempts++;
		t->failed = 0;
		t->err[0] = '\0';
		send_attempt(w, t);
		return;
	}
	t->waiting = false;
	finish_error(w, t, t->err_status ? t->err_status : WIRE_ERR_FORWARD, "%s", t->err);
}

static void send_attempt(struct worker *w, struct task *t)
{
	uint64_t timeout_ns = (t->fwd.timeout_us ? t->fwd.timeout_us : w->cfg->forward_timeout_us) *
			      (uint64_t)NSEC_PER_USEC;
	uint8_t seq;

	t->fwd_seq++;
	seq = t->fwd_seq;
	t->waiting = true;
	for (uint32_t i = 0; i < t->fwd.ntargets; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		const uint8_t *sub;
		uint32_t sub_len;
		struct conn *p;
		int err = 0;

		if (t->acked & (1ull << i))
			continue;
		wire_target_addr(&t->fwd, i, &ss, &len);
		p = get_peer(w, &ss, len, &err);
		if (p == NULL) {
			char a[SOCK_ADDR_STRLEN];

			w->st.forward_failures++;
			record_failure(t, i, WIRE_ERR_FORWARD, "forward to %s failed: %s",
				       sock_addr_str((struct sockaddr *)&ss, a, sizeof a), errstr(err));
			continue;
		}
		t->peers[i] = p;
		wire_forward_sub(&t->fwd, t->fwd.branch ? i : 0, &sub, &sub_len);
		queue_frame_flags(w, p, WIRE_REQUEST, 0, fwd_id(t, i),
				  t->fwd.route ? WIRE_FLAG_ROUTE : 0, sub, sub_len, t->fwd.frame_size);
		w->st.forwards++;
	}
	timer_heap_push(&w->timers, clock_now_ns() + (int64_t)timeout_ns,
			((uint64_t)t->slot << 32) | ((uint64_t)(t->gen & 0xffff) << 16) | seq);
	/* Targets that failed at once may already decide the outcome. */
	if (t->failed)
		check_forward(w, t);
}

static void on_timer(struct worker *w, uint64_t key)
{
	uint32_t slot = (uint32_t)(key >> 32);
	struct task *t;

	if (key & DELAY_TIMER) {
		on_delay_timer(w, key);
		return;
	}
	if (slot >= w->ntasks)
		return;
	t = w->tasks[slot];
	if (!t->busy || !t->waiting || (t->gen & 0xffff) != ((key >> 16) & 0xffff) ||
	    t->fwd_seq != (key & 0xff))
		return; /* answered already */
	w->st.forward_timeouts++;
	if (t->attempts < t->fwd.retries) {
		t->attempts++;
		t->failed = 0;
		t->err[0] = '\0';
		send_attempt(w, t);
		return;
	}
	for (uint32_t i = 0; i < t->fwd.ntargets; i++)
		if (!((t->acked | t->failed) & (1ull << i))) {
			uint64_t us = t->fwd.timeout_us ? t->fwd.timeout_us : w->cfg->forward_timeout_us;

			t->waiting = false;
			finish_error(w, t, WIRE_ERR_TIMEOUT,
				     "forward to %s: no reply within %llu us (%u of %u replies)",
				     t->peers[i] ? t->peers[i]->name : "?", (unsigned long long)us,
				     popcount64(t->acked), t->fwd.nack);
			return;
		}
	t->waiting = false;
	finish_error(w, t, t->err_status ? t->err_status : WIRE_ERR_TIMEOUT, "%s", t->err);
}

/* A peer connection died: every target waiting on it has failed. */
static void fail_peer(struct worker *w, struct conn *p, const char *why)
{
	if (p->fd >= 0) {
		loop_del(w->loop, p->fd);
		close(p->fd);
		p->fd = -1;
	}
	p->connecting = false;
	p->interest = 0;
	p->discard = 0;
	iobuf_release(&p->in);
	out_reset(p);
	for (uint32_t s = 0; s < w->ntasks; s++) {
		struct task *t = w->tasks[s];

		if (!t->busy || !t->waiting)
			continue;
		bool hit = false;
		for (uint32_t i = 0; i < t->fwd.ntargets; i++)
			if (t->peers[i] == p && !((t->acked | t->failed) & (1ull << i))) {
				w->st.forward_failures++;
				record_failure(t, i, WIRE_ERR_FORWARD, "forward to %s failed: %s",
					       p->name, why ? why : "connection closed");
				hit = true;
			}
		if (hit)
			check_forward(w, t);
	}
}

static void on_peer_reply(struct worker *w, struct conn *p, const struct wire_hdr *h,
			  const uint8_t *text)
{
	uint32_t branch;
	struct task *t = task_by_fwd_id(w, h->id, &branch);

	if (t == NULL || t->peers[branch] != p || ((t->acked | t->failed) & (1ull << branch)))
		return; /* late reply after quorum, timeout or retry */
	if (h->status == WIRE_OK) {
		t->acked |= 1ull << branch;
	} else {
		w->st.forward_failures++;
		record_failure(t, branch, h->status, "via %s: %.*s", p->name,
			       (int)(h->prog_len < 160 ? h->prog_len : 160), (const char *)text);
	}
	check_forward(w, t);
}

/* -- storage -- */

/* Runs on the storage thread: queue the request for the worker and wake it. */
static void storage_done(struct storage_req *r)
{
	struct worker *w = r->owner;
	uint64_t one = 1;

	pthread_mutex_lock(&w->done_lock);
	r->next = w->done;
	w->done = r;
	pthread_mutex_unlock(&w->done_lock);
	if (write(w->wake_fd, &one, sizeof one) == -1)
		log_msg("wake write failed: %s", errstr(-errno));
}

static void submit_storage(struct worker *w, struct task *t, uint8_t op, uint8_t sync,
			   uint64_t offset, uint64_t size)
{
	struct storage_req *r = &t->sreq;

	r->op = op;
	r->sync = sync;
	r->offset = offset;
	r->size = size;
	r->done = storage_done;
	r->owner = w;
	t->in_storage = true;
	storage_submit(w->storage, r);
}

/* The header of a sendfile reply now, its data straight from the file. */
static void finish_sendfile(struct worker *w, struct task *t)
{
	struct conn *c = t->client;

	if (c->fd < 0 || c->gen != t->client_gen || c->closing) {
		w->st.orphaned++;
		task_free(w, t);
		return;
	}
	const struct auth_key *key = &w->cfg->auth;
	struct wire_hdr h = { .version = WIRE_VERSION, .type = WIRE_REPLY, .id = t->req_id,
			      .flags = key->len ? WIRE_FLAG_AUTH : 0 };
	uint8_t hdr[WIRE_HDR_LEN], tag[WIRE_TAG_LEN];

	h.len = (uint32_t)(WIRE_HDR_LEN + wire_tag_len(&h) + t->sreq.size);
	wire_hdr_encode(&h, hdr);
	iobuf_append(&c->out, hdr, sizeof hdr);
	c->out_total += sizeof hdr;
	if (key->len) {
		auth_tag(key, hdr, NULL, 0, tag);
		iobuf_append(&c->out, tag, sizeof tag);
		c->out_total += sizeof tag;
	}
	add_seg(c, false, t->sreq.used_offset, t->sreq.size);
	frame_queued(w, c);
	w->st.replies++;
	task_free(w, t);
}

static void on_storage_done(struct worker *w, struct storage_req *r)
{
	struct task *t = (struct task *)((char *)r - offsetof(struct task, sreq));

	t->in_storage = false;
	if (r->status < 0) {
		w->st.storage_errors++;
		finish_error(w, t, WIRE_ERR_STORAGE, "%s", r->err);
	} else if (r->op == STORAGE_PREFETCH) {
		finish_sendfile(w, t);
	} else {
		continue_task(w, t);
	}
}

static void drain_storage(struct worker *w)
{
	struct storage_req *list, *fifo = NULL;

	pthread_mutex_lock(&w->done_lock);
	list = w->done;
	w->done = NULL;
	pthread_mutex_unlock(&w->done_lock);
	while (list != NULL) { /* newest first: reverse to completion order */
		struct storage_req *r = list;

		list = r->next;
		r->next = fifo;
		fifo = r;
	}
	while (fifo != NULL) {
		struct storage_req *r = fifo;

		fifo = r->next;
		on_storage_done(w, r);
	}
}

/* -- running requests -- */

static void continue_task(struct worker *w, struct task *t)
{
	struct wire_op op;

	switch (exec_next(&t->cur, &w->rng, &w->st.exec, &op)) {
	case EXEC_REPLY:
		if (op.flags & WIRE_REPLY_SENDFILE) {
			uint64_t size = wire_get_u64(op.body);

			if (w->storage == NULL) {
				finish_error(w, t, WIRE_ERR_UNSUPPORTED, "this node has no storage");
			} else if (t->udp) {
				finish_error(w, t, WIRE_ERR_UNSUPPORTED,
					     "sendfile replies need a TCP connection, not UDP");
			} else if (size > w->cfg->limits.max_frame - WIRE_HDR_LEN) {
				w->st.storage_errors++;
				finish_error(w, t, WIRE_ERR_STORAGE,
					     "sendfile reply of %llu bytes: larger than --max-frame-size "
					     "(%u bytes with the header)",
					     (unsigned long long)size, w->cfg->limits.max_frame);
			} else {
				submit_storage(w, t, STORAGE_PREFETCH, 0, wire_get_u64(op.body + 8),
					       size);
			}
			return;
		}
		finish_task(w, t, WIRE_OK, NULL, wire_get_u64(op.body));
		return;
	case EXEC_STORAGE:
		if (w->storage == NULL) {
			finish_error(w, t, WIRE_ERR_UNSUPPORTED, "this node has no storage");
			return;
		}
		submit_storage(w, t, op.code == OP_LOAD ? STORAGE_LOAD : STORAGE_STORE, op.flags,
			       wire_get_u64(op.body), wire_get_u64(op.body + 8));
		return;
	case EXEC_FORWARD:
		wire_forward_decode(&op, &t->fwd);
		for (uint32_t i = 0; i < t->fwd.ntargets; i++) {
			struct sockaddr_storage ss;
			socklen_t len;
			char a[SOCK_ADDR_STRLEN];

			if (wire_target_addr(&t->fwd, i, &ss, &len) == 0 &&
			    allowlist_allows(&w->cfg->allow, (struct sockaddr *)&ss))
				continue;
			w->st.forward_refused++;
			finish_error(w, t, WIRE_ERR_REFUSED, "forward to %s refused: not in %s",
				     sock_addr_str((struct sockaddr *)&ss, a, sizeof a),
				     w->cfg->allow_is_default
					     ? "the default --allow-forward (loopback and private "
					       "ranges)"
					     : "--allow-forward");
			return;
		}
		t->acked = t->failed = 0;
		t->attempts = 0;
		t->err[0] = '\0';
		t->err_status = 0;
		memset(t->peers, 0, sizeof t->peers);
		send_attempt(w, t);
		return;
	case EXEC_UNSUPPORTED:
		finish_error(w, t, WIRE_ERR_UNSUPPORTED, "op %u is not supported by this node yet",
			     op.code);
		return;
	}
}

/* An error reply to request h that keeps the connection (c NULL: a datagram
 * from w->udp_src). */
static void reply_error(struct worker *w, struct conn *c, const struct wire_hdr *h,
			uint16_t status, const char *msg, uint32_t len)
{
	w->st.error_replies++;
	if (c == NULL)
		udp_send_frame(w, &w->udp_src, w->udp_src_len, status, h->id, msg, len, 0);
	else
		queue_frame(w, c, WIRE_REPLY, status, h->id, msg, len, 0);
}

/* A route request: encodes the program of the route its body names into
 * w->route_prog (sampled with the worker's rng) and returns 0; returns a
 * negative wire status with e filled for a malformed name, or 1 after
 * answering a name this node has no route for. */
static int route_program(struct worker *w, struct conn *c, const struct wire_hdr *h,
			 const uint8_t *name, struct err *e)
{
	const struct route *r;
	int rc = wire_route_check(name, h->prog_len, e);

	if (rc < 0)
		return rc;
	r = route_table_find(&w->cfg->routes, name, h->prog_len);
	if (r == NULL) {
		char msg[NODE_MSG_LEN], have[160];
		int n;

		route_table_names(&w->cfg->routes, have, sizeof have);
		n = snprintf(msg, sizeof msg, "node %s: no route '%.*s' (this node has: %s)", w->self,
			     (int)h->prog_len, (const char *)name, have);
		reply_error(w, c, h, WIRE_ERR_NO_ROUTE, msg,
			    (uint32_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1));
		return 1;
	}
	w->route_prog.len = 0;
	prog_encode(r->prog, &w->rng, w->st.requests, &w->route_prog);
	rc = wire_prog_check(w->route_prog.data, (uint32_t)w->route_prog.len, &w->cfg->limits, e);
	if (rc < 0) {
		/* The node's own template beyond its own limits (a sampled
		 * COMPUTE too long, say): refuse this request, not the peer. */
		err_prefix(e, "route %s", r->name);
		return -WIRE_ERR_LIMIT;
	}
	return 0;
}

/* c: the TCP connection the request came on, or NULL for a datagram from
 * w->udp_src. */
static void start_request(struct worker *w, struct conn *c, const struct wire_hdr *h,
			  const uint8_t *prog)
{
	struct err e;
	struct task *t;
	uint32_t prog_len = h->prog_len;
	int rc;

	if (h->flags & WIRE_FLAG_ROUTE) {
		rc = route_program(w, c, h, prog, &e);
		if (rc > 0)
			return;
		prog = w->route_prog.data;
		prog_len = (uint32_t)w->route_prog.len;
	} else {
		rc = wire_prog_check(prog, prog_len, &w->cfg->limits, &e);
	}
	if (rc < 0) {
		/* Answer first so the client learns why, then close: a peer that
		 * sends bad programs is not one we keep parsing. */
		char msg[NODE_MSG_LEN];
		int n = snprintf(msg, sizeof msg, "node %s: %s", w->self, e.msg);

		if (rc == -WIRE_ERR_LIMIT) {
			/* Well formed but beyond this node's limits: refuse this
			 * request, keep the connection. */
			w->st.limit_violations++;
			reply_error(w, c, h, WIRE_ERR_LIMIT, msg, (uint32_t)n);
			return;
		}
		w->st.malformed++;
		if (c == NULL) {
			reply_error(w, c, h, (uint16_t)-rc, msg, (uint32_t)n);
			return;
		}
		w->st.error_replies++;
		log_msg("%s: bad request, closing: %s", c->name, e.msg);
		queue_frame(w, c, WIRE_REPLY, (uint16_t)-rc, h->id, msg, (uint32_t)n, 0);
		c->closing = true;
		return;
	}
	t = task_alloc(w);
	if (t == NULL) {
		static const char msg[] = "too many requests in progress";

		reply_error(w, c, h, WIRE_ERR_LIMIT, msg, sizeof msg - 1);
		return;
	}
	w->st.requests++;
	t->client = c;
	t->client_gen = c ? c->gen : 0;
	t->udp = c == NULL;
	if (t->udp) {
		memcpy(&t->udp_peer, &w->udp_src, w->udp_src_len);
		t->udp_peer_len = w->udp_src_len;
	}
	t->req_id = h->id;
	if (t->prog_cap < prog_len) {
		t->prog = xrealloc(t->prog, prog_len);
		t->prog_cap = prog_len;
	}
	memcpy(t->prog, prog, prog_len);
	t->prog_len = prog_len;
	exec_start(&t->cur, t->prog, t->prog_len);
	continue_task(w, t);
}

/* With --auth-key-file, whether frame (header at p, program and tag after
 * it) carries the right tag; without, every frame is. */
static bool authentic(struct worker *w, const struct wire_hdr *h, const uint8_t *p)
{
	const struct auth_key *key = &w->cfg->auth;

	if (key->len == 0)
		return true;
	return (h->flags & WIRE_FLAG_AUTH) &&
	       auth_verify(key, p, p + WIRE_HDR_LEN, h->prog_len, p + WIRE_HDR_LEN + h->prog_len);
}

/* Parses frames from data; returns bytes consumed, or -1 when c was closed or
 * is closing (stop reading it). */
static ssize_t parse_frames(struct worker *w, struct conn *c, const uint8_t *data, size_t len)
{
	size_t off = 0;

	while (off < len && !c->closing && c->fd >= 0 &&
	       (c->h.kind != H_CLIENT || out_queued(c) < OUT_HIGH)) {
		struct wire_hdr h;
		struct err e;
		int rc;

		if (c->discard > 0) {
			size_t d = len - off < c->discard ? len - off : (size_t)c->discard;

			off += d;
			c->discard -= d;
			continue;
		}
		if (len - off < WIRE_HDR_LEN)
			break;
		rc = wire_hdr_decode(data + off, &w->cfg->limits, &h, &e);
		if (rc == 0 && h.type != (c->h.kind == H_CLIENT ? WIRE_REQUEST : WIRE_REPLY))
			rc = err_set(&e, "unexpected message type %u", h.type);
		if (rc == -WIRE_ERR_LIMIT && c->h.kind == H_CLIENT && h.type == WIRE_REQUEST) {
			/* Well formed but beyond --max-frame-size / --max-prog-size:
			 * refuse it, let its bytes stream past unread, keep the
			 * connection. */
			char msg[NODE_MSG_LEN];
			int n = snprintf(msg, sizeof msg, "node %s: %s", w->self, e.msg);

			queue_frame(w, c, WIRE_REPLY, WIRE_ERR_LIMIT, h.id, msg, (uint32_t)n, 0);
			w->st.limit_violations++;
			w->st.error_replies++;
			off += WIRE_HDR_LEN;
			c->discard = h.len - WIRE_HDR_LEN;
			continue;
		}
		if (rc < 0) {
			w->st.malformed++;
			if (c->h.kind == H_CLIENT && rc == -WIRE_ERR_VERSION) {
				char msg[NODE_MSG_LEN];
				int n = snprintf(msg, sizeof msg, "node %s: %s", w->self, e.msg);

				queue_frame(w, c, WIRE_REPLY, WIRE_ERR_VERSION, h.id, msg, (uint32_t)n, 0);
				c->closing = true;
				log_msg("%s: closing connection: %s", c->name, e.msg);
				return -1;
			}
			log_msg("%s: closing connection: %s", c->name, e.msg);
			close_conn(w, c, e.msg);
			return -1;
		}
		size_t need = WIRE_HDR_LEN + (size_t)h.prog_len + wire_tag_len(&h);
		if (len - off < need)
			break;
		if (!authentic(w, &h, data + off)) {
			w->st.auth_failures++;
			if (c->h.kind == H_CLIENT) {
				char msg[96];
				int n = snprintf(msg, sizeof msg, "node %s: %s", w->self,
						 h.flags & WIRE_FLAG_AUTH ? "authentication failed (wrong key)"
									  : "authentication required");

				queue_frame(w, c, WIRE_REPLY, WIRE_ERR_REFUSED, h.id, msg, (uint32_t)n, 0);
				w->st.error_replies++;
				c->closing = true;
				log_msg("%s: closing connection: %s", c->name, msg);
			} else {
				log_msg("%s: closing forward connection: reply failed authentication",
					c->name);
				close_conn(w, c, "reply failed authentication (different --auth-key-file?)");
			}
			return -1;
		}
		if (c->h.kind == H_CLIENT)
			start_request(w, c, &h, data + off + WIRE_HDR_LEN);
		else
			on_peer_reply(w, c, &h, data + off + WIRE_HDR_LEN);
		off += need;
		c->discard = h.len - need;
	}
	return (c->closing || c->fd < 0) ? -1 : (ssize_t)off;
}

static void on_readable(struct worker *w, struct conn *c)
{
	ssize_t n, used;

	if (c->h.kind == H_CLIENT && out_queued(c) >= OUT_HIGH)
		return; /* paused (an error or hang-up event): flush_conn resumes it */

	if (iobuf_len(&c->in) == 0) {
		do
			n = recv(c->fd, w->scratch, SCRATCH_LEN, 0);
		while (n == -1 && errno == EINTR);
		if (n == -1)
			n = -errno;
		if (n <= 0)
			goto eof;
		if (c->h.kind == H_CLIENT)
			w->st.bytes_in += (uint64_t)n;
		used = parse_frames(w, c, w->scratch, (size_t)n);
		if (used >= 0 && used < n)
			iobuf_append(&c->in, w->scratch + used, (size_t)(n - used));
		return;
	}
	n = iobuf_fill(&c->in, c->fd, SCRATCH_LEN);
	if (n <= 0)
		goto eof;
	if (c->h.kind == H_CLIENT)
		w->st.bytes_in += (uint64_t)n;
	used = parse_frames(w, c, iobuf_head(&c->in), iobuf_len(&c->in));
	if (used > 0)
		iobuf_consume(&c->in, (size_t)used);
	else if (used < 0 && c->fd >= 0)
		iobuf_release(&c->in);
	return;
eof:
	if (n == -EAGAIN)
		return;
	close_conn(w, c, n == 0 ? "connection closed by peer" : errstr((int)n));
}

static void on_peer_writable(struct worker *w, struct conn *p)
{
	if (p->connecting) {
		int rc = sock_connect_result(p->fd);

		if (rc < 0) {
			char why[96];

			snprintf(why, sizeof why, "%s", errstr(rc));
			fail_peer(w, p, why);
			return;
		}
		p->connecting = false;
	}
	flush_conn(w, p);
}

/* Every datagram is one whole request frame; anything else is dropped and
 * counted (there is no connection to close). */
static void on_udp(struct worker *w)
{
	for (int i = 0; i < UDP_BATCH; i++) {
		struct wire_hdr h;
		struct err e;
		ssize_t n;

		w->udp_src_len = sizeof w->udp_src;
		n = recvfrom(w->udp_fd, w->scratch, SCRATCH_LEN, MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&w->udp_src, &w->udp_src_len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				log_msg("UDP receive failed: %s", errstr(-errno));
			return;
		}
		w->st.bytes_in += (uint64_t)n;
		if (n > SCRATCH_LEN)
			err_set(&e, "datagram of %zd bytes is larger than UDP allows", n);
		else if (n < WIRE_HDR_LEN)
			err_set(&e, "datagram of %zd bytes is shorter than a frame header", n);
		else if (wire_hdr_decode(w->scratch, &w->cfg->limits, &h, &e) < 0)
			; /* e says why */
		else if (h.type != WIRE_REQUEST)
			err_set(&e, "unexpected message type %u", h.type);
		else if (h.len != (uint64_t)n)
			err_set(&e, "frame length %u in a datagram of %zd bytes", h.len, n);
		else if (!authentic(w, &h, w->scratch)) {
			/* Dropped without an answer: a reply to a forged source
			 * address would make the node an amplifier. */
			w->st.auth_failures++;
			continue;
		} else {
			start_request(w, NULL, &h, w->scratch + WIRE_HDR_LEN);
			continue;
		}
		char a[SOCK_ADDR_STRLEN];

		w->st.malformed++;
		log_msg("UDP datagram from %s dropped: %s",
			sock_addr_str((struct sockaddr *)&w->udp_src, a, sizeof a), e.msg);
	}
}

/* -- accepting -- */

static void on_listen(struct worker *w)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(w->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_msg("accept failed: %s", errstr(-errno));
			return;
		}
		add_client(w, fd);
	}
}

static void on_wake(struct worker *w)
{
	uint64_t v;
	int *fds;
	size_t n;

	if (read(w->wake_fd, &v, sizeof v) == -1 && errno != EAGAIN)
		log_msg("wake read failed: %s", errstr(-errno));
	drain_storage(w);
	pthread_mutex_lock(&w->handoff_lock);
	fds = w->handoff;
	n = w->nhandoff;
	w->handoff = NULL;
	w->nhandoff = w->handoff_cap = 0;
	pthread_mutex_unlock(&w->handoff_lock);
	for (size_t i = 0; i < n; i++)
		add_client(w, fds[i]);
	free(fds);
}

void worker_hand_off(struct worker *w, int fd)
{
	uint64_t one = 1;

	pthread_mutex_lock(&w->handoff_lock);
	if (w->nhandoff == w->handoff_cap) {
		w->handoff_cap = w->handoff_cap ? w->handoff_cap * 2 : 16;
		w->handoff = xrealloc(w->handoff, w->handoff_cap * sizeof *w->handoff);
	}
	w->handoff[w->nhandoff++] = fd;
	pthread_mutex_unlock(&w->handoff_lock);
	if (write(w->wake_fd, &one, sizeof one) == -1)
		log_msg("wake write failed: %s", errstr(-errno));
}

void worker_stop(struct worker *w)
{
	uint64_t one = 1;

	atomic_store(&w->stop, true);
	if (write(w->wake_fd, &one, sizeof one) == -1)
		log_msg("wake write failed: %s", errstr(-errno));
}

/* -- the loop -- */

static int64_t next_timeout(struct worker *w)
{
	struct timer_entry te;
	int64_t now;

	if (!timer_heap_peek(&w->timers, &te))
		return -1;
	now = clock_now_ns();
	return te.deadline > now ? te.deadline - now : 0;
}

static void run_timers(struct worker *w)
{
	struct timer_entry te;
	int64_t now = clock_now_ns();

	while (timer_heap_peek(&w->timers, &te) && te.deadline <= now) {
		timer_heap_pop(&w->timers);
		on_timer(w, te.key);
		flush_dirty(w);
	}
}

/* Name, core and scheduling policy of this thread; 0 or -errno with
 * w->start_err filled. The policy comes after the pinning: a real-time
 * thread should not run even briefly on a core it was kept off. */
static int setup_thread(struct worker *w)
{
	const struct node_config *cfg = w->cfg;
	char name[16];
	int rc;

	snprintf(name, sizeof name, "mw-worker-%d", w->index);
	pthread_setname_np(pthread_self(), name);
	if (cfg->affinity.n > 0) {
		int cpu = cfg->affinity.cpu[w->index % cfg->affinity.n];

		rc = cpulist_pin_self(cpu);
		if (rc < 0) {
			err_set(&w->start_err, "worker %d: cannot pin to core %d: %s", w->index, cpu,
				errstr(rc));
			return rc;
		}
	}
	rc = schedpol_apply(&cfg->sched, &w->start_err);
	if (rc < 0)
		err_prefix(&w->start_err, "worker %d", w->index);
	return rc;
}

static void *worker_thread(void *arg)
{
	struct worker *w = arg;
	struct loop_event ev[MAX_EVENTS];
	int rc = setup_thread(w);

	pthread_mutex_lock(&w->start_lock);
	w->start_rc = rc;
	pthread_cond_signal(&w->start_cond);
	pthread_mutex_unlock(&w->start_lock);
	if (rc < 0)
		return NULL;
	while (!atomic_load(&w->stop)) {
		/* Spinning: a zero timeout, so the thread never sleeps in the kernel
		 * and timers are checked on every pass. */
		int64_t timeout = w->cfg->wait_spin ? 0 : next_timeout(w);
		int n = loop_wait(w->loop, ev, MAX_EVENTS, timeout);

		if (n < 0) {
			log_msg("worker %d: event loop failed: %s", w->index, errstr(n));
			break;
		}
		for (int i = 0; i < n; i++) {
			struct handle *h = ev[i].ptr;
			struct conn *c = (struct conn *)h;

			switch (h->kind) {
			case H_LISTEN:
				on_listen(w);
				break;
			case H_WAKE:
				on_wake(w);
				break;
			case H_UDP:
				on_udp(w);
				break;
			case H_CLIENT:
			case H_PEER:
				if (c->fd < 0)
					break; /* closed earlier in this batch */
				if (h->kind == H_PEER && (ev[i].events & (LOOP_WRITE | LOOP_ERROR)) &&
				    c->connecting) {
					on_peer_writable(w, c);
					if (c->fd < 0)
						break;
				}
				if (ev[i].events & (LOOP_READ | LOOP_ERROR))
					on_readable(w, c);
				if (c->fd >= 0 && (ev[i].events & LOOP_WRITE))
					flush_conn(w, c);
				break;
			}
			flush_dirty(w);
		}
		run_timers(w);
	}
	return NULL;
}

/* Why loop_add() refused a descriptor the worker cannot do without. */
static const char *watch_err(const struct worker *w, int rc)
{
	return rc == -ERANGE ? "its number is above what this poll mode can watch (FD_SETSIZE)"
			     : errstr(rc);
}

int worker_create(const struct node_config *cfg, int index, int listen_fd, int udp_fd,
		  struct storage *storage, struct worker **out, struct err *e)
{
	struct worker *w = xcalloc(1, sizeof *w);
	int rc;

	w->wake_fd = -1;
	w->cfg = cfg;
	w->index = index;
	w->listen_fd = listen_fd;
	w->udp_fd = udp_fd;
	w->udp_h.kind = H_UDP;
	w->storage = storage;
	pthread_mutex_init(&w->done_lock, NULL);
	w->listen_h.kind = H_LISTEN;
	w->wake_h.kind = H_WAKE;
	atomic_init(&w->stop, false);
	pthread_mutex_init(&w->handoff_lock, NULL);
	pthread_mutex_init(&w->start_lock, NULL);
	pthread_cond_init(&w->start_cond, NULL);
	timer_heap_init(&w->timers);
	rng_seed(&w->rng, cfg->seed, (uint64_t)index);
	w->scratch = xmalloc(SCRATCH_LEN);
	sock_addr_str((const struct sockaddr *)&cfg->bind.ss, w->self, sizeof w->self);
	w->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->wake_fd == -1) {
		rc = -errno;
		err_set(e, "worker %d: cannot create eventfd: %s", index, errstr(rc));
		goto fail;
	}
	rc = loop_create(&w->loop, cfg->poll_mode, e);
	if (rc < 0) {
		err_prefix(e, "worker %d: --poll-mode %s", index, loop_backend_name(cfg->poll_mode));
		goto fail;
	}
	rc = loop_add(w->loop, w->wake_fd, LOOP_READ, &w->wake_h);
	if (rc < 0) {
		err_set(e, "worker %d: cannot watch its eventfd (fd %d) with %s: %s", index,
			w->wake_fd, loop_backend_name(cfg->poll_mode), watch_err(w, rc));
		goto fail;
	}
	if (listen_fd >= 0) {
		unsigned ev = LOOP_READ | (cfg->accept_mode == NODE_ACCEPT_SHARED ? LOOP_EXCLUSIVE : 0);

		rc = loop_add(w->loop, listen_fd, ev, &w->listen_h);
		if (rc < 0) {
			err_set(e, "worker %d: cannot watch its listener (fd %d) with %s: %s", index,
				listen_fd, loop_backend_name(cfg->poll_mode), watch_err(w, rc));
			goto fail;
		}
	}
	if (udp_fd >= 0) {
		rc = loop_add(w->loop, udp_fd, LOOP_READ, &w->udp_h);
		if (rc < 0) {
			err_set(e, "worker %d: cannot watch its UDP socket (fd %d) with %s: %s", index,
				udp_fd, loop_backend_name(cfg->poll_mode), watch_err(w, rc));
			goto fail;
		}
	}
	*out = w;
	return 0;
fail:
	worker_destroy(w);
	return rc;
}

void worker_destroy(struct worker *w)
{
	if (w == NULL)
		return;
	for (size_t i = 0; i < w->nall_conns; i++) {
		struct conn *c = w->all_conns[i];

		if (c->fd >= 0)
			close(c->fd);
		iobuf_release(&c->in);
		out_reset(c);
		delay_queue_free(&c->delayed);
		free(c);
	}
	free(w->all_conns);
	free(w->peers);
	for (uint32_t i = 0; i < w->ntasks; i++) {
		free(w->tasks[i]->prog);
		free(w->tasks[i]);
	}
	free(w->tasks);
	wire_buf_free(&w->route_prog);
	free(w->handoff);
	timer_heap_free(&w->timers);
	loop_destroy(w->loop);
	if (w->wake_fd >= 0)
		close(w->wake_fd);
	pthread_mutex_destroy(&w->handoff_lock);
	pthread_mutex_destroy(&w->done_lock);
	pthread_mutex_destroy(&w->start_lock);
	pthread_cond_destroy(&w->start_cond);
	free(w->scratch);
	free(w);
}

int worker_start(struct worker *w, struct err *e)
{
	int rc;

	w->start_rc = 1;
	rc = -pthread_create(&w->thread, NULL, worker_thread, w);
	if (rc < 0) {
		err_set(e, "cannot start worker %d: %s", w->index, errstr(rc));
		return rc;
	}
	pthread_mutex_lock(&w->start_lock);
	while (w->start_rc == 1)
		pthread_cond_wait(&w->start_cond, &w->start_lock);
	rc = w->start_rc;
	pthread_mutex_unlock(&w->start_lock);
	if (rc < 0) {
		pthread_join(w->thread, NULL);
		memcpy(e, &w->start_err, sizeof *e);
	}
	return rc;
}

void worker_join(struct worker *w)
{
	pthread_join(w->thread, NULL);
}

const struct worker_stats *worker_stats(const struct worker *w)
{
	return &w->st;
}
