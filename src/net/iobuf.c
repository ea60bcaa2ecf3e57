/* iobuf.c -- see iobuf.h. */
#include "net/iobuf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "util/xalloc.h"

void iobuf_init(struct iobuf *b)
{
	memset(b, 0, sizeof *b);
}

void iobuf_release(struct iobuf *b)
{
	free(b->data);
	iobuf_init(b);
}

void iobuf_reserve(struct iobuf *b, size_t n)
{
	if (b->cap - b->tail >= n)
		return;
	if (b->head > 0) {
		size_t len = iobuf_len(b);

		memmove(b->data, b->data + b->head, len);
		b->head = 0;
		b->tail = len;
		if (b->cap - b->tail >= n)
			return;
	}
	b->data = xgrow(b->data, &b->cap, b->tail + n, 4096);
}

void iobuf_append(struct iobuf *b, const void *p, size_t n)
{
	iobuf_reserve(b, n);
	memcpy(b->data + b->tail, p, n);
	b->tail += n;
}

void iobuf_append_zeros(struct iobuf *b, size_t n)
{
	iobuf_reserve(b, n);
	memset(b->data + b->tail, 0, n);
	b->tail += n;
}

void iobuf_consume(struct iobuf *b, size_t n)
{
	b->head += n;
	if (b->head == b->tail)
		b->head = b->tail = 0;
}

ssize_t iobuf_fill(struct iobuf *b, int fd, size_t max)
{
	ssize_t n;

	iobuf_reserve(b, max);
	do
		n = recv(fd, b->data + b->tail, max, 0);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return -errno;
	b->tail += (size_t)n;
	return n;
}

ssize_t iobuf_flush(struct iobuf *b, int fd)
{
	return iobuf_flush_max(b, fd, SIZE_MAX);
}

ssize_t iobuf_flush_max(struct iobuf *b, int fd, size_t max)
{
	size_t sent = 0;

	while (iobuf_len(b) > 0 && sent < max) {
		size_t want = iobuf_len(b) < max - sent ? iobuf_len(b) : max - sent;
		ssize_t n = send(fd, iobuf_head(b), want, MSG_NOSIGNAL);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (sent > 0 && errno == EAGAIN)
				break;
			return -errno;
		}
		iobuf_consume(b, (size_t)n);
		sent += (size_t)n;
	}
	if (iobuf_len(b) == 0 && b->cap > (1u << 20))
		iobuf_release(b); /* give back memory after a large padded reply */
	return (ssize_t)sent;
}
