/* wire.h -- meshwalk's wire format: frames, programs and their validation.
 *
 * Contract: every message is a frame: a 24-byte little-endian header followed by
 * `len - 24` bytes. A REQUEST carries a program of `prog_len` bytes right after
 * the header, then (flag WIRE_FLAG_AUTH) a 32-byte authentication tag; the rest
 * of the frame is padding that emulates payload size. A
 * REPLY carries, when its status is not WIRE_OK, an error text of `prog_len`
 * bytes (not NUL-terminated); the rest is padding. A REQUEST with
 * WIRE_FLAG_ROUTE carries a route name instead of a program (1..WIRE_ROUTE_MAX
 * bytes of [A-Za-z0-9_.-]): the node runs the program it installed under that
 * name (node --route); a FORWARD with WIRE_FWD_ROUTE sends such requests.
 * The layout of every op is in
 * docs/protocol.md; in code, the op table (proto/ops.h) defines each op's
 * fields, flags and limits, and this module walks programs with it.
 *
 * Nothing from the network is trusted: wire_hdr_decode() checks magic, version,
 * type and lengths against the receiver's limits before anyone allocates or
 * reads further, and wire_prog_check() walks a whole program once (lengths,
 * op codes, fan-out, nesting depth, REPLY placement) so that the executor can
 * then read it without further checks. Integers are read with memcpy, so the
 * program needs no alignment.
 *
 * Ownership: decoders borrow the caller's bytes and never keep pointers past
 * the call, except struct wire_op, which points into the program it came from.
 * Threads: all functions are pure and thread-safe.
 * Errors: decoders return 0 or a negative wire status (-WIRE_ERR_*) and fill
 * a struct err with the reason. */
#ifndef MW_PROTO_WIRE_H
#define MW_PROTO_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util/err.h"

#define WIRE_MAGIC 0x574d      /* bytes 'M' 'W' on the wire */
#define WIRE_VERSION 1
#define WIRE_HDR_LEN 24
#define WIRE_OP_HDR_LEN 8
#define WIRE_TARGET_LEN 20
#define WIRE_OFFSET_NEXT UINT64_MAX /* LOAD/STORE: continue at the node's current offset */
#define WIRE_PROB_ONE 1000000000u   /* SKIP probabilities are parts per billion */

enum wire_type {
	WIRE_REQUEST = 1,
	WIRE_REPLY = 2,
};

/* Reply status. Also returned negated by the decoders. */
enum wire_status {
	WIRE_OK = 0,
	WIRE_ERR_MALFORMED = 1,   /* frame or program failed validation */
	WIRE_ERR_VERSION = 2,     /* unknown protocol version */
	WIRE_ERR_LIMIT = 3,       /* a node limit was exceeded (size, depth, fan-out) */
	WIRE_ERR_UNSUPPORTED = 4, /* op this node cannot run (e.g. LOAD without --storage) */
	WIRE_ERR_FORWARD = 5,     /* a forward failed (refused, reset, error reply) */
	WIRE_ERR_TIMEOUT = 6,     /* a forward got too few replies in time */
	WIRE_ERR_STORAGE = 7,     /* LOAD/STORE failed on the node */
	WIRE_ERR_REFUSED = 8,     /* node policy refused the request */
	WIRE_ERR_INTERNAL = 9,
	WIRE_ERR_NO_ROUTE = 10,   /* the request names a route this node does not have */
	WIRE_ERR_BUSY = 11,       /* a forward's queue to its target was full (back-pressure) */
	WIRE_STATUS_MAX_ = 12,
};

/* Op codes; each has its row in the op table (proto/ops.c). */
enum wire_op_code {
	OP_COMPUTE = 1, /* u64 ns: busy CPU for that long; with WIRE_COMPUTE_WSET, u64 ws bytes */
	OP_SLEEP = 2,   /* u64 ns: off-CPU wait (the task waits on a timer; the worker serves others) */
	OP_LOAD = 3,    /* u64 offset, u64 size: read from the node's storage */
	OP_STORE = 4,   /* u64 offset, u64 size, flags = enum wire_sync: write to it */
	OP_REPLY = 5,   /* u64 frame size of the reply; always the last op of a program;
			 * with WIRE_REPLY_SENDFILE: u64 data size, u64 offset */
	OP_SKIP = 6,    /* u32 n, u32 prob (ppb), u64 zero: skip the next n ops */
	OP_FORWARD = 7, /* see struct wire_forward */
	OP_CODE_MAX_ = 8,
};

