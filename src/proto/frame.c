/* frame.c -- see frame.h. The messages are the ones receivers printed and
 * answered with before they shared this reader: peers and tests match them. */
#include "proto/frame.h"

/* Whether the frame whose head is at p carries the right tag for key (always
 * true without a key): the one authentication check. */
static bool authentic(const struct auth_key *key, const struct wire_hdr *h, const uint8_t *p)
{
	if (frame_tag_len(key) == 0)
		return true;
	return (h->flags & WIRE_FLAG_AUTH) &&
	       auth_verify(key, p, p + WIRE_HDR_LEN, h->prog_len, p + WIRE_HDR_LEN + h->prog_len);
}

/* The header at data (WIRE_HDR_LEN bytes there): decoded, checked against
 * the limits and the expected type. */
static enum frame_result read_header(const struct frame_reader *r, const uint8_t *data,
				     struct frame *f, struct err *e)
{
	int rc = wire_hdr_decode(data, r->lim, &f->h, e);

	if (rc < 0) {
		f->status = (uint16_t)-rc;
		return FRAME_ERR_HEADER;
	}
	if (f->h.type != r->type) {
		err_set(e, "unexpected message type %u", f->h.type);
		f->status = WIRE_ERR_MALFORMED;
		return FRAME_ERR_TYPE;
	}
	return FRAME_OK;
}

/* The head is there: where its parts are, and its tag checked. */
static enum frame_result read_head(const struct frame_reader *r, const uint8_t *data,
				   struct frame *f, struct err *e)
{
	f->body = data + WIRE_HDR_LEN;
	f->pad = f->h.len - f->head;
	if (!authentic(r->key, &f->h, data)) {
		err_set(e, "%s", f->h.flags & WIRE_FLAG_AUTH ? "authentication failed (wrong key)"
							      : "authentication required");
		f->status = WIRE_ERR_REFUSED;
		return FRAME_ERR_AUTH;
	}
	return FRAME_OK;
}

enum frame_result frame_read(const struct frame_reader *r, const uint8_t *data, size_t len,
			     struct frame *f, struct err *e)
{
	enum frame_result rc;

	if (len < WIRE_HDR_LEN)
		return FRAME_MORE;
	rc = read_header(r, data, f, e);
	if (rc != FRAME_OK)
		return rc;
	f->head = WIRE_HDR_LEN + (size_t)f->h.prog_len + wire_tag_len(&f->h);
	if (len < f->head)
		return FRAME_MORE;
	return read_head(r, data, f, e);
}

enum frame_result frame_read_datagram(const struct frame_reader *r, const uint8_t *data,
				      size_t n, struct frame *f, struct err *e)
{
	enum frame_result rc;

	f->status = WIRE_ERR_MALFORMED;
	if (n < WIRE_HDR_LEN) {
		err_set(e, "datagram of %zu bytes is shorter than a frame header", n);
		return FRAME_ERR_HEADER;
	}
	rc = read_header(r, data, f, e);
	if (rc != FRAME_OK)
		return rc;
	if (f->h.len != n) {
		err_set(e, "frame length %u in a datagram of %zu bytes", f->h.len, n);
		return FRAME_ERR_HEADER;
	}
	/* wire_hdr_decode() checked that the head fits in len. */
	f->head = WIRE_HDR_LEN + (size_t)f->h.prog_len + wire_tag_len(&f->h);
	return read_head(r, data, f, e);
}

uint32_t frame_write_head(const struct auth_key *key, struct wire_hdr *h, const void *body,
			  uint8_t hdr[WIRE_HDR_LEN], uint8_t tag[WIRE_TAG_LEN])
{
	uint32_t tag_len = frame_tag_len(key);

	if (tag_len)
		h->flags |= WIRE_FLAG_AUTH;
	wire_hdr_encode(h, hdr);
	if (tag_len)
		auth_tag(key, hdr, body, h->prog_len, tag);
	return tag_len;
}
