/* h2_int.h -- what the two sides of HTTP/2 over nghttp2 share (proto/h2.c,
 * the server; proto/h2_client.c, the client): a body sent as given bytes
 * then zeros, filled into nghttp2's DATA frames, and the hand-off of the
 * session's output to the caller's sink. Private to proto/.
 * Contract: h2_body_fill() copies the body's next bytes (its bytes first,
 * then its zeros) into buf and says when none is left; h2_out_put() is a
 * send callback's body: the sink takes all len bytes, or refuses them
 * (NGHTTP2_ERR_WOULDBLOCK: nghttp2 offers them again at the next send).
 * Threads: as the session that uses them. */
#ifndef MW_PROTO_H2_INT_H
#define MW_PROTO_H2_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <nghttp2/nghttp2.h>

#include "proto/h2.h"

struct h2_body {
	uint8_t *data;  /* len bytes (owned by the stream that holds it) */
	size_t len, off;
	uint64_t zeros; /* still to send after them */
};

/* Up to length of the body's next bytes into buf; returns how many. *done:
 * the body is all sent. */
static inline size_t h2_body_fill(struct h2_body *b, uint8_t *buf, size_t length, bool *done)
{
	size_t n = 0;

	if (b->off < b->len) {
		n = b->len - b->off < length ? b->len - b->off : length;
		memcpy(buf, b->data + b->off, n);
		b->off += n;
	}
	if (n < length && b->zeros > 0) {
		size_t z = length - n < b->zeros ? length - n : (size_t)b->zeros;

		memset(buf + n, 0, z);
		n += z;
		b->zeros -= z;
	}
	*done = b->off == b->len && b->zeros == 0;
	return n;
}

/* Where a session's output goes during one send. */
struct h2_out {
	h2_sink sink;
	void *ctx;
	size_t sent; /* bytes the sink took */
};

static inline ssize_t h2_out_put(struct h2_out *o, const uint8_t *data, size_t len)
{
	if (o->sink(o->ctx, data, len) != 0)
		return NGHTTP2_ERR_WOULDBLOCK;
	o->sent += len;
	return (ssize_t)len;
}

#endif
