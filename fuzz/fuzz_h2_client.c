/* fuzz_h2_client.c -- the client's HTTP/2 and gRPC session (src/client/
 * h2client.c, over proto/h2_client.c's nghttp2 session, which a node's
 * HTTP/2 forwards share) fed a hostile server's bytes. Byte 0: bit 0
 * speaks gRPC (else plain h2c), bit 1 caps --streams at 2 (so requests
 * wait for streams), bit 2 names a route (else the ops), bits 3-7 seed the
 * piece sizes. Eight requests are submitted before the first byte is fed;
 * the rest of the input arrives in pieces, the session's output is drained
 * after each, and now and then a request not yet answered times out
 * (h2cl_cancel()). Nothing may crash or leak, every result names a request
 * that was submitted, no request gets two results nor one after its
 * timeout, and once the session has failed it stays failed. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "client/h2client.h"
#include "prog/prog.h"
#include "prog/prog_parse.h"
#include "spec/rng.h"

#define NREQ 8

static void check(int ok)
{
	if (!ok)
		__builtin_trap();
}

static void drain(struct h2cl *h)
{
	size_t len;

	for (int i = 0; i < 4; i++) {
		h2cl_output(h, &len);
		if (len == 0)
			return;
		h2cl_sent(h, len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct client_config c;
	struct h2cl *h;
	struct h2cl_result r;
	struct rng rng;
	char why[200];
	bool answered[NREQ] = { false }, cancelled[NREQ] = { false }, failed = false;
	unsigned seed;

	if (size < 1)
		return 0;
	client_config_defaults(&c);
	c.to.proto = data[0] & 1 ? SOCK_GRPC : SOCK_H2C;
	c.h2_streams = data[0] & 2 ? 2 : 0;
	c.route = data[0] & 4 ? "pay" : NULL;
	c.prog_text = "-C 1ms -R 100";
	c.http_host = "node.example:8080";
	seed = data[0] >> 3;
	rng_seed(&rng, 1, 1);
	h = h2cl_new(&c);
	h2cl_session(h);
	for (uint64_t s = 0; s < NREQ; s++)
		check(h2cl_submit(h, &rng, s, NULL, why, sizeof why) == 0);
	drain(h);
	for (size_t off = 1; off < size;) {
		size_t n = 1 + (seed = seed * 1103515245u + 12345u) % 64;

		if (n > size - off)
			n = size - off;
		if (h2cl_feed(h, data + off, n, why, sizeof why) < 0)
			failed = true;
		else
			check(!failed); /* a failed session stays failed */
		while (h2cl_next(h, &r)) {
			check(r.seq < NREQ);
			check(!answered[r.seq]);
			check(!cancelled[r.seq]); /* a timed-out request gets no result */
			answered[r.seq] = true;
		}
		if ((seed >> 8) % 4 == 0) { /* a timeout: its stream is reset */
			uint64_t k = (seed >> 10) % NREQ;

			if (!answered[k]) {
				h2cl_cancel(h, k);
				cancelled[k] = true;
			}
		}
		drain(h);
		off += n;
	}
	h2cl_free(h);
	return 0;
}
