/* ops.c -- see ops.h. The table is `rows` below; the printers above it are
 * shared by the rows of one shape (COMPUTE and SLEEP print alike, by name). */
#include "proto/ops.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

void ops_put(struct ops_out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->left == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->p, o->left, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= o->left)
		n = (int)o->left - 1;
	o->p += n;
	o->left -= (size_t)n;
}

void ops_put_dw_spec(struct ops_out *o, const struct spec *v)
{
	char tmp[160];

	spec_format_dw(v, tmp, sizeof tmp);
	ops_put(o, "%s", tmp);
}

void ops_put_dw_size(struct ops_out *o, const struct spec *v, uint64_t min_len)
{
	if (v && (!spec_is_const(v) || spec_sample(v, NULL, 0) >= (double)min_len))
		ops_put_dw_spec(o, v);
	else if (min_len)
		ops_put(o, "%llub", (unsigned long long)min_len);
	else
		ops_put(o, "auto");
}

/* The program's default offset for an op without its own: LOAD's (and a
 * sendfile REPLY's, which reads like a LOAD) or STORE's. */
static const struct spec *default_offset(uint8_t code, const struct ops_ctx *c)
{
	return code == OP_STORE ? c->store_offset : c->load_offset;
}

/* -- printers: meshwalk's form ("NAME(...) "), DistWalk's ("NAME(...)->") -- */

static bool field_present(const struct ops_field *f, uint8_t flags);

/* The template's working-set spec (COMPUTE's ws=), or NULL when the op has
 * none: its row's WSET field, present by the template's flags. */
static const struct spec *wset_spec(const struct ops_def *d, const struct ops_tmpl *t)
{
	for (uint8_t i = 0; i < d->nfields; i++)
		if (d->fields[i].kind == OPS_WSET && field_present(&d->fields[i], t->flags))
			return t->spec[d->fields[i].slot];
	return NULL;
}

static void print_time(struct ops_out *o, const struct ops_def *d, const struct ops_tmpl *t,
		       const struct ops_ctx *c)
{
	const struct spec *ws = wset_spec(d, t);
	char tmp[128], wtmp[64] = "";

	spec_format(t->spec[0], tmp, sizeof tmp);
	if (ws)
		spec_format(ws, wtmp, sizeof wtmp);
	ops_put(o, "%s(%s%s%s) ", d->name, tmp, ws ? ",ws=" : "", wtmp);
}

/* DistWalk has no working set: meshwalk's ws= is added in the same form as
 * its other sizes, so a template that uses it still reads as one op. */
static void print_time_dw(struct ops_out *o, const struct ops_def *d, const struct ops_tmpl *t,
			  const struct ops_ctx *c)
{
	const struct spec *ws = wset_spec(d, t);

	ops_put(o, "%s(", d->dw_name);
	ops_put_dw_spec(o, t->spec[0]);
	if (ws) {
		ops_put(o, ",ws=");
		ops_put_dw_spec(o, ws);
	}
	ops_put(o, ")->");
}

/* LOAD / STORE: spec[0] size, spec[1] own offset, flags the STORE's sync. */
static void print_storage(struct ops_out *o, const struct ops_def *d, const struct ops_tmpl *t,
			  const struct ops_ctx *c)
{
	static const char *const sync_names[] = { "", ",sync", ",psync" };
	char tmp[128];

	spec_format(t->spec[0], tmp, sizeof tmp);
	ops_put(o, "%s(%s B", d->name, tmp);
	if (t->spec[1]) {
		spec_format(t->spec[1], tmp, sizeof tmp);
		ops_put(o, ",offset=%s", tmp);
	}
	ops_put(o, "%s) ", sync_names[t->flags]);
}

const char *ops_sync_word(unsigned sync)
{
	static const char *const words[WIRE_SYNC_MAX_] = { "nosync", "sync", "psync" };

	return sync < WIRE_SYNC_MAX_ ? words[sync] : "?";
}

static void print_storage_dw(struct ops_out *o, const struct ops_def *d, const struct ops_tmpl *t,
			     const struct ops_ctx *c)
{
	const struct spec *off = t->spec[1] ? t->spec[1] : default_offset(t->code, c);

	ops_put(o, "%s(dev=0,", d->dw_name);
	ops_put_dw_spec(o, t->spec[0]);
	if (d->flags_max > 1) /* a sync policy (STORE) */
		ops_put(o, ",%s", ops_sync_word(t->flags));
	if (off) {
		ops_put(o, ",offset=");
		ops_put_dw_spec(o, off);
	}
	ops_put(o, ")->");
}

/* SKIP: n[0] ops, n[1] probability (ppb), every. */
static void print_skip(struct ops_out *o, const struct ops_def *d, const struct ops_tmpl *t,
		       const struct ops_ctx *c)
{
	ops_put(o, "%s(n=%u,prob=%g,every=%u) ", d->name, t->n[0], t->n[1] / (double)WIRE_PROB_ONE,
		t->every);
}

