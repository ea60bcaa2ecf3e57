/* node.c -- see node.h: listeners, worker threads, signals, counters. */
#include "node/node.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "exec/engine.h"
#include "trace/export.h"
#include "exec/exec.h"
#include "node/worker.h"
#include "storage/storage.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xalloc.h"

void node_config_defaults(struct node_config *c)
{
	struct err e;

	memset(c, 0, sizeof *c);
	sock_addr_parse("127.0.0.1", "127.0.0.1", SOCK_DEFAULT_PORT, true, &c->bind, &e);
	c->binds[0] = c->bind;
	c->nbinds = 1;
	c->threads = 1;
	c->accept_mode = NODE_ACCEPT_CHILD;
	c->backlog = 1024;
	c->nodelay = true;
	c->forward_timeout_us = 10 * 1000 * 1000;
	c->seed = 1;
	c->limits = wire_default_limits;
	c->poll_mode = LOOP_EPOLL;
	c->storage_max_size = 1ull << 30;
	c->storage_sync_ms = 100;
	c->max_io_size = 16u << 20;
	allowlist_init(&c->allow);
	allowlist_default(&c->allow);
	c->allow_is_default = true;
	namelist_init(&c->allow_names);
	namelist_default(&c->allow_names);
	c->names_is_default = true;
	c->max_conns = 100000;
	c->max_retries = 8;
	c->budget = engine_default_budget;
	c->max_peer_queue = 16u << 20;
	c->max_queued = 256u << 20;
	c->max_peers = 4096;
	c->frame_timeout_ms = 30 * 1000;
	netdelay_init(&c->net_delay);
}

void node_config_free(struct node_config *c)
{
	allowlist_free(&c->allow);
	namelist_free(&c->allow_names);
	netdelay_free(&c->net_delay);
	route_table_free(&c->routes);
}

/* Resolves -c auto and checks a core list against this machine and process. */
static int resolve_affinity(struct node_config *cfg, struct err *e)
{
	int rc;

	if (cfg->affinity_auto)
		rc = cpulist_auto(cfg->threads, &cfg->affinity, e);
	else
		rc = cpulist_check(&cfg->affinity, e);
	if (rc < 0)
		err_prefix(e, "--thread-affinity");
	return rc;
}

/* The start line's tuning part: only what differs from the defaults. */
static void tuning_str(const struct node_config *c, char *buf, size_t len)
{
	size_t used = (size_t)snprintf(buf, len, ", poll mode %s%s", loop_backend_name(c->poll_mode),
				      c->wait_spin ? " (wait-spin)" : "");

	if (used < len && c->sched.kind != SCHEDPOL_NONE) {
		char p[64];

		schedpol_str(&c->sched, p, sizeof p);
		used += (size_t)snprintf(buf + used, len - used, ", sched %s", p);
	}
	if (used < len && c->affinity.n > 0) {
		char l[128];

		cpulist_str(&c->affinity, l, sizeof l);
		used += (size_t)snprintf(buf + used, len - used, ", cores %s", l);
	}
	if (used < len && c->loops_per_usec > 0)
		snprintf(buf + used, len - used, ", %llu loops/us",
			 (unsigned long long)c->loops_per_usec);
}

#define STAT_FIELDS(X)                                                               \
	X(accepted) X(closed) X(bytes_in) X(replies) X(error_replies) X(malformed)      \
	X(orphaned) X(udp_send_drops) X(udp_amplification_refused) X(udp_rx_drops) X(http_requests) X(refused_conns)    \
	X(auth_failures) X(frame_timeouts) X(cancelled_bytes) X(peer_evictions)        \
	X(tls_handshakes) X(tls_failures) X(h2_requests) X(grpc_requests) X(h2_resets) \
	X(name_lookups) X(names_refused) X(ring_sends)

#define ENGINE_FIELDS(X)                                                              \
	X(requests) X(forwards) X(forward_failures) X(forward_timeouts) X(forward_busy) \
	X(retries) X(forward_refused) X(over_budget) X(storage_errors) X(sleeps)

