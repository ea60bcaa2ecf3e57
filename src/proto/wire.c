/* wire.c -- see wire.h; the byte layout is documented in docs/protocol.md.
 *
 * DESIGN: programs are trees laid out flat. A FORWARD op contains its
 * sub-programs, each prefixed by its length, so skipping an op (SKIP, or
 * moving past a forward once its replies are in) is one addition, and a
 * forwarding node can copy a sub-program verbatim into the next request.
 * Validation is one recursive walk bounded by max_depth, done before any op
 * runs, so a program is either run entirely under the checked layout or
 * rejected before it has side effects. */
#include "proto/wire.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ops.h"
#include "util/dnsname.h"
#include "util/xalloc.h"

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "meshwalk's wire code assumes a little-endian host");

const struct wire_limits wire_default_limits = {
	.max_frame = 64u << 20, /* 64 MiB: padding is streamed, never buffered */
	.max_prog = 64u << 10,
	.max_depth = 16,
	.max_fanout = 64,
	.max_ops = 4096,
	.max_compute_ns = 10ull * 1000 * 1000 * 1000,
	.max_wset = 64ull << 20, /* 64 MiB: beyond the last-level caches of today's servers */
};

static const char *const status_names[WIRE_STATUS_MAX_] = {
	[WIRE_OK] = "ok",
	[WIRE_ERR_MALFORMED] = "malformed request",
	[WIRE_ERR_VERSION] = "unsupported protocol version",
	[WIRE_ERR_LIMIT] = "node limit exceeded",
	[WIRE_ERR_UNSUPPORTED] = "unsupported operation",
	[WIRE_ERR_FORWARD] = "forward failed",
	[WIRE_ERR_TIMEOUT] = "forward timed out",
	[WIRE_ERR_STORAGE] = "storage error",
	[WIRE_ERR_REFUSED] = "refused",
	[WIRE_ERR_INTERNAL] = "internal error",
	[WIRE_ERR_NO_ROUTE] = "no such route",
	[WIRE_ERR_BUSY] = "forward queue full",
};

const char *wire_status_name(unsigned status)
{
	return status < WIRE_STATUS_MAX_ ? status_names[status] : "unknown status";
}

static inline uint16_t get_u16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

/* Header layout: u16 magic, u8 version, u8 type, u32 len, u64 id,
 * u16 status, u16 flags, u32 prog_len. */
void wire_hdr_encode(const struct wire_hdr *h, uint8_t out[WIRE_HDR_LEN])
{
	uint16_t magic = WIRE_MAGIC, status = h->status, flags = (uint16_t)h->flags;

	memcpy(out + 0, &magic, 2);
	out[2] = h->version;
	out[3] = h->type;
	memcpy(out + 4, &h->len, 4);
	memcpy(out + 8, &h->id, 8);
	memcpy(out + 16, &status, 2);
	memcpy(out + 18, &flags, 2);
	memcpy(out + 20, &h->prog_len, 4);
}

int wire_hdr_decode(const uint8_t in[WIRE_HDR_LEN], const struct wire_limits *lim,
		    struct wire_hdr *h, struct err *e)
{
	uint16_t magic = get_u16(in);

