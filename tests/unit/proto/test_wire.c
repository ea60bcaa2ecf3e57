/* test_wire.c -- frames and program validation (src/proto/wire.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "proto/wire.h"

static void put_reply(struct wire_buf *b, uint64_t size)
{
	size_t at = wire_put_op(b, OP_REPLY, 0, 0);
	wire_buf_put_u64(b, size);
	wire_end_op(b, at);
}

static void put_compute(struct wire_buf *b, uint64_t ns)
{
	size_t at = wire_put_op(b, OP_COMPUTE, 0, 0);
	wire_buf_put_u64(b, ns);
	wire_end_op(b, at);
}

/* FORWARD to n loopback targets; one shared sub-program unless branch. */
static void put_forward(struct wire_buf *b, uint32_t n, uint32_t nack, bool branch, int depth)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7891) };
	size_t at = wire_put_op(b, OP_FORWARD, branch ? WIRE_FWD_BRANCH : 0, (uint16_t)n);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	wire_buf_put_u32(b, nack);
	wire_buf_put_u32(b, 1000);
	wire_buf_put_u32(b, 0);
	wire_buf_put_u32(b, 0);
	wire_buf_put_u64(b, 0);
	for (uint32_t i = 0; i < n; i++)
		wire_put_target(b, (struct sockaddr *)&sin);
	for (uint32_t i = 0; i < (branch ? n : 1); i++) {
		size_t len_at = b->len;

		wire_buf_put_u32(b, 0);
		if (depth > 1)
			put_forward(b, 1, 1, false, depth - 1);
		put_compute(b, 1000 + i);
		put_reply(b, 0);
		wire_buf_set_u32(b, len_at, (uint32_t)(b->len - len_at - 4));
	}
	wire_end_op(b, at);
}

static int check(struct wire_buf *b, struct err *e)
{
	err_clear(e);
	return wire_prog_check(b->data, (uint32_t)b->len, &wire_default_limits, e);
}

static void test_header_round_trip(void **state)
{
	struct wire_hdr h = { .version = WIRE_VERSION, .type = WIRE_REPLY, .status = WIRE_ERR_TIMEOUT,
			      .len = 4096, .id = 0x0123456789abcdefull, .prog_len = 17 }, d;
	uint8_t raw[WIRE_HDR_LEN];
	struct err e;

	wire_hdr_encode(&h, raw);
	assert_int_equal(raw[0], 'M');
	assert_int_equal(raw[1], 'W');
	assert_int_equal(wire_hdr_decode(raw, &wire_default_limits, &d, &e), 0);
	assert_int_equal(d.type, WIRE_REPLY);
	assert_int_equal(d.status, WIRE_ERR_TIMEOUT);
	assert_int_equal(d.len, 4096);
	assert_true(d.id == h.id);
	assert_int_equal(d.prog_len, 17);
}

static void test_header_rejects(void **state)
{
	struct wire_hdr h = { .version = WIRE_VERSION, .type = WIRE_REQUEST, .len = 100, .prog_len = 10 }, d;
	uint8_t raw[WIRE_HDR_LEN];
	struct err e;
	struct wire_limits lim = wire_default_limits;

	wire_hdr_encode(&h, raw);
	raw[0] = 'X';
	assert_int_equal(wire_hdr_decode(raw, &lim, &d, &e), -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "magic"));

	h.version = 7;
	wire_hdr_encode(&h, raw);
	assert_int_equal(wire_hdr_decode(raw, &lim, &d, &e), -WIRE_ERR_VERSION);
	assert_int_equal(d.version, 7);
	assert_non_null(strstr(e.msg, "version 7"));

	h.version = WIRE_VERSION;
	h.type = 9;
	wire_hdr_encode(&h, raw);
	assert_int_equal(wire_hdr_decode(raw, &lim, &d, &e), -WIRE_ERR_MALFORMED);

	h.type = WIRE_REQUEST;
	h.len = 10; /* shorter than the header */
	wire_hdr_encode(&h, raw);
	assert_int_equal(wire_hdr_decode(raw, &lim, &d, &e), -WIRE_ERR_MALFORMED);

	h.len = 100;
	h.prog_len = 90; /* more than len - 24 */
	wire_hdr_encode(&h, raw);
	assert_int_equal(wire_hdr_decode(raw, &lim, &d, &e), -WIRE_ERR_MALFORMED);

	lim.max_frame = 64;
	h.prog_len = 10;
	wire_hdr_encode(&h, raw);
	assert_int_equal(wire_hdr_decode(raw, &lim, &d, &e), -WIRE_ERR_LIMIT);
	lim = wire_default_limits;
	lim.max_prog = 8;
	assert_int_equal(wire_hdr_decode(raw, &lim, &d, &e), -WIRE_ERR_LIMIT);
}

