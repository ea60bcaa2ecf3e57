/* client.c -- see client.h.
 *
 * DESIGN: each client thread is a pair. The sender owns the schedule: it
 * sleeps (timer slack lowered to 1 ns) until shortly before the intended time,
 * spins the rest, stamps the actual send time and writes the request with one
 * send(). The receiver owns the socket's input: it reads replies in batches,
 * matches them to requests by id, records the three figures and writes the
 * per-request output. They share only a ring of send stamps (one slot per
 * outstanding request, published with release/acquire) and a few counters,
 * so the sender is never delayed by reply processing.
 * Sessions run one after another on each pair: the sender waits for the
 * receiver to account for every request of a session (reply, error, timeout)
 * before closing the connection and opening the next one. */
#include "client/client.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/wire.h"
#include "stats/hist.h"
#include "util/clock.h"
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
	_Atomic uint64_t seq1;    /* seq + 1 once the stamps below are valid */
	_Atomic int64_t intended; /* intended send time */
	_Atomic int64_t sent;     /* actual send time */
	bool done;                /* receiver only: accounted for */
};

/* One buffered output stream (stdout text or the CSV file). */
struct out {
	FILE *f;                  /* shared stream; writes under out_lock */
	char *buf;                /* this thread's pending bytes */
	size_t len;
};

struct pair {
	const struct client_config *cfg;
	int index;
	pthread_t sender, receiver;
	struct slot *ring;               /* RING_SIZE slots */
	/* session hand-over, guarded by lock/cond */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int fd;                          /* current session's socket, -1 none */
	uint64_t sess;                   /* current session number */
	uint64_t sess_first;             /* seq of the session's first request */
	bool sess_open;                  /* receiver should work on the session */
	bool sess_done;                  /* receiver accounted for all sent */
	bool quit;                       /* no more sessions */
	_Atomic uint64_t sent_end;       /* seq one past the last sent request */
	_Atomic bool sending_done;       /* sender will send no more in this session */
	_Atomic bool broken;             /* connection failed: sender stops */
	_Atomic uint64_t oldest;         /* receiver: oldest unaccounted seq */
	_Atomic uint64_t outstanding;    /* sent - accounted (closed loop waits on 0) */
	/* results (each written by one thread, read after join) */
	struct hist *lat, *svc, *lag;    /* receiver: lat, svc; sender: lag */
	uint64_t ok, errors, timeouts, lost, unsent; /* receiver, except unsent (sender) */
	int64_t first_intended, last_intended; /* sender */
	int64_t first_sent, last_sent;         /* sender */
	uint64_t nsent;                        /* sender */
	char first_error[ERRMSG_LEN];          /* receiver */
	char conn_error[ERRMSG_LEN];           /* sender */
	struct out text, csv;                  /* receiver */
	int64_t t0;                            /* run start, for relative times */
};

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

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
	c->retry_period_ms = 1000;
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

