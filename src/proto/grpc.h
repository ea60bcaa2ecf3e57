/* grpc.h -- gRPC over HTTP/2 without I/O: the length-prefixed message
 * framing, grpc-timeout, grpc-status codes and grpc-message encoding, and
 * the messages of the node's two services (docs/meshwalk.proto,
 * docs/seed003.proto; docs/grpc.md).
 *
 * Contract: grpc_unary_message() takes a request body as received and
 * returns its one message, or the gRPC status that refuses it (compressed
 * without a grpc-encoding the node speaks: UNIMPLEMENTED; zero or several
 * messages, a truncated prefix: INTERNAL; over max: RESOURCE_EXHAUSTED).
 * Decoders fill spans into the message bytes; unknown fields are skipped,
 * a known field with another wire type is malformed. Encoders write into a
 * caller buffer and return the length, or 0 when it does not fit.
 * Threads: pure functions. */
#ifndef MW_PROTO_GRPC_H
#define MW_PROTO_GRPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proto/http1.h"

enum grpc_code {
	GRPC_OK = 0,
	GRPC_CANCELLED = 1,
	GRPC_UNKNOWN = 2,
	GRPC_INVALID_ARGUMENT = 3,
	GRPC_DEADLINE_EXCEEDED = 4,
	GRPC_NOT_FOUND = 5,
	GRPC_PERMISSION_DENIED = 7,
	GRPC_RESOURCE_EXHAUSTED = 8,
	GRPC_UNIMPLEMENTED = 12,
	GRPC_INTERNAL = 13,
	GRPC_UNAVAILABLE = 14,
};

#define GRPC_PREFIX_LEN 5

/* The one message of a unary request's body. Returns GRPC_OK with *msg,
 * *msg_len set, or a code with *why (a static text). */
int grpc_unary_message(const uint8_t *body, size_t len, uint32_t max, const uint8_t **msg,
		       size_t *msg_len, const char **why);

/* The 5-byte prefix of an uncompressed message of len bytes. */
void grpc_prefix(uint8_t out[GRPC_PREFIX_LEN], uint32_t len);

/* grpc-timeout: 1 to 8 digits and a unit (H, M, S, m, u, n) into ns
 * (saturating). Returns 0 or -EINVAL. */
int grpc_timeout_parse(struct http1_span v, int64_t *ns);

/* grpc-message's percent-encoding (bytes outside 0x20..0x7e and '%'),
 * NUL-terminated, cut to fit cap. */
void grpc_message_encode(const char *text, size_t len, char *out, size_t cap);

/* meshwalk.v1.RunRequest { string route = 1; string program = 2; bytes payload = 3; } */
struct grpc_run_req {
	struct http1_span route, program;
	size_t payload_len;
};
int grpc_run_req_decode(const uint8_t *msg, size_t len, struct grpc_run_req *r);
/* A unary call's whole body (prefix and message) carrying a RunRequest with
 * `text` as its route (route true) or program, and payload_len zero bytes:
 * a new buffer of *len bytes (free() it). */
uint8_t *grpc_run_req_body(bool route, const char *text, size_t text_len, uint64_t payload_len,
			   size_t *len);

/* meshwalk.v1.RunReply { bytes payload = 1; uint32 status = 2; }:
 * everything but the payload's bytes, which are payload_len zero bytes to
 * append (the payload is written last: protobuf takes fields in any order). */
size_t grpc_run_reply_head(uint8_t *out, size_t cap, uint32_t status, uint64_t payload_len);

/* myproject.MyRequest { string name = 1; int32 duration_seconds = 2; } */
struct grpc_seed_req {
	struct http1_span name;
	int32_t duration_seconds;
};
int grpc_seed_req_decode(const uint8_t *msg, size_t len, struct grpc_seed_req *r);

/* myproject.MyResponse { string message = 1; int64 end_to_end_latency_ms = 2; string worker_id = 3; } */
size_t grpc_seed_resp_encode(uint8_t *out, size_t cap, struct http1_span message,
			     int64_t latency_ms, const char *worker_id);

#endif
