/* threads.c -- client_run(): the signal watcher, the client threads and
 * their sessions (connect, TLS handshake, the schedule of one connection),
 * the start barrier, the join and the merge (client_int.h). */
#include "client/client_int.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "util/log.h"
#include "util/xalloc.h"

atomic_bool interrupted;
int stop_efd = -1;

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

/* Loads the TLS context (ssl://, or --ssl-* files to check) and opens the
 * trace export before anything runs; -1 after saying why. */
static int run_setup(const struct client_config *c, struct tls_ctx **tls_ctx,
		     struct ctrace_run **traces)
{
	if (sock_proto_tls(c->to.proto) || tls_config_any(&c->tls)) {
		struct err e;
		static const char *const alpn[] = { "h2", "http/1.1" };

		/* Files first: a wrong path stops the run before any output. */
		if (tls_ctx_client(tls_ctx, &c->tls, &e) < 0) {
			log_msg("%s", e.msg);
			return -1;
		}
		if (c->to.proto == SOCK_HTTPS || c->to.proto == SOCK_GRPCS) /* gRPC: h2 only */
			tls_ctx_offer_alpn(*tls_ctx, alpn, c->to.proto == SOCK_HTTPS ? 2 : 1);
		if (!sock_proto_tls(c->to.proto)) {
			tls_ctx_free(*tls_ctx); /* checked; a tcp:// target does not use it */
			*tls_ctx = NULL;
		}
	}
	if (c->trace_sample > 0) {
		struct ctrace_run_config tc = { .p = c->trace_sample, .path = c->trace_out,
						.endpoint = c->otlp_endpoint, .service = c->service_name,
						.route = c->route, .to = (const struct sockaddr *)&c->to.ss,
						.threads = c->threads };
		struct err e;

		if (ctrace_run_open(&tc, traces, &e) < 0) {
			log_msg("%s", e.msg);
			tls_ctx_free(*tls_ctx);
			return -1;
		}
	}
	return 0;
}

static void hists_create(struct hist **lat, struct hist **svc, struct hist **lag,
			 struct hist **conn)
{
	if (hist_create(lat) || hist_create(svc) || hist_create(lag) || hist_create(conn)) {
		log_msg("out of memory for histograms");
		abort();
	}
}

static void hists_destroy(struct hist *lat, struct hist *svc, struct hist *lag, struct hist *conn)
{
	hist_destroy(lat);
	hist_destroy(svc);
	hist_destroy(lag);
	hist_destroy(conn);
}

/* Starts the signal watcher: client threads inherit the blocked stop
 * signals; only the watcher takes them. */
static void watcher_start(struct watcher *w, pthread_t *thread, sigset_t *old_mask)
{
	sigset_t stop_sigs;

	sigemptyset(&stop_sigs);
	sigaddset(&stop_sigs, SIGINT);
	sigaddset(&stop_sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop_sigs, old_mask);
	atomic_store(&interrupted, false);
	stop_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (stop_efd == -1 || pthread_create(thread, NULL, watcher_main, w)) {
		log_msg("cannot start the signal watcher: %s", strerror(errno));
		abort();
	}
}

static void watcher_stop(struct watcher *w, pthread_t thread, const sigset_t *old_mask)
{
	atomic_store(&w->done, true);
	pthread_join(thread, NULL);
	close(stop_efd);
	stop_efd = -1;
	pthread_sigmask(SIG_SETMASK, old_mask, NULL);
}

/* Joins the threads, printing DistWalk's Sent pkts line of each, and merges
 * them into t; returns the first error any saw (a reply's before a
 * connection's), or NULL. */
static const char *join_threads(const struct client_config *c, struct cthread *cts,
				struct totals *t, char *conn_error, size_t len)
{
	const char *first = NULL;

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
		totals_add(c, t, p);
		if (first == NULL && p->first_error[0])
			first = p->first_error;
		if (conn_error[0] == '\0' && p->conn_error[0])
			snprintf(conn_error, len, "%s", p->conn_error);
	}
	fflush(stdout);
	return first ? first : conn_error[0] ? conn_error : NULL;
}

int client_run(const struct client_config *c)
{
	struct cthread *cts;
	struct totals t = { 0 };
	struct outfiles files;
	int status;
	int64_t t0;
	struct start start;
	const char *first_error;
	char first_conn_error[ERRMSG_LEN] = "";
	struct tls_ctx *tls_ctx = NULL;
	struct ctrace_run *traces = NULL;
	struct watcher w = { .done = false };
	pthread_t watcher_thread;
	sigset_t old_mask;

	signal(SIGPIPE, SIG_IGN);
	if (run_setup(c, &tls_ctx, &traces) < 0)
		return 1;
	if (outputs_open(c, &files) < 0) {
		tls_ctx_free(tls_ctx);
		return 1;
	}
	if (c->per_request_text) {
		dw_print_config(stdout, c);
		fflush(stdout);
	}
	hists_create(&t.lat, &t.svc, &t.lag, &t.conn);
	cts = xcalloc((size_t)c->threads, sizeof *cts);
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
		hists_create(&p->lat, &p->svc, &p->lag, &p->conn);
		outputs_thread(c, &files, p);
	}
	watcher_start(&w, &watcher_thread, &old_mask);
	for (int i = 0; i < c->threads; i++) {
		if (pthread_create(&cts[i].thread, NULL, thread_main, &cts[i])) {
			log_msg("cannot start client threads");
			abort();
		}
	}
	first_error = join_threads(c, cts, &t, first_conn_error, sizeof first_conn_error);
	t.traced = ctrace_run_close(traces, &t.trace);
	if (t.traced && t.trace.dropped + t.trace.post_failed > 0)
		log_msg("traces: %" PRIu64 " spans dropped (buffers full), %" PRIu64
			" not accepted by the endpoint", t.trace.dropped, t.trace.post_failed);
	watcher_stop(&w, watcher_thread, &old_mask);

	status = outputs_summary(c, &t, first_error);
	if (atomic_load(&interrupted))
		status = 130; /* after every output is written: nothing is lost */
	if (outputs_close(c, &files) < 0)
		status = 1;
	for (int i = 0; i < c->threads; i++) {
		struct cthread *p = &cts[i];

		hists_destroy(p->lat, p->svc, p->lag, p->conn);
		free(p->ring);
		free(p->text.buf);
		free(p->csv.buf);
	}
	hists_destroy(t.lat, t.svc, t.lag, t.conn);
	pthread_barrier_destroy(&start.barrier);
	tls_ctx_free(tls_ctx);
	free(cts);
	return status;
}
