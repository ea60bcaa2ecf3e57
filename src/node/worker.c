/* worker.c -- see worker.h.
 *
 * DESIGN: one event loop per worker thread (net/loop: epoll, poll, select or
 * io_uring, as --poll-mode says; with --wait-spin it is polled with a zero
 * timeout instead of slept in). Three kinds of descriptor sit in it:
 * listeners and the wake eventfd, client connections (the native protocol's
 * front end; UDP datagrams are the other), and peer connections (this
 * worker's pooled connections to the nodes it forwards to; one per target
 * address, pipelined, replies matched by id, found through a hash table and
 * bounded in number). Requests run in the worker's engine (exec/engine.h):
 * the front ends below parse and check them and hand them over with an
 * origin that says how to answer; the engine calls back through io_* to
 * forward, cancel, reach storage and set timers.
 * A request starts only once its whole frame, padding included, has arrived
 * (its header and program wait in the connection meanwhile); a frame that
 * does not complete within --frame-timeout closes its connection.
 * Output goes through node/conn: appended per connection, flushed after each
 * event, so replies produced by one read go out in one send(). Bytes queued
 * to peers are capped per peer and per node: over a cap, a forward fails at
 * once with WIRE_ERR_BUSY instead of growing the node.
 * Input is read into a per-worker scratch buffer; only an incomplete frame's
 * bytes are copied into the connection, exactly as many as arrived. */
#include "node/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exec/engine.h"
#include "net/loop.h"
#include "net/timer.h"
#include "node/conn.h"
#include "prog/route.h"
#include "proto/auth.h"
#include "util/clock.h"
#include "util/cpulist.h"
#include "util/log.h"
#include "util/schedpol.h"
#include "util/xalloc.h"

#define SCRATCH_LEN (64 * 1024)
/* "node ADDR: MESSAGE" always fits, so snprintf's count is the length sent. */
#define NODE_MSG_LEN (sizeof "node : " + SOCK_ADDR_STRLEN + ERR_MSG_LEN)
#define MAX_EVENTS 128
#define ACCEPT_BATCH 64
#define UDP_BATCH 64
#define PEER_BUCKETS 4096 /* a power of two */

/* A client connection with this much output queued is not read from until
 * it drains: a client that never reads cannot make the node buffer without
 * bound. */
#define OUT_HIGH (1024 * 1024)

/* Timer keys: the engine's are below 2^44; the worker's carry a kind in the
 * top two bits, a connection index and a check value. */
#define TIMER_KIND_SHIFT 62
#define TIMER_DELAY (1ull << TIMER_KIND_SHIFT)
#define TIMER_FRAME (2ull << TIMER_KIND_SHIFT)

/* Client connections open in this process, against --max-conns. */
static atomic_ulong open_clients;
/* Bytes queued to peers by every worker, against --max-queued. */
static atomic_ullong peer_queued_total;
/* Padding of UDP replies: sent by reference, never copied. */
static const uint8_t udp_zeros[SOCK_UDP_MAX_PAYLOAD];

struct worker {
	const struct node_config *cfg;
	int index;
	pthread_t thread;
	struct loop *loop;
	struct handle listen_h;        /* H_LISTEN */
	int listen_fd;                 /* -1 in PARENT mode */
	int reserve_fd;                /* closed to accept-and-drop at EMFILE */
	struct handle udp_h;           /* H_UDP */
	int udp_fd;                    /* this worker's UDP socket, or -1 */
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
	uint32_t peer_hash[PEER_BUCKETS]; /* index + 1 into peers, chained by hash_next */
	struct timer_heap timers;
	struct rng rng;
	struct storage *storage;       /* the node's; NULL: storage ops unsupported */
	pthread_mutex_t done_lock;     /* guards done */
	struct storage_req *done;      /* completed storage requests (newest first) */
	uint8_t *scratch;              /* SCRATCH_LEN read buffer */
	struct wire_buf route_prog;    /* the program of the route request being started */
	struct wire_buf fwd_body;      /* budget block + sub-program of a forward */
	char self[SOCK_ADDR_STRLEN];   /* this node, for error messages */
	uint64_t delay_samples;        /* --net-delay samples drawn, their index */
	struct engine *engine;
	struct engine_config ecfg;
	struct engine_io io;
	struct engine_front front_tcp, front_udp;
	struct worker_stats st;
};

static void close_conn(struct worker *w, struct conn *c, const char *why);

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
	conn_init(c, kind, fd);
	c->interest = LOOP_READ;
	return c;
}

/* Puts a conn back on the free list; its memory stays valid for stale
 * references, which the generation check rejects. */
static void conn_release(struct worker *w, struct conn *c)
{
	iobuf_release(&c->in);
	conn_out_reset(c);
	c->pending.waiting = false;
	c->gen++;
	c->fd = -1;
	if (c->dirty)
		return; /* flush_dirty() will free it when it gets there */
	c->next = w->free_conns;
	w->free_conns = c;
}

/* Peers' queued bytes as the node-wide counter knows them: call after
 * anything that changes a peer's queue. */
