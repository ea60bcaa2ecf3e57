/* prog.c -- see prog.h. */
#include "prog/prog.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ops.h"
#include "util/log.h"
#include "util/xalloc.h"

struct prog_fwd {
	struct sock_addr *targets; /* ntargets addresses */
	uint32_t *target_sub;      /* target i runs subs[target_sub[i]] */
	uint32_t ntargets;
	uint32_t nack;             /* 0 = all */
	uint32_t timeout_us;
	uint32_t retries;
	bool branch;
	bool nowait;               /* fire and forget: the request goes on at once */
	bool joinable;             /* a closed branch group the next branch -F may join */
	struct spec *frame_size;   /* NULL = minimal */
	struct prog **subs;        /* owned sub-programs (NULL entries when route) */
	char **routes;             /* route: nsub owned route names, else NULL */
	bool route;                /* the targets run installed routes */
	uint32_t nsub;
};

/* An op's values are the op table's template (proto/ops.h says which slot
 * holds what); only FORWARD, which holds sub-programs, has more. */
struct prog_op {
	struct ops_tmpl t;     /* code, flags, specs, numbers; FORWARD: code only */
	struct prog_fwd *fwd;  /* FORWARD */
};

struct prog {
	struct prog_op *ops;   /* ops before the closing REPLY */
	size_t n, cap;
	struct ops_tmpl reply;   /* closing REPLY: spec[0] frame size (sendfile: data bytes),
				  * NULL = minimal; flags WIRE_REPLY_SENDFILE */
	/* Root only: --load-offset / --store-offset, for ops without offset=
	 * (NULL: continue where the node's previous op ended). */
	struct spec *load_offset, *store_offset;
};

static struct prog *prog_new(void)
{
	struct prog *p = xcalloc(1, sizeof(struct prog));

	p->reply.code = OP_REPLY;
	return p;
}

static void fwd_destroy(struct prog_fwd *f)
{
	if (f == NULL)
		return;
	for (uint32_t i = 0; i < f->nsub; i++) {
		prog_destroy(f->subs[i]);
		if (f->routes)
			free(f->routes[i]);
	}
	free(f->subs);
	free(f->routes);
	free(f->targets);
	free(f->target_sub);
	spec_destroy(f->frame_size);
	free(f);
}

void prog_destroy(struct prog *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->n; i++) {
		ops_tmpl_free(&p->ops[i].t);
		fwd_destroy(p->ops[i].fwd);
	}
	free(p->ops);
	ops_tmpl_free(&p->reply);
	spec_destroy(p->load_offset);
	spec_destroy(p->store_offset);
	free(p);
}

void prog_builder_init(struct prog_builder *b)
{
	memset(b, 0, sizeof *b);
	b->root = prog_new();
	b->scope[0] = b->root;
}

static void choices_free(struct prog_builder *b)
{
	for (int i = 0; i <= PROG_MAX_DEPTH; i++) {
		free(b->choice[i]);
		b->choice[i] = NULL;
	}
}

void prog_builder_abort(struct prog_builder *b)
{
	choices_free(b);
	prog_destroy(b->root);
	memset(b, 0, sizeof *b);
}

static struct prog_op *append(struct prog *p)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->ops = xrealloc(p->ops, p->cap * sizeof *p->ops);
	}
	memset(&p->ops[p->n], 0, sizeof p->ops[0]);
	return &p->ops[p->n++];
}

/* Any op appended to a scope ends the chance for a branch group to grow. */
static void seal_last(struct prog *p)
{
	if (p->n > 0 && p->ops[p->n - 1].fwd != NULL)
		p->ops[p->n - 1].fwd->joinable = false;
}

int prog_add_timed(struct prog_builder *b, uint8_t code, struct spec *usec, struct err *e)
{
	const struct ops_def *d = ops_find(code);
	struct prog *p = b->scope[b->depth];
	struct prog_op *op;

	if (!ops_is_timed(d)) {
		spec_destroy(usec);
		return err_set(e, "op %u is not a timed op", code);
	}
	seal_last(p);
	op = append(p);
	op->t.code = code;
	op->t.spec[0] = usec;
	return 0;
}

