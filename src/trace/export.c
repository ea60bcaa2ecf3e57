/* export.c -- see export.h.
 *
 * DESIGN: the rings are the bounded queue: every TRACE_DRAIN_MS the exporter
 * copies what they hold into its batch (so a ring slot is free again before
 * any I/O), and writes and posts each batch of TRACE_BATCH spans as one line;
 * a partial batch waits for TRACE_FLUSH_WAKES wake-ups (200 ms), so files
 * and collectors get few, full lines, while the rings, emptied 50 times a
 * second, hold a worker's spans up to 200,000 a second. The POST is a plain
 * HTTP/1.1 request on a fresh connection with 2 s send/receive timeouts: a
 * collector is expected to be near, and one connection per batch keeps the
 * code free of keep-alive state. */
#include "trace/export.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "trace/otlp.h"
#include "util/log.h"
#include "util/xalloc.h"

#define TRACE_DRAIN_MS 20
#define TRACE_FLUSH_WAKES 10

struct trace_export {
	struct trace_resource res;
	char *service, *instance, *path;
	char hostname[256];
	char host[256], port[8], urlpath[256];
	bool has_endpoint;
	FILE *f;
	struct trace_ring *rings;
	int nrings;
	int64_t offset_ns;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stop;
	struct trace_span *batch;
	char (*batch_states)[TRACE_STATE_MAX]; /* the batch's tracestates, when any */
	size_t nbatch;                 /* spans in batch, not yet emitted */
	struct trace_text line;
	struct trace_export_stats st;
};

int64_t trace_unix_offset(void)
{
	struct timespec m1, r, m2;

	clock_gettime(CLOCK_MONOTONIC, &m1);
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m2);
	int64_t mono = ((int64_t)m1.tv_sec * 1000000000 + m1.tv_nsec +
			(int64_t)m2.tv_sec * 1000000000 + m2.tv_nsec) / 2;
	return (int64_t)r.tv_sec * 1000000000 + r.tv_nsec - mono;
}

static int parse_endpoint(const char *url, char *host, size_t hcap, char *port, size_t pcap,
			  char *path, size_t pathcap, struct err *e)
{
	const char *p = url, *h, *colon, *slash;

	if (strncmp(p, "http://", 7) != 0) {
		err_set(e, "OTLP endpoint '%s': not http://HOST:PORT/PATH (https is not supported)", url);
		return -EINVAL;
	}
	h = p + 7;
	slash = strchr(h, '/');
	if (slash == NULL)
		slash = h + strlen(h);
	if (*h == '[') { /* [IPv6]:port */
		const char *rb = memchr(h, ']', (size_t)(slash - h));

		colon = rb && rb + 1 < slash && rb[1] == ':' ? rb + 1 : NULL;
		if (rb == NULL || colon == NULL) {
			err_set(e, "OTLP endpoint '%s': needs [ADDRESS]:PORT", url);
			return -EINVAL;
		}
		h++;
		if ((size_t)(rb - h) >= hcap)
			goto bad;
		memcpy(host, h, (size_t)(rb - h));
		host[rb - h] = '\0';
	} else {
		colon = memchr(h, ':', (size_t)(slash - h));
		if (colon == NULL || colon == h) {
			err_set(e, "OTLP endpoint '%s': needs HOST:PORT (4318 is OTLP/HTTP's)", url);
			return -EINVAL;
		}
		if ((size_t)(colon - h) >= hcap)
			goto bad;
		memcpy(host, h, (size_t)(colon - h));
		host[colon - h] = '\0';
	}
	size_t plen = (size_t)(slash - colon - 1);
	if (plen == 0 || plen >= pcap || strspn(colon + 1, "0123456789") < plen)
		goto bad;
	memcpy(port, colon + 1, plen);
	port[plen] = '\0';
	if (atoi(port) < 1 || atoi(port) > 65535)
		goto bad;
	const char *rest = *slash ? slash : "/v1/traces";
	if (strlen(rest) >= pathcap || strpbrk(rest, " \r\n\t") != NULL)
		goto bad;
	strcpy(path, rest);
	return 0;
bad:
	err_set(e, "OTLP endpoint '%s': not http://HOST:PORT/PATH", url);
	return -EINVAL;
}

