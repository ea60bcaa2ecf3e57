/* conn.c -- see conn.h. */
#include "node/conn.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/tls.h"
#include "util/xalloc.h"

static const uint8_t zero_page[64 * 1024];

void conn_init(struct conn *c, enum handle_kind kind, int fd)
{
	uint32_t gen = c->gen, idx = c->idx;
	struct delay_queue delayed = c->delayed;   /* keeps its allocation */
	struct frame_mark *marks = c->marks;
	uint32_t mark_cap = c->mark_cap;
	uint64_t mark_seq = c->mark_tail;          /* handles never repeat */
	struct pending_req pending = c->pending;

	memset(c, 0, sizeof *c);
	c->gen = gen;
	c->idx = idx;
	c->delayed = delayed;
	delay_queue_reset(&c->delayed);
	c->marks = marks;
	c->mark_cap = mark_cap;
	c->mark_head = c->mark_tail = mark_seq;
	c->pending.body = pending.body;
	c->pending.cap = pending.cap;
	c->h.kind = kind;
	c->fd = fd;
	c->segs_tail = &c->segs;
}

void conn_out_reset(struct conn *c)
{
	iobuf_release(&c->out);
	if (c->tx_busy)
		conn_io_detach(c); /* loop_del() gave its block to the loop */
	iobuf_release(&c->tx);
	while (c->segs != NULL) {
		struct out_seg *f = c->segs;

		c->segs = f->next;
		free(f);
	}
	c->segs_tail = &c->segs;
	c->seg_bytes = 0;
	c->out_total = c->out_sent = 0;
	c->mark_head = c->mark_tail;
	c->dead_marks = 0;
	delay_queue_reset(&c->delayed);
}

void conn_free_buffers(struct conn *c)
{
	c->tx_busy = false; /* teardown: the loop is gone, and waited for the kernel */
	iobuf_release(&c->in);
	conn_out_reset(c);
	delay_queue_free(&c->delayed);
	free(c->marks);
	free(c->pending.body);
	free(c->host);
}

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

void conn_append_frame(struct conn *c, const uint8_t *hdr, const void *body, uint32_t body_len,
		       const uint8_t *tag, uint32_t tag_len, uint64_t pad)
{
	iobuf_append(&c->out, hdr, WIRE_HDR_LEN);
	if (body_len)
		iobuf_append(&c->out, body, body_len);
	if (tag_len)
		iobuf_append(&c->out, tag, tag_len);
	c->out_total += (uint64_t)WIRE_HDR_LEN + body_len + tag_len;
	if (pad > CONN_INLINE_PAD) {
		add_seg(c, true, 0, pad);
	} else if (pad > 0) {
		iobuf_append_zeros(&c->out, pad);
		c->out_total += pad;
	}
}

void conn_append_bytes(struct conn *c, const void *p, size_t n)
{
	iobuf_append(&c->out, p, n);
	c->out_total += n;
}

void conn_append_zeros(struct conn *c, uint64_t n)
{
	if (n > CONN_INLINE_PAD) {
		add_seg(c, true, 0, n);
	} else if (n > 0) {
		iobuf_append_zeros(&c->out, n);
		c->out_total += n;
	}
}

void conn_append_file(struct conn *c, uint64_t off, uint64_t len)
{
	add_seg(c, false, off, len);
}

uint64_t conn_mark_frame(struct conn *c, uint64_t start)
{
	if (c->mark_tail - c->mark_head == c->mark_cap) {
		uint32_t cap = c->mark_cap ? c->mark_cap * 2 : 16;
		struct frame_mark *v = xmalloc(cap * sizeof *v);

		for (uint64_t s = c->mark_head; s < c->mark_tail; s++)
			v[s & (cap - 1)] = c->marks[s & (c->mark_cap - 1)];
		free(c->marks);
		c->marks = v;
		c->mark_cap = cap;
	}
	struct frame_mark *m = &c->marks[c->mark_tail & (c->mark_cap - 1)];
	m->start = start;
	m->end = c->out_total;
	m->dead = false;
	return c->mark_tail++;
}

void conn_cancel_frame(struct conn *c, uint64_t handle)
{
	if (handle < c->mark_head || handle >= c->mark_tail)
		return; /* sent, or the connection was reset since */
	struct frame_mark *m = &c->marks[handle & (c->mark_cap - 1)];
	if (m->dead || m->start < c->out_sent)
		return; /* already cancelled, or on its way */
	m->dead = true;
	c->dead_marks++;
}

/* Stream bytes (counted as out_total counts them) that may be sent now. */
static uint64_t sendable_end(const struct conn *c)
{
	return c->delay_mask ? c->delayed.released : UINT64_MAX;
}

/* Forgets marks of frames that have left; drops cancelled frames at the
 * head whose bytes may go now (a held frame is dropped once released, so
 * out_sent never passes what --net-delay released). */