int prog_add_compute(struct prog_builder *b, struct spec *usec, struct err *e)
{
	return prog_add_timed(b, OP_COMPUTE, usec, e);
}

int prog_add_compute_ws(struct prog_builder *b, struct spec *usec, struct spec *ws,
			struct err *e)
{
	struct prog *p = b->scope[b->depth];
	uint64_t v = ws && spec_is_const(ws) ? spec_sample_u64(ws, NULL, 0) : 0;

	if (ws == NULL || !spec_is_const(ws) || v < WIRE_WSET_MIN || v > WIRE_WSET_MAX) {
		spec_destroy(usec);
		spec_destroy(ws);
		return err_set(e, "ws: a working set is a constant size from 64 bytes (one cache "
			       "line) to 1gi (%llu bytes)", WIRE_WSET_MAX);
	}
	if (prog_add_timed(b, OP_COMPUTE, usec, e) < 0) {
		spec_destroy(ws);
		return -EINVAL;
	}
	p->ops[p->n - 1].t.flags = WIRE_COMPUTE_WSET;
	p->ops[p->n - 1].t.spec[1] = ws;
	return 0;
}

int prog_add_storage(struct prog_builder *b, uint8_t code, struct spec *size,
		     struct spec *offset, enum wire_sync sync, struct err *e)
{
	struct prog *p = b->scope[b->depth];
	struct prog_op *op;

	if ((code != OP_LOAD && code != OP_STORE) || (unsigned)sync >= WIRE_SYNC_MAX_ ||
	    (code == OP_LOAD && sync != WIRE_NOSYNC)) {
		spec_destroy(size);
		spec_destroy(offset);
		return err_set(e, "bad storage op %u / sync policy %u", code, sync);
	}
	seal_last(p);
	op = append(p);
	op->t.code = code;
	op->t.spec[0] = size;
	op->t.spec[1] = offset;
	op->t.flags = (uint8_t)sync;
	return 0;
}

void prog_set_default_offsets(struct prog_builder *b, struct spec *load, struct spec *store)
{
	spec_destroy(b->root->load_offset);
	spec_destroy(b->root->store_offset);
	b->root->load_offset = load;
	b->root->store_offset = store;
}

int prog_add_skip(struct prog_builder *b, uint32_t n, double prob, uint32_t every,
		  struct err *e)
{
	struct prog *p = b->scope[b->depth];
	struct prog_op *op;

	if (!(prob >= 0.0 && prob <= 1.0))
		return err_set(e, "skip probability %g is not in [0, 1]", prob);
	if (every == 0)
		return err_set(e, "skip every=0: expected a positive request count");
	seal_last(p);
	op = append(p);
	op->t.code = OP_SKIP;
	op->t.n[0] = n;
	op->t.n[1] = (uint32_t)llround(prob * WIRE_PROB_ONE);
	op->t.every = every;
	return 0;
}


/* -- choice groups: SKIPs that pick one alternative -- */

struct prog_choice {
	uint32_t n;                        /* alternatives so far */
	size_t head[PROG_MAX_CHOICES];     /* index of alternative k's leading SKIP */
	size_t tail[PROG_MAX_CHOICES];     /* index of its closing SKIP (k < n - 1) */
	double w[PROG_MAX_CHOICES];
};

static void add_skip_op(struct prog *p)
{
	struct prog_op *op;

	seal_last(p);
	op = append(p);
	op->t.code = OP_SKIP;
	op->t.n[0] = 0; /* set by prog_end_choice() */
	op->t.n[1] = WIRE_PROB_ONE;
	op->t.every = 1;
}

int prog_add_choice(struct prog_builder *b, double weight, struct err *e)
{
	struct prog *p = b->scope[b->depth];
	struct prog_choice *c = b->choice[b->depth];

	if (!(weight > 0) || weight > 1e15)
		return err_set(e, "--choice: a weight must be a number above 0, got %g", weight);
	if (c == NULL)
		c = b->choice[b->depth] = xcalloc(1, sizeof *c);
	else if (c->n == PROG_MAX_CHOICES)
		return err_set(e, "--choice: at most %d alternatives in one group",
			       PROG_MAX_CHOICES);
	else {
		c->tail[c->n - 1] = p->n;
		add_skip_op(p);
	}
	c->head[c->n] = p->n;
	c->w[c->n++] = weight;
	add_skip_op(p);
	return 0;
}

