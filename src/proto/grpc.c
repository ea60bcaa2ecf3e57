/* grpc.c -- see grpc.h. */
#include "proto/grpc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "proto/pb.h"
#include "util/xalloc.h"

int grpc_unary_message(const uint8_t *body, size_t len, uint32_t max, const uint8_t **msg,
		       size_t *msg_len, const char **why)
{
	if (len < GRPC_PREFIX_LEN) {
		*why = len == 0 ? "no request message" : "truncated message prefix";
		return GRPC_INTERNAL;
	}
	uint32_t n = (uint32_t)body[1] << 24 | (uint32_t)body[2] << 16 | (uint32_t)body[3] << 8 |
		     body[4];
	if (body[0] > 1) {
		*why = "bad message flags";
		return GRPC_INTERNAL;
	}
	if (body[0] == 1) {
		*why = "compressed message: this node speaks identity only (grpc-accept-encoding)";
		return GRPC_UNIMPLEMENTED;
	}
	if (n > max) {
		*why = "request message over the node's limit";
		return GRPC_RESOURCE_EXHAUSTED;
	}
	if (len - GRPC_PREFIX_LEN < n) {
		*why = "truncated message";
		return GRPC_INTERNAL;
	}
	if (len - GRPC_PREFIX_LEN > n) {
		*why = "more than one request message for a unary method";
		return GRPC_INTERNAL;
	}
	*msg = body + GRPC_PREFIX_LEN;
	*msg_len = n;
	return GRPC_OK;
}

void grpc_prefix(uint8_t out[GRPC_PREFIX_LEN], uint32_t len)
{
	out[0] = 0;
	out[1] = (uint8_t)(len >> 24);
	out[2] = (uint8_t)(len >> 16);
	out[3] = (uint8_t)(len >> 8);
	out[4] = (uint8_t)len;
}

int grpc_timeout_parse(struct http1_span v, int64_t *ns)
{
	static const struct { char unit; int64_t ns; } units[] = {
		{ 'H', 3600000000000 }, { 'M', 60000000000 }, { 'S', 1000000000 },
		{ 'm', 1000000 },       { 'u', 1000 },        { 'n', 1 },
	};
	int64_t x = 0;

	if (v.p == NULL || v.len < 2 || v.len > 9)
		return -EINVAL;
	for (size_t i = 0; i + 1 < v.len; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -EINVAL;
		x = x * 10 + (v.p[i] - '0');
	}
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
		if (units[i].unit == v.p[v.len - 1]) {
			/* 99999999 H is over 2^63 ns: saturate */
			*ns = x > INT64_MAX / units[i].ns ? INT64_MAX : x * units[i].ns;
			return 0;
		}
	}
	return -EINVAL;
}

void grpc_message_encode(const char *text, size_t len, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;

	if (cap == 0)
		return;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)text[i];
		bool plain = ch >= 0x20 && ch <= 0x7e && ch != '%';

		if (o + (plain ? 1 : 3) >= cap)
			break;
		if (plain) {
			out[o++] = (char)ch;
		} else {
			out[o++] = '%';
			out[o++] = hex[ch >> 4];
			out[o++] = hex[ch & 15];
		}
	}
	out[o] = '\0';
}

/* A string field: length-delimited (a wrong wire type is malformed). */
static int want(const struct pb_field *f, enum pb_wire type)
{
	return f->type == type ? 0 : -EINVAL;
}

uint8_t *grpc_run_req_body(bool route, const char *text, size_t text_len, uint64_t payload_len,
			   size_t *len)
{
	size_t msg = (text_len ? 1 + pb_varint_len(text_len) + text_len : 0) +
		     (payload_len ? 1 + pb_varint_len(payload_len) + payload_len : 0);
	uint8_t *body = xcalloc(1, GRPC_PREFIX_LEN + msg);
	struct pb_writer w = { .p = body + GRPC_PREFIX_LEN, .cap = msg };

	grpc_prefix(body, (uint32_t)msg);
	pb_put_bytes(&w, route ? 1 : 2, text, text_len);
	if (payload_len)
		pb_put_len_head(&w, 3, payload_len); /* the zero bytes follow, already there */
	*len = GRPC_PREFIX_LEN + msg;
	return body;
}

int grpc_run_req_decode(const uint8_t *msg, size_t len, struct grpc_run_req *r)
{
	struct pb_reader rd = { msg, msg + len };
	struct pb_field f;
	int rc;

	memset(r, 0, sizeof *r);
	while ((rc = pb_next(&rd, &f)) > 0) {
		if (f.num >= 1 && f.num <= 3 && want(&f, PB_LEN) < 0)
			return -EINVAL;
		if (f.num == 1)
			r->route = (struct http1_span){ (const char *)f.data, f.len };
		else if (f.num == 2)
			r->program = (struct http1_span){ (const char *)f.data, f.len };
		else if (f.num == 3)
			r->payload_len = f.len;
	}
	return rc;
}

size_t grpc_run_reply_head(uint8_t *out, size_t cap, uint32_t status, uint64_t payload_len)
{
	struct pb_writer w = { out, 0, cap, false };

	pb_put_uint(&w, 2, status);
	if (payload_len > 0)
		pb_put_len_head(&w, 1, payload_len);
	return w.overflow ? 0 : w.len;
}

int grpc_seed_req_decode(const uint8_t *msg, size_t len, struct grpc_seed_req *r)
{
	struct pb_reader rd = { msg, msg + len };
	struct pb_field f;
	int rc;

	memset(r, 0, sizeof *r);
	while ((rc = pb_next(&rd, &f)) > 0) {
		if (f.num == 1) {
			if (want(&f, PB_LEN) < 0)
				return -EINVAL;
			r->name = (struct http1_span){ (const char *)f.data, f.len };
		} else if (f.num == 2) {
			if (want(&f, PB_VARINT) < 0)
				return -EINVAL;
			r->duration_seconds = (int32_t)(uint32_t)f.v; /* int32: the low 32 bits */
		}
	}
	return rc;
}

size_t grpc_seed_resp_encode(uint8_t *out, size_t cap, struct http1_span message,
			     int64_t latency_ms, const char *worker_id)
{
	struct pb_writer w = { out, 0, cap, false };

	pb_put_bytes(&w, 1, message.p, message.len);
	pb_put_uint(&w, 2, (uint64_t)latency_ms); /* int64: two's complement */
	pb_put_bytes(&w, 3, worker_id, strlen(worker_id));
	return w.overflow ? 0 : w.len;
}
