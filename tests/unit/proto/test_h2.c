/* test_h2.c -- the HTTP/2 glue (src/proto/h2.c) against a real peer: an
 * nghttp2 client session in memory. Requests reach the callback complete
 * (fields, query split, gRPC bodies), answers arrive with their fields,
 * bodies and trailers, later answers and resets are handled, limits set
 * `error`, the upgrade makes stream 1, and a bad frame ends the session. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <nghttp2/nghttp2.h>

#include "proto/h2.h"

struct srv {
	struct h2_session *s;
	int nreq, nclosed;
	int32_t last_id;
	char path[64], query[64], program[64], timeout[16];
	bool grpc, head, answer_now;
	int error;
	size_t body_len;
	uint64_t body_total;
	uint8_t out[1 << 20];
	size_t out_len;
};

struct cli {
	nghttp2_session *ng;
	int status[16];
	char ctype[16][64], trailer[16][64];
	size_t data[16];
	bool closed[16];
	uint32_t close_code[16];
};

static int idx(int32_t id)
{
	return (id / 2) % 16;
}

static void on_request(void *ctx, struct h2_session *s, const struct h2_req *r)
{
	struct srv *v = ctx;

	v->nreq++;
	v->last_id = r->stream_id;
	snprintf(v->path, sizeof v->path, "%.*s", (int)r->path.len, r->path.p ? r->path.p : "");
	snprintf(v->query, sizeof v->query, "%.*s", (int)r->query.len, r->query.p ? r->query.p : "-");
	snprintf(v->program, sizeof v->program, "%.*s", (int)r->program.len, r->program.p ? r->program.p : "-");
	snprintf(v->timeout, sizeof v->timeout, "%.*s", (int)r->grpc_timeout.len,
		 r->grpc_timeout.p ? r->grpc_timeout.p : "-");
	v->grpc = r->grpc;
	v->head = r->head_method;
	v->error = r->error;
	v->body_len = r->body_len;
	v->body_total = r->body_total;
	if (v->answer_now) {
		struct h2_hdr tr[1] = { { "grpc-status", "0" } };
		struct h2_resp resp = { .status = 200, .content_type = "text/x", .content_length = true,
					.body = "abc", .body_len = 3, .zeros = 20000,
					.trailers = r->grpc ? tr : NULL, .ntrailers = r->grpc ? 1 : 0 };

		if (r->grpc)
			resp.content_length = false;
		assert_int_equal(h2_respond(s, r->stream_id, &resp), 0);
		assert_int_equal(h2_respond(s, r->stream_id, &resp), -EALREADY);
	}
}

static void on_closed(void *ctx, struct h2_session *s, int32_t id, void *user)
{
	((struct srv *)ctx)->nclosed++;
}

static int sink(void *ctx, const uint8_t *data, size_t len)
{
	struct srv *v = ctx;

	assert_true(v->out_len + len <= sizeof v->out);
	memcpy(v->out + v->out_len, data, len);
	v->out_len += len;
	return 0;
}

static int c_header(nghttp2_session *ng, const nghttp2_frame *f, const uint8_t *name, size_t nl,
		    const uint8_t *value, size_t vl, uint8_t flags, void *ud)
{
	struct cli *c = ud;
	int i = idx(f->hd.stream_id);

	if (nl == 7 && memcmp(name, ":status", 7) == 0)
		c->status[i] = atoi((const char *)value);
	else if (nl == 12 && memcmp(name, "content-type", 12) == 0)
		snprintf(c->ctype[i], sizeof c->ctype[i], "%.*s", (int)vl, value);
	else if (nl == 11 && memcmp(name, "grpc-status", 11) == 0)
		snprintf(c->trailer[i], sizeof c->trailer[i], "%.*s", (int)vl, value);
	return 0;
}

static int c_data(nghttp2_session *ng, uint8_t flags, int32_t id, const uint8_t *d, size_t len, void *ud)
{
	((struct cli *)ud)->data[idx(id)] += len;
	return 0;
}

static int c_close(nghttp2_session *ng, int32_t id, uint32_t code, void *ud)
{
	struct cli *c = ud;

	c->closed[idx(id)] = true;
	c->close_code[idx(id)] = code;
	return 0;
}

static void cli_init(struct cli *c)
{
	nghttp2_session_callbacks *cb;

	memset(c, 0, sizeof *c);
	nghttp2_session_callbacks_new(&cb);
	nghttp2_session_callbacks_set_on_header_callback(cb, c_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cb, c_data);
	nghttp2_session_callbacks_set_on_stream_close_callback(cb, c_close);
	assert_int_equal(nghttp2_session_client_new(&c->ng, cb, c), 0);
	nghttp2_session_callbacks_del(cb);
	nghttp2_submit_settings(c->ng, NGHTTP2_FLAG_NONE, NULL, 0);
}

/* Moves bytes both ways until neither side has any. */
static void pump(struct cli *c, struct srv *v)
{
	for (int round = 0; round < 100; round++) {
		const uint8_t *p;
		ssize_t n, moved = 0;

		while ((n = nghttp2_session_mem_send(c->ng, &p)) > 0) {
			assert_int_equal(h2_session_recv(v->s, p, (size_t)n), 0);
			moved += n;
		}
		v->out_len = 0;
		assert_true(h2_session_send(v->s, sink, v) >= 0);
		if (v->out_len > 0) {
			assert_int_equal(nghttp2_session_mem_recv(c->ng, v->out, v->out_len), (ssize_t)v->out_len);
			moved += (ssize_t)v->out_len;
		}
		if (moved == 0)
			return;
	}
	fail_msg("the peers never went quiet");
}