int prog_end_choice(struct prog_builder *b, struct err *e)
{
	struct prog *p = b->scope[b->depth];
	struct prog_choice *c = b->choice[b->depth];
	double rest = 0;

	if (c == NULL)
		return err_set(e, "--choice-end without an open --choice group in this scope");
	for (uint32_t k = 0; k < c->n; k++)
		rest += c->w[k];
	for (uint32_t k = 0; k < c->n; k++) {
		struct prog_op *head = &p->ops[c->head[k]];
		bool last = k == c->n - 1;
		/* the alternative's ops and its closing SKIP: the next op run is
		 * the next alternative's leading SKIP */
		size_t end = last ? p->n : c->tail[k] + 1;

		if (end - c->head[k] - 1 > UINT32_MAX || p->n - c->head[k] > UINT32_MAX)
			return err_set(e, "--choice: an alternative is too long");
		head->t.n[0] = (uint32_t)(end - c->head[k] - 1);
		/* skipped unless chosen: chosen with w_k over what is left */
		head->t.n[1] = last ? 0
				       : (uint32_t)llround((1.0 - c->w[k] / rest) * WIRE_PROB_ONE);
		rest -= c->w[k];
		if (!last)
			p->ops[c->tail[k]].t.n[0] = (uint32_t)(p->n - c->tail[k] - 1);
	}
	/* a SKIP of 0 ops does nothing; an empty alternative is legal */
	free(c);
	b->choice[b->depth] = NULL;
	seal_last(p);
	return 0;
}

/* A scope may close only with no choice group open in it. */
static int check_choice_closed(const struct prog_builder *b, struct err *e)
{
	if (b->choice[b->depth] != NULL)
		return err_set(e, "a --choice group is still open: close it with --choice-end "
				  "before the -R that closes its scope (or the end)");
	return 0;
}

/* A branch group becomes joinable when its newest scope is closed by -R. */
static void mark_joinable(struct prog_builder *b)
{
	struct prog *p = b->scope[b->depth];

	if (p->n > 0 && p->ops[p->n - 1].fwd && p->ops[p->n - 1].fwd->branch)
		p->ops[p->n - 1].fwd->joinable = true;
}

int prog_add_reply(struct prog_builder *b, struct spec *size, bool sendfile, struct err *e)
{
	struct prog *p = b->scope[b->depth];

	/* At the top level -R sets the final reply; a second one would silently
	 * replace the first (in a -F scope, -R closes the scope instead). */
	if ((b->depth > 0 || b->root_reply) && check_choice_closed(b, e) < 0) {
		spec_destroy(size);
		return -EINVAL;
	}
	if (b->depth == 0 && b->root_reply) {
		spec_destroy(size);
		return err_set(e, "-R given twice at the top level: the final reply's size is set "
				  "once (each -R closes the innermost open -F; with none open, it is "
				  "the final reply)");
	}
	if (b->depth == 0)
		b->root_reply = true;
	spec_destroy(p->reply.spec[0]);
	p->reply.spec[0] = size;
	p->reply.flags = sendfile ? WIRE_REPLY_SENDFILE : 0;
	if (b->depth == 0)
		return 0;
	b->depth--;
	mark_joinable(b);
	return 0;
}

/* True when the innermost scope is the newest branch of a branch group. */
static bool in_branch_scope(const struct prog_builder *b)
{
	const struct prog *parent;
	const struct prog_fwd *f;

	if (b->depth == 0)
		return false;
	parent = b->scope[b->depth - 1];
	f = parent->n > 0 ? parent->ops[parent->n - 1].fwd : NULL;
	return f != NULL && f->branch && !f->route && f->subs[f->nsub - 1] == b->scope[b->depth];
}

