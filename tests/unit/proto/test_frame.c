/* test_frame.c -- the frame reader and writer (src/proto/frame.c): the
 * writer's bytes are the header encoder's and the HMAC's (so the wire does
 * not change), a written frame reads back whole, a frame split at every byte
 * reads as FRAME_MORE until its head is in (and a bad header as soon as its
 * 24 bytes are), and each error: bad and missing tags, oversize frames and
 * programs, wrong version, wrong type, datagrams that are not one frame. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "proto/frame.h"

static const uint8_t body[] = "a program or an error text";
#define BODY_LEN ((uint32_t)sizeof body)

static void key_init(struct auth_key *k)
{
	k->len = 32;
	for (int i = 0; i < 32; i++)
		k->bytes[i] = (uint8_t)(i * 13 + 5);
}

/* A frame of `len` bytes (header, body, tag, zero padding) written by the
 * writer into out; returns the head's length. */
static size_t write_frame(const struct auth_key *k, uint8_t type, uint32_t len, uint8_t *out)
{
	struct wire_hdr h = { .version = WIRE_VERSION, .type = type, .id = 0x1234567890ull,
			      .prog_len = BODY_LEN, .len = len, .status = type == WIRE_REPLY ? 5 : 0 };
	uint32_t tag_len;

	memset(out, 0, len);
	memcpy(out + WIRE_HDR_LEN, body, BODY_LEN);
	tag_len = frame_write_head(k, &h, out + WIRE_HDR_LEN, out, out + WIRE_HDR_LEN + BODY_LEN);
	assert_int_equal(tag_len, frame_tag_len(k));
	return WIRE_HDR_LEN + BODY_LEN + tag_len;
}

static void test_writer_bytes(void **state)
{
	struct auth_key k;
	uint8_t got[256], want[WIRE_HDR_LEN], tag[WIRE_TAG_LEN];
	struct wire_hdr h = { .version = WIRE_VERSION, .type = WIRE_REQUEST, .id = 0x1234567890ull,
			      .prog_len = BODY_LEN, .len = 200 };

	(void)state;
	key_init(&k);
	/* Without a key: no flag, no tag, the encoder's bytes. */
	assert_int_equal(write_frame(NULL, WIRE_REQUEST, 200, got), WIRE_HDR_LEN + BODY_LEN);
	wire_hdr_encode(&h, want);
	assert_memory_equal(got, want, WIRE_HDR_LEN);
	struct auth_key none = { .len = 0 };
	assert_int_equal(frame_tag_len(&none), 0);
	assert_int_equal(frame_head_len(&none, 10), WIRE_HDR_LEN + 10);
	/* With one: the flag set, the tag HMAC over the header as sent and the body. */
	assert_int_equal(write_frame(&k, WIRE_REQUEST, 200, got), WIRE_HDR_LEN + BODY_LEN + WIRE_TAG_LEN);
	assert_int_equal(frame_head_len(&k, BODY_LEN), WIRE_HDR_LEN + BODY_LEN + WIRE_TAG_LEN);
	h.flags = WIRE_FLAG_AUTH;
	wire_hdr_encode(&h, want);
	assert_memory_equal(got, want, WIRE_HDR_LEN);
	auth_tag(&k, want, body, BODY_LEN, tag);
	assert_memory_equal(got + WIRE_HDR_LEN + BODY_LEN, tag, WIRE_TAG_LEN);
	/* Flags the caller set are kept. */
	struct wire_hdr r = { .version = WIRE_VERSION, .type = WIRE_REQUEST, .len = WIRE_HDR_LEN,
			      .flags = WIRE_FLAG_ROUTE };
	frame_write_head(NULL, &r, NULL, got, tag);
	assert_int_equal(r.flags, WIRE_FLAG_ROUTE);
}

