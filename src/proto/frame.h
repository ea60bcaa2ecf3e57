/* frame.h -- the one frame reader and the one frame writer of the native
 * protocol, with the one authentication check: used by the client (requests
 * out, replies in, over TCP, TLS and UDP) and by the node (requests in and
 * replies out on its TCP and UDP front ends, forwarded requests out and their
 * replies in on peer connections). `meshwalk proxy` reads no frames: it is a
 * pure L4 relay that copies bytes both ways without parsing them, so it does
 * not use this module (and cannot check authentication: the tags travel
 * through it unchanged).
 *
 * Contract: a frame is a header (proto/wire.h), prog_len body bytes, a tag
 * when WIRE_FLAG_AUTH is set (proto/auth.h), then padding up to the header's
 * len. The reader looks at the frame at the start of a caller's buffer and
 * answers at the earliest byte it can: a bad header as soon as its 24 bytes
 * are there, FRAME_MORE while the head (header, body, tag) is incomplete, and
 * then the whole head, checked: limits applied (wire_hdr_decode()), the type
 * the caller expects, and the tag verified when the caller has a key. The
 * padding is the caller's to skip (it may be megabytes, streamed, never
 * buffered): the reader only says how long it is. The datagram reader wants
 * one whole frame in one datagram, nothing more or less. The writer encodes a
 * header and computes its tag; the caller sends header, body, tag and padding
 * in that order (from one buffer or several).
 *
 * Ownership: the reader borrows the caller's bytes (struct frame points into
 * them); nothing is kept past a call. Threads: pure, reentrant functions.
 * Errors: the readers return a typed result (enum frame_result) with the wire
 * status for a reply in f->status and the reason in e. */
#ifndef MW_PROTO_FRAME_H
#define MW_PROTO_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/auth.h"
#include "proto/wire.h"
#include "util/err.h"

/* What a receiver accepts. */
struct frame_reader {
	const struct wire_limits *lim;
	const struct auth_key *key; /* NULL or len 0: frames are not checked */
	uint8_t type;               /* the type expected: WIRE_REQUEST or WIRE_REPLY */
};

/* A frame's head, as read. */
struct frame {
	struct wire_hdr h;    /* decoded; on FRAME_ERR_HEADER, what the 24 bytes said */
	const uint8_t *body;  /* h.prog_len bytes (program or error text), in the buffer */
	size_t head;          /* header, body and tag: the bytes read */
	uint64_t pad;         /* h.len - head: padding after them (may not have arrived) */
	uint16_t status;      /* on an error: the wire status to answer with */
};

enum frame_result {
	FRAME_OK = 0,           /* the head is complete and checked: f filled */
	FRAME_MORE = 1,         /* incomplete: call again with more bytes */
	FRAME_ERR_HEADER = -1,  /* the header failed its checks (or a datagram is not one
				 * frame): f->status is WIRE_ERR_MALFORMED, _VERSION or
				 * _LIMIT (f->h holds what the header said) */
	FRAME_ERR_TYPE = -2,    /* a well-formed frame of the other type (WIRE_ERR_MALFORMED) */
	FRAME_ERR_AUTH = -3,    /* with a key: the tag is missing or wrong (WIRE_ERR_REFUSED) */
};

/* Reads the frame at data (len bytes available). */
enum frame_result frame_read(const struct frame_reader *r, const uint8_t *data, size_t len,
			     struct frame *f, struct err *e);

/* Reads a datagram of n bytes that must hold exactly one frame (padding
 * included); shorter than a header or of another length is FRAME_ERR_HEADER.
 * The caller checks n against its buffer first. */
enum frame_result frame_read_datagram(const struct frame_reader *r, const uint8_t *data,
				      size_t n, struct frame *f, struct err *e);

/* Bytes of the tag a sender with key adds (0 without a key). */
static inline uint32_t frame_tag_len(const struct auth_key *key)
{
	return key != NULL && key->len > 0 ? WIRE_TAG_LEN : 0;
}

/* Bytes of a frame's head with a body_len-byte body: the least its len can be. */
static inline uint64_t frame_head_len(const struct auth_key *key, uint32_t body_len)
{
	return (uint64_t)WIRE_HDR_LEN + body_len + frame_tag_len(key);
}

/* The frame writer: sets WIRE_FLAG_AUTH in h->flags when key holds a key,
 * encodes h into hdr and, with a key, writes the tag over hdr and the
 * h->prog_len bytes at body into tag. h->len is the caller's (at least
 * frame_head_len()). Returns the tag's length (frame_tag_len()). hdr, body
 * and tag may be parts of one buffer. */
uint32_t frame_write_head(const struct auth_key *key, struct wire_hdr *h, const void *body,
			  uint8_t hdr[WIRE_HDR_LEN], uint8_t tag[WIRE_TAG_LEN]);

#endif
