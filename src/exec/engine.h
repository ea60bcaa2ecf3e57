/* engine.h -- a node worker's request engine: every request in progress, and
 * everything that moves it on, with no transport in it.
 *
 * Contract: a front end (the native TCP protocol, UDP datagrams, and later
 * HTTP and gRPC) parses a request, checks it, and calls engine_start() with
 * its program and an origin that says how to answer. The engine walks the
 * program (exec.h), forwards sub-programs with quorum, timeouts and retries,
 * hands LOAD/STORE to storage and waits for it, parks a SLEEP on a timer
 * (the worker serves other requests meanwhile), and answers exactly once
 * through the origin's front end: the REPLY the program asks for, a file
 * reply, or an error reply with a status and a text. It reaches the outside
 * only through struct engine_io (forward, cancel, storage, timer, clock),
 * which the worker provides and unit tests fake.
 *
 * Cost: before a request runs, engine_start() computes what its whole tree of
 * requests may cost (COMPUTE time, forwarded requests, bytes sent, hops;
 * nested fan-outs multiply, retries count as extra attempts) and refuses it
 * with WIRE_ERR_LIMIT when that is over the request's budget: the node's own
 * (engine_config.budget), or the smaller one a forwarding node carried with
 * it. Each forwarded request carries the cost of its own sub-program plus an
 * equal share of the slack, so no sub-tree can spend more than its parent
 * had; a route request's program is unknown to its sender and lives on the
 * slack and the hop count. docs/security.md has the arithmetic.
 *
 * Retries: an attempt that fails before its timeout does not retry at once:
 * the next attempt starts when the failed one's window (its timeout) ends, so
 * retry=N, timeout=T covers about (N+1)*T of a target's absence, and a
 * refused connect can never loop. Retries go through the timer, never
 * recursively. Frames of an attempt that timed out or is retried are
 * cancelled (io.cancel): the transport drops them if they have not left.
 *
 * Ids: forward ids and timer keys carry (task slot, generation, attempt), so
 * a late reply or a stale timer of a finished or re-used task is ignored.
 * Ownership: the engine owns its tasks and copies the program it is given;
 * the config, io and front ends are borrowed and outlive it.
 * Threads: one engine per worker thread, used by that thread only.
 * Errors: none returned; every failure becomes the request's error reply. */
#ifndef MW_EXEC_ENGINE_H
#define MW_EXEC_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "exec/exec.h"
#include "net/allowlist.h"
#include "proto/wire.h"
#include "spec/rng.h"
#include "storage/storage.h"

/* Budgets are struct wire_budget (proto/wire.h): what a request and every
 * request it causes may still cost: COMPUTE time summed over every node of
 * the tree, forwarded requests (each attempt to each target), bytes sent
 * (forwarded frames and replies), and hops (route cycles end there). */

struct engine_task;
struct engine_origin;

/* How a front end answers. `reply` is called exactly once per request unless
 * `reply_file` is (front ends that cannot send a file leave it NULL: the
 * engine answers with an error instead). */
struct engine_front {
	const char *name; /* "tcp", "udp", ... for messages */
	void *ctx;
	/* status WIRE_OK: a reply frame of `size` bytes; else an error text. */
	void (*reply)(void *ctx, const struct engine_origin *o, uint64_t req_id, uint16_t status,
		      const char *text, uint32_t text_len, uint64_t size);
	/* A reply whose data is `len` bytes of the storage file at `off`. */
	void (*reply_file)(void *ctx, const struct engine_origin *o, uint64_t req_id, uint64_t off,
			   uint64_t len);
};

/* Where a request came from, as its front end needs to answer it. */
struct engine_origin {
	const struct engine_front *front;
	void *conn;                   /* the front end's connection, or NULL */
	uint64_t tag;                 /* the front end's check on it (generation) */
	struct sockaddr_storage peer; /* datagram front ends: the sender */
	socklen_t peer_len;
	uint64_t frame_len;           /* bytes of the request as received */
	bool authenticated;           /* carried a valid tag */
};

/* One forwarded request for the transport. */
struct engine_send {
	const struct sockaddr_storage *to;
	socklen_t to_len;
	uint64_t id;                  /* echoed in the reply: engine_forward_reply() */
	bool route;                   /* sub is a route name */
	const uint8_t *sub;           /* the sub-program (or name) */
	uint32_t sub_len;
	uint64_t frame_size;          /* 0: minimal */
	const struct wire_budget *budget; /* what the target may spend */
	enum wire_transport via;      /* how to reach it (WIRE_VIA_HTTP: sub is a route name) */
	const struct wire_trace *trace;   /* the trace context it carries, or NULL */
	/* A target that names its host (wire_target_name()): the transport
	 * resolves it when it connects. `to` is then AF_UNSPEC, to_len 0. */
	const char *host;             /* host_len bytes, not NUL-terminated; NULL: by `to` */
	uint32_t host_len;
	uint16_t port;                /* the named target's port, host order */
};

