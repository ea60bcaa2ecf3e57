/* worker_int.h -- what the files of a node worker share (private to src/node).
 *
 * Contract: a worker is split by concern, all on one thread: worker.c (the
 * loop, accept, lifecycle and timers), worker_io.c (a connection's output,
 * and the reads and writes io_uring does for it), front_wire.c
 * (the native protocol over TCP: frames, authentication, routes, whole frames
 * before start, frame deadlines), front_udp.c (one request per datagram, the
 * amplification bound) and peer.c (pooled forward connections, hashed and
 * bounded, their queues capped, and the engine's io). Requests run in the
 * worker's engine (exec/engine.h); nothing here is used by another thread but
 * worker_hand_off() / worker_stop() (worker.h) and peer.c's node-wide queue
 * counter (a relaxed atomic). */
#ifndef MW_NODE_WORKER_INT_H
#define MW_NODE_WORKER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "exec/engine.h"
#include "net/loop.h"
#include "net/timer.h"
#include "util/clock.h"
#include "node/conn.h"
#include "node/worker.h"
#include "proto/http1.h"

#define SCRATCH_LEN (64 * 1024)
/* "node ADDR: MESSAGE" always fits, so snprintf's count is the length sent. */
#define NODE_MSG_LEN (sizeof "node : " + SOCK_ADDR_STRLEN + ERR_MSG_LEN)
#define MAX_EVENTS 128
#define ACCEPT_BATCH 64
#define UDP_BATCH 64
#define PEER_BUCKETS 4096 /* a power of two */

/* A client connection with this much output queued is not read from until
 * it drains: a client that never reads cannot make the node buffer without
 * bound. */
#define OUT_HIGH (1024 * 1024)

/* Timer keys: the engine's are below 2^44; the worker's carry a kind in the
 * top two bits, a connection index and a check value. */
#define TIMER_KIND_SHIFT 62
#define TIMER_DELAY (1ull << TIMER_KIND_SHIFT)
#define TIMER_FRAME (2ull << TIMER_KIND_SHIFT)
#define TIMER_H2 (3ull << TIMER_KIND_SHIFT)  /* a gRPC deadline: check = stream id */

/* A socket the worker accepts connections or datagrams on. */
struct listener {
	struct handle h;               /* H_LISTEN or H_UDP; first member */
	int fd;
	enum handle_kind conn_kind;    /* H_LISTEN: what its connections speak (H_CLIENT, H_HTTP) */
	uint32_t rx_dropped;           /* UDP: the kernel's drop count last seen */
	struct tls_ctx *tls;           /* H_LISTEN on ssl:// or https://: its context; else NULL */
};

/* A connection the accept thread (PARENT mode) hands to a worker. */
struct handoff {
	int fd;
	enum handle_kind kind;         /* H_CLIENT or H_HTTP */
	struct tls_ctx *tls;           /* TLS first (ssl://, https://), else NULL */
};

/* The last HTTP/1.1 response head a worker formatted, kept with the fields
 * it came from (those front_http.c varies): a load tool's responses repeat,
 * so the head is copied while they stay the same. len 0: none. */
struct http_head_cache {
	int status;
	uint64_t content_length;
	const char *content_type;      /* compared by address: front_http.c's literals */
	bool keep_alive, http10;
	size_t len;
	char head[128];
};

