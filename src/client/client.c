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
 * request it sent is accounted for (reply, error, timeout, lost).
 * This file is a thread's replies and sends; threads.c runs the threads and
 * their sessions, outputs.c writes what they produce (client_int.h). */
#include "client/client_int.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xalloc.h"

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

/* -- replies -- */

void first_error(struct cthread *p, const char *fmt, ...)
{
	va_list ap;

	if (p->first_error[0])
		return;
	va_start(ap, fmt);
	vsnprintf(p->first_error, sizeof p->first_error, fmt, ap);
	va_end(ap);
}

/* Marks seq accounted for with a failure status. */
void account_failure(struct cthread *p, uint64_t seq, enum req_status st)
{
	struct slot *s = &p->ring[seq & (RING_SIZE - 1)];

	s->done = true;
	if (s->traced)
		ctrace_end(p->tr, seq, s->sent, clock_now_ns(), 0, false,
			   results_status_word((enum results_status)st));
	switch (st) {
	case REQ_TIMEOUT: p->timeouts++; break;
	case REQ_LOST: p->lost++; break;
	default: p->errors++; break;
	}
	csv_row(p, seq, st, s->intended, s->sent, 0);
}

void advance_oldest(struct cthread *p)
{
	while (p->oldest < p->sent_end && p->ring[p->oldest & (RING_SIZE - 1)].done) {
		p->ring[p->oldest & (RING_SIZE - 1)].done = false;
		p->oldest++;
	}
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
void fail_outstanding(struct cthread *p, enum req_status st)
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
	int64_t next = INT64_MAX;
	bool cancelled = false;

	while (p->oldest < p->sent_end) {
		struct slot *s = &p->ring[p->oldest & (RING_SIZE - 1)];

		if (!s->done) {
			if (now < s->sent + timeout_ns) {
				next = s->sent + timeout_ns;
				break;
			}
			account_failure(p, p->oldest, REQ_TIMEOUT);
			first_error(p, "no reply within %" PRIu64 " us", p->cfg->timeout_us);
			if (p->h2 != NULL) { /* HTTP/2: reset its stream, freeing its place */
				h2cl_cancel(p->h2, p->oldest);
				cancelled = true;
			}
		}
		advance_oldest(p);
	}
	if (cancelled && !p->h2_sending)
		h2_flush(p, 0, false);
	return next;
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
bool wait_io(struct cthread *p, int64_t until, bool want_out)
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
void wait_send_time(struct cthread *p, int64_t intended)
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
int send_frame(struct cthread *p, uint64_t seq, const uint8_t *data, size_t len)
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

void h2_flush(struct cthread *p, uint64_t seq, bool wait)
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

/* Builds request seq into frame: header, program sampled for this request,
 * padding up to the --ps size. */
void build_request(struct cthread *p, struct rng *rng, uint64_t seq, struct wire_buf *frame,
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