static void test_read_back(void **state)
{
	struct auth_key k;
	uint8_t buf[256];
	struct frame f;
	struct err e;
	struct frame_reader rd = { .lim = &wire_default_limits, .key = &k, .type = WIRE_REPLY };
	size_t head;

	(void)state;
	key_init(&k);
	head = write_frame(&k, WIRE_REPLY, 200, buf);
	assert_int_equal(frame_read(&rd, buf, 200, &f, &e), FRAME_OK);
	assert_int_equal(f.h.type, WIRE_REPLY);
	assert_int_equal(f.h.status, 5);
	assert_true(f.h.id == 0x1234567890ull);
	assert_int_equal(f.h.prog_len, BODY_LEN);
	assert_ptr_equal(f.body, buf + WIRE_HDR_LEN);
	assert_int_equal(f.head, head);
	assert_int_equal(f.pad, 200 - head);
	/* The padding need not be there: the head is enough. */
	assert_int_equal(frame_read(&rd, buf, head, &f, &e), FRAME_OK);
	assert_int_equal(f.pad, 200 - head);
	/* No key at the receiver: a tagged frame reads too, and an untagged one. */
	rd.key = NULL;
	assert_int_equal(frame_read(&rd, buf, head, &f, &e), FRAME_OK);
	head = write_frame(NULL, WIRE_REPLY, 200, buf);
	assert_int_equal(frame_read(&rd, buf, 200, &f, &e), FRAME_OK);
	assert_int_equal(f.head, head);
	/* A frame with no body and no padding. */
	struct wire_hdr h = { .version = WIRE_VERSION, .type = WIRE_REPLY, .len = WIRE_HDR_LEN + WIRE_TAG_LEN };
	frame_write_head(&k, &h, NULL, buf, buf + WIRE_HDR_LEN);
	rd.key = &k;
	assert_int_equal(frame_read(&rd, buf, WIRE_HDR_LEN + WIRE_TAG_LEN, &f, &e), FRAME_OK);
	assert_int_equal(f.pad, 0);
	assert_int_equal(f.h.prog_len, 0);
}

static void test_split(void **state)
{
	struct auth_key k;
	uint8_t buf[256];
	struct frame f;
	struct err e;
	const struct frame_reader rd = { .lim = &wire_default_limits, .key = &k, .type = WIRE_REQUEST };
	size_t head;

	(void)state;
	key_init(&k);
	head = write_frame(&k, WIRE_REQUEST, 100, buf);
	for (size_t n = 0; n < head; n++)
		assert_int_equal(frame_read(&rd, buf, n, &f, &e), FRAME_MORE);
	for (size_t n = head; n <= 100; n++)
		assert_int_equal(frame_read(&rd, buf, n, &f, &e), FRAME_OK);
	/* A bad header is known at 24 bytes, before its body arrives. */
	buf[2] = 9;
	for (size_t n = 0; n < WIRE_HDR_LEN; n++)
		assert_int_equal(frame_read(&rd, buf, n, &f, &e), FRAME_MORE);
	assert_int_equal(frame_read(&rd, buf, WIRE_HDR_LEN, &f, &e), FRAME_ERR_HEADER);
	assert_int_equal(f.status, WIRE_ERR_VERSION);
	assert_int_equal(f.h.version, 9);
	assert_non_null(strstr(e.msg, "protocol version 9"));
}

static void test_bad_auth(void **state)
{
	struct auth_key k, other;
	uint8_t buf[256];
	struct frame f;
	struct err e;
	const struct frame_reader rd = { .lim = &wire_default_limits, .key = &k, .type = WIRE_REQUEST };
	size_t head;

	(void)state;
	key_init(&k);
	other = k;
	other.bytes[0] ^= 1;
	/* A tag made with another key. */
	head = write_frame(&other, WIRE_REQUEST, 100, buf);
	assert_int_equal(frame_read(&rd, buf, 100, &f, &e), FRAME_ERR_AUTH);
	assert_int_equal(f.status, WIRE_ERR_REFUSED);
	assert_string_equal(e.msg, "authentication failed (wrong key)");
	assert_true(f.h.id == 0x1234567890ull); /* the caller can answer it */
	/* A changed body byte, a changed padding byte (not covered). */
	head = write_frame(&k, WIRE_REQUEST, 100, buf);
	buf[WIRE_HDR_LEN + 3] ^= 0x20;
	assert_int_equal(frame_read(&rd, buf, 100, &f, &e), FRAME_ERR_AUTH);
	buf[WIRE_HDR_LEN + 3] ^= 0x20;
	buf[head + 1] = 7;
	assert_int_equal(frame_read(&rd, buf, 100, &f, &e), FRAME_OK);
	/* No tag at all. */
	write_frame(NULL, WIRE_REQUEST, 100, buf);
	assert_int_equal(frame_read(&rd, buf, 100, &f, &e), FRAME_ERR_AUTH);
	assert_string_equal(e.msg, "authentication required");
	/* A datagram is checked the same way. */
	assert_int_equal(frame_read_datagram(&rd, buf, 100, &f, &e), FRAME_ERR_AUTH);
}