static void csv_row(struct pair *p, uint64_t seq, enum req_status st, int64_t intended,
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

/* -- receiver -- */

/* Marks seq accounted for with a failure status. */
static void account_failure(struct pair *p, uint64_t seq, enum req_status st)
{
	struct slot *s = &p->ring[seq & (RING_SIZE - 1)];

	s->done = true;
	switch (st) {
	case REQ_TIMEOUT: p->timeouts++; break;
	case REQ_LOST: p->lost++; break;
	default: p->errors++; break;
	}
	csv_row(p, seq, st, atomic_load_explicit(&s->intended, memory_order_relaxed),
		atomic_load_explicit(&s->sent, memory_order_relaxed), 0);
}

static void advance_oldest(struct pair *p, uint64_t end)
{
	uint64_t o = atomic_load_explicit(&p->oldest, memory_order_relaxed);

	while (o < end && p->ring[o & (RING_SIZE - 1)].done) {
		p->ring[o & (RING_SIZE - 1)].done = false;
		o++;
	}
	atomic_store_explicit(&p->oldest, o, memory_order_release);
}

static void on_reply(struct pair *p, const struct wire_hdr *h, const uint8_t *text, int64_t now)
{
	uint64_t seq = h->id & ((1ull << 48) - 1);
	struct slot *s = &p->ring[seq & (RING_SIZE - 1)];
	int64_t intended, sent;

	if (atomic_load_explicit(&s->seq1, memory_order_acquire) != seq + 1 || s->done ||
	    seq < atomic_load_explicit(&p->oldest, memory_order_relaxed))
		return; /* a late reply for a request already timed out */
	intended = atomic_load_explicit(&s->intended, memory_order_relaxed);
	sent = atomic_load_explicit(&s->sent, memory_order_relaxed);
	atomic_fetch_sub_explicit(&p->outstanding, 1, memory_order_release);
	if (h->status != WIRE_OK) {
		if (p->first_error[0] == '\0')
			snprintf(p->first_error, sizeof p->first_error, "%s: %.*s",
				 wire_status_name(h->status), (int)(h->prog_len < 160 ? h->prog_len : 160),
				 (const char *)text);
		account_failure(p, seq, REQ_ERROR);
		return;
	}
	s->done = true;
	p->ok++;
	hist_record(p->lat, (uint64_t)(now - intended));
	hist_record(p->svc, (uint64_t)(now - sent));
	if (p->text.f)
		out_printf(&p->text, "t: %" PRId64 " us, elapsed: %" PRId64 " us, req_id: %" PRIu64
				     ", thr_id: %d, sess_id: %" PRIu64 "\n",
			   (intended - p->t0) / 1000, (now - intended) / 1000, seq, p->index, p->sess);
	csv_row(p, seq, REQ_OK, intended, sent, now);
}

/* Accounts for every sent request not yet done with status st. */
static void fail_outstanding(struct pair *p, enum req_status st)
{
	uint64_t end = atomic_load_explicit(&p->sent_end, memory_order_acquire);

	for (uint64_t q = atomic_load_explicit(&p->oldest, memory_order_relaxed); q < end; q++)
		if (!p->ring[q & (RING_SIZE - 1)].done) {
			account_failure(p, q, st);
			atomic_fetch_sub_explicit(&p->outstanding, 1, memory_order_release);
		}
	advance_oldest(p, end);
}

/* Runs one session's receive side until every sent request is accounted. */
static void receive_session(struct pair *p, int fd, uint8_t *buf)
{
	size_t have = 0;
	uint64_t discard = 0;
	const int64_t timeout_ns = (int64_t)p->cfg->timeout_us * NSEC_PER_USEC;

	for (;;) {
		/* sending_done first: once it is true, sent_end is final. */
		bool sending_done = atomic_load_explicit(&p->sending_done, memory_order_acquire);
		uint64_t end = atomic_load_explicit(&p->sent_end, memory_order_acquire);
		uint64_t oldest = atomic_load_explicit(&p->oldest, memory_order_relaxed);
		int64_t now = clock_now_ns();
		int wait_ms = 20;

		/* Time out the oldest requests; later ones were sent later. */
		while (oldest < end) {
			struct slot *s = &p->ring[oldest & (RING_SIZE - 1)];

			if (!s->done) {
				int64_t deadline = atomic_load_explicit(&s->sent, memory_order_relaxed) + timeout_ns;

				if (now < deadline) {
					int64_t ms = (deadline - now) / NSEC_PER_MSEC + 1;
					if (ms < wait_ms)
						wait_ms = (int)ms;
					break;
				}
				account_failure(p, oldest, REQ_TIMEOUT);
				atomic_fetch_sub_explicit(&p->outstanding, 1, memory_order_release);
				if (p->first_error[0] == '\0')
					snprintf(p->first_error, sizeof p->first_error,
						 "no reply within %" PRIu64 " us", p->cfg->timeout_us);
			}
			advance_oldest(p, end);
			oldest = atomic_load_explicit(&p->oldest, memory_order_relaxed);
		}
		if (sending_done && oldest >= end)
			return;
		if (atomic_load_explicit(&p->broken, memory_order_acquire)) {
			fail_outstanding(p, REQ_LOST);
			if (sending_done)
				return;
			wait_ms = 1;
		}
		struct pollfd pfd = { fd, POLLIN, 0 };
		int rc = poll(&pfd, 1, wait_ms);
		if (rc <= 0)
			continue;
		ssize_t n = recv(fd, buf + have, RX_BUF - have, MSG_DONTWAIT);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0) {
			if (!atomic_load(&p->broken) && p->conn_error[0] == '\0') {
				char a[SOCK_ADDR_STRLEN];

				log_msg("thread %d session %" PRIu64 ": connection to %s %s", p->index, p->sess,
					sock_addr_str((struct sockaddr *)&p->cfg->to.ss, a, sizeof a),
					n == 0 ? "closed by the node" : strerror(errno));
			}
			atomic_store(&p->broken, true);
			fail_outstanding(p, REQ_LOST);
			if (atomic_load_explicit(&p->sending_done, memory_order_acquire)) {
				fail_outstanding(p, REQ_LOST);
				return;
			}
			/* Wait for the sender to notice and stop. */
			while (!atomic_load_explicit(&p->sending_done, memory_order_acquire))
				poll(NULL, 0, 1);
			fail_outstanding(p, REQ_LOST);
			return;
		}
		now = clock_now_ns();
		have += (size_t)n;
		size_t off = 0;
		while (off < have) {
			struct wire_hdr h;
			struct err e;

			if (discard) {
				size_t d = have - off < discard ? have - off : (size_t)discard;
				off += d;
				discard -= d;
				continue;
			}
			if (have - off < WIRE_HDR_LEN)
				break;
			if (wire_hdr_decode(buf + off, &wire_default_limits, &h, &e) < 0 ||
			    h.type != WIRE_REPLY) {
				log_msg("thread %d: bad reply from the node: %s", p->index,
					h.type != WIRE_REPLY ? "not a reply" : e.msg);
				atomic_store(&p->broken, true);
				have = 0;
				off = 0;
				break;
			}
			if (have - off < WIRE_HDR_LEN + (size_t)h.prog_len) {
				if (off == 0 && have == RX_BUF) { /* cannot happen: prog_len <= 64 KiB */
					atomic_store(&p->broken, true);
					have = 0;
				}
				break;
			}
			on_reply(p, &h, buf + off + WIRE_HDR_LEN, now);
			off += WIRE_HDR_LEN + h.prog_len;
			discard = h.len - WIRE_HDR_LEN - h.prog_len;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
		advance_oldest(p, atomic_load_explicit(&p->sent_end, memory_order_acquire));
	}
}

static void *receiver_main(void *arg)
{
	struct pair *p = arg;
	uint8_t *buf = xmalloc(RX_BUF);
	char name[16];

	snprintf(name, sizeof name, "mw-recv-%d", p->index);
	pthread_setname_np(pthread_self(), name);
	for (;;) {
		int fd;

		pthread_mutex_lock(&p->lock);
		while (!p->sess_open && !p->quit)
			pthread_cond_wait(&p->cond, &p->lock);
		if (!p->sess_open) {
			pthread_mutex_unlock(&p->lock);
			break;
		}
		fd = p->fd;
		pthread_mutex_unlock(&p->lock);

		receive_session(p, fd, buf);

		pthread_mutex_lock(&p->lock);
		p->sess_open = false;
		p->sess_done = true;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
	out_flush(&p->text);
	out_flush(&p->csv);
	free(buf);
	return NULL;
}

/* -- sender -- */

static int connect_session(struct pair *p)
{
	const struct client_config *c = p->cfg;
	char a[SOCK_ADDR_STRLEN];
	int rc = 0;

	for (int attempt = 0; attempt <= c->retry_num; attempt++) {
		int fd;

		if (attempt > 0)
			poll(NULL, 0, (int)c->retry_period_ms);
		fd = socket(c->to.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
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
		if (connect(fd, (const struct sockaddr *)&c->to.ss, c->to.len) == 0) {
			if (c->nodelay)
				sock_set_nodelay(fd, true);
			p->conn_error[0] = '\0';
			return fd;
		}
		rc = -errno;
		close(fd);
	}
	snprintf(p->conn_error, sizeof p->conn_error, "cannot connect to %s: %s%s",
		 sock_addr_str((struct sockaddr *)&c->to.ss, a, sizeof a), strerror(-rc),
		 c->retry_num ? " (retries exhausted)" : "");
	return rc;
}

static int send_all(int fd, const uint8_t *data, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);

		if (n == -1) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

static void *sender_main(void *arg)
{
	struct pair *p = arg;
	const struct client_config *c = p->cfg;
	struct pacer pacer;
	struct clock_waiter waiter;
	struct rng rng;
	struct wire_buf frame;
	uint64_t seq = 0;
	char name[16];

	snprintf(name, sizeof name, "mw-send-%d", p->index);
	pthread_setname_np(pthread_self(), name);
	clock_lower_timer_slack();
	clock_waiter_init(&waiter, c->spin_ns, c->spin_ns > 0 ? 2 * NSEC_PER_MSEC : 0);
	wire_buf_init(&frame);
	rng_seed(&rng, c->seed, (uint64_t)p->index << 32);
	pacer_init(&pacer, c->pacing, c->pace, c->rate_step_secs, p->t0, &rng);
	p->first_sent = p->first_intended = -1;

	for (uint64_t sess = 0; sess < c->sessions; sess++) {
		/* -n is split evenly across sessions; the first ones take the rest. */
		uint64_t count = c->requests / c->sessions + (sess < c->requests % c->sessions);
		int fd;

		if (count == 0)
			continue;
		/* A distinct stream per thread and session, as the seed promises. */
		rng_seed(&rng, c->seed, ((uint64_t)p->index << 32) | (sess + 1));
		fd = connect_session(p);
		if (fd < 0) {
			log_msg("thread %d session %" PRIu64 ": %s", p->index, sess, p->conn_error);
			for (uint64_t k = 0; k < count; k++) {
				int64_t t = pacer_next(&pacer, &rng, clock_now_ns());

				(void)t;
				p->unsent++;
			}
			continue;
		}
		pthread_mutex_lock(&p->lock);
		p->fd = fd;
		p->sess = sess;
		p->sess_first = seq;
		p->sess_done = false;
		atomic_store(&p->broken, false);
		atomic_store(&p->sending_done, false);
		p->sess_open = true;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);

		uint64_t k = 0;
		for (; k < count && !atomic_load_explicit(&p->broken, memory_order_acquire); k++, seq++) {
			int64_t intended;

			if (c->pacing == PACER_CLOSED) {
				/* Closed loop: the next request leaves when the last reply is in. */
				while (atomic_load_explicit(&p->outstanding, memory_order_acquire) > 0 &&
				       !atomic_load_explicit(&p->broken, memory_order_acquire))
					clock_wait_until(clock_now_ns() + 2 * NSEC_PER_USEC,
							 c->wait_spin ? -1 : 0);
				if (atomic_load_explicit(&p->broken, memory_order_acquire))
					break;
				intended = pacer_next(&pacer, &rng, clock_now_ns());
			} else {
				intended = pacer_next(&pacer, &rng, 0);
				if (c->wait_spin)
					clock_spin_until(intended);
				else
					clock_waiter_wait(&waiter, intended);
			}
			/* Never overwrite a slot whose request is still outstanding. */
			while (seq - atomic_load_explicit(&p->oldest, memory_order_acquire) >= RING_SIZE &&
			       !atomic_load_explicit(&p->broken, memory_order_acquire))
				poll(NULL, 0, 1);

			frame.len = 0;
			wire_buf_reserve(&frame, WIRE_HDR_LEN);
			frame.len = WIRE_HDR_LEN;
			prog_encode(c->prog, &rng, seq, &frame);
			uint32_t prog_len = (uint32_t)(frame.len - WIRE_HDR_LEN);
			uint64_t size = frame.len;
			if (c->req_size) {
				double want = spec_sample(c->req_size, &rng, seq);

				if (want > (double)size)
					size = want > (double)wire_default_limits.max_frame
						       ? wire_default_limits.max_frame
						       : (uint64_t)want;
			}
			if (size > frame.len) {
				size_t pad = size - frame.len;

				wire_buf_reserve(&frame, pad);
				memset(frame.data + frame.len, 0, pad);
				frame.len = size;
			}
			struct wire_hdr h = { .version = WIRE_VERSION, .type = WIRE_REQUEST,
					      .len = (uint32_t)frame.len, .id = ((uint64_t)p->index << 48) | seq,
					      .prog_len = prog_len };
			wire_hdr_encode(&h, frame.data);

			struct slot *s = &p->ring[seq & (RING_SIZE - 1)];
			int64_t now = clock_now_ns();
			atomic_store_explicit(&s->intended, intended, memory_order_relaxed);
			atomic_store_explicit(&s->sent, now, memory_order_relaxed);
			atomic_store_explicit(&s->seq1, seq + 1, memory_order_release);
			atomic_fetch_add_explicit(&p->outstanding, 1, memory_order_release);
			atomic_store_explicit(&p->sent_end, seq + 1, memory_order_release);
			int rc = send_all(fd, frame.data, frame.len);
			if (rc < 0) {
				if (p->conn_error[0] == '\0')
					snprintf(p->conn_error, sizeof p->conn_error, "send failed: %s",
						 strerror(-rc));
				atomic_store(&p->broken, true);
				k++;
				seq++;
				break;
			}
			if (p->first_intended < 0) {
				p->first_intended = intended;
				p->first_sent = now;
			}
			p->last_intended = intended;
			p->last_sent = now;
			p->nsent++;
			hist_record(p->lag, (uint64_t)(now > intended ? now - intended : 0));
		}
		/* Requests of this session that never left count as unsent. */
		for (; k < count; k++) {
			pacer_next(&pacer, &rng, clock_now_ns());
			p->unsent++;
		}
		atomic_store_explicit(&p->sending_done, true, memory_order_release);
		pthread_mutex_lock(&p->lock);
		while (!p->sess_done)
			pthread_cond_wait(&p->cond, &p->lock);
		pthread_mutex_unlock(&p->lock);
		close(fd);
	}
	pthread_mutex_lock(&p->lock);
	p->quit = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	wire_buf_free(&frame);
	return NULL;
}

/* -- the run -- */

struct totals {
	struct hist *lat, *svc, *lag;
	uint64_t ok, errors, timeouts, lost, unsent, sent;
	double target_rate, achieved_rate; /* req/s summed over threads; 0 = n/a */
	int64_t duration_ns;
};

static void us(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%.1f", ns / 1e3);
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

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static int write_json(const struct client_config *c, const struct totals *t, bool rate_missed,
		      const char *first_error)
{
	FILE *f = fopen(c->json_path, "w");
	char a[SOCK_ADDR_STRLEN], prog[2048];

	if (f == NULL) {
		log_msg("cannot write %s: %s", c->json_path, strerror(errno));
		return -1;
	}
	prog_describe(c->prog, prog, sizeof prog);
	fprintf(f, "{\n  \"meshwalk_summary_version\": 1,\n  \"target\": ");
	json_string(f, sock_addr_str((struct sockaddr *)&c->to.ss, a, sizeof a));
	fprintf(f, ",\n  \"program\": ");
	json_string(f, prog);
	fprintf(f, ",\n  \"command_line\": ");
	json_string(f, c->command_line ? c->command_line : "");
	fprintf(f,
		",\n  \"seed\": %" PRIu64 ",\n  \"threads\": %d,\n  \"sessions_per_thread\": %" PRIu64
		",\n  \"requests_per_thread\": %" PRIu64 ",\n",
		c->seed, c->threads, c->sessions, c->requests);
	fprintf(f,
		"  \"sent\": %" PRIu64 ",\n  \"ok\": %" PRIu64 ",\n  \"errors\": %" PRIu64
		",\n  \"timeouts\": %" PRIu64 ",\n  \"lost\": %" PRIu64 ",\n  \"unsent\": %" PRIu64
		",\n  \"not_completed\": %" PRIu64 ",\n",
		t->sent, t->ok, t->errors, t->timeouts, t->lost, t->unsent,
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
		json_string(f, first_error);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"units\": \"us\",\n");
	json_hist(f, "latency", t->lat, false);
	json_hist(f, "service", t->svc, false);
	json_hist(f, "send_lag", t->lag, true);
	fprintf(f, "}\n");
	if (fclose(f) != 0) {
		log_msg("cannot write %s: %s", c->json_path, strerror(errno));
		return -1;
	}
	return 0;
}

int client_run(const struct client_config *c)
{
	struct pair *pairs = xcalloc((size_t)c->threads, sizeof *pairs);
	struct totals t = { 0 };
	FILE *csv = NULL;
	int status = 0;
	int64_t t0;
	const char *first_error = NULL;
	char first_conn_error[ERRMSG_LEN] = "";

	signal(SIGPIPE, SIG_IGN);
	if (c->csv_path) {
		csv = fopen(c->csv_path, "w");
		if (csv == NULL) {
			log_msg("cannot write %s: %s", c->csv_path, strerror(errno));
			free(pairs);
			return 1;
		}
		fprintf(csv, "thr_id,sess_id,req_id,intended_us,sent_us,recv_us,latency_us,service_us,"
			     "send_lag_us,status\n");
	}
	if (hist_create(&t.lat) || hist_create(&t.svc) || hist_create(&t.lag)) {
		log_msg("out of memory for histograms");
		abort();
	}
	/* Start a little in the future so every thread's first request is on
	 * schedule rather than late by thread start-up. */
	t0 = clock_now_ns() + 2 * NSEC_PER_MSEC;
	for (int i = 0; i < c->threads; i++) {
		struct pair *p = &pairs[i];

		p->cfg = c;
		p->index = i;
		p->t0 = t0;
		p->fd = -1;
		p->ring = xcalloc(RING_SIZE, sizeof *p->ring);
		pthread_mutex_init(&p->lock, NULL);
		pthread_cond_init(&p->cond, NULL);
		if (hist_create(&p->lat) || hist_create(&p->svc) || hist_create(&p->lag))
			abort();
		if (c->per_request_text) {
			p->text.f = stdout;
			p->text.buf = xmalloc(OUT_FLUSH + 4096);
		}
		if (csv) {
			p->csv.f = csv;
			p->csv.buf = xmalloc(OUT_FLUSH + 4096);
		}
	}
	for (int i = 0; i < c->threads; i++) {
		if (pthread_create(&pairs[i].receiver, NULL, receiver_main, &pairs[i]) ||
		    pthread_create(&pairs[i].sender, NULL, sender_main, &pairs[i])) {
			log_msg("cannot start client threads");
			abort();
		}
	}
	for (int i = 0; i < c->threads; i++) {
		struct pair *p = &pairs[i];

		pthread_join(p->sender, NULL);
		pthread_join(p->receiver, NULL);
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
		t.ok += p->ok;
		t.errors += p->errors;
		t.timeouts += p->timeouts;
		t.lost += p->lost;
		t.unsent += p->unsent;
		t.sent += p->nsent;
		if (first_error == NULL && p->first_error[0])
			first_error = p->first_error;
		if (first_conn_error[0] == '\0' && p->conn_error[0])
			snprintf(first_conn_error, sizeof first_conn_error, "%s", p->conn_error);
		/* Rates add across threads; each is measured on its own schedule. */
		if (p->nsent > 1 && p->last_sent > p->first_sent) {
			double span_sent = (double)(p->last_sent - p->first_sent);
			double span_int = (double)(p->last_intended - p->first_intended);

			t.achieved_rate += (p->nsent - 1) * 1e9 / span_sent;
			if (c->pacing != PACER_CLOSED && span_int > 0)
				t.target_rate += (p->nsent - 1) * 1e9 / span_int;
		}
		if (p->last_sent - t0 > t.duration_ns)
			t.duration_ns = p->last_sent - t0;
	}
	fflush(stdout);
	if (first_error == NULL && first_conn_error[0])
		first_error = first_conn_error;

	uint64_t failed = t.errors + t.timeouts + t.lost + t.unsent;
	double miss = t.target_rate > 0 ? t.achieved_rate / t.target_rate - 1.0 : 0.0;
	bool rate_missed = t.target_rate > 0 && fabs(miss) > 0.005;

	if (c->summary) {
		char a[SOCK_ADDR_STRLEN];

		printf("--- meshwalk client summary: %s, %d thread%s, seed %" PRIu64 " ---\n",
		       sock_addr_str((struct sockaddr *)&c->to.ss, a, sizeof a), c->threads,
		       c->threads == 1 ? "" : "s", c->seed);
		printf("requests: sent %" PRIu64 ", ok %" PRIu64 ", errors %" PRIu64 ", timeouts %" PRIu64
		       ", lost %" PRIu64 ", unsent %" PRIu64 " (not completed: %" PRIu64 ")\n",
		       t.sent, t.ok, t.errors, t.timeouts, t.lost, t.unsent, failed);
		if (t.target_rate > 0)
			printf("rate: target %.1f req/s, achieved %.1f req/s (%+.2f%%)\n", t.target_rate,
			       t.achieved_rate, miss * 100);
		else
			printf("rate: closed loop, achieved %.1f req/s\n", t.achieved_rate);
		print_hist_line(stdout, "latency (intended send->reply) us:", t.lat);
		print_hist_line(stdout, "service (actual send->reply) us:", t.svc);
		print_hist_line(stdout, "send lag (actual-intended) us:", t.lag);
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
	if (csv && fclose(csv) != 0) {
		log_msg("cannot write %s: %s", c->csv_path, strerror(errno));
		status = 1;
	}
	for (int i = 0; i < c->threads; i++) {
		struct pair *p = &pairs[i];

		hist_destroy(p->lat);
		hist_destroy(p->svc);
		hist_destroy(p->lag);
		free(p->ring);
		free(p->text.buf);
		free(p->csv.buf);
		pthread_mutex_destroy(&p->lock);
		pthread_cond_destroy(&p->cond);
	}
	hist_destroy(t.lat);
	hist_destroy(t.svc);
	hist_destroy(t.lag);
	free(pairs);
	return status;
}