static void sum_stats(struct worker **ws, int n, struct worker_stats *tot)
{
	memset(tot, 0, sizeof *tot);
	for (int i = 0; i < n; i++) {
		const struct worker_stats *s = worker_stats(ws[i]);

#define X(name) tot->name += s->name;
		STAT_FIELDS(X)
#undef X
#define X(name) tot->eng.name += s->eng.name;
		ENGINE_FIELDS(X)
#undef X
		/* Refusals for any limit, at the frame or in the engine. */
		tot->limit_violations += s->limit_violations + s->eng.limit_violations;
		tot->eng.exec.computes += s->eng.exec.computes;
		tot->eng.exec.compute_ns += s->eng.exec.compute_ns;
		tot->eng.exec.skipped += s->eng.exec.skipped;
	}
}

#define STORAGE_FIELDS(X)                                              \
	X(loads) X(stores) X(prefetches) X(bytes_loaded) X(bytes_stored) \
	X(syncs) X(periodic_syncs) X(errors) X(busy_ns)

static void write_stats(const struct node_config *c, struct worker **ws, int n,
			const struct storage *sto, const struct trace_export_stats *ts,
			unsigned tls_clients)
{
	struct worker_stats tot;
	struct storage_stats ss;
	FILE *f;

	sum_stats(ws, n, &tot);
	storage_get_stats(sto, &ss);
	if (!c->quiet) {
		log_msg("stopped: requests %llu, replies %llu, error replies %llu, malformed %llu, "
			"forwards %llu, forward failures %llu, forward timeouts %llu",
			(unsigned long long)tot.eng.requests, (unsigned long long)tot.replies,
			(unsigned long long)tot.error_replies, (unsigned long long)tot.malformed,
			(unsigned long long)tot.eng.forwards, (unsigned long long)tot.eng.forward_failures,
			(unsigned long long)tot.eng.forward_timeouts);
		if (ss.loads + ss.stores + ss.prefetches + ss.errors > 0)
			log_msg("storage: loads %llu, stores %llu, sendfile reads %llu, syncs %llu, "
				"periodic syncs %llu, errors %llu",
				(unsigned long long)ss.loads, (unsigned long long)ss.stores,
				(unsigned long long)ss.prefetches, (unsigned long long)ss.syncs,
				(unsigned long long)ss.periodic_syncs, (unsigned long long)ss.errors);
		if (c->trace_out != NULL || c->otlp_endpoint != NULL)
			log_msg("traces: %llu spans recorded, %llu exported, %llu dropped (buffers full), "
				"%llu not accepted by the endpoint",
				(unsigned long long)ts->recorded, (unsigned long long)ts->exported,
				(unsigned long long)ts->dropped, (unsigned long long)ts->post_failed);
	}
	if (c->stats_file == NULL)
		return;
	f = fopen(c->stats_file, "w");
	if (f == NULL) {
		log_msg("cannot write %s: %s", c->stats_file, strerror(errno));
		return;
	}
	fprintf(f, "{\n");
#define X(name) fprintf(f, "  \"%s\": %llu,\n", #name, (unsigned long long)tot.name);
	STAT_FIELDS(X)
	X(limit_violations)
#undef X
	/* TLS client contexts made (0 or 1): 0 for a node that never forwarded over TLS */
	fprintf(f, "  \"tls_client_contexts\": %u,\n", tls_clients);
#define X(name) fprintf(f, "  \"%s\": %llu,\n", #name, (unsigned long long)tot.eng.name);
	ENGINE_FIELDS(X)
#undef X
	fprintf(f, "  \"computes\": %llu,\n  \"compute_ns\": %llu,\n  \"skipped_ops\": %llu,\n",
		(unsigned long long)tot.eng.exec.computes, (unsigned long long)tot.eng.exec.compute_ns,
		(unsigned long long)tot.eng.exec.skipped);
	const char *sep = "";
	fprintf(f, "  \"storage\": {");
#define X(name)                                                                    \
	fprintf(f, "%s\"%s\": %llu", sep, #name, (unsigned long long)ss.name); \
	sep = ", ";
	STORAGE_FIELDS(X)
#undef X
	fprintf(f, "},\n");
	if (c->trace_out != NULL || c->otlp_endpoint != NULL)
		fprintf(f, "  \"trace\": {\"recorded\": %llu, \"exported\": %llu, \"dropped\": %llu, "
			"\"post_failed\": %llu},\n", (unsigned long long)ts->recorded,
			(unsigned long long)ts->exported, (unsigned long long)ts->dropped,
			(unsigned long long)ts->post_failed);
	fprintf(f, "  \"workers\": [");
	for (int i = 0; i < n; i++) {
		const struct worker_stats *s = worker_stats(ws[i]);

		fprintf(f, "%s\n    {\"requests\": %llu, \"compute_ns\": %llu}", i ? "," : "",
			(unsigned long long)s->eng.requests, (unsigned long long)s->eng.exec.compute_ns);
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) != 0)
		log_msg("cannot write %s: %s", c->stats_file, strerror(errno));
}