int prog_add_forward(struct prog_builder *b, const struct prog_fwd_opts *o, struct err *e)
{
	struct prog *p;
	struct prog_fwd *f = NULL;
	struct prog *sub = NULL;
	bool route = o->route[0] != '\0';

	/* DistWalk reads "-F A,branch OPS -F B,branch OPS -R" as two branches in
	 * parallel: a branch -F inside a branch's ops ends that branch (an
	 * implicit -R) and joins its group, never nests into it. */
	if (o->branch && in_branch_scope(b)) {
		if (check_choice_closed(b, e) < 0) {
			spec_destroy(o->frame_size);
			return -EINVAL;
		}
		b->depth--;
		mark_joinable(b);
	}
	p = b->scope[b->depth];

	if (route && wire_route_check((const uint8_t *)o->route, (uint32_t)strlen(o->route), e) < 0) {
		spec_destroy(o->frame_size);
		return -EINVAL;
	}
	if (o->ntargets == 0 || o->ntargets > PROG_MAX_TARGETS) {
		spec_destroy(o->frame_size);
		return err_set(e, "a forward needs 1..%d targets", PROG_MAX_TARGETS);
	}
	if (b->depth >= PROG_MAX_DEPTH) {
		spec_destroy(o->frame_size);
		return err_set(e, "forwards nested deeper than %d", PROG_MAX_DEPTH);
	}
	if (o->branch && p->n > 0 && p->ops[p->n - 1].fwd && p->ops[p->n - 1].fwd->joinable)
		f = p->ops[p->n - 1].fwd; /* next branch of the same parallel group */
	if (f != NULL && f->ntargets + o->ntargets > PROG_MAX_TARGETS) {
		spec_destroy(o->frame_size);
		return err_set(e, "a branch group may have at most %d targets", PROG_MAX_TARGETS);
	}
	if (f != NULL && f->route != route) {
		spec_destroy(o->frame_size);
		return err_set(e, "a branch group mixes route= branches with sub-program branches "
				  "(give every branch of the group a route=, or none)");
	}
	if (f == NULL) {
		struct prog_op *op;

		seal_last(p);
		op = append(p);
		op->t.code = OP_FORWARD;
		f = op->fwd = xcalloc(1, sizeof *f);
		f->nack = o->nack;
		f->timeout_us = o->timeout_us;
		f->retries = o->retries;
		f->branch = o->branch;
		f->nowait = o->nowait;
		f->route = route;
		f->frame_size = o->frame_size;
	} else {
		/* A later branch may tighten the group's options. */
		if (o->nack)
			f->nack = o->nack;
		if (o->timeout_us)
			f->timeout_us = o->timeout_us;
		if (o->retries)
			f->retries = o->retries;
		if (o->frame_size) {
			spec_destroy(f->frame_size);
			f->frame_size = o->frame_size;
		}
	}
	if (!route)
		sub = prog_new();
	f->subs = xrealloc(f->subs, (f->nsub + 1) * sizeof *f->subs);
	f->subs[f->nsub] = sub;
	if (route) {
		f->routes = xrealloc(f->routes, (f->nsub + 1) * sizeof *f->routes);
		f->routes[f->nsub] = xstrdup(o->route);
	}
	f->targets = xrealloc(f->targets, (f->ntargets + o->ntargets) * sizeof *f->targets);
	f->target_sub = xrealloc(f->target_sub, (f->ntargets + o->ntargets) * sizeof *f->target_sub);
	for (uint32_t i = 0; i < o->ntargets; i++) {
		f->targets[f->ntargets + i] = o->targets[i];
		f->target_sub[f->ntargets + i] = f->nsub;
	}
	f->ntargets += o->ntargets;
	f->nsub++;
	/* A route forward has no scope to close: the next branch may join now. */
	f->joinable = route && f->branch;
	if (!route)
		b->scope[++b->depth] = sub;
	return 0;
}