static void peer_account(struct conn *p, uint64_t *accounted)
{
	uint64_t now = conn_queued(p);

	if (now > *accounted)
		atomic_fetch_add_explicit(&peer_queued_total, now - *accounted, memory_order_relaxed);
	else if (now < *accounted)
		atomic_fetch_sub_explicit(&peer_queued_total, *accounted - now, memory_order_relaxed);
	*accounted = now;
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
	if (rc < 0) {
		if (rc == -ERANGE)
			log_msg("%s: fd %d is above what --poll-mode %s can watch (%d): connection "
				"closed; use epoll or poll for this many descriptors", c->name, fd,
				loop_backend_name(w->cfg->poll_mode), loop_max_fd(w->loop));
		else
			log_msg("%s: cannot watch connection: %s", c->name, errstr(rc));
		close(fd);
		conn_release(w, c);
		atomic_fetch_sub(&open_clients, 1);
		return;
	}
	w->st.accepted++;
}

static void fail_peer(struct worker *w, struct conn *p, const char *why, bool tell);

static void close_conn(struct worker *w, struct conn *c, const char *why)
{
	if (c->fd < 0)
		return;
	if (c->h.kind == H_PEER) {
		fail_peer(w, c, why, false);
		return;
	}
	loop_del(w->loop, c->fd);
	close(c->fd);
	w->st.closed++;
	atomic_fetch_sub(&open_clients, 1);
	conn_release(w, c);
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
	uint64_t dropped = 0, before = conn_queued(c);
	int rc;

	if (c->fd < 0 || c->connecting)
		return;
	rc = conn_send(c, w->storage ? storage_sendfile_fd(w->storage) : -1, &dropped);
	w->st.cancelled_bytes += dropped;
	if (c->h.kind == H_PEER)
		peer_account(c, &before);
	if (rc < 0) {
		char why[128];

		snprintf(why, sizeof why, "send failed: %s", errstr(rc));
		close_conn(w, c, why);
		return;
	}
	uint64_t queued = conn_queued(c);
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
		queued = conn_queued(c);
		paused = queued >= OUT_HIGH;
	}
	/* Held output waits for its delay timer, not for the socket. */
	unsigned want = (paused ? 0 : LOOP_READ) | (queued > 0 && conn_sendable(c) ? LOOP_WRITE : 0);
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

static uint64_t conn_timer_key(uint64_t kind, const struct conn *c, uint32_t check)
{
	return kind | ((uint64_t)c->idx << 32) | check;
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
			timer_heap_push(&w->timers, due, conn_timer_key(TIMER_DELAY, c, c->delayed.epoch));
		}
	}
	mark_dirty(w, c);
}

static struct conn *conn_by_timer(struct worker *w, uint64_t key)
{
	uint64_t idx = (key >> 32) & 0x3fffffff;

	if (idx >= w->nall_conns)
		return NULL;
	struct conn *c = w->all_conns[idx];
	return c->fd >= 0 ? c : NULL;
}

/* A delay timer fired: release what is due, and wait for the next mark.
 * One timer is pending per queue epoch while marks are: frame_queued() arms
 * it when the queue becomes non-empty, and this re-arms it. */
static void on_delay_timer(struct worker *w, uint64_t key)
{
	struct conn *c = conn_by_timer(w, key);
	int64_t due;

	if (c == NULL || c->delayed.epoch != (uint32_t)key)
		return; /* closed, failed or re-used since: its marks are gone */
	delay_queue_release(&c->delayed, clock_now_ns());
	if (delay_queue_next(&c->delayed, &due))
		timer_heap_push(&w->timers, due, key);
	mark_dirty(w, c);
}

/* Queues a frame on c: header (with `flags`, and WIRE_FLAG_AUTH under a
 * key), body, tag, then zero padding up to frame_size. */
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
	if (key->len)
		auth_tag(key, hdr, body, body_len, tag);
	conn_append_frame(c, hdr, body, body_len, tag, wire_tag_len(&h), len - used);
	frame_queued(w, c);
}

static void queue_reply(struct worker *w, struct conn *c, uint16_t status, uint64_t id,
			const void *text, uint32_t text_len, uint64_t frame_size)
{
	queue_frame_flags(w, c, WIRE_REPLY, status, id, 0, text, text_len, frame_size);
}

/* -- front end: UDP -- */

/* One reply datagram: header, text, zero padding up to frame_size. A reply
 * that would not fit in a datagram, or (without authentication or
 * --udp-amplify) would be larger than its request, becomes an error reply
 * saying so, itself cut to the request's size: a forged source address must
 * not make the node an amplifier. */
