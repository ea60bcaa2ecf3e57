/* peer.c -- see worker_int.h: pooled forward connections and the engine's io. */
#include "node/worker_int.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net/tls.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Bytes queued to peers by every worker, against --max-queued. */
static atomic_ullong peer_queued_total;

/* Peers' queued bytes as the node-wide counter knows them: call after
 * anything that changes a peer's queue. */
void peer_account(struct conn *p, uint64_t *accounted)
{
	uint64_t now = conn_queued(p);

	if (now > *accounted)
		atomic_fetch_add_explicit(&peer_queued_total, now - *accounted, memory_order_relaxed);
	else if (now < *accounted)
		atomic_fetch_sub_explicit(&peer_queued_total, *accounted - now, memory_order_relaxed);
	*accounted = now;
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

/* A named target's bucket: its name and port. */
static uint32_t name_bucket(const char *host, size_t len, uint16_t port)
{
	uint32_t h = (2166136261u ^ port) * 16777619u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)host[i]) * 16777619u;
	return h & (PEER_BUCKETS - 1);
}

static uint32_t send_bucket(const struct engine_send *s)
{
	return s->host ? name_bucket(s->host, s->host_len, s->port) : peer_bucket(s->to);
}

/* Whether peer p is the connection to s's target (its address, or its
 * host name and port). */
static bool peer_is(const struct conn *p, const struct engine_send *s)
{
	if (s->host != NULL)
		return p->host != NULL && p->host_port == s->port && strlen(p->host) == s->host_len &&
		       memcmp(p->host, s->host, s->host_len) == 0;
	return p->host == NULL &&
	       sock_addr_equal((const struct sockaddr *)&p->addr, (const struct sockaddr *)s->to);
}

/* The connection to s's target reached by s->via. HTTP targets get a pool: a
 * connection with no request in flight, else NULL with *busy the least
 * loaded one (HTTP/1.1 answers in order, so sharing a busy one would make a
 * request wait for another's answer, and a route cycle wait for itself). */
static struct conn *peer_find(struct worker *w, const struct engine_send *s, struct conn **busy)
{
	enum wire_transport via = s->via;

	*busy = NULL;
	for (uint32_t i = w->peer_hash[send_bucket(s)]; i != 0; i = w->peers[i - 1]->hash_next) {
		struct conn *p = w->peers[i - 1];

		if (!peer_is(p, s) || p->via != via)
			continue;
		/* an https:// peer speaks HTTP/1.1 when its handshake chose it */
		if (p->hpeer == NULL || p->fd < 0 || peer_http_waiting(p) == 0)
			return p;
		if (*busy == NULL || peer_http_waiting(p) < peer_http_waiting(*busy))
			*busy = p;
	}
	return NULL;
}

static void peer_unhash(struct worker *w, struct conn *p, uint32_t index)
{
	uint32_t *link = &w->peer_hash[p->host ? name_bucket(p->host, strlen(p->host), p->host_port)
					       : peer_bucket(&p->addr)];

	while (*link != 0 && *link != index + 1)
		link = &w->peers[*link - 1]->hash_next;
	if (*link != 0)
		*link = p->hash_next;
	p->hash_next = 0;
}

/* "h2c://127.0.0.1:7892", "http://svc.ns.svc.cluster.local": the target's
 * address or host name after the scheme of its transport (none for
 * meshwalk's protocol, over TCP or TLS). */
