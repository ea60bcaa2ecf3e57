/* test_h2_client.c -- the client side of HTTP/2 (src/proto/h2_client.c)
 * against the project's own server side (src/proto/h2.c), in memory: a
 * request reaches the server with its fields and body and its answer comes
 * back with status, body count and first bytes, gRPC trailers and
 * x-meshwalk-status; a reset stream is answered once its reset has left;
 * a response over the header list or body bound is answered at once with
 * the bound named, its stream reset, and the connection goes on; a GOAWAY
 * refuses the streams above its last id and ends the session once the rest
 * finish; bytes that are not HTTP/2 end it; freeing hands every unanswered
 * user pointer back. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "proto/h2_client.h"

struct srv {
	struct h2_session *s;
	int nreq, nclosed, nreset;
	uint32_t reset_code;
	int32_t last_id;
	char method[8], path[64], authority[64], budget[64];
	bool grpc;
	uint64_t body_total;
	bool answer_now;
	struct h2_resp resp; /* the answer given at once */
};

struct buf {
	uint8_t d[1 << 20];
	size_t len;
};

static struct buf wire; /* bytes in flight, one direction at a time */

static int sink(void *ctx, const uint8_t *data, size_t len)
{
	struct buf *b = ctx;

	assert_true(b->len + len <= sizeof b->d);
	memcpy(b->d + b->len, data, len);
	b->len += len;
	return 0;
}

static void span(char *dst, size_t cap, struct http1_span s)
{
	snprintf(dst, cap, "%.*s", (int)s.len, s.p ? s.p : "");
}

static void on_request(void *ctx, struct h2_session *s, const struct h2_req *r)
{
	struct srv *v = ctx;

	v->nreq++;
	v->last_id = r->stream_id;
	span(v->method, sizeof v->method, r->method);
	span(v->path, sizeof v->path, r->path);
	span(v->authority, sizeof v->authority, r->authority);
	span(v->budget, sizeof v->budget, r->budget);
	v->grpc = r->grpc;
	v->body_total = r->body_total;
	if (v->answer_now)
		assert_int_equal(h2_respond(s, r->stream_id, &v->resp), 0);
}

static void on_closed(void *ctx, struct h2_session *s, int32_t id, void *user)
{
	((struct srv *)ctx)->nclosed++;
}

static void on_reset(void *ctx, struct h2_session *s, int32_t id, uint32_t code)
{
	struct srv *v = ctx;

	v->nreset++;
	v->reset_code = code;
}

static struct srv *srv_new(void)
{
	static struct srv v;
	struct h2_callbacks cb = { .ctx = &v, .request = on_request, .closed = on_closed,
				   .reset = on_reset };

	memset(&v, 0, sizeof v);
	v.s = h2_session_new(NULL, &cb);
	return &v;
}

/* Client to server: what the client has to send. */
static size_t to_server(struct h2_client *c, struct srv *v)
{
	wire.len = 0;
	assert_true(h2_client_send(c, sink, &wire) >= 0);
	if (wire.len > 0)
		assert_int_equal(h2_session_recv(v->s, wire.d, wire.len), 0);
	return wire.len;
}

/* Server to client. */
static size_t to_client(struct h2_client *c, struct srv *v)
{
	wire.len = 0;
	assert_true(h2_session_send(v->s, sink, &wire) >= 0);
	if (wire.len > 0)
		assert_int_equal(h2_client_recv(c, wire.d, wire.len), 0);
	return wire.len;
}

/* Moves bytes both ways until neither side has any. */
static void pump(struct h2_client *c, struct srv *v)
{
	for (int round = 0; round < 100; round++)
		if (to_server(c, v) + to_client(c, v) == 0)
			return;
	fail_msg("the peers never went quiet");
}

static struct h2_client_req get(const char *path)
{
	return (struct h2_client_req){ .method = "GET", .scheme = "http", .authority = "node:1",
				       .path = path };
}