static void udp_send_frame(struct worker *w, const struct engine_origin *o, uint16_t status,
			   uint64_t id, const char *text, uint32_t text_len, uint64_t frame_size)
{
	const struct auth_key *key = &w->cfg->auth;
	uint32_t tag_len = key->len ? WIRE_TAG_LEN : 0;
	char msg[200];
	uint64_t len = (uint64_t)WIRE_HDR_LEN + text_len + tag_len;
	uint64_t cap = o->authenticated || w->cfg->udp_amplify ? SOCK_UDP_MAX_PAYLOAD
							       : o->frame_len;

	if (frame_size > len)
		len = frame_size;
	if (len > cap && status != WIRE_OK) {
		/* An error text longer than its request: cut it. */
		text_len = cap > (uint64_t)WIRE_HDR_LEN + tag_len
				   ? (uint32_t)(cap - WIRE_HDR_LEN - tag_len) : 0;
		len = WIRE_HDR_LEN + text_len + tag_len;
	}
	if (len > cap) {
		bool amplify = cap < SOCK_UDP_MAX_PAYLOAD;
		int n = amplify ? snprintf(msg, sizeof msg,
					   "node %s: reply of %llu bytes is larger than its %llu-byte "
					   "request (UDP without --auth-key-file; see --udp-amplify)",
					   w->self, (unsigned long long)len, (unsigned long long)cap)
				: snprintf(msg, sizeof msg,
					   "node %s: reply of %llu bytes exceeds UDP's %d-byte "
					   "datagram limit", w->self, (unsigned long long)len,
					   SOCK_UDP_MAX_PAYLOAD);
		if (amplify)
			w->st.udp_amplification_refused++;
		text_len = n < 0 ? 0 : (uint32_t)n < sizeof msg ? (uint32_t)n : sizeof msg - 1;
		if ((uint64_t)WIRE_HDR_LEN + text_len + tag_len > cap)
			text_len = cap > (uint64_t)WIRE_HDR_LEN + tag_len
					   ? (uint32_t)(cap - WIRE_HDR_LEN - tag_len) : 0;
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
	struct msghdr m = { .msg_name = (void *)&o->peer, .msg_namelen = o->peer_len,
			    .msg_iov = iov, .msg_iovlen = 4 };

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

static void udp_reply(void *ctx, const struct engine_origin *o, uint64_t req_id, uint16_t status,
		      const char *text, uint32_t text_len, uint64_t size)
{
	struct worker *w = ctx;

	if (status == WIRE_OK)
		w->st.replies++;
	else
		w->st.error_replies++;
	udp_send_frame(w, o, status, req_id, text, text_len, status == WIRE_OK ? size : 0);
}

/* -- front end: the native protocol over TCP -- */

static struct conn *origin_conn(struct worker *w, const struct engine_origin *o)
{
	struct conn *c = o->conn;

	if (c->fd < 0 || c->gen != (uint32_t)o->tag || c->closing) {
		w->st.orphaned++;
		return NULL;
	}
	return c;
}

static void tcp_reply(void *ctx, const struct engine_origin *o, uint64_t req_id, uint16_t status,
		      const char *text, uint32_t text_len, uint64_t size)
{
	struct worker *w = ctx;
	struct conn *c = origin_conn(w, o);

	if (c == NULL)
		return;
	if (status == WIRE_OK) {
		queue_reply(w, c, WIRE_OK, req_id, NULL, 0, size);
		w->st.replies++;
	} else {
		queue_reply(w, c, status, req_id, text, text_len, 0);
		w->st.error_replies++;
	}
}

/* The header of a file reply now, its data straight from the storage file. */
static void tcp_reply_file(void *ctx, const struct engine_origin *o, uint64_t req_id,
			   uint64_t off, uint64_t len)
{
	struct worker *w = ctx;
	struct conn *c = origin_conn(w, o);

	if (c == NULL)
		return;
	const struct auth_key *key = &w->cfg->auth;
	struct wire_hdr h = { .version = WIRE_VERSION, .type = WIRE_REPLY, .id = req_id,
			      .flags = key->len ? WIRE_FLAG_AUTH : 0 };
	uint8_t hdr[WIRE_HDR_LEN], tag[WIRE_TAG_LEN];

	h.len = (uint32_t)(WIRE_HDR_LEN + wire_tag_len(&h) + len);
	wire_hdr_encode(&h, hdr);
	if (key->len)
		auth_tag(key, hdr, NULL, 0, tag);
	conn_append_frame(c, hdr, NULL, 0, tag, wire_tag_len(&h), 0);
	conn_append_file(c, off, len);
	frame_queued(w, c);
	w->st.replies++;
}

/* -- the engine's io: forwards -- */

static uint32_t peer_bucket(const struct sockaddr_storage *ss)
{
	const uint8_t *p;
	size_t n;
	uint32_t h = 2166136261u;

	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)ss;

		p = (const uint8_t *)&a->sin_addr;
		n = sizeof a->sin_addr;
		h = (h ^ a->sin_port) * 16777619u;
	} else {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)ss;

		p = (const uint8_t *)&a->sin6_addr;
		n = sizeof a->sin6_addr;
		h = (h ^ a->sin6_port) * 16777619u;
	}
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h & (PEER_BUCKETS - 1);
}

static struct conn *peer_find(struct worker *w, const struct sockaddr_storage *ss)
{
	for (uint32_t i = w->peer_hash[peer_bucket(ss)]; i != 0; i = w->peers[i - 1]->hash_next)
		if (sock_addr_equal((const struct sockaddr *)&w->peers[i - 1]->addr,
				    (const struct sockaddr *)ss))
			return w->peers[i - 1];
	return NULL;
}

