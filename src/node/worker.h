/* worker.h -- one node worker thread: its loop, connections and tasks.
 *
 * Contract: a worker serves the connections it accepted or was handed, runs
 * their requests' programs, forwards sub-programs to other nodes over pooled
 * connections it owns, hands LOAD/STORE to the node's storage thread (the
 * task waits; the thread's completions come back through the worker's
 * eventfd) and sends sendfile() replies straight from the storage file, and answers every request it parsed: with the REPLY the
 * program asks for, or with an error reply (forward failed or timed out,
 * unsupported op). Frames that fail validation close their connection.
 * Ownership: worker_create() copies nothing from the node config but points
 * to it; the config outlives the worker.
 * Threads: worker_thread() runs the loop; worker_hand_off() and worker_stop()
 * are the only calls other threads make (they go through a queue + eventfd).
 * worker_start() returns once the thread has named itself, taken its core
 * and its scheduling policy, or failed to (then the thread has ended).
 * Internal to src/node. */
#ifndef MW_NODE_WORKER_H
#define MW_NODE_WORKER_H

#include <pthread.h>
#include <stdint.h>

#include "exec/engine.h"
#include "node/node.h"
#include "storage/storage.h"
#include "util/counter.h"

/* Counters of one worker, read by the main thread after join. The worker
 * updates accepted, closed, replies, error_replies, orphaned and
 * eng.requests with counter_inc() (util/counter.h): SIGUSR1's STATS lines read
 * them while it runs. */
struct worker_stats {
	uint64_t accepted;          /* connections accepted or handed over */
	uint64_t closed;            /* client connections closed */
	uint64_t bytes_in;          /* bytes received from clients */
	uint64_t replies;           /* successful replies sent */
	uint64_t error_replies;     /* error replies sent */
	uint64_t malformed;         /* connections closed for bad frames */
	uint64_t orphaned;          /* tasks whose client left before the reply */
	uint64_t udp_send_drops;    /* UDP replies the socket refused (buffer full) */
	uint64_t udp_amplification_refused; /* UDP replies cut to their request's size */
	uint64_t udp_rx_drops;      /* datagrams the kernel dropped: receive buffer full */
	uint64_t http_requests;     /* HTTP requests read (answered or not) */
	uint64_t limit_violations;  /* frames refused: beyond a size limit */
	uint64_t refused_conns;     /* connections closed at once: --max-conns, out of fds */
	uint64_t auth_failures;     /* frames without the right tag (--auth-key-file) */
	uint64_t frame_timeouts;    /* connections closed: a frame did not complete in time */
	uint64_t cancelled_bytes;   /* bytes of cancelled forwards dropped before leaving */
	uint64_t peer_evictions;    /* idle forward connections closed at --max-peers */
	uint64_t tls_handshakes;    /* TLS handshakes completed (clients and forwards) */
	uint64_t tls_failures;      /* TLS handshakes failed or timed out (--frame-timeout) */
	uint64_t h2_requests;       /* HTTP/2 requests (streams) read, gRPC ones included */
	uint64_t grpc_requests;     /* gRPC requests read */
	uint64_t h2_resets;         /* HTTP/2 streams the client reset (RST_STREAM) */
	uint64_t name_lookups;      /* forward connections that waited for a name lookup */
	uint64_t names_refused;     /* forwards refused: host name not in --allow-names */
	uint64_t ring_sends;        /* sends completed through io_uring (--poll-mode io_uring) */
	struct engine_stats eng;    /* requests, forwards, budgets, COMPUTE (exec/engine.h) */
};

struct worker;

/* The sockets a worker serves, one per address of the node (-b): TCP
 * listeners (its own in CHILD mode, the shared one in SHARED, none in PARENT)
 * and UDP sockets (udp:// addresses). The worker does not close them. */
struct worker_sockets {
	int listen[NODE_MAX_BINDS];
	bool listen_http[NODE_MAX_BINDS]; /* its connections speak HTTP/1.1 */
	bool listen_h2[NODE_MAX_BINDS];   /* its connections speak HTTP/2 (h2c://, grpc://) */
	int nlisten;
	int udp[NODE_MAX_BINDS];
	int nudp;
	struct tls_ctx *listen_tls[NODE_MAX_BINDS]; /* ssl://, https://: its TLS context; else NULL */
	struct tls_lazy *tls_client; /* TLS forwards' client context, made on first use (shared) */
};

/* storage: the node's storage (shared by all workers), or NULL. Returns 0
 * or -errno with e filled. */
int worker_create(const struct node_config *c, int index, const struct worker_sockets *socks,
		  struct storage *storage, struct worker **out, struct err *e);
void worker_destroy(struct worker *w);
/* Starts / joins the worker's thread; worker_start returns 0 or -errno with
 * e filled. */
int worker_start(struct worker *w, struct err *e);
void worker_join(struct worker *w);
/* Gives a connected socket to the worker (PARENT accept mode); proto: the
 * kind of address it came on; tls: that address's TLS context (ssl://,
 * https://), else NULL. */
void worker_hand_off(struct worker *w, int fd, enum sock_proto proto, struct tls_ctx *tls);
/* The ALPN protocols an https:// address accepts, most preferred first
 * (the front ends that can take over a TLS connection); returns n. */
int worker_alpn_names(const char **names, int max);
void worker_stop(struct worker *w);
const struct worker_stats *worker_stats(const struct worker *w);

#endif
