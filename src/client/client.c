/* client.c -- see client.h.
 *
 * DESIGN: each client thread owns one connection at a time and does
 * everything for it in one loop: it waits for the next intended send time in
 * ppoll() on its socket (timer slack lowered to 1 ns), so a reply wakes it at
 * once and is stamped when it is read; shortly before the send time it stops
 * sleeping and spins, reading the socket without blocking, then stamps the
 * actual send time and writes the request. One thread per connection is what
 * a blocking ping-pong does, and measured on loopback it costs nothing over
 * it, where a sender/receiver thread pair paid a cross-thread wake-up per
 * reply (and a third runnable thread on small machines). Reply handling can
 * delay a send by the time of one read, which the send lag reports.
 * Sessions run one after another on each thread: a session ends when every
 * request it sent is accounted for (reply, error, timeout, lost). */
#include "client/client.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "client/h2client.h"
#include "client/httpclient.h"
#include "client/ctrace.h"
#include "proto/frame.h"
#include "trace/export.h"
#include "stats/hist.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xalloc.h"

#define RING_BITS 16
#define RING_SIZE (1u << RING_BITS)
#define RX_BUF (256 * 1024)
#define OUT_FLUSH (60 * 1024)
#define ERRMSG_LEN 200

enum req_status {
	REQ_OK = 0,
	REQ_ERROR = 1,   /* error reply */
	REQ_TIMEOUT = 2, /* no reply within the timeout */
	REQ_LOST = 3,    /* connection lost before the reply */
	REQ_UNSENT = 4,  /* never sent (connect or send failed) */
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

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

/* SIGINT/SIGTERM: a watcher thread sets `interrupted` and makes stop_efd
 * readable, which every client thread polls with its socket, so a run that
 * is interrupted still accounts for every request and writes its outputs. */
static atomic_bool interrupted;
static int stop_efd = -1;

void client_config_defaults(struct client_config *c)
{
	struct err e;

	memset(c, 0, sizeof *c);
	sock_addr_parse("127.0.0.1", "127.0.0.1", SOCK_DEFAULT_PORT, false, &c->to, &e);
	c->threads = 1;
	c->requests = 1;
	c->sessions = 1;
	c->pacing = PACER_CLOSED;
	c->seed = 1;
	c->spin_ns = 20 * NSEC_PER_USEC;
	c->retry_period_ms = 200; /* DistWalk's default */
	c->timeout_us = 10 * 1000 * 1000;
	c->nodelay = true;
	c->per_request_text = true;
	c->summary = true;
}

/* -- output -- */

static void out_flush(struct out *o)
{
	if (o->f == NULL || o->len == 0)
		return;
	pthread_mutex_lock(&out_lock);
	fwrite(o->buf, 1, o->len, o->f);
	fflush(o->f);
	pthread_mutex_unlock(&out_lock);
	o->len = 0;
}

static void out_printf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->f == NULL)
		return;
	if (o->len > OUT_FLUSH)
		out_flush(o);
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, 4096, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)(n < 4096 ? n : 4095);
	if (o->each_line)
		out_flush(o);
}

static const char *status_word(enum req_status s)
{
	switch (s) {
	case REQ_OK: return "ok";
	case REQ_ERROR: return "error";
	case REQ_TIMEOUT: return "timeout";
	case REQ_LOST: return "lost";
	case REQ_UNSENT: return "unsent";
	}
	return "?";
}

static void csv_row(struct cthread *p, uint64_t seq, enum req_status st, int64_t intended,
		    int64_t sent, int64_t recv)
{
	if (p->csv.f == NULL)
		return;
	if (st == REQ_OK)
		out_printf(&p->csv, "%d,%" PRIu64 ",%" PRIu64 ",%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,ok\n",
			   p->index, p->sess, seq, (intended - p->t0) / 1e3, (sent - p->t0) / 1e3,
			   (recv - p->t0) / 1e3, (recv - intended) / 1e3, (recv - sent) / 1e3,
			   (sent - intended) / 1e3);
	else if (sent > 0)
		out_printf(&p->csv, "%d,%" PRIu64 ",%" PRIu64 ",%.3f,%.3f,,,,%.3f,%s\n", p->index,
			   p->sess, seq, (intended - p->t0) / 1e3, (sent - p->t0) / 1e3,
			   (sent - intended) / 1e3, status_word(st));
	else
		out_printf(&p->csv, "%d,%" PRIu64 ",%" PRIu64 ",%.3f,,,,,,%s\n", p->index, p->sess,
			   seq, (intended - p->t0) / 1e3, status_word(st));
}

/* -- replies -- */

