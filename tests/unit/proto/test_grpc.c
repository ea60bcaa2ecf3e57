/* test_grpc.c -- the protobuf wire format (src/proto/pb.c) and gRPC's
 * framing, timeout and messages (src/proto/grpc.c). The expected bytes are
 * what protoc's encoders produce for the same messages (checked once with
 * python3-grpc-tools; the e2e test 49_grpc talks to a real client). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/grpc.h"
#include "proto/pb.h"

static void test_pb_reader(void **state)
{
	/* 1: varint 150; 2: "ab"; 3: fixed64; 4: fixed32 */
	static const uint8_t m[] = { 0x08, 0x96, 0x01, 0x12, 0x02, 'a', 'b', 0x19, 1, 0, 0, 0, 0, 0, 0, 0,
				     0x25, 2, 0, 0, 0 };
	struct pb_reader r = { m, m + sizeof m };
	struct pb_field f;

	assert_int_equal(pb_next(&r, &f), 1);
	assert_int_equal(f.num, 1);
	assert_int_equal(f.v, 150);
	assert_int_equal(pb_next(&r, &f), 1);
	assert_int_equal(f.type, PB_LEN);
	assert_int_equal(f.len, 2);
	assert_memory_equal(f.data, "ab", 2);
	assert_int_equal(pb_next(&r, &f), 1);
	assert_int_equal(f.v, 1);
	assert_int_equal(pb_next(&r, &f), 1);
	assert_int_equal(f.v, 2);
	assert_int_equal(pb_next(&r, &f), 0);
}

static void test_pb_malformed(void **state)
{
	static const uint8_t *bad[] = {
		(const uint8_t *)"\x12\x05" "ab",          /* length past the end */
		(const uint8_t *)"\x08",                   /* varint missing */
		(const uint8_t *)"\x08\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", /* 11-byte varint */
		(const uint8_t *)"\x0b",                   /* group start */
		(const uint8_t *)"\x00\x01",               /* field 0 */
		(const uint8_t *)"\x19\x01\x02",           /* short fixed64 */
		(const uint8_t *)"\x0e",                   /* wire type 6 */
	};
	static const size_t len[] = { 4, 1, 12, 1, 2, 3, 1 };

	for (size_t i = 0; i < sizeof len / sizeof len[0]; i++) {
		struct pb_reader r = { bad[i], bad[i] + len[i] };
		struct pb_field f;

		assert_int_equal(pb_next(&r, &f), -EINVAL);
	}
}

static void test_pb_writer(void **state)
{
	uint8_t buf[16];
	struct pb_writer w = { buf, 0, sizeof buf, false };

	pb_put_uint(&w, 1, 0);      /* proto3 leaves zeros out */
	pb_put_uint(&w, 2, 300);
	pb_put_bytes(&w, 3, "hi", 2);
	pb_put_bytes(&w, 4, "", 0);
	assert_false(w.overflow);
	assert_int_equal(w.len, 7);
	assert_memory_equal(buf, "\x10\xac\x02\x1a\x02hi", 7);
	pb_put_bytes(&w, 5, "0123456789", 10);
	assert_true(w.overflow); /* the buffer's bytes are then not a message */
	assert_true(w.len <= sizeof buf);
	assert_int_equal(pb_varint_len(127), 1);
	assert_int_equal(pb_varint_len(128), 2);
	assert_int_equal(pb_varint_len(UINT64_MAX), 10);
}

static void test_unary_message(void **state)
{
	const uint8_t *msg;
	size_t len;
	const char *why;

	assert_int_equal(grpc_unary_message((const uint8_t *)"\0\0\0\0\2ab", 7, 100, &msg, &len, &why),
			 GRPC_OK);
	assert_int_equal(len, 2);
	assert_memory_equal(msg, "ab", 2);
	assert_int_equal(grpc_unary_message((const uint8_t *)"\0\0\0\0\0", 5, 100, &msg, &len, &why),
			 GRPC_OK);
	assert_int_equal(len, 0);
	assert_int_equal(grpc_unary_message(NULL, 0, 100, &msg, &len, &why), GRPC_INTERNAL);
	assert_int_equal(grpc_unary_message((const uint8_t *)"\0\0\0", 3, 100, &msg, &len, &why),
			 GRPC_INTERNAL);
	assert_int_equal(grpc_unary_message((const uint8_t *)"\1\0\0\0\2ab", 7, 100, &msg, &len, &why),
			 GRPC_UNIMPLEMENTED);
	assert_int_equal(grpc_unary_message((const uint8_t *)"\0\0\0\0\3ab", 7, 100, &msg, &len, &why),
			 GRPC_INTERNAL);
	assert_int_equal(grpc_unary_message((const uint8_t *)"\0\0\0\0\1ab", 7, 100, &msg, &len, &why),
			 GRPC_INTERNAL); /* two messages' worth */
	assert_int_equal(grpc_unary_message((const uint8_t *)"\0\0\1\0\0ab", 7, 100, &msg, &len, &why),
			 GRPC_RESOURCE_EXHAUSTED);
	uint8_t p[5];
	grpc_prefix(p, 0x01020304);
	assert_memory_equal(p, "\0\1\2\3\4", 5);
}