	h->version = in[2];
	h->type = in[3];
	h->len = wire_get_u32(in + 4);
	h->id = wire_get_u64(in + 8);
	h->status = get_u16(in + 16);
	h->flags = get_u16(in + 18);
	h->prog_len = wire_get_u32(in + 20);
	if (magic != WIRE_MAGIC) {
		err_set(e, "bad magic 0x%04x (not a meshwalk peer?)", magic);
		return -WIRE_ERR_MALFORMED;
	}
	if (h->version != WIRE_VERSION) {
		err_set(e, "protocol version %u, this node speaks %u", h->version, WIRE_VERSION);
		return -WIRE_ERR_VERSION;
	}
	if (h->type != WIRE_REQUEST && h->type != WIRE_REPLY) {
		err_set(e, "unknown message type %u", h->type);
		return -WIRE_ERR_MALFORMED;
	}
	if (h->len < WIRE_HDR_LEN) {
		err_set(e, "frame length %u shorter than the header", h->len);
		return -WIRE_ERR_MALFORMED;
	}
	if (h->len > lim->max_frame) {
		err_set(e, "frame length %u above the limit %u", h->len, lim->max_frame);
		return -WIRE_ERR_LIMIT;
	}
	if (h->flags & ~(uint32_t)(WIRE_FLAG_AUTH | (h->type == WIRE_REQUEST ? WIRE_FLAG_ROUTE | WIRE_FLAG_BUDGET | WIRE_FLAG_TRACE : 0))) {
		err_set(e, "unknown header flags 0x%x", h->flags);
		return -WIRE_ERR_MALFORMED;
	}
	if ((uint64_t)h->prog_len + wire_tag_len(h) > h->len - WIRE_HDR_LEN) {
		err_set(e, "program length %u%s exceeds frame length %u", h->prog_len,
			wire_tag_len(h) ? " plus the authentication tag" : "", h->len);
		return -WIRE_ERR_MALFORMED;
	}
	if (h->prog_len > lim->max_prog) {
		err_set(e, "program length %u above the limit %u", h->prog_len, lim->max_prog);
		return -WIRE_ERR_LIMIT;
	}
	return 0;
}

void wire_budget_encode(const struct wire_budget *b, uint8_t out[WIRE_BUDGET_LEN])
{
	uint32_t zero = 0;

	memcpy(out + 0, &b->compute_ns, 8);
	memcpy(out + 8, &b->requests, 8);
	memcpy(out + 16, &b->bytes, 8);
	memcpy(out + 24, &b->hops, 4);
	memcpy(out + 28, &zero, 4);
}

int wire_budget_decode(const uint8_t *body, uint32_t len, struct wire_budget *b,
		       const uint8_t **rest, uint32_t *rest_len, struct err *e)
{
	if (len < WIRE_BUDGET_LEN) {
		err_set(e, "budget block of %u bytes, needs %d", len, WIRE_BUDGET_LEN);
		return -WIRE_ERR_MALFORMED;
	}
	b->compute_ns = wire_get_u64(body);
	b->requests = wire_get_u64(body + 8);
	b->bytes = wire_get_u64(body + 16);
	b->hops = wire_get_u32(body + 24);
	if (wire_get_u32(body + 28) != 0) {
		err_set(e, "budget block: reserved bytes are not zero");
		return -WIRE_ERR_MALFORMED;
	}
	*rest = body + WIRE_BUDGET_LEN;
	*rest_len = len - WIRE_BUDGET_LEN;
	return 0;
}

void wire_trace_put(struct wire_buf *b, const struct wire_trace *t)
{
	uint8_t fixed[WIRE_TRACE_LEN] = { 0 };

	memcpy(fixed, t->trace_id, 16);
	memcpy(fixed + 16, t->parent_id, 8);
	fixed[24] = t->flags;
	fixed[26] = (uint8_t)(t->state_len & 0xff);
	fixed[27] = (uint8_t)(t->state_len >> 8);
	wire_buf_put(b, fixed, sizeof fixed);
	if (t->state_len > 0)
		wire_buf_put(b, t->state, t->state_len);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != 0)
			return false;
	return true;
}

int wire_trace_decode(const uint8_t *body, uint32_t len, struct wire_trace *t,
		      const uint8_t **rest, uint32_t *rest_len, struct err *e)
{
	if (len < WIRE_TRACE_LEN) {
		err_set(e, "trace context block of %u bytes, needs %d", len, WIRE_TRACE_LEN);
		return -WIRE_ERR_MALFORMED;
	}
	memcpy(t->trace_id, body, 16);
	memcpy(t->parent_id, body + 16, 8);
	t->flags = body[24];
	t->state_len = get_u16(body + 26);
	if (all_zero(t->trace_id, 16) || all_zero(t->parent_id, 8)) {
		err_set(e, "trace context block: the trace id and parent span id must not be zero");
		return -WIRE_ERR_MALFORMED;
	}
	if (body[25] != 0 || wire_get_u32(body + 28) != 0) {
		err_set(e, "trace context block: reserved bytes are not zero");
		return -WIRE_ERR_MALFORMED;
	}
	if (t->state_len > WIRE_TRACESTATE_MAX || t->state_len > len - WIRE_TRACE_LEN) {
		err_set(e, "trace context block: tracestate of %u bytes (at most %d, %u left)",
			t->state_len, WIRE_TRACESTATE_MAX, len - WIRE_TRACE_LEN);
		return -WIRE_ERR_MALFORMED;
	}
	t->state = body + WIRE_TRACE_LEN;
	for (uint32_t i = 0; i < t->state_len; i++)
		if (t->state[i] < 0x20 || t->state[i] > 0x7e) {
			err_set(e, "trace context block: tracestate byte %u is not printable ASCII", i);
			return -WIRE_ERR_MALFORMED;
		}
	*rest = body + WIRE_TRACE_LEN + t->state_len;
	*rest_len = len - WIRE_TRACE_LEN - t->state_len;
	return 0;
}

