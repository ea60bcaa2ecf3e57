/* nodes.c -- the services of a run: where the nodes live (the network),
 * the nodes started in waves (each waits for the ports of the services it
 * forwards to) and the load balancers in front of replicas (run_int.h). */
#include "run/run_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run/traces.h"
#include "spec/spec.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#define NODE_START_NS (10 * NSEC_PER_SEC)

/* The prefix (a /24) that service k's replicas share: "10.X.K.0/24" or
 * "127.77.K.0/24", K = k + 1. */
static void service_prefix(const struct run *r, size_t k, char *buf, size_t len)
{
	if (r->namespaces)
		netlab_addr(&r->lab, (int)k + 1, 0, buf, len);
	else
		snprintf(buf, len, "127.77.%d.0", (int)k + 1);
	snprintf(buf + strlen(buf), len - strlen(buf), "/24");
}

/* --net-delay rules of service k's nodes: its own link's delay for every
 * peer, and each pair link's for the other service's prefix. */
static void add_delay_args(struct run *r, size_t k, struct scenario_argv *av)
{
	const struct scenario *s = r->s;
	char rule[SPEC_MAX_TEXT + 64], prefix[40];

	if (s->services[k].link.delay) {
		add_arg(av, xstrdup("--net-delay"));
		add_arg(av, xstrdup(s->services[k].link.delay));
	}
	for (size_t i = 0; i < s->network.nlinks; i++) {
		const struct scenario_pair_link *pl = &s->network.links[i];

		if (pl->svc[0] != k && pl->svc[1] != k)
			continue;
		service_prefix(r, pl->svc[0] == k ? pl->svc[1] : pl->svc[0], prefix, sizeof prefix);
		snprintf(rule, sizeof rule, "%s=%s", prefix, pl->link.delay);
		add_arg(av, xstrdup("--net-delay"));
		add_arg(av, xstrdup(rule));
	}
}

/* The forward allow-list of a node in a namespace: loopback and the /24 of
 * each service of nodes, which hold every address the scenario made and
 * nothing else (not the bridge's 10.X.0.1, the host itself). A node on
 * loopback (127.0.0.1, 127.77.K.R) keeps its default, loopback, which
 * already is that. Any --allow-forward in the service's node options adds
 * to this one (docs/security.md). */
static void add_allow_args(struct run *r, struct scenario_argv *av)
{
	char prefix[40], *list;
	size_t len;

	if (!r->namespaces)
		return;
	list = xstrdup("loopback");
	len = strlen(list);
	for (size_t k = 0; k < r->s->nservices; k++) {
		if (r->s->services[k].balance)
			continue;
		service_prefix(r, k, prefix, sizeof prefix);
		list = xrealloc(list, len + strlen(prefix) + 2);
		len += (size_t)sprintf(list + len, ",%s", prefix);
	}
	add_arg(av, xstrdup("--allow-forward"));
	add_arg(av, list);
}

/* Chooses where the nodes live (docs/network.md): 127.0.0.1 without
 * emulation; with it, an address of each node's own, in a network namespace
 * per node when the mode allows and this process may, else on loopback. */
int setup_network(struct run *r)
{
	const struct scenario *s = r->s;
	enum network_mode mode = s->network.mode;
	bool rates = false;
	struct err e;

	r->emulated = network_used(s);
	for (size_t k = 0; k < s->nservices; k++) {
		rates |= s->services[k].link.rate_bps != 0;
		for (int i = 0; i < s->services[k].replicas; i++) {
			r->replicas[k][i].lab_host = -1;
			snprintf(r->replicas[k][i].host, sizeof r->replicas[k][i].host, "127.0.0.1");
		}
	}
	if (!r->emulated)
		return 0;
	if (mode == NETWORK_NAMESPACES && !netlab_possible()) {
		run_fail(r, "network mode namespaces needs root and iproute2 (ip, tc); use mode auto or "
			"loopback to run without them");
		return -1;
	}
	if (mode != NETWORK_LOOPBACK && netlab_possible()) {
		char log[600];

		snprintf(log, sizeof log, "%s/network.log", r->dir);
		if (netlab_open(&r->lab, log, &e) == 0) {
			r->namespaces = true;
		} else if (mode == NETWORK_NAMESPACES) {
			run_fail(r, "cannot build the emulated network: %s", e.msg);
			return -1;
		} else {
			log_msg("warning: cannot build network namespaces (%s): running on loopback", e.msg);
		}
	} else if (mode == NETWORK_AUTO) {
		log_msg("warning: network emulation without network namespaces (they need root and "
			"iproute2): nodes run on loopback addresses of their own");
	}
	r->rates_dropped = rates && !r->namespaces;
	if (r->rates_dropped)
		log_msg("warning: link rates are not applied on loopback (they need mode namespaces, as root)");
	for (size_t k = 0; k < s->nservices; k++) {
		if (s->services[k].balance)
			continue;
		for (int i = 0; i < s->services[k].replicas; i++) {
			struct replica *rep = &r->replicas[k][i];

			if (!r->namespaces) {
				snprintf(rep->host, sizeof rep->host, "127.77.%d.%d", (int)k + 1, i + 1);
				continue;
			}
			netlab_addr(&r->lab, (int)k + 1, i + 1, rep->host, sizeof rep->host);
			int h = netlab_add_host(&r->lab, rep->host, s->services[k].link.rate_bps, &e);
			if (h < 0) {
				run_fail(r, "cannot build the emulated network: %s", e.msg);
				return -1;
			}
			rep->lab_host = h;
		}
	}
	if (!r->cfg->quiet && r->namespaces)
		log_msg("network: %zu namespaces on bridge %s (10.%d.0.0/16)", r->lab.nhosts,
			r->lab.bridge, r->lab.subnet);
	return 0;
}

