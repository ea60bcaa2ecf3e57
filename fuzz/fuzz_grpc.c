/* fuzz_grpc.c -- the gRPC and protobuf decoding (src/proto/grpc.c,
 * src/proto/pb.c) on hostile bytes. Byte 0 picks the method whose message
 * the rest is (a gRPC body: 5-byte prefix and message); the rest is also a
 * grpc-timeout value and a grpc-message text. Decoded fields must lie inside
 * the message, and a MyResponse built from a decoded name must decode back
 * (through pb_next) to the same fields. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/grpc.h"
#include "proto/pb.h"

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static int inside(struct http1_span s, const uint8_t *msg, size_t len)
{
	return s.p == NULL || ((const uint8_t *)s.p >= msg && (const uint8_t *)s.p + s.len <= msg + len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *msg, *body = data + 1;
	size_t len, blen = size ? size - 1 : 0;
	const char *why;
	int64_t ns;
	char text[64];

	if (size == 0)
		return 0;
	grpc_timeout_parse((struct http1_span){ (const char *)body, blen }, &ns);
	grpc_message_encode((const char *)body, blen, text, sizeof text);
	check(strlen(text) < sizeof text);
	if (grpc_unary_message(body, blen, 1u << 20, &msg, &len, &why) != GRPC_OK) {
		msg = body;
		len = blen; /* the decoders see bare messages too */
	}
	check(msg >= body && msg + len <= body + blen);
	if (data[0] & 1) {
		struct grpc_seed_req sr;

		if (grpc_seed_req_decode(msg, len, &sr) == 0) {
			uint8_t *out;
			size_t cap = sr.name.len + 64, n;
			struct pb_reader r;
			struct pb_field f;

			check(inside(sr.name, msg, len));
			out = malloc(cap);
			n = grpc_seed_resp_encode(out, cap, sr.name, sr.duration_seconds, "w");
			check(n > 0);
			r = (struct pb_reader){ out, out + n };
			int fields = 0;
			while (pb_next(&r, &f) == 1) {
				fields++;
				if (f.num == 1)
					check(f.len == sr.name.len && memcmp(f.data, sr.name.p, f.len) == 0);
				if (f.num == 2)
					check((int64_t)f.v == sr.duration_seconds);
			}
			check(r.p == r.end && fields >= 1);
			free(out);
		}
	} else {
		struct grpc_run_req rr;
		uint8_t head[64];

		if (grpc_run_req_decode(msg, len, &rr) == 0) {
			check(inside(rr.route, msg, len) && inside(rr.program, msg, len));
			check(rr.payload_len <= len);
			check(grpc_run_reply_head(head, sizeof head, 0, rr.payload_len) <= sizeof head);
		}
	}
	return 0;
}