static void test_request_and_answer(void **state)
{
	struct srv *v = srv_new();
	struct h2_client *c = h2_client_new(NULL);
	struct h2_client_answer a;
	struct h2_hdr extra[] = { { "x-meshwalk-status", "0 ok" } };
	int tag = 1;

	v->answer_now = true;
	v->resp = (struct h2_resp){ .status = 200, .extra = extra, .nextra = 1, .body = "hello",
				    .body_len = 5, .zeros = 100000, .content_length = true };
	struct h2_client_field f[] = { { "x-meshwalk-budget", "b123", 4 } };
	struct h2_client_req r = get("/pay");
	r.fields = f;
	r.nfields = 1;
	int32_t id = h2_client_submit(c, &r, &tag);
	assert_true(id > 0);
	assert_int_equal(h2_client_streams(c), 1);
	pump(c, v);
	assert_int_equal(v->nreq, 1);
	assert_string_equal(v->method, "GET");
	assert_string_equal(v->path, "/pay");
	assert_string_equal(v->authority, "node:1");
	assert_string_equal(v->budget, "b123");
	assert_true(h2_client_next(c, &a));
	assert_ptr_equal(a.user, &tag);
	assert_int_equal(a.stream_id, id);
	assert_int_equal(a.status, 200);
	assert_int_equal(a.body, 100005); /* over the initial 64 KiB window: it was opened */
	assert_memory_equal(a.head, "hello\0\0", 7);
	assert_int_equal(a.reset, 0);
	assert_string_equal(a.over, "");
	assert_int_equal(a.grpc_status, -1);
	assert_int_equal(a.mw_code, 0);
	assert_string_equal(a.mw_status, "0 ok");
	assert_false(h2_client_next(c, &a));
	assert_int_equal(h2_client_streams(c), 0);

	/* a POST: given bytes then zeros, with gRPC's trailers in the answer */
	struct h2_hdr tr[] = { { "grpc-status", "5" }, { "grpc-message", "no route 'x'" },
			       { "x-meshwalk-status", "10 no such route" } };
	v->resp = (struct h2_resp){ .status = 200, .content_type = "application/grpc",
				    .trailers = tr, .ntrailers = 3 };
	struct h2_client_field g[] = { { "content-type", "application/grpc", 16 },
				       { "te", "trailers", 8 } };
	r = get("/meshwalk.v1.Walk/Run");
	r.method = "POST";
	r.fields = g;
	r.nfields = 2;
	r.body = malloc(5);
	memcpy(r.body, "\0\0\0\0\x03", 5);
	r.body_len = 5;
	r.zeros = 3;
	id = h2_client_submit(c, &r, &tag);
	pump(c, v);
	assert_int_equal(v->nreq, 2);
	assert_true(v->grpc);
	assert_int_equal(v->body_total, 8);
	assert_true(h2_client_next(c, &a));
	assert_int_equal(a.stream_id, id);
	assert_int_equal(a.status, 200);
	assert_int_equal(a.grpc_status, 5);
	assert_string_equal(a.grpc_message, "no route 'x'");
	assert_int_equal(a.mw_code, 10);
	assert_int_equal(a.body, 0);
	assert_false(h2_client_done(c));
	h2_client_free(c, NULL);
	h2_session_free(v->s);
}

static void test_reset(void **state)
{
	struct srv *v = srv_new();
	struct h2_client *c = h2_client_new(NULL);
	struct h2_client_answer a;
	struct h2_client_req r = get("/slow");
	int tag = 2;

	int32_t id = h2_client_submit(c, &r, &tag);
	pump(c, v);
	assert_int_equal(v->nreq, 1); /* not answered */
	assert_false(h2_client_next(c, &a));
	assert_int_equal(h2_client_reset(c, id, H2_CANCEL), 0);
	assert_int_equal(h2_client_streams(c), 1); /* open until the reset has left */
	assert_false(h2_client_next(c, &a));
	pump(c, v);
	assert_int_equal(v->nreset, 1);
	assert_int_equal(v->reset_code, H2_CANCEL);
	assert_int_equal(v->nclosed, 1);
	assert_int_equal(h2_client_streams(c), 0);
	assert_true(h2_client_next(c, &a));
	assert_ptr_equal(a.user, &tag);
	assert_int_equal(a.reset, H2_CANCEL);
	assert_string_equal(a.reset_name, "CANCEL");
	assert_int_equal(a.status, 0);
	assert_int_equal(h2_client_reset(c, id, H2_CANCEL), -1); /* gone */
	assert_int_equal(h2_client_reset(c, 99, H2_CANCEL), -1); /* never was */

	h2_client_free(c, NULL);
	h2_session_free(v->s);
}

static void test_headers_over_bound(void **state)
{
	struct srv *v = srv_new();
	struct h2_client_limits lim = { .max_header_list = 1024, .max_body = 0 };
	struct h2_client *c = h2_client_new(&lim);
	struct h2_client_answer a;
	struct h2_client_req r = get("/big");
	static char big[600];
	struct h2_hdr extra[4] = { { "x-a", big }, { "x-b", big }, { "x-c", big }, { "x-d", big } };
	int tag = 3;

	memset(big, 'v', sizeof big - 1);
	v->answer_now = true;
	v->resp = (struct h2_resp){ .status = 200, .extra = extra, .nextra = 4, .body = "x",
				    .body_len = 1 };
	h2_client_submit(c, &r, &tag);
	to_server(c, v);
	to_client(c, v); /* the answer comes with the read that broke the bound */
	assert_true(h2_client_next(c, &a));
	assert_ptr_equal(a.user, &tag);
	assert_string_equal(a.over, "header list");
	assert_int_equal(a.over_bound, 1024);
	assert_int_equal(a.reset, H2_CANCEL);
	assert_int_equal(h2_client_streams(c), 0);
	pump(c, v); /* the reset leaves; no second answer */
	assert_false(h2_client_next(c, &a));

	/* the connection goes on */
	v->resp = (struct h2_resp){ .status = 204 };
	h2_client_submit(c, &r, &tag);
	pump(c, v);
	assert_true(h2_client_next(c, &a));
	assert_int_equal(a.status, 204);
	assert_string_equal(a.over, "");
	h2_client_free(c, NULL);
	h2_session_free(v->s);
}