void wire_op_at(const uint8_t *prog, uint32_t off, struct wire_op *op)
{
	const uint8_t *p = prog + off;

	op->code = p[0];
	op->flags = p[1];
	op->aux = get_u16(p + 2);
	op->len = wire_get_u32(p + 4);
	op->body = p + WIRE_OP_HDR_LEN;
}

/* FORWARD body: u32 nack, u32 timeout_us, u32 retries, u32 zero,
 * u64 frame_size, targets[aux], (WIRE_FWD_NAMES) aux times { u8 len, name },
 * then nsub times { u32 len, program }. */
#define FWD_FIXED_LEN 24

/* Bytes of a checked names block of n targets. */
static size_t names_len(const uint8_t *names, uint32_t n)
{
	size_t k = 0;

	for (uint32_t i = 0; i < n; i++)
		k += 1 + (size_t)names[k];
	return k;
}

void wire_forward_decode(const struct wire_op *op, struct wire_forward *f)
{
	f->ntargets = op->aux;
	f->nack = wire_get_u32(op->body);
	f->timeout_us = wire_get_u32(op->body + 4);
	f->retries = wire_get_u32(op->body + 8);
	f->frame_size = wire_get_u64(op->body + 16);
	f->branch = (op->flags & WIRE_FWD_BRANCH) != 0;
	f->route = (op->flags & WIRE_FWD_ROUTE) != 0;
	f->targets = op->body + FWD_FIXED_LEN;
	f->subs = f->targets + (size_t)f->ntargets * WIRE_TARGET_LEN;
	f->nsub = f->branch ? f->ntargets : 1;
	f->names = NULL;
	if (op->flags & WIRE_FWD_NAMES) {
		f->names = f->subs;
		f->subs += names_len(f->names, f->ntargets);
	}
}

uint32_t wire_target_name(const struct wire_forward *f, uint32_t i, const uint8_t **name)
{
	const uint8_t *p = f->names;

	if (p == NULL)
		return 0;
	while (i-- > 0)
		p += 1 + (size_t)p[0];
	*name = p + 1;
	return p[0];
}

uint16_t wire_target_port(const struct wire_forward *f, uint32_t i)
{
	uint16_t port;

	memcpy(&port, f->targets + (size_t)i * WIRE_TARGET_LEN + 2, 2);
	return ntohs(port);
}

void wire_forward_sub(const struct wire_forward *f, uint32_t i, const uint8_t **prog,
		      uint32_t *len)
{
	const uint8_t *p = f->subs;

	for (;;) {
		uint32_t n = wire_get_u32(p);

		if (i-- == 0) {
			*prog = p + 4;
			*len = n;
			return;
		}
		p += 4 + (size_t)n;
	}
}

/* Target: u16 family (4 or 6, transport in the high byte), u16 port
 * (network order), u8 addr[16]. */
