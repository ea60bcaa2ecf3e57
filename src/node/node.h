/* node.h -- the meshwalk node: a generic server that runs request programs.
 *
 * Contract: node_run() binds the listening socket(s) of every address (-b is
 * repeatable: TCP and UDP addresses side by side), starts `threads` worker
 * threads and serves until SIGINT or SIGTERM, then stops the workers, writes
 * the counters (stderr line, and JSON to stats_file when set) and returns.
 * Each worker owns its connections, its forward connections to other nodes
 * and its tasks (requests in progress); nothing is shared on the request path.
 * Accept modes (DistWalk's): CHILD gives every worker its own SO_REUSEPORT
 * listener; SHARED lets every worker accept from one listener (EPOLLEXCLUSIVE);
 * PARENT accepts in the main thread and hands each connection to a worker
 * round-robin through a queue and an eventfd.
 * A malformed or oversized frame closes that connection (logged, counted);
 * a request the node cannot complete gets an error reply; other connections
 * are never affected.
 * Tuning (DistWalk's dw_node options): every worker runs the configured event
 * loop back end, busy-polls it instead of sleeping when wait_spin is set, and
 * before serving pins itself to its core and takes the scheduling policy; a
 * worker that cannot do so stops the node before it listens for requests, so
 * a refused privilege is a start-up error, never a silently different run.
 * Worker threads are named "dwn_conn_N" (top -H, /proc/PID/task/TID/comm), as
 * DistWalk's are, so scripts that look threads up by name find them.
 * Storage (LOAD, STORE, sendfile replies) goes through one storage thread
 * ("dwn_stor_0", storage/storage.h) that owns the storage file; workers hand
 * it requests and go on serving. It stops after the workers.
 * Routes (node --route): a request that names a route runs the node's
 * template of that name, encoded per request with the worker's rng (seeded
 * from `seed`); an unknown name gets a WIRE_ERR_NO_ROUTE reply and the
 * connection stays open.
 * Ownership: the config is borrowed for the duration of node_run().
 * Threads: node_run() is called once, from the main thread, with SIGINT and
 * SIGTERM not yet blocked; it blocks them in all threads and waits for them.
 * Errors: returns 0 after a clean stop, or -errno / -EINVAL with `e` filled
 * when the node could not start. */
#ifndef MW_NODE_NODE_H
#define MW_NODE_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "net/allowlist.h"
#include "net/namelist.h"
#include "net/loop.h"
#include "net/netdelay.h"
#include "net/sock.h"
#include "net/tls.h"
#include "prog/route.h"
#include "proto/auth.h"
#include "proto/wire.h"
#include "util/cpulist.h"
#include "util/err.h"
#include "util/schedpol.h"

enum node_accept_mode {
	NODE_ACCEPT_CHILD = 1,
	NODE_ACCEPT_SHARED = 2,
	NODE_ACCEPT_PARENT = 3,
};

#define NODE_MAX_BINDS 16

struct node_config {
	struct sock_addr bind;          /* the first address (names the node in messages) */
	struct sock_addr binds[NODE_MAX_BINDS]; /* every address to listen on (-b, repeatable) */
	int nbinds;                     /* >= 1 */
	int threads;                    /* worker threads, >= 1 */
	enum node_accept_mode accept_mode;
	int backlog;                    /* listen() backlog */
	bool nodelay;                   /* TCP_NODELAY on every connection */
	uint64_t forward_timeout_us;    /* default per-attempt forward timeout */
	uint64_t seed;                  /* RNG seed for SKIP probabilities */
	struct wire_limits limits;      /* what a request may ask for */
	const char *port_file;          /* write the bound port here, or NULL */
	const char *stats_file;         /* write JSON counters here on exit, or NULL */
	bool quiet;                     /* no start/stop lines on stderr */
	enum loop_backend poll_mode;    /* workers' event loop back end (default epoll) */
	bool wait_spin;                 /* workers poll the loop without sleeping */
	struct schedpol sched;          /* workers' policy (SCHEDPOL_NONE: inherited) */
	bool affinity_auto;             /* pin workers to the first allowed cores */
	struct cpulist affinity;        /* worker i on cpu[i % n]; n == 0: not pinned */
	uint64_t loops_per_usec;        /* COMPUTE: 0 = spin on the clock, else loops */
	const char *storage_path;       /* NULL: anonymous temporary file */
	uint64_t storage_max_size;      /* offsets wrap here */
	bool storage_odirect;           /* O_DIRECT */
	uint32_t storage_sync_ms;       /* psync period */
	uint64_t max_io_size;           /* largest LOAD / STORE / sendfile reply */
	struct allowlist allow;         /* forward targets allowed (owned) */
	bool allow_is_default;          /* allow holds allowlist_default() */
	struct namelist allow_names;    /* host names forwards may look up (owned) */
	bool names_is_default;          /* allow_names holds namelist_default() */
	uint64_t max_conns;             /* client connections open at once */
	uint32_t max_retries;           /* retries one FORWARD may ask for */
	struct wire_budget budget;      /* what one request's tree may cost (exec/engine.h) */
	uint64_t max_peer_queue;        /* bytes queued to one forward target */
	uint64_t max_queued;            /* bytes queued to all forward targets */
	uint32_t max_peers;             /* forward connections per worker */
	uint64_t frame_timeout_ms;      /* a started frame must complete within this */
	bool udp_amplify;               /* UDP replies may be larger than their request */
	struct auth_key auth;           /* len 0: no authentication */
	struct netdelay net_delay;      /* --net-delay: how long sent messages are held (owned) */
	struct route_table routes;      /* installed routes (owned), sampled with seed */
	struct tls_config tls;          /* --ssl-*: ssl:// and https:// addresses, ssl:// forwards */
	const char *trace_out;          /* --trace-out: spans of sampled requests (OTLP JSON), or NULL */
	const char *otlp_endpoint;      /* --otlp-endpoint: OTLP/HTTP JSON collector, or NULL */
	const char *service_name;       /* --service-name: the spans' service.name, or NULL */
	struct trace_export *tracer;    /* node_run's: one ring per worker (trace/export.h) */
};

/* Defaults; node_config_free() releases what they allocate. */
void node_config_defaults(struct node_config *c);
void node_config_free(struct node_config *c);

int node_run(const struct node_config *c, struct err *e);

#endif