/* The node's TLS contexts, made once before any worker starts (an SSL_CTX
 * is shared read-only by every thread): one for ssl:// addresses, one for
 * https:// (its ALPN list: the front ends that can take a connection over),
 * one for grpcs:// (ALPN h2 only); and the client side of TLS forwards
 * (ssl://, https://, grpcs://), made by the first such forward (tls_lazy):
 * a node that never forwards over TLS never pays for an SSL_CTX. */
struct node_tls {
	struct tls_ctx *ssl, *https, *grpcs;
	struct tls_lazy *client;
};

/* The --ssl-* files are read at start-up, whichever addresses use them:
 * the client context serves TLS forwards, which any request may ask for,
 * so a wrong path is a start-up error, never a surprise under load. A
 * server context reads the same files and ciphers as the client one; with
 * none, the options are checked by making the client context now (kept
 * for the forwards). Without --ssl-* options there is nothing to check. */
static int node_tls_contexts(const struct node_config *c, struct node_tls *t, struct err *e)
{
	bool ssl = false, https = false, grpcs = false;
	int rc = 0;

	for (int b = 0; b < c->nbinds; b++) {
		ssl |= c->binds[b].proto == SOCK_SSL;
		https |= c->binds[b].proto == SOCK_HTTPS;
		grpcs |= c->binds[b].proto == SOCK_GRPCS;
	}
	if (ssl)
		rc = tls_ctx_server(&t->ssl, &c->tls, NULL, 0, e);
	if (rc == 0 && https) {
		const char *names[TLS_ALPN_MAX];
		int n = worker_alpn_names(names, TLS_ALPN_MAX);

		rc = tls_ctx_server(&t->https, &c->tls, names, n, e);
	}
	if (rc == 0 && grpcs) {
		const char *h2[] = { "h2" }; /* gRPC is HTTP/2 only */

		rc = tls_ctx_server(&t->grpcs, &c->tls, h2, 1, e);
	}
	/* The node's certificate is also its client certificate (mutual TLS),
	 * and --ssl-verify applies to the peers it forwards to as well. */
	struct tls_ctx *made = NULL;
	if (rc == 0 && tls_config_any(&c->tls) && !ssl && !https && !grpcs)
		rc = tls_ctx_client(&made, &c->tls, e);
	if (rc == 0)
		t->client = tls_lazy_new(&c->tls, made);
	return rc;
}

static void node_tls_free(struct node_tls *t)
{
	tls_ctx_free(t->ssl);
	tls_ctx_free(t->https);
	tls_ctx_free(t->grpcs);
	tls_lazy_free(t->client);
}

static struct tls_ctx *tls_of(const struct node_tls *t, const struct sock_addr *a)
{
	return a->proto == SOCK_SSL     ? t->ssl
	       : a->proto == SOCK_HTTPS ? t->https
	       : a->proto == SOCK_GRPCS ? t->grpcs
					: NULL;
}

static bool bind_http(const struct sock_addr *a)
{
	return a->proto == SOCK_HTTP || a->proto == SOCK_HTTPS;
}

struct acceptor {
	int listen_fd[NODE_MAX_BINDS];
	enum sock_proto proto[NODE_MAX_BINDS];
	struct tls_ctx *tls[NODE_MAX_BINDS];
	int nlisten;
	int stop_fd;         /* readable when the node stops */
	struct worker **ws;
	int n;
};

