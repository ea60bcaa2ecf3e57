/* fuzz_h2.c -- the HTTP/2 glue (src/proto/h2.c, over nghttp2) as a server
 * fed hostile bytes. Byte 0: bit 0 puts the client preface in front of the
 * rest (so inputs can be frames only), bit 1 answers every request at once
 * (else when the next piece arrives, or never), bit 2 makes the output sink
 * refuse now and then (a full connection), bits 3-7 seed the piece sizes.
 * gRPC bodies go through the message framing and decoders. Nothing may
 * crash or leak, every request is answered at most once, and once the
 * session has failed it stays done. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/grpc.h"
#include "proto/h2.h"

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

struct ctx {
	bool now;
	int32_t pending[8];
	int npending;
	unsigned refuse;
	struct h2_session *s;
};

static void answer(struct h2_session *s, int32_t id, bool grpc, uint64_t zeros)
{
	struct h2_hdr tr[2] = { { "grpc-status", "0" }, { "grpc-message", "ok" } };
	struct h2_hdr extra[1] = { { "x-meshwalk-status", "0 ok" } };
	struct h2_resp r = { .status = grpc ? 200 : 404, .content_type = grpc ? "application/grpc" : NULL,
			     .content_length = !grpc, .extra = extra, .nextra = 1, .body = "hello",
			     .body_len = 5, .zeros = zeros, .trailers = grpc ? tr : NULL,
			     .ntrailers = grpc ? 2 : 0 };
	int rc = h2_respond(s, id, &r);

	check(rc == 0 || rc == -ENOENT || rc == -EALREADY);
	check(h2_respond(s, id, &r) != 0);
}

static void on_request(void *p, struct h2_session *s, const struct h2_req *r)
{
	struct ctx *c = p;

	check(r->error == 0 || r->error == 413 || r->error == 431);
	check(r->body_len <= (1u << 20) + 5);
	if (r->grpc && r->body_len > 0) {
		const uint8_t *msg;
		size_t len;
		const char *why;
		struct grpc_run_req rr;
		struct grpc_seed_req sr;

		if (grpc_unary_message(r->body, r->body_len, 1u << 20, &msg, &len, &why) == GRPC_OK) {
			grpc_run_req_decode(msg, len, &rr);
			grpc_seed_req_decode(msg, len, &sr);
		}
	}
	if (r->grpc_timeout.p) {
		int64_t ns;

		grpc_timeout_parse(r->grpc_timeout, &ns);
	}
	if (c->now || c->npending == 8)
		answer(s, r->stream_id, r->grpc, r->path.len * 1000);
	else
		c->pending[c->npending++] = r->stream_id;
}

static void on_closed(void *p, struct h2_session *s, int32_t id, void *user)
{
	check(user == NULL || user == p);
}

static int sink(void *p, const uint8_t *data, size_t len)
{
	struct ctx *c = p;

	if (c->refuse && (c->refuse++ % 3) == 0)
		return -1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char magic[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	struct ctx c = { 0 };
	struct h2_callbacks cb = { .ctx = &c, .request = on_request, .closed = on_closed };
	struct h2_limits lim = { .max_streams = 4, .max_header_list = 1024, .max_body = 4096,
				 .max_message = 2048 };
	uint32_t seed;
	bool failed = false;

	if (size == 0)
		return 0;
	c.now = data[0] & 2;
	c.refuse = data[0] & 4 ? 1 : 0;
	seed = data[0] >> 3;
	c.s = h2_session_new(&lim, &cb);
	if (data[0] & 1)
		check(h2_session_recv(c.s, (const uint8_t *)magic, sizeof magic - 1) == 0);
	data++;
	size--;
	while (size > 0 && !failed) {
		size_t n = 1 + (seed * 2654435761u >> 7) % 97;

		seed = seed * 1103515245u + 12345u;
		if (n > size)
			n = size;
		failed = h2_session_recv(c.s, data, n) < 0;
		data += n;
		size -= n;
		while (c.npending > 0) {
			int32_t id = c.pending[--c.npending];

			h2_stream_set_user(c.s, id, &c);
			if (seed & 1)
				answer(c.s, id, false, 70000);
		}
		for (int i = 0; i < 4 && h2_session_send(c.s, sink, &c) > 0; i++)
			;
		if (h2_session_failed(c.s))
			failed = true;
	}
	if (failed) {
		h2_session_send(c.s, sink, &c);
		check(h2_session_failed(c.s) || h2_session_done(c.s) || c.refuse);
	}
	h2_session_free(c.s);
	return 0;
}