struct worker {
	const struct node_config *cfg;
	int index;
	pthread_t thread;
	struct loop *loop;
	struct listener listeners[NODE_MAX_BINDS]; /* H_LISTEN: TCP (none in PARENT mode) */
	int nlisteners;
	int reserve_fd;                /* closed to accept-and-drop at EMFILE */
	struct listener udps[NODE_MAX_BINDS]; /* H_UDP: this worker's UDP sockets */
	int nudps;
	struct handle wake_h;          /* H_WAKE */
	int wake_fd;                   /* eventfd: hand-off and stop */
	atomic_bool stop;
	pthread_mutex_t start_lock;    /* guards start_rc, start_err */
	pthread_cond_t start_cond;
	int start_rc;                  /* 1 while setting up, then 0 or -errno */
	struct err start_err;          /* why the set-up failed */
	pthread_mutex_t handoff_lock;  /* guards handoff[] */
	struct handoff *handoff;       /* connections given by the accept thread */
	size_t nhandoff, handoff_cap;
	struct conn **all_conns;       /* every conn ever allocated, for teardown */
	size_t nall_conns;
	struct conn *free_conns;
	struct conn *retired;          /* closed in this batch of events: reused after it */
	struct conn *flush_list;
	struct conn **peers;           /* pooled peer connections */
	size_t npeers;
	uint32_t peer_hash[PEER_BUCKETS]; /* index + 1 into peers, chained by hash_next */
	struct timer_heap timers;
	struct clock_lead timer_lead;  /* how early a sleep for a timer asks to wake */
	struct rng rng;
	struct storage *storage;       /* the node's; NULL: storage ops unsupported */
	pthread_mutex_t done_lock;     /* guards done */
	struct storage_req *done;      /* completed storage requests (newest first) */
	uint8_t *scratch;              /* SCRATCH_LEN read buffer */
	struct wire_buf route_prog;    /* the program of the route request being started */
	struct wire_buf fwd_body;      /* budget block + sub-program of a forward */
	char self[SOCK_ADDR_STRLEN];   /* this node, for error messages */
	uint64_t delay_samples;        /* --net-delay samples drawn, their index */
	struct engine *engine;
	struct engine_config ecfg;
	struct engine_io io;
	struct engine_front front_tcp, front_udp, front_http;
	struct engine_front front_h2;
	char http_text[4097];          /* an HTTP request's inline program, decoded */
	struct wire_buf root_prog;     /* HTTP GET /'s program, once root_ok (front_req.c) */
	bool root_ok;                  /* root_prog is encoded and within the limits */
	struct http_head_cache http_head; /* the last HTTP response head (front_http.c) */
	struct worker_stats st;
	struct tls_lazy *tls_client;   /* TLS forwards (made by the first one) */
	struct resolver *resolver;     /* forwards' host names (peer_name.c); NULL until one */
};

/* worker.c */
void conn_close(struct worker *w, struct conn *c, const char *why);
/* Reads what c has into w->scratch (counted in bytes_in for clients): the
 * byte count, or 0 when there is nothing now or c was closed (EOF, error). */
ssize_t conn_recv(struct worker *w, struct conn *c);
struct conn *conn_by_timer(struct worker *w, uint64_t key);
struct conn *conn_new(struct worker *w, enum handle_kind kind, int fd);
uint64_t conn_timer_key(uint64_t kind, const struct conn *c, uint32_t check);
void conn_flush(struct worker *w, struct conn *c);
void conn_frame_queued(struct worker *w, struct conn *c);
void conn_queue_frame(struct worker *w, struct conn *c, uint8_t type, uint16_t status,
		      uint64_t id, uint32_t flags, const void *body, uint32_t body_len,
		      uint64_t frame_size);
void conn_queue_reply(struct worker *w, struct conn *c, uint16_t status, uint64_t id,
		      const void *text, uint32_t text_len, uint64_t frame_size);
void conn_mark_dirty(struct worker *w, struct conn *c);

/* worker_io.c: conn_flush() above, and flushes every connection marked
 * dirty; makes the connections closed during a batch of events reusable
 * (after the batch, so a later event of the batch never reaches a new
 * connection); handles an event of an io connection (c->io: LOOP_RECV,
 * LOOP_SENT, or readiness for a segment). */
void worker_flush_dirty(struct worker *w);
void worker_reuse_retired(struct worker *w);
void worker_io_event(struct worker *w, struct conn *c, const struct loop_event *e);

/* front_wire.c */
void front_wire_frame_timer(struct worker *w, uint64_t key);
void front_wire_readable(struct worker *w, struct conn *c);
/* Bytes c received (read by front_wire_readable() or the loop). */
void front_wire_input(struct worker *w, struct conn *c, const uint8_t *data, size_t n);
void front_wire_resume(struct worker *w, struct conn *c);
void front_start_request(struct worker *w, struct conn *c, struct engine_origin *o,
			 const struct wire_hdr *h, const uint8_t *body);
void front_wire_reply(void *ctx, const struct engine_origin *o, uint64_t req_id, uint16_t status,
		      const char *text, uint32_t text_len, uint64_t size);
void front_wire_reply_file(void *ctx, const struct engine_origin *o, uint64_t req_id,
			   uint64_t off, uint64_t len);
void front_wire_arm_frame_timer(struct worker *w, struct conn *c);

/* front_udp.c */
void front_udp_readable(struct worker *w, struct listener *u);
void front_udp_send(struct worker *w, const struct engine_origin *o, uint16_t status,
		    uint64_t id, const char *text, uint32_t text_len, uint64_t frame_size);