static uint64_t drop_dead_head(struct conn *c)
{
	uint64_t dropped = 0, end = sendable_end(c);

	while (c->mark_head < c->mark_tail) {
		struct frame_mark *m = &c->marks[c->mark_head & (c->mark_cap - 1)];

		if (m->end <= c->out_sent) { /* its bytes have left */
			if (m->dead)
				c->dead_marks--;
			c->mark_head++;
			continue;
		}
		if (!m->dead || m->start != c->out_sent || m->end > end)
			break;
		/* The frame before it may still have its padding to send: that
		 * goes first, then this frame is dropped with its own. */
		if (c->segs != NULL && c->segs->at <= m->start)
			break;
		uint64_t n = m->end - m->start;
		iobuf_consume(&c->out, (size_t)n);
		c->out_sent += n;
		dropped += n;
		/* Its large padding, if any, is the segment right after it. */
		struct out_seg *f = c->segs;
		if (f != NULL && f->at == m->end && f->zeros) {
			dropped += f->len;
			c->seg_bytes -= f->len;
			c->segs = f->next;
			if (c->segs == NULL)
				c->segs_tail = &c->segs;
			free(f);
		}
		c->dead_marks--;
		c->mark_head++;
	}
	return dropped;
}

/* With cancelled frames queued, a send stops where the first of them
 * begins, so it can be dropped whole. */
static uint64_t first_dead_start(const struct conn *c)
{
	if (c->dead_marks == 0)
		return UINT64_MAX;
	for (uint64_t s = c->mark_head; s < c->mark_tail; s++) {
		const struct frame_mark *m = &c->marks[s & (c->mark_cap - 1)];

		if (m->dead)
			return m->start;
	}
	return UINT64_MAX;
}

size_t conn_tls_pending(const struct conn *c)
{
	return c->tls ? tls_pending_out(c->tls) : 0;
}

/* Up to max buffered bytes through TLS: bytes taken, or -EAGAIN / -errno
 * when none was. */
static ssize_t tls_flush_max(struct conn *c, size_t max)
{
	size_t sent = 0;

	while (iobuf_len(&c->out) > 0 && sent < max) {
		size_t want = iobuf_len(&c->out) < max - sent ? iobuf_len(&c->out) : max - sent;
		ssize_t n = tls_write(c->tls, iobuf_head(&c->out), want);

		if (n < 0)
			return sent > 0 && n == -EAGAIN ? (ssize_t)sent : n;
		iobuf_consume(&c->out, (size_t)n);
		sent += (size_t)n;
	}
	return (ssize_t)sent;
}

/* Segment f through TLS: zeros from the zero page, file data read into a
 * buffer of one record (pread: the file offset is shared). 0 or -errno. */
static int tls_send_seg(struct conn *c, struct out_seg *f, int file_fd)
{
	uint8_t buf[TLS_RECORD_MAX];

	while (f->len > 0) {
		size_t want = f->len < sizeof buf ? (size_t)f->len : sizeof buf;
		const void *p = zero_page;
		ssize_t n;

		if (!f->zeros) {
			n = pread(file_fd, buf, want, (off_t)f->off);
			if (n == 0)
				return -ENODATA; /* the file shrank since the storage thread read it */
			if (n < 0)
				return errno == EINTR ? 0 : -errno;
			want = (size_t)n;
			p = buf;
		}
		n = tls_write(c->tls, p, want);
		if (n < 0)
			return n == -EAGAIN ? 0 : (int)n;
		f->off += (uint64_t)n;
		f->len -= (uint64_t)n;
		c->seg_bytes -= (uint64_t)n;
	}
	return 0;
}

/* Sends what it can of segment f; returns 0 (all sent, or the socket is
 * full) or -errno. */
