/* pb.h -- the protocol buffers wire format (proto3), by hand: a field reader
 * and a writer into a caller buffer, enough for the node's few small gRPC
 * messages (docs/grpc.md says why not protobuf-c).
 *
 * Contract: pb_next() reads one field (varint, 64-bit, length-delimited or
 * 32-bit) and checks it fits; groups (wire types 3, 4), field number 0,
 * varints over 10 bytes and lengths past the end are malformed. Unknown
 * fields are the caller's to skip (pb_next() has already stepped over them).
 * The writer never writes past cap: it sets overflow instead.
 * Threads: pure functions on caller memory. */
#ifndef MW_PROTO_PB_H
#define MW_PROTO_PB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum pb_wire { PB_VARINT = 0, PB_I64 = 1, PB_LEN = 2, PB_I32 = 5 };

struct pb_reader {
	const uint8_t *p, *end;
};

struct pb_field {
	uint32_t num;
	enum pb_wire type;
	uint64_t v;          /* PB_VARINT, PB_I64, PB_I32 */
	const uint8_t *data; /* PB_LEN */
	size_t len;
};

/* 1: a field read into f; 0: the end; -EINVAL: malformed. */
int pb_next(struct pb_reader *r, struct pb_field *f);

struct pb_writer {
	uint8_t *p;
	size_t len, cap;
	bool overflow;
};

size_t pb_varint_len(uint64_t v);
void pb_put_varint(struct pb_writer *w, uint64_t v);
/* A field; proto3 leaves out zero values and empty strings. */
void pb_put_uint(struct pb_writer *w, uint32_t num, uint64_t v);
void pb_put_bytes(struct pb_writer *w, uint32_t num, const void *data, size_t len);
/* A length-delimited field's tag and length only: its len bytes follow. */
void pb_put_len_head(struct pb_writer *w, uint32_t num, uint64_t len);

#endif
