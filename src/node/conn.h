/* conn.h -- a node connection's byte streams: what came in and has not made
 * a whole frame yet, and what goes out.
 *
 * Contract: output is one ordered stream counted in bytes appended
 * (out_total) and sent (out_sent). Small bytes are copied into `out`; large
 * zero padding and storage-file data are segments sent by reference
 * (send()/sendfile() from the file), so a 64 MiB reply costs no memory.
 * --net-delay holds the stream at `delayed.released`. On forward
 * connections every frame is marked (conn_mark_frame()), so a frame whose
 * attempt is over can be cancelled: it is dropped when it reaches the head of
 * the stream, before any of its bytes leave, and counted as if sent, so the
 * stream's offsets (segments, delay marks) never move.
 * Ownership: the conn owns its buffers, segments and marks.
 * Over TLS (c->tls) the same stream is encrypted instead of sent: bytes
 * count as sent once the TLS layer took them (net/tls.h), and segments are
 * copied through it (no sendfile()); the encrypted bytes waiting for the
 * socket are conn_tls_pending().
 * Through the loop's socket I/O (c->io: io_uring, plain TCP clients): the
 * buffered bytes go to the kernel as one loop_send() at a time, moved out of
 * `out` into `tx` first (the whole buffer swapped when it all goes, else
 * copied), so appending to `out` never moves what the kernel is reading;
 * they count as sent once handed over, and conn_queued() counts them until
 * the send completes (conn_io_sent()). Segments are sent directly, as
 * without, when no send is in flight. A conn closed with a send in flight
 * gives `tx`'s block to the loop (conn_io_detach()).
 * Threads: one worker thread.
 * Errors: conn_send() returns 0 (sent all it may, or the socket is full) or
 * -errno; allocation aborts on OOM. */
#ifndef MW_NODE_CONN_H
#define MW_NODE_CONN_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "net/iobuf.h"
#include "net/loop.h"
#include "net/netdelay.h"
#include "net/sock.h"
#include "proto/wire.h"

enum handle_kind {
	H_LISTEN = 1,
	H_WAKE = 2,
	H_CLIENT = 3,
	H_PEER = 4,
	H_UDP = 5,
	H_HTTP = 6,   /* a client connection speaking HTTP/1.1 */
	H_TLS = 7,    /* a client connection in its TLS handshake (then tls_after or ALPN's) */
	H_H2 = 8,     /* a client connection speaking HTTP/2 (h2c, gRPC; or TLS with ALPN h2) */
};

struct http_state;
struct http_peer;
struct tls;
struct h2_front;
struct peer_held;

struct handle {
	enum handle_kind kind;
};

/* Output not copied into conn.out: storage-file data or large zero padding,
 * sent once the stream has reached byte `at`. */
struct out_seg {
	uint64_t at;
	uint64_t off;                  /* file offset of the next byte */
	uint64_t len;                  /* bytes still to send */
	bool zeros;                    /* padding, not file data */
	struct out_seg *next;
};

/* A frame queued on a forward connection: [start, end) of the stream. */
struct frame_mark {
	uint64_t start, end;
	bool dead;                     /* cancelled: drop it before it starts */
};

/* A request whose header and program have arrived, waiting for the rest of
 * its frame (padding) before it may start. */
struct pending_req {
	struct wire_hdr hdr;
	uint8_t *body;                 /* prog_len bytes */
	uint32_t cap;
	bool waiting;
};

/* "grpc://" + a host name (253) + ":65535": a peer's name for messages,
 * whose part after the scheme is its Host / :authority. */
#define CONN_NAME_LEN 272

