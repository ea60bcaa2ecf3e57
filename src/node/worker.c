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
#include "net/tls.h"
#include "node/conn.h"
#include "prog/route.h"
#include "proto/frame.h"
#include "trace/export.h"
#include "util/clock.h"
#include "util/cpulist.h"
#include "util/log.h"
#include "util/schedpol.h"
#include "util/xalloc.h"
#include "node/worker_int.h"

/* Client connections open in this process, against --max-conns. */
static atomic_ulong open_clients;

/* -- connections -- */

void conn_mark_dirty(struct worker *w, struct conn *c)
{
	if (c->dirty)
		return;
	c->dirty = true;
	c->next = w->flush_list;
	w->flush_list = c;
}

struct conn *conn_new(struct worker *w, enum handle_kind kind, int fd)
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
	front_http_release(c);
	tls_free(c->tls);
	c->tls = NULL;
	front_h2_release(c);
	c->pending.waiting = false;
	c->gen++;
	c->fd = -1;
	if (c->dirty)
		return; /* worker_flush_dirty() retires it when it gets there */
	c->next = w->retired;
	w->retired = c;
}


static void add_client(struct worker *w, int fd, enum handle_kind kind, struct tls_ctx *tls)
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
	c = conn_new(w, kind, fd);
	c->io = tls == NULL && loop_has_io(w->loop);
	if (c->io)
		c->interest |= LOOP_RECV;
	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		sock_addr_str((struct sockaddr *)&ss, c->name, sizeof c->name);
		c->delay_mask = netdelay_match(&w->cfg->net_delay, (struct sockaddr *)&ss);
	} else {
		snprintf(c->name, sizeof c->name, "fd %d", fd);
	}
	int rc = loop_add(w->loop, fd, c->interest, c);
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
	counter_inc(&w->st.accepted);
	if (tls != NULL)
		front_tls_accepted(w, c, tls);
	else if (kind == H_H2)
		front_h2_attach(w, c);
}


void conn_close(struct worker *w, struct conn *c, const char *why)
{
	if (c->fd < 0)
		return;
	if (c->h.kind == H_PEER) {
		peer_fail(w, c, why, false);
		return;
	}
	loop_del(w->loop, c->fd);
	if (c->tls != NULL)
		tls_close_notify(c->tls); /* best effort: the socket may be full */
	close(c->fd);
	counter_inc(&w->st.closed);
	atomic_fetch_sub(&open_clients, 1);
	conn_release(w, c);
}



/* conn_recv() over TLS: whole records while a whole one fits, so none is
 * left half-read inside OpenSSL where the loop would not see it. */
