/* httpclient.h -- meshwalk client --to http://: the client's requests and
 * replies in HTTP/1.1, for the thread loop of client.c, which stays the one
 * for every transport (schedule, timeouts, accounting, outputs).
 *
 * Contract: a request is a GET (a POST with a body of --ps bytes) on a
 * keep-alive connection; what it runs is the route in the path ("/NAME",
 * from --route or --to http://HOST:PORT/NAME) or the program's op words in
 * an x-meshwalk-program field (docs/http.md), sampled by the node. Requests
 * are pipelined as fast as the schedule sends them (the ring of client.c
 * bounds what is in flight); HTTP/1.1 answers in order, so the n-th
 * response of a connection answers its n-th request, counted from the
 * session's first sequence number (httpc_session()). A response counts as a
 * success when its status is 2xx and, if the program's REPLY size is a
 * constant, its body has that many bytes; else it is an error reply whose
 * text names the HTTP status, the node's x-meshwalk-status and the first
 * line of the body. A response the strict parser (proto/http1.h) refuses, a
 * close after "Connection: close" or in the middle of a response breaks the
 * connection, as a bad frame does on the native protocol.
 * Ownership: httpc_new() borrows the config; the caller frees with
 * httpc_free().
 * Threads: one struct httpc per client thread.
 * Errors: httpc_check() says why a config cannot be sent over HTTP. */
#ifndef MW_CLIENT_HTTPCLIENT_H
#define MW_CLIENT_HTTPCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "client/client.h"
#include "proto/wire.h"
#include "spec/rng.h"
#include "util/err.h"

/* The longest inline program a node takes (docs/http.md). */
#define HTTPC_PROG_MAX 4096

struct httpc;

/* 0, or -EINVAL with e filled: a program text too long or with bytes a
 * field cannot carry, an --auth-key-file (HTTP carries no tag). */
int httpc_check(const struct client_config *c, struct err *e);

struct httpc *httpc_new(const struct client_config *c);
void httpc_free(struct httpc *h);

/* A new connection whose first request will be number first_seq. */
void httpc_session(struct httpc *h, uint64_t first_seq);

/* Writes request seq (its whole bytes) into out, replacing its contents;
 * with tc, a traceparent field carries that trace context. */
void httpc_build(struct httpc *h, struct rng *rng, uint64_t seq, const struct wire_trace *tc,
		 struct wire_buf *out);

struct httpc_result {
	uint64_t seq;   /* the request it answers */
	bool ok;
	char text[200]; /* !ok: why (an error reply), or why the connection broke */
};

enum httpc_event {
	HTTPC_MORE,   /* feed more bytes */
	HTTPC_RESULT, /* r holds a response; call again with the rest */
	HTTPC_BROKEN, /* the connection cannot go on: r->text says why */
};

/* Parses the bytes data[0, len): *consumed of them are done with (keep the
 * rest, at the front of the next call's data). */
enum httpc_event httpc_parse(struct httpc *h, const uint8_t *data, size_t len, size_t *consumed,
			     struct httpc_result *r);
/* The node closed the connection; `pending` unconsumed bytes are left.
 * HTTPC_RESULT when that ends a response delimited by the close, else
 * HTTPC_BROKEN. */
enum httpc_event httpc_eof(struct httpc *h, size_t pending, struct httpc_result *r);

#endif
