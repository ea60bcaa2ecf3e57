/* http1.h -- HTTP/1.1 requests in, response heads out: an incremental,
 * strict request parser and a writer, with no I/O and no allocation.
 *
 * Parsing. A connection owns one struct http1_parser (http1_init()). The
 * caller feeds it the connection's bytes with http1_feed(), which returns one
 * event per call and says in *consumed how many bytes from the front of data
 * it is done with. Per request the events are, in order:
 *   HTTP1_HEAD      a whole request head was parsed: p->req is filled;
 *   HTTP1_BODY      0 < p->body_len bytes of decoded body at p->body (a
 *                   pointer into data; Content-Length or chunked framing
 *                   removed); the caller uses or discards them at once;
 *   HTTP1_DONE      the request is complete (body and trailers read). The
 *                   next call parses the next (pipelined) request.
 * and HTTP1_NEED_MORE when data holds no further event: feed again with more
 * bytes. HTTP1_ERROR is final: p->status is the status to answer (400
 * malformed, 413 body over max_body, 431 head over max_head or max_headers,
 * 501 a transfer coding other than chunked, 505 an HTTP version other than
 * 1.0/1.1) and p->reason a short static text; answer and close the
 * connection. Every later call returns HTTP1_ERROR again.
 * A request without a body gives HEAD then DONE (DONE from the next call,
 * even with len 0, consuming nothing). After the DONE of a request whose
 * keep_alive is false, or of an accepted h2c upgrade (the bytes after it are
 * HTTP/2), the caller stops feeding this parser. A Content-Length over
 * max_body is refused (413) before HTTP1_HEAD, so no 100 Continue is sent
 * for it.
 *
 * Buffering contract (the only bytes the caller must keep): a head is parsed
 * only when all of it (request line to the empty line) is in data. Until then
 * http1_feed() returns HTTP1_NEED_MORE with *consumed 0 (or the length of
 * empty lines before a request, which it skips): the caller keeps the
 * unconsumed bytes and calls again with them, unchanged, at the start of data
 * followed by the new bytes. It never needs more than limits.max_head bytes
 * buffered: past that the parser answers 431. Body bytes, chunk framing and
 * trailers are consumed as they arrive, byte by byte if need be, and never
 * need to be kept. In all cases bytes [0, *consumed) can be dropped and the
 * next call must start at data + *consumed.
 * Ownership: the spans in p->req point into the bytes of the call that
 * returned HTTP1_HEAD; they stay valid while the caller leaves those bytes in
 * place and until the next HTTP1_HEAD (p->req.fields lives in the parser).
 * A caller that compacts its buffer while reading a body copies what it needs
 * from the head first.
 *
 * Strictness (RFC 9112, so no two servers can frame a request differently):
 * lines end in CRLF (bare CR or bare LF: 400); one SP between request-line
 * parts; a method (at most HTTP1_METHOD_MAX bytes) and field names are
 * tokens; no whitespace before a field's colon; obs-fold (a line starting
 * with SP/HTAB) refused; field values without CTLs (bytes >= 0x80 allowed);
 * request target of visible ASCII; HTTP/1.1 needs exactly one
 * Host; Content-Length is digits only, and repeated values (as lines or a
 * list) must be equal; Transfer-Encoding must be a list ending in a single
 * "chunked" (another final coding: 400; other codings before it: 501), is
 * refused in HTTP/1.0 and together with Content-Length. Chunk sizes are hex,
 * chunk extensions (at most HTTP1_CHUNK_EXT_MAX bytes per chunk) are skipped,
 * trailer fields are checked like header fields, counted against max_head and
 * max_headers, and discarded.
 *
 * Responses. http1_init_response() makes the same parser read responses
 * (the client side: meshwalk client --to http://, a node's HTTP forwards),
 * with the same events, buffering contract and strictness for fields, chunks
 * and trailers. The head is a status line ("HTTP/1.x SSS reason") and
 * p->resp is filled instead of p->req. Framing (RFC 9112 section 6.3): a
 * response to HEAD (http1_response_to_head() before its bytes), a 1xx, 204
 * or 304 has no body whatever its fields say; else chunked, else
 * Content-Length, else the body runs until the connection closes
 * (resp.until_close: the caller reports the close with http1_feed_eof(),
 * which ends that body with HTTP1_DONE). A 1xx head is followed by DONE and
 * the final response's head. Refused (HTTP1_ERROR, p->status 502): what a
 * request would be refused for, a version other than HTTP/1.0 or 1.1, a bad
 * status code, Transfer-Encoding other than a single final chunked,
 * Transfer-Encoding in HTTP/1.0 or with Content-Length, and a
 * Content-Length over max_body.
 *
 * Writing. http1_write_head() formats a response status line and header
 * section into a caller buffer (always "HTTP/1.1", RFC 9110 section 6.2).
 *
 * Threads: a parser is used by one thread at a time; every other function is
 * pure and thread-safe. */
#ifndef MW_PROTO_HTTP1_H
#define MW_PROTO_HTTP1_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