int wire_target_addr(const struct wire_forward *f, uint32_t i, struct sockaddr_storage *ss,
		     socklen_t *sslen)
{
	const uint8_t *t = f->targets + (size_t)i * WIRE_TARGET_LEN;
	uint16_t family = get_u16(t) & 0xff, port; /* the high byte: wire_target_transport() */

	memcpy(&port, t + 2, 2);
	memset(ss, 0, sizeof *ss);
	if (family == 4) {
		struct sockaddr_in *sin = (struct sockaddr_in *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = port;
		memcpy(&sin->sin_addr, t + 4, 4);
		*sslen = sizeof *sin;
		return 0;
	}
	if (family == 6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = port;
		memcpy(&sin6->sin6_addr, t + 4, 16);
		*sslen = sizeof *sin6;
		return 0;
	}
	return -EAFNOSUPPORT;
}

/* -- validation -- */

static bool route_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '.' || c == '-';
}

int wire_route_check(const uint8_t *name, uint32_t len, struct err *e)
{
	if (len == 0)
		return err_set(e, "empty route name"), -WIRE_ERR_MALFORMED;
	if (len > WIRE_ROUTE_MAX)
		return err_set(e, "route name of %u bytes, at most %d allowed", len, WIRE_ROUTE_MAX),
		       -WIRE_ERR_MALFORMED;
	for (uint32_t i = 0; i < len; i++)
		if (!route_char(name[i]))
			return err_set(e, "route name '%.*s' has byte 0x%02x at %u (expected "
					  "letters, digits, '_', '.' or '-')",
				       (int)i, (const char *)name, name[i], i),
			       -WIRE_ERR_MALFORMED;
	return 0;
}

struct check {
	const struct wire_limits *lim;
	struct err *e;
	uint32_t ops; /* ops seen so far, all levels */
};

static int check_prog(struct check *c, const uint8_t *prog, uint32_t len, uint32_t depth);

/* The names block's entry for target t (number i) at *p: a host name
 * (then the target's family is 0 and its address zero) or nothing (a target
 * by address). Returns the name's length, or a negative wire status. */
static int check_name(struct check *c, const uint8_t *t, uint32_t i, const uint8_t **p,
		      const uint8_t *end)
{
	static const uint8_t zero[16];
	uint32_t n;
	struct err why;

	if (end - *p < 1 || (size_t)(end - *p - 1) < (*p)[0])
		return err_set(c->e, "FORWARD names block overruns the op at target %u", i),
		       -WIRE_ERR_MALFORMED;
	n = (*p)[0];
	*p += 1 + n;
	if (n == 0)
		return 0;
	if (dns_name_check((const char *)*p - n, n, &why) < 0)
		return err_set(c->e, "FORWARD target %u: %s", i, why.msg), -WIRE_ERR_MALFORMED;
	if ((get_u16(t) & 0xff) != 0 || memcmp(t + 4, zero, sizeof zero) != 0)
		return err_set(c->e, "FORWARD target %u has a host name and an address", i),
		       -WIRE_ERR_MALFORMED;
	return (int)n;
}