#define WIRE_FWD_BRANCH 0x01 /* op flags: one sub-program per target */
#define WIRE_FWD_ROUTE 0x02  /* op flags: each sub-program is a route name */
#define WIRE_FWD_NAMES 0x04  /* op flags: a names block follows the targets (host names) */
#define WIRE_NAME_MAX 253    /* longest target host name (util/dnsname.h) */
#define WIRE_REPLY_SENDFILE 0x01 /* REPLY flags: the reply carries storage bytes */
/* COMPUTE flags: a u64 working-set size follows the time; the node walks a
 * buffer of that many bytes a cache line at a time while it computes. */
#define WIRE_COMPUTE_WSET 0x01
#define WIRE_WSET_MIN 64ULL          /* one cache line */
#define WIRE_WSET_MAX (1ULL << 30)   /* 1 GiB per worker thread */

/* STORE flags: when the data must be on the device. */
enum wire_sync {
	WIRE_NOSYNC = 0, /* reply once written (page cache) */
	WIRE_SYNC = 1,   /* fsync() before the reply */
	WIRE_PSYNC = 2,  /* the node fsync()s periodically (node --sync) */
	WIRE_SYNC_MAX_ = 3,
};

/* Decoded frame header, host byte order. */
struct wire_hdr {
	uint8_t version;   /* WIRE_VERSION */
	uint8_t type;      /* enum wire_type */
	uint16_t status;   /* enum wire_status (replies) */
	uint32_t len;      /* whole frame, header included */
	uint64_t id;       /* chosen by the sender, echoed in the reply */
	uint32_t prog_len; /* request: program bytes; reply: error-text bytes */
	uint32_t flags;    /* WIRE_FLAG_* (16 bits on the wire) */
};

/* Header flag: an HMAC-SHA256 tag (WIRE_TAG_LEN bytes) follows the program or
 * error text, before the padding; it covers the header and those bytes
 * (proto/auth.h). */
#define WIRE_FLAG_AUTH 0x0001
#define WIRE_TAG_LEN 32
/* Header flag, REQUEST only: the prog_len bytes are a route name, not a
 * program (checked with wire_route_check()). */
#define WIRE_FLAG_ROUTE 0x0002
#define WIRE_ROUTE_MAX 64 /* longest route name */
/* Header flag, REQUEST only: the first WIRE_BUDGET_LEN bytes of the prog_len
 * bytes are the budget the sender grants the request (a forwarding node's
 * remaining budget; exec/engine.h); the program or route name follows. */
#define WIRE_FLAG_BUDGET 0x0004
#define WIRE_BUDGET_LEN 32
/* Header flag, REQUEST only: a trace context block (W3C trace context:
 * docs/tracing.md) comes next in the prog_len bytes, after the budget block
 * when there is one; the program or route name follows it. */
#define WIRE_FLAG_TRACE 0x0008
#define WIRE_TRACE_LEN 32          /* the block's fixed part */
#define WIRE_TRACESTATE_MAX 512    /* longest tracestate (W3C's bound) */

static inline uint32_t wire_tag_len(const struct wire_hdr *h)
{
	return (h->flags & WIRE_FLAG_AUTH) ? WIRE_TAG_LEN : 0;
}

/* Limits a receiver applies before trusting a frame. */
struct wire_limits {
	uint32_t max_frame;   /* largest frame accepted (padding included) */
	uint32_t max_prog;    /* largest program / error text */
	uint32_t max_depth;   /* nesting of FORWARD sub-programs */
	uint32_t max_fanout;  /* targets of one FORWARD */
	uint32_t max_ops;     /* ops in one program, all levels */
	uint64_t max_compute_ns; /* one COMPUTE or SLEEP of the top-level program */
	uint64_t max_wset;       /* one COMPUTE's working set (ws=) in the top-level
				  * program: each worker keeps a buffer that large */
};

extern const struct wire_limits wire_default_limits;

/* One op, as seen by the executor; points into the program bytes. */
struct wire_op {
	uint8_t code;        /* enum wire_op_code */
	uint8_t flags;       /* op-specific */
	uint16_t aux;        /* FORWARD: number of targets */
	uint32_t len;        /* bytes of this op, sub-programs included */
	const uint8_t *body; /* len - WIRE_OP_HDR_LEN bytes */
};