static void peer_unhash(struct worker *w, struct conn *p, uint32_t index)
{
	uint32_t *link = &w->peer_hash[peer_bucket(&p->addr)];

	while (*link != 0 && *link != index + 1)
		link = &w->peers[*link - 1]->hash_next;
	if (*link != 0)
		*link = p->hash_next;
	p->hash_next = 0;
}

/* A peer entry for a new target: a fresh one, or (at --max-peers) one that
 * is idle, closed if it was open. NULL when every entry is in use. */
static struct conn *peer_entry(struct worker *w, const struct sockaddr_storage *ss, socklen_t len)
{
	struct conn *p = NULL;
	uint32_t index = 0;

	if (w->npeers < w->cfg->max_peers) {
		p = conn_new(w, H_PEER, -1);
		w->peers = xrealloc(w->peers, (w->npeers + 1) * sizeof *w->peers);
		index = (uint32_t)w->npeers;
		w->peers[w->npeers++] = p;
	} else {
		for (size_t i = 0; i < w->npeers; i++)
			if (w->peers[i]->fd < 0 ||
			    (conn_queued(w->peers[i]) == 0 && w->peers[i]->inflight == 0)) {
				p = w->peers[i];
				index = (uint32_t)i;
				break;
			}
		if (p == NULL)
			return NULL;
		if (p->fd >= 0)
			fail_peer(w, p, "evicted", false);
		peer_unhash(w, p, index);
		w->st.peer_evictions++;
	}
	memcpy(&p->addr, ss, len);
	p->addrlen = len;
	p->delay_mask = netdelay_match(&w->cfg->net_delay, (const struct sockaddr *)ss);
	sock_addr_str((const struct sockaddr *)ss, p->name, sizeof p->name);
	uint32_t *head = &w->peer_hash[peer_bucket(ss)];
	p->hash_next = *head;
	*head = index + 1;
	return p;
}

/* The pooled connection to ss, connecting it if needed; NULL with *status
 * and why filled when that fails at once. */
static struct conn *get_peer(struct worker *w, const struct sockaddr_storage *ss, socklen_t len,
			     int *status, char *why, size_t why_len)
{
	struct conn *p = peer_find(w, ss);
	char a[SOCK_ADDR_STRLEN];

	if (p != NULL && p->fd >= 0)
		return p;
	if (p == NULL) {
		p = peer_entry(w, ss, len);
		if (p == NULL) {
			*status = WIRE_ERR_BUSY;
			snprintf(why, why_len, "forward to %s failed: this worker has --max-peers %u "
				 "connections in use", sock_addr_str((const struct sockaddr *)ss, a, sizeof a),
				 w->cfg->max_peers);
			return NULL;
		}
	}
	const struct sock_addr *self = &w->cfg->bind;
	/* On loopback every connection would come from 127.0.0.1: a node bound to
	 * a loopback address of its own forwards from it, so its peers (and
	 * their --net-delay rules) can tell the nodes apart. */
	bool from_self = self->ss.ss_family == ss->ss_family &&
			 sock_addr_is_loopback((const struct sockaddr *)&self->ss) &&
			 sock_addr_is_loopback((const struct sockaddr *)ss);
	int fd = sock_connect_from((const struct sockaddr *)ss, len,
				   from_self ? (const struct sockaddr *)&self->ss : NULL, self->len, true);
	int rc = fd;
	if (fd >= 0) {
		/* fail_peer() left it empty; addr, name and hash link stay. */
		p->fd = fd;
		p->gen++;
		p->closing = false;
		p->discard = 0;
		p->inflight = 0;
		p->connecting = true;
		p->interest = LOOP_READ | LOOP_WRITE;
		if (w->cfg->nodelay)
			sock_set_nodelay(fd, true);
		rc = loop_add(w->loop, fd, LOOP_READ | LOOP_WRITE, p);
		if (rc == 0)
			return p;
		close(fd);
		p->fd = -1;
	}
	if (rc == -ERANGE)
		log_msg("forward to %s: fd %d is above what --poll-mode %s can watch (%d)", p->name,
			fd, loop_backend_name(w->cfg->poll_mode), loop_max_fd(w->loop));
	*status = WIRE_ERR_FORWARD;
	/* The reason goes to the node's log only: a requester learns nothing
	 * about the lab's ports beyond "unreachable". */
	log_msg("forward to %s failed: %s", p->name, errstr(rc));
	snprintf(why, why_len, "forward to %s failed: unreachable", p->name);
	return NULL;
}

