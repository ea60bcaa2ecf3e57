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

#include "exec/exec.h"
#include "node/worker.h"
#include "storage/storage.h"
#include "util/log.h"
#include "util/xalloc.h"

void node_config_defaults(struct node_config *c)
{
	struct err e;

	memset(c, 0, sizeof *c);
	sock_addr_parse("127.0.0.1", "127.0.0.1", SOCK_DEFAULT_PORT, true, &c->bind, &e);
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
	c->max_conns = 100000;
	netdelay_init(&c->net_delay);
}

void node_config_free(struct node_config *c)
{
	allowlist_free(&c->allow);
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

static int write_port_file(const char *path, int port, struct err *e)
{
	char tmp[4096];
	FILE *f;

	if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
		return err_set(e, "--port-file path too long");
	f = fopen(tmp, "w");
	if (f == NULL)
		return err_set(e, "cannot write %s: %s", tmp, strerror(errno));
	fprintf(f, "%d\n", port);
	if (fclose(f) != 0 || rename(tmp, path) != 0)
		return err_set(e, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

static void sum_stats(struct worker **ws, int n, struct worker_stats *tot)
{
	memset(tot, 0, sizeof *tot);
	for (int i = 0; i < n; i++) {
		const struct worker_stats *s = worker_stats(ws[i]);

		tot->accepted += s->accepted;
		tot->closed += s->closed;
		tot->bytes_in += s->bytes_in;
		tot->requests += s->requests;
		tot->replies += s->replies;
		tot->error_replies += s->error_replies;
		tot->malformed += s->malformed;
		tot->forwards += s->forwards;
		tot->forward_failures += s->forward_failures;
		tot->forward_timeouts += s->forward_timeouts;
		tot->orphaned += s->orphaned;
		tot->storage_errors += s->storage_errors;
		tot->udp_send_drops += s->udp_send_drops;
		tot->forward_refused += s->forward_refused;
		tot->limit_violations += s->limit_violations;
		tot->refused_conns += s->refused_conns;
		tot->auth_failures += s->auth_failures;
		tot->exec.computes += s->exec.computes;
		tot->exec.compute_ns += s->exec.compute_ns;
		tot->exec.skipped += s->exec.skipped;
	}
}

#define STAT_FIELDS(X)                          \
	X(accepted) X(closed) X(bytes_in) X(requests) X(replies) \
	X(error_replies) X(malformed) X(forwards)    \
	X(forward_failures) X(forward_timeouts) X(orphaned) X(storage_errors) \
	X(udp_send_drops) X(forward_refused) X(limit_violations) X(refused_conns) \
	X(auth_failures)

#define STORAGE_FIELDS(X)                                              \
	X(loads) X(stores) X(prefetches) X(bytes_loaded) X(bytes_stored) \
	X(syncs) X(periodic_syncs) X(errors) X(busy_ns)

static void write_stats(const struct node_config *c, struct worker **ws, int n,
			const struct storage *sto)
{
	struct worker_stats tot;
	struct storage_stats ss;
	FILE *f;

	sum_stats(ws, n, &tot);
	storage_get_stats(sto, &ss);
	if (!c->quiet) {
		log_msg("stopped: requests %llu, replies %llu, error replies %llu, malformed %llu, "
			"forwards %llu, forward failures %llu, forward timeouts %llu",
			(unsigned long long)tot.requests, (unsigned long long)tot.replies,
			(unsigned long long)tot.error_replies, (unsigned long long)tot.malformed,
			(unsigned long long)tot.forwards, (unsigned long long)tot.forward_failures,
			(unsigned long long)tot.forward_timeouts);
		if (ss.loads + ss.stores + ss.prefetches + ss.errors > 0)
			log_msg("storage: loads %llu, stores %llu, sendfile reads %llu, syncs %llu, "
				"periodic syncs %llu, errors %llu",
				(unsigned long long)ss.loads, (unsigned long long)ss.stores,
				(unsigned long long)ss.prefetches, (unsigned long long)ss.syncs,
				(unsigned long long)ss.periodic_syncs, (unsigned long long)ss.errors);
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
#undef X
	fprintf(f, "  \"computes\": %llu,\n  \"compute_ns\": %llu,\n  \"skipped_ops\": %llu,\n",
		(unsigned long long)tot.exec.computes, (unsigned long long)tot.exec.compute_ns,
		(unsigned long long)tot.exec.skipped);
	const char *sep = "";
	fprintf(f, "  \"storage\": {");
#define X(name)                                                                    \
	fprintf(f, "%s\"%s\": %llu", sep, #name, (unsigned long long)ss.name); \
	sep = ", ";
	STORAGE_FIELDS(X)
#undef X
	fprintf(f, "},\n");
	fprintf(f, "  \"workers\": [");
	for (int i = 0; i < n; i++) {
		const struct worker_stats *s = worker_stats(ws[i]);

		fprintf(f, "%s\n    {\"requests\": %llu, \"compute_ns\": %llu}", i ? "," : "",
			(unsigned long long)s->requests, (unsigned long long)s->exec.compute_ns);
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) != 0)
		log_msg("cannot write %s: %s", c->stats_file, strerror(errno));
}

struct acceptor {
	int listen_fd;
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
		struct pollfd p[2] = { { a->listen_fd, POLLIN, 0 }, { a->stop_fd, POLLIN, 0 } };

		if (poll(p, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			log_msg("accept poll failed: %s", strerror(errno));
			return NULL;
		}
		if (p[1].revents)
			return NULL;
		int fd = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
				log_msg("accept failed: %s", strerror(errno));
			if (errno == EMFILE || errno == ENFILE)
				poll(NULL, 0, 10); /* let connections close before retrying */
			continue;
		}
		worker_hand_off(a->ws[next], fd);
		next = (next + 1) % a->n;
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

/* SIGUSR1: DistWalk's STATS lines on stdout, per worker and in total:
 * connections open and requests started but not answered. The counters
 * belong to running workers, so they are read with relaxed atomic loads: a
 * snapshot, not a consistent cut. */
static void print_live_stats(struct worker **ws, int n)
{
	struct timespec ts;
	uint64_t conns = 0, reqs = 0;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	for (int i = 0; i < n; i++) {
		const struct worker_stats *s = worker_stats(ws[i]);
		uint64_t acc = __atomic_load_n(&s->accepted, __ATOMIC_RELAXED);
		uint64_t cl = __atomic_load_n(&s->closed, __ATOMIC_RELAXED);
		uint64_t rq = __atomic_load_n(&s->requests, __ATOMIC_RELAXED);
		uint64_t done = __atomic_load_n(&s->replies, __ATOMIC_RELAXED) +
				__atomic_load_n(&s->error_replies, __ATOMIC_RELAXED) +
				__atomic_load_n(&s->orphaned, __ATOMIC_RELAXED);
		uint64_t c = acc > cl ? acc - cl : 0, r = rq > done ? rq - done : 0;

		printf("[%lld.%09ld][mw-worker-%d] STATS worker-id: %d, active-conns: %llu, "
		       "active-reqs: %llu\n", (long long)ts.tv_sec, ts.tv_nsec, i, i,
		       (unsigned long long)c, (unsigned long long)r);
		conns += c;
		reqs += r;
	}
	printf("[%lld.%09ld][mw-worker-0] STATS total-active-conns: %llu, total-active-reqs: %llu\n",
	       (long long)ts.tv_sec, ts.tv_nsec, (unsigned long long)conns, (unsigned long long)reqs);
	fflush(stdout);
}

int node_run(const struct node_config *c, struct err *e)
{
	struct worker **ws = xcalloc((size_t)c->threads, sizeof *ws);
	int *lfds = xcalloc((size_t)c->threads, sizeof *lfds);
	int *ufds = xcalloc((size_t)c->threads, sizeof *ufds);
	int nu = 0;
	int nl = 0, started = 0, rc = 0, port = 0;
	struct sock_addr bind = c->bind;
	struct node_config cfg = *c;
	sigset_t sigs;
	pthread_t acc;
	int stop_pipe[2] = { -1, -1 };
	bool acc_started = false;
	struct storage *sto = NULL;
	char addr[SOCK_ADDR_STRLEN];
	char tuning[320];

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
	struct storage_config scfg = { .path = c->storage_path, .max_size = c->storage_max_size,
				       .odirect = c->storage_odirect,
				       .sync_period_ms = c->storage_sync_ms,
				       .max_op_size = c->max_io_size, .quiet = c->quiet };
	rc = storage_open(&scfg, &sto, e);
	if (rc < 0)
		goto out;
	exec_set_loops_per_usec(c->loops_per_usec);
	if (c->loops_per_usec == 0 && !c->quiet)
		/* For reference: what DistWalk's calibration would use on this CPU. */
		log_msg("COMPUTE spins on the clock; this CPU runs %llu loops/us "
			"(--loops-per-usec switches to the loop)",
			(unsigned long long)exec_calibrate_loops_per_usec());

	bool reuseport = c->accept_mode == NODE_ACCEPT_CHILD;
	int fd = sock_listen(&bind, c->backlog, reuseport, c->accept_mode != NODE_ACCEPT_PARENT);
	if (fd < 0) {
		rc = err_set(e, "cannot listen on %s: %s",
			     sock_addr_str((struct sockaddr *)&bind.ss, addr, sizeof addr), errstr(fd));
		goto out;
	}
	lfds[nl++] = fd;
	/* With port 0 the kernel picked a port; CHILD listeners must share it. */
	struct sockaddr_storage local;
	sock_local_addr(fd, &local);
	port = sock_addr_port((struct sockaddr *)&local);
	if (bind.ss.ss_family == AF_INET)
		((struct sockaddr_in *)&bind.ss)->sin_port = htons((uint16_t)port);
	else
		((struct sockaddr_in6 *)&bind.ss)->sin6_port = htons((uint16_t)port);
	cfg.bind = bind;
	if (c->accept_mode == NODE_ACCEPT_CHILD)
		for (int i = 1; i < c->threads; i++) {
			fd = sock_listen(&bind, c->backlog, true, true);
			if (fd < 0) {
				rc = err_set(e, "cannot open listener %d on port %d: %s", i, port,
					     errstr(fd));
				goto out;
			}
			lfds[nl++] = fd;
		}
	/* udp://: one SO_REUSEPORT datagram socket per worker on the TCP port (the
	 * kernel spreads senders over them); TCP stays open for forwards, which
	 * are always TCP. */
	if (c->bind.proto == SOCK_UDP)
		for (; nu < c->threads; nu++) {
			ufds[nu] = sock_bind_udp(&bind, true);
			if (ufds[nu] < 0) {
				rc = err_set(e, "cannot bind UDP port %d: %s", port, errstr(ufds[nu]));
				goto out;
			}
		}
	for (int i = 0; i < c->threads; i++) {
		int lfd = c->accept_mode == NODE_ACCEPT_CHILD	 ? lfds[i]
			  : c->accept_mode == NODE_ACCEPT_SHARED ? lfds[0]
								 : -1;

		rc = worker_create(&cfg, i, lfd, nu ? ufds[i] : -1, sto, &ws[i], e);
		if (rc < 0)
			goto out;
	}
	rc = storage_start(sto, e);
	if (rc < 0)
		goto out;
	for (; started < c->threads; started++) {
		rc = worker_start(ws[started], e);
		if (rc < 0)
			goto stop;
	}
	struct acceptor a = { .listen_fd = lfds[0], .ws = ws, .n = c->threads };
	if (c->accept_mode == NODE_ACCEPT_PARENT) {
		if (pipe2(stop_pipe, O_CLOEXEC) == -1) {
			rc = err_set(e, "cannot create pipe: %s", strerror(errno));
			goto stop;
		}
		a.stop_fd = stop_pipe[0];
		rc = -pthread_create(&acc, NULL, accept_thread, &a);
		if (rc < 0) {
			err_set(e, "cannot start the accept thread: %s", errstr(rc));
			goto stop;
		}
		acc_started = true;
	}
	tuning_str(&cfg, tuning, sizeof tuning);
	if (!c->quiet)
		log_msg("listening on %s%s (%d worker%s, accept mode %s%s)",
			sock_addr_str((struct sockaddr *)&bind.ss, addr, sizeof addr),
			c->bind.proto == SOCK_UDP ? " UDP and TCP" : "", c->threads,
			c->threads == 1 ? "" : "s",
			c->accept_mode == NODE_ACCEPT_CHILD    ? "child"
			: c->accept_mode == NODE_ACCEPT_SHARED ? "shared"
							       : "parent",
			tuning);
	/* After the start line, so whoever waits for the port file can read it. */
	if (c->port_file != NULL) {
		rc = write_port_file(c->port_file, port, e);
		if (rc < 0)
			goto stop;
	}
	int sig;
	while (sigwait(&sigs, &sig) != 0 || sig == SIGUSR1)
		if (sig == SIGUSR1)
			print_live_stats(ws, c->threads);
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
	if (started == c->threads)
		write_stats(c, ws, c->threads, sto);
out:
	for (int i = 0; i < c->threads; i++)
		worker_destroy(ws[i]);
	for (int i = 0; i < nl; i++)
		close(lfds[i]);
	for (int i = 0; i < nu; i++)
		close(ufds[i]);
	free(ufds);
	if (stop_pipe[0] >= 0) {
		close(stop_pipe[0]);
		close(stop_pipe[1]);
	}
	storage_close(sto);
	free(lfds);
	free(ws);
	return rc;
}