/* A FORWARD op's fixed part. */
struct wire_forward {
	uint32_t ntargets;    /* 1..max_fanout */
	uint32_t nack;        /* replies to wait for, 1..ntargets */
	uint32_t timeout_us;  /* per attempt; 0 = node default */
	uint32_t retries;     /* extra attempts after a failure or timeout */
	uint64_t frame_size;  /* size of each forwarded request frame (0 = minimal) */
	bool branch;          /* one sub-program per target (else one shared) */
	bool route;           /* every sub-program is a route name (WIRE_FWD_ROUTE) */
	const uint8_t *targets; /* ntargets * WIRE_TARGET_LEN bytes */
	const uint8_t *subs;    /* nsub * (u32 len + program) */
	uint32_t nsub;          /* branch ? ntargets : 1 */
	const uint8_t *names;   /* WIRE_FWD_NAMES: ntargets * (u8 len + name), else NULL */
};

/* -- frames -- */

void wire_hdr_encode(const struct wire_hdr *h, uint8_t out[WIRE_HDR_LEN]);

/* Decodes and checks a header: magic, version (-WIRE_ERR_VERSION, with the
 * version still stored in h->version so the caller can answer), type, len >=
 * 24, len <= lim->max_frame, prog_len <= min(len - 24, lim->max_prog), flags
 * known (WIRE_FLAG_ROUTE only on a REQUEST). */
int wire_hdr_decode(const uint8_t in[WIRE_HDR_LEN], const struct wire_limits *lim,
		    struct wire_hdr *h, struct err *e);

/* -- programs -- */

/* Walks a whole program: returns 0 when every op is well formed, every
 * (sub-)program ends with exactly one REPLY, and the limits hold. */
int wire_prog_check(const uint8_t *prog, uint32_t len, const struct wire_limits *lim,
		    struct err *e);

/* Checks a route name: 1..WIRE_ROUTE_MAX bytes, each a letter, a digit, '_',
 * '.' or '-'. Returns 0 or -WIRE_ERR_MALFORMED with e filled (the name is
 * quoted only when it is printable). */
int wire_route_check(const uint8_t *name, uint32_t len, struct err *e);

/* The budget block of a WIRE_FLAG_BUDGET request: u64 COMPUTE ns, u64
 * forwarded requests, u64 bytes, u32 hops, u32 zero. */
struct wire_budget {
	uint64_t compute_ns;
	uint64_t requests;
	uint64_t bytes;
	uint32_t hops;
};

void wire_budget_encode(const struct wire_budget *b, uint8_t out[WIRE_BUDGET_LEN]);
/* Splits a WIRE_FLAG_BUDGET request's body into its budget and the rest
 * (*rest, *rest_len). Returns 0 or -WIRE_ERR_MALFORMED with e filled (body
 * too short, reserved bytes not zero). */
int wire_budget_decode(const uint8_t *body, uint32_t len, struct wire_budget *b,
		       const uint8_t **rest, uint32_t *rest_len, struct err *e);

/* The trace context block of a WIRE_FLAG_TRACE request: u8 trace_id[16],
 * u8 parent_id[8] (the sender's span), u8 flags (W3C trace-flags, bit 0
 * sampled), u8 zero, u16 tracestate length, u32 zero, then the tracestate
 * (opaque printable ASCII, at most WIRE_TRACESTATE_MAX bytes). */
struct wire_trace {
	uint8_t trace_id[16];  /* not all zero */
	uint8_t parent_id[8];  /* not all zero */
	uint8_t flags;
	uint16_t state_len;
	const uint8_t *state;  /* state_len bytes; borrowed (points into the frame) */
};

/* Bytes the block of t takes on the wire. */
static inline uint32_t wire_trace_len(const struct wire_trace *t)
{
	return WIRE_TRACE_LEN + t->state_len;
}

/* Appends t's block to b (t->state_len <= WIRE_TRACESTATE_MAX). */
struct wire_buf;
void wire_trace_put(struct wire_buf *b, const struct wire_trace *t);
/* Splits a WIRE_FLAG_TRACE request's body (after any budget block) into its
 * trace context and the rest. Returns 0 or -WIRE_ERR_MALFORMED with e filled
 * (too short, zero ids, reserved bytes not zero, tracestate too long or not
 * printable). */
int wire_trace_decode(const uint8_t *body, uint32_t len, struct wire_trace *t,
		      const uint8_t **rest, uint32_t *rest_len, struct err *e);

