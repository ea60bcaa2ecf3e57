/* h2.h -- the server side of HTTP/2 without I/O: nghttp2 (framing, HPACK,
 * flow control, stream states) behind a small request/response API.
 *
 * Contract: a connection owns one struct h2_session. The caller feeds it the
 * bytes it read (h2_session_recv()), and pulls the bytes to write with
 * h2_session_send(), which hands them to a sink that may refuse more (the
 * connection's output is full) and be called again later. Each request is
 * given to cb.request once it is complete (END_STREAM seen): method, path
 * split at '?', the few fields the node reads, and for gRPC (content-type
 * application/grpc...) its whole body, as bytes that stay valid until the
 * stream closes. The caller answers a stream exactly once with h2_respond(),
 * at once (inside cb.request) or later; cb.closed tells it that a stream is
 * gone (answered and sent, or reset by the peer) so it drops what it keeps
 * for it (h2_stream_user()).
 *
 * Bounds: SETTINGS_MAX_CONCURRENT_STREAMS is max_streams (nghttp2 refuses
 * streams beyond it with RST_STREAM REFUSED_STREAM); a request's header list
 * (RFC 9113 section 6.5.2 size: name + value + 32 per field, trailers
 * included) over max_header_list, a plain body over max_body or a gRPC body
 * over max_message + 5 is not kept: the request still reaches cb.request,
 * with `error` set (431 / 413), so the caller answers it. Protocol errors
 * (bad preface, bad frames, HPACK errors, malformed messaging: pseudo
 * fields, content-length mismatch) are nghttp2's: a stream error resets the
 * stream, a connection error queues GOAWAY and h2_session_recv() returns
 * -EPROTO; the caller sends what is queued and closes.
 * Upgrade (RFC 7540 section 3.2): h2_session_upgrade() turns the HTTP/1.1
 * request that asked for h2c into stream 1 (the caller answers it with
 * h2_respond(), after writing its 101 response and before the session's
 * bytes).
 * Ownership: the session owns its streams; h2_resp's fields are copied.
 * Threads: a session is used by one thread at a time.
 * Errors: negative errno values; allocation aborts on OOM. */
#ifndef MW_PROTO_H2_H
#define MW_PROTO_H2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "proto/http1.h"

struct h2_limits {
	uint32_t max_streams;     /* SETTINGS_MAX_CONCURRENT_STREAMS */
	uint32_t max_header_list; /* bytes of a request's header list (also advertised) */
	uint64_t max_body;        /* plain request body, counted and dropped */
	uint32_t max_message;     /* gRPC request message, kept */
};

/* 128 streams, 16 KiB of header list, 1 MiB body, 1 MiB message. */
extern const struct h2_limits h2_default_limits;

/* A complete request. Spans point into the stream (valid until it closes);
 * p NULL when absent. */
struct h2_req {
	int32_t stream_id;
	struct http1_span method, path, query, authority, content_type;
	struct http1_span te, grpc_timeout, grpc_encoding, program; /* program: x-meshwalk-program */
	struct http1_span traceparent, tracestate;                  /* W3C Trace Context */
	struct http1_span budget; /* x-meshwalk-budget: a forwarding node's remaining budget */
	bool head_method;
	bool grpc;              /* content-type is application/grpc or application/grpc+... */
	int error;              /* 0, 431 (header list over the limit) or 413 (body over) */
	const uint8_t *body;    /* gRPC: the body as received (prefixed messages) */
	size_t body_len;
	uint64_t body_total;    /* bytes of body received */
};

struct h2_session;

struct h2_callbacks {
	void *ctx;
	/* A complete request (r lives for the call; the spans longer). */
	void (*request)(void *ctx, struct h2_session *s, const struct h2_req *r);
	/* The stream is gone; user is what h2_stream_set_user() stored. */
	void (*closed)(void *ctx, struct h2_session *s, int32_t stream_id, void *user);
	/* The peer reset the stream (RST_STREAM with this error code: CANCEL, 8,
	 * when a client gave up); closed follows. May be NULL. */
	void (*reset)(void *ctx, struct h2_session *s, int32_t stream_id, uint32_t code);
};

struct h2_hdr {
	const char *name, *value; /* NUL-terminated; names lower case */
};

#define H2_MAX_HDRS 8 /* extra fields, and trailers, of one response */

struct h2_resp {
	int status;                 /* :status */
	const char *content_type;   /* NULL: none */
	bool content_length;        /* send content-length: body_len + zeros */
	const struct h2_hdr *extra; /* at most H2_MAX_HDRS */
	size_t nextra;
	const void *body;           /* copied */
	size_t body_len;
	uint64_t zeros;             /* then this many zero bytes */
	bool no_body;               /* HEAD: the fields only */
	const struct h2_hdr *trailers; /* after the body (gRPC); at most H2_MAX_HDRS */
	size_t ntrailers;
};

/* lim NULL: h2_default_limits. Queues the server's SETTINGS. */
struct h2_session *h2_session_new(const struct h2_limits *lim, const struct h2_callbacks *cb);
void h2_session_free(struct h2_session *s);

/* Stream 1 from an HTTP/1.1 upgrade request: settings is the
 * HTTP2-Settings field (base64url), head whether it was a HEAD request.
 * Returns 0 or -EINVAL (bad settings: answer 400 in HTTP/1.1 instead). */
int h2_session_upgrade(struct h2_session *s, struct http1_span settings, bool head);

/* Processes bytes read. Returns 0, or -EPROTO when the connection must end
 * (GOAWAY queued: send it, then close). */
int h2_session_recv(struct h2_session *s, const uint8_t *data, size_t len);

/* Hands queued bytes to sink until there are none or sink returns non-zero
 * (it took nothing: call again later). sink returns 0 after taking all len
 * bytes. Returns the bytes handed over, or -EPROTO on a session failure. */
typedef int (*h2_sink)(void *ctx, const uint8_t *data, size_t len);
ssize_t h2_session_send(struct h2_session *s, h2_sink sink, void *ctx);

/* Nothing more to read or to write: close the connection. */
bool h2_session_done(const struct h2_session *s);
/* The session ended in a connection error (our GOAWAY carried an error). */
bool h2_session_failed(const struct h2_session *s);
/* Streams open, and those whose request has begun and not ended. */
size_t h2_session_streams(const struct h2_session *s);
size_t h2_session_incomplete(const struct h2_session *s);

/* Answers stream_id. Returns 0, -ENOENT (no such stream: reset, closed) or
 * -EALREADY (answered). */
int h2_respond(struct h2_session *s, int32_t stream_id, const struct h2_resp *r);

/* The caller's pointer for a stream (NULL when it has none or is gone). */
void *h2_stream_user(struct h2_session *s, int32_t stream_id);
void h2_stream_set_user(struct h2_session *s, int32_t stream_id, void *user);

#endif
