/* client_int.h -- what the client's files share (private to client/):
 * a client thread's state and the functions one file calls in another.
 *
 * Contract: client.c handles a thread's replies and sends (accounting,
 * frames, waiting), threads.c runs the threads and their sessions
 * (client_run), outputs.c writes what they produce (per-request lines and
 * CSV rows, the summary and the JSON through results/). Everything here is
 * used by one client thread on its own struct cthread, except out_lock
 * (the shared output files), `interrupted` and stop_efd (set by the signal
 * watcher, read by every thread).
 * Threads: as each function says; none takes a lock but the output ones. */
#ifndef MW_CLIENT_CLIENT_INT_H
#define MW_CLIENT_CLIENT_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "client/client.h"
#include "client/ctrace.h"
#include "client/h2client.h"
#include "client/httpclient.h"
#include "proto/frame.h"
#include "results/status.h"
#include "spec/rng.h"
#include "stats/hist.h"
#include "trace/export.h"
#include "util/clock.h"

#define RING_BITS 16
#define RING_SIZE (1u << RING_BITS)
#define RX_BUF (256 * 1024)
#define OUT_FLUSH (60 * 1024)
#define ERRMSG_LEN 200

/* A request's end, in the CSV's words (results/status.h). */
enum req_status {
	REQ_OK = RESULTS_OK,
	REQ_ERROR = RESULTS_ERROR,     /* error reply */
	REQ_TIMEOUT = RESULTS_TIMEOUT, /* no reply within the timeout */
	REQ_LOST = RESULTS_LOST,       /* connection lost before the reply */
	REQ_UNSENT = RESULTS_UNSENT,   /* never sent (connect or send failed) */
};

struct slot {
	int64_t intended; /* intended send time */
	int64_t sent;     /* actual send time */
	bool done;        /* accounted for: reply, error, timeout or lost */
	bool traced;      /* sampled: its CLIENT span is recorded when it is done */
};

/* One buffered output stream (stdout text or the CSV file). */
struct out {
	FILE *f;                  /* NULL: this output is off */
	char *buf;                /* this thread's pending bytes */
	size_t len;
	bool each_line;           /* -i: flush after every line */
};

/* All threads connect their first session, then start one schedule together,
 * so no thread's first request is late by another's start-up. */
struct start {
	pthread_barrier_t barrier;
	int64_t t0; /* written by the barrier's serial thread before the 2nd wait */
};

/* One client thread: its connection, schedule, replies and results. */
struct cthread {
	const struct client_config *cfg;
	int index;
	pthread_t thread;
	struct start *start;
	int64_t t0;                  /* start of the schedule, for relative times */
	struct slot *ring;           /* RING_SIZE slots, indexed by seq */
	struct clock_waiter waiter;
	int tfd;                     /* timerfd: send times and request timeouts */
	int64_t armed;               /* what tfd is armed for; INT64_MAX: nothing */
	/* the current session */
	int fd;
	struct tls_ctx *tls_ctx;     /* ssl://: the run's context (shared), else NULL */
	struct tls *tls;             /* ssl://: this session's TLS, else NULL */
	uint64_t sess;
	uint64_t oldest;             /* oldest request not yet accounted for */
	uint64_t sent_end;           /* one past the last request sent */
	bool broken;                 /* the connection failed: send no more */
	/* reply input */
	uint8_t *rx;
	size_t rx_have;
	uint64_t rx_discard;         /* padding of the current reply still to drop */
	/* A reply is complete, and stamped, when its last byte has arrived: a
	 * padded reply's header waits here while its padding streams past. */
	struct wire_hdr rx_pending;
	bool rx_pending_set;
	uint8_t *rx_pending_text;    /* its error text (prog_len bytes), or NULL */
	/* request output: bytes [zero_from, zero_to) of the frame buffer are
	 * zero from earlier requests, so --ps padding is not rewritten each time */
	size_t zero_from, zero_to;
	/* results, read by client_run() after the join */
	struct hist *lat, *svc, *lag, *conn;
	uint64_t ok, errors, timeouts, lost, unsent, nsent;
	uint64_t not_started;        /* of unsent: left when interrupted, no CSV rows */
	int64_t first_intended, last_intended;
	int64_t first_sent, last_sent;
	char first_error[ERRMSG_LEN];
	char conn_error[ERRMSG_LEN];
	struct out text, csv;
	struct httpc *http;          /* this session's HTTP/1.1 (http://, https:// without h2), or NULL */
	struct h2cl *h2;             /* this session's HTTP/2 (h2c://, grpc://, https:// with h2), or NULL */
	struct httpc *http_own;      /* what http and h2 point to (https://: both, ALPN picks) */
	struct h2cl *h2_own;
	bool h2_sending;             /* an HTTP/2 output is half sent: add nothing to it */
	struct ctrace *tr;           /* --trace-sample, or NULL */
};

/* The run's totals, merged from the threads after they join. */
struct totals {
	struct hist *lat, *svc, *lag, *conn;
	uint64_t ok, errors, timeouts, lost, unsent, not_started, sent;
	double target_rate, achieved_rate; /* req/s summed over threads; 0 = n/a */
	int64_t duration_ns;
	bool traced;                       /* spans were recorded */
	struct trace_export_stats trace;
};

/* The files the run writes besides stdout (NULL: not asked for). */
struct outfiles {
	FILE *csv;  /* --csv */
	FILE *dwf;  /* -o: DistWalk's result file */
};

extern pthread_mutex_t out_lock;

/* SIGINT/SIGTERM: a watcher thread sets `interrupted` and makes stop_efd
 * readable, which every client thread polls with its socket, so a run that
 * is interrupted still accounts for every request and writes its outputs. */
extern atomic_bool interrupted;
extern int stop_efd;

static inline bool outstanding(const struct cthread *p)
{
	return p->oldest < p->sent_end;
}

/* client.c: replies, timeouts and sends of one thread */
void first_error(struct cthread *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void account_failure(struct cthread *p, uint64_t seq, enum req_status st);
void advance_oldest(struct cthread *p);
void fail_outstanding(struct cthread *p, enum req_status st);
bool wait_io(struct cthread *p, int64_t until, bool want_out);
void wait_send_time(struct cthread *p, int64_t intended);
int send_frame(struct cthread *p, uint64_t seq, const uint8_t *data, size_t len);
/* HTTP/2: sends what the session has to send. With wait, as send_frame()
 * sends a request (request seq's timeout bounds the wait); without, what
 * the socket takes now, the rest at the next send. */
void h2_flush(struct cthread *p, uint64_t seq, bool wait);
void build_request(struct cthread *p, struct rng *rng, uint64_t seq, struct wire_buf *frame,
		   const struct wire_trace *tc);

/* outputs.c: a thread's buffered lines and rows; the run's files */
void out_flush(struct out *o);
void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void csv_row(struct cthread *p, uint64_t seq, enum req_status st, int64_t intended, int64_t sent,
	     int64_t recv);
int outputs_open(const struct client_config *c, struct outfiles *o);
int outputs_close(const struct client_config *c, struct outfiles *o);
void outputs_thread(const struct client_config *c, const struct outfiles *o, struct cthread *p);
void totals_add(const struct client_config *c, struct totals *t, const struct cthread *p);
int outputs_summary(const struct client_config *c, const struct totals *t, const char *first_error);

#endif
