/* netdelay.h -- user-space network delay: how long a node holds each message
 * it sends, and the per-connection queue that releases its output in order.
 *
 * Why: link delay is usually emulated with the kernel's netem qdisc, which
 * many kernels (this project's CI among them) do not have. A node can hold
 * its own output instead: the message leaves its socket when the emulated
 * link would have delivered it to the wire, which is what netem on the
 * node's egress interface does.
 * Contract: a rule list is what --net-delay takes, "[PEERS=]SPEC" once per
 * rule: PEERS a comma-separated address list as in allowlist.h (prefixes,
 * hosts, host:port), SPEC a duration value spec (spec.h: `1ms`,
 * `unif:min=0.9ms,max=1.1ms`). A rule without PEERS applies to every peer.
 * A message to a peer is held for the sum of one sample of every rule that
 * applies to it, so a service-wide delay and a per-link delay add up.
 * netdelay_match() resolves which rules apply to one peer once, when a
 * connection is made; the request path only samples them.
 * A delay queue keeps one connection's release marks: "the output stream up
 * to byte `upto` may be sent from time `due`". Marks are pushed in stream
 * order and their release times never decrease: on a TCP connection a later
 * message is never delivered before an earlier one, so an emulated link
 * must keep that order too (jitter then delays, never reorders).
 * Ownership: the rule list owns its rules; a queue owns its marks.
 * Threads: a rule list is read-only after parsing (shared by all workers);
 * a queue belongs to one connection of one thread.
 * Errors: netdelay_add() returns -EINVAL with e saying which part is wrong. */
#ifndef MW_NET_NETDELAY_H
#define MW_NET_NETDELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net/allowlist.h"
#include "spec/rng.h"
#include "spec/spec.h"
#include "util/err.h"

/* Rules per node: a mask of them fits one word. */
#define NETDELAY_MAX_RULES 64

struct netdelay_rule {
	struct allowlist peers;  /* which peers; unused when all */
	bool all;                /* no PEERS=: every peer */
	struct spec *delay;      /* duration, microseconds */
};

struct netdelay {
	struct netdelay_rule *rules;
	size_t n;
};

void netdelay_init(struct netdelay *d);
void netdelay_free(struct netdelay *d);
/* Adds one rule, "[PEERS=]SPEC". */
int netdelay_add(struct netdelay *d, const char *text, struct err *e);
/* Bit i set: rule i applies to a peer at sa. 0: messages to it are not held. */
uint64_t netdelay_match(const struct netdelay *d, const struct sockaddr *sa);
/* How long to hold one message: the sum of a sample of each rule in mask,
 * in ns, at least 0. `index` numbers the samples (for sequence specs). */
int64_t netdelay_sample_ns(const struct netdelay *d, uint64_t mask, struct rng *r, uint64_t index);

struct delay_mark {
	uint64_t upto;           /* stream bytes before this may go ... */
	int64_t due;             /* ... from this CLOCK_MONOTONIC ns */
};

struct delay_queue {
	struct delay_mark *v;    /* ring of cap entries */
	size_t head, n, cap;
	int64_t last_due;        /* due of the newest mark: order is kept */
	uint64_t released;       /* stream bytes released so far */
	uint32_t epoch;          /* bumped by every reset: tells stale timers apart */
};

void delay_queue_init(struct delay_queue *q);
void delay_queue_free(struct delay_queue *q);
/* Forgets every mark (a connection that closes or is reused) and starts a
 * new epoch. */
void delay_queue_reset(struct delay_queue *q);
/* Bytes up to upto become sendable at max(due, the previous mark's due).
 * Returns true when this is the only pending mark: the owner must then arm
 * a timer for delay_queue_next(). */
bool delay_queue_push(struct delay_queue *q, uint64_t upto, int64_t due);
/* Releases every mark due by `now`; returns q->released afterwards. */
uint64_t delay_queue_release(struct delay_queue *q, int64_t now);
/* The due time of the oldest pending mark; false when none is pending. */
bool delay_queue_next(const struct delay_queue *q, int64_t *due);

#endif