static int send_seg(struct conn *c, struct out_seg *f, int file_fd)
{
	if (c->tls)
		return tls_send_seg(c, f, file_fd);
	while (f->len > 0) {
		size_t want = f->len < (1u << 30) ? (size_t)f->len : (1u << 30);
		ssize_t n;

		if (f->zeros) {
			n = send(c->fd, zero_page, want < sizeof zero_page ? want : sizeof zero_page,
				 MSG_DONTWAIT | MSG_NOSIGNAL);
		} else {
			off_t off = (off_t)f->off;

			n = sendfile(c->fd, file_fd, &off, want);
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

/* The stream as conn_send() sends it; over TLS, encrypted first. */
static int stream_send(struct conn *c, int file_fd, uint64_t *dropped);

int conn_send(struct conn *c, int file_fd, uint64_t *dropped)
{
	*dropped = 0;
	if (c->tls == NULL)
		return stream_send(c, file_fd, dropped);
	/* The handshake's own bytes go first; the stream waits for it. */
	int rc = tls_handshake_done(c->tls) ? stream_send(c, file_fd, dropped) : 0;
	int f = tls_flush(c->tls);
	return rc < 0 ? rc : f == -EAGAIN ? 0 : f;
}

/* Drops cancelled frames at the head, then how many buffered bytes may go
 * before the next segment (*seg), a cancelled frame (*stop) or what
 * --net-delay holds (end). */
static uint64_t send_limit(struct conn *c, uint64_t end, uint64_t *dropped, struct out_seg **seg,
			   uint64_t *stop)
{
	if (c->mark_head < c->mark_tail)
		*dropped += drop_dead_head(c);
	struct out_seg *f = c->segs;
	uint64_t limit = f ? f->at - c->out_sent : UINT64_MAX;

	*seg = f;
	*stop = first_dead_start(c);
	if (end - c->out_sent < limit)
		limit = end - c->out_sent; /* the rest is held by --net-delay */
	if (*stop != UINT64_MAX && *stop >= c->out_sent && *stop - c->out_sent < limit)
		limit = *stop - c->out_sent;
	return limit;
}

/* Segment f, at the head of the stream, sent (or as much as the socket
 * took): 1 when it is done and freed (go on), 0 when to stop, or -errno. */
static int head_seg(struct conn *c, struct out_seg *f, uint64_t end, int file_fd)
{
	if (f == NULL || c->out_sent < f->at || f->at > end)
		return 0; /* all sent, the socket is full, or the rest is held */
	int rc = send_seg(c, f, file_fd);
	if (rc < 0 || f->len > 0)
		return rc;
	c->segs = f->next;
	if (c->segs == NULL)
		c->segs_tail = &c->segs;
	free(f);
	return 1;
}

static int stream_send(struct conn *c, int file_fd, uint64_t *dropped)
{
	uint64_t end = sendable_end(c);

	for (;;) {
		struct out_seg *f;
		uint64_t stop, limit = send_limit(c, end, dropped, &f, &stop);

		if (limit > 0 && iobuf_len(&c->out) > 0) {
			ssize_t n = c->tls ? tls_flush_max(c, (size_t)limit)
					   : iobuf_flush_max(&c->out, c->fd, limit);

			if (n == -EAGAIN)
				return 0;
			if (n < 0)
				return (int)n;
			c->out_sent += (uint64_t)n;
			if ((uint64_t)n == limit && c->out_sent == stop)
				continue; /* at a cancelled frame: drop it, go on */
		}
		int rc = head_seg(c, f, end, file_fd);
		if (rc <= 0)
			return rc;
	}
}

/* Starts the send of what tx holds. */
static int tx_start(struct conn *c, struct loop *l)
{
	int rc = loop_send(l, c->fd, iobuf_head(&c->tx), iobuf_len(&c->tx), c->tx.data);

	if (rc == 0)
		c->tx_busy = true;
	return rc;
}

/* Moves the first n buffered bytes into tx (empty): the buffers swapped
 * when they all go, else copied. */
static void tx_take(struct conn *c, size_t n)
{
	if (n == iobuf_len(&c->out)) {
		struct iobuf spare = c->tx;

		c->tx = c->out;
		c->out = spare;
		c->out.head = c->out.tail = 0;
	} else {
		iobuf_append(&c->tx, iobuf_head(&c->out), n);
		iobuf_consume(&c->out, n);
	}
}

int conn_send_io(struct conn *c, struct loop *l, int file_fd, uint64_t *dropped)
{
	uint64_t end = sendable_end(c);

	*dropped = 0;
	if (c->tx_busy)
		return 0; /* its completion comes back here */
	if (iobuf_len(&c->tx) > 0)
		return tx_start(c, l); /* the rest of a partial send */
	for (;;) {
		struct out_seg *f;
		uint64_t stop, limit = send_limit(c, end, dropped, &f, &stop);

		if (limit > 0 && iobuf_len(&c->out) > 0) {
			size_t n = iobuf_len(&c->out);

			if (limit < n)
				n = (size_t)limit;
			if (n > (1u << 30))
				n = 1u << 30;
			tx_take(c, n);
			c->out_sent += n; /* handed to the kernel: no longer cancellable */
			return tx_start(c, l);
		}
		int rc = head_seg(c, f, end, file_fd);
		if (rc <= 0)
			return rc;
	}
}

int conn_io_sent(struct conn *c, int res)
{
	c->tx_busy = false;
	if (res == -EINTR || res == -EAGAIN)
		return 0; /* tx unchanged: sent again */
	if (res <= 0)
		return res == 0 ? -EIO : res;
	iobuf_consume(&c->tx, (size_t)res);
	if (iobuf_len(&c->tx) == 0 && c->tx.cap > (1u << 20))
		iobuf_release(&c->tx); /* give back memory after a large reply */
	return 0;
}

void conn_io_detach(struct conn *c)
{
	iobuf_init(&c->tx);
	c->tx_busy = false;
}

bool conn_sendable(const struct conn *c)
{
	uint64_t end = sendable_end(c);

	if (c->tls && !tls_handshake_done(c->tls))
		return false; /* queued frames wait for the handshake */
	return (iobuf_len(&c->out) > 0 && c->out_sent < end) ||
	       (c->segs != NULL && c->segs->at <= end);
}