static void test_valid_programs(void **state)
{
	struct wire_buf b;
	struct err e;

	wire_buf_init(&b);
	put_reply(&b, 100);
	assert_int_equal(check(&b, &e), 0);

	b.len = 0;
	put_compute(&b, 5000);
	put_forward(&b, 3, 2, false, 1);
	put_forward(&b, 2, 2, true, 3);
	put_reply(&b, 0);
	assert_int_equal(check(&b, &e), 0);

	/* the decoded forward matches what was encoded */
	struct wire_op op;
	struct wire_forward f;
	wire_op_at(b.data, 0, &op);
	assert_int_equal(op.code, OP_COMPUTE);
	wire_op_at(b.data, op.len, &op);
	assert_int_equal(op.code, OP_FORWARD);
	wire_forward_decode(&op, &f);
	assert_int_equal(f.ntargets, 3);
	assert_int_equal(f.nack, 2);
	assert_int_equal(f.nsub, 1);
	assert_false(f.branch);
	struct sockaddr_storage ss;
	socklen_t sl;
	assert_int_equal(wire_target_addr(&f, 2, &ss, &sl), 0);
	assert_int_equal(((struct sockaddr_in *)&ss)->sin_port, htons(7891));
	const uint8_t *sub;
	uint32_t sub_len;
	wire_forward_sub(&f, 0, &sub, &sub_len);
	assert_int_equal(wire_prog_check(sub, sub_len, &wire_default_limits, &e), 0);
	wire_buf_free(&b);
}

static void test_invalid_programs(void **state)
{
	struct wire_buf b;
	struct err e;

	wire_buf_init(&b);
	/* empty */
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	/* no REPLY at the end */
	put_compute(&b, 1);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "REPLY"));
	/* op after REPLY */
	b.len = 0;
	put_reply(&b, 0);
	put_compute(&b, 1);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "after REPLY"));
	/* unknown op */
	b.len = 0;
	size_t at = wire_put_op(&b, 99, 0, 0);
	wire_buf_put_u64(&b, 0);
	wire_end_op(&b, at);
	put_reply(&b, 0);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "unknown op"));
	/* truncated: every prefix of a valid program is rejected, never read past */
	b.len = 0;
	put_forward(&b, 2, 1, true, 2);
	put_reply(&b, 0);
	size_t full = b.len;
	for (size_t n = 0; n < full; n++)
		assert_int_not_equal(wire_prog_check(b.data, (uint32_t)n, &wire_default_limits, &e), 0);
	/* an op length pointing past the end */
	b.len = 0;
	put_reply(&b, 0);
	wire_buf_set_u32(&b, 4, 1000);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	/* nack above the number of targets */
	b.len = 0;
	put_forward(&b, 2, 3, false, 1);
	put_reply(&b, 0);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	/* nack 0: fire and forget (nowait), valid */
	b.len = 0;
	put_forward(&b, 2, 0, false, 1);
	put_reply(&b, 0);
	assert_int_equal(check(&b, &e), 0);
	/* SKIP probability above one */
	b.len = 0;
	at = wire_put_op(&b, OP_SKIP, 0, 0);
	wire_buf_put_u32(&b, 1);
	wire_buf_put_u32(&b, WIRE_PROB_ONE + 1);
	wire_buf_put_u64(&b, 0);
	wire_end_op(&b, at);
	put_reply(&b, 0);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	wire_buf_free(&b);
}

static void put_storage(struct wire_buf *b, uint8_t code, uint8_t flags)
{
	size_t at = wire_put_op(b, code, flags, 0);
	wire_buf_put_u64(b, 5000000000ull);
	wire_buf_put_u64(b, 4096);
	wire_end_op(b, at);
}

/* LOAD takes no flags, STORE a sync policy 0..2, REPLY the sendfile flag with
 * a 16-byte body (size, offset) and nothing else. */
