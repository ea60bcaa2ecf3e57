/* fuzz_http1_resp.c -- the HTTP/1.1 response parser (http1_init_response())
 * under a caller that follows the buffering contract, as the client and a
 * node's HTTP forwards use it. Byte 0 picks the limits and which responses
 * answer a HEAD, byte 1 seeds the sizes of the pieces the rest is fed in;
 * the same stream is then fed whole, and the connection closes after it.
 * Both runs must see the same heads, bodies and final result (a hash over
 * the events), an error is always 502 with a reason, bodies never exceed
 * max_body nor a Content-Length, and the bytes a caller must keep never
 * reach max_head. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/http1.h"

static void mix(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++)
		*h = (*h ^ b[i]) * 0x100000001b3ull;
}

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static void on_head(uint64_t *h, const struct http1_response *r)
{
	uint8_t flags = (uint8_t)(r->keep_alive | r->chunked << 1 | r->until_close << 2 |
				  r->has_body << 3);
	struct http1_span s = http1_resp_header(r, "x-meshwalk-status");

	check(r->status >= 100 && r->status <= 999 && (r->minor == 0 || r->minor == 1));
	check(!(r->chunked && r->until_close) && !(r->until_close && r->keep_alive));
	mix(h, "H", 1);
	mix(h, &r->status, sizeof r->status);
	mix(h, &flags, 1);
	mix(h, &r->content_length, sizeof r->content_length);
	mix(h, &s.len, sizeof s.len);
	if (s.p)
		mix(h, s.p, s.len);
	for (unsigned i = 0; i < r->nfields; i++) {
		mix(h, r->fields[i].name.p, r->fields[i].name.len);
		mix(h, r->fields[i].value.p, r->fields[i].value.len);
	}
}

static uint64_t run(const struct http1_limits *lim, unsigned head_mask, const uint8_t *data,
		    size_t size, uint8_t seed, char *buf)
{
	struct http1_parser p;
	uint64_t h = 0xcbf29ce484222325ull, body = 0, cl = 0;
	size_t blen = 0, pos = 0;
	unsigned finals = 0;
	bool counted = false;
	uint32_t x = seed * 2654435761u + 1;

	http1_init_response(&p, lim);
	if (head_mask & 1)
		http1_response_to_head(&p);
	while (pos < size) {
		size_t step = size - pos;

		if (seed) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			step = x % 4 == 0 ? x % 64 : 1 + x % 7;
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
				check(used == 0 && p.status == 502 && p.reason && *p.reason);
				mix(&h, "E", 1);
				return h;
			}
			if (ev == HTTP1_HEAD) {
				on_head(&h, &p.resp);
				body = 0;
				cl = p.resp.content_length;
				counted = !p.resp.chunked && !p.resp.until_close;
				if (p.resp.status >= 200)
					finals++;
			} else if (ev == HTTP1_BODY) {
				check(p.body_len > 0 && p.body >= buf && p.body + p.body_len <= buf + used);
				body += p.body_len;
				check(body <= lim->max_body || p.resp.until_close);
				check(!counted || body <= cl);
				mix(&h, p.body, p.body_len);
			} else if (ev == HTTP1_DONE) {
				mix(&h, "D", 1);
				if ((head_mask >> finals) & 1)
					http1_response_to_head(&p);
			}
			memmove(buf, buf + used, blen - used);
			blen -= used;
			if (ev == HTTP1_NEED_MORE) {
				check(blen < lim->max_head);
				break;
			}
		}
	}
	mix(&h, "C", 1);
	enum http1_event ev = http1_feed_eof(&p, blen);
	mix(&h, &ev, sizeof ev);
	check(ev == HTTP1_DONE || ev == HTTP1_NEED_MORE || ev == HTTP1_ERROR);
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t heads[] = { 64, 256, 8192, 100 };
	static const unsigned nhdr[] = { 3, 16, 64, 1000 };
	static const uint64_t bodies[] = { 0, 10, 1 << 20, UINT64_MAX };
	struct http1_limits lim;
	unsigned head_mask;
	char *buf;

	if (size < 2)
		return 0;
	lim.max_head = heads[data[0] & 3];
	lim.max_headers = nhdr[(data[0] >> 2) & 3];
	lim.max_body = bodies[(data[0] >> 4) & 3];
	head_mask = data[0] >> 6; /* the first or second response answers a HEAD */
	buf = malloc(size);
	check(run(&lim, head_mask, data + 2, size - 2, 0, buf) ==
	      run(&lim, head_mask, data + 2, size - 2, data[1] | 1, buf));
	free(buf);
	return 0;
}