static int io_forward(void *ctx, const struct engine_send *s, void **peer, uint64_t *msg,
		      char *why, size_t why_len)
{
	struct worker *w = ctx;
	int status = 0;
	struct conn *p = get_peer(w, s->to, s->to_len, &status, why, why_len);

	if (p == NULL)
		return status;
	uint64_t frame = (uint64_t)WIRE_HDR_LEN + WIRE_BUDGET_LEN + s->sub_len + WIRE_TAG_LEN;
	if (s->frame_size > frame)
		frame = s->frame_size;
	uint64_t total = atomic_load_explicit(&peer_queued_total, memory_order_relaxed);
	if (conn_queued(p) + frame > w->cfg->max_peer_queue || total + frame > w->cfg->max_queued) {
		bool node = total + frame > w->cfg->max_queued;

		snprintf(why, why_len, "forward to %s failed: %s queue full (%llu bytes queued, "
			 "--max-%s %llu)", p->name, node ? "the node's" : "its",
			 (unsigned long long)(node ? total : conn_queued(p)),
			 node ? "queued" : "peer-queue",
			 (unsigned long long)(node ? w->cfg->max_queued : w->cfg->max_peer_queue));
		return WIRE_ERR_BUSY;
	}
	uint8_t block[WIRE_BUDGET_LEN];
	uint64_t before = conn_queued(p), start = p->out_total;

	wire_budget_encode(s->budget, block);
	w->fwd_body.len = 0;
	wire_buf_put(&w->fwd_body, block, sizeof block);
	wire_buf_put(&w->fwd_body, s->sub, s->sub_len);
	queue_frame_flags(w, p, WIRE_REQUEST, 0, s->id,
			  WIRE_FLAG_BUDGET | (s->route ? WIRE_FLAG_ROUTE : 0), w->fwd_body.data,
			  (uint32_t)w->fwd_body.len, s->frame_size);
	peer_account(p, &before);
	*msg = conn_mark_frame(p, start);
	*peer = p;
	p->inflight++;
	return 0;
}

static void io_cancel(void *ctx, void *peer, uint64_t msg)
{
	struct conn *p = peer;

	if (p->inflight > 0)
		p->inflight--; /* its answer no longer counts */
	if (p->fd >= 0)
		conn_cancel_frame(p, msg);
	(void)ctx;
}

/* A peer connection died: every target waiting on it has failed. Their
 * error says "unreachable" unless `tell` (a meshwalk peer's own problem, such
 * as a wrong key): socket errors and a stranger's bytes stay in the log, so a
 * requester cannot scan ports through the node. */
static void fail_peer(struct worker *w, struct conn *p, const char *why, bool tell)
{
	uint64_t accounted = conn_queued(p);
	char msg[SOCK_ADDR_STRLEN + 160];

	if (p->fd >= 0) {
		loop_del(w->loop, p->fd);
		close(p->fd);
		p->fd = -1;
	}
	if (why != NULL)
		log_msg("forward connection to %s: %s", p->name, why);
	p->connecting = false;
	p->interest = 0;
	p->discard = 0;
	p->inflight = 0;
	iobuf_release(&p->in);
	conn_out_reset(p);
	peer_account(p, &accounted);
	snprintf(msg, sizeof msg, "forward to %s failed: %s", p->name,
		 tell && why != NULL ? why : "unreachable");
	engine_peer_failed(w->engine, p, msg);
}

/* -- the engine's io: storage, timers, clock -- */

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

static void io_storage(void *ctx, struct storage_req *r)
{
	struct worker *w = ctx;

	r->done = storage_done;
	r->owner = w;
	storage_submit(w->storage, r);
}

static void io_timer(void *ctx, int64_t deadline, uint64_t key)
{
	struct worker *w = ctx;

	timer_heap_push(&w->timers, deadline, key);
}

static int64_t io_now(void *ctx)
{
	(void)ctx;
	return clock_now_ns();
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
		engine_storage_done(w->engine, r);
	}
}

/* -- starting requests -- */

/* An error reply to request h that keeps the connection (c NULL: the
 * datagram origin o). */
static void reply_error(struct worker *w, struct conn *c, const struct engine_origin *o,
			const struct wire_hdr *h, uint16_t status, const char *msg, uint32_t len)
{
	w->st.error_replies++;
	if (c == NULL)
		udp_send_frame(w, o, status, h->id, msg, len, 0);
	else
		queue_reply(w, c, status, h->id, msg, len, 0);
}

/* A route request: encodes the program of the route `name` into
 * w->route_prog (sampled with the worker's rng) and returns 0; returns a
 * negative wire status with e filled for a malformed name, or 1 after
 * answering a name this node has no route for. */
static int route_program(struct worker *w, struct conn *c, const struct engine_origin *o,
			 const struct wire_hdr *h, const uint8_t *name, uint32_t name_len,
			 struct err *e)
{
	const struct route *r;
	int rc = wire_route_check(name, name_len, e);