int prog_builder_check_fragment(const struct prog_builder *b, struct err *e)
{
	const struct prog *p = b->scope[0];

	if (b->depth > 0)
		return err_set(e, "a -F without route= is still open: close it with -R (else the "
				  "ops after it would run on its target)");
	if (b->choice[0] != NULL)
		return err_set(e, "a --choice group is still open: close it with --choice-end");
	if (b->root_reply)
		return err_set(e, "-R at the top level is the final reply, which the ops after it "
				  "give");
	if (p->n > 0 && p->ops[p->n - 1].fwd != NULL && p->ops[p->n - 1].fwd->joinable)
		return err_set(e, "it ends in a branch group, which a branch -F after it would "
				  "join: end it with another op");
	return 0;
}

/* A branch group's nack is only known once the group is complete. A nack
 * above the target count is clamped to it, with a warning (DistWalk clamps
 * silently). */
static int check_nack(const struct prog *p, struct err *e)
{
	for (size_t i = 0; i < p->n; i++) {
		struct prog_fwd *f = p->ops[i].fwd;

		if (f == NULL)
			continue;
		if (f->nack > f->ntargets) {
			log_msg("warning: a forward asks for nack=%u replies but has %u target%s: "
				"waiting for %u", f->nack, f->ntargets, f->ntargets == 1 ? "" : "s",
				f->ntargets);
			f->nack = f->ntargets;
		}
		for (uint32_t k = 0; k < f->nsub && !f->route; k++)
			if (check_nack(f->subs[k], e) < 0)
				return -EINVAL;
	}
	return 0;
}

/* Ops of the encoded program, counted as wire_prog_check() counts them:
 * every op at every level, each closing REPLY included. A branch group sends
 * a copy of its sub-program to each target, so nested groups multiply: 12
 * levels of 4-target groups are 4^12 copies. The count stops growing past
 * `cap`, so it cannot overflow however deep the nesting. */
static uint64_t count_ops(const struct prog *p, uint64_t cap)
{
	uint64_t n = p->n + 1;

	for (size_t i = 0; i < p->n && n <= cap; i++) {
		const struct prog_fwd *f = p->ops[i].fwd;

		if (f == NULL || f->route)
			continue; /* a route's ops count on its own node */
		for (uint32_t t = 0; t < (f->branch ? f->ntargets : 1) && n <= cap; t++)
			n += count_ops(f->subs[f->target_sub[t]], cap);
	}
	return n;
}

int prog_finish(struct prog_builder *b, struct prog **out, struct err *e)
{
	uint64_t ops;

	for (int d = 0; d <= b->depth; d++)
		if (b->choice[d] != NULL) {
			err_set(e, "a --choice group is not closed: end it with --choice-end");
			prog_builder_abort(b);
			*out = NULL;
			return -EINVAL;
		}
	if (check_nack(b->root, e) < 0) {
		prog_builder_abort(b);
		*out = NULL;
		return -EINVAL;
	}
	/* Refused here, not per request: a node would refuse every request, and
	 * encoding one could take gigabytes first. */
	ops = count_ops(b->root, wire_default_limits.max_ops);
	if (ops > wire_default_limits.max_ops) {
		err_set(e, "the program has more than %u ops once every branch is expanded (a node "
			   "runs at most %u per request)", wire_default_limits.max_ops,
			wire_default_limits.max_ops);
		prog_builder_abort(b);
		*out = NULL;
		return -EINVAL;
	}
	while (b->depth > 0)
		b->depth--;
	*out = b->root;
	memset(b, 0, sizeof *b);
	return 0;
}

const struct spec *prog_reply_size(const struct prog *p)
{
	return p->reply.spec[0];
}

bool prog_is_ping(const struct prog *p)
{
	return p->n == 0;
}

/* -- encoding: the op table encodes every op but FORWARD -- */

static void encode(const struct prog *p, const struct ops_ctx *c, struct rng *rng,
		   uint64_t index, struct wire_buf *out);

/* A target as the descriptions print it: its address, or NAME:PORT. */
#define TARGET_STRLEN (sizeof ((struct sock_addr *)0)->host + sizeof ":65535")
static const char *target_str(const struct sock_addr *a, char *buf, size_t len)
{
	if (a->named)
		snprintf(buf, len, "%s:%u", a->host, a->port);
	else
		sock_addr_str((const struct sockaddr *)&a->ss, buf, len);
	return buf;
}