static void test_storage_ops(void **state)
{
	struct wire_buf b;
	struct err e;
	size_t at;

	wire_buf_init(&b);
	for (uint8_t f = 0; f <= WIRE_PSYNC; f++)
		put_storage(&b, OP_STORE, f);
	put_storage(&b, OP_LOAD, 0);
	at = wire_put_op(&b, OP_REPLY, WIRE_REPLY_SENDFILE, 0);
	wire_buf_put_u64(&b, 100000);
	wire_buf_put_u64(&b, WIRE_OFFSET_NEXT);
	wire_end_op(&b, at);
	assert_int_equal(check(&b, &e), 0);

	b.len = 0;
	put_storage(&b, OP_STORE, WIRE_SYNC_MAX_);
	put_reply(&b, 0);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "STORE has unknown flags"));
	b.len = 0;
	put_storage(&b, OP_LOAD, WIRE_SYNC);
	put_reply(&b, 0);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	/* sendfile REPLY with the short body, and a plain REPLY with the long one */
	b.len = 0;
	at = wire_put_op(&b, OP_REPLY, WIRE_REPLY_SENDFILE, 0);
	wire_buf_put_u64(&b, 100);
	wire_end_op(&b, at);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	b.len = 0;
	at = wire_put_op(&b, OP_REPLY, 0, 0);
	wire_buf_put_u64(&b, 100);
	wire_buf_put_u64(&b, 0);
	wire_end_op(&b, at);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	b.len = 0;
	at = wire_put_op(&b, OP_REPLY, 0x80, 0);
	wire_buf_put_u64(&b, 100);
	wire_end_op(&b, at);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "REPLY has unknown flags"));
	wire_buf_free(&b);
}

static void test_limits(void **state)
{
	struct wire_buf b;
	struct err e;
	struct wire_limits lim = wire_default_limits;

	wire_buf_init(&b);
	put_forward(&b, 1, 1, false, 5);
	put_reply(&b, 0);
	lim.max_depth = 4;
	assert_int_equal(wire_prog_check(b.data, (uint32_t)b.len, &lim, &e), -WIRE_ERR_LIMIT);
	lim.max_depth = 5;
	assert_int_equal(wire_prog_check(b.data, (uint32_t)b.len, &lim, &e), 0);

	b.len = 0;
	put_forward(&b, 10, 1, false, 1);
	put_reply(&b, 0);
	lim.max_fanout = 9;
	assert_int_equal(wire_prog_check(b.data, (uint32_t)b.len, &lim, &e), -WIRE_ERR_LIMIT);

	b.len = 0;
	for (int i = 0; i < 20; i++)
		put_compute(&b, 1);
	put_reply(&b, 0);
	lim = wire_default_limits;
	lim.max_ops = 20;
	assert_int_equal(wire_prog_check(b.data, (uint32_t)b.len, &lim, &e), -WIRE_ERR_LIMIT);
	lim.max_ops = 21;
	assert_int_equal(wire_prog_check(b.data, (uint32_t)b.len, &lim, &e), 0);
	wire_buf_free(&b);
}

/* FORWARD to n loopback targets naming routes (one name, or one per target
 * when branch). */
static void put_route_forward(struct wire_buf *b, uint32_t n, bool branch, const char *name)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7891) };
	size_t at = wire_put_op(b, OP_FORWARD, WIRE_FWD_ROUTE | (branch ? WIRE_FWD_BRANCH : 0),
				(uint16_t)n);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	wire_buf_put_u32(b, n);
	wire_buf_put_u32(b, 0);
	wire_buf_put_u32(b, 0);
	wire_buf_put_u32(b, 0);
	wire_buf_put_u64(b, 0);
	for (uint32_t i = 0; i < n; i++)
		wire_put_target(b, (struct sockaddr *)&sin);
	for (uint32_t i = 0; i < (branch ? n : 1); i++) {
		wire_buf_put_u32(b, (uint32_t)strlen(name));
		wire_buf_put(b, name, strlen(name));
	}
	wire_end_op(b, at);
}