static int check_forward(struct check *c, const struct wire_op *op, uint32_t depth)
{
	struct wire_forward f;
	size_t fixed;
	const uint8_t *p, *end = op->body + (op->len - WIRE_OP_HDR_LEN);

	if (op->len < WIRE_OP_HDR_LEN + FWD_FIXED_LEN)
		return err_set(c->e, "FORWARD op too short (%u bytes)", op->len), -WIRE_ERR_MALFORMED;
	if (op->aux == 0)
		return err_set(c->e, "FORWARD with no target"), -WIRE_ERR_MALFORMED;
	if (op->aux > c->lim->max_fanout)
		return err_set(c->e, "FORWARD to %u targets, limit is %u", op->aux,
			       c->lim->max_fanout), -WIRE_ERR_LIMIT;
	if (op->flags & ~(WIRE_FWD_BRANCH | WIRE_FWD_ROUTE | WIRE_FWD_NAMES))
		return err_set(c->e, "FORWARD with unknown flags 0x%x", op->flags), -WIRE_ERR_MALFORMED;
	if (depth + 1 > c->lim->max_depth)
		return err_set(c->e, "forwards nested deeper than %u", c->lim->max_depth), -WIRE_ERR_LIMIT;
	/* Decoded without its names block, which is not checked yet: the
	 * walk below finds where the sub-programs start. */
	struct wire_op plain = *op;
	plain.flags &= (uint8_t)~WIRE_FWD_NAMES;
	wire_forward_decode(&plain, &f);
	/* nack 0: fire and forget (the request goes on at once) */
	if (f.nack > f.ntargets)
		return err_set(c->e, "FORWARD waits for %u of %u replies", f.nack, f.ntargets),
		       -WIRE_ERR_MALFORMED;
	fixed = FWD_FIXED_LEN + (size_t)f.ntargets * WIRE_TARGET_LEN;
	if (op->len - WIRE_OP_HDR_LEN < fixed)
		return err_set(c->e, "FORWARD targets overrun the op"), -WIRE_ERR_MALFORMED;
	p = f.subs; /* the names block, when there is one, then the sub-programs */
	for (uint32_t i = 0; i < f.ntargets; i++) {
		const uint8_t *t = f.targets + (size_t)i * WIRE_TARGET_LEN;
		uint16_t fam = get_u16(t);
		int nlen = (op->flags & WIRE_FWD_NAMES) ? check_name(c, t, i, &p, end) : 0;

		if (nlen < 0)
			return nlen;
		if (nlen == 0 && (fam & 0xff) != 4 && (fam & 0xff) != 6)
			return err_set(c->e, "FORWARD target %u has address family %u%s", i, fam & 0xff,
				       (fam & 0xff) == 0 ? " (a named target) but no host name" : ""),
			       -WIRE_ERR_MALFORMED;
		if ((fam >> 8) >= WIRE_VIA_MAX_)
			return err_set(c->e, "FORWARD target %u has unknown transport %u", i, fam >> 8),
			       -WIRE_ERR_MALFORMED;
		if ((fam >> 8) != WIRE_VIA_NATIVE && (fam >> 8) != WIRE_VIA_TLS && !f.route)
			return err_set(c->e, "FORWARD target %u is reached over HTTP but the forward "
				       "carries a program, not a route name", i),
			       -WIRE_ERR_MALFORMED;
	}
	for (uint32_t i = 0; i < f.nsub; i++) {
		uint32_t n;
		int rc;

		if (end - p < 4)
			return err_set(c->e, "FORWARD sub-program %u missing", i), -WIRE_ERR_MALFORMED;
		n = wire_get_u32(p);
		if ((size_t)(end - p - 4) < n)
			return err_set(c->e, "FORWARD sub-program %u overruns the op", i),
			       -WIRE_ERR_MALFORMED;
		rc = f.route ? wire_route_check(p + 4, n, c->e) : check_prog(c, p + 4, n, depth + 1);
		if (rc < 0)
			return rc;
		p += 4 + (size_t)n;
	}
	if (p != end)
		return err_set(c->e, "FORWARD has %td trailing bytes", end - p), -WIRE_ERR_MALFORMED;
	return 0;
}

/* Every op but FORWARD has a fixed layout that its row of the op table
 * (proto/ops) checks; a FORWARD's targets and sub-programs are walked here. */
static int check_op(struct check *c, const struct wire_op *op, uint32_t depth)
{
	const struct ops_def *d = ops_find(op->code);

	if (d == NULL)
		return err_set(c->e, "unknown op code %u", op->code), -WIRE_ERR_MALFORMED;
	if (d->run == OPS_RUN_FORWARD)
		return check_forward(c, op, depth);
	return ops_check(d, op, depth, c->lim, c->e);
}

static int check_prog(struct check *c, const uint8_t *prog, uint32_t len, uint32_t depth)
{
	uint32_t off = 0;

	if (len == 0)
		return err_set(c->e, "empty program (every program ends with REPLY)"),
		       -WIRE_ERR_MALFORMED;
	while (off < len) {
		struct wire_op op;
		int rc;

		if (len - off < WIRE_OP_HDR_LEN)
			return err_set(c->e, "truncated op at byte %u", off), -WIRE_ERR_MALFORMED;
		wire_op_at(prog, off, &op);
		if (op.len < WIRE_OP_HDR_LEN || op.len > len - off)
			return err_set(c->e, "op at byte %u has bad length %u", off, op.len),
			       -WIRE_ERR_MALFORMED;
		if (++c->ops > c->lim->max_ops)
			return err_set(c->e, "more than %u ops", c->lim->max_ops), -WIRE_ERR_LIMIT;
		rc = check_op(c, &op, depth);
		if (rc < 0)
			return rc;
		off += op.len;
		if (op.code == OP_REPLY && off != len)
			return err_set(c->e, "op after REPLY at byte %u", off), -WIRE_ERR_MALFORMED;
		if (op.code != OP_REPLY && off == len)
			return err_set(c->e, "program does not end with REPLY"), -WIRE_ERR_MALFORMED;
	}
	return 0;
}