static void encode_forward(const struct prog_fwd *f, const struct ops_ctx *c, struct rng *rng,
			   uint64_t index, struct wire_buf *out)
{
	uint32_t nack = f->nowait ? 0 : f->nack && f->nack < f->ntargets ? f->nack : f->ntargets;
	bool named = false;

	for (uint32_t t = 0; t < f->ntargets; t++)
		named |= f->targets[t].named;
	size_t at = wire_put_op(out, OP_FORWARD,
				(f->branch ? WIRE_FWD_BRANCH : 0) | (f->route ? WIRE_FWD_ROUTE : 0) |
					(named ? WIRE_FWD_NAMES : 0),
				(uint16_t)f->ntargets);

	wire_buf_put_u32(out, nack);
	wire_buf_put_u32(out, f->timeout_us);
	wire_buf_put_u32(out, f->retries);
	wire_buf_put_u32(out, 0);
	wire_buf_put_u64(out, ops_sample(f->frame_size, rng, index, 1.0));
	for (uint32_t t = 0; t < f->ntargets; t++) {
		const struct sock_addr *a = &f->targets[t];
		enum wire_transport via = a->proto == SOCK_HTTP	   ? WIRE_VIA_HTTP
					  : a->proto == SOCK_SSL   ? WIRE_VIA_TLS
					  : a->proto == SOCK_H2C   ? WIRE_VIA_H2C
					  : a->proto == SOCK_GRPC  ? WIRE_VIA_GRPC
					  : a->proto == SOCK_HTTPS ? WIRE_VIA_HTTPS
					  : a->proto == SOCK_GRPCS ? WIRE_VIA_GRPCS
								   : WIRE_VIA_NATIVE;

		if (a->named)
			wire_put_target_named(out, a->port, via);
		else
			wire_put_target_via(out, (const struct sockaddr *)&a->ss, via);
	}
	for (uint32_t t = 0; named && t < f->ntargets; t++)
		wire_put_target_name(out, f->targets[t].named ? f->targets[t].host : "");
	for (uint32_t t = 0; t < (f->branch ? f->ntargets : 1); t++) {
		size_t len_at = out->len;

		if (f->route) {
			const char *name = f->routes[f->target_sub[t]];

			wire_buf_put_u32(out, (uint32_t)strlen(name));
			wire_buf_put(out, name, strlen(name));
			continue;
		}
		wire_buf_put_u32(out, 0);
		encode(f->subs[f->target_sub[t]], c, rng, index, out);
		wire_buf_set_u32(out, len_at, (uint32_t)(out->len - len_at - 4));
	}
	wire_end_op(out, at);
}

static void encode(const struct prog *p, const struct ops_ctx *c, struct rng *rng,
		   uint64_t index, struct wire_buf *out)
{
	for (size_t i = 0; i < p->n; i++) {
		if (p->ops[i].fwd)
			encode_forward(p->ops[i].fwd, c, rng, index, out);
		else
			ops_encode(&p->ops[i].t, c, rng, index, out);
	}
	ops_encode(&p->reply, c, rng, index, out);
}

/* The root's default offsets, which every level's LOAD and STORE use. */
static struct ops_ctx ctx_of(const struct prog *root)
{
	return (struct ops_ctx){ .load_offset = root->load_offset, .store_offset = root->store_offset };
}

void prog_encode(const struct prog *p, struct rng *rng, uint64_t index, struct wire_buf *out)
{
	struct ops_ctx c = ctx_of(p);

	encode(p, &c, rng, index, out);
}

/* -- description: the op table prints every op but FORWARD -- */