/* Size of the field array inside the parser: the upper bound of max_headers. */
#define HTTP1_MAX_HEADERS 128
/* Longest method accepted (400 beyond), so that bytes that are not HTTP
 * are refused before a whole head's worth of them arrives. */
#define HTTP1_METHOD_MAX 32
/* Bytes of chunk extension tolerated per chunk (they are skipped, never kept). */
#define HTTP1_CHUNK_EXT_MAX 1024

struct http1_limits {
	size_t max_head;      /* request line + fields + CRLFs; also the trailer section */
	unsigned max_headers; /* field lines per head (and per trailer), <= HTTP1_MAX_HEADERS */
	uint64_t max_body;    /* decoded body bytes per request */
};

/* 8 KiB head, 64 fields, 1 MiB body. */
extern const struct http1_limits http1_default_limits;

/* A run of bytes in the caller's buffer (not NUL-terminated); p is NULL when
 * absent, and p != NULL with len 0 when present but empty. */
struct http1_span {
	const char *p;
	size_t len;
};

struct http1_field {
	struct http1_span name;  /* as sent (compare case-insensitively) */
	struct http1_span value; /* leading and trailing SP/HTAB removed */
};

enum http1_method {
	HTTP1_OTHER, /* any other token: see req.method */
	HTTP1_GET,
	HTTP1_HEAD_METHOD, /* "HEAD" (HTTP1_HEAD is the event) */
	HTTP1_POST,
	HTTP1_PUT,
	HTTP1_DELETE,
	HTTP1_OPTIONS,
	HTTP1_PATCH,
	HTTP1_CONNECT,
	HTTP1_TRACE,
};

struct http1_request {
	struct http1_span method;
	enum http1_method method_id;
	struct http1_span target; /* the request-target as sent */
	/* Origin form "/p?q": path "/p", query "q" (without '?'; p NULL when no '?').
	 * Absolute form "http://h/p?q": the same, the authority skipped (path "/"
	 * when empty). "*" (OPTIONS only) and CONNECT's authority: path = target. */
	struct http1_span path;
	struct http1_span query;
	int minor;         /* HTTP/1.<minor>: 0 or 1 */
	bool keep_alive;   /* 1.1: unless "Connection: close"; 1.0: only with keep-alive (and no close) */
	bool chunked;      /* body framed by Transfer-Encoding: chunked */
	bool has_body;     /* chunked, or a Content-Length above 0 */
	uint64_t content_length;  /* valid when !chunked; 0 when absent */
	bool expect_continue;     /* "Expect: 100-continue" (answer HTTP1_CONTINUE before reading the body) */
	/* An h2c upgrade request (RFC 7540 section 3.2): Upgrade lists "h2c",
	 * exactly one HTTP2-Settings field, and Connection lists both "upgrade"
	 * and "http2-settings". */
	bool upgrade_h2c;
	/* Fields the node reads; p NULL when absent. A repeated field keeps its
	 * first line (Host: refused when repeated). */
	struct http1_span host, content_type, expect, upgrade, http2_settings;
	/* Every field line in order, for http1_header() and anything else. */
	struct http1_field fields[HTTP1_MAX_HEADERS];
	unsigned nfields;
};

/* A response head (parsers made by http1_init_response()). */
struct http1_response {
	int minor;                /* HTTP/1.<minor>: 0 or 1 */
	int status;               /* 100..999 */
	struct http1_span reason; /* may be empty */
	bool keep_alive;          /* as for requests; false when until_close */
	bool chunked;             /* body framed by Transfer-Encoding: chunked */
	bool until_close;         /* body delimited by the connection's close */
	bool has_body;            /* chunked, until_close or a Content-Length above 0 */
	uint64_t content_length;  /* valid when !chunked && !until_close */
	struct http1_span content_type;
	struct http1_field fields[HTTP1_MAX_HEADERS];
	unsigned nfields;
};

enum http1_event {
	HTTP1_NEED_MORE,
	HTTP1_HEAD,
	HTTP1_BODY,
	HTTP1_DONE,
	HTTP1_ERROR,
};

struct http1_parser {
	union {
		struct http1_request req;   /* after HTTP1_HEAD (request parsers) */
		struct http1_response resp; /* after HTTP1_HEAD (response parsers) */
	};
	const char *body;         /* after HTTP1_BODY */
	size_t body_len;
	int status;               /* after HTTP1_ERROR: 400, 413, 431, 501 or 505 (responses: 502) */
	const char *reason;       /* after HTTP1_ERROR: static text, e.g. "bare CR" */
	/* Private below. */
	struct http1_limits lim;
	int state;
	size_t scan;        /* head bytes already checked for line ends */
	uint64_t remaining; /* of the Content-Length body or of the current chunk */
	uint64_t body_total;
	size_t trailer_len;
	unsigned trailer_fields;
	size_t line_len; /* bytes of the chunk-size line or trailer line so far */
	bool response;   /* parses responses */
	bool to_head;    /* the next response answers a HEAD request */
};

/* lim NULL: http1_default_limits. max_headers above HTTP1_MAX_HEADERS is
 * clamped to it. */