int trace_endpoint_check(const char *url, struct err *e)
{
	char host[256], port[8], path[256];

	return parse_endpoint(url, host, sizeof host, port, sizeof port, path, sizeof path, e);
}

int trace_export_open(const struct trace_export_config *c, int nrings, struct trace_export **out,
		      struct err *e)
{
	struct trace_export *x = xcalloc(1, sizeof *x);
	uint32_t slots = c->ring_slots ? c->ring_slots : TRACE_RING_SLOTS;

	if (c->endpoint != NULL) {
		if (parse_endpoint(c->endpoint, x->host, sizeof x->host, x->port, sizeof x->port,
				   x->urlpath, sizeof x->urlpath, e) < 0) {
			free(x);
			return -EINVAL;
		}
		x->has_endpoint = true;
	}
	if (c->path != NULL) {
		x->f = fopen(c->path, "we");
		if (x->f == NULL) {
			int rc = -errno;

			err_set(e, "cannot create the trace file %s: %s", c->path, strerror(errno));
			free(x);
			return rc;
		}
		x->path = xstrdup(c->path);
	}
	x->service = xstrdup(c->service ? c->service : "meshwalk");
	x->instance = c->instance ? xstrdup(c->instance) : NULL;
	x->res.service = x->service;
	x->res.instance = x->instance;
	/* Spans of one host share a clock: consumers align hosts, not processes. */
	if (gethostname(x->hostname, sizeof x->hostname - 1) == 0 && x->hostname[0] != '\0')
		x->res.host = x->hostname;
	x->nrings = nrings;
	x->rings = xcalloc((size_t)nrings, sizeof *x->rings);
	for (int i = 0; i < nrings; i++)
		trace_ring_init(&x->rings[i], slots, (uint64_t)i + 1);
	x->batch = xcalloc(TRACE_BATCH, sizeof *x->batch);
	x->offset_ns = trace_unix_offset();
	pthread_mutex_init(&x->lock, NULL);
	pthread_cond_init(&x->cond, NULL);
	*out = x;
	return 0;
}

struct trace_ring *trace_export_ring(struct trace_export *x, int i)
{
	return x && i >= 0 && i < x->nrings ? &x->rings[i] : NULL;
}

uint64_t trace_export_drops(const struct trace_export *x)
{
	uint64_t n = 0;

	for (int i = 0; x && i < x->nrings; i++)
		n += atomic_load_explicit(&x->rings[i].drops, memory_order_relaxed);
	return n;
}

/* POSTs body; true when the endpoint answered 2xx. */
static bool post(struct trace_export *x, const char *body, size_t len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *ai = NULL;
	struct timeval tv = { .tv_sec = 2 };
	char head[600], resp[64], scratch[512];
	bool ok = false;
	int fd = -1;

	if (getaddrinfo(x->host, x->port, &hints, &ai) != 0 || ai == NULL)
		goto out;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto out;
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) != 0)
		goto out;
	int n = snprintf(head, sizeof head,
			 "POST %s HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: application/json\r\n"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			 x->urlpath, x->host, x->port, len);
	if (n < 0 || (size_t)n >= sizeof head || send(fd, head, (size_t)n, MSG_NOSIGNAL) != n)
		goto out;
	for (size_t off = 0; off < len;) {
		ssize_t w = send(fd, body + off, len - off, MSG_NOSIGNAL);

		if (w <= 0)
			goto out;
		off += (size_t)w;
	}
	/* The status line, then the rest until the collector closes (Connection:
	 * close): closing with its answer unread would reset the connection. */
	size_t got = 0;
	for (ssize_t r; (r = recv(fd, got < sizeof resp - 1 ? resp + got : scratch,
				  got < sizeof resp - 1 ? sizeof resp - 1 - got : sizeof scratch, 0)) > 0;)
		if (got < sizeof resp - 1)
			got += (size_t)r;
	resp[got] = '\0';
	ok = got >= 12 && strncmp(resp, "HTTP/1.", 7) == 0 && resp[9] == '2';