#define NV(n, v) { (uint8_t *)(n), (uint8_t *)(v), sizeof(n) - 1, sizeof(v) - 1, NGHTTP2_NV_FLAG_NONE }

static const uint8_t *grpc_body;
static size_t grpc_body_len;

static ssize_t body_read(nghttp2_session *ng, int32_t id, uint8_t *buf, size_t length,
			 uint32_t *flags, nghttp2_data_source *src, void *ud)
{
	size_t n = grpc_body_len < length ? grpc_body_len : length;

	memcpy(buf, grpc_body, n);
	grpc_body += n;
	grpc_body_len -= n;
	if (grpc_body_len == 0)
		*flags |= NGHTTP2_DATA_FLAG_EOF;
	return (ssize_t)n;
}

static struct srv *srv_new(void)
{
	static struct srv v;
	struct h2_callbacks cb = { .ctx = &v, .request = on_request, .closed = on_closed };

	memset(&v, 0, sizeof v);
	v.s = h2_session_new(NULL, &cb);
	return &v;
}

static void test_requests(void **state)
{
	struct srv *v = srv_new();
	struct cli c;
	nghttp2_nv get[] = { NV(":method", "GET"), NV(":scheme", "http"), NV(":authority", "a"),
			     NV(":path", "/pay?program=-R&x=1"), NV("x-meshwalk-program", "-C 1ms -R") };

	cli_init(&c);
	v->answer_now = true;
	int32_t id = nghttp2_submit_request(c.ng, NULL, get, 5, NULL, NULL);
	pump(&c, v);
	assert_int_equal(v->nreq, 1);
	assert_string_equal(v->path, "/pay");
	assert_string_equal(v->query, "program=-R&x=1");
	assert_string_equal(v->program, "-C 1ms -R");
	assert_false(v->grpc);
	assert_int_equal(c.status[idx(id)], 200);
	assert_string_equal(c.ctype[idx(id)], "text/x");
	assert_int_equal(c.data[idx(id)], 20003);
	assert_true(c.closed[idx(id)]);
	assert_int_equal(v->nclosed, 1);

	/* gRPC: the body is kept, trailers follow the data */
	static const uint8_t msg[] = { 0, 0, 0, 0, 3, 0x0a, 1, 'x' };
	nghttp2_nv post[] = { NV(":method", "POST"), NV(":scheme", "http"), NV(":authority", "a"),
			      NV(":path", "/meshwalk.v1.Walk/Run"), NV("content-type", "application/grpc+proto"),
			      NV("te", "trailers"), NV("grpc-timeout", "100m") };
	nghttp2_data_provider prd = { .read_callback = body_read };
	grpc_body = msg;
	grpc_body_len = sizeof msg;
	id = nghttp2_submit_request(c.ng, NULL, post, 7, &prd, NULL);
	pump(&c, v);
	assert_int_equal(v->nreq, 2);
	assert_true(v->grpc);
	assert_int_equal(v->body_len, sizeof msg);
	assert_string_equal(v->timeout, "100m");
	assert_string_equal(c.trailer[idx(id)], "0");
	assert_int_equal(c.data[idx(id)], 20003);

	/* an answer given later, and one for a stream the client reset */
	v->answer_now = false;
	id = nghttp2_submit_request(c.ng, NULL, get, 4, NULL, NULL);
	int32_t id2 = nghttp2_submit_request(c.ng, NULL, get, 4, NULL, NULL);
	pump(&c, v);
	assert_int_equal(v->nreq, 4);
	int x = 7;
	h2_stream_set_user(v->s, id, &x);
	assert_ptr_equal(h2_stream_user(v->s, id), &x);
	nghttp2_submit_rst_stream(c.ng, NGHTTP2_FLAG_NONE, id2, NGHTTP2_CANCEL);
	pump(&c, v);
	struct h2_resp r = { .status = 404, .no_body = true, .zeros = 10, .content_length = true };
	assert_int_equal(h2_respond(v->s, id2, &r), -ENOENT);
	assert_int_equal(h2_respond(v->s, id, &r), 0);
	pump(&c, v);
	assert_int_equal(c.status[idx(id)], 404);
	assert_int_equal(c.data[idx(id)], 0);
	assert_int_equal(h2_session_streams(v->s), 0);
	assert_null(h2_stream_user(v->s, id));
	nghttp2_session_del(c.ng);
	h2_session_free(v->s);
}