/* PARENT accept mode: accept here, hand each connection to the next worker. */
static void *accept_thread(void *arg)
{
	struct acceptor *a = arg;
	int next = 0;

	pthread_setname_np(pthread_self(), "mw-accept");
	for (;;) {
		struct pollfd p[NODE_MAX_BINDS + 1];

		for (int i = 0; i < a->nlisten; i++)
			p[i] = (struct pollfd){ a->listen_fd[i], POLLIN, 0 };
		p[a->nlisten] = (struct pollfd){ a->stop_fd, POLLIN, 0 };
		if (poll(p, (nfds_t)a->nlisten + 1, -1) == -1) {
			if (errno == EINTR)
				continue;
			log_msg("accept poll failed: %s", strerror(errno));
			return NULL;
		}
		if (p[a->nlisten].revents)
			return NULL;
		for (int i = 0; i < a->nlisten; i++) {
			if (!p[i].revents)
				continue;
			int fd = accept4(a->listen_fd[i], NULL, NULL, SOCK_CLOEXEC);
			if (fd == -1) {
				if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
					log_msg("accept failed: %s", strerror(errno));
				if (errno == EMFILE || errno == ENFILE)
					poll(NULL, 0, 10); /* let connections close before retrying */
				continue;
			}
			worker_hand_off(a->ws[next], fd, a->proto[i], a->tls[i]);
			next = (next + 1) % a->n;
		}
	}
}

/* A server's connections are bounded by its descriptors: use every one the
 * hard limit allows (the soft default, 1024, is for interactive shells). */
static void raise_fd_limit(bool quiet)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0 && !quiet)
		log_msg("cannot raise the open-file limit: %s", strerror(errno));
}

static void set_port(struct sock_addr *a, int port)
{
	if (a->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&a->ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)&a->ss)->sin6_port = htons((uint16_t)port);
}

/* "cannot listen on ADDR: address in use (...)" or the system's reason. */
static int listen_error(const struct sock_addr *a, int rc, struct err *e)
{
	char addr[SOCK_ADDR_STRLEN];

	sock_addr_str((const struct sockaddr *)&a->ss, addr, sizeof addr);
	if (rc == -EADDRINUSE)
		return err_set(e, "cannot listen on %s%s: address in use (another process, perhaps "
			       "another node, listens there; pick another port, or port 0 for any)",
			       a->proto == SOCK_UDP ? "udp://" : "", addr);
	return err_set(e, "cannot listen on %s: %s", addr, errstr(rc));
}

/* The sockets of one address: its TCP listeners (one per worker in CHILD
 * mode, else one) and, for udp://, one datagram socket per worker. */
struct bind_sockets {
	int *tcp, ntcp;
	int *udp, nudp;
};

struct node_sockets {
	struct bind_sockets by_bind[NODE_MAX_BINDS];
};

/* Opens every socket of address b, *bind (its port set to the one bound,
 * when it was 0) into socks->by_bind[b]; 0 or -errno with e filled. */
static int open_address(const struct node_config *c, int b, struct sock_addr *bind,
			struct node_sockets *socks, int *port, struct err *e)
{
	struct bind_sockets *bs = &socks->by_bind[b];

	bs->tcp = xcalloc((size_t)c->threads, sizeof *bs->tcp);
	bs->udp = xcalloc((size_t)c->threads, sizeof *bs->udp);
	/* CHILD listeners share the port through SO_REUSEPORT, which any other
	 * process of this user (another node, say) could join, and the kernel
	 * would split the connections between them in silence. So the address is
	 * first claimed by a probe without SO_REUSEPORT (a port in use by anyone
	 * fails here; port 0 gets the kernel's pick), and once every listener is
	 * up, no listener but ours may be on it (a node that raced us there). */
	bool reuseport = c->accept_mode == NODE_ACCEPT_CHILD;
	int fd = sock_probe_free(bind, false, port);
	if (fd == 0 && bind->proto == SOCK_UDP) {
		set_port(bind, *port);
		fd = sock_probe_free(bind, true, NULL);
	}
	if (fd == 0) {
		set_port(bind, *port);
		fd = sock_listen(bind, c->backlog, reuseport, c->accept_mode != NODE_ACCEPT_PARENT);
	}
	if (fd < 0)
		return listen_error(bind, fd, e);
	bs->tcp[bs->ntcp++] = fd;
	if (c->accept_mode == NODE_ACCEPT_CHILD)
		for (int i = 1; i < c->threads; i++) {
			fd = sock_listen(bind, c->backlog, true, true);
			if (fd < 0)
				return err_set(e, "cannot open listener %d on port %d: %s", i, *port,
					       errstr(fd));
			bs->tcp[bs->ntcp++] = fd;
		}
	int rc = sock_listen_check_alone(bind, bs->tcp, bs->ntcp);
	if (rc < 0)
		return listen_error(bind, rc, e);
	/* udp://: one SO_REUSEPORT datagram socket per worker on the TCP port (the
	 * kernel spreads senders over them); TCP stays open for forwards, which
	 * are always TCP. */
	if (bind->proto == SOCK_UDP)
		for (; bs->nudp < c->threads; bs->nudp++) {
			bs->udp[bs->nudp] = sock_bind_udp(bind, true);
			if (bs->udp[bs->nudp] < 0)
				return err_set(e, "cannot bind UDP port %d: %s", *port,
					       errstr(bs->udp[bs->nudp]));
		}
	return 0;
}