/* --route NAME=PROGRAM for each of svc's routes, with {svc} references
 * substituted (the services they name listen already: an earlier wave). */
static int add_route_args(struct run *r, const struct scenario_service *svc,
			  struct scenario_argv *av)
{
	for (size_t k = 0; k < svc->nroutes; k++) {
		struct err e;
		char *x = scenario_expand(r->s, svc->routes[k].text, false, replica_addr, r, &e);
		char *def;

		if (x == NULL) {
			run_fail(r, "service %s: route %s: %s", svc->name, svc->routes[k].name, e.msg);
			return -1;
		}
		def = xmalloc(strlen(svc->routes[k].name) + strlen(x) + 2);
		sprintf(def, "%s=%s", svc->routes[k].name, x);
		free(x);
		add_arg(av, xstrdup("--route"));
		add_arg(av, def);
	}
	return 0;
}

/* A traced run's options: --trace-out DIR/spans.otlp.jsonl --service-name
 * NAME, and a client group's --trace-sample P (p > 0). run/traces.h. */
void add_trace_args(struct scenario_argv *av, const char *dir, const char *name, double p)
{
	char path[700], share[32];

	snprintf(path, sizeof path, "%s/%s", dir, RUN_SPANS_FILE);
	add_arg(av, xstrdup("--trace-out"));
	add_arg(av, xstrdup(path));
	add_arg(av, xstrdup("--service-name"));
	add_arg(av, xstrdup(name));
	if (p > 0) {
		snprintf(share, sizeof share, "%.17g", p);
		add_arg(av, xstrdup("--trace-sample"));
		add_arg(av, xstrdup(share));
	}
}

/* --seed for replica k of service i (scenario_node_seed()): two runs with
 * different seeds are two samples, not one twice. A --seed among the
 * service's own node arguments wins (it comes later). */
static void add_seed_arg(const struct run *r, size_t i, int k, struct scenario_argv *av)
{
	char seed[32];

	snprintf(seed, sizeof seed, "%" PRIu64, scenario_node_seed(r->s, r->seed, i, k));
	add_arg(av, xstrdup("--seed"));
	add_arg(av, xstrdup(seed));
}

/* Starts the services of one start wave (scenario_service.level) and waits
 * until every replica listens. */