int wire_prog_check(const uint8_t *prog, uint32_t len, const struct wire_limits *lim,
		    struct err *e)
{
	struct check c = { .lim = lim, .e = e, .ops = 0 };

	return check_prog(&c, prog, len, 0);
}

/* -- encoding -- */

void wire_buf_init(struct wire_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void wire_buf_free(struct wire_buf *b)
{
	free(b->data);
	wire_buf_init(b);
}

void wire_buf_reserve(struct wire_buf *b, size_t extra)
{
	if (b->len + extra > b->cap) /* the common case returns without a call */
		b->data = xgrow(b->data, &b->cap, b->len + extra, 256);
}

void wire_buf_put(struct wire_buf *b, const void *p, size_t n)
{
	wire_buf_reserve(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void wire_buf_put_u32(struct wire_buf *b, uint32_t v)
{
	wire_buf_put(b, &v, sizeof v);
}

void wire_buf_put_u64(struct wire_buf *b, uint64_t v)
{
	wire_buf_put(b, &v, sizeof v);
}

void wire_buf_set_u32(struct wire_buf *b, size_t at, uint32_t v)
{
	memcpy(b->data + at, &v, sizeof v);
}

size_t wire_put_op(struct wire_buf *b, uint8_t code, uint8_t flags, uint16_t aux)
{
	size_t at = b->len;
	uint8_t h[WIRE_OP_HDR_LEN] = { code, flags };

	memcpy(h + 2, &aux, 2);
	wire_buf_put(b, h, sizeof h);
	return at;
}

void wire_end_op(struct wire_buf *b, size_t op_off)
{
	wire_buf_set_u32(b, op_off + 4, (uint32_t)(b->len - op_off));
}

enum wire_transport wire_target_transport(const struct wire_forward *f, uint32_t i)
{
	return (enum wire_transport)(get_u16(f->targets + (size_t)i * WIRE_TARGET_LEN) >> 8);
}

int wire_put_target(struct wire_buf *b, const struct sockaddr *sa)
{
	return wire_put_target_via(b, sa, WIRE_VIA_NATIVE);
}

int wire_put_target_via(struct wire_buf *b, const struct sockaddr *sa, enum wire_transport via)
{
	uint8_t t[WIRE_TARGET_LEN] = { 0 };
	uint16_t fam;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		fam = 4;
		memcpy(t + 2, &sin->sin_port, 2);
		memcpy(t + 4, &sin->sin_addr, 4);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		fam = 6;
		memcpy(t + 2, &sin6->sin6_port, 2);
		memcpy(t + 4, &sin6->sin6_addr, 16);
	} else {
		return -EAFNOSUPPORT;
	}
	fam |= (uint16_t)(via << 8);
	memcpy(t, &fam, 2);
	wire_buf_put(b, t, sizeof t);
	return 0;
}

void wire_put_target_named(struct wire_buf *b, uint16_t port, enum wire_transport via)
{
	uint8_t t[WIRE_TARGET_LEN] = { 0 };
	uint16_t fam = (uint16_t)(via << 8), nport = htons(port); /* family 0: named */

	memcpy(t, &fam, 2);
	memcpy(t + 2, &nport, 2);
	wire_buf_put(b, t, sizeof t);
}

void wire_put_target_name(struct wire_buf *b, const char *name)
{
	size_t n = strlen(name);
	uint8_t len = (uint8_t)(n > WIRE_NAME_MAX ? WIRE_NAME_MAX : n);

	wire_buf_put(b, &len, 1);
	wire_buf_put(b, name, len);
}