static void test_limits(void **state)
{
	struct srv *v = srv_new();
	struct cli c;
	static char big[20000];
	nghttp2_nv get[] = { NV(":method", "GET"), NV(":scheme", "http"), NV(":authority", "a"),
			     NV(":path", "/"), { (uint8_t *)"x-big", (uint8_t *)big, 5, sizeof big, 0 } };

	memset(big, 'a', sizeof big);
	cli_init(&c);
	nghttp2_submit_request(c.ng, NULL, get, 5, NULL, NULL);
	pump(&c, v);
	assert_int_equal(v->nreq, 1);
	assert_int_equal(v->error, 431);

	static uint8_t body[(1 << 20) + 100];
	nghttp2_nv post[] = { NV(":method", "POST"), NV(":scheme", "http"), NV(":authority", "a"),
			      NV(":path", "/") };
	nghttp2_data_provider prd = { .read_callback = body_read };
	grpc_body = body;
	grpc_body_len = sizeof body;
	nghttp2_submit_request(c.ng, NULL, post, 4, &prd, NULL);
	pump(&c, v);
	assert_int_equal(v->nreq, 2);
	assert_int_equal(v->error, 413);
	assert_int_equal(v->body_total, sizeof body);
	assert_int_equal(v->body_len, 0); /* a plain body is counted, not kept */
	nghttp2_session_del(c.ng);
	h2_session_free(v->s); /* with two streams unanswered: closed for both */
	assert_int_equal(v->nclosed, 2);
}

static void test_upgrade_and_errors(void **state)
{
	struct srv *v = srv_new();

	assert_int_equal(h2_session_upgrade(v->s, (struct http1_span){ "AAMAAABkAAQCAAAAAAIAAAAA", 24 }, false), 0);
	assert_int_equal(h2_session_streams(v->s), 1);
	struct h2_resp r = { .status = 200, .body = "hi", .body_len = 2 };
	assert_int_equal(h2_respond(v->s, 1, &r), 0);
	h2_session_free(v->s);
	assert_int_equal(v->nclosed, 1);

	v = srv_new();
	assert_int_equal(h2_session_upgrade(v->s, (struct http1_span){ "A*", 2 }, false), -EINVAL);
	assert_int_equal(h2_session_upgrade(v->s, (struct http1_span){ "AAM", 3 }, false), -EINVAL);
	assert_int_equal(h2_session_upgrade(v->s, (struct http1_span){ NULL, 0 }, false), -EINVAL);
	/* not the preface: the session ends */
	static const char junk[] = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
	assert_int_equal(h2_session_recv(v->s, (const uint8_t *)junk, sizeof junk - 1), -EPROTO);
	v->out_len = 0;
	h2_session_send(v->s, sink, v);
	assert_true(h2_session_done(v->s));
	assert_true(h2_session_failed(v->s));
	h2_session_free(v->s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_upgrade_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