static int start_wave(struct run *r, int level)
{
	const struct scenario *s = r->s;

	for (size_t i = 0; i < s->nservices; i++) {
		const struct scenario_service *svc = &s->services[i];

		if (svc->balance || svc->level != level)
			continue; /* balancers: started by start_balancers(), once the nodes listen */
		for (int k = 0; k < svc->replicas; k++) {
			struct replica *rep = &r->replicas[i][k];
			char port_file[600], stats_file[600], log_file[600];
			struct scenario_argv av = { 0 };
			char bind[64];
			const char *fixed[] = { r->cfg->exe, "node", "-q", "-b", bind, "--port-file",
						port_file, "--stats-file", stats_file };

			snprintf(bind, sizeof bind, "%s%s:0", scenario_proto_scheme(svc->proto), rep->host);

			if (snprintf(rep->dir, sizeof rep->dir, "%s/nodes/%s-%d", r->dir, svc->name, k) >=
				    (int)sizeof rep->dir ||
			    mkdirs(rep->dir) < 0) {
				run_fail(r, "cannot create %s: %s", rep->dir, strerror(errno));
				return -1;
			}
			snprintf(port_file, sizeof port_file, "%s/port", rep->dir);
			snprintf(stats_file, sizeof stats_file, "%s/stats.json", rep->dir);
			snprintf(log_file, sizeof log_file, "%s/node.log", rep->dir);
			for (size_t j = 0; j < sizeof fixed / sizeof *fixed; j++)
				add_arg(&av, xstrdup(fixed[j]));
			add_seed_arg(r, i, k, &av);
			add_delay_args(r, i, &av);
			add_allow_args(r, &av);
			add_node_tls_args(r, i, &av);
			if (scenario_traced(s))
				add_trace_args(&av, rep->dir, svc->name, 0);
			for (size_t j = 0; j < svc->node.n; j++)
				add_arg(&av, xstrdup(svc->node.v[j]));
			if (add_route_args(r, svc, &av) < 0) {
				scenario_argv_free(&av);
				return -1;
			}
			pid_t pid = spawn(r, av.v, log_file, log_file, rep->lab_host);
			scenario_argv_free(&av);
			if (pid < 0) {
				run_fail(r, "cannot start node %s-%d: %s", svc->name, k, strerror((int)-pid));
				return -1;
			}
			rep->proc.pid = pid;
		}
	}
	/* Wait until every node has written its port (it listens by then). */
	int64_t deadline = clock_now_ns() + NODE_START_NS;

	for (size_t i = 0; i < s->nservices; i++)
		for (int k = 0; k < s->services[i].replicas && !s->services[i].balance &&
				s->services[i].level == level; k++) {
			struct replica *rep = &r->replicas[i][k];
			char port_file[600];
			int port = 0;

			snprintf(port_file, sizeof port_file, "%s/port", rep->dir);
			while (port == 0) {
				FILE *f = fopen(port_file, "r");

				if (f) {
					if (fscanf(f, "%d", &port) != 1)
						port = 0;
					fclose(f);
				}
				if (port)
					break;
				if (rep->proc.reaped) {
					run_fail(r, "node %s-%d exited at start-up (see %s/node.log)",
					     s->services[i].name, k, rep->dir);
					return -1;
				}
				if (r->interrupted)
					return -1;
				if (clock_now_ns() > deadline) {
					run_fail(r, "node %s-%d did not start listening within 10 s",
					     s->services[i].name, k);
					return -1;
				}
				wait_events(r, 20 * NSEC_PER_MSEC);
			}
			snprintf(rep->addr, sizeof rep->addr, "%s:%d", rep->host, port);
			if (!r->cfg->quiet)
				log_msg("node %s-%d listening on %s", s->services[i].name, k, rep->addr);
		}
	return 0;
}

/* Starts the nodes wave by wave: a service whose routes reference others
 * starts once those listen, since their ports are only known then. */
int start_nodes(struct run *r)
{
	for (int level = 0; level <= r->s->max_level; level++)
		if (start_wave(r, level) < 0)
			return -1;
	return 0;
}

/* -- load balancers -- */

/* An executable named name in $PATH, /usr/sbin or /sbin (where Debian puts
 * haproxy, often outside a user's PATH), or NULL. */
static char *find_exe(const char *name)
{
	const char *path = getenv("PATH");
	char *dirs = xstrdup(path ? path : ""), *rest = dirs, *d;
	char buf[1024];

	for (int pass = 0; pass < 2; pass++) {
		while ((d = strsep(&rest, ":")) != NULL) {
			snprintf(buf, sizeof buf, "%s/%s", *d ? d : ".", name);
			if (access(buf, X_OK) == 0) {
				free(dirs);
				return xstrdup(buf);
			}
		}
		free(dirs);
		dirs = xstrdup("/usr/sbin:/sbin");
		rest = dirs;
	}
	free(dirs);
	return NULL;
}

/* A port nobody listens on now (the kernel's pick), for a program that
 * cannot report the port it bound. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port = -1;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static bool accepts(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

/* HAProxy in TCP mode: one frontend on 127.0.0.1:port, the service's
 * replicas as servers. Timeouts are long: a request may compute for
 * seconds, and a client session lasts the whole run. */
static int write_haproxy_cfg(struct run *r, const struct scenario_service *b, const char *path,
			     int port)
{
	const struct scenario_service *svc = &r->s->services[b->backend];
	FILE *f = fopen(path, "w");

	if (f == NULL)
		return -errno;
	fprintf(f, "# written by meshwalk run for balancer %s (service %s)\n", b->name, svc->name);
	/* HAProxy needs two descriptors per connection and refuses to start
	 * when the open-file limit cannot hold maxconn of them. */
	struct rlimit rl;
	long maxconn = 100000;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY &&
	    (long)(rl.rlim_max - 100) / 2 < maxconn)
		maxconn = (long)(rl.rlim_max - 100) / 2;
	fprintf(f, "global\n    maxconn %ld\n\ndefaults\n    mode tcp\n    timeout connect 5s\n"
		   "    timeout client 1h\n    timeout server 1h\n\n", maxconn);
	fprintf(f, "frontend %s\n    bind 127.0.0.1:%d\n    default_backend %s\n\n", b->name, port,
		svc->name);
	fprintf(f, "backend %s\n    balance %s\n", svc->name, b->policy);
	for (int k = 0; k < svc->replicas; k++)
		/* `first` fills a server up to its maxconn before the next. */
		fprintf(f, "    server %s-%d %s%s\n", svc->name, k, r->replicas[b->backend][k].addr,
			strcmp(b->policy, "first") == 0 ? " maxconn 100" : "");
	return fclose(f) == 0 ? 0 : -errno;
}