static void describe(const struct prog *p, const struct ops_ctx *c, struct ops_out *s)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct prog_op *op = &p->ops[i];
		const struct prog_fwd *f = op->fwd;

		if (f == NULL) {
			ops_print(s, &op->t, c);
			continue;
		}
		ops_put(s, "%s(", ops_find(OP_FORWARD)->name);
		for (uint32_t t = 0; t < f->ntargets; t++) {
			char a[TARGET_STRLEN];

			target_str(&f->targets[t], a, sizeof a);
			/* a udp:// target is forwarded to over TCP (encode_forward) */
			ops_put(s, "%s%s%s", t ? "," : "",
				f->targets[t].proto == SOCK_UDP ? "" : sock_proto_scheme(f->targets[t].proto), a);
		}
		if (f->nack)
			ops_put(s, ",nack=%u", f->nack);
		if (f->nowait)
			ops_put(s, ",nowait");
		if (f->branch)
			ops_put(s, ",branch");
		if (f->route) {
			for (uint32_t k = 0; k < f->nsub; k++)
				ops_put(s, "%sroute=%s", k ? "|" : ",", f->routes[k]);
			ops_put(s, ") ");
			continue;
		}
		ops_put(s, "){ ");
		for (uint32_t k = 0; k < f->nsub; k++) {
			if (k)
				ops_put(s, "| ");
			describe(f->subs[k], c, s);
		}
		ops_put(s, "} ");
	}
	ops_print(s, &p->reply, c);
}

void prog_describe(const struct prog *p, char *buf, size_t len)
{
	struct ops_out s = { buf, len };
	struct ops_ctx c = ctx_of(p);

	if (len)
		buf[0] = '\0';
	describe(p, &c, &s);
}

/* -- DistWalk's notation -- */

static void dw_target(struct ops_out *s, const struct sock_addr *a)
{
	char txt[TARGET_STRLEN];

	target_str(a, txt, sizeof txt);
	ops_put(s, "%s://%s",
		a->proto == SOCK_UDP    ? "udp"
		: a->proto == SOCK_HTTP ? "http"
		: a->proto == SOCK_SSL  ? "ssl"
		: a->proto == SOCK_H2C  ? "h2c"
		: a->proto == SOCK_GRPC ? "grpc"
		: a->proto == SOCK_HTTPS ? "https"
		: a->proto == SOCK_GRPCS ? "grpcs"
					: "tcp",
		txt);
}

static void describe_dw(const struct prog *p, const struct prog *root, const struct ops_ctx *c,
			struct ops_out *s);

/* Each sub-program follows its first target; a plain multi-target forward
 * lists its targets, then the ops. */
static void describe_dw_forward(const struct prog_fwd *f, const struct prog *root,
				const struct ops_ctx *c, struct ops_out *s)
{
	const struct ops_def *d = ops_find(OP_FORWARD);

	for (uint32_t k = 0; k < f->nsub; k++) {
		for (uint32_t t = 0; t < f->ntargets; t++) {
			if (f->target_sub[t] != k)
				continue;
			ops_put(s, "%s(", t == 0 ? d->dw_name : "FORWARD_CONTINUE");
			dw_target(s, &f->targets[t]);
			ops_put(s, ",");
			ops_put_dw_size(s, f->frame_size, 0);
			if (t == 0)
				ops_put(s, ",retries=%u,timeout=%u,branched=%d,nack=%u", f->retries,
					f->timeout_us ? f->timeout_us : 10000000u, f->branch,
					f->nowait ? 0 : f->nack ? f->nack : f->ntargets);
			if (f->route)
				ops_put(s, ",route=%s", f->routes[k]);
			ops_put(s, ")->");
		}
		if (!f->route)
			describe_dw(f->subs[k], root, c, s);
	}
}

static void describe_dw(const struct prog *p, const struct prog *root, const struct ops_ctx *c,
			struct ops_out *s)
{
	for (size_t i = 0; i < p->n; i++) {
		const struct prog_op *op = &p->ops[i];

		if (op->fwd)
			describe_dw_forward(op->fwd, root, c, s);
		else
			ops_print_dw(s, &op->t, c);
	}
	ops_print_dw(s, &p->reply, c);
	if (p != root)
		ops_put(s, "->");
}

void prog_describe_dw(const struct prog *p, char *buf, size_t len)
{
	struct ops_out s = { buf, len };
	struct ops_ctx c = ctx_of(p);

	if (len)
		buf[0] = '\0';
	describe_dw(p, p, &c, &s);
}