out:
	if (fd >= 0)
		close(fd);
	if (ai != NULL)
		freeaddrinfo(ai);
	return ok;
}

static void emit(struct trace_export *x, size_t n)
{
	x->line.len = 0;
	trace_otlp_line(&x->line, &x->res, x->batch, n, x->offset_ns);
	const char *buf = x->line.p;
	size_t len = x->line.len;

	if (x->f != NULL) {
		if (fwrite(buf, 1, len, x->f) != len || fflush(x->f) != 0)
			log_msg("trace file %s: write failed: %s", x->path, strerror(errno));
	}
	if (x->has_endpoint) {
		if (post(x, buf, len - 1)) {
			if (x->f == NULL)
				x->st.exported += n;
		} else {
			x->st.post_failed += n;
			log_msg("OTLP endpoint %s:%s: a batch of %zu spans was not accepted", x->host,
				x->port, n);
		}
	}
	if (x->f != NULL)
		x->st.exported += n;
}

/* Moves every committed span out of the rings into the batch, emitting
 * each full batch; with flush, what is left too. */
static void drain(struct trace_export *x, bool flush)
{
	for (int i = 0; i < x->nrings; i++) {
		struct trace_span *s;

		while ((s = trace_ring_peek(&x->rings[i])) != NULL) {
			struct trace_span *b = &x->batch[x->nbatch++];

			*b = *s;
			if (s->state_len > 0) { /* out of the ring before its slot is reused */
				if (x->batch_states == NULL)
					x->batch_states = xcalloc(TRACE_BATCH, sizeof *x->batch_states);
				memcpy(x->batch_states[b - x->batch], s->state, s->state_len);
				b->state = x->batch_states[b - x->batch];
			}
			trace_ring_done(&x->rings[i]);
			if (x->nbatch == TRACE_BATCH) {
				emit(x, x->nbatch);
				x->nbatch = 0;
			}
		}
	}
	if (flush && x->nbatch > 0) {
		emit(x, x->nbatch);
		x->nbatch = 0;
	}
}

static void *export_main(void *arg)
{
	struct trace_export *x = arg;

	pthread_setname_np(pthread_self(), "mw-trace");
	pthread_mutex_lock(&x->lock);
	for (unsigned wake = 1; !x->stop; wake++) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += TRACE_DRAIN_MS * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&x->cond, &x->lock, &ts);
		pthread_mutex_unlock(&x->lock);
		drain(x, wake % TRACE_FLUSH_WAKES == 0);
		pthread_mutex_lock(&x->lock);
	}
	pthread_mutex_unlock(&x->lock);
	return NULL;
}

int trace_export_start(struct trace_export *x, struct err *e)
{
	int rc = pthread_create(&x->thread, NULL, export_main, x);

	if (rc != 0) {
		err_set(e, "cannot start the trace exporter: %s", strerror(rc));
		return -rc;
	}
	x->started = true;
	return 0;
}

void trace_export_stop(struct trace_export *x, struct trace_export_stats *st)
{
	if (x == NULL)
		return;
	if (x->started) {
		pthread_mutex_lock(&x->lock);
		x->stop = true;
		pthread_cond_signal(&x->cond);
		pthread_mutex_unlock(&x->lock);
		pthread_join(x->thread, NULL);
	}
	drain(x, true);
	for (int i = 0; i < x->nrings; i++) {
		x->st.recorded += x->rings[i].recorded;
		x->st.dropped += atomic_load(&x->rings[i].drops);
		trace_ring_free(&x->rings[i]);
	}
	if (st != NULL)
		*st = x->st;
	if (x->f != NULL)
		fclose(x->f);
	pthread_mutex_destroy(&x->lock);
	pthread_cond_destroy(&x->cond);
	free(x->rings);
	free(x->batch);
	free(x->batch_states);
	trace_text_free(&x->line);
	free(x->service);
	free(x->instance);
	free(x->path);
	free(x);
}