static void test_route_names(void **state)
{
	char max[WIRE_ROUTE_MAX + 2];
	struct err e;

	assert_int_equal(wire_route_check((const uint8_t *)"checkout", 8, &e), 0);
	assert_int_equal(wire_route_check((const uint8_t *)"a.b-c_D9", 8, &e), 0);
	assert_int_equal(wire_route_check((const uint8_t *)"", 0, &e), -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "empty"));
	assert_int_equal(wire_route_check((const uint8_t *)"pay me", 6, &e), -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "0x20 at 3"));
	assert_int_equal(wire_route_check((const uint8_t *)"a\0b", 3, &e), -WIRE_ERR_MALFORMED);
	memset(max, 'x', sizeof max);
	assert_int_equal(wire_route_check((const uint8_t *)max, WIRE_ROUTE_MAX, &e), 0);
	assert_int_equal(wire_route_check((const uint8_t *)max, WIRE_ROUTE_MAX + 1, &e),
			 -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "at most 64"));
	assert_string_equal(wire_status_name(WIRE_ERR_NO_ROUTE), "no such route");
}

/* The route flag is a REQUEST's only; a REPLY or an unknown bit is refused. */
static void test_route_header(void **state)
{
	struct wire_hdr h = { .version = WIRE_VERSION, .type = WIRE_REQUEST, .len = 100,
			      .prog_len = 8, .flags = WIRE_FLAG_ROUTE }, d;
	uint8_t raw[WIRE_HDR_LEN];
	struct err e;

	wire_hdr_encode(&h, raw);
	assert_int_equal(wire_hdr_decode(raw, &wire_default_limits, &d, &e), 0);
	assert_int_equal(d.flags, WIRE_FLAG_ROUTE);
	h.flags = WIRE_FLAG_ROUTE | WIRE_FLAG_AUTH;
	h.len = 100;
	wire_hdr_encode(&h, raw);
	assert_int_equal(wire_hdr_decode(raw, &wire_default_limits, &d, &e), 0);
	assert_int_equal(wire_tag_len(&d), WIRE_TAG_LEN);
	h.type = WIRE_REPLY;
	wire_hdr_encode(&h, raw);
	assert_int_equal(wire_hdr_decode(raw, &wire_default_limits, &d, &e), -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "flags"));
	h.type = WIRE_REQUEST;
	h.flags = 0x0010; /* not a flag */
	wire_hdr_encode(&h, raw);
	assert_int_equal(wire_hdr_decode(raw, &wire_default_limits, &d, &e), -WIRE_ERR_MALFORMED);
	/* the budget flag is a request's only */
	h.flags = WIRE_FLAG_BUDGET;
	wire_hdr_encode(&h, raw);
	assert_int_equal(wire_hdr_decode(raw, &wire_default_limits, &d, &e), 0);
	h.type = WIRE_REPLY;
	wire_hdr_encode(&h, raw);
	assert_int_equal(wire_hdr_decode(raw, &wire_default_limits, &d, &e), -WIRE_ERR_MALFORMED);
	/* so is the trace flag */
	h.type = WIRE_REQUEST;
	h.flags = WIRE_FLAG_TRACE | WIRE_FLAG_BUDGET;
	wire_hdr_encode(&h, raw);
	assert_int_equal(wire_hdr_decode(raw, &wire_default_limits, &d, &e), 0);
	h.type = WIRE_REPLY;
	wire_hdr_encode(&h, raw);
	assert_int_equal(wire_hdr_decode(raw, &wire_default_limits, &d, &e), -WIRE_ERR_MALFORMED);
}