	if (rc < 0)
		return rc;
	r = route_table_find(&w->cfg->routes, name, name_len);
	if (r == NULL) {
		char msg[NODE_MSG_LEN], have[160];
		int n;

		route_table_names(&w->cfg->routes, have, sizeof have);
		n = snprintf(msg, sizeof msg, "node %s: no route '%.*s' (this node has: %s)", w->self,
			     (int)name_len, (const char *)name, have);
		reply_error(w, c, o, h, WIRE_ERR_NO_ROUTE, msg,
			    (uint32_t)(n < (int)sizeof msg ? n : (int)sizeof msg - 1));
		return 1;
	}
	w->route_prog.len = 0;
	prog_encode(r->prog, &w->rng, w->st.eng.requests, &w->route_prog);
	rc = wire_prog_check(w->route_prog.data, (uint32_t)w->route_prog.len, &w->cfg->limits, e);
	if (rc < 0) {
		/* The node's own template beyond its own limits (a sampled
		 * COMPUTE too long, say): refuse this request, not the peer. */
		err_prefix(e, "route %s", r->name);
		return -WIRE_ERR_LIMIT;
	}
	return 0;
}

/* Checks request h (its body at body) and hands it to the engine. c: the
 * TCP connection it came on, or NULL for the datagram origin o. */
static void start_request(struct worker *w, struct conn *c, struct engine_origin *o,
			  const struct wire_hdr *h, const uint8_t *body)
{
	struct wire_budget carried;
	const uint8_t *prog = body;
	uint32_t prog_len = h->prog_len;
	bool has_budget = (h->flags & WIRE_FLAG_BUDGET) != 0;
	struct err e;
	int rc = 0;

	if (has_budget)
		rc = wire_budget_decode(body, h->prog_len, &carried, &prog, &prog_len, &e);
	if (rc == 0 && (h->flags & WIRE_FLAG_ROUTE)) {
		rc = route_program(w, c, o, h, prog, prog_len, &e);
		if (rc > 0)
			return;
		prog = w->route_prog.data;
		prog_len = (uint32_t)w->route_prog.len;
	} else if (rc == 0) {
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
			reply_error(w, c, o, h, WIRE_ERR_LIMIT, msg, (uint32_t)n);
			return;
		}
		w->st.malformed++;
		if (c == NULL) {
			reply_error(w, c, o, h, (uint16_t)-rc, msg, (uint32_t)n);
			return;
		}
		w->st.error_replies++;
		log_msg("%s: bad request, closing: %s", c->name, e.msg);
		queue_reply(w, c, (uint16_t)-rc, h->id, msg, (uint32_t)n, 0);
		c->closing = true;
		return;
	}
	engine_start(w->engine, o, h->id, prog, prog_len, has_budget ? &carried : NULL);
}

static void start_client_request(struct worker *w, struct conn *c, const struct wire_hdr *h,
				 const uint8_t *body)
{
	struct engine_origin o = { .front = &w->front_tcp, .conn = c, .tag = c->gen,
				   .frame_len = h->len,
				   .authenticated = (h->flags & WIRE_FLAG_AUTH) != 0 };

	start_request(w, c, &o, h, body);
}

/* -- reading -- */

/* The current frame of a client has fully arrived: a request that waited
 * for its padding starts now. */
static void frame_done(struct worker *w, struct conn *c)
{
	c->frame_seq++;
	if (c->h.kind == H_CLIENT && c->pending.waiting) {
		c->pending.waiting = false;
		start_client_request(w, c, &c->pending.hdr, c->pending.body);
	}
}

/* Keeps request h's header and body in c until its padding has arrived. */
static void hold_request(struct conn *c, const struct wire_hdr *h, const uint8_t *body)
{
	if (c->pending.cap < h->prog_len) {
		c->pending.body = xrealloc(c->pending.body, h->prog_len);
		c->pending.cap = h->prog_len;
	}
	memcpy(c->pending.body, body, h->prog_len);
	c->pending.hdr = *h;
	c->pending.waiting = true;
}

/* With --auth-key-file, whether frame (header at p, body and tag after it)
 * carries the right tag; without, every frame is. */
static bool authentic(struct worker *w, const struct wire_hdr *h, const uint8_t *p)
{
	const struct auth_key *key = &w->cfg->auth;

	if (key->len == 0)
		return true;
	return (h->flags & WIRE_FLAG_AUTH) &&
	       auth_verify(key, p, p + WIRE_HDR_LEN, h->prog_len, p + WIRE_HDR_LEN + h->prog_len);
}

static void on_peer_reply(struct worker *w, struct conn *p, const struct wire_hdr *h,
			  const uint8_t *text)
{
	if (p->inflight > 0)
		p->inflight--;
	engine_forward_reply(w->engine, p, h->id, h->status, (const char *)text, h->prog_len);
}

/* A frame header that failed its checks; returns -1 (stop reading c) or 0
 * after refusing a well-formed request over a limit (its bytes are skipped). */