static ssize_t tls_recv(struct worker *w, struct conn *c)
{
	size_t got = 0;
	ssize_t n = -EAGAIN;

	while (SCRATCH_LEN - got >= TLS_RECORD_MAX) {
		n = tls_read(c->tls, w->scratch + got, SCRATCH_LEN - got);
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (tls_pending_out(c->tls) > 0)
		conn_mark_dirty(w, c); /* reading may have to answer (key update) */
	if (got > 0) {
		if (c->h.kind != H_PEER)
			w->st.bytes_in += got;
		return (ssize_t)got; /* an end or error after it comes back next time */
	}
	if (n != -EAGAIN) {
		char why[200]; /* the conn's TLS state goes with it */

		snprintf(why, sizeof why, "%s", n == 0 ? "connection closed by peer" : tls_error(c->tls));
		conn_close(w, c, why);
	}
	return 0;
}

ssize_t conn_recv(struct worker *w, struct conn *c)
{
	ssize_t n;

	if (c->tls != NULL)
		return tls_recv(w, c);
	do
		n = recv(c->fd, w->scratch, SCRATCH_LEN, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		n = -errno;
	if (n <= 0) {
		if (n != -EAGAIN)
			conn_close(w, c, n == 0 ? "connection closed by peer" : errstr((int)n));
		return 0;
	}
	if (c->h.kind != H_PEER)
		w->st.bytes_in += (uint64_t)n;
	return n;
}

uint64_t conn_timer_key(uint64_t kind, const struct conn *c, uint32_t check)
{
	return kind | ((uint64_t)c->idx << 32) | check;
}

/* A whole frame has been queued on c: hold it for its --net-delay sample
 * when the peer has one, and flush it after this event. */
void conn_frame_queued(struct worker *w, struct conn *c)
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
	conn_mark_dirty(w, c);
}

struct conn *conn_by_timer(struct worker *w, uint64_t key)
{
	uint64_t idx = (key >> 32) & 0x3fffffff;

	if (idx >= w->nall_conns)
		return NULL;
	struct conn *c = w->all_conns[idx];
	return c->fd >= 0 ? c : NULL;
}

/* A delay timer fired: release what is due, and wait for the next mark.
 * One timer is pending per queue epoch while marks are: conn_frame_queued() arms
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
	conn_mark_dirty(w, c);
}

/* Queues a frame on c: header (with `flags`, and WIRE_FLAG_AUTH under a
 * key), body, tag, then zero padding up to frame_size. */
void conn_queue_frame(struct worker *w, struct conn *c, uint8_t type, uint16_t status,
		      uint64_t id, uint32_t flags, const void *body, uint32_t body_len,
		      uint64_t frame_size)
{
	const struct auth_key *key = &w->cfg->auth;
	struct wire_hdr h = { .version = WIRE_VERSION, .type = type, .status = status, .id = id,
			      .prog_len = body_len, .flags = flags };
	uint64_t used = frame_head_len(key, body_len), len = used;
	uint8_t hdr[WIRE_HDR_LEN], tag[WIRE_TAG_LEN];
	uint32_t tag_len;

	if (frame_size > len)
		len = frame_size < w->cfg->limits.max_frame ? frame_size : w->cfg->limits.max_frame;
	if (len < used)
		len = used;
	h.len = (uint32_t)len;
	tag_len = frame_write_head(key, &h, body, hdr, tag);
	conn_append_frame(c, hdr, body, body_len, tag, tag_len, len - used);
	conn_frame_queued(w, c);
}

void conn_queue_reply(struct worker *w, struct conn *c, uint16_t status, uint64_t id,
		      const void *text, uint32_t text_len, uint64_t frame_size)
{
	conn_queue_frame(w, c, WIRE_REPLY, status, id, 0, text, text_len, frame_size);
}

/* -- accepting -- */

static void on_listen(struct worker *w, struct listener *l)
{
	for (int i = 0; i < ACCEPT_BATCH; i++) {
		int fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd >= 0) {
			add_client(w, fd, l->conn_kind, l->tls);
			continue;
		}
		if ((errno == EMFILE || errno == ENFILE) && w->reserve_fd >= 0) {
			/* Out of descriptors: a level-triggered listener would wake
			 * us forever. Free the reserve, take the connection and
			 * close it, so the client hears a refusal, not silence. */
			close(w->reserve_fd);
			fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
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
	struct handoff *fds;
	size_t n;

	if (read(w->wake_fd, &v, sizeof v) == -1 && errno != EAGAIN)
		log_msg("wake read failed: %s", errstr(-errno));
	node_io_drain_storage(w);
	peer_name_drain(w);
	pthread_mutex_lock(&w->handoff_lock);
	fds = w->handoff;
	n = w->nhandoff;
	w->handoff = NULL;
	w->nhandoff = w->handoff_cap = 0;
	pthread_mutex_unlock(&w->handoff_lock);
	for (size_t i = 0; i < n; i++)
		add_client(w, fds[i].fd, fds[i].kind, fds[i].tls);
	free(fds);
}

void worker_hand_off(struct worker *w, int fd, enum sock_proto proto, struct tls_ctx *tls)
{
	uint64_t one = 1;

	pthread_mutex_lock(&w->handoff_lock);
	if (w->nhandoff == w->handoff_cap) {
		w->handoff_cap = w->handoff_cap ? w->handoff_cap * 2 : 16;
		w->handoff = xrealloc(w->handoff, w->handoff_cap * sizeof *w->handoff);
	}
	w->handoff[w->nhandoff++] = (struct handoff){
		fd,
		proto == SOCK_HTTP || proto == SOCK_HTTPS ? H_HTTP
		: sock_is_http(proto)                     ? H_H2
							  : H_CLIENT,
		tls,
	};
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

/* How long to sleep for the next timer, less the lead (*lead): the sleep's
 * lateness, learned, so that it usually ends just before the deadline;
 * *wake is when it asks to end. */
static int64_t next_timeout(struct worker *w, int64_t *lead, int64_t *wake)
{
	struct timer_entry te;
	int64_t gap;

	*lead = 0;
	if (!timer_heap_peek(&w->timers, &te))
		return -1;
	gap = te.deadline - clock_now_ns();
	if (gap <= 0)
		return 0;
	*lead = clock_lead_ns(&w->timer_lead, gap);
	*wake = te.deadline - *lead;
	return gap - *lead;
}

/* A sleep asked to end at wake (lead before the next timer's deadline) has
 * ended with no events: learn its lateness, and if it woke before the
 * deadline, spin the rest (at most the lead, CLOCK_LEAD_MAX_NS), so a hold,
 * a SLEEP or a deadline ends on time, never early; sleeping again would end
 * it late by another wake-up (tens of microseconds on a VM). */
static void timer_sleep_ended(struct worker *w, int64_t wake, int64_t lead)
{
	struct timer_entry te;
	int64_t now = clock_now_ns();

	if (now < wake)
		return; /* interrupted (a signal, an io_uring ring's task work) */
	clock_lead_learn(&w->timer_lead, wake, now);
	if (timer_heap_peek(&w->timers, &te) && te.deadline > now && te.deadline <= wake + lead)
		clock_spin_until(te.deadline);
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
		front_wire_frame_timer(w, key);
		break;
	case TIMER_H2 >> TIMER_KIND_SHIFT:
		front_grpc_timer(w, key);
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
		worker_flush_dirty(w);
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

	snprintf(name, sizeof name, "dwn_conn_%d", w->index); /* DistWalk's names: scripts find workers by them */
	pthread_setname_np(pthread_self(), name);
	/* Link holds, SLEEPs and deadlines end when asked: the default 50 us of
	 * timer slack made every hold up to that much longer than drawn. */
	clock_lower_timer_slack();
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
		int64_t lead = 0, wake = 0;
		int64_t timeout = w->cfg->wait_spin ? 0 : next_timeout(w, &lead, &wake);
		int n = loop_wait(w->loop, ev, MAX_EVENTS, timeout);

		if (n == 0 && timeout > 0)
			timer_sleep_ended(w, wake, lead);

		if (n < 0) {
			log_msg("worker %d: event loop failed: %s", w->index, errstr(n));
			break;
		}
		for (int i = 0; i < n; i++) {
			struct handle *h = ev[i].ptr;
			struct conn *c = (struct conn *)h;

			if ((h->kind == H_HTTP || h->kind == H_CLIENT || h->kind == H_H2) && c->io) {
				worker_io_event(w, c, &ev[i]);
				worker_flush_dirty(w);
				continue;
			}
			switch (h->kind) {
			case H_LISTEN:
				on_listen(w, (struct listener *)h);
				break;
			case H_WAKE:
				on_wake(w);
				break;
			case H_UDP:
				front_udp_readable(w, (struct listener *)h);
				break;
			case H_H2:
				if (c->fd < 0)
					break;
				if (ev[i].events & (LOOP_READ | LOOP_ERROR))
					front_h2_readable(w, c);
				if (c->fd >= 0 && (ev[i].events & LOOP_WRITE))
					conn_flush(w, c);
				break;
			case H_HTTP:
				if (c->fd < 0)
					break;
				if (ev[i].events & (LOOP_READ | LOOP_ERROR))
					front_http_readable(w, c);
				if (c->fd >= 0 && (ev[i].events & LOOP_WRITE))
					conn_flush(w, c);
				break;
			case H_TLS:
				if (c->fd >= 0)
					front_tls_event(w, c);
				break;
			case H_CLIENT:
			case H_PEER:
				if (c->fd < 0)
					break; /* closed earlier in this batch */
				if (h->kind == H_PEER && (ev[i].events & (LOOP_WRITE | LOOP_ERROR)) &&
				    c->connecting) {
					peer_on_writable(w, c);
					if (c->fd < 0)
						break;
				}
				if (h->kind == H_PEER && c->tls != NULL && !tls_handshake_done(c->tls) &&
				    !c->connecting && (!front_tls_peer_handshake(w, c) ||
						       !tls_handshake_done(c->tls)))
					break; /* failed, or waits for the target */
				if (ev[i].events & (LOOP_READ | LOOP_ERROR))
					front_wire_readable(w, c);
				if (c->fd >= 0 && (ev[i].events & LOOP_WRITE))
					conn_flush(w, c);
				break;
			}
			worker_flush_dirty(w);
		}
		worker_reuse_retired(w);
		run_timers(w);
	}
	/* Here: io_uring's socket I/O has this thread as its only submitter, and
	 * destroying the loop waits for the kernel to be done with the buffers. */
	loop_destroy(w->loop);
	w->loop = NULL;
	return NULL;
}

/* Why loop_add() refused a descriptor the worker cannot do without. */
static const char *watch_err(const struct worker *w, int rc)
{
	return rc == -ERANGE ? "its number is above what this poll mode can watch (FD_SETSIZE)"
			     : errstr(rc);
}

int worker_create(const struct node_config *cfg, int index, const struct worker_sockets *socks,
		  struct storage *storage, struct worker **out, struct err *e)
{
	struct worker *w = xcalloc(1, sizeof *w);
	int rc;

	w->wake_fd = -1;
	w->reserve_fd = -1;
	w->cfg = cfg;
	w->index = index;
	w->storage = storage;
	pthread_mutex_init(&w->done_lock, NULL);
	w->wake_h.kind = H_WAKE;
	atomic_init(&w->stop, false);
	pthread_mutex_init(&w->handoff_lock, NULL);
	pthread_mutex_init(&w->start_lock, NULL);
	pthread_cond_init(&w->start_cond, NULL);
	timer_heap_init(&w->timers);
	rng_seed(&w->rng, cfg->seed, (uint64_t)index);
	w->scratch = xmalloc(SCRATCH_LEN);
	w->tls_client = socks->tls_client;
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
	w->io = (struct engine_io){ .ctx = w, .forward = node_io_forward, .cancel = node_io_cancel,
				    .storage = node_io_storage, .timer = node_io_timer, .now = node_io_now };
	w->front_tcp = (struct engine_front){ .name = "TCP", .ctx = w, .reply = front_wire_reply,
					      .reply_file = front_wire_reply_file };
	w->front_udp = (struct engine_front){ .name = "UDP", .ctx = w, .reply = front_udp_reply };
	w->front_http = (struct engine_front){ .name = "HTTP", .ctx = w, .reply = front_http_reply };
	w->front_h2 = (struct engine_front){ .name = "HTTP/2", .ctx = w, .reply = front_h2_reply };
	w->engine = engine_create(&w->ecfg, &w->io, &w->rng, &w->st.eng);
	engine_set_trace(w->engine, trace_export_ring(cfg->tracer, index)); /* NULL: off */
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
	if (cfg->poll_mode == LOOP_URING && !loop_has_io(w->loop) && index == 0)
		log_msg("--poll-mode io_uring: this kernel has no io_uring buffer rings (Linux 5.19): "
			"readiness only, as io_uring-poll");
	rc = loop_add(w->loop, w->wake_fd, LOOP_READ, &w->wake_h);
	if (rc < 0) {
		err_set(e, "worker %d: cannot watch its eventfd (fd %d) with %s: %s", index,
			w->wake_fd, loop_backend_name(cfg->poll_mode), watch_err(w, rc));
		goto fail;
	}
	for (int i = 0; i < socks->nlisten; i++) {
		unsigned ev = LOOP_READ | (cfg->accept_mode == NODE_ACCEPT_SHARED ? LOOP_EXCLUSIVE : 0);
		struct listener *l = &w->listeners[w->nlisteners++];

		l->h.kind = H_LISTEN;
		l->fd = socks->listen[i];
		l->conn_kind = socks->listen_h2[i] ? H_H2 : socks->listen_http[i] ? H_HTTP : H_CLIENT;
		l->tls = socks->listen_tls[i];
		rc = loop_add(w->loop, l->fd, ev, l);
		if (rc < 0) {
			err_set(e, "worker %d: cannot watch its listener (fd %d) with %s: %s", index,
				l->fd, loop_backend_name(cfg->poll_mode), watch_err(w, rc));
			goto fail;
		}
	}
	for (int i = 0; i < socks->nudp; i++) {
		struct listener *u = &w->udps[w->nudps++];

		u->h.kind = H_UDP;
		u->fd = socks->udp[i];
		rc = loop_add(w->loop, u->fd, LOOP_READ, u);
		if (rc < 0) {
			err_set(e, "worker %d: cannot watch its UDP socket (fd %d) with %s: %s", index,
				u->fd, loop_backend_name(cfg->poll_mode), watch_err(w, rc));
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
	/* First: it waits for the kernel to be done with the buffers of the
	 * connections' socket I/O. */
	loop_destroy(w->loop);
	w->loop = NULL;
	for (size_t i = 0; i < w->nall_conns; i++) {
		struct conn *c = w->all_conns[i];

		if (c->fd >= 0)
			close(c->fd);
		front_http_release(c);
		peer_http_release(c);
		peer_h2_release(c);
		peer_tls_release(c);
		tls_free(c->tls);
		front_h2_release(c);
		conn_free_buffers(c);
		free(c);
	}
	free(w->all_conns);
	free(w->peers);
	engine_destroy(w->engine);
	peer_name_release(w); /* before the wake eventfd closes: lookups in flight write it */
	wire_buf_free(&w->route_prog);
	wire_buf_free(&w->fwd_body);
	wire_buf_free(&w->root_prog);
	if (w->reserve_fd >= 0)
		close(w->reserve_fd);
	free(w->handoff);
	timer_heap_free(&w->timers);
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
