/* prog.h -- program templates: what a client (or scenario) asks nodes to do.
 *
 * Contract: a template is a tree of ops whose numbers are value specs
 * (spec.h). prog_encode() samples every spec once and writes the concrete
 * program for one request in wire format, so nodes run plain numbers and a run
 * is reproducible from the client's seed. The builder follows DistWalk's
 * command-line grammar: ops are appended in order; FORWARD opens a scope whose
 * ops run on the target(s) until the matching REPLY closes it; consecutive
 * `branch` forwards join one parallel group with a sub-program per target; at
 * the top level, REPLY only sets the size of the final reply. prog_finish()
 * closes any open scope with an implicit REPLY, as DistWalk does. A forward
 * with a route name (-F host:port,route=NAME) opens no scope: its targets run
 * their installed route NAME, and the ops that follow run here once enough
 * replies are in; consecutive `branch` route forwards join one group, but a
 * group never mixes route names and sub-programs.
 * Every op but FORWARD is held, encoded and printed as its row of the op
 * table says (proto/ops.h), so an op added there needs nothing here.
 * Units: COMPUTE specs are microseconds (SPEC_TIME), sizes and offsets are
 * bytes (64-bit end to end).
 * Ownership: the template owns the specs handed to the builder (also on
 * error). prog_destroy() frees everything; NULL is a no-op.
 * Threads: built by one thread; afterwards immutable, so several client
 * threads may encode from one template concurrently, each with its own rng.
 * Errors: builder calls fill a struct err and return -EINVAL. */
#ifndef MW_PROG_PROG_H
#define MW_PROG_PROG_H

#include <stdbool.h>
#include <stdint.h>

#include "net/sock.h"
#include "proto/wire.h"
#include "spec/rng.h"
#include "spec/spec.h"
#include "util/err.h"

#define PROG_MAX_DEPTH 16
#define PROG_MAX_TARGETS 64

struct prog;

/* Options of one -F/--forward. */
struct prog_fwd_opts {
	struct sock_addr targets[PROG_MAX_TARGETS]; /* where to forward */
	uint32_t ntargets;                          /* 1..PROG_MAX_TARGETS */
	uint32_t nack;                              /* 0 = all targets */
	uint32_t timeout_us;                        /* 0 = node default */
	uint32_t retries;                           /* extra attempts */
	bool branch;                                /* sub-program per target */
	bool nowait;                                /* fire and forget: nack 0 on the wire */
	struct spec *frame_size;                    /* forwarded frame size, NULL = minimal */
	char route[WIRE_ROUTE_MAX + 1];             /* "" or the route the targets run */
};

struct prog_choice; /* an open choice group (prog.c) */

struct prog_builder {
	struct prog *root;                     /* the template being built */
	struct prog *scope[PROG_MAX_DEPTH + 1]; /* open forward scopes, [0] = root */
	int depth;                             /* index of the innermost scope */
	bool root_reply;                       /* a -R already set the final reply */
	struct prog_choice *choice[PROG_MAX_DEPTH + 1]; /* open choice group per scope, or NULL */
};

/* Most alternatives of one choice group. */
#define PROG_MAX_CHOICES 64

void prog_builder_init(struct prog_builder *b);
/* Frees a template that was never finished. */
void prog_builder_abort(struct prog_builder *b);

/* An op of one TIME field (proto/ops.h): COMPUTE (-C), SLEEP (--sleep: off
 * CPU, the node parks the request on a timer and serves others meanwhile) or
 * any op added like them, lasting `usec`. Refuses (and frees usec) a code
 * whose row is not a single TIME field. */
int prog_add_timed(struct prog_builder *b, uint8_t code, struct spec *usec, struct err *e);
/* prog_add_timed(b, OP_COMPUTE, usec, e) */
int prog_add_compute(struct prog_builder *b, struct spec *usec, struct err *e);
/* -C TIME,ws=SIZE: a COMPUTE that walks a working set of ws bytes (a
 * constant, WIRE_WSET_MIN..WIRE_WSET_MAX) while it runs. Takes both specs
 * (frees them on error). */
int prog_add_compute_ws(struct prog_builder *b, struct spec *usec, struct spec *ws,
			struct err *e);
