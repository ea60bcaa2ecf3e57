/* fuzz_http1.c -- the HTTP/1.1 parser under a caller that follows the
 * buffering contract. Byte 0 picks the limits, byte 1 seeds the sizes of the
 * pieces the rest is fed in; the same stream is then fed whole. Both runs
 * must see the same requests, bodies and final status (a hash over the
 * events, body bytes in order), bodies never exceed max_body, and the bytes
 * a caller must keep never reach max_head. Each request's query, fields and
 * a response head built from them go through the helpers too. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/http1.h"

struct trace {
	uint64_t h;
	uint64_t body; /* of the current request */
};

static void mix(struct trace *t, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		t->h = (t->h ^ b[i]) * 0x100000001b3ull;
}

static void mix_span(struct trace *t, struct http1_span s)
{
	mix(t, &s.len, sizeof s.len);
	if (s.p)
		mix(t, s.p, s.len);
}

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static void on_head(struct trace *t, const struct http1_request *r)
{
	char out[64];
	size_t n = 0;
	int rc;
	uint8_t flags = (uint8_t)(r->keep_alive | r->chunked << 1 | r->has_body << 2 |
				  r->expect_continue << 3 | r->upgrade_h2c << 4);

	mix(t, "H", 1);
	mix_span(t, r->method);
	mix_span(t, r->target);
	mix_span(t, r->path);
	mix_span(t, r->query);
	mix(t, &r->minor, sizeof r->minor);
	mix(t, &flags, 1);
	mix(t, &r->content_length, sizeof r->content_length);
	for (unsigned i = 0; i < r->nfields; i++) {
		mix_span(t, r->fields[i].name);
		mix_span(t, r->fields[i].value);
	}
	mix_span(t, http1_header(r, "x-meshwalk-program"));

	rc = http1_query_param(r->query, "p", out, sizeof out, &n);
	check(rc == 0 ? n < sizeof out && out[n] == '\0' && strlen(out) == n
		      : rc == -ENOENT || rc == -EINVAL || rc == -ENOSPC);

	/* A response head carrying the (decoded) parameter as a field value:
	 * either refused or well-formed, never past cap. */
	char head[256];
	struct http1_hdr extra = { "x-meshwalk-echo", rc == 0 ? out : "" };
	struct http1_resp resp = { .status = 200, .framing = HTTP1_LENGTH, .keep_alive = r->keep_alive,
				   .http10 = r->minor == 0, .extra = &extra, .nextra = 1 };
	ssize_t hl = http1_write_head(head, sizeof head, &resp);
	check(hl == -EINVAL || hl == -ENOSPC || (hl > 4 && (size_t)hl <= sizeof head &&
						  memcmp(head + hl - 4, "\r\n\r\n", 4) == 0));
}

/* Feeds data in pieces (seed 0: whole) and returns the trace. */
static uint64_t run(const struct http1_limits *lim, const uint8_t *data, size_t size, uint8_t seed,
		    char *buf)
{
	struct http1_parser p;
	struct trace t = { 0xcbf29ce484222325ull, 0 };
	size_t blen = 0, pos = 0;
	uint32_t x = seed * 2654435761u + 1;

	http1_init(&p, lim);
	while (pos < size || pos == 0) {
		size_t step = size - pos;

		if (seed) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			step = x % 4 == 0 ? x % 64 : 1 + x % 7; /* mostly tiny, some zero */
			if (step > size - pos)
				step = size - pos;
		}
		memcpy(buf + blen, data + pos, step);
		blen += step;
		pos += step;
		for (;;) {
			size_t used = (size_t)-1;
			enum http1_event ev = http1_feed(&p, buf, blen, &used);

			check(used <= blen);
			if (ev == HTTP1_ERROR) {
				check(used == 0 && p.reason && *p.reason);
				check(p.status == 400 || p.status == 413 || p.status == 431 ||
				      p.status == 501 || p.status == 505);
				mix(&t, "E", 1);
				mix(&t, &p.status, sizeof p.status);
				return t.h;
			}
			if (ev == HTTP1_HEAD) {
				on_head(&t, &p.req);
				t.body = 0;
			} else if (ev == HTTP1_BODY) {
				check(p.body_len > 0 && p.body >= buf && p.body + p.body_len <= buf + used);
				t.body += p.body_len;
				check(t.body <= lim->max_body);
				mix(&t, p.body, p.body_len);
			} else if (ev == HTTP1_DONE) {
				mix(&t, "D", 1);
			}
			memmove(buf, buf + used, blen - used);
			blen -= used;
			if (ev == HTTP1_NEED_MORE) {
				check(blen < lim->max_head);
				break;
			}
		}
		if (size == 0)
			break;
	}
	mix(&t, "M", 1);
	return t.h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t heads[] = { 64, 256, 8192, 100 };
	static const unsigned nhdr[] = { 3, 16, 64, 1000 };
	static const uint64_t bodies[] = { 0, 10, 1 << 20, UINT64_MAX };
	struct http1_limits lim;
	char *buf;
	uint64_t whole, split;

	if (size < 2)
		return 0;
	lim.max_head = heads[data[0] & 3];
	lim.max_headers = nhdr[(data[0] >> 2) & 3];
	lim.max_body = bodies[(data[0] >> 4) & 3];
	buf = malloc(size);
	whole = run(&lim, data + 2, size - 2, 0, buf);
	split = run(&lim, data + 2, size - 2, data[1] | 1, buf);
	check(whole == split);
	free(buf);
	return 0;
}