/* Reads the op at `off` of a program that passed wire_prog_check(). */
void wire_op_at(const uint8_t *prog, uint32_t off, struct wire_op *op);

static inline uint64_t wire_get_u64(const uint8_t *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, sizeof v);
	return v; /* little-endian hosts only (checked in wire.c) */
}

static inline uint32_t wire_get_u32(const uint8_t *p)
{
	uint32_t v;
	__builtin_memcpy(&v, p, sizeof v);
	return v;
}

void wire_forward_decode(const struct wire_op *op, struct wire_forward *f);

/* Sub-program i (0 <= i < f->nsub) of a checked FORWARD: a program, or a
 * route name when f->route. */
void wire_forward_sub(const struct wire_forward *f, uint32_t i, const uint8_t **prog,
		      uint32_t *len);

/* Target i as a socket address; returns 0 or -EAFNOSUPPORT. */
int wire_target_addr(const struct wire_forward *f, uint32_t i, struct sockaddr_storage *ss,
		     socklen_t *sslen);

/* How a target is reached: the high byte of its family field (0 for every
 * target before HTTP forwards existed, so old programs read the same). */
enum wire_transport {
	WIRE_VIA_NATIVE = 0, /* meshwalk's protocol over TCP */
	WIRE_VIA_HTTP = 1,   /* HTTP/1.1 to a node's http:// front end (route forwards only) */
	WIRE_VIA_TLS = 2,    /* meshwalk's protocol over TLS (ssl://) */
	WIRE_VIA_H2C = 3,    /* HTTP/2 with prior knowledge to a node's h2c:// front end (route forwards only) */
	WIRE_VIA_GRPC = 4,   /* meshwalk.v1.Walk/Run to a node's grpc:// front end (route forwards only) */
	WIRE_VIA_HTTPS = 5,  /* HTTP over TLS, h2 or http/1.1 as ALPN picks (https://, route forwards only) */
	WIRE_VIA_GRPCS = 6,  /* meshwalk.v1.Walk/Run over TLS, ALPN h2 (grpcs://, route forwards only) */
	WIRE_VIA_MAX_ = 7,
};
enum wire_transport wire_target_transport(const struct wire_forward *f, uint32_t i);

/* Target i's host name, when it names one (family 0 in its target, the name
 * in the FORWARD's names block: resolved by the forwarding node when it
 * connects): its length (1..WIRE_NAME_MAX, not NUL-terminated) and *name;
 * 0 for a target given by address. */
uint32_t wire_target_name(const struct wire_forward *f, uint32_t i, const uint8_t **name);
/* Target i's port, host order (either kind of target). */
uint16_t wire_target_port(const struct wire_forward *f, uint32_t i);

/* -- encoding (used by the client and by forwarding nodes) -- */

/* A growable byte buffer for building frames and programs. */
struct wire_buf {
	uint8_t *data; /* owned */
	size_t len;    /* bytes used */
	size_t cap;    /* bytes allocated */
};

void wire_buf_init(struct wire_buf *b);
void wire_buf_free(struct wire_buf *b);
void wire_buf_reserve(struct wire_buf *b, size_t extra);
void wire_buf_put(struct wire_buf *b, const void *p, size_t n);
void wire_buf_put_u32(struct wire_buf *b, uint32_t v);
void wire_buf_put_u64(struct wire_buf *b, uint64_t v);
void wire_buf_set_u32(struct wire_buf *b, size_t at, uint32_t v);

/* Appends an op header; returns its offset so the caller can patch len. */
size_t wire_put_op(struct wire_buf *b, uint8_t code, uint8_t flags, uint16_t aux);
/* Sets the len field of the op at `op_off` to b->len - op_off. */
void wire_end_op(struct wire_buf *b, size_t op_off);

/* Appends a target address (AF_INET or AF_INET6), reached natively / by via. */
int wire_put_target(struct wire_buf *b, const struct sockaddr *sa);
int wire_put_target_via(struct wire_buf *b, const struct sockaddr *sa, enum wire_transport via);
/* Appends a target that names its host (family 0, port in host order): the
 * FORWARD then sets WIRE_FWD_NAMES and puts its names block after the
 * targets, one wire_put_target_name() per target in order ("" for a target
 * given by address). */
void wire_put_target_named(struct wire_buf *b, uint16_t port, enum wire_transport via);
void wire_put_target_name(struct wire_buf *b, const char *name);

/* Name of a status for messages: "forward failed", "timeout", ... */
const char *wire_status_name(unsigned status);

#endif