int start_balancers(struct run *r)
{
	const struct scenario *s = r->s;

	for (size_t i = 0; i < s->nservices; i++) {
		const struct scenario_service *b = &s->services[i];
		struct replica *rep = &r->replicas[i][0];
		const struct scenario_service *svc;
		struct scenario_argv av = { 0 };
		char file[3][600];
		int port = 0;
		pid_t pid;

		if (b->balance == NULL)
			continue;
		svc = &s->services[b->backend];
		if (snprintf(rep->dir, sizeof rep->dir, "%s/balancers/%s", r->dir, b->name) >=
			    (int)sizeof rep->dir ||
		    mkdirs(rep->dir) < 0) {
			run_fail(r, "cannot create %s: %s", rep->dir, strerror(errno));
			return -1;
		}
		if (strcmp(b->lb_kind, "haproxy") == 0) {
			char *exe = find_exe("haproxy");

			if (exe == NULL) {
				run_fail(r, "balancer %s: haproxy is not installed (Debian package haproxy; "
					"or use kind: meshwalk)", b->name);
				return -1;
			}
			port = free_port();
			snprintf(file[0], sizeof file[0], "%s/haproxy.cfg", rep->dir);
			snprintf(file[1], sizeof file[1], "%s/haproxy.log", rep->dir);
			if (port < 0 || write_haproxy_cfg(r, b, file[0], port) < 0) {
				free(exe);
				run_fail(r, "balancer %s: cannot write %s", b->name, file[0]);
				return -1;
			}
			add_arg(&av, exe);
			add_arg(&av, xstrdup("-db")); /* foreground, log to stderr */
			add_arg(&av, xstrdup("-f"));
			add_arg(&av, xstrdup(file[0]));
		} else {
			char *to = NULL;
			size_t len = 0;

			snprintf(file[1], sizeof file[1], "%s/proxy.log", rep->dir);
			snprintf(file[0], sizeof file[0], "%s/port", rep->dir);
			snprintf(file[2], sizeof file[2], "%s/stats.json", rep->dir);
			for (int k = 0; k < svc->replicas; k++) {
				const char *a = r->replicas[b->backend][k].addr;

				to = xrealloc(to, len + strlen(a) + 2);
				len += (size_t)sprintf(to + len, "%s%s", k ? "," : "", a);
			}
			const char *fixed[] = { r->cfg->exe, "proxy", "-q", "-b", "127.0.0.1:0", "--port-file",
						file[0], "--stats-file", file[2], "--policy", b->policy,
						"--to" };
			for (size_t j = 0; j < sizeof fixed / sizeof *fixed; j++)
				add_arg(&av, xstrdup(fixed[j]));
			add_arg(&av, to);
		}
		pid = spawn(r, av.v, file[1], file[1], -1);
		scenario_argv_free(&av);
		if (pid < 0) {
			run_fail(r, "cannot start balancer %s: %s", b->name, strerror((int)-pid));
			return -1;
		}
		rep->proc.pid = pid;
		/* Ready when it accepts (haproxy) or has written its port (proxy). */
		for (int64_t deadline = clock_now_ns() + NODE_START_NS;;) {
			if (strcmp(b->lb_kind, "meshwalk") == 0) {
				FILE *f = fopen(file[0], "r");

				if (f) {
					if (fscanf(f, "%d", &port) != 1)
						port = 0;
					fclose(f);
				}
			}
			if (port > 0 && accepts(port))
				break;
			if (rep->proc.reaped) {
				run_fail(r, "balancer %s exited at start-up (see %s)", b->name, file[1]);
				return -1;
			}
			if (r->interrupted)
				return -1;
			if (clock_now_ns() > deadline) {
				run_fail(r, "balancer %s did not accept connections within 10 s (see %s)", b->name,
				     file[1]);
				return -1;
			}
			wait_events(r, 20 * NSEC_PER_MSEC);
		}
		snprintf(rep->addr, sizeof rep->addr, "127.0.0.1:%d", port);
		if (!r->cfg->quiet)
			log_msg("balancer %s (%s, %s) listening on %s for %s", b->name, b->lb_kind,
				b->policy, rep->addr, svc->name);
	}
	return 0;
}