static void test_body_over_bound(void **state)
{
	struct srv *v = srv_new();
	struct h2_client_limits lim = { .max_header_list = 65536, .max_body = 4096 };
	struct h2_client *c = h2_client_new(&lim);
	struct h2_client_answer a;
	struct h2_client_req r = get("/big");
	int tag = 4;

	v->answer_now = true;
	v->resp = (struct h2_resp){ .status = 200, .body = "head", .body_len = 4, .zeros = 200000 };
	h2_client_submit(c, &r, &tag);
	pump(c, v);
	assert_true(h2_client_next(c, &a));
	assert_string_equal(a.over, "body");
	assert_int_equal(a.over_bound, 4096);
	assert_int_equal(a.reset, H2_CANCEL);
	assert_true(a.body > 4096);
	assert_true(a.body < 200004); /* counted up to the bound's DATA frame */
	assert_memory_equal(a.head, "head", 4);
	assert_false(h2_client_next(c, &a));

	v->resp = (struct h2_resp){ .status = 200, .zeros = 4096 }; /* at the bound: fine */
	h2_client_submit(c, &r, &tag);
	pump(c, v);
	assert_true(h2_client_next(c, &a));
	assert_string_equal(a.over, "");
	assert_int_equal(a.body, 4096);
	h2_client_free(c, NULL);
	h2_session_free(v->s);
}

static void test_goaway(void **state)
{
	struct srv *v = srv_new();
	struct h2_client *c = h2_client_new(NULL);
	struct h2_client_answer a;
	struct h2_client_req r = get("/x");
	int one = 1, two = 2;
	/* GOAWAY: length 8, type 7, stream 0; last stream id 1, NO_ERROR */
	static const uint8_t goaway[] = { 0, 0, 8, 7, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0 };

	int32_t id1 = h2_client_submit(c, &r, &one);
	int32_t id3 = h2_client_submit(c, &r, &two);
	assert_int_equal(id1, 1);
	assert_int_equal(id3, 3);
	pump(c, v);
	assert_int_equal(v->nreq, 2);
	assert_int_equal(h2_client_recv(c, goaway, sizeof goaway), 0);
	assert_true(h2_client_next(c, &a)); /* stream 3 is over the last id: refused */
	assert_ptr_equal(a.user, &two);
	assert_int_equal(a.reset, 7); /* REFUSED_STREAM */
	assert_false(h2_client_next(c, &a));
	assert_false(h2_client_done(c)); /* stream 1 still runs */
	assert_int_equal(h2_client_streams(c), 1);
	struct h2_resp ok = { .status = 200, .body = "k", .body_len = 1 };
	assert_int_equal(h2_respond(v->s, id1, &ok), 0);
	to_client(c, v);
	assert_true(h2_client_next(c, &a));
	assert_ptr_equal(a.user, &one);
	assert_int_equal(a.status, 200);
	assert_int_equal(a.reset, 0);
	to_server(c, v);
	assert_true(h2_client_done(c));
	h2_client_free(c, NULL);
	h2_session_free(v->s);
}

static int dropped;

static void drop(void *user)
{
	dropped++;
	free(user);
}

static void test_not_http2_and_free(void **state)
{
	struct h2_client *c = h2_client_new(NULL);
	struct h2_client_req r = get("/x");
	static const char junk[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";

	dropped = 0;
	h2_client_submit(c, &r, malloc(1));
	h2_client_submit(c, &r, malloc(1));
	wire.len = 0;
	h2_client_send(c, sink, &wire);
	/* a frame far over the maximum size: a connection error, GOAWAY queued */
	assert_int_equal(h2_client_recv(c, (const uint8_t *)junk, sizeof junk - 1), 0);
	assert_false(h2_client_done(c)); /* the GOAWAY is still to send */
	wire.len = 0;
	h2_client_send(c, sink, &wire);
	assert_true(wire.len >= 17);
	assert_int_equal(wire.d[3], 7); /* GOAWAY */
	assert_true(h2_client_done(c));
	/* whatever was answered or is still open is handed back once */
	h2_client_free(c, drop);
	assert_int_equal(dropped, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_request_and_answer),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_headers_over_bound),
		cmocka_unit_test(test_body_over_bound),
		cmocka_unit_test(test_goaway),
		cmocka_unit_test(test_not_http2_and_free),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
