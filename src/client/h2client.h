/* h2client.h -- meshwalk client --to h2c:// and --to grpc://: the client's
 * requests and replies over HTTP/2 (cleartext, prior knowledge), for the
 * thread loop of client.c, which stays the one for every transport
 * (schedule, timeouts, accounting, outputs).
 *
 * Contract: every request is a stream of the thread's one connection. Over
 * h2c:// it is the request an HTTP/1.1 client sends (httpclient.h: GET
 * /NAME, or the op words in x-meshwalk-program; a POST with --ps bytes of
 * body); over grpc:// it is a unary call of meshwalk.v1.Walk/Run whose
 * RunRequest carries the route or the program and --ps bytes of payload
 * (docs/grpc.md). At most `streams` (--streams) are open at once: a request
 * sent while that many are open waits in the session (its latency counts
 * from its intended time, as every request's does) and its stream opens when
 * one closes. Streams finish in any order; each result names its request.
 * A success: h2c://, a 2xx whose body has the program's REPLY size when that
 * is a constant; grpc://, grpc-status 0 with a RunReply whose payload has
 * that size. Anything else is an error reply whose text names the HTTP
 * status or the grpc-status and message, and x-meshwalk-status. A stream the
 * node resets is an error; a connection error (bad HTTP/2, GOAWAY with
 * streams in flight) breaks the connection, as a bad frame does on the native
 * protocol. A request that times out has its stream reset (h2cl_cancel()).
 * The session is proto/h2_client's (windows opened wide at the start, so
 * replies are never held back by a window the client forgot to reopen; a
 * response over its header list bound is an error reply, its stream reset).
 * Ownership: h2cl_new() borrows the config; the caller frees with
 * h2cl_free(). Output bytes returned by h2cl_output() stay valid until the
 * next call into the same struct h2cl.
 * Threads: one struct h2cl per client thread.
 * Errors: h2cl_check() says why a config cannot be sent over HTTP/2. */
#ifndef MW_CLIENT_H2CLIENT_H
#define MW_CLIENT_H2CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/client.h"
#include "proto/wire.h"
#include "spec/rng.h"
#include "util/err.h"

#define H2CL_STREAMS_DEFAULT 100
#define H2CL_STREAMS_MAX 65536

struct h2cl;

/* 0, or -EINVAL with e filled (the reasons of httpc_check()). */
int h2cl_check(const struct client_config *c, struct err *e);

/* What waits for a stream is bounded by the caller's ring of outstanding
 * requests. */
struct h2cl *h2cl_new(const struct client_config *c);
void h2cl_free(struct h2cl *h);

/* A new connection: a fresh HTTP/2 session whose preface and settings are
 * the first output. */
void h2cl_session(struct h2cl *h);

/* Submits request seq (with tc, a traceparent field carries its trace
 * context). Its bytes, and whatever else the session has to send, come out
 * of h2cl_output(). Returns 0, or -1 with why filled when the session
 * cannot take it (the connection is broken). */
int h2cl_submit(struct h2cl *h, struct rng *rng, uint64_t seq, const struct wire_trace *tc,
		char *why, size_t why_len);

/* Request seq timed out (the caller accounted for it): an open stream is
 * reset (RST_STREAM CANCEL, sent with the next output), so the server can
 * stop its work and the stream's place among the --streams open goes to a
 * waiting request once the reset has left; a request still waiting for a
 * stream is dropped unsent. No result comes for it. Unknown seq: nothing. */
void h2cl_cancel(struct h2cl *h, uint64_t seq);
/* Streams reset so, over the struct's life. */
uint64_t h2cl_cancelled(const struct h2cl *h);

/* The bytes the session wants sent now, *len of them (0: nothing). Call
 * h2cl_sent() with how many left; the rest comes back at the next call. */
const uint8_t *h2cl_output(struct h2cl *h, size_t *len);
void h2cl_sent(struct h2cl *h, size_t n);

struct h2cl_result {
	uint64_t seq;   /* the request it answers */
	bool ok;
	char text[200]; /* !ok: why */
};

/* Reads data[0, len) whole. Returns 0, or -1 with why filled when the
 * connection cannot go on. Results it completed are taken with
 * h2cl_next(). */
int h2cl_feed(struct h2cl *h, const uint8_t *data, size_t len, char *why, size_t why_len);

/* The next completed result, if any. */
bool h2cl_next(struct h2cl *h, struct h2cl_result *r);

#endif