/* SIGUSR1: DistWalk's STATS lines on stdout, per worker and in total:
 * connections open and requests started but not answered, every line
 * tagged [dwn_conn_0] as DistWalk tags them whatever the worker. The counters
 * belong to running workers, which write them with counter_inc(): read
 * with counter_read(), a snapshot, not a consistent cut. */
static void print_live_stats(struct worker **ws, int n, const struct trace_export *tracer)
{
	struct timespec ts;
	uint64_t conns = 0, reqs = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (int i = 0; i < n; i++) {
		const struct worker_stats *s = worker_stats(ws[i]);
		uint64_t acc = counter_read(&s->accepted);
		uint64_t cl = counter_read(&s->closed);
		uint64_t rq = counter_read(&s->eng.requests);
		uint64_t done = counter_read(&s->replies) +
				counter_read(&s->error_replies) +
				counter_read(&s->orphaned);
		uint64_t c = acc > cl ? acc - cl : 0, r = rq > done ? rq - done : 0;

		printf("[%lld.%09ld][dwn_conn_0] STATS worker-id: %d, active-conns: %llu, "
		       "active-reqs: %llu\n", (long long)ts.tv_sec, ts.tv_nsec, i,
		       (unsigned long long)c, (unsigned long long)r);
		conns += c;
		reqs += r;
	}
	printf("[%lld.%09ld][dwn_conn_0] STATS total-active-conns: %llu, total-active-reqs: %llu\n",
	       (long long)ts.tv_sec, ts.tv_nsec, (unsigned long long)conns, (unsigned long long)reqs);
	if (tracer != NULL)
		printf("[%lld.%09ld][dwn_conn_0] STATS trace-spans-dropped: %llu\n",
		       (long long)ts.tv_sec, ts.tv_nsec, (unsigned long long)trace_export_drops(tracer));
	fflush(stdout);
}

/* Opens the storage file (its thread starts later) and sets COMPUTE's
 * loop rate, saying what DistWalk's calibration would use. */
static int open_storage(const struct node_config *c, struct storage **sto, struct err *e)
{
	struct storage_config scfg = { .path = c->storage_path, .max_size = c->storage_max_size,
				       .odirect = c->storage_odirect,
				       .sync_period_ms = c->storage_sync_ms,
				       .max_op_size = c->max_io_size, .quiet = c->quiet };
	int rc = storage_open(&scfg, sto, e);

	if (rc < 0)
		return rc;
	exec_set_loops_per_usec(c->loops_per_usec);
	if (c->loops_per_usec == 0 && !c->quiet)
		/* For reference: what DistWalk's calibration would use on this CPU. */
		log_msg("COMPUTE spins on the clock; this CPU runs %llu loops/us "
			"(--loops-per-usec switches to the loop)",
			(unsigned long long)exec_calibrate_loops_per_usec());
	return 0;
}

/* --trace-out / --otlp-endpoint: the exporter thread, in cfg->tracer. */
static int start_tracer(const struct node_config *c, struct node_config *cfg, struct err *e)
{
	char addr[SOCK_ADDR_STRLEN];
	char svc[SOCK_ADDR_STRLEN + 8];
	int rc;

	if (c->trace_out == NULL && c->otlp_endpoint == NULL)
		return 0;
	sock_addr_str((struct sockaddr *)&cfg->bind.ss, addr, sizeof addr);
	snprintf(svc, sizeof svc, "node-%s", addr);
	struct trace_export_config tc = { .path = c->trace_out, .endpoint = c->otlp_endpoint,
					  .service = c->service_name ? c->service_name : svc,
					  .instance = addr };
	rc = trace_export_open(&tc, c->threads, &cfg->tracer, e);
	if (rc < 0)
		return rc;
	return trace_export_start(cfg->tracer, e);
}