static void print_skip_dw(struct ops_out *o, const struct ops_def *d, const struct ops_tmpl *t,
			  const struct ops_ctx *c)
{
	ops_put(o, "%s(%u", d->dw_name, t->n[0]);
	if (t->n[1] != WIRE_PROB_ONE)
		ops_put(o, ",prob=%g", t->n[1] / (double)WIRE_PROB_ONE);
	if (t->every != 1)
		ops_put(o, ",every=%u", t->every);
	ops_put(o, ")->");
}

/* REPLY: spec[0] size (sendfile: data bytes), flags sendfile. DistWalk's form
 * has no arrow: the program closes after it (prog/prog adds one where a
 * sub-program's reply is followed by more). */
static void print_reply(struct ops_out *o, const struct ops_def *d, const struct ops_tmpl *t,
			const struct ops_ctx *c)
{
	bool sendfile = t->flags & WIRE_REPLY_SENDFILE;
	char tmp[128];

	if (t->spec[0]) {
		spec_format(t->spec[0], tmp, sizeof tmp);
		ops_put(o, "%s(%s%s B)", d->name, sendfile ? "sendfile," : "", tmp);
	} else if (sendfile) {
		ops_put(o, "%s(sendfile)", d->name);
	} else {
		ops_put(o, "%s", d->name);
	}
}

static void print_reply_dw(struct ops_out *o, const struct ops_def *d, const struct ops_tmpl *t,
			   const struct ops_ctx *c)
{
	ops_put(o, "%s(", d->dw_name);
	ops_put_dw_size(o, t->spec[0], WIRE_HDR_LEN);
	ops_put(o, ", mode=%s, dev=0)", (t->flags & WIRE_REPLY_SENDFILE) ? "sendfile" : "normal");
}

/* -- the table: one row per op code, in code order -- */

static const struct ops_def rows[] = {
	[OP_COMPUTE - 1] = {
		.code = OP_COMPUTE, .name = "COMPUTE", .dw_name = "COMPUTE", .run = OPS_RUN_CPU,
		.flags_mask = OPS_FLAGS_ANY,
		.nfields = 2, .fields = { { "ns", OPS_TIME, 8, 0, 0 },
					  { "ws", OPS_WSET, 8, 1, WIRE_COMPUTE_WSET } },
		.example = "-C 10us", .print = print_time, .print_dw = print_time_dw,
		.span = "COMPUTE",
	},
	[OP_SLEEP - 1] = {
		.code = OP_SLEEP, .name = "SLEEP", .dw_name = "SLEEP", .run = OPS_RUN_TIMER,
		.flags_mask = OPS_FLAGS_ANY,
		.nfields = 1, .fields = { { "ns", OPS_TIME, 8, 0, 0 } },
		.example = "--sleep 5ms", .print = print_time, .print_dw = print_time_dw,
		.span = "SLEEP",
	},
	[OP_LOAD - 1] = {
		.code = OP_LOAD, .name = "LOAD", .dw_name = "LOAD", .run = OPS_RUN_STORAGE,
		.flags_max = 1,
		.nfields = 2, .fields = { { "offset", OPS_OFFSET, 8, 1, 0 },
					  { "size", OPS_SIZE, 8, 0, 0 } },
		.example = "-L 1k", .print = print_storage, .print_dw = print_storage_dw,
		.span = "LOAD",
	},
	[OP_STORE - 1] = {
		.code = OP_STORE, .name = "STORE", .dw_name = "STORE", .run = OPS_RUN_STORAGE,
		.flags_max = WIRE_SYNC_MAX_,
		.nfields = 2, .fields = { { "offset", OPS_OFFSET, 8, 1, 0 },
					  { "size", OPS_SIZE, 8, 0, 0 } },
		.example = "-S 1k,psync", .print = print_storage, .print_dw = print_storage_dw,
		.span = "STORE",
	},
	[OP_REPLY - 1] = {
		.code = OP_REPLY, .name = "REPLY", .dw_name = "REPLY", .run = OPS_RUN_REPLY,
		.flags_mask = WIRE_REPLY_SENDFILE,
		.nfields = 2, .fields = { { "size", OPS_SIZE, 8, 0, 0 },
					  { "offset", OPS_OFFSET, 8, 1, WIRE_REPLY_SENDFILE } },
		.example = "-R 1k", .print = print_reply, .print_dw = print_reply_dw,
		.span = "REPLY", .span_part = "READ",
	},
	[OP_SKIP - 1] = {
		.code = OP_SKIP, .name = "SKIP", .dw_name = "SKIP", .run = OPS_RUN_SKIP,
		.flags_mask = OPS_FLAGS_ANY,
		.nfields = 3, .fields = { { "n", OPS_COUNT, 4, 0, 0 }, { "prob", OPS_PROB, 4, 1, 0 },
					  { "zero", OPS_ZERO, 8, 0, 0 } },
		.example = "-s 1,prob=0.5", .print = print_skip, .print_dw = print_skip_dw,
	},
	[OP_FORWARD - 1] = {
		.code = OP_FORWARD, .name = "FORWARD", .dw_name = "FORWARD_BEGIN",
		.run = OPS_RUN_FORWARD, .flags_mask = WIRE_FWD_BRANCH | WIRE_FWD_ROUTE,
		.example = "-F 127.0.0.1:7000", .span = "FORWARD", .span_part = "forward",
	},
};
#define NROWS (sizeof rows / sizeof rows[0])
_Static_assert(NROWS == OP_CODE_MAX_ - 1, "one row per op code, codes 1..OP_CODE_MAX_-1");