void http1_init(struct http1_parser *p, const struct http1_limits *lim);

/* A parser of responses (see above); lim as for http1_init(). */
void http1_init_response(struct http1_parser *p, const struct http1_limits *lim);
/* The next response (its head not begun yet) answers a HEAD request. */
void http1_response_to_head(struct http1_parser *p);

/* See the contract above. consumed is always set (0 on HTTP1_ERROR). */
enum http1_event http1_feed(struct http1_parser *p, const void *data, size_t len,
			    size_t *consumed);

/* The connection closed after the caller fed every byte and got
 * HTTP1_NEED_MORE; `pending` is how many unconsumed bytes it still holds.
 * Returns HTTP1_DONE when that ends a body delimited by the close,
 * HTTP1_NEED_MORE when it fell between two messages (nothing pending), else
 * HTTP1_ERROR ("connection closed mid-message"). The parser takes no more
 * bytes afterwards (HTTP1_ERROR). */
enum http1_event http1_feed_eof(struct http1_parser *p, size_t pending);

/* The value of the first field called name (case-insensitive), or a span with
 * p NULL. */
struct http1_span http1_header(const struct http1_request *r, const char *name);
/* A field name for http1_headers(), its length given (HTTP1_NAME("x-a")). */
struct http1_name {
	const char *name;
	size_t len;
};
#define HTTP1_NAME(lit) { (lit), sizeof(lit) - 1 }
/* http1_header() for n names at once, in one pass over the fields (a
 * server's per-request look-ups): out[i] is the first field called
 * names[i], or a span with p NULL. */
void http1_headers(const struct http1_request *r, const struct http1_name *names,
		   struct http1_span *out, size_t n);
struct http1_span http1_resp_header(const struct http1_response *r, const char *name);

/* Percent-decodes src into out ('+' is a space, as in HTML forms; "%2B" is a
 * '+') and NUL-terminates it; *out_len (may be NULL) gets the decoded length.
 * Returns 0, -EINVAL on a bad escape or an escaped NUL ("%00"), -ENOSPC when
 * the decoded text and its NUL do not fit in cap. */
int http1_pct_decode(const char *src, size_t len, char *out, size_t cap, size_t *out_len);

/* Finds parameter name in a query string ("a=1&b=x%20y", parameters split at
 * '&', names compared after decoding, a parameter without '=' has an empty
 * value; the first match wins) and decodes its value as http1_pct_decode().
 * Returns 0, -ENOENT when absent, -EINVAL or -ENOSPC as http1_pct_decode(). */
int http1_query_param(struct http1_span query, const char *name, char *out, size_t cap,
		      size_t *out_len);

/* The reason phrase of a status ("Not Found"); "" for one it does not know. */
const char *http1_reason(int status);

/* Response heads. */
enum http1_framing {
	HTTP1_LENGTH,  /* Content-Length: content_length */
	HTTP1_CHUNKED, /* Transfer-Encoding: chunked (not for HTTP/1.0 clients) */
	HTTP1_NO_BODY, /* no framing field: 1xx, 204, 304 */
};

struct http1_hdr {
	const char *name, *value; /* NUL-terminated; no CR, LF or NUL allowed */
};

struct http1_resp {
	int status;         /* 100..999 */
	const char *reason; /* NULL: http1_reason(status) */
	enum http1_framing framing;
	uint64_t content_length;
	/* false: "Connection: close". true to a 1.0 client (http10):
	 * "Connection: keep-alive"; true to 1.1: nothing (the default). */
	bool keep_alive;
	bool http10;
	const char *content_type; /* NULL: none */
	const char *date;         /* NULL: none; else http1_date()'s text */
	const struct http1_hdr *extra;
	size_t nextra;
};

/* Writes the status line, the fields and the empty line into buf. Returns the
 * length, -ENOSPC when it does not fit in cap, -EINVAL on a status outside
 * 100..999, CR/LF in a reason or field, an empty or non-token field name, or
 * chunked framing to an HTTP/1.0 client. */
ssize_t http1_write_head(char *buf, size_t cap, const struct http1_resp *r);

/* The line that starts a chunk of n > 0 bytes ("1f4\r\n"); the chunk's data
 * is followed by "\r\n", and the body ends with HTTP1_LAST_CHUNK. Returns
 * its length (at most HTTP1_CHUNK_LINE_MAX). */
#define HTTP1_CHUNK_LINE_MAX 18
size_t http1_chunk_line(char buf[HTTP1_CHUNK_LINE_MAX], uint64_t n);
#define HTTP1_LAST_CHUNK "0\r\n\r\n"
#define HTTP1_CONTINUE "HTTP/1.1 100 Continue\r\n\r\n"

/* The IMF-fixdate of t ("Sun, 06 Nov 1994 08:49:37 GMT") for the Date field,
 * NUL-terminated. Cache it per second: it calls gmtime_r. */
#define HTTP1_DATE_LEN 29
void http1_date(time_t t, char out[HTTP1_DATE_LEN + 1]);

#endif