/* --choice W ... --choice W ... --choice-end: exactly one of the alternatives
 * runs per request, alternative k with probability W_k / sum(W). The first
 * --choice in a scope opens a group, each later one starts the next
 * alternative, --choice-end closes the group. Built from SKIPs, so nodes need
 * nothing new: alternative k is preceded by SKIP(len_k + 1, prob = 1 - W_k /
 * (W_k + ... + W_K)) (the node draws it) and followed, except the last, by
 * SKIP(rest of the group) (prob 1). A group must close in the scope it opened
 * (before the -R that closes a -F scope); groups do not nest within a scope;
 * at most PROG_MAX_CHOICES alternatives. */
int prog_add_choice(struct prog_builder *b, double weight, struct err *e);
int prog_end_choice(struct prog_builder *b, struct err *e);
/* -s n[,prob=p][,every=m]: skip the next n ops with probability p, on one
 * request in every m (the client decides `every`, the node draws `prob`). */
int prog_add_skip(struct prog_builder *b, uint32_t n, double prob, uint32_t every,
		  struct err *e);
/* -L / -S: a LOAD or STORE of `size` bytes at `offset` (NULL: the program's
 * default offset, see prog_set_default_offsets()); sync only for STORE. */
int prog_add_storage(struct prog_builder *b, uint8_t code, struct spec *size,
		     struct spec *offset, enum wire_sync sync, struct err *e);
/* --load-offset / --store-offset: the offset of every LOAD / STORE (and
 * sendfile reply, for load) that has no offset= of its own, wherever it is in
 * the program. NULL: continue where the node's previous op ended. Takes
 * ownership; replaces earlier defaults. */
void prog_set_default_offsets(struct prog_builder *b, struct spec *load, struct spec *store);
/* -R [size] / -R sendfile,size: closes the innermost forward scope (its reply
 * has that size), or at the top level sets the final reply size (once: a
 * second top-level -R is an error, never a silent replacement). size may be
 * NULL (minimal). With sendfile the reply carries `size` bytes of the node's
 * storage, read at the default load offset. */
int prog_add_reply(struct prog_builder *b, struct spec *size, bool sendfile, struct err *e);
/* -F: opens a forward scope (copies *o; takes ownership of o->frame_size).
 * With o->route set, checks the name (wire_route_check) and opens no scope. */
int prog_add_forward(struct prog_builder *b, const struct prog_fwd_opts *o, struct err *e);
/* Whether what b holds so far can have further ops appended at its top
 * level without changing what it does: no -F scope or --choice group still
 * open, no top-level -R (the final reply) given, and not ending in a branch
 * group that a following branch -F would join. 0, or -EINVAL naming the
 * first reason. (A service's route_prefix: ops that run before each route's
 * own.) */
int prog_builder_check_fragment(const struct prog_builder *b, struct err *e);
/* Closes open scopes and returns the template; the builder is emptied.
 * Refuses (and frees) a template whose encoded program would exceed a node's
 * op limit (wire_default_limits.max_ops), which nested branch groups reach
 * quickly since each target gets its own copy of the sub-program. */
int prog_finish(struct prog_builder *b, struct prog **out, struct err *e);

void prog_destroy(struct prog *p);

/* Appends the concrete program for request number `index` to out. */
void prog_encode(const struct prog *p, struct rng *rng, uint64_t index, struct wire_buf *out);

/* The size of the final reply (-R at the top level), or NULL: minimal. */
const struct spec *prog_reply_size(const struct prog *p);

/* True when the template has no op but the final reply (a ping). */
bool prog_is_ping(const struct prog *p);

/* One-line human description, e.g. "COMPUTE(10ms) SLEEP(1ms) FORWARD(127.0.0.1:7892){COMPUTE(1ms)
 * REPLY} REPLY". */
void prog_describe(const struct prog *p, char *buf, size_t len);

/* The template in DistWalk's notation, as dw_client prints it after "request
 * template:", e.g. "COMPUTE(1000us)->FORWARD_BEGIN(tcp://127.0.0.1:7892,auto,
 * retries=0,timeout=10000000,branched=0,nack=1)->COMPUTE(2000us)->REPLY(1000b,
 * mode=normal, dev=0)->REPLY(24b, mode=normal, dev=0)". Sizes left unset show
 * what meshwalk sends: the bare header for a reply, "auto" (sized by its
 * program) for a forward. */
void prog_describe_dw(const struct prog *p, char *buf, size_t len);

#endif