void front_udp_reply(void *ctx, const struct engine_origin *o, uint64_t req_id, uint16_t status,
		     const char *text, uint32_t text_len, uint64_t size);

/* peer.c */
void node_io_drain_storage(struct worker *w);
void peer_fail(struct worker *w, struct conn *p, const char *why, bool tell);
/* The same with another status for the forwards it fails (WIRE_ERR_REFUSED). */
void peer_fail_status(struct worker *w, struct conn *p, uint16_t status, const char *why,
		      bool tell);
/* Opens p's connection to p->addr (a new socket, connect in progress); 0,
 * or -1 with *status and why filled. */
int peer_connect(struct worker *w, struct conn *p, int *status, char *why, size_t why_len);
void peer_on_reply(struct worker *w, struct conn *p, const struct wire_hdr *h,
		   const uint8_t *text);
void peer_on_writable(struct worker *w, struct conn *p);
void peer_account(struct conn *p, uint64_t *accounted);
/* The target's "host:port" in p->name, after its scheme (Host, :authority). */
const char *peer_authority(const struct conn *p);
int node_io_forward(void *ctx, const struct engine_send *s, void **peer, uint64_t *msg,
		    char *why, size_t why_len);
void node_io_cancel(void *ctx, void *peer, uint64_t msg);
void node_io_storage(void *ctx, struct storage_req *r);
void node_io_timer(void *ctx, int64_t deadline, uint64_t key);
int64_t node_io_now(void *ctx);

/* front_http.c */
void front_http_readable(struct worker *w, struct conn *c);
/* Bytes c received (read by front_http_readable() or the loop). */
void front_http_input(struct worker *w, struct conn *c, const uint8_t *data, size_t n);
void front_http_resume(struct worker *w, struct conn *c);
void front_http_reply(void *ctx, const struct engine_origin *o, uint64_t req_id, uint16_t status,
		      const char *text, uint32_t text_len, uint64_t size);
/* Frees c's HTTP state (its connection closed or the worker ends). */
void front_http_release(struct conn *c);
/* Whether c is in the middle of a request (for the frame deadline), and
 * whether its ring of pipelined requests is full (reading waits). */
bool front_http_mid_request(const struct conn *c);
bool front_http_blocked(const struct conn *c);

/* peer_http.c: forwards to http:// targets over pooled HTTP/1.1 connections.
 * attach makes p an HTTP peer (or, http false, a native one again); queue
 * writes forward s as an HTTP request; reset forgets what was in flight (the
 * connection is gone); release frees the HTTP state (teardown). */
void peer_http_attach(struct conn *p, bool http);
void peer_http_queue(struct worker *w, struct conn *p, const struct engine_send *s);
void peer_http_readable(struct worker *w, struct conn *p);
void peer_http_reset(struct conn *p);
void peer_http_release(struct conn *p);
/* Requests of HTTP peer p waiting for their answers. */
uint64_t peer_http_waiting(const struct conn *p);
/* meshwalk's status for an HTTP status that is not a success. */
uint16_t http_wire_status(int http_status);
/* peer_h2.c: forwards to h2c:// and grpc:// targets (grpcs://, and https://
 * once ALPN chose h2), the streams of one HTTP/2 connection per target.
 * attach makes p such a peer (or, another via, not one); queue opens forward s's stream; reset forgets the session
 * (the connection is gone: the next forward starts a new one); release
 * frees the state (teardown). */
void peer_h2_attach(struct conn *p, enum wire_transport via);
/* 0, or -1 with why filled: p cannot take another stream (fail it). */
int peer_h2_queue(struct worker *w, struct conn *p, const struct engine_send *s, char *why,
		  size_t why_len);
void peer_h2_readable(struct worker *w, struct conn *p);
void peer_h2_reset(struct conn *p);
void peer_h2_release(struct conn *p);
/* The x-meshwalk-budget field an HTTP forward carries (64 hex digits of the
 * native budget block), written and read back (0, or a negative wire status
 * with e filled). */
void http_budget_format(const struct wire_budget *b, char out[2 * WIRE_BUDGET_LEN + 1]);
int http_budget_parse(const char *v, size_t len, struct wire_budget *b, struct err *e);
/* peer_tls.c: forwards to https:// and grpcs:// targets. offer sets the
 * ALPN list of p's new TLS connection (https://: h2, http/1.1; grpcs://:
 * h2); ready, at the end of its handshake, makes p speak what ALPN chose
 * and writes the forwards held meanwhile (false: p failed, e.g. a grpcs://
 * target that did not choose h2). holding: whether a forward to p must be
 * held (an https:// peer whose handshake is not done), and hold copies it.
 * reset drops what is held (p failed: the engine fails them); release
 * frees it (teardown). */