const struct ops_def *ops_find(unsigned code)
{
	return code - 1 < NROWS ? &rows[code - 1] : NULL; /* code 0 wraps to a huge index */
}

const struct ops_def *ops_all(size_t *n)
{
	*n = NROWS;
	return rows;
}

void ops_print(struct ops_out *o, const struct ops_tmpl *t, const struct ops_ctx *c)
{
	const struct ops_def *d = ops_find(t->code);

	if (d && d->print)
		d->print(o, d, t, c);
}

void ops_print_dw(struct ops_out *o, const struct ops_tmpl *t, const struct ops_ctx *c)
{
	const struct ops_def *d = ops_find(t->code);

	if (d && d->print_dw)
		d->print_dw(o, d, t, c);
}

static bool field_present(const struct ops_field *f, uint8_t flags)
{
	return f->flag == 0 || (flags & f->flag) != 0;
}

static bool flags_ok(const struct ops_def *d, uint8_t flags)
{
	if (d->flags_mask)
		return (flags & ~d->flags_mask) == 0;
	return flags < (d->flags_max ? d->flags_max : 1);
}

int ops_check(const struct ops_def *d, const struct wire_op *op, uint32_t depth,
	      const struct wire_limits *lim, struct err *e)
{
	uint32_t want = 0, at = 0;
	bool by_flags = false; /* a flag adds fields (a sendfile REPLY's offset) */

	for (uint8_t i = 0; i < d->nfields; i++) {
		by_flags |= d->fields[i].flag != 0;
		if (field_present(&d->fields[i], op->flags))
			want += d->fields[i].width;
	}
	/* The flags first when they decide the length, else the length first:
	 * an op wrong in both is reported as it always was. */
	if (by_flags && !flags_ok(d, op->flags))
		return err_set(e, "%s has unknown flags 0x%x", d->name, op->flags), -WIRE_ERR_MALFORMED;
	if (op->len - WIRE_OP_HDR_LEN != want)
		return err_set(e, "op %u has length %u", op->code, op->len), -WIRE_ERR_MALFORMED;
	if (!flags_ok(d, op->flags))
		return err_set(e, "%s has unknown flags 0x%x", d->name, op->flags), -WIRE_ERR_MALFORMED;
	for (uint8_t i = 0; i < d->nfields; i++) {
		const struct ops_field *f = &d->fields[i];

		if (!field_present(f, op->flags))
			continue;
		/* Only this node's own ops: sub-programs run under their
		 * nodes' limits. */
		if (f->kind == OPS_TIME && depth == 0 && wire_get_u64(op->body + at) > lim->max_compute_ns)
			return err_set(e, "%s of %llu us exceeds this node's limit of %llu us", d->name,
				       (unsigned long long)(wire_get_u64(op->body + at) / 1000),
				       (unsigned long long)(lim->max_compute_ns / 1000)),
			       -WIRE_ERR_LIMIT;
		if (f->kind == OPS_PROB && wire_get_u32(op->body + at) > WIRE_PROB_ONE)
			return err_set(e, "%s probability above 1", d->name), -WIRE_ERR_MALFORMED;
		/* at every depth: the memory is taken on whichever node runs it */
		if (f->kind == OPS_WSET && (wire_get_u64(op->body + at) < WIRE_WSET_MIN ||
					    wire_get_u64(op->body + at) > WIRE_WSET_MAX))
			return err_set(e, "%s working set of %llu bytes is outside %llu..%llu", d->name,
				       (unsigned long long)wire_get_u64(op->body + at),
				       WIRE_WSET_MIN, WIRE_WSET_MAX),
			       -WIRE_ERR_LIMIT;
		/* ...and the node's own limit on what it runs itself: a remote
		 * client must not make every worker hold a gigabyte. */
		if (f->kind == OPS_WSET && depth == 0 && wire_get_u64(op->body + at) > lim->max_wset)
			return err_set(e, "%s working set of %llu bytes exceeds this node's limit of "
				       "%llu bytes (--max-working-set)", d->name,
				       (unsigned long long)wire_get_u64(op->body + at),
				       (unsigned long long)lim->max_wset),
			       -WIRE_ERR_LIMIT;
		at += f->width;
	}
	return 0;
}

