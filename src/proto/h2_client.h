/* h2_client.h -- the client side of HTTP/2 without I/O: one nghttp2 client
 * session behind a small request/answer API, for everything in meshwalk
 * that sends HTTP/2 requests (the client's --to h2c://, grpc://, and
 * https:// when ALPN chose h2: client/h2client; a node's forwards to h2c://,
 * grpc://, grpcs:// and https://: node/peer_h2). The server side is
 * proto/h2.
 *
 * Contract: a connection owns one struct h2_client. h2_client_new() queues
 * the connection preface and SETTINGS (push off, the header list bound
 * advertised, the stream and connection windows opened wide, 1 GiB, so an
 * answer is never held back by a WINDOW_UPDATE nobody sent). The caller feeds
 * it the bytes it read (h2_client_recv()) and hands what it has to send to a
 * sink (h2_client_send(), proto/h2.h's h2_sink: a sink that refuses is
 * called again later with the same bytes). h2_client_submit() opens a
 * stream for a request (method, scheme, authority, path, extra fields, a body
 * of given bytes then zeros, with its content-length) and a caller's pointer.
 * Every stream submitted ends in exactly one answer, taken with
 * h2_client_next() outside the session (so a caller may submit, reset or
 * free from what it does with one): the final :status, grpc-status,
 * grpc-message and x-meshwalk-status (headers or trailers alike), how many
 * body bytes came and the first H2_CLIENT_KEEP of them, the stream's
 * RST_STREAM code (either side's), and the bound it broke if any.
 * h2_client_reset() resets an open stream: its answer comes once the reset
 * has left (it carries the code), and the stream counts as open until then.
 * Bounds (what a hostile server can make us hold): a response whose header
 * list (RFC 9113 section 6.5.2 sizes: name + value + 32 per field, trailers
 * included) goes over max_header_list, or whose body goes over max_body (0:
 * no bound), is answered at once with `over` naming the bound ("response
 * OVER over OVER_BOUND bytes") and its stream reset (CANCEL); kept values are cut at the sizes below; pushed streams are
 * refused (push is off). A protocol error from the server is nghttp2's: a
 * stream error resets the stream (its answer carries the code), a
 * connection error queues GOAWAY and ends the session (h2_client_done()), a
 * fatal one makes h2_client_recv() fail. After the server's GOAWAY, streams
 * above its last stream id are answered REFUSED_STREAM, the others finish,
 * and then h2_client_done() is true.
 * Ownership: a submitted body is the session's from the call on (freed when
 * its stream ends, or at once when the submit fails). h2_client_free()
 * drops the streams still open and the answers not taken, handing each
 * one's user pointer to `drop` (NULL: nothing to drop).
 * Threads: a session is used by one thread at a time.
 * Errors: -1, with h2_client_error() saying why in nghttp2's words;
 * allocation aborts on OOM. */
#ifndef MW_PROTO_H2_CLIENT_H
#define MW_PROTO_H2_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto/h2.h"

#define H2_CLIENT_KEEP 400       /* body and grpc-message bytes kept for an answer */
#define H2_CLIENT_STATUS_KEEP 64 /* x-meshwalk-status bytes kept */
#define H2_CLIENT_MAX_FIELDS 8   /* extra fields of one request */
#define H2_CANCEL 8              /* HTTP/2 error code CANCEL (RFC 9113 section 7) */

struct h2_client_limits {
	uint32_t max_header_list; /* bytes of a response's header list (also advertised) */
	uint64_t max_body;        /* bytes of a response body; 0: no bound */
};

/* 64 KiB of header list, no body bound (a node's REPLY may be large: only
 * its count and first bytes are kept). */
extern const struct h2_client_limits h2_client_default_limits;

/* An extra request field: name NUL-terminated, lower case; value len bytes. */
struct h2_client_field {
	const char *name;
	const char *value;
	size_t len;
};

struct h2_client_req {
	const char *method, *scheme, *authority, *path; /* NUL-terminated */
	const struct h2_client_field *fields;           /* at most H2_CLIENT_MAX_FIELDS */
	size_t nfields;
	void *body;     /* malloc'd: the session takes it; NULL: none */
	size_t body_len;
	uint64_t zeros; /* then this many zero bytes */
};

struct h2_client_answer {
	void *user;             /* what h2_client_submit() was given */
	int32_t stream_id;
	int status;             /* :status, the final one (a 1xx until it comes); 0: none */
	int grpc_status;        /* -1: none, or not a number */
	int mw_code;            /* x-meshwalk-status's leading number, -1: none */
	char grpc_message[H2_CLIENT_KEEP + 1];      /* as received (cut), "" none */
	char mw_status[H2_CLIENT_STATUS_KEEP + 1];  /* x-meshwalk-status, "" none */
	uint64_t body;          /* body bytes received */
	uint8_t head[H2_CLIENT_KEEP]; /* the first min(body, H2_CLIENT_KEEP) of them */
	uint32_t reset;         /* RST_STREAM code, 0: the stream ended normally */
	const char *reset_name; /* its name ("CANCEL"), "" when 0 */
	const char *over;       /* "", or the bound the response broke: "header list", "body" */
	uint64_t over_bound;    /* its bytes */
};

/* lim NULL: h2_client_default_limits. */
struct h2_client *h2_client_new(const struct h2_client_limits *lim);
void h2_client_free(struct h2_client *c, void (*drop)(void *user));

/* Opens a stream for r with user. Returns its id (> 0), or -1 (out of
 * stream ids, a session that failed: h2_client_error()). */
int32_t h2_client_submit(struct h2_client *c, const struct h2_client_req *r, void *user);

/* Resets open stream id with code (an HTTP/2 error code: 8, CANCEL, when a
 * request was given up). Returns 0, or -1 when the stream is not open (its
 * answer is already waiting, or it never was). */
int h2_client_reset(struct h2_client *c, int32_t id, uint32_t code);

/* Processes bytes read. Returns 0, or -1 when the session cannot go on. */
int h2_client_recv(struct h2_client *c, const uint8_t *data, size_t len);

/* Hands queued bytes to sink until there are none or it refuses. Returns
 * the bytes handed over, or -1 when the session failed. */
ssize_t h2_client_send(struct h2_client *c, h2_sink sink, void *ctx);

/* The next answer, if any, copied into *a. */
bool h2_client_next(struct h2_client *c, struct h2_client_answer *a);

/* Streams open: submitted and not yet answered. */
size_t h2_client_streams(const struct h2_client *c);
/* Nothing more to read or to write (a GOAWAY either way, and no stream
 * left): the connection is over. */
bool h2_client_done(const struct h2_client *c);
/* Why the last call failed. */
const char *h2_client_error(const struct h2_client *c);

#endif