static void peer_name(struct conn *p, enum wire_transport via)
{
	static const char *const schemes[WIRE_VIA_MAX_] = {
		[WIRE_VIA_HTTP] = "http://", [WIRE_VIA_H2C] = "h2c://", [WIRE_VIA_GRPC] = "grpc://",
		[WIRE_VIA_HTTPS] = "https://", [WIRE_VIA_GRPCS] = "grpcs://",
	};
	char a[SOCK_ADDR_STRLEN];
	const char *scheme = schemes[via] ? schemes[via] : "";

	if (p->host != NULL) {
		/* A named target: what HTTP sends as Host / :authority, the
		 * port left out when it is the scheme's own, as clients write
		 * it (RFC 9110, 7.2). */
		bool own = (p->host_port == 80 && (via == WIRE_VIA_HTTP || via == WIRE_VIA_H2C ||
						    via == WIRE_VIA_GRPC)) ||
			   (p->host_port == 443 && (via == WIRE_VIA_HTTPS || via == WIRE_VIA_GRPCS));

		if (own)
			snprintf(p->name, sizeof p->name, "%s%s", scheme, p->host);
		else
			snprintf(p->name, sizeof p->name, "%s%s:%u", scheme, p->host, p->host_port);
		return;
	}
	sock_addr_str((const struct sockaddr *)&p->addr, a, sizeof a);
	/* "[v6]:port" fits with the scheme; a truncated one is only a message */
	snprintf(p->name, sizeof p->name, "%s%s", scheme, a);
}

const char *peer_authority(const struct conn *p)
{
	const char *s = strstr(p->name, "://");

	return s != NULL ? s + 3 : p->name;
}

/* A peer entry for a new target: a fresh one, or (at --max-peers) one that
 * is idle, closed if it was open. NULL when every entry is in use. */
static struct conn *peer_entry(struct worker *w, const struct engine_send *s)
{
	enum wire_transport via = s->via;
	struct conn *p = NULL;
	uint32_t index = 0;

	if (w->npeers < w->cfg->max_peers) {
		p = conn_new(w, H_PEER, -1);
		w->peers = xrealloc(w->peers, (w->npeers + 1) * sizeof *w->peers);
		index = (uint32_t)w->npeers;
		w->peers[w->npeers++] = p;
	} else {
		for (size_t i = 0; i < w->npeers; i++)
			if (!w->peers[i]->resolving &&
			    (w->peers[i]->fd < 0 ||
			     (conn_queued(w->peers[i]) == 0 && w->peers[i]->inflight == 0))) {
				p = w->peers[i];
				index = (uint32_t)i;
				break;
			}
		if (p == NULL)
			return NULL;
		if (p->fd >= 0)
			peer_fail(w, p, "evicted", false);
		peer_unhash(w, p, index);
		w->st.peer_evictions++;
	}
	free(p->host);
	p->host = NULL;
	if (s->host != NULL) {
		peer_name_entry(p, s);
	} else {
		memcpy(&p->addr, s->to, s->to_len);
		p->addrlen = s->to_len;
		p->delay_mask = netdelay_match(&w->cfg->net_delay, (const struct sockaddr *)s->to);
	}
	p->via = via;
	p->tls_peer = via == WIRE_VIA_TLS || via == WIRE_VIA_HTTPS || via == WIRE_VIA_GRPCS;
	peer_name(p, via);
	peer_http_attach(p, via == WIRE_VIA_HTTP);
	/* an https:// peer's protocol is its handshake's choice (peer_tls.c) */
	peer_h2_attach(p, via == WIRE_VIA_HTTPS ? WIRE_VIA_NATIVE : via);
	peer_tls_reset(p);
	uint32_t *head = &w->peer_hash[send_bucket(s)];
	p->hash_next = *head;
	*head = index + 1;
	return p;
}

/* The pooled connection to s's target, connecting it if needed (a named
 * target: resolving its name first); NULL with *status and why filled when
 * that fails at once. */