static void first_error(struct cthread *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void first_error(struct cthread *p, const char *fmt, ...)
{
	va_list ap;

	if (p->first_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(p->first_error, sizeof p->first_error, fmt, ap);
	va_end(ap);
}

/* Marks seq accounted for with a failure status. */
static void account_failure(struct cthread *p, uint64_t seq, enum req_status st)
{
	struct slot *s = &p->ring[seq & (RING_SIZE - 1)];

	s->done = true;
	if (s->traced)
		ctrace_end(p->tr, seq, s->sent, clock_now_ns(), 0, false, status_word(st));
	switch (st) {
	case REQ_TIMEOUT: p->timeouts++; break;
	case REQ_LOST: p->lost++; break;
	default: p->errors++; break;
	}
	csv_row(p, seq, st, s->intended, s->sent, 0);
}

static void advance_oldest(struct cthread *p)
{
	while (p->oldest < p->sent_end && p->ring[p->oldest & (RING_SIZE - 1)].done) {
		p->ring[p->oldest & (RING_SIZE - 1)].done = false;
		p->oldest++;
	}
}

static bool outstanding(const struct cthread *p)
{
	return p->oldest < p->sent_end;
}

/* The reply to seq arrived at now: a success, or an error reply (why). */
static void on_result(struct cthread *p, uint64_t seq, bool ok, const char *why, int64_t now)
{
	struct slot *s = &p->ring[seq & (RING_SIZE - 1)];

	if (seq < p->oldest || seq >= p->sent_end || s->done)
		return; /* a late reply for a request already timed out */
	if (!ok) {
		first_error(p, "%s", why);
		account_failure(p, seq, REQ_ERROR);
		return;
	}
	s->done = true;
	p->ok++;
	if (s->traced)
		ctrace_end(p->tr, seq, s->sent, now, 0, true, NULL);
	hist_record(p->lat, (uint64_t)(now - s->intended));
	hist_record(p->svc, (uint64_t)(now - s->sent));
	if (p->text.f) {
		char line[160];

		dw_format_req(line, sizeof line, p->cfg->dw_out.path ? p->cfg->dw_out.format : DW_FMT_TEXT,
			      p->cfg->dw_out.sep, p->cfg->nano, s->intended - p->t0, now - s->intended, seq,
			      p->index, p->sess);
		out_printf(&p->text, "%s", line);
	}
	csv_row(p, seq, REQ_OK, s->intended, s->sent, now);
}

static void on_reply(struct cthread *p, const struct wire_hdr *h, const uint8_t *text, int64_t now)
{
	char why[ERRMSG_LEN];

	if ((h->id >> 48) != (uint64_t)p->index)
		return;
	if (h->status != WIRE_OK)
		snprintf(why, sizeof why, "%s: %.*s", wire_status_name(h->status),
			 (int)(h->prog_len < 160 ? h->prog_len : 160), (const char *)text);
	on_result(p, h->id & ((1ull << 48) - 1), h->status == WIRE_OK, h->status == WIRE_OK ? "" : why,
		  now);
}

/* Accounts for every sent request not yet done with status st. */
static void fail_outstanding(struct cthread *p, enum req_status st)
{
	for (uint64_t q = p->oldest; q < p->sent_end; q++)
		if (!p->ring[q & (RING_SIZE - 1)].done)
			account_failure(p, q, st);
	advance_oldest(p);
}

/* The connection is unusable: say why once, fail what is outstanding. */
static void conn_broken(struct cthread *p, const char *why)
{
	if (!p->broken) {
		char a[SOCK_ADDR_STRLEN];

		log_msg("thread %d session %" PRIu64 ": connection to %s: %s", p->index, p->sess,
			sock_addr_str((struct sockaddr *)&p->cfg->to.ss, a, sizeof a), why);
		if (p->conn_error[0] == '\0')
			snprintf(p->conn_error, sizeof p->conn_error, "connection to %s: %s", a, why);
	}
	p->broken = true;
	fail_outstanding(p, REQ_LOST);
}

/* Times out the oldest requests; returns the next timeout deadline, or
 * INT64_MAX when nothing is outstanding. Later requests were sent later, so
 * only the oldest can be due. */
static int64_t check_timeouts(struct cthread *p, int64_t now)
{
	const int64_t timeout_ns = (int64_t)p->cfg->timeout_us * NSEC_PER_USEC;

	while (p->oldest < p->sent_end) {
		struct slot *s = &p->ring[p->oldest & (RING_SIZE - 1)];

		if (!s->done) {
			if (now < s->sent + timeout_ns)
				return s->sent + timeout_ns;
			account_failure(p, p->oldest, REQ_TIMEOUT);
			first_error(p, "no reply within %" PRIu64 " us", p->cfg->timeout_us);
		}
		advance_oldest(p);
	}
	return INT64_MAX;
}

/* A reply without the right tag breaks the session. An error reply's text
 * is still shown, marked as unverified: it usually says why (a node with
 * another key refusing us). */
static void auth_broken(struct cthread *p, const struct wire_hdr *h, const uint8_t *f)
{
	char why[ERRMSG_LEN];

	if (h->status != WIRE_OK && h->prog_len > 0)
		snprintf(why, sizeof why,
			 "a reply failed authentication (different --auth-key-file?); its "
			 "unverified text: %s: %.*s",
			 wire_status_name(h->status), (int)(h->prog_len < 120 ? h->prog_len : 120),
			 (const char *)f + WIRE_HDR_LEN);
	else
		snprintf(why, sizeof why,
			 "a reply failed authentication (different --auth-key-file?)");
	conn_broken(p, why);
}

/* HTTP: what httpc_parse() / httpc_eof() said, for the thread. */
static void http_event(struct cthread *p, enum httpc_event ev, const struct httpc_result *r,
		       int64_t now)
{
	if (ev == HTTPC_RESULT)
		on_result(p, r->seq, r->ok, r->text, now);
	else if (ev == HTTPC_BROKEN)
		conn_broken(p, r->text);
}

/* HTTP: the responses buffered in rx; the bytes of a partial head stay. */
static void parse_http(struct cthread *p, int64_t now)
{
	size_t off = 0, used;
	struct httpc_result r;
	enum httpc_event ev;

	do {
		ev = httpc_parse(p->http, p->rx + off, p->rx_have - off, &used, &r);
		off += used;
		http_event(p, ev, &r, now);
	} while (ev == HTTPC_RESULT && !p->broken);
	memmove(p->rx, p->rx + off, p->rx_have - off);
	p->rx_have = p->broken ? 0 : p->rx_have - off;
}

static void h2_flush(struct cthread *p, uint64_t seq, bool wait);

/* HTTP/2: the session reads every byte buffered in rx; then what it has to
 * say back (acknowledgements, requests that waited for a stream) is sent,
 * unless a send is under way (its bytes must not be split). */
static void parse_h2(struct cthread *p, int64_t now)
{
	struct h2cl_result r;
	char why[ERRMSG_LEN];
	int rc = h2cl_feed(p->h2, p->rx, p->rx_have, why, sizeof why);

	p->rx_have = 0;
	while (h2cl_next(p->h2, &r))
		on_result(p, r.seq, r.ok, r.text, now);
	if (rc < 0)
		conn_broken(p, why);
	else if (!p->h2_sending)
		h2_flush(p, 0, false);
}

/* Parses the replies buffered in rx; the bytes of a partial one stay. */
static void parse_replies(struct cthread *p, int64_t now)
{
	size_t off = 0, have = p->rx_have;
	const struct frame_reader rd = { .lim = &wire_default_limits, .key = p->cfg->auth,
					 .type = WIRE_REPLY };

	if (p->http) {
		parse_http(p, now);
		return;
	}
	if (p->h2) {
		parse_h2(p, now);
		return;
	}

	while (off < have && !p->broken) {
		struct frame f;
		struct err e;
		enum frame_result rc;

		if (p->rx_discard) {
			size_t d = have - off < p->rx_discard ? have - off : (size_t)p->rx_discard;

			off += d;
			p->rx_discard -= d;
			if (p->rx_discard == 0 && p->rx_pending_set) {
				p->rx_pending_set = false;
				on_reply(p, &p->rx_pending, p->rx_pending_text, now);
				free(p->rx_pending_text);
				p->rx_pending_text = NULL;
			}
			continue;
		}
		/* prog_len <= 64 KiB (wire limits) fits RX_BUF: wait for the rest. */
		rc = frame_read(&rd, p->rx + off, have - off, &f, &e);
		if (rc == FRAME_MORE)
			break;
		if (rc != FRAME_OK) {
			if (rc == FRAME_ERR_AUTH)
				auth_broken(p, &f.h, p->rx + off);
			else
				conn_broken(p, rc == FRAME_ERR_TYPE ? "the node sent a frame that is not a reply"
								    : e.msg);
			break;
		}
		p->rx_discard = f.pad;
		if (p->rx_discard == 0) {
			on_reply(p, &f.h, f.body, now);
		} else {
			p->rx_pending = f.h;
			p->rx_pending_set = true;
			if (f.h.prog_len) {
				p->rx_pending_text = xmalloc(f.h.prog_len);
				memcpy(p->rx_pending_text, f.body, f.h.prog_len);
			}
		}
		off += f.head;
	}
	if (p->broken) {
		p->rx_have = 0;
		return;
	}
	memmove(p->rx, p->rx + off, have - off);
	p->rx_have = have - off;
}

/* UDP: every datagram is one whole reply frame. A datagram that is not
 * (truncated, padded, garbage) breaks the session like a bad TCP frame. */
static void drain_datagrams(struct cthread *p)
{
	const struct frame_reader rd = { .lim = &wire_default_limits, .key = p->cfg->auth,
					 .type = WIRE_REPLY };

	while (!p->broken) {
		ssize_t n = recv(p->fd, p->rx, RX_BUF, MSG_DONTWAIT | MSG_TRUNC);
		struct frame f;
		struct err e;
		enum frame_result rc = FRAME_ERR_HEADER;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				conn_broken(p, strerror(errno)); /* e.g. ECONNREFUSED: no node there */
			return;
		}
		if ((size_t)n <= RX_BUF)
			rc = frame_read_datagram(&rd, p->rx, (size_t)n, &f, &e);
		if (rc != FRAME_OK && rc != FRAME_ERR_AUTH) {
			char why[96];

			snprintf(why, sizeof why, "the node sent a datagram of %zd bytes that is not one "
				 "reply frame", n);
			conn_broken(p, why);
			return;
		}
		if (rc == FRAME_ERR_AUTH) {
			auth_broken(p, &f.h, p->rx);
			return;
		}
		on_reply(p, &f.h, f.body, clock_now_ns());
	}
}

/* drain_replies() over TLS: records are read until none is left (one
 * read returns one record, so a short read does not mean an empty socket). */
static void drain_tls(struct cthread *p)
{
	while (!p->broken) {
		size_t space = RX_BUF - p->rx_have;
		ssize_t n;

		if (space < TLS_RECORD_MAX) {
			/* parse_replies() keeps at most one reply's head: make room */
			parse_replies(p, clock_now_ns());
			space = RX_BUF - p->rx_have;
		}
		n = tls_read(p->tls, p->rx + p->rx_have, space);
		if (n > 0) {
			p->rx_have += (size_t)n;
			parse_replies(p, clock_now_ns());
			continue;
		}
		if (n == 0)
			conn_broken(p, "closed by the node");
		else if (n != -EAGAIN)
			conn_broken(p, tls_error(p->tls));
		tls_flush(p->tls); /* reading may have to answer (key update) */
		return;
	}
}

/* Reads and handles every reply that has arrived, without blocking. Each
 * read is stamped when it returns, so a reply's time is when it was read. */
static void drain_replies(struct cthread *p)
{
	if (p->cfg->to.proto == SOCK_UDP) {
		drain_datagrams(p);
		return;
	}
	while (!p->broken) {
		size_t space = RX_BUF - p->rx_have;
		ssize_t n;

		if (p->tls != NULL) {
			drain_tls(p);
			return;
		}
		n = recv(p->fd, p->rx + p->rx_have, space, MSG_DONTWAIT);
		if (n > 0) {
			p->rx_have += (size_t)n;
			parse_replies(p, clock_now_ns());
			if ((size_t)n < space)
				return; /* the socket is empty: spare the EAGAIN read */
			continue;
		}
		if (n == 0) {
			struct httpc_result r = { .text = "closed by the node" };

			/* HTTP: the close may end a response's body */
			http_event(p, p->http ? httpc_eof(p->http, p->rx_have, &r) : HTTPC_BROKEN, &r,
				   clock_now_ns());
			if (!p->broken)
				conn_broken(p, "closed by the node");
			return;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN)
			conn_broken(p, strerror(errno));
		return;
	}
}

/* Arms the thread's timerfd for deadline (INT64_MAX: disarmed), unless it
 * already is. The timer is never cancelled when a reply comes first: on
 * virtual machines, cancelling and re-arming the earliest timer around every
 * wake-up costs more than the round trip being measured. */
static void arm_timer(struct cthread *p, int64_t deadline)
{
	struct itimerspec its = { 0 };

	if (deadline == p->armed)
		return;
	if (deadline != INT64_MAX) {
		its.it_value.tv_sec = deadline / NSEC_PER_SEC;
		its.it_value.tv_nsec = deadline % NSEC_PER_SEC;
	}
	if (timerfd_settime(p->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
		p->armed = deadline;
}

/* Waits for replies (or, with want_out, for room to send) until `until` or
 * the next request timeout, whichever is first, and handles what arrives.
 * With --busy-poll, a reply expected soon after a send is polled for
 * without sleeping. Returns true when it stopped because `until` came. */
static bool wait_io(struct cthread *p, int64_t until, bool want_out)
{
	int64_t now = clock_now_ns();
	int64_t to = check_timeouts(p, now);
	int64_t deadline = until < to ? until : to;
	struct pollfd pfd[3] = { { p->fd, (short)(POLLIN | (want_out ? POLLOUT : 0)), 0 },
				 { p->tfd, POLLIN, 0 },
				 { stop_efd, POLLIN, 0 } };
	struct timespec zero = { 0, 0 };
	int rc;

	if (atomic_load_explicit(&interrupted, memory_order_relaxed))
		conn_broken(p, "interrupted by a signal");
	if (p->broken)
		return false;
	if (deadline == INT64_MAX)
		return false; /* nothing outstanding: nothing could ever arrive */
	if (!want_out && outstanding(p) && now - p->last_sent < p->cfg->busy_poll_ns &&
	    now < deadline) {
		/* poll() peeks without the socket lock that recv() would
		 * contend for with the kernel delivering the reply. */
		if (ppoll(pfd, 1, &zero, NULL) > 0)
			drain_replies(p);
		return false;
	}
	if (deadline > now && !want_out && !outstanding(p)) {
		/* Nothing can arrive but an error, so nothing cancels the sleep
		 * early (the case that makes timeouts slow on VMs, see arm_timer):
		 * a plain timeout is one system call instead of arming the
		 * timerfd, polling it and reading it. */
		struct pollfd quiet[2] = { pfd[0], pfd[2] };
		struct timespec ts = { (deadline - now) / NSEC_PER_SEC, (deadline - now) % NSEC_PER_SEC };

		rc = ppoll(quiet, 2, &ts, NULL);
		pfd[0].revents = quiet[0].revents;
		pfd[1].revents = 0;
	} else if (deadline > now) {
		arm_timer(p, deadline);
		rc = ppoll(pfd, 3, NULL, NULL);
	} else {
		rc = ppoll(pfd, 1, &zero, NULL);
	}
	if (rc > 0 && (pfd[0].revents & (POLLIN | POLLERR | POLLHUP)))
		drain_replies(p);
	if (rc > 0 && (pfd[1].revents & POLLIN)) {
		uint64_t expirations;

		if (read(p->tfd, &expirations, sizeof expirations) > 0)
			p->armed = INT64_MAX;
	}
	if (rc == -1 && errno != EINTR)
		conn_broken(p, strerror(errno));
	return deadline == until && clock_now_ns() >= until;
}

/* Waits until the intended send time, handling replies meanwhile: sleeps in
 * ppoll (woken at once by a reply) until the waiter's margin before the
 * deadline, then spins, reading the socket without blocking so replies that
 * arrive during the spin are stamped on time. */
static void wait_send_time(struct cthread *p, int64_t intended)
{
	int64_t now = clock_now_ns();
	/* The wake-up time is chosen once, when the wait starts: asked again
	 * after waking, the waiter would cap the margin at a quarter of what
	 * is left and sleep a second time, late again by the same wake-up
	 * latency (a send lag of about one wake-up at every send). */
	int64_t wake = p->cfg->wait_spin ? now : clock_waiter_wake(&p->waiter, intended, now);

	while (!p->broken && (now = clock_now_ns()) < intended) {
		if (wake > now) {
			if (wait_io(p, wake, false))
				clock_waiter_learn(&p->waiter, wake, clock_now_ns());
			continue;
		}
		while (!p->broken && (now = clock_now_ns()) < intended) {
			if (atomic_load_explicit(&interrupted, memory_order_relaxed))
				conn_broken(p, "interrupted by a signal");
			if (outstanding(p)) {
				drain_replies(p);
				check_timeouts(p, now); /* --ws may spin for long */
			}
		}
	}
}

/* Sends one whole frame; while the socket is full, handles replies (so a
 * node that answers slowly cannot deadlock us) and timeouts. A request that
 * times out before it is fully sent means the node stopped reading. */
static int send_frame(struct cthread *p, uint64_t seq, const uint8_t *data, size_t len)
{
	while ((len > 0 || (p->tls && tls_pending_out(p->tls) > 0)) && !p->broken) {
		ssize_t n;

		if (p->tls != NULL) {
			n = len > 0 ? tls_write(p->tls, data, len) : 0;
			if (n >= 0) {
				data += n;
				len -= (size_t)n;
				n = tls_flush(p->tls);
			}
			if (n < 0 && n != -EAGAIN) {
				conn_broken(p, n == -EPROTO ? tls_error(p->tls) : strerror((int)-n));
				break;
			}
			if (n == 0)
				continue;
			errno = EAGAIN;
			n = -1;
		} else {
			n = send(p->fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		}
		if (n > 0) {
			data += n;
			len -= (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN) {
			char why[ERRMSG_LEN];

			snprintf(why, sizeof why, "send failed: %s", strerror(errno));
			conn_broken(p, why);
			break;
		}
		/* The request being sent is outstanding, so its timeout
		 * bounds this wait. */
		wait_io(p, INT64_MAX, true);
		if (p->ring[seq & (RING_SIZE - 1)].done || seq < p->oldest) {
			conn_broken(p, "the node stopped reading requests (send timed out)");
			break;
		}
	}
	return p->broken ? -1 : 0;
}

/* HTTP/2: sends what the session has to send. With wait, as send_frame()
 * sends a request (request seq's timeout bounds the wait); without, what
 * the socket takes now, the rest at the next send. */
static void h2_flush(struct cthread *p, uint64_t seq, bool wait)
{
	size_t len;
	const uint8_t *out;

	while (!p->broken && (out = h2cl_output(p->h2, &len), len > 0)) {
		ssize_t n;

		if (wait) {
			p->h2_sending = true;
			send_frame(p, seq, out, len);
			p->h2_sending = false;
			h2cl_sent(p->h2, len);
			continue;
		}
		if (p->tls != NULL) { /* taken whole into the TLS queue, sent as the socket takes it */
			n = tls_write(p->tls, out, len);
			if (n > 0) {
				h2cl_sent(p->h2, (size_t)n);
				n = tls_flush(p->tls);
				if (n == 0 || n == -EAGAIN)
					continue;
			}
			if (n == -EAGAIN)
				return;
			conn_broken(p, n == -EPROTO ? tls_error(p->tls) : strerror((int)-n));
			return;
		}
		n = send(p->fd, out, len, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n > 0) {
			h2cl_sent(p->h2, (size_t)n);
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN) {
			char why[ERRMSG_LEN];

			snprintf(why, sizeof why, "send failed: %s", strerror(errno));
			conn_broken(p, why);
		}
		return;
	}
}

/* -- sessions -- */

/* DistWalk's conn_time line: with the per-request lines on stdout, or on
 * stdout alone when they go to an -o file. */
static void conn_line(struct cthread *p, int64_t d)
{
	char line[160];

	if (!p->cfg->per_request_text)
		return;
	dw_format_conn(line, sizeof line, p->cfg->nano, d, p->sent_end, p->index, p->sess);
	if (!p->cfg->dw_out.path) {
		out_printf(&p->text, "%s", line);
		return;
	}
	pthread_mutex_lock(&out_lock);
	fputs(line, stdout);
	pthread_mutex_unlock(&out_lock);
}

/* ssl://: the TLS handshake on a connected fd, bounded by the response
 * timeout from t_conn. 0, or -errno with p->conn_error filled. */
static int tls_start(struct cthread *p, int fd, int64_t t_conn)
{
	const struct client_config *c = p->cfg;
	int64_t deadline = t_conn + (int64_t)c->timeout_us * 1000;
	char a[SOCK_ADDR_STRLEN];
	int rc;

	sock_set_nonblock(fd, true);
	p->tls = tls_new_client(p->tls_ctx, fd, c->to.host);
	while ((rc = tls_handshake(p->tls)) == 0) {
		struct pollfd pfd = { fd, (short)(POLLIN | (tls_pending_out(p->tls) ? POLLOUT : 0)), 0 };
		int64_t left = deadline - clock_now_ns();

		if (left <= 0) {
			rc = -ETIMEDOUT;
			break;
		}
		if (poll(&pfd, 1, (int)(left / 1000000 + 1)) < 0 && errno != EINTR) {
			rc = -errno;
			break;
		}
		if (atomic_load(&interrupted)) {
			rc = -EINTR;
			break;
		}
	}
	if (rc == 1)
		return 0;
	snprintf(p->conn_error, sizeof p->conn_error, "TLS handshake with %s failed: %s",
		 sock_addr_str((struct sockaddr *)&c->to.ss, a, sizeof a),
		 rc == -ETIMEDOUT ? "timed out (--timeout)" : rc == -EINTR ? "interrupted"
								: tls_error(p->tls));
	tls_free(p->tls);
	p->tls = NULL;
	return rc == -ETIMEDOUT || rc == -EINTR ? rc : -EPROTO;
}

static int connect_session(struct cthread *p)
{
	const struct client_config *c = p->cfg;
	char a[SOCK_ADDR_STRLEN];
	int rc = 0;

	for (int attempt = 0; attempt <= c->retry_num; attempt++) {
		int fd;

		if (attempt > 0)
			poll(NULL, 0, (int)c->retry_period_ms);
		fd = socket(c->to.ss.ss_family,
			    (c->to.proto == SOCK_UDP ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
		if (fd == -1)
			return -errno;
		if (c->has_bind) {
			int one = 1;

			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
			if (bind(fd, (const struct sockaddr *)&c->bind.ss, c->bind.len) == -1) {
				rc = -errno;
				close(fd);
				snprintf(p->conn_error, sizeof p->conn_error, "cannot bind to %s: %s",
					 sock_addr_str((struct sockaddr *)&c->bind.ss, a, sizeof a),
					 strerror(-rc));
				return rc;
			}
		}
		/* A connect that hangs (SYN to a black hole) is bounded by the
		 * response timeout. */
		struct timeval tv = { .tv_sec = (time_t)(c->timeout_us / 1000000),
				      .tv_usec = (suseconds_t)(c->timeout_us % 1000000) };
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
		int64_t t_conn = clock_now_ns();
		if (connect(fd, (const struct sockaddr *)&c->to.ss, c->to.len) == 0) {
			if (p->tls_ctx != NULL && (rc = tls_start(p, fd, t_conn)) < 0) {
				close(fd);
				if (rc == -EPROTO)
					return rc; /* a handshake refused is not retried */
				continue;
			}
			if (c->to.proto == SOCK_HTTPS) { /* HTTP/2 if the node chose it, else HTTP/1.1 */
				size_t n;
				const char *proto = tls_alpn(p->tls, &n);
				bool h2 = proto != NULL && n == 2 && memcmp(proto, "h2", 2) == 0;

				p->h2 = h2 ? p->h2_own : NULL;
				p->http = h2 ? NULL : p->http_own;
			}
			if (c->conn_times) {
				int64_t d = clock_now_ns() - t_conn;

				hist_record(p->conn, (uint64_t)d);
				conn_line(p, d);
			}
			if (c->nodelay && c->to.proto != SOCK_UDP)
				sock_set_nodelay(fd, true);
			p->conn_error[0] = '\0';
			return fd;
		}
		rc = -errno;
		close(fd);
	}
	if (rc == -ETIMEDOUT && p->conn_error[0] != '\0')
		return rc; /* the handshake's own message */
	snprintf(p->conn_error, sizeof p->conn_error, "cannot connect to %s: %s%s",
		 sock_addr_str((struct sockaddr *)&c->to.ss, a, sizeof a), strerror(-rc),
		 c->retry_num ? " (retries exhausted)" : "");
	return rc;
}

/* Builds request seq into frame: header, program sampled for this request,
 * padding up to the --ps size. */
static void build_request(struct cthread *p, struct rng *rng, uint64_t seq, struct wire_buf *frame,
			  const struct wire_trace *tc)
{
	const struct client_config *c = p->cfg;
	uint64_t size;

	if (p->http) {
		httpc_build(p->http, rng, seq, tc, frame);
		return;
	}
	if (p->h2) { /* the stream's bytes come out of the session: h2_flush() */
		char why[ERRMSG_LEN];

		frame->len = 0;
		if (h2cl_submit(p->h2, rng, seq, tc, why, sizeof why) < 0)
			conn_broken(p, why);
		return;
	}
	frame->len = 0;
	wire_buf_reserve(frame, WIRE_HDR_LEN);
	frame->len = WIRE_HDR_LEN;
	if (tc != NULL)
		wire_trace_put(frame, tc);
	if (c->route)
		wire_buf_put(frame, c->route, strlen(c->route));
	else
		prog_encode(c->prog, rng, seq, frame);
	uint32_t prog_len = (uint32_t)(frame->len - WIRE_HDR_LEN);
	wire_buf_put(frame, (uint8_t[WIRE_TAG_LEN]){ 0 }, frame_tag_len(c->auth)); /* tag, set below */
	size = frame->len;
	if (c->req_size) {
		double want = spec_sample(c->req_size, rng, seq);

		if (want > (double)size)
			size = want > (double)wire_default_limits.max_frame ? wire_default_limits.max_frame
									   : (uint64_t)want;
	}
	if (size > frame->len) {
		size_t end = frame->len; /* header, program, tag: rewritten every time */

		wire_buf_reserve(frame, size - end);
		if (end < p->zero_from) /* a longer program's bytes from before */
			memset(frame->data + end, 0, (size < p->zero_from ? size : p->zero_from) - end);
		if (p->zero_from > size) {
			p->zero_to = size; /* [size, zero_from) may hold old bytes */
		} else if (size > p->zero_to) {
			size_t from = end > p->zero_to ? end : p->zero_to;

			memset(frame->data + from, 0, size - from);
			p->zero_to = size;
		}
		p->zero_from = end;
		frame->len = size;
	} else if (frame->len > p->zero_from) {
		p->zero_from = frame->len < p->zero_to ? frame->len : p->zero_to;
	}
	struct wire_hdr h = { .version = WIRE_VERSION, .type = WIRE_REQUEST,
			      .len = (uint32_t)frame->len, .id = ((uint64_t)p->index << 48) | seq,
			      .prog_len = prog_len,
			      .flags = (c->route ? WIRE_FLAG_ROUTE : 0) | (tc ? WIRE_FLAG_TRACE : 0) };
	frame_write_head(c->auth, &h, frame->data + WIRE_HDR_LEN, frame->data,
			 frame->data + WIRE_HDR_LEN + prog_len);
}

static void mark_unsent(struct cthread *p, uint64_t seq, int64_t intended)
{
	p->unsent++;
	csv_row(p, seq, REQ_UNSENT, intended, 0, 0);
}

/* Requests [*seq, *seq + n) never leave. Each takes its place in the
 * schedule (so later sessions keep their times) and gets its CSV row --
 * until the client is interrupted: no session follows then, and what is
 * left is one count, at once, whatever -n was (a row each once filled a
 * disk, and drawing each one's time took minutes). */
static void account_unsent(struct cthread *p, uint64_t n, uint64_t *seq, struct pacer *pacer,
			   struct rng *rng)
{
	for (; n > 0 && !atomic_load_explicit(&interrupted, memory_order_relaxed); n--, (*seq)++)
		mark_unsent(p, *seq, pacer_next(pacer, rng, clock_now_ns()));
	p->unsent += n;
	p->not_started += n;
	*seq += n;
}

/* Runs `count` requests, numbered from *seq, over the connected socket fd:
 * each leaves at its intended time, replies are handled as they come, and
 * the session ends when every request sent is accounted for. */
static void run_session(struct cthread *p, int fd, uint64_t count, struct pacer *pacer,
			struct rng *rng, uint64_t *seq, struct wire_buf *frame)
{
	const struct client_config *c = p->cfg;
	uint64_t k = 0;

	p->fd = fd;
	p->broken = false;
	p->rx_have = 0;
	p->rx_discard = 0;
	p->rx_pending_set = false;
	free(p->rx_pending_text);
	p->rx_pending_text = NULL;
	p->oldest = p->sent_end = *seq;
	if (p->http)
		httpc_session(p->http, *seq);
	if (p->h2)
		h2cl_session(p->h2);
	for (; k < count && !p->broken; k++) {
		int64_t intended;

		if (c->pacing == PACER_CLOSED) {
			/* Closed loop: the next request leaves when the last reply is in. */
			while (outstanding(p) && !p->broken)
				wait_io(p, INT64_MAX, false);
			if (p->broken)
				break;
			intended = pacer_next(pacer, rng, clock_now_ns());
			wait_send_time(p, intended); /* the first waits for the common start */
		} else {
			intended = pacer_next(pacer, rng, 0);
			wait_send_time(p, intended);
		}
		/* Never reuse a slot whose request is still outstanding. */
		while (*seq - p->oldest >= RING_SIZE && !p->broken)
			wait_io(p, INT64_MAX, false);
		if (p->broken) {
			if (!atomic_load_explicit(&interrupted, memory_order_relaxed)) {
				mark_unsent(p, *seq, intended);
				(*seq)++;
				k++;
			}
			break;
		}
		struct wire_trace tc;
		bool traced = p->tr != NULL && ctrace_sample(p->tr, *seq, &tc);

		build_request(p, rng, *seq, frame, traced ? &tc : NULL);

		struct slot *s = &p->ring[*seq & (RING_SIZE - 1)];
		int64_t now = clock_now_ns();
		bool too_big = c->to.proto == SOCK_UDP && frame->len > SOCK_UDP_MAX_PAYLOAD;

		s->intended = intended;
		s->sent = now;
		s->done = false;
		s->traced = traced;
		p->sent_end = *seq + 1;
		if (p->first_intended < 0) {
			p->first_intended = intended;
			p->first_sent = now;
		}
		p->last_intended = intended;
		p->last_sent = now;
		p->nsent++;
		hist_record(p->lag, (uint64_t)(now > intended ? now - intended : 0));
		(*seq)++;
		if (too_big) {
			/* Never truncated or fragmented behind the user's back. */
			first_error(p, "request frame of %zu bytes exceeds UDP's %d-byte datagram limit",
				    frame->len, SOCK_UDP_MAX_PAYLOAD);
			account_failure(p, *seq - 1, REQ_ERROR);
			advance_oldest(p);
			continue;
		}
		if (p->h2)
			h2_flush(p, *seq - 1, true);
		else
			send_frame(p, *seq - 1, frame->data, frame->len);
	}
	account_unsent(p, count - k, seq, pacer, rng);
	while (outstanding(p) && !p->broken)
		wait_io(p, INT64_MAX, false);
	if (p->broken)
		fail_outstanding(p, REQ_LOST);
	if (p->tls != NULL) {
		tls_close_notify(p->tls);
		tls_free(p->tls);
		p->tls = NULL;
	}
	close(fd);
	p->fd = -1;
	if (c->per_session_output) /* --pso: the session's lines, together, now */
		out_flush(&p->text);
}

/* --stag-send: thread i starts i/nt of a mean inter-arrival time late, so
 * the threads' requests interleave instead of arriving together. */
static int64_t stagger_ns(const struct client_config *c, int index)
{
	double period_ns;

	if (!c->stag_send || c->threads < 2 || c->pacing == PACER_CLOSED)
		return 0;
	if (c->pacing == PACER_PERIOD)
		period_ns = spec_mean(c->pace) * 1e3;
	else
		period_ns = spec_mean(c->pace) > 0 ? 1e9 / spec_mean(c->pace) : 0;
	if (!(period_ns > 0) || period_ns > 3600e9)
		return 0;
	return (int64_t)(period_ns * index / c->threads);
}

static void *thread_main(void *arg)
{
	struct cthread *p = arg;
	const struct client_config *c = p->cfg;
	struct pacer pacer;
	struct rng rng;
	struct wire_buf frame;
	uint64_t seq = 0;
	char name[16];

	snprintf(name, sizeof name, "mw-client-%d", p->index);
	pthread_setname_np(pthread_self(), name);
	clock_lower_timer_slack();
	clock_waiter_init(&p->waiter, c->spin_ns, c->spin_ns > 0 ? 2 * NSEC_PER_MSEC : 0);
	wire_buf_init(&frame);
	p->rx = xmalloc(RX_BUF);
	p->fd = -1;
	p->armed = INT64_MAX;
	p->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (p->tfd == -1)
		snprintf(p->conn_error, sizeof p->conn_error, "cannot create a timer: %s",
			 strerror(errno));
	p->first_sent = p->first_intended = -1;
	if (c->to.proto == SOCK_HTTP || c->to.proto == SOCK_HTTPS)
		p->http = p->http_own = httpc_new(c);
	if (c->to.proto == SOCK_H2C || c->to.proto == SOCK_GRPC || c->to.proto == SOCK_GRPCS ||
	    c->to.proto == SOCK_HTTPS)
		p->h2 = p->h2_own = h2cl_new(c);

	/* The first session connects before the schedule starts: a connect
	 * (with retries) is set-up, not request latency. */
	int first_fd = p->tfd >= 0 && c->requests > 0 ? connect_session(p) : -1;
	if (pthread_barrier_wait(&p->start->barrier) == PTHREAD_BARRIER_SERIAL_THREAD)
		p->start->t0 = clock_now_ns() + 200 * NSEC_PER_USEC;
	pthread_barrier_wait(&p->start->barrier);
	p->t0 = p->start->t0;
	rng_seed(&rng, c->seed, (uint64_t)p->index << 32);
	pacer_init(&pacer, c->pacing, c->pace, c->rate_step_secs, p->t0 + stagger_ns(c, p->index), &rng);

	for (uint64_t sess = 0; sess < c->sessions; sess++) {
		/* -n is split evenly across sessions; the first ones take the rest. */
		uint64_t count = c->requests / c->sessions + (sess < c->requests % c->sessions);
		int fd;

		if (count == 0)
			continue;
		/* A distinct stream per thread and session, as the seed promises. */
		rng_seed(&rng, c->seed, ((uint64_t)p->index << 32) | (sess + 1));
		p->sess = sess;
		if (atomic_load(&interrupted)) {
			if (sess == 0 && first_fd >= 0)
				close(first_fd);
			fd = -1;
		} else {
			fd = sess == 0 ? first_fd : p->tfd >= 0 ? connect_session(p) : -1;
		}
		if (fd < 0) {
			if (!atomic_load(&interrupted))
				log_msg("thread %d session %" PRIu64 ": %s", p->index, sess, p->conn_error);
			account_unsent(p, count, &seq, &pacer, &rng);
			continue;
		}
		run_session(p, fd, count, &pacer, &rng, &seq, &frame);
	}
	out_flush(&p->text);
	out_flush(&p->csv);
	free(p->rx);
	free(p->rx_pending_text);
	if (p->tfd >= 0)
		close(p->tfd);
	wire_buf_free(&frame);
	httpc_free(p->http_own);
	h2cl_free(p->h2_own);
	return NULL;
}

/* -- the run -- */

struct watcher {
	atomic_bool done;
};

/* Takes SIGINT/SIGTERM for the whole run (the other threads block them) and
 * turns them into `interrupted`; checks `done` every 100 ms to end. */
static void *watcher_main(void *arg)
{
	struct watcher *w = arg;
	sigset_t sigs;
	struct timespec tick = { 0, 100 * 1000 * 1000 };

	pthread_setname_np(pthread_self(), "mw-signals");
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	while (!atomic_load(&w->done)) {
		int sig = sigtimedwait(&sigs, NULL, &tick);

		if (sig == SIGINT || sig == SIGTERM) {
			uint64_t one = 1;

			if (!atomic_exchange(&interrupted, true))
				log_msg("%s: stopping; every request is accounted for and the outputs "
					"are written", sig == SIGINT ? "interrupted" : "terminated");
			if (write(stop_efd, &one, sizeof one) < 0)
				(void)0; /* the eventfd cannot fill with one write per signal */
		}
	}
	return NULL;
}

struct totals {
	struct hist *lat, *svc, *lag, *conn;
	uint64_t ok, errors, timeouts, lost, unsent, not_started, sent;
	double target_rate, achieved_rate; /* req/s summed over threads; 0 = n/a */
	int64_t duration_ns;
	bool traced;                       /* spans were recorded */
	struct trace_export_stats trace;
};

static void us(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%.1f", ns / 1e3);
}

/* The target as the user wrote its transport: "udp://127.0.0.1:7891" over UDP. */
static const char *target_str(const struct client_config *c, char *buf, size_t len)
{
	char a[SOCK_ADDR_STRLEN];

	snprintf(buf, len, "%s%s",
		 c->to.proto == SOCK_UDP    ? "udp://"
		 : c->to.proto == SOCK_HTTP ? "http://"
		 : c->to.proto == SOCK_HTTPS ? "https://"
		 : c->to.proto == SOCK_SSL  ? "ssl://"
		 : c->to.proto == SOCK_H2C  ? "h2c://"
		 : c->to.proto == SOCK_GRPC ? "grpc://"
		 : c->to.proto == SOCK_GRPCS ? "grpcs://"
					    : "",
		 sock_addr_str((const struct sockaddr *)&c->to.ss, a, sizeof a));
	return buf;
}

static void print_hist_line(FILE *f, const char *label, const struct hist *h)
{
	char v[8][32];

	if (hist_count(h) == 0) {
		fprintf(f, "%-34s (no samples)\n", label);
		return;
	}
	us(v[0], 32, hist_min(h));
	snprintf(v[1], 32, "%.1f", hist_mean(h) / 1e3);
	us(v[2], 32, hist_percentile(h, 50));
	us(v[3], 32, hist_percentile(h, 90));
	us(v[4], 32, hist_percentile(h, 99));
	us(v[5], 32, hist_percentile(h, 99.9));
	us(v[6], 32, hist_max(h));
	fprintf(f, "%-34s min %s  mean %s  p50 %s  p90 %s  p99 %s  p99.9 %s  max %s\n", label, v[0],
		v[1], v[2], v[3], v[4], v[5], v[6]);
}

static void json_hist(FILE *f, const char *name, const struct hist *h, bool last)
{
	fprintf(f,
		"  \"%s\": {\"count\": %" PRIu64 ", \"min\": %.3f, \"mean\": %.3f, \"stddev\": %.3f, "
		"\"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, \"p99_9\": %.3f, \"max\": %.3f}%s\n",
		name, hist_count(h), hist_min(h) / 1e3, hist_mean(h) / 1e3, hist_stddev(h) / 1e3,
		hist_percentile(h, 50) / 1e3, hist_percentile(h, 90) / 1e3,
		hist_percentile(h, 99) / 1e3, hist_percentile(h, 99.9) / 1e3, hist_max(h) / 1e3,
		last ? "" : ",");
}

static int write_json(const struct client_config *c, const struct totals *t, bool rate_missed,
		      const char *first_error)
{
	FILE *f = fopen(c->json_path, "w");
	char a[SOCK_ADDR_STRLEN + 8], prog[2048];

	if (f == NULL) {
		log_msg("cannot write %s: %s", c->json_path, strerror(errno));
		return -1;
	}
	if (c->route)
		snprintf(prog, sizeof prog, "ROUTE(%s)", c->route);
	else
		prog_describe(c->prog, prog, sizeof prog);
	fprintf(f, "{\n  \"meshwalk_summary_version\": 1,\n  \"target\": ");
	json_write_string(f, target_str(c, a, sizeof a));
	fprintf(f, ",\n  \"program\": ");
	json_write_string(f, prog);
	fprintf(f, ",\n  \"command_line\": ");
	json_write_string(f, c->command_line ? c->command_line : "");
	fprintf(f,
		",\n  \"seed\": %" PRIu64 ",\n  \"threads\": %d,\n  \"sessions_per_thread\": %" PRIu64
		",\n  \"requests_per_thread\": %" PRIu64 ",\n",
		c->seed, c->threads, c->sessions, c->requests);
	fprintf(f,
		"  \"sent\": %" PRIu64 ",\n  \"ok\": %" PRIu64 ",\n  \"errors\": %" PRIu64
		",\n  \"timeouts\": %" PRIu64 ",\n  \"lost\": %" PRIu64 ",\n  \"unsent\": %" PRIu64
		",\n  \"unsent_interrupted\": %" PRIu64 ",\n  \"not_completed\": %" PRIu64 ",\n",
		t->sent, t->ok, t->errors, t->timeouts, t->lost, t->unsent, t->not_started,
		t->errors + t->timeouts + t->lost + t->unsent);
	fprintf(f, "  \"duration_s\": %.6f,\n", t->duration_ns / 1e9);
	if (t->target_rate > 0)
		fprintf(f, "  \"target_rate\": %.3f,\n  \"achieved_rate\": %.3f,\n  \"rate_missed\": %s,\n",
			t->target_rate, t->achieved_rate, rate_missed ? "true" : "false");
	else
		fprintf(f, "  \"target_rate\": null,\n  \"achieved_rate\": %.3f,\n  \"rate_missed\": false,\n",
			t->achieved_rate);
	fprintf(f, "  \"first_error\": ");
	if (first_error && *first_error)
		json_write_string(f, first_error);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"units\": \"us\",\n");
	json_hist(f, "latency", t->lat, false);
	json_hist(f, "service", t->svc, false);
	if (t->traced)
		fprintf(f, "  \"trace\": {\"recorded\": %" PRIu64 ", \"exported\": %" PRIu64
			", \"dropped\": %" PRIu64 ", \"post_failed\": %" PRIu64 "},\n",
			t->trace.recorded, t->trace.exported, t->trace.dropped, t->trace.post_failed);
	json_hist(f, "send_lag", t->lag, !c->conn_times);
	if (c->conn_times)
		json_hist(f, "connect", t->conn, true);
	fprintf(f, "}\n");
	if (fclose(f) != 0) {
		log_msg("cannot write %s: %s", c->json_path, strerror(errno));
		return -1;
	}
	return 0;
}

int client_run(const struct client_config *c)
{
	struct cthread *cts = xcalloc((size_t)c->threads, sizeof *cts);
	struct totals t = { 0 };
	FILE *csv = NULL, *dwf = NULL;
	int status = 0;
	int64_t t0;
	struct start start;
	const char *first_error = NULL;
	char first_conn_error[ERRMSG_LEN] = "";
	struct tls_ctx *tls_ctx = NULL;
	struct ctrace_run *traces = NULL;

	signal(SIGPIPE, SIG_IGN);
	if (sock_proto_tls(c->to.proto) || tls_config_any(&c->tls)) {
		struct err e;
		static const char *const alpn[] = { "h2", "http/1.1" };

		/* Files first: a wrong path stops the run before any output. */
		if (tls_ctx_client(&tls_ctx, &c->tls, &e) < 0) {
			log_msg("%s", e.msg);
			free(cts);
			return 1;
		}
		if (c->to.proto == SOCK_HTTPS || c->to.proto == SOCK_GRPCS) /* gRPC: h2 only */
			tls_ctx_offer_alpn(tls_ctx, alpn, c->to.proto == SOCK_HTTPS ? 2 : 1);
		if (!sock_proto_tls(c->to.proto)) {
			tls_ctx_free(tls_ctx); /* checked; a tcp:// target does not use it */
			tls_ctx = NULL;
		}
	}
	if (c->trace_sample > 0) {
		struct ctrace_run_config tc = { .p = c->trace_sample, .path = c->trace_out,
						.endpoint = c->otlp_endpoint, .service = c->service_name,
						.route = c->route, .to = (const struct sockaddr *)&c->to.ss,
						.threads = c->threads };
		struct err e;

		if (ctrace_run_open(&tc, &traces, &e) < 0) {
			log_msg("%s", e.msg);
			tls_ctx_free(tls_ctx);
			free(cts);
			return 1;
		}
	}
	if (c->csv_path) {
		csv = fopen(c->csv_path, "w");
		if (csv == NULL) {
			log_msg("cannot write %s: %s", c->csv_path, strerror(errno));
			tls_ctx_free(tls_ctx);
			free(cts);
			return 1;
		}
		fprintf(csv, "thr_id,sess_id,req_id,intended_us,sent_us,recv_us,latency_us,service_us,"
			     "send_lag_us,status\n");
	}
	if (c->dw_out.path && (dwf = fopen(c->dw_out.path, "w")) == NULL) {
		log_msg("cannot write %s: %s", c->dw_out.path, strerror(errno));
		if (csv)
			fclose(csv);
		tls_ctx_free(tls_ctx);
		free(cts);
		return 1;
	}
	if (dwf) {
		char head[128];

		dw_outfile_header(&c->dw_out, c->nano, head, sizeof head);
		fputs(head, dwf);
	}
	if (c->per_request_text) {
		dw_print_config(stdout, c);
		fflush(stdout);
	}
	if (hist_create(&t.lat) || hist_create(&t.svc) || hist_create(&t.lag) || hist_create(&t.conn)) {
		log_msg("out of memory for histograms");
		abort();
	}
	pthread_barrier_init(&start.barrier, NULL, (unsigned)c->threads);
	t0 = clock_now_ns();
	for (int i = 0; i < c->threads; i++) {
		struct cthread *p = &cts[i];

		p->cfg = c;
		p->index = i;
		p->t0 = t0;
		p->start = &start;
		p->fd = -1;
		p->tls_ctx = tls_ctx;
		p->ring = xcalloc(RING_SIZE, sizeof *p->ring);
		p->tr = ctrace_run_thread(traces, i);
		if (hist_create(&p->lat) || hist_create(&p->svc) || hist_create(&p->lag) ||
		    hist_create(&p->conn))
			abort();
		if (c->per_request_text || dwf) {
			p->text.f = dwf ? dwf : stdout;
			p->text.each_line = c->interactive_output;
			p->text.buf = xmalloc(OUT_FLUSH + 4096);
		}
		if (csv) {
			p->csv.f = csv;
			p->csv.buf = xmalloc(OUT_FLUSH + 4096);
		}
	}
	/* Client threads inherit the blocked stop signals; only the watcher
	 * takes them. */
	sigset_t stop_sigs, old_mask;
	struct watcher w = { .done = false };
	pthread_t watcher_thread;

	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_sigs, &old_mask);
	atomic_store(&interrupted, false);
	stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (stop_efd == -1 || pthread_create(&watcher_thread, NULL, watcher_main, &w)) {
		log_msg("cannot start the signal watcher: %s", strerror(errno));
		abort();
	}
	for (int i = 0; i < c->threads; i++) {
		if (pthread_create(&cts[i].thread, NULL, thread_main, &cts[i])) {
			log_msg("cannot start client threads");
			abort();
		}
	}
	for (int i = 0; i < c->threads; i++) {
		struct cthread *p = &cts[i];

		pthread_join(p->thread, NULL);
		if (c->per_request_text) {
			pthread_mutex_lock(&out_lock);
			printf("Sent pkts - success: %" PRIu64 ", error: %" PRIu64 ", timeout: %" PRIu64
			       ", thr_id: %d\n",
			       p->ok, p->errors + p->lost + p->unsent, p->timeouts, p->index);
			pthread_mutex_unlock(&out_lock);
		}
		hist_add(t.lat, p->lat);
		hist_add(t.svc, p->svc);
		hist_add(t.lag, p->lag);
		hist_add(t.conn, p->conn);
		t.ok += p->ok;
		t.errors += p->errors;
		t.timeouts += p->timeouts;
		t.lost += p->lost;
		t.unsent += p->unsent;
		t.not_started += p->not_started;
		t.sent += p->nsent;
		if (first_error == NULL && p->first_error[0])
			first_error = p->first_error;
		if (first_conn_error[0] == '\0' && p->conn_error[0])
			snprintf(first_conn_error, sizeof first_conn_error, "%s", p->conn_error);
		/* Rates add across threads; each is measured on its own schedule. */
		if (p->nsent > 1 && p->last_sent > p->first_sent) {
			double span_sent = (double)(p->last_sent - p->first_sent);
			double span_int = (double)(p->last_intended - p->first_intended);

			/* From the first intended send: a late first request
			 * must not make the rate look higher than it was. */
			if (c->pacing != PACER_CLOSED && p->first_intended < p->first_sent)
				span_sent = (double)(p->last_sent - p->first_intended);
			t.achieved_rate += (p->nsent - 1) * 1e9 / span_sent;
			if (c->pacing != PACER_CLOSED && span_int > 0)
				t.target_rate += (p->nsent - 1) * 1e9 / span_int;
		}
		if (p->nsent > 0 && p->last_sent - p->t0 > t.duration_ns)
			t.duration_ns = p->last_sent - p->t0;
	}
	fflush(stdout);
	t.traced = ctrace_run_close(traces, &t.trace);
	if (t.traced && t.trace.dropped + t.trace.post_failed > 0)
		log_msg("traces: %" PRIu64 " spans dropped (buffers full), %" PRIu64
			" not accepted by the endpoint", t.trace.dropped, t.trace.post_failed);
	if (first_error == NULL && first_conn_error[0])
		first_error = first_conn_error;

	atomic_store(&w.done, true);
	pthread_join(watcher_thread, NULL);
	close(stop_efd);
	stop_efd = -1;
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);

	uint64_t failed = t.errors + t.timeouts + t.lost + t.unsent;
	double miss = t.target_rate > 0 ? t.achieved_rate / t.target_rate - 1.0 : 0.0;
	bool rate_missed = t.target_rate > 0 && fabs(miss) > 0.005;

	if (c->summary) {
		char a[SOCK_ADDR_STRLEN + 8];

		printf("--- meshwalk client summary: %s, %d thread%s, seed %" PRIu64 " ---\n",
		       target_str(c, a, sizeof a), c->threads,
		       c->threads == 1 ? "" : "s", c->seed);
		printf("requests: sent %" PRIu64 ", ok %" PRIu64 ", errors %" PRIu64 ", timeouts %" PRIu64
		       ", lost %" PRIu64 ", unsent %" PRIu64 " (not completed: %" PRIu64 "%s)\n",
		       t.sent, t.ok, t.errors, t.timeouts, t.lost, t.unsent, failed,
		       /* DistWalk's "Sent pkts" lines count lost and unsent as errors. */
		       c->per_request_text && t.lost + t.unsent > 0
			       ? "; the Sent pkts lines count lost and unsent under error" : "");
		if (t.not_started)
			printf("interrupted: %" PRIu64 " requests not sent (counted in unsent, no CSV "
			       "rows)\n", t.not_started);
		if (t.target_rate > 0)
			printf("rate: target %.1f req/s, achieved %.1f req/s (%+.2f%%)\n", t.target_rate,
			       t.achieved_rate, miss * 100);
		else
			printf("rate: closed loop, achieved %.1f req/s\n", t.achieved_rate);
		print_hist_line(stdout, "latency (intended send->reply) us:", t.lat);
		print_hist_line(stdout, "service (actual send->reply) us:", t.svc);
		print_hist_line(stdout, "send lag (actual-intended) us:", t.lag);
		if (c->conn_times)
			print_hist_line(stdout, "connect() us:", t.conn);
		if (t.traced)
			printf("traces: %" PRIu64 " spans recorded, %" PRIu64 " exported, %" PRIu64
			       " dropped\n", t.trace.recorded, t.trace.exported, t.trace.dropped);
		fflush(stdout);
	}
	if (rate_missed)
		log_msg("warning: achieved rate %.1f req/s misses the target %.1f req/s by %+.2f%%%s",
			t.achieved_rate, t.target_rate, miss * 100,
			c->strict_rate ? " (--strict-rate: failing the run)" : "");
	if (failed > 0) {
		log_msg("%" PRIu64 " of %" PRIu64 " requests did not complete%s%s", failed,
			(uint64_t)c->threads * c->requests, first_error ? "; first error: " : "",
			first_error ? first_error : "");
		status = 1;
	}
	if (rate_missed && c->strict_rate)
		status = 1;
	if (c->json_path && write_json(c, &t, rate_missed, first_error) < 0)
		status = 1;
	if (atomic_load(&interrupted))
		status = 130; /* after every output is written: nothing is lost */
	if (csv && fclose(csv) != 0) {
		log_msg("cannot write %s: %s", c->csv_path, strerror(errno));
		status = 1;
	}
	if (dwf && fclose(dwf) != 0) {
		log_msg("cannot write %s: %s", c->dw_out.path, strerror(errno));
		status = 1;
	}
	for (int i = 0; i < c->threads; i++) {
		struct cthread *p = &cts[i];

		hist_destroy(p->lat);
		hist_destroy(p->svc);
		hist_destroy(p->lag);
		hist_destroy(p->conn);
		free(p->ring);
		free(p->text.buf);
		free(p->csv.buf);
	}
	hist_destroy(t.lat);
	hist_destroy(t.svc);
	hist_destroy(t.lag);
	hist_destroy(t.conn);
	pthread_barrier_destroy(&start.barrier);
	tls_ctx_free(tls_ctx);
	free(cts);
	return status;
}
