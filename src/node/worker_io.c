/* worker_io.c -- see worker_int.h: a connection's output (sending, interest,
 * back-pressure, closing once flushed), the flush list, and the events of
 * connections whose reads and writes go through the loop (c->io: io_uring's
 * socket I/O, net/loop.h).
 *
 * DESIGN: an io connection is never read or written with a system call of
 * its own on the hot path: its bytes arrive as LOOP_RECV events (the loop's
 * buffer, parsed in place like the scratch buffer of a recv(), the rest of
 * an incomplete request copied into c->in), and its output leaves as one
 * loop_send() at a time (node/conn.h), all submitted with the loop's next
 * wait. A paused connection (output over OUT_HIGH, or HTTP's ring full) has
 * no receive re-armed; bytes that a receive already in flight brings are
 * kept in c->in and parsed when it resumes, as without io. Segments (large
 * padding, storage-file data) are sent directly when no send is in flight,
 * with LOOP_WRITE interest while the socket is full. A connection closed
 * with a send in flight leaves its block to the loop (conn_io_detach()). */
#include "node/worker_int.h"

#include <stdio.h>

#include "net/tls.h"
#include "storage/storage.h"
#include "util/log.h"

/* Sends what it can, then registers for what the connection needs next:
 * WRITE while output waits, READ unless a client's output is over OUT_HIGH.
 * Closes on error, or once a closing connection has sent everything. */
void conn_flush(struct worker *w, struct conn *c)
{
	uint64_t dropped = 0, before = conn_queued(c);
	int rc;

	if (c->fd < 0 || c->connecting)
		return;
	int file_fd = w->storage ? storage_sendfile_fd(w->storage) : -1;
	rc = c->io ? conn_send_io(c, w->loop, file_fd, &dropped) : conn_send(c, file_fd, &dropped);
	w->st.cancelled_bytes += dropped;
	if (c->h.kind == H_PEER)
		peer_account(c, &before);
	if (rc < 0) {
		char why[128];

		snprintf(why, sizeof why, "send failed: %s", errstr(rc));
		conn_close(w, c, why);
		return;
	}
	if (c->h2 != NULL)
		front_h2_pump(w, c); /* the session's next bytes, as the output drains */
	uint64_t queued = conn_queued(c);
	if (queued == 0 && c->closing && conn_tls_pending(c) == 0) {
		conn_close(w, c, NULL);
		return;
	}
	bool client = c->h.kind != H_PEER;
	bool paused = client && (queued >= OUT_HIGH || (c->h.kind == H_HTTP && front_http_blocked(c)));
	if (client && !paused && (c->interest & LOOP_READ) == 0 && iobuf_len(&c->in) > 0) {
		/* may queue output (and re-mark c dirty) */
		if (c->h.kind == H_HTTP)
			front_http_resume(w, c);
		else
			front_wire_resume(w, c);
		if (c->fd < 0)
			return;
		queued = conn_queued(c);
		paused = queued >= OUT_HIGH || (c->h.kind == H_HTTP && front_http_blocked(c));
	}
	/* Held output waits for its delay timer, not for the socket; an io
	 * send in flight, for its completion. */
	unsigned want = (paused ? 0 : LOOP_READ) | (c->io ? LOOP_RECV : 0) |
			((queued > 0 && !c->tx_busy && conn_sendable(c)) || conn_tls_pending(c) > 0
				 ? LOOP_WRITE : 0);
	if (want != c->interest) {
		c->interest = want;
		loop_mod(w->loop, c->fd, want, c);
	}
}

void worker_flush_dirty(struct worker *w)
{
	while (w->flush_list != NULL) {
		struct conn *c = w->flush_list;

		w->flush_list = c->next;
		c->dirty = false;
		if (c->fd < 0) {
			/* A client closed while queued: finish its release. A peer
			 * stays in w->peers for reconnection. */
			if (c->h.kind != H_PEER) {
				c->next = w->retired;
				w->retired = c;
			}
			continue;
		}
		conn_flush(w, c);
	}
}


void worker_reuse_retired(struct worker *w)
{
	while (w->retired != NULL) {
		struct conn *c = w->retired;

		w->retired = c->next;
		c->next = w->free_conns;
		w->free_conns = c;
	}
}

/* Bytes an io connection received: to its front end. */
static void io_input(struct worker *w, struct conn *c, const uint8_t *data, size_t n)
{
	w->st.bytes_in += n;
	switch (c->h.kind) {
	case H_HTTP:
		front_http_input(w, c, data, n);
		break;
	case H_H2:
		front_h2_input(w, c, data, n);
		front_wire_arm_frame_timer(w, c);
		break;
	default:
		front_wire_input(w, c, data, n);
		break;
	}
}

void worker_io_event(struct worker *w, struct conn *c, const struct loop_event *e)
{
	char why[128];

	if (c->fd < 0)
		return; /* closed earlier in this batch */
	if (e->events & LOOP_SENT) {
		int rc = conn_io_sent(c, e->res);

		if (rc < 0) {
			snprintf(why, sizeof why, "send failed: %s", errstr(rc));
			conn_close(w, c, why);
			return;
		}
		w->st.ring_sends++;
		conn_flush(w, c); /* the rest, or what was appended meanwhile */
	} else if (e->events & LOOP_RECV) {
		if (e->res <= 0) {
			conn_close(w, c, e->res == 0 ? "connection closed by peer" : errstr(e->res));
			return;
		}
		io_input(w, c, e->data, (size_t)e->res);
	} else if (e->events & (LOOP_WRITE | LOOP_ERROR)) {
		conn_flush(w, c); /* a segment's socket has room, or an error to find */
	}
}