static void test_trace_block(void **state)
{
	struct wire_trace t = { .flags = 1, .state_len = 9, .state = (const uint8_t *)"vendor=42" }, d;
	struct wire_buf b;
	const uint8_t *rest;
	uint32_t rest_len;
	struct err e;

	(void)state;
	for (int i = 0; i < 16; i++)
		t.trace_id[i] = (uint8_t)(0xa0 + i);
	for (int i = 0; i < 8; i++)
		t.parent_id[i] = (uint8_t)(1 + i);
	wire_buf_init(&b);
	wire_trace_put(&b, &t);
	assert_int_equal(b.len, wire_trace_len(&t));
	assert_int_equal(b.len, WIRE_TRACE_LEN + 9);
	wire_buf_put(&b, "xy", 2);
	assert_int_equal(wire_trace_decode(b.data, (uint32_t)b.len, &d, &rest, &rest_len, &e), 0);
	assert_memory_equal(d.trace_id, t.trace_id, 16);
	assert_memory_equal(d.parent_id, t.parent_id, 8);
	assert_int_equal(d.flags, 1);
	assert_int_equal(d.state_len, 9);
	assert_memory_equal(d.state, "vendor=42", 9);
	assert_int_equal(rest_len, 2);
	assert_memory_equal(rest, "xy", 2);
	/* too short: the fixed part, then the tracestate it announces */
	assert_int_equal(wire_trace_decode(b.data, WIRE_TRACE_LEN - 1, &d, &rest, &rest_len, &e),
			 -WIRE_ERR_MALFORMED);
	assert_int_equal(wire_trace_decode(b.data, WIRE_TRACE_LEN + 8, &d, &rest, &rest_len, &e),
			 -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "tracestate"));
	/* a non-printable tracestate byte */
	b.data[WIRE_TRACE_LEN + 3] = '\n';
	assert_int_equal(wire_trace_decode(b.data, (uint32_t)b.len, &d, &rest, &rest_len, &e),
			 -WIRE_ERR_MALFORMED);
	b.data[WIRE_TRACE_LEN + 3] = 'd';
	/* reserved bytes */
	b.data[25] = 1;
	assert_int_equal(wire_trace_decode(b.data, (uint32_t)b.len, &d, &rest, &rest_len, &e),
			 -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "reserved"));
	b.data[25] = 0;
	b.data[29] = 1;
	assert_int_equal(wire_trace_decode(b.data, (uint32_t)b.len, &d, &rest, &rest_len, &e),
			 -WIRE_ERR_MALFORMED);
	b.data[29] = 0;
	/* a tracestate longer than W3C's bound */
	b.data[26] = (WIRE_TRACESTATE_MAX + 1) & 0xff;
	b.data[27] = (WIRE_TRACESTATE_MAX + 1) >> 8;
	assert_int_equal(wire_trace_decode(b.data, (uint32_t)b.len, &d, &rest, &rest_len, &e),
			 -WIRE_ERR_MALFORMED);
	b.data[26] = 9;
	b.data[27] = 0;
	/* zero ids are invalid in W3C trace context */
	memset(b.data + 16, 0, 8);
	assert_int_equal(wire_trace_decode(b.data, (uint32_t)b.len, &d, &rest, &rest_len, &e),
			 -WIRE_ERR_MALFORMED);
	memcpy(b.data + 16, t.parent_id, 8);
	memset(b.data, 0, 16);
	assert_int_equal(wire_trace_decode(b.data, (uint32_t)b.len, &d, &rest, &rest_len, &e),
			 -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "zero"));
	wire_buf_free(&b);
}

static void test_budget_block(void **state)
{
	struct wire_budget b = { .compute_ns = 5000000000ull, .requests = 12, .bytes = 1ull << 33,
				 .hops = 7 }, d;
	uint8_t body[WIRE_BUDGET_LEN + 3] = { 0 };
	const uint8_t *rest;
	uint32_t rest_len;
	struct err e;

	(void)state;
	wire_budget_encode(&b, body);
	body[WIRE_BUDGET_LEN] = 'a';
	assert_int_equal(wire_budget_decode(body, sizeof body, &d, &rest, &rest_len, &e), 0);
	assert_int_equal(d.compute_ns, b.compute_ns);
	assert_int_equal(d.requests, 12);
	assert_int_equal(d.bytes, 1ull << 33);
	assert_int_equal(d.hops, 7);
	assert_int_equal(rest_len, 3);
	assert_int_equal(rest[0], 'a');
	/* too short for the block */
	assert_int_equal(wire_budget_decode(body, WIRE_BUDGET_LEN - 1, &d, &rest, &rest_len, &e),
			 -WIRE_ERR_MALFORMED);
	/* reserved bytes must be zero */
	body[30] = 1;
	assert_int_equal(wire_budget_decode(body, sizeof body, &d, &rest, &rest_len, &e),
			 -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "reserved"));
}

/* The FORWARD at off of a checked program: a route forward whose
 * sub-program i is the route name. */