static int bad_header(struct worker *w, struct conn *c, const struct wire_hdr *h, int rc,
		      const struct err *e)
{
	char msg[NODE_MSG_LEN];
	int n = snprintf(msg, sizeof msg, "node %s: %s", w->self, e->msg);

	if (rc == -WIRE_ERR_LIMIT && c->h.kind == H_CLIENT && h->type == WIRE_REQUEST) {
		/* Well formed but beyond --max-frame-size / --max-prog-size:
		 * refuse it, let its bytes stream past unread, keep the
		 * connection. */
		queue_reply(w, c, WIRE_ERR_LIMIT, h->id, msg, (uint32_t)n, 0);
		w->st.limit_violations++;
		w->st.error_replies++;
		c->discard = h->len - WIRE_HDR_LEN;
		return 0;
	}
	w->st.malformed++;
	log_msg("%s: closing connection: %s", c->name, e->msg);
	if (c->h.kind == H_CLIENT && rc == -WIRE_ERR_VERSION) {
		queue_reply(w, c, WIRE_ERR_VERSION, h->id, msg, (uint32_t)n, 0);
		c->closing = true;
		return -1;
	}
	close_conn(w, c, e->msg);
	return -1;
}

static void bad_tag(struct worker *w, struct conn *c, const struct wire_hdr *h)
{
	w->st.auth_failures++;
	if (c->h.kind == H_CLIENT) {
		char msg[96];
		int n = snprintf(msg, sizeof msg, "node %s: %s", w->self,
				 h->flags & WIRE_FLAG_AUTH ? "authentication failed (wrong key)"
							   : "authentication required");

		queue_reply(w, c, WIRE_ERR_REFUSED, h->id, msg, (uint32_t)n, 0);
		w->st.error_replies++;
		c->closing = true;
		log_msg("%s: closing connection: %s", c->name, msg);
	} else {
		fail_peer(w, c, "reply failed authentication (different --auth-key-file?)", true);
	}
}

/* Parses frames from data; returns bytes consumed, or -1 when c was closed or
 * is closing (stop reading it). */
static ssize_t parse_frames(struct worker *w, struct conn *c, const uint8_t *data, size_t len)
{
	size_t off = 0;

	while (off < len && !c->closing && c->fd >= 0 &&
	       (c->h.kind != H_CLIENT || conn_queued(c) < OUT_HIGH)) {
		struct wire_hdr h;
		struct err e;
		int rc;

		if (c->discard > 0) {
			size_t d = len - off < c->discard ? len - off : (size_t)c->discard;

			off += d;
			c->discard -= d;
			if (c->discard == 0)
				frame_done(w, c);
			continue;
		}
		if (len - off < WIRE_HDR_LEN)
			break;
		rc = wire_hdr_decode(data + off, &w->cfg->limits, &h, &e);
		if (rc == 0 && h.type != (c->h.kind == H_CLIENT ? WIRE_REQUEST : WIRE_REPLY))
			rc = err_set(&e, "unexpected message type %u", h.type);
		if (rc < 0) {
			if (bad_header(w, c, &h, rc, &e) < 0)
				return -1;
			off += WIRE_HDR_LEN;
			continue;
		}
		size_t need = WIRE_HDR_LEN + (size_t)h.prog_len + wire_tag_len(&h);
		if (len - off < need)
			break;
		if (!authentic(w, &h, data + off)) {
			bad_tag(w, c, &h);
			return -1;
		}
		const uint8_t *body = data + off + WIRE_HDR_LEN;
		uint64_t pad = h.len - need;
		if (c->h.kind == H_PEER) {
			on_peer_reply(w, c, &h, body);
		} else if (pad > len - off - need) {
			/* The padding is still on its way: the request starts when
			 * it has arrived, so its transfer counts in its latency. */
			hold_request(c, &h, body);
		} else {
			start_client_request(w, c, &h, body);
			off += need + pad;
			c->frame_seq++;
			continue;
		}
		off += need;
		c->discard = pad;
		if (pad == 0)
			frame_done(w, c);
	}
	return (c->closing || c->fd < 0) ? -1 : (ssize_t)off;
}

/* Whether a client is in the middle of a frame. */
static bool mid_frame(const struct conn *c)
{
	return iobuf_len(&c->in) > 0 || c->discard > 0;
}

static uint32_t frame_check(const struct conn *c)
{
	return (c->gen << 16) | (c->frame_seq & 0xffff);
}

/* A client in the middle of a frame gets --frame-timeout to finish it. */
static void arm_frame_timer(struct worker *w, struct conn *c)
{
	if (c->frame_timer || c->fd < 0 || c->h.kind != H_CLIENT || !mid_frame(c))
		return;
	c->frame_timer = true;
	timer_heap_push(&w->timers,
			clock_now_ns() + (int64_t)(w->cfg->frame_timeout_ms * NSEC_PER_MSEC),
			conn_timer_key(TIMER_FRAME, c, frame_check(c)));
}

static void on_frame_timer(struct worker *w, uint64_t key)
{
	struct conn *c = conn_by_timer(w, key);

	if (c == NULL || (c->gen & 0xffff) != ((uint32_t)key >> 16) || !c->frame_timer)
		return;
	c->frame_timer = false;
	if (!mid_frame(c))
		return;
	if ((uint32_t)key != frame_check(c)) {
		arm_frame_timer(w, c); /* a later frame: it gets its own time */
		return;
	}
	w->st.frame_timeouts++;
	log_msg("%s: closing connection: a frame did not complete within --frame-timeout %llu ms",
		c->name, (unsigned long long)w->cfg->frame_timeout_ms);
	close_conn(w, c, NULL);
}