/* Worker i's sockets of every address, by accept mode, and the worker. */
static int create_workers(const struct node_config *c, const struct node_config *cfg,
			  const struct node_sockets *socks, const struct node_tls *tls,
			  struct storage *sto, struct worker **ws, struct err *e)
{
	for (int i = 0; i < c->threads; i++) {
		struct worker_sockets ws_i = { .nlisten = 0, .nudp = 0, .tls_client = tls->client };

		for (int b = 0; b < c->nbinds; b++) {
			const struct bind_sockets *bs = &socks->by_bind[b];

			ws_i.listen_http[ws_i.nlisten] = bind_http(&cfg->binds[b]);
			ws_i.listen_tls[ws_i.nlisten] = tls_of(tls, &cfg->binds[b]);
			ws_i.listen_h2[ws_i.nlisten] = cfg->binds[b].proto == SOCK_H2C ||
						       cfg->binds[b].proto == SOCK_GRPC ||
						       cfg->binds[b].proto == SOCK_GRPCS;
			if (c->accept_mode == NODE_ACCEPT_CHILD)
				ws_i.listen[ws_i.nlisten++] = bs->tcp[i];
			else if (c->accept_mode == NODE_ACCEPT_SHARED)
				ws_i.listen[ws_i.nlisten++] = bs->tcp[0];
			if (bs->nudp > 0)
				ws_i.udp[ws_i.nudp++] = bs->udp[i];
		}
		int rc = worker_create(cfg, i, &ws_i, sto, &ws[i], e);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* PARENT accept mode: the accept thread over every address's listener,
 * stopped through stop_pipe. */
static int start_acceptor(const struct node_config *cfg, const struct node_tls *tls,
			  const struct node_sockets *socks, struct acceptor *a, int stop_pipe[2],
			  pthread_t *acc, struct err *e)
{
	int rc;

	for (int b = 0; b < cfg->nbinds; b++) {
		a->proto[a->nlisten] = cfg->binds[b].proto;
		a->tls[a->nlisten] = tls_of(tls, &cfg->binds[b]);
		a->listen_fd[a->nlisten++] = socks->by_bind[b].tcp[0];
	}
	if (pipe2(stop_pipe, O_CLOEXEC) == -1)
		return err_set(e, "cannot create pipe: %s", strerror(errno));
	a->stop_fd = stop_pipe[0];
	rc = -pthread_create(acc, NULL, accept_thread, a);
	if (rc < 0)
		err_set(e, "cannot start the accept thread: %s", errstr(rc));
	return rc;
}

/* The start line: every address with its protocol, workers, accept mode
 * and tuning. */
static void log_listening(const struct node_config *c, const struct node_config *cfg)
{
	char where[NODE_MAX_BINDS * (SOCK_ADDR_STRLEN + 16)];
	char addr[SOCK_ADDR_STRLEN];
	char tuning[320];
	size_t n = 0;

	tuning_str(cfg, tuning, sizeof tuning);
	if (c->quiet)
		return;
	for (int b = 0; b < c->nbinds && n < sizeof where; b++)
		n += (size_t)snprintf(where + n, sizeof where - n, "%s%s%s", b ? ", " : "",
				      sock_addr_str((struct sockaddr *)&cfg->binds[b].ss, addr,
						    sizeof addr),
				      cfg->binds[b].proto == SOCK_UDP    ? " UDP and TCP"
				      : cfg->binds[b].proto == SOCK_HTTP ? " HTTP/1.1"
				      : cfg->binds[b].proto == SOCK_SSL  ? " TLS"
				      : cfg->binds[b].proto == SOCK_HTTPS ? " HTTPS"
				      : cfg->binds[b].proto == SOCK_H2C  ? " HTTP/2 (h2c)"
				      : cfg->binds[b].proto == SOCK_GRPC ? " gRPC (h2c)"
				      : cfg->binds[b].proto == SOCK_GRPCS ? " gRPC over TLS"
									  : "");
	log_msg("listening on %s (%d worker%s, accept mode %s%s)", where, c->threads,
		c->threads == 1 ? "" : "s",
		c->accept_mode == NODE_ACCEPT_CHILD    ? "child"
		: c->accept_mode == NODE_ACCEPT_SHARED ? "shared"
						       : "parent",
		tuning);
}

static void close_sockets(struct node_sockets *socks, int nbinds)
{
	for (int b = 0; b < nbinds; b++) {
		for (int i = 0; i < socks->by_bind[b].ntcp; i++)
			close(socks->by_bind[b].tcp[i]);
		for (int i = 0; i < socks->by_bind[b].nudp; i++)
			close(socks->by_bind[b].udp[i]);
		free(socks->by_bind[b].tcp);
		free(socks->by_bind[b].udp);
	}
}

int node_run(const struct node_config *c, struct err *e)
{
	struct worker **ws = xcalloc((size_t)c->threads, sizeof *ws);
	struct node_sockets socks = { 0 };
	int ports[NODE_MAX_BINDS] = { 0 };
	int started = 0, rc = 0;
	struct node_config cfg = *c;
	sigset_t sigs;
	pthread_t acc;
	int stop_pipe[2] = { -1, -1 };
	bool acc_started = false;
	struct storage *sto = NULL;
	struct node_tls tls = { 0 };

	/* Block the signals the node handles before any thread exists (the
	 * storage thread included): only the main thread's sigwait sees them,
	 * and none of them can kill the node by its default action. */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (c->affinity_auto || c->affinity.n > 0) {
		rc = resolve_affinity(&cfg, e);
		if (rc < 0)
			goto out;
	}
	raise_fd_limit(c->quiet);
	rc = open_storage(c, &sto, e);
	if (rc < 0)
		goto out;
	rc = node_tls_contexts(c, &tls, e);
	if (rc < 0)
		goto out;
	for (int b = 0; b < c->nbinds; b++) {
		rc = open_address(c, b, &cfg.binds[b], &socks, &ports[b], e);
		if (rc < 0)
			goto out;
	}
	cfg.bind = cfg.binds[0];
	rc = start_tracer(c, &cfg, e);
	if (rc < 0)
		goto out;
	rc = create_workers(c, &cfg, &socks, &tls, sto, ws, e);
	if (rc < 0)
		goto out;
	rc = storage_start(sto, e);
	if (rc < 0)
		goto out;
	for (; started < c->threads; started++) {
		rc = worker_start(ws[started], e);
		if (rc < 0)
			goto stop;
	}
	struct acceptor a = { .ws = ws, .n = c->threads };
	if (c->accept_mode == NODE_ACCEPT_PARENT) {
		rc = start_acceptor(&cfg, &tls, &socks, &a, stop_pipe, &acc, e);
		if (rc < 0)
			goto stop;
		acc_started = true;
	}
	log_listening(c, &cfg);
	/* After the start line, so whoever waits for the port file can read it. */
	if (c->port_file != NULL) {
		rc = file_write_ports(c->port_file, ports, c->nbinds, e);
		if (rc < 0)
			goto stop;
	}
	int sig;
	while (sigwait(&sigs, &sig) != 0 || sig == SIGUSR1)
		if (sig == SIGUSR1)
			print_live_stats(ws, c->threads, cfg.tracer);
	/* A worker deep in a long COMPUTE would not see worker_stop() until it
	 * ends: make every COMPUTE end now, so the node stops within a second. */
	exec_abort_all();
	rc = 0;
stop:
	if (acc_started) {
		char b = 1;

		if (write(stop_pipe[1], &b, 1) == -1)
			log_msg("cannot stop the accept thread: %s", strerror(errno));
		pthread_join(acc, NULL);
	}
	for (int i = 0; i < started; i++)
		worker_stop(ws[i]);
	for (int i = 0; i < started; i++)
		worker_join(ws[i]);
	/* After the workers: nobody submits any more, and a last periodic sync
	 * lands before the counters are written. */
	storage_stop(sto);
	struct trace_export_stats tst = { 0 };
	trace_export_stop(cfg.tracer, &tst); /* after the workers: every span is in */
	cfg.tracer = NULL;
	if (started == c->threads)
		write_stats(&cfg, ws, c->threads, sto, &tst, tls_lazy_made(tls.client));
out:
	trace_export_stop(cfg.tracer, NULL);
	for (int i = 0; i < c->threads; i++)
		worker_destroy(ws[i]);
	close_sockets(&socks, c->nbinds);
	if (stop_pipe[0] >= 0) {
		close(stop_pipe[0]);
		close(stop_pipe[1]);
	}
	storage_close(sto);
	free(ws);
	node_tls_free(&tls);
	return rc;
}