static void test_limits(void **state)
{
	uint8_t buf[256];
	struct frame f;
	struct err e;
	struct wire_limits lim = wire_default_limits;
	const struct frame_reader rd = { .lim = &lim, .key = NULL, .type = WIRE_REQUEST };

	(void)state;
	write_frame(NULL, WIRE_REQUEST, 200, buf);
	lim.max_frame = 199;
	assert_int_equal(frame_read(&rd, buf, WIRE_HDR_LEN, &f, &e), FRAME_ERR_HEADER);
	assert_int_equal(f.status, WIRE_ERR_LIMIT);
	assert_int_equal(f.h.len, 200); /* what to skip */
	assert_non_null(strstr(e.msg, "above the limit 199"));
	lim.max_frame = 200;
	lim.max_prog = BODY_LEN - 1;
	assert_int_equal(frame_read(&rd, buf, 200, &f, &e), FRAME_ERR_HEADER);
	assert_int_equal(f.status, WIRE_ERR_LIMIT);
	assert_non_null(strstr(e.msg, "program length"));
	lim.max_prog = BODY_LEN;
	assert_int_equal(frame_read(&rd, buf, 200, &f, &e), FRAME_OK);
	/* A body longer than the frame: malformed. */
	write_frame(NULL, WIRE_REQUEST, WIRE_HDR_LEN + BODY_LEN - 1, buf);
	assert_int_equal(frame_read(&rd, buf, 200, &f, &e), FRAME_ERR_HEADER);
	assert_int_equal(f.status, WIRE_ERR_MALFORMED);
	/* Bad magic. */
	write_frame(NULL, WIRE_REQUEST, 100, buf);
	buf[0] = 'x';
	assert_int_equal(frame_read(&rd, buf, 100, &f, &e), FRAME_ERR_HEADER);
	assert_int_equal(f.status, WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "bad magic"));
}

static void test_type(void **state)
{
	uint8_t buf[256];
	struct frame f;
	struct err e;
	const struct frame_reader rd = { .lim = &wire_default_limits, .key = NULL, .type = WIRE_REPLY };

	(void)state;
	write_frame(NULL, WIRE_REQUEST, 100, buf);
	assert_int_equal(frame_read(&rd, buf, WIRE_HDR_LEN, &f, &e), FRAME_ERR_TYPE);
	assert_int_equal(f.status, WIRE_ERR_MALFORMED);
	assert_string_equal(e.msg, "unexpected message type 1");
	assert_int_equal(frame_read_datagram(&rd, buf, 100, &f, &e), FRAME_ERR_TYPE);
}

static void test_datagram(void **state)
{
	struct auth_key k;
	uint8_t buf[256];
	struct frame f;
	struct err e;
	const struct frame_reader rd = { .lim = &wire_default_limits, .key = &k, .type = WIRE_REQUEST };
	size_t head;

	(void)state;
	key_init(&k);
	head = write_frame(&k, WIRE_REQUEST, 120, buf);
	assert_int_equal(frame_read_datagram(&rd, buf, 120, &f, &e), FRAME_OK);
	assert_ptr_equal(f.body, buf + WIRE_HDR_LEN);
	assert_int_equal(f.head, head);
	assert_int_equal(f.pad, 120 - head);
	assert_int_equal(frame_read_datagram(&rd, buf, 119, &f, &e), FRAME_ERR_HEADER);
	assert_int_equal(f.status, WIRE_ERR_MALFORMED);
	assert_string_equal(e.msg, "frame length 120 in a datagram of 119 bytes");
	assert_int_equal(frame_read_datagram(&rd, buf, 121, &f, &e), FRAME_ERR_HEADER);
	assert_int_equal(frame_read_datagram(&rd, buf, 23, &f, &e), FRAME_ERR_HEADER);
	assert_string_equal(e.msg, "datagram of 23 bytes is shorter than a frame header");
	assert_int_equal(frame_read_datagram(&rd, buf, 0, &f, &e), FRAME_ERR_HEADER);
	buf[1] = 0;
	assert_int_equal(frame_read_datagram(&rd, buf, 120, &f, &e), FRAME_ERR_HEADER);
	assert_non_null(strstr(e.msg, "bad magic"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_bytes),
		cmocka_unit_test(test_read_back),
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_bad_auth),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_type),
		cmocka_unit_test(test_datagram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
