/* fuzz_wire.c -- the wire decoder: header, program check, and then the walk a
 * node does over a program the check accepted (every op, forward target and
 * sub-program, or route name), so a check that lets a bad program through
 * shows up as an out-of-bounds read under ASan. Route requests (header flag)
 * go through wire_route_check(); a budget block (header flag) through
 * wire_budget_decode(), a trace context block through wire_trace_decode()
 * (its tracestate read to the end). Every accepted program's cost is computed as the
 * engine computes it before running a request (saturating, never
 * overflowing or recursing past the depth limit). The same bytes also go
 * through the frame reader (proto/frame.h) as a stream and as a datagram, for
 * both types, with and without a key: whatever it accepts, its body and tag
 * are read to the last byte. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "exec/engine.h"
#include "proto/frame.h"
#include "proto/wire.h"

static void walk(const uint8_t *prog, uint32_t len, int depth)
{
	uint32_t off = 0;

	while (off < len && depth < 64) {
		struct wire_op op;

		wire_op_at(prog, off, &op);
		if (op.code == OP_FORWARD) {
			struct wire_forward f;

			wire_forward_decode(&op, &f);
			for (uint32_t i = 0; i < f.ntargets; i++) {
				struct sockaddr_storage ss;
				socklen_t sl;

				wire_target_addr(&f, i, &ss, &sl);
				const uint8_t *name;
				uint32_t n = wire_target_name(&f, i, &name);
				if (n > 0) { /* a host name: touch its last byte */
					volatile uint8_t c = name[n - 1];
					(void)c;
				}
				(void)wire_target_port(&f, i);
			}
			for (uint32_t i = 0; i < f.nsub; i++) {
				const uint8_t *sub;
				uint32_t sub_len;

				wire_forward_sub(&f, i, &sub, &sub_len);
				if (f.route) { /* a route name: touch its last byte */
					volatile uint8_t c = sub_len ? sub[sub_len - 1] : 0;
					(void)c;
				} else {
					walk(sub, sub_len, depth + 1);
				}
			}
		} else if (op.len >= WIRE_OP_HDR_LEN + 8) {
			volatile uint64_t v = wire_get_u64(op.body);
			(void)v;
		}
		off += op.len;
	}
}

/* The frame reader over data, as every receiver calls it. */
static void read_frames(const uint8_t *data, size_t size)
{
	static const struct auth_key key = { .bytes = "0123456789abcdef", .len = 16 };
	const struct auth_key *keys[2] = { NULL, &key };

	for (int i = 0; i < 4; i++) {
		const struct frame_reader rd = { .lim = &wire_default_limits, .key = keys[i & 1],
						 .type = i < 2 ? WIRE_REQUEST : WIRE_REPLY };
		struct frame f;
		struct err e;

		if (frame_read(&rd, data, size, &f, &e) == FRAME_OK ||
		    frame_read_datagram(&rd, data, size, &f, &e) == FRAME_OK) {
			volatile uint8_t c = data[f.head - 1]; /* the tag's last byte, or the body's */

			(void)c;
			if (f.h.prog_len > 0)
				c = f.body[f.h.prog_len - 1];
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_hdr h;
	struct err e;

	read_frames(data, size);
	if (size < WIRE_HDR_LEN)
		return 0;
	if (wire_hdr_decode(data, &wire_default_limits, &h, &e) == 0 &&
	    h.prog_len <= size - WIRE_HDR_LEN && h.type == WIRE_REQUEST) {
		const uint8_t *prog = data + WIRE_HDR_LEN;
		uint32_t prog_len = h.prog_len;
		struct wire_budget b;
		struct wire_trace t;
		int rc = 0;

		if (h.flags & WIRE_FLAG_BUDGET)
			rc = wire_budget_decode(prog, prog_len, &b, &prog, &prog_len, &e);
		if (rc == 0 && (h.flags & WIRE_FLAG_TRACE)) {
			rc = wire_trace_decode(prog, prog_len, &t, &prog, &prog_len, &e);
			if (rc == 0 && t.state_len > 0) {
				volatile uint8_t c = t.state[t.state_len - 1];
				(void)c;
			}
		}
		if (rc < 0)
			; /* malformed budget block */
		else if (h.flags & WIRE_FLAG_ROUTE)
			(void)wire_route_check(prog, prog_len, &e);
		else if (wire_prog_check(prog, prog_len, &wire_default_limits, &e) == 0) {
			walk(prog, prog_len, 0);
			engine_cost(prog, prog_len, &b);
		}
	}
	/* Also the body alone as a program, with every limit at its default. */
	if (size - WIRE_HDR_LEN <= UINT32_MAX &&
	    wire_prog_check(data + WIRE_HDR_LEN, (uint32_t)(size - WIRE_HDR_LEN), &wire_default_limits,
			    &e) == 0)
		walk(data + WIRE_HDR_LEN, (uint32_t)(size - WIRE_HDR_LEN), 0);
	return 0;
}