static struct conn *get_peer(struct worker *w, const struct engine_send *s, int *status, char *why,
			     size_t why_len)
{
	struct conn *busy, *p = peer_find(w, s, &busy);

	if (p != NULL && (p->fd >= 0 || p->resolving))
		return p;
	if (p == NULL) {
		p = peer_entry(w, s);
		if (p == NULL && busy != NULL)
			return busy; /* --max-peers reached: pipeline on the pool's least busy */
		if (p == NULL) {
			char a[SOCK_ADDR_STRLEN];

			*status = WIRE_ERR_BUSY;
			if (s->host != NULL)
				snprintf(why, why_len, "forward to %.*s:%u failed: this worker has "
					 "--max-peers %u connections in use", (int)s->host_len, s->host,
					 s->port, w->cfg->max_peers);
			else
				snprintf(why, why_len, "forward to %s failed: this worker has --max-peers "
					 "%u connections in use",
					 sock_addr_str((const struct sockaddr *)s->to, a, sizeof a),
					 w->cfg->max_peers);
			return NULL;
		}
	}
	if (p->host != NULL)
		return peer_open_named(w, p, status, why, why_len);
	return peer_connect(w, p, status, why, why_len) == 0 ? p : NULL;
}

int peer_connect(struct worker *w, struct conn *p, int *status, char *why, size_t why_len)
{
	const struct sockaddr_storage *ss = &p->addr;
	const struct sock_addr *self = &w->cfg->bind;
	/* On loopback every connection would come from 127.0.0.1: a node bound to
	 * a loopback address of its own forwards from it, so its peers (and
	 * their --net-delay rules) can tell the nodes apart. */
	bool from_self = self->ss.ss_family == ss->ss_family &&
			 sock_addr_is_loopback((const struct sockaddr *)&self->ss) &&
			 sock_addr_is_loopback((const struct sockaddr *)ss);
	int fd = sock_connect_from((const struct sockaddr *)ss, p->addrlen,
				   from_self ? (const struct sockaddr *)&self->ss : NULL, self->len, true);
	int rc = fd;
	if (fd >= 0) {
		/* peer_fail() left it empty; addr, name and hash link stay. */
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
			return 0;
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
	return -1;
}

/* Writes forward s as a native request frame. */
static void queue_native(struct worker *w, struct conn *p, const struct engine_send *s)
{
	uint8_t block[WIRE_BUDGET_LEN];

	wire_budget_encode(s->budget, block);
	w->fwd_body.len = 0;
	wire_buf_put(&w->fwd_body, block, sizeof block);
	if (s->trace != NULL)
		wire_trace_put(&w->fwd_body, s->trace);
	wire_buf_put(&w->fwd_body, s->sub, s->sub_len);
	conn_queue_frame(w, p, WIRE_REQUEST, 0, s->id,
			  WIRE_FLAG_BUDGET | (s->route ? WIRE_FLAG_ROUTE : 0) |
				  (s->trace ? WIRE_FLAG_TRACE : 0),
			  w->fwd_body.data, (uint32_t)w->fwd_body.len, s->frame_size);
}

int node_io_forward(void *ctx, const struct engine_send *s, void **peer, uint64_t *msg,
		    char *why, size_t why_len)
{
	struct worker *w = ctx;
	int status = 0;
	struct conn *p = get_peer(w, s, &status, why, why_len);

	if (p == NULL)
		return status;
	uint64_t frame = (uint64_t)WIRE_HDR_LEN + WIRE_BUDGET_LEN + s->sub_len + WIRE_TAG_LEN;
	if (s->frame_size > frame)
		frame = s->frame_size;
	uint64_t total = atomic_load_explicit(&peer_queued_total, memory_order_relaxed);
	/* A frame larger than a cap still goes to an idle queue (its padding is
	 * streamed from a zero page, not held). */
	bool peer_full = conn_queued(p) > 0 && conn_queued(p) + frame > w->cfg->max_peer_queue;
	bool node_full = total > 0 && total + frame > w->cfg->max_queued;
	if (peer_full || node_full) {
		bool node = node_full;

		snprintf(why, why_len, "forward to %s failed: %s queue full (%llu bytes queued, "
			 "--max-%s %llu)", p->name, node ? "the node's" : "its",
			 (unsigned long long)(node ? total : conn_queued(p)),
			 node ? "queued" : "peer-queue",
			 (unsigned long long)(node ? w->cfg->max_queued : w->cfg->max_peer_queue));
		return WIRE_ERR_BUSY;
	}
	uint64_t before = conn_queued(p), start = p->out_total;

	if (peer_tls_holding(p)) {
		peer_tls_hold(p, s); /* written once ALPN has chosen HTTP/2 or HTTP/1.1 */
	} else if (p->hpeer != NULL) {
		peer_http_queue(w, p, s);
	} else if (p->h2peer != NULL) {
		if (peer_h2_queue(w, p, s, why, why_len) < 0) {
			/* nothing was queued: `before` is what peer_fail() un-counts */
			peer_fail(w, p, why, false);
			return WIRE_ERR_FORWARD;
		}
	} else {
		queue_native(w, p, s);
	}
	peer_account(p, &before);
	*msg = conn_mark_frame(p, start);
	*peer = p;
	p->inflight++;
	return 0;
}

void node_io_cancel(void *ctx, void *peer, uint64_t msg)
{
	struct conn *p = peer;

	if (p->inflight > 0)
		p->inflight--; /* its answer no longer counts */
	/* HTTP/1.1 answers in order, HTTP/2's HPACK state spans frames: their
	 * frames stay (and so do https:// forwards held for the handshake) */
	if ((p->fd >= 0 || p->resolving) && (p->via == WIRE_VIA_NATIVE || p->via == WIRE_VIA_TLS))
		conn_cancel_frame(p, msg);
	(void)ctx;
}

/* A peer connection died: every target waiting on it has failed. Their
 * error says "unreachable" unless `tell` (a meshwalk peer's own problem, such
 * as a wrong key): socket errors and a stranger's bytes stay in the log, so a
 * requester cannot scan ports through the node. */
void peer_fail(struct worker *w, struct conn *p, const char *why, bool tell)
{
	peer_fail_status(w, p, WIRE_ERR_FORWARD, why, tell);
}

void peer_fail_status(struct worker *w, struct conn *p, uint16_t status, const char *why,
		      bool tell)
{
	uint64_t accounted = conn_queued(p);
	char msg[CONN_NAME_LEN + 160];

	if (p->fd >= 0) {
		loop_del(w->loop, p->fd);
		close(p->fd);
		p->fd = -1;
	}
	tls_free(p->tls);
	p->tls = NULL;
	if (why != NULL)
		log_msg("forward connection to %s: %s", p->name, why);
	p->connecting = false;
	p->resolving = false;
	p->interest = 0;
	p->discard = 0;
	p->inflight = 0;
	iobuf_release(&p->in);
	conn_out_reset(p);
	peer_http_reset(p);
	peer_h2_reset(p);
	peer_tls_reset(p);
	peer_account(p, &accounted);
	snprintf(msg, sizeof msg, "forward to %s failed: %s", p->name,
		 tell && why != NULL ? why : "unreachable");
	engine_peer_failed_status(w->engine, p, status, msg);
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

void node_io_storage(void *ctx, struct storage_req *r)
{
	struct worker *w = ctx;

	r->done = storage_done;
	r->owner = w;
	storage_submit(w->storage, r);
}

void node_io_timer(void *ctx, int64_t deadline, uint64_t key)
{
	struct worker *w = ctx;

	timer_heap_push(&w->timers, deadline, key);
}

int64_t node_io_now(void *ctx)
{
	(void)ctx;
	return clock_now_ns();
}

void node_io_drain_storage(struct worker *w)
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

void peer_on_reply(struct worker *w, struct conn *p, const struct wire_hdr *h,
		   const uint8_t *text)
{
	if (p->inflight > 0)
		p->inflight--;
	engine_forward_reply(w->engine, p, h->id, h->status, (const char *)text, h->prog_len);
}

void peer_on_writable(struct worker *w, struct conn *p)
{
	if (p->connecting) {
		int rc = sock_connect_result(p->fd);

		if (rc < 0) {
			peer_fail(w, p, errstr(rc), false);
			return;
		}
		p->connecting = false;
		if (front_tls_peer_connected(w, p) < 0)
			return; /* failed at once */
	}
	conn_flush(w, p);
}
