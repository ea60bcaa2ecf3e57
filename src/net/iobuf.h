/* iobuf.h -- a growable byte queue for socket input and output.
 *
 * Contract: bytes are appended at the tail and consumed from the head;
 * consumed space is reclaimed lazily (compaction when the tail needs room), so
 * appending and consuming are amortised O(1). An empty iobuf holds no memory
 * until first used and iobuf_release() gives it back, so ten thousand idle
 * connections cost no buffer memory.
 * Ownership: the iobuf owns its storage. Threads: one thread at a time.
 * Errors: iobuf_flush()/iobuf_fill() return bytes moved, 0 on EOF (fill), or
 * -errno (-EAGAIN when the socket would block). Allocation aborts on OOM. */
#ifndef MW_NET_IOBUF_H
#define MW_NET_IOBUF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct iobuf {
	uint8_t *data; /* storage, NULL until first use */
	size_t head;   /* first unconsumed byte */
	size_t tail;   /* one past the last byte */
	size_t cap;    /* allocated bytes */
};

static inline size_t iobuf_len(const struct iobuf *b)
{
	return b->tail - b->head;
}

static inline uint8_t *iobuf_head(const struct iobuf *b)
{
	return b->data + b->head;
}

void iobuf_init(struct iobuf *b);
/* Frees the storage; the iobuf stays usable (empty). */
void iobuf_release(struct iobuf *b);
/* Makes room for at least n more bytes at the tail. */
void iobuf_reserve(struct iobuf *b, size_t n);
void iobuf_append(struct iobuf *b, const void *p, size_t n);
void iobuf_append_zeros(struct iobuf *b, size_t n);
void iobuf_consume(struct iobuf *b, size_t n);
/* Reads up to `max` bytes from fd into the tail. */
ssize_t iobuf_fill(struct iobuf *b, int fd, size_t max);
/* Sends as much as the socket takes (MSG_NOSIGNAL); returns bytes sent. */
ssize_t iobuf_flush(struct iobuf *b, int fd);
/* Same, but sends at most `max` bytes (output that must be followed by
 * something sent another way, e.g. sendfile()). */
ssize_t iobuf_flush_max(struct iobuf *b, int fd, size_t max);

#endif