struct conn {
	struct handle h;               /* H_CLIENT or H_PEER; first member */
	int fd;                        /* -1 when closed */
	uint32_t gen;                  /* bumped on close: stale task references */
	struct iobuf in;               /* bytes of an incomplete frame */
	struct iobuf out;              /* bytes not yet sent */
	struct iobuf tx;               /* io: the bytes of the send in flight, else a spare */
	bool io;                       /* reads and writes through the loop (loop_has_io()) */
	bool tx_busy;                  /* io: a loop_send() of tx is in flight */
	uint64_t out_total, out_sent;  /* bytes ever appended to / sent from out */
	struct out_seg *segs;          /* pending segments, in stream order */
	struct out_seg **segs_tail;
	uint64_t seg_bytes;            /* bytes still to send in segs */
	unsigned interest;             /* LOOP_READ / LOOP_WRITE registered */
	uint64_t discard;              /* padding of the current frame still to drop */
	struct pending_req pending;    /* client: request waiting for its padding */
	struct http_state *http;       /* H_HTTP: parser and pipelined responses */
	uint32_t frame_seq;            /* client: frames begun, for the frame deadline */
	bool frame_timer;              /* client: a frame deadline timer is armed */
	bool closing;                  /* close once out is flushed */
	bool dirty;                    /* on the worker's flush list */
	bool connecting;               /* peer: connect() in progress */
	struct conn *next;             /* free list or flush list */
	struct sockaddr_storage addr;  /* peer: target address */
	socklen_t addrlen;
	uint32_t hash_next;            /* peer: next in its hash chain (index + 1), 0: end */
	uint64_t inflight;             /* peer: frames sent and not answered */
	char name[CONN_NAME_LEN];      /* remote address (peer: or host name) for messages */
	uint32_t idx;                  /* in the worker's table, for timer keys */
	uint64_t delay_mask;           /* --net-delay rules for this peer; 0: none */
	struct delay_queue delayed;    /* when held output may go (delay_mask != 0) */
	struct frame_mark *marks;      /* peer: ring of queued frames */
	uint64_t mark_head, mark_tail; /* sequence numbers: [head, tail) are queued */
	uint32_t mark_cap;             /* ring size (a power of two) */
	uint32_t dead_marks;           /* cancelled marks still queued */
	struct http_peer *hpeer;       /* peer reached over HTTP/1.1 (peer_http.c), or NULL */
	struct h2_peer *h2peer;        /* peer reached over HTTP/2 or gRPC (peer_h2.c), or NULL */
	struct tls *tls;               /* ssl://, https:// and ssl:// forwards; NULL: plain TCP */
	enum handle_kind tls_after;    /* H_TLS: what it speaks once the handshake is done */
	bool tls_peer;                 /* peer: its target is ssl://, https:// or grpcs:// */
	struct h2_front *h2;           /* HTTP/2 session (H_H2, or TLS with ALPN h2) */
	char *host;                    /* peer: its target's host name (owned), NULL: by address */
	uint16_t host_port;            /* peer with a host name: its port, host order */
	bool resolving;                /* peer: its name is being resolved (fd -1, output queued) */
	enum wire_transport via;       /* peer: how its target is reached */
	struct peer_held *held;        /* peer: https:// forwards waiting for ALPN (peer_tls.c) */
};

/* Padding up to this size is copied into conn.out; larger padding is a
 * segment. */
#define CONN_INLINE_PAD (64 * 1024)

/* Resets c for a new connection on fd, keeping its index, generation and
 * allocations. */
void conn_init(struct conn *c, enum handle_kind kind, int fd);
/* Drops every byte queued to send (and the marks). */
void conn_out_reset(struct conn *c);
/* Releases everything c owns (teardown). */
void conn_free_buffers(struct conn *c);

/* Bytes queued to send, buffered (and in flight) and segments. */
static inline uint64_t conn_queued(const struct conn *c)
{
	return iobuf_len(&c->out) + iobuf_len(&c->tx) + c->seg_bytes;
}

/* Appends a frame: header, body, tag, then pad zero bytes. */
void conn_append_frame(struct conn *c, const uint8_t *hdr, const void *body, uint32_t body_len,
		       const uint8_t *tag, uint32_t tag_len, uint64_t pad);
/* Appends raw bytes / n zero bytes (a segment when large) to the stream. */
void conn_append_bytes(struct conn *c, const void *p, size_t n);
void conn_append_zeros(struct conn *c, uint64_t n);
/* Appends a segment of file data at the current end of the stream. */
void conn_append_file(struct conn *c, uint64_t off, uint64_t len);

/* Marks the frame that ends at the current end of the stream and began at
 * `start`; returns its handle for conn_cancel_frame(). */
uint64_t conn_mark_frame(struct conn *c, uint64_t start);
/* Cancels frame `handle` if it is still queued and has not started. */
void conn_cancel_frame(struct conn *c, uint64_t handle);

/* Encrypted bytes waiting for the socket (TLS), 0 otherwise. */
size_t conn_tls_pending(const struct conn *c);

/* Whether some queued output may be sent now (not all of it held). */
bool conn_sendable(const struct conn *c);
/* Sends the stream until done, held, or the socket is full; file segments
 * come from file_fd. Returns 0 or -errno; *dropped gets the bytes of
 * cancelled frames skipped. */
int conn_send(struct conn *c, int file_fd, uint64_t *dropped);
/* The same for an io conn, through loop l: starts the next send unless one
 * is in flight, or sends segments directly (0 when the socket is full).
 * 0 or -errno. */
int conn_send_io(struct conn *c, struct loop *l, int file_fd, uint64_t *dropped);
/* An io conn's send completed with res (bytes, or -errno): 0 or -errno
 * (a 0-byte send is -EIO). What is left of tx goes with the next send. */
int conn_io_sent(struct conn *c, int res);
/* c's fd was removed from the loop (loop_del()) with a send in flight: the
 * loop took tx's block; c forgets it. */
void conn_io_detach(struct conn *c);

#endif