static void on_readable(struct worker *w, struct conn *c)
{
	ssize_t n, used;

	if (c->h.kind == H_CLIENT && conn_queued(c) >= OUT_HIGH)
		return; /* paused (an error or hang-up event): flush_conn resumes it */
	do
		n = recv(c->fd, w->scratch, SCRATCH_LEN, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		n = -errno;
	if (n <= 0) {
		if (n != -EAGAIN)
			close_conn(w, c, n == 0 ? "connection closed by peer" : errstr((int)n));
		return;
	}
	if (c->h.kind == H_CLIENT)
		w->st.bytes_in += (uint64_t)n;
	if (iobuf_len(&c->in) == 0) {
		used = parse_frames(w, c, w->scratch, (size_t)n);
		if (used >= 0 && used < n)
			iobuf_append(&c->in, w->scratch + used, (size_t)(n - used));
	} else {
		/* Only the bytes that arrived are kept: a frame's memory grows
		 * with what its sender has sent, not with what it announced. */
		iobuf_append(&c->in, w->scratch, (size_t)n);
		used = parse_frames(w, c, iobuf_head(&c->in), iobuf_len(&c->in));
		if (used > 0)
			iobuf_consume(&c->in, (size_t)used);
		else if (used < 0 && c->fd >= 0)
			iobuf_release(&c->in);
	}
	arm_frame_timer(w, c);
}

static void on_peer_writable(struct worker *w, struct conn *p)
{
	if (p->connecting) {
		int rc = sock_connect_result(p->fd);

		if (rc < 0) {
			fail_peer(w, p, errstr(rc), false);
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
		struct engine_origin o = { .front = &w->front_udp };
		struct wire_hdr h;
		struct err e;
		ssize_t n;

		o.peer_len = sizeof o.peer;
		n = recvfrom(w->udp_fd, w->scratch, SCRATCH_LEN, MSG_DONTWAIT | MSG_TRUNC,
			     (struct sockaddr *)&o.peer, &o.peer_len);
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
			o.frame_len = (uint64_t)n;
			o.authenticated = w->cfg->auth.len > 0;
			start_request(w, NULL, &o, &h, w->scratch + WIRE_HDR_LEN);
			continue;
		}
		char a[SOCK_ADDR_STRLEN];

		w->st.malformed++;
		log_msg("UDP datagram from %s dropped: %s",
			sock_addr_str((struct sockaddr *)&o.peer, a, sizeof a), e.msg);
	}
}

/* -- accepting -- */

static void on_listen(struct worker *w)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(w->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd >= 0) {
			add_client(w, fd);
			continue;
		}
		if ((errno == EMFILE || errno == ENFILE) && w->reserve_fd >= 0) {
			/* Out of descriptors: a level-triggered listener would wake
			 * us forever. Free the reserve, take the connection and
			 * close it, so the client hears a refusal, not silence. */
			close(w->reserve_fd);
			fd = accept4(w->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (fd >= 0)
				close(fd);
			w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
			w->st.refused_conns++;
			log_msg("accept: out of file descriptors: connection closed");
			continue;
		}
		if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
			log_msg("accept failed: %s", errstr(-errno));
		return;
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

static void on_timer(struct worker *w, uint64_t key)
{
	switch (key >> TIMER_KIND_SHIFT) {
	case 0:
		engine_timer(w->engine, key);
		break;
	case TIMER_DELAY >> TIMER_KIND_SHIFT:
		on_delay_timer(w, key);
		break;
	case TIMER_FRAME >> TIMER_KIND_SHIFT:
		on_frame_timer(w, key);
		break;
	}
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
	w->reserve_fd = -1;
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
	w->ecfg = (struct engine_config){
		.limits = &cfg->limits,
		.allow = &cfg->allow,
		.allow_name = cfg->allow_is_default ? "the default --allow-forward (loopback only)"
						    : "--allow-forward",
		.forward_timeout_us = cfg->forward_timeout_us,
		.max_retries = cfg->max_retries,
		.budget = cfg->budget,
		.has_storage = storage != NULL,
		.self = w->self,
	};
	w->io = (struct engine_io){ .ctx = w, .forward = io_forward, .cancel = io_cancel,
				    .storage = io_storage, .timer = io_timer, .now = io_now };
	w->front_tcp = (struct engine_front){ .name = "TCP", .ctx = w, .reply = tcp_reply,
					      .reply_file = tcp_reply_file };
	w->front_udp = (struct engine_front){ .name = "UDP", .ctx = w, .reply = udp_reply };
	w->engine = engine_create(&w->ecfg, &w->io, &w->rng, &w->st.eng);
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
	/* Last, so the descriptors the loop must watch stay low (select). */
	w->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
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
		conn_free_buffers(c);
		free(c);
	}
	free(w->all_conns);
	free(w->peers);
	engine_destroy(w->engine);
	wire_buf_free(&w->route_prog);
	wire_buf_free(&w->fwd_body);
	if (w->reserve_fd >= 0)
		close(w->reserve_fd);
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