static void test_timeout(void **state)
{
	static const struct { const char *v; int64_t ns; } ok[] = {
		{ "1S", 1000000000 }, { "250m", 250000000 }, { "7u", 7000 }, { "3n", 3 },
		{ "2M", 120000000000 }, { "1H", 3600000000000 }, { "99999999H", INT64_MAX },
	};
	static const char *bad[] = { "", "S", "1", "1x", "123456789S", "-1S", "1.5S" };
	int64_t ns;

	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		assert_int_equal(grpc_timeout_parse((struct http1_span){ ok[i].v, strlen(ok[i].v) }, &ns), 0);
		assert_true(ns == ok[i].ns);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		assert_int_equal(grpc_timeout_parse((struct http1_span){ bad[i], strlen(bad[i]) }, &ns),
				 -EINVAL);
	assert_int_equal(grpc_timeout_parse((struct http1_span){ NULL, 0 }, &ns), -EINVAL);
}

static void test_message_encode(void **state)
{
	char out[32];

	grpc_message_encode("a 100%\n\xc3\xa9", 9, out, sizeof out);
	assert_string_equal(out, "a 100%25%0A%C3%A9");
	grpc_message_encode("abcdef", 6, out, 4);
	assert_string_equal(out, "abc");
	grpc_message_encode("%%", 2, out, 5);
	assert_string_equal(out, "%25"); /* a whole escape or none */
}

static void test_messages(void **state)
{
	/* RunRequest{route: "pay", program: "-R", payload: 3 bytes, field 9: 7} */
	static const uint8_t run[] = { 0x0a, 3, 'p', 'a', 'y', 0x12, 2, '-', 'R', 0x1a, 3, 1, 2, 3, 0x48, 7 };
	struct grpc_run_req rr;
	struct grpc_seed_req sr;
	uint8_t out[64];

	assert_int_equal(grpc_run_req_decode(run, sizeof run, &rr), 0);
	assert_int_equal(rr.route.len, 3);
	assert_memory_equal(rr.route.p, "pay", 3);
	assert_int_equal(rr.program.len, 2);
	assert_int_equal(rr.payload_len, 3);
	assert_int_equal(grpc_run_req_decode((const uint8_t *)"\x08\x01", 2, &rr), -EINVAL); /* route as varint */
	assert_int_equal(grpc_run_reply_head(out, sizeof out, 0, 100), 2);
	assert_memory_equal(out, "\x0a\x64", 2);
	assert_int_equal(grpc_run_reply_head(out, sizeof out, 0, 0), 0);
	assert_int_equal(grpc_run_reply_head(out, 1, 0, 1000), 0); /* does not fit */

	/* MyRequest{name: "LoadTest", duration_seconds: 5}, then -1 (10-byte varint) */
	static const uint8_t seed[] = { 0x0a, 8, 'L', 'o', 'a', 'd', 'T', 'e', 's', 't', 0x10, 5 };
	assert_int_equal(grpc_seed_req_decode(seed, sizeof seed, &sr), 0);
	assert_int_equal(sr.name.len, 8);
	assert_int_equal(sr.duration_seconds, 5);
	static const uint8_t neg[] = { 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 };
	assert_int_equal(grpc_seed_req_decode(neg, sizeof neg, &sr), 0);
	assert_int_equal(sr.duration_seconds, -1);
	assert_int_equal(grpc_seed_req_decode((const uint8_t *)"\x12\x00", 2, &sr), -EINVAL);

	/* MyResponse{message: "Processed x", end_to_end_latency_ms: 1000, worker_id: "w"} */
	size_t n = grpc_seed_resp_encode(out, sizeof out, (struct http1_span){ "Processed x", 11 }, 1000, "w");
	assert_int_equal(n, 2 + 11 + 3 + 3);
	assert_memory_equal(out, "\x0a\x0bProcessed x\x10\xe8\x07\x1a\x01w", n);
	assert_int_equal(grpc_seed_resp_encode(out, 8, (struct http1_span){ "Processed x", 11 }, 1, "w"), 0);
}

/* A RunRequest body as the client and forwards send it reads back whole
 * through the node's own framing and decoder. */
static void test_run_req_body(void **state)
{
	const uint8_t *msg;
	size_t len, mlen;
	const char *why;
	struct grpc_run_req r;
	uint8_t *b;

	(void)state;
	b = grpc_run_req_body(true, "pay", 3, 1000, &len);
	assert_int_equal(grpc_unary_message(b, len, 1u << 20, &msg, &mlen, &why), GRPC_OK);
	assert_int_equal(mlen + GRPC_PREFIX_LEN, len);
	assert_int_equal(grpc_run_req_decode(msg, mlen, &r), 0);
	assert_int_equal(r.route.len, 3);
	assert_memory_equal(r.route.p, "pay", 3);
	assert_null(r.program.p);
	assert_int_equal(r.payload_len, 1000);
	free(b);
	b = grpc_run_req_body(false, "-C 1ms -R 10", 12, 0, &len);
	assert_int_equal(grpc_unary_message(b, len, 1u << 20, &msg, &mlen, &why), GRPC_OK);
	assert_int_equal(grpc_run_req_decode(msg, mlen, &r), 0);
	assert_int_equal(r.program.len, 12);
	assert_memory_equal(r.program.p, "-C 1ms -R 10", 12);
	assert_int_equal(r.payload_len, 0);
	free(b);
	b = grpc_run_req_body(false, "", 0, 0, &len); /* an empty message */
	assert_int_equal(len, GRPC_PREFIX_LEN);
	free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pb_reader),     cmocka_unit_test(test_pb_malformed),
		cmocka_unit_test(test_pb_writer),     cmocka_unit_test(test_unary_message),
		cmocka_unit_test(test_timeout),       cmocka_unit_test(test_message_encode),
		cmocka_unit_test(test_messages),      cmocka_unit_test(test_run_req_body),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