static struct wire_forward route_sub(const struct wire_buf *b, uint32_t off, uint32_t i,
				     const char *name)
{
	struct wire_forward f;
	struct wire_op op;
	const uint8_t *sub;
	uint32_t sub_len;

	wire_op_at(b->data, off, &op);
	assert_int_equal(op.code, OP_FORWARD);
	wire_forward_decode(&op, &f);
	assert_true(f.route);
	wire_forward_sub(&f, i, &sub, &sub_len);
	assert_int_equal(sub_len, strlen(name));
	assert_memory_equal(sub, name, sub_len);
	return f;
}

static void test_route_forwards(void **state)
{
	struct wire_buf b;
	struct wire_forward f;
	struct err e;

	wire_buf_init(&b);
	put_compute(&b, 1000);
	put_route_forward(&b, 2, false, "pay");
	put_reply(&b, 0);
	assert_int_equal(check(&b, &e), 0);
	f = route_sub(&b, 16, 0, "pay");
	assert_false(f.branch);
	assert_int_equal(f.nsub, 1);

	/* branch: one name per target */
	b.len = 0;
	put_route_forward(&b, 3, true, "stock.v2");
	put_reply(&b, 0);
	assert_int_equal(check(&b, &e), 0);
	f = route_sub(&b, 0, 2, "stock.v2");
	assert_true(f.branch);
	assert_int_equal(f.nsub, 3);

	/* a bad name inside a forward is a malformed program */
	b.len = 0;
	put_route_forward(&b, 1, false, "no/slash");
	put_reply(&b, 0);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "route name"));
	b.len = 0;
	put_route_forward(&b, 1, false, "");
	put_reply(&b, 0);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);

	/* without the route flag the same bytes are a (bad) program */
	b.len = 0;
	put_route_forward(&b, 1, false, "pay");
	put_reply(&b, 0);
	b.data[1] = 0;
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);

	/* an unknown FORWARD flag is still refused (0x04 is now WIRE_FWD_NAMES) */
	b.data[1] = 0x08;
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "unknown flags"));
	wire_buf_free(&b);
}

/* A target's transport rides in its family field's high byte: TLS
 * (ssl://) is read back per target, the address is unchanged, and an
 * unknown transport is malformed. */
static void test_target_transport(void **state)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(7443) };
	struct sockaddr_storage ss;
	socklen_t len;
	struct wire_buf b;
	struct wire_forward f;
	struct wire_op op;
	struct err e;

	(void)state;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	wire_buf_init(&b);
	size_t at = wire_put_op(&b, OP_FORWARD, 0, 2);
	wire_buf_put_u32(&b, 2);
	wire_buf_put_u32(&b, 1000);
	wire_buf_put_u32(&b, 0);
	wire_buf_put_u32(&b, 0);
	wire_buf_put_u64(&b, 0);
	wire_put_target_via(&b, (struct sockaddr *)&sin, WIRE_VIA_TLS);
	wire_put_target(&b, (struct sockaddr *)&sin);
	size_t len_at = b.len;
	wire_buf_put_u32(&b, 0);
	put_reply(&b, 0);
	wire_buf_set_u32(&b, len_at, (uint32_t)(b.len - len_at - 4));
	wire_end_op(&b, at);
	put_reply(&b, 0);
	assert_int_equal(check(&b, &e), 0);
	wire_op_at(b.data, 0, &op);
	wire_forward_decode(&op, &f);
	assert_int_equal(wire_target_transport(&f, 0), WIRE_VIA_TLS);
	assert_int_equal(wire_target_transport(&f, 1), WIRE_VIA_NATIVE);
	assert_int_equal(wire_target_addr(&f, 0, &ss, &len), 0);
	assert_int_equal(ss.ss_family, AF_INET);
	assert_int_equal(ntohs(((struct sockaddr_in *)&ss)->sin_port), 7443);
	b.data[at + WIRE_OP_HDR_LEN + 24 + 1] = 0x01; /* HTTP, but a program, no route */
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	b.data[at + WIRE_OP_HDR_LEN + 24 + 1] = 0x03; /* transport 3: unknown */
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	wire_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_round_trip),
		cmocka_unit_test(test_target_transport),
		cmocka_unit_test(test_header_rejects),
		cmocka_unit_test(test_valid_programs),
		cmocka_unit_test(test_invalid_programs),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_storage_ops),
		cmocka_unit_test(test_route_names),
		cmocka_unit_test(test_route_header),
		cmocka_unit_test(test_budget_block),
		cmocka_unit_test(test_trace_block),
		cmocka_unit_test(test_route_forwards),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