void peer_tls_offer(struct conn *p);
bool peer_tls_ready(struct worker *w, struct conn *p);
bool peer_tls_holding(const struct conn *p);
void peer_tls_hold(struct conn *p, const struct engine_send *s);
void peer_tls_reset(struct conn *p);
void peer_tls_release(struct conn *p);
/* front_tls.c: TLS connections of ssl:// and https:// addresses (their
 * handshake, bounded by --frame-timeout, then the front end that speaks
 * over it: by ALPN, else the address's own) and the handshakes of ssl://
 * forwards. */
void front_tls_accepted(struct worker *w, struct conn *c, struct tls_ctx *ctx);
void front_tls_event(struct worker *w, struct conn *c);
/* Whether c is a client still in its handshake (for the deadline). */
bool front_tls_handshaking(const struct conn *c);
/* A peer's connect() is done: starts TLS on it when its target is ssl://
 * (0), or fails (-errno, the peer failed). */
int front_tls_peer_connected(struct worker *w, struct conn *p);
/* Drives a peer's handshake; false when the peer failed. */
bool front_tls_peer_handshake(struct worker *w, struct conn *p);
/* front_h2.c: HTTP/2 on a client connection (front_h2.h has the rest).
 * front_h2_attach() starts a server session on a connection that exists
 * (queues the server's SETTINGS): add_client() for h2c:// and grpc://
 * addresses, and the hook for TLS with ALPN "h2" (the caller then feeds
 * the decrypted bytes to front_h2_input(); the session's output goes into
 * c's output stream, pulled by front_h2_pump(), which conn_flush() calls for
 * every connection with c->h2). front_h2_readable(): recv() and input, for
 * plain H_H2 connections. front_h2_upgrade(): an HTTP/1.1 request that asked
 * for h2c becomes stream 1 (its 101 answer is written; -1: a bad
 * HTTP2-Settings, nothing written, answer in HTTP/1.1). */
struct front_decision;
void front_h2_attach(struct worker *w, struct conn *c);
void front_h2_input(struct worker *w, struct conn *c, const uint8_t *data, size_t len);
void front_h2_readable(struct worker *w, struct conn *c);
/* Moves the session's bytes into c's output (up to OUT_HIGH); whether any
 * moved. Marks c closing when the session is over (GOAWAY sent). */
bool front_h2_pump(struct worker *w, struct conn *c);
void front_h2_release(struct conn *c);
/* Whether a request of c has begun and not ended (the frame deadline,
 * --frame-timeout, applies as to an HTTP/1.1 request). */
bool front_h2_mid_request(const struct conn *c);
void front_h2_reply(void *ctx, const struct engine_origin *o, uint64_t req_id, uint16_t status,
		    const char *text, uint32_t text_len, uint64_t size);
int front_h2_upgrade(struct worker *w, struct conn *c, struct http1_span settings, bool head,
		     const struct front_decision *d, const struct wire_buf *prog);
/* front_grpc.c: a TIMER_H2 key fired (a gRPC deadline). */
void front_grpc_timer(struct worker *w, uint64_t key);

/* peer_name.c: forwards to targets that name their host. entry makes p
 * such a peer (its name and port, no address yet); open resolves the name
 * (from the resolver's cache, or a lookup that runs off the loop: p then
 * waits, resolving, with its output queued) and connects, or fails (NULL,
 * *status and why filled); drain moves on the peers whose lookups ended
 * (the worker's wake-up); release frees the resolver (teardown). */
void peer_name_entry(struct conn *p, const struct engine_send *s);
struct conn *peer_open_named(struct worker *w, struct conn *p, int *status, char *why,
			     size_t why_len);
void peer_name_drain(struct worker *w);
void peer_name_release(struct worker *w);

/* front_wire.c: the program of route `name` into out; 0, or a negative wire
 * status (-WIRE_ERR_NO_ROUTE, -WIRE_ERR_MALFORMED, -WIRE_ERR_LIMIT) with e
 * filled. */
int front_encode_route(struct worker *w, const uint8_t *name, uint32_t name_len,
		       struct wire_buf *out, struct err *e);

#endif