struct engine_io {
	void *ctx;
	/* Queues s on a connection to s->to. Returns 0 and sets *peer (the handle
	 * replies and failures come back with), or a wire status
	 * (WIRE_ERR_FORWARD, WIRE_ERR_BUSY) with why filled (the whole text:
	 * "forward to ADDR failed: unreachable"). *msg names the queued frame
	 * for cancel(). */
	int (*forward)(void *ctx, const struct engine_send *s, void **peer, uint64_t *msg,
		       char *why, size_t why_len);
	/* The attempt that queued message `msg` (as forward() returned it) on
	 * peer is over: drop the frame if it has not started to leave. May be
	 * NULL. */
	void (*cancel)(void *ctx, void *peer, uint64_t msg);
	/* Hands r to the storage thread; its completion comes back through
	 * engine_storage_done() on the engine's thread. */
	void (*storage)(void *ctx, struct storage_req *r);
	/* Calls engine_timer(key) at `deadline` (or later). */
	void (*timer)(void *ctx, int64_t deadline, uint64_t key);
	int64_t (*now)(void *ctx);
};

struct engine_config {
	const struct wire_limits *limits;
	const struct allowlist *allow;
	const char *allow_name;       /* how refusals name the allow-list */
	uint64_t forward_timeout_us;  /* per attempt, when the FORWARD says 0 */
	uint32_t max_retries;         /* retries one FORWARD may ask for */
	struct wire_budget budget;  /* a request's budget (and the cap of a carried one) */
	bool has_storage;
	const char *self;             /* this node's address, for messages */
};

/* Counters, added to by the engine's thread. */
struct engine_stats {
	uint64_t requests;          /* requests started (counter_inc: SIGUSR1 reads it live) */
	uint64_t forwards;          /* forward messages sent (per target and attempt) */
	uint64_t forward_failures;  /* targets that failed (connect, reset, error reply) */
	uint64_t forward_timeouts;  /* forward attempts that timed out */
	uint64_t forward_busy;      /* forwards refused at once: a peer's queue was full */
	uint64_t retries;           /* attempts after the first */
	uint64_t forward_refused;   /* requests refused: a target not in --allow-forward */
	uint64_t over_budget;       /* requests refused: their tree costs more than the budget */
	uint64_t limit_violations;  /* requests refused: beyond another node limit */
	uint64_t storage_errors;    /* LOAD / STORE / file replies that failed */
	uint64_t sleeps;            /* SLEEPs waited (on a timer, off the CPU) */
	struct exec_stats exec;     /* COMPUTE / SKIP counters */
};

struct engine;

struct engine *engine_create(const struct engine_config *cfg, const struct engine_io *io,
			     struct rng *rng, struct engine_stats *st);
void engine_destroy(struct engine *e);

/* Starts a request: copies prog (a program that passed wire_prog_check()),
 * checks its cost against `carried` (NULL: the node's budget) and runs it
 * until it waits or is answered. */
void engine_start(struct engine *e, const struct engine_origin *o, uint64_t req_id,
		  const uint8_t *prog, uint32_t prog_len, const struct wire_budget *carried);

/* A request that carried a trace context (docs/tracing.md): the context,
 * and the route it named (the SERVER span's name), if any. */
struct engine_trace_in {
	const struct wire_trace *ctx;
	const char *route;
	uint32_t route_len;
};

/* engine_start() for a request with a trace context (tr NULL: none). A
 * sampled context is recorded into the ring engine_set_trace() gave (none:
 * nothing is recorded); any context is passed on to the request's forwards. */
void engine_start_traced(struct engine *e, const struct engine_origin *o, uint64_t req_id,
			 const uint8_t *prog, uint32_t prog_len, const struct wire_budget *carried,
			 const struct engine_trace_in *tr);

struct trace_ring;
/* Where this engine records spans (the worker's ring; NULL: nowhere). */
void engine_set_trace(struct engine *e, struct trace_ring *ring);

/* A reply to forward `id` arrived on peer. */
void engine_forward_reply(struct engine *e, void *peer, uint64_t id, uint16_t status,
			  const char *text, uint32_t text_len);
/* The connection behind peer failed: every target waiting on it has; why
 * is the whole text of their error ("forward to ADDR failed: ..."). */
void engine_peer_failed(struct engine *e, void *peer, const char *why);
/* The same with another status than WIRE_ERR_FORWARD (a named target whose
 * address the allow-list refuses: WIRE_ERR_REFUSED). */
void engine_peer_failed_status(struct engine *e, void *peer, uint16_t status, const char *why);
/* A timer the engine asked for fired. */
void engine_timer(struct engine *e, uint64_t key);
/* A storage request the engine handed out completed. */
void engine_storage_done(struct engine *e, struct storage_req *r);

/* Requests in progress. */
uint32_t engine_active(const struct engine *e);

/* The cost of running prog (every level, every attempt). */
void engine_cost(const uint8_t *prog, uint32_t len, struct wire_budget *cost);

/* The node's default budget (docs/security.md). */
extern const struct wire_budget engine_default_budget;

#endif