size_t ops_decode(const struct ops_def *d, const struct wire_op *op, uint64_t v[OPS_MAX_FIELDS])
{
	uint32_t at = 0;
	size_t n = 0;

	for (uint8_t i = 0; i < d->nfields; i++) {
		const struct ops_field *f = &d->fields[i];

		if (!field_present(f, op->flags))
			continue;
		v[n++] = f->width == 8 ? wire_get_u64(op->body + at) : wire_get_u32(op->body + at);
		at += f->width;
	}
	return n;
}

/* The value of the first present field of `kind` in a checked op, 0 when none. */
static uint64_t field_value(const struct wire_op *op, uint8_t kind)
{
	const struct ops_def *d = ops_find(op->code);
	uint64_t v[OPS_MAX_FIELDS];
	size_t n;

	if (d == NULL || d->run == OPS_RUN_FORWARD)
		return 0;
	n = ops_decode(d, op, v);
	for (size_t i = 0, k = 0; i < d->nfields && k < n; i++) {
		if (!field_present(&d->fields[i], op->flags))
			continue;
		if (d->fields[i].kind == kind)
			return v[k];
		k++;
	}
	return 0;
}

uint64_t ops_time_ns(const struct wire_op *op)
{
	return field_value(op, OPS_TIME);
}

uint64_t ops_wset(const struct wire_op *op)
{
	return field_value(op, OPS_WSET);
}

bool ops_is_timed(const struct ops_def *d)
{
	if (d == NULL || d->nfields == 0 || d->fields[0].kind != OPS_TIME)
		return false;
	for (uint8_t i = 1; i < d->nfields; i++)
		if (d->fields[i].flag == 0)
			return false;
	return true;
}

/* -- encoding -- */

uint64_t ops_sample(const struct spec *s, struct rng *rng, uint64_t index, double scale)
{
	double v;

	if (s == NULL)
		return 0;
	v = spec_sample(s, rng, index) * scale;
	if (!(v > 0))
		return 0;
	if (v >= 1.8e19)
		return UINT64_MAX;
	return (uint64_t)llround(v);
}

static uint64_t sample_offset(const struct spec *own, const struct spec *dflt, struct rng *rng,
			      uint64_t index)
{
	const struct spec *s = own ? own : dflt;
	uint64_t v;

	if (s == NULL)
		return WIRE_OFFSET_NEXT;
	v = ops_sample(s, rng, index, 1.0);
	return v == WIRE_OFFSET_NEXT ? v - 1 : v; /* a sampled offset is never "next" */
}

void ops_encode(const struct ops_tmpl *t, const struct ops_ctx *c, struct rng *rng,
		uint64_t index, struct wire_buf *out)
{
	const struct ops_def *d = ops_find(t->code);
	size_t at;

	if (d == NULL)
		return; /* not a template's code: prog/prog builds only known ops */
	at = wire_put_op(out, t->code, t->flags, 0);

	/* fields in wire order, so specs are sampled in that order */
	for (uint8_t i = 0; i < d->nfields; i++) {
		const struct ops_field *f = &d->fields[i];

		if (!field_present(f, t->flags))
			continue;
		switch (f->kind) {
		case OPS_TIME:
			wire_buf_put_u64(out, ops_sample(t->spec[f->slot], rng, index, 1000.0));
			break;
		case OPS_SIZE:
		case OPS_WSET:
			wire_buf_put_u64(out, ops_sample(t->spec[f->slot], rng, index, 1.0));
			break;
		case OPS_OFFSET:
			wire_buf_put_u64(out, sample_offset(t->spec[f->slot], default_offset(t->code, c),
							    rng, index));
			break;
		case OPS_COUNT:
			wire_buf_put_u32(out, t->n[f->slot]);
			break;
		case OPS_PROB:
			wire_buf_put_u32(out, t->every <= 1 || index % t->every == 0 ? t->n[f->slot] : 0);
			break;
		default: /* OPS_ZERO */
			if (f->width == 8)
				wire_buf_put_u64(out, 0);
			else
				wire_buf_put_u32(out, 0);
			break;
		}
	}
	wire_end_op(out, at);
}

void ops_tmpl_free(struct ops_tmpl *t)
{
	for (int i = 0; i < OPS_MAX_VALUES; i++) {
		spec_destroy(t->spec[i]);
		t->spec[i] = NULL;
	}
}
