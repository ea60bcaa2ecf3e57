/* run.c -- see run.h.
 *
 * DESIGN: one process supervises all: nodes and clients are children in
 * their own process group (so a Ctrl-C in the terminal reaches only the
 * supervisor, which then stops them in order: clients first, then nodes with
 * SIGTERM so they write their counters). Signals arrive through a signalfd
 * polled with a timeout to the next client start, so there is one loop and
 * no async-signal handler. Nodes listen on port 0 and report the port
 * through --port-file: no port is ever guessed or raced for. */
#include "run/run.h"

#include <errno.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "run/leftovers.h"
#include "run/netlab.h"
#include "run/traces.h"
#include "spec/spec.h"
#include "stats/hist.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"
#include "util/version.h"
#include "util/xalloc.h"

#define NODE_START_NS (10 * NSEC_PER_SEC)
#define STOP_GRACE_NS (5 * NSEC_PER_SEC)

struct child {
	pid_t pid;          /* 0: not started or reaped */
	int status;         /* wait status once reaped */
	bool reaped;
};

struct replica {
	char dir[512];
	char host[48];      /* the address it listens on (docs/network.md) */
	int lab_host;       /* its host in the netlab, or -1 */
	char addr[64];      /* host:port once it listens */
	struct child proc;
};

struct group {
	char dir[512];
	char *command;      /* shell-quoted, for commands.txt and run.json */
	struct child proc;
	bool started;
	int exit_code;      /* -1 while running or never started */
};

struct run {
	const struct run_config *cfg;
	const struct scenario *s;
	char dir[320];
	struct replica **replicas;  /* [service][replica] */
	struct group *groups;
	uint64_t seed;
	int sfd;
	FILE *commands;
	const char *failure;        /* first reason the run failed */
	char failure_buf[512];
	bool interrupted;
	bool emulated;              /* the scenario asks for network emulation */
	bool namespaces;            /* nodes run in the netlab's namespaces */
	bool rates_dropped;         /* link rates asked for, but not applicable on loopback */
	struct netlab lab;
	struct leftovers state;     /* what a SIGKILL would leave, for --cleanup */
};

/* -- small helpers -- */

static int mkdirs(const char *path)
{
	char tmp[512];

	snprintf(tmp, sizeof tmp, "%s", path);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
				return -errno;
			*p = '/';
		}
	if (mkdir(tmp, 0755) == -1 && errno != EEXIST)
		return -errno;
	return 0;
}

/* Creates path's parents, then path itself, which must not exist: -errno. */
static int mkdir_new(const char *path)
{
	char parent[512];
	char *slash;

	snprintf(parent, sizeof parent, "%s", path);
	slash = strrchr(parent, '/');
	if (slash != NULL && slash != parent) {
		*slash = '\0';
		if (mkdirs(parent) < 0)
			return -errno;
	}
	return mkdir(path, 0755) == -1 ? -errno : 0;
}

int run_make_dir(const char *out_dir, const char *name, char *dir, size_t maxlen)
{
	char stamp[32];
	struct tm tm;
	time_t now = time(NULL);
	int rc;

	if (out_dir) {
		if (strlen(out_dir) > maxlen) {
			log_msg("-o: the path is too long (at most %zu characters)", maxlen);
			return -1;
		}
		snprintf(dir, maxlen + 1, "%s", out_dir);
		rc = mkdir_new(dir);
		if (rc == -EEXIST)
			log_msg("%s already exists: give another -o, results are never mixed", dir);
		else if (rc < 0)
			log_msg("cannot create %s: %s", dir, strerror(-rc));
		return rc;
	}
	/* results/NAME-STAMP, else -2, -3...: two runs in the same second (or
	 * at once) each get their own directory; mkdir() decides atomically. */
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	rc = -EEXIST;
	for (int k = 1; k < 1000 && rc == -EEXIST; k++) {
		int n = k == 1 ? snprintf(dir, maxlen + 1, "results/%s-%s", name, stamp)
			       : snprintf(dir, maxlen + 1, "results/%s-%s-%d", name, stamp, k);

		if (n > (int)maxlen) {
			log_msg("the scenario name is too long for a results directory: give -o");
			return -1;
		}
		rc = mkdir_new(dir);
	}
	if (rc < 0)
		log_msg("cannot create %s: %s", dir, strerror(-rc));
	return rc;
}

static void fail(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct run *r, const char *fmt, ...)
{
	va_list ap;

	if (r->failure)
		return;
	va_start(ap, fmt);
	vsnprintf(r->failure_buf, sizeof r->failure_buf, fmt, ap);
	va_end(ap);
	r->failure = r->failure_buf;
	log_msg("%s", r->failure);
}

/* Appends word to buf, quoted for a POSIX shell when it needs to be. */
static void shell_quote(char **buf, size_t *len, const char *word)
{
	bool plain = *word != '\0';
	size_t need;

	for (const char *p = word; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@%+", *p))
			plain = false;
	need = *len + strlen(word) * 4 + 4;
	*buf = xrealloc(*buf, need);
	if (*len)
		(*buf)[(*len)++] = ' ';
	if (plain) {
		strcpy(*buf + *len, word);
		*len += strlen(word);
		return;
	}
	(*buf)[(*len)++] = '\'';
	for (const char *p = word; *p; p++) {
		if (*p == '\'') {
			memcpy(*buf + *len, "'\\''", 4);
			*len += 4;
		} else {
			(*buf)[(*len)++] = *p;
		}
	}
	(*buf)[(*len)++] = '\'';
	(*buf)[*len] = '\0';
}

static char *join_command(char *const *argv)
{
	char *buf = xstrdup("");
	size_t len = 0;

	for (size_t i = 0; argv[i]; i++)
		shell_quote(&buf, &len, argv[i]);
	return buf;
}

/* Starts argv with stdout to out_path and stderr to err_path (the same file
 * when equal), in its own process group, with the default signal mask. */
static pid_t spawn(struct run *r, char *const *argv, const char *out_path, const char *err_path,
		   int lab_host)
{
	char *cmd = join_command(argv);
	pid_t pid, parent = getpid();

	/* `ip netns exec` is what this process does before exec: the line
	 * stays a command a user can paste. */
	if (lab_host >= 0)
		fprintf(r->commands, "ip netns exec %s ", r->lab.hosts[lab_host].ns);
	fprintf(r->commands, "%s\n", cmd);
	fflush(r->commands);
	free(cmd);
	pid = fork();
	if (pid == -1)
		return -errno;
	if (pid == 0) {
		sigset_t none;
		int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		int err = strcmp(out_path, err_path) == 0
				  ? out
				  : open(err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		setpgid(0, 0);
		/* A run killed with SIGKILL cannot stop its children: the kernel
		 * does, as it would on SIGTERM (checked after setting it, in case
		 * the run died first). */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != parent)
			_exit(126);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (out < 0 || err < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(126);
		if (lab_host >= 0 && netlab_enter(&r->lab, (size_t)lab_host) < 0) {
			dprintf(2, "meshwalk run: cannot enter network namespace %s: %s\n",
				r->lab.hosts[lab_host].ns, strerror(errno));
			_exit(126);
		}
		execv(argv[0], argv);
		dprintf(2, "meshwalk run: cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid); /* also here: no race with an early kill */
	leftovers_add_proc(&r->state, pid);
	return pid;
}

/* Reaps every exited child and records its status. */
static void reap(struct run *r)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (size_t i = 0; i < r->s->nservices; i++)
			for (int k = 0; k < r->s->services[i].replicas; k++) {
				struct child *c = &r->replicas[i][k].proc;

				if (c->pid == pid) {
					c->reaped = true;
					c->status = status;
				}
			}
		for (size_t g = 0; g < r->s->nclients; g++) {
			struct group *gr = &r->groups[g];

			if (gr->proc.pid == pid) {
				gr->proc.reaped = true;
				gr->proc.status = status;
				gr->exit_code = WIFEXITED(status) ? WEXITSTATUS(status)
								  : 128 + WTERMSIG(status);
			}
		}
	}
}

/* Waits up to ns for signals; handles SIGCHLD by reaping and the others
 * (SIGINT, SIGTERM, SIGHUP, SIGQUIT) by marking the run interrupted. */
static void wait_events(struct run *r, int64_t ns)
{
	struct pollfd pfd = { r->sfd, POLLIN, 0 };
	int ms = ns <= 0 ? 0 : ns > 1000 * NSEC_PER_MSEC ? 1000 : (int)((ns + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);

	if (poll(&pfd, 1, ms) > 0) {
		struct signalfd_siginfo si;

		while (read(r->sfd, &si, sizeof si) == (ssize_t)sizeof si) {
			if (si.ssi_signo != SIGCHLD) {
				if (!r->interrupted)
					log_msg("interrupted (SIG%s): stopping every process of the run",
						sigabbrev_np((int)si.ssi_signo));
				r->interrupted = true;
			}
		}
	}
	reap(r);
}

/* Sends sig to c's process group and waits for it, up to the grace time,
 * then kills it. */
static void stop_child(struct run *r, struct child *c, int sig)
{
	int64_t end;

	if (c->pid <= 0 || c->reaped)
		return;
	kill(-c->pid, sig);
	end = clock_now_ns() + STOP_GRACE_NS;
	while (!c->reaped && clock_now_ns() < end)
		wait_events(r, 20 * NSEC_PER_MSEC);
	if (!c->reaped) {
		kill(-c->pid, SIGKILL);
		while (!c->reaped)
			wait_events(r, 20 * NSEC_PER_MSEC);
	}
}

/* Appends an allocated word to av (which keeps it NULL-terminated). */
static void add_arg(struct scenario_argv *av, char *word)
{
	av->v = xrealloc(av->v, (av->n + 2) * sizeof *av->v);
	av->v[av->n++] = word;
	av->v[av->n] = NULL;
}

static const char *replica_addr(const struct scenario_service *svc, int i, void *arg)
{
	struct run *r = arg;
	size_t k = (size_t)(svc - r->s->services);

	return r->replicas[k][i].addr;
}

/* -- phases -- */

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
static int setup_network(struct run *r)
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
		fail(r, "network mode namespaces needs root and iproute2 (ip, tc); use mode auto or "
			"loopback to run without them");
		return -1;
	}
	if (mode != NETWORK_LOOPBACK && netlab_possible()) {
		char log[600];

		snprintf(log, sizeof log, "%s/network.log", r->dir);
		if (netlab_open(&r->lab, log, &e) == 0) {
			r->namespaces = true;
		} else if (mode == NETWORK_NAMESPACES) {
			fail(r, "cannot build the emulated network: %s", e.msg);
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
				fail(r, "cannot build the emulated network: %s", e.msg);
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
			fail(r, "service %s: route %s: %s", svc->name, svc->routes[k].name, e.msg);
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
static void add_trace_args(struct scenario_argv *av, const char *dir, const char *name, double p)
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

			snprintf(bind, sizeof bind, "%s%s:0", svc->http ? "http://" : "", rep->host);

			if (snprintf(rep->dir, sizeof rep->dir, "%s/nodes/%s-%d", r->dir, svc->name, k) >=
				    (int)sizeof rep->dir ||
			    mkdirs(rep->dir) < 0) {
				fail(r, "cannot create %s: %s", rep->dir, strerror(errno));
				return -1;
			}
			snprintf(port_file, sizeof port_file, "%s/port", rep->dir);
			snprintf(stats_file, sizeof stats_file, "%s/stats.json", rep->dir);
			snprintf(log_file, sizeof log_file, "%s/node.log", rep->dir);
			for (size_t j = 0; j < sizeof fixed / sizeof *fixed; j++)
				add_arg(&av, xstrdup(fixed[j]));
			add_delay_args(r, i, &av);
			add_allow_args(r, &av);
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
				fail(r, "cannot start node %s-%d: %s", svc->name, k, strerror((int)-pid));
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
					fail(r, "node %s-%d exited at start-up (see %s/node.log)",
					     s->services[i].name, k, rep->dir);
					return -1;
				}
				if (r->interrupted)
					return -1;
				if (clock_now_ns() > deadline) {
					fail(r, "node %s-%d did not start listening within 10 s",
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
static int start_nodes(struct run *r)
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

static int start_balancers(struct run *r)
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
			fail(r, "cannot create %s: %s", rep->dir, strerror(errno));
			return -1;
		}
		if (strcmp(b->lb_kind, "haproxy") == 0) {
			char *exe = find_exe("haproxy");

			if (exe == NULL) {
				fail(r, "balancer %s: haproxy is not installed (Debian package haproxy; "
					"or use kind: meshwalk)", b->name);
				return -1;
			}
			port = free_port();
			snprintf(file[0], sizeof file[0], "%s/haproxy.cfg", rep->dir);
			snprintf(file[1], sizeof file[1], "%s/haproxy.log", rep->dir);
			if (port < 0 || write_haproxy_cfg(r, b, file[0], port) < 0) {
				free(exe);
				fail(r, "balancer %s: cannot write %s", b->name, file[0]);
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
			fail(r, "cannot start balancer %s: %s", b->name, strerror((int)-pid));
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
				fail(r, "balancer %s exited at start-up (see %s)", b->name, file[1]);
				return -1;
			}
			if (r->interrupted)
				return -1;
			if (clock_now_ns() > deadline) {
				fail(r, "balancer %s did not accept connections within 10 s (see %s)", b->name,
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

static int start_group(struct run *r, size_t g)
{
	const struct scenario_client *c = &r->s->clients[g];
	struct group *gr = &r->groups[g];
	struct scenario_argv av = { 0 };
	char csv[600], json[600], out[600], errp[600], seed[32];
	struct err e;
	char *to = scenario_expand(r->s, c->to, true, replica_addr, r, &e);

	if (to == NULL) {
		fail(r, "client %s: %s", c->name, e.msg);
		return -1;
	}
	if (snprintf(gr->dir, sizeof gr->dir, "%s/clients/%s", r->dir, c->name) >= (int)sizeof gr->dir ||
	    mkdirs(gr->dir) < 0) {
		free(to);
		fail(r, "cannot create %s: %s", gr->dir, strerror(errno));
		return -1;
	}
	snprintf(csv, sizeof csv, "%s/requests.csv", gr->dir);
	snprintf(json, sizeof json, "%s/summary.json", gr->dir);
	snprintf(out, sizeof out, "%s/stdout.txt", gr->dir);
	snprintf(errp, sizeof errp, "%s/stderr.txt", gr->dir);
	snprintf(seed, sizeof seed, "%" PRIu64, r->seed + g);
	const char *fixed[] = { r->cfg->exe, "client", "-q", "--to", to, "--seed", seed,
				"--csv", csv, "--json", json };
	for (size_t j = 0; j < sizeof fixed / sizeof *fixed; j++)
		add_arg(&av, xstrdup(fixed[j]));
	free(to);
	if (c->route) {
		add_arg(&av, xstrdup("--route"));
		add_arg(&av, xstrdup(c->route));
	}
	if (scenario_trace_sample(r->s, g) > 0)
		add_trace_args(&av, gr->dir, c->name, scenario_trace_sample(r->s, g));
	for (size_t j = 0; j < c->args.n; j++) {
		char *x = scenario_expand(r->s, c->args.v[j], false, replica_addr, r, &e);

		if (x == NULL) {
			scenario_argv_free(&av);
			fail(r, "client %s: %s", c->name, e.msg);
			return -1;
		}
		add_arg(&av, x);
	}
	gr->command = join_command(av.v);
	pid_t pid = spawn(r, av.v, out, errp, -1);
	scenario_argv_free(&av);
	if (pid < 0) {
		fail(r, "cannot start client %s: %s", c->name, strerror((int)-pid));
		return -1;
	}
	gr->proc.pid = pid;
	gr->started = true;
	if (!r->cfg->quiet)
		log_msg("client %s started", c->name);
	return 0;
}

/* Runs the client groups until all have exited, a node dies, the run is
 * interrupted or the timeout passes. */
static void run_groups(struct run *r, int64_t t0)
{
	const struct scenario *s = r->s;
	int64_t end = r->cfg->timeout_ns > 0 ? t0 + r->cfg->timeout_ns : INT64_MAX;

	for (;;) {
		int64_t now = clock_now_ns(), next = INT64_MAX;
		bool running = false;

		for (size_t g = 0; g < s->nclients; g++) {
			struct group *gr = &r->groups[g];

			if (!gr->started) {
				if (now >= t0 + s->clients[g].delay_ns) {
					if (start_group(r, g) < 0)
						return;
				} else if (t0 + s->clients[g].delay_ns < next) {
					next = t0 + s->clients[g].delay_ns;
				}
			}
			if (!gr->started || !gr->proc.reaped)
				running = true;
		}
		if (!running)
			return;
		for (size_t i = 0; i < s->nservices; i++)
			for (int k = 0; k < s->services[i].replicas; k++)
				if (r->replicas[i][k].proc.reaped) {
					fail(r, "node %s-%d exited during the run (see %s/node.log)",
					     s->services[i].name, k, r->replicas[i][k].dir);
					return;
				}
		if (r->interrupted)
			return;
		if (now >= end) {
			fail(r, "the run did not finish within its timeout");
			return;
		}
		wait_events(r, (next < end ? next : end) - now);
	}
}

/* -- results -- */

struct totals {
	struct hist *lat;
	uint64_t rows, ok, error, timeout, lost, unsent;
};

/* The requests a group's interruption left unsent: one count in its JSON
 * summary ("unsent_interrupted"), no CSV rows. */
static uint64_t unsent_interrupted(const char *json)
{
	FILE *f = fopen(json, "r");
	char line[256];
	unsigned long long n = 0;

	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, " \"unsent_interrupted\": %llu", &n) == 1)
			break;
	if (f)
		fclose(f);
	return n;
}

/* Adds a group's per-request CSV into t. */
static void add_csv(const char *path, struct totals *t)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (f == NULL)
		return;
	if (fgets(line, sizeof line, f) == NULL) { /* header */
		fclose(f);
		return;
	}
	while (fgets(line, sizeof line, f)) {
		char *field[10], *p = line;
		int n = 0;

		line[strcspn(line, "\r\n")] = '\0';
		while (n < 10) {
			field[n++] = p;
			p = strchr(p, ',');
			if (p == NULL)
				break;
			*p++ = '\0';
		}
		if (n != 10)
			continue;
		t->rows++;
		if (strcmp(field[9], "ok") == 0) {
			t->ok++;
			hist_record(t->lat, (uint64_t)(strtod(field[6], NULL) * 1000 + 0.5));
		} else if (strcmp(field[9], "error") == 0) {
			t->error++;
		} else if (strcmp(field[9], "timeout") == 0) {
			t->timeout++;
		} else if (strcmp(field[9], "lost") == 0) {
			t->lost++;
		} else {
			t->unsent++;
		}
	}
	fclose(f);
}

static void host_facts(FILE *f)
{
	struct utsname u;
	char model[256] = "unknown", line[512];
	FILE *ci = fopen("/proc/cpuinfo", "r");

	if (ci) {
		while (fgets(line, sizeof line, ci))
			if (strncmp(line, "model name", 10) == 0) {
				char *c = strchr(line, ':');

				if (c) {
					snprintf(model, sizeof model, "%s", c + 2);
					model[strcspn(model, "\n")] = '\0';
				}
				break;
			}
		fclose(ci);
	}
	uname(&u);
	fprintf(f, "  \"host\": {\"cpu_model\": ");
	json_write_string(f, model);
	fprintf(f, ", \"cpus\": %ld, \"kernel\": ", sysconf(_SC_NPROCESSORS_ONLN));
	json_write_string(f, u.release);
	fprintf(f, ", \"hostname\": ");
	json_write_string(f, u.nodename);
	fprintf(f, "},\n");
}

static void utc(char *buf, size_t len, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *status_word(const struct run *r, int rc)
{
	return r->interrupted ? "interrupted" : rc == 0 ? "ok" : "failed";
}

static void write_run_json(struct run *r, time_t started, time_t ended, int rc)
{
	char path[600], a[32], b[32];
	FILE *f;

	snprintf(path, sizeof path, "%s/run.json", r->dir);
	f = fopen(path, "w");
	if (f == NULL) {
		log_msg("cannot write %s: %s", path, strerror(errno));
		return;
	}
	utc(a, sizeof a, started);
	utc(b, sizeof b, ended);
	fprintf(f, "{\n  \"meshwalk_run_version\": 1,\n  \"meshwalk_version\": \"%s\",\n  \"scenario\": ",
		MESHWALK_VERSION);
	json_write_string(f, r->s->name);
	fprintf(f, ",\n  \"scenario_file\": ");
	json_write_string(f, r->s->path);
	fprintf(f, ",\n  \"overrides\": [");
	for (size_t i = 0; i < r->cfg->noverrides; i++) {
		fprintf(f, "%s", i ? ", " : "");
		json_write_string(f, r->cfg->overrides[i]);
	}
	fprintf(f, "],\n  \"seed\": %" PRIu64 ",\n  \"started\": \"%s\",\n  \"ended\": \"%s\",\n", r->seed,
		a, b);
	host_facts(f);
	fprintf(f, "  \"status\": \"%s\",\n  \"exit_status\": %d,\n  \"failure\": ", status_word(r, rc), rc);
	if (r->failure)
		json_write_string(f, r->failure);
	else
		fputs("null", f);
	/* Where the nodes ran: "none" (127.0.0.1), "loopback" (an address of
	 * each node's own) or "namespaces" (docs/network.md). */
	fprintf(f, ",\n  \"network\": {\"emulation\": \"%s\", \"rates_applied\": %s",
		!r->emulated ? "none" : r->namespaces ? "namespaces" : "loopback",
		r->namespaces ? "true" : "false");
	if (r->namespaces)
		fprintf(f, ", \"bridge\": \"%s\", \"subnet\": \"10.%d.0.0/16\"", r->lab.bridge,
			r->lab.subnet);
	fprintf(f, "}");
	fprintf(f, ",\n  \"services\": [");
	for (size_t i = 0; i < r->s->nservices; i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		json_write_string(f, r->s->services[i].name);
		fprintf(f, ", \"replicas\": [");
		for (int k = 0; k < r->s->services[i].replicas; k++) {
			fprintf(f, "%s\"%s\"", k ? ", " : "", r->replicas[i][k].addr);
		}
		fprintf(f, "]}");
	}
	fprintf(f, "\n  ],\n  \"clients\": [");
	for (size_t g = 0; g < r->s->nclients; g++) {
		struct group *gr = &r->groups[g];

		fprintf(f, "%s\n    {\"name\": ", g ? "," : "");
		json_write_string(f, r->s->clients[g].name);
		fprintf(f, ", \"command\": ");
		json_write_string(f, gr->command ? gr->command : "");
		fprintf(f, ", \"exit_status\": ");
		if (gr->started && gr->exit_code >= 0)
			fprintf(f, "%d}", gr->exit_code);
		else
			fprintf(f, "null}");
	}
	fprintf(f, "\n  ]\n}\n");
	fclose(f);
}

/* Merges every group's latencies; writes summary.json; prints the report. */
static void write_summary(struct run *r, int rc)
{
	struct totals t = { 0 };
	char path[600];
	FILE *f;

	if (hist_create(&t.lat) < 0)
		return;
	for (size_t g = 0; g < r->s->nclients; g++) {
		char csv[600];

		snprintf(csv, sizeof csv, "%s/requests.csv", r->groups[g].dir);
		if (r->groups[g].started) {
			uint64_t n;

			add_csv(csv, &t);
			snprintf(csv, sizeof csv, "%s/summary.json", r->groups[g].dir);
			n = unsent_interrupted(csv);
			t.rows += n;
			t.unsent += n;
		}
	}
	snprintf(path, sizeof path, "%s/summary.json", r->dir);
	f = fopen(path, "w");
	if (f) {
		fprintf(f, "{\n  \"meshwalk_summary_version\": 1,\n  \"scope\": \"run\",\n  \"groups\": [");
		for (size_t g = 0; g < r->s->nclients; g++) {
			fprintf(f, "%s", g ? ", " : "");
			json_write_string(f, r->s->clients[g].name);
		}
		fprintf(f,
			"],\n  \"status\": \"%s\",\n  \"requests\": %" PRIu64 ",\n  \"ok\": %" PRIu64
			",\n  \"errors\": %" PRIu64 ",\n  \"timeouts\": %" PRIu64 ",\n  \"lost\": %" PRIu64
			",\n  \"unsent\": %" PRIu64 ",\n  \"units\": \"us\",\n  \"latency\": ",
			status_word(r, rc), t.rows, t.ok, t.error, t.timeout, t.lost, t.unsent);
		hist_write_json(t.lat, f, 1000.0);
		fprintf(f, "\n}\n");
		fclose(f);
	}
	/* The terminal report: each group's own summary, then the whole run. */
	for (size_t g = 0; g < r->s->nclients && !r->cfg->quiet; g++) {
		char out[600], line[1024];
		FILE *o;
		bool in = false;

		if (!r->groups[g].started)
			continue;
		snprintf(out, sizeof out, "%s/stdout.txt", r->groups[g].dir);
		o = fopen(out, "r");
		printf("== client %s (exit %d)\n", r->s->clients[g].name, r->groups[g].exit_code);
		while (o && fgets(line, sizeof line, o)) {
			if (strncmp(line, "--- meshwalk client summary", 27) == 0)
				in = true;
			if (in)
				fputs(line, stdout);
		}
		if (o)
			fclose(o);
	}
	if (!r->cfg->quiet) {
		printf("== run %s: %s; %" PRIu64 " requests, %" PRIu64 " ok", r->s->name, status_word(r, rc),
		       t.rows, t.ok);
		if (t.ok)
			printf("; latency us p50 %.1f p99 %.1f p99.9 %.1f max %.1f",
			       hist_percentile(t.lat, 50) / 1e3, hist_percentile(t.lat, 99) / 1e3,
			       hist_percentile(t.lat, 99.9) / 1e3, hist_max(t.lat) / 1e3);
		printf("\nresults: %s\n", r->dir);
		fflush(stdout);
	}
	hist_destroy(t.lat);
}

static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "r"), *out;
	char buf[8192];
	size_t n;

	if (in == NULL)
		return -1;
	out = fopen(to, "w");
	if (out == NULL) {
		fclose(in);
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		fwrite(buf, 1, n, out);
	fclose(in);
	return fclose(out) == 0 ? 0 : -1;
}

/* Removes what killed runs left before this one builds anything (names it
 * would reuse among them, when its pid is a dead run's), and says so. */
static void clean_leftovers(struct run *r)
{
	struct leftovers_count n;
	char log[600];
	struct err e;

	snprintf(log, sizeof log, "%s/network.log", r->dir);
	leftovers_clean(log, NULL, &n);
	if (n.procs + n.netns + n.links)
		log_msg("removed what %u killed run%s left: %u process%s, %u namespace%s, %u link%s "
			"(commands in %s)", n.runs, n.runs == 1 ? "" : "s", n.procs,
			n.procs == 1 ? "" : "es", n.netns, n.netns == 1 ? "" : "s", n.links,
			n.links == 1 ? "" : "s", log);
	if (n.need_root || n.failed)
		log_msg("warning: %u namespace%s, bridge%s or veth%s of killed runs remain: remove them "
			"with `meshwalk run --cleanup` as root", n.need_root + n.failed,
			n.need_root + n.failed == 1 ? "" : "s", n.need_root + n.failed == 1 ? "" : "s",
			n.need_root + n.failed == 1 ? "" : "s");
	if (leftovers_open(&r->state, r->dir, &e) < 0)
		log_msg("warning: %s: `meshwalk run --cleanup` could not stop this run's processes "
			"if it were killed", e.msg);
}

/* The last lines a client group wrote to its stderr.txt, on stderr. */
static void print_stderr_tail(const struct run *r, size_t g)
{
	enum { KEEP = 6 };
	char path[600], lines[KEEP][400];
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof path, "%s/stderr.txt", r->groups[g].dir);
	f = fopen(path, "r");
	if (f == NULL)
		return;
	while (fgets(lines[n % KEEP], sizeof lines[0], f))
		n++;
	fclose(f);
	for (size_t i = n > KEEP ? n - KEEP : 0; i < n; i++) {
		char *l = lines[i % KEEP];

		l[strcspn(l, "\n")] = '\0';
		log_msg("client %s: %s", r->s->clients[g].name, l);
	}
}

int run_scenario(const struct run_config *c, const struct scenario *s)
{
	struct run r = { .cfg = c, .s = s, .sfd = -1 };
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_pipe;
	sigset_t mask, old;
	time_t started = time(NULL);
	int rc;

	if (run_make_dir(c->out_dir, s->name, r.dir, 300) < 0)
		return 1;
	r.seed = s->has_seed ? s->seed : (uint64_t)clock_now_ns();
	char path[600];
	snprintf(path, sizeof path, "%s/scenario.yaml", r.dir);
	if (copy_file(s->path, path) < 0)
		log_msg("cannot copy the scenario into %s", r.dir);
	snprintf(path, sizeof path, "%s/commands.txt", r.dir);
	r.commands = fopen(path, "w");
	if (r.commands == NULL) {
		log_msg("cannot write %s: %s", path, strerror(errno));
		return 1;
	}
	clean_leftovers(&r);
	/* Every signal that ends a process by default and that a terminal or
	 * a session manager sends is taken as an interrupt: the run stops what
	 * it started and removes its network. (An ignored one, as under nohup,
	 * stays ignored.) A closed stdout must not kill it either. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGQUIT);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sigaction(SIGPIPE, &ign, &old_pipe);
	r.sfd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (r.sfd == -1) {
		log_msg("cannot create a signalfd: %s", strerror(errno));
		sigprocmask(SIG_SETMASK, &old, NULL);
		sigaction(SIGPIPE, &old_pipe, NULL);
		leftovers_close(&r.state);
		fclose(r.commands);
		return 1;
	}
	r.replicas = xcalloc(s->nservices, sizeof *r.replicas);
	for (size_t i = 0; i < s->nservices; i++)
		r.replicas[i] = xcalloc((size_t)s->services[i].replicas, sizeof **r.replicas);
	r.groups = xcalloc(s->nclients, sizeof *r.groups);
	for (size_t g = 0; g < s->nclients; g++)
		r.groups[g].exit_code = -1;

	if (setup_network(&r) == 0 && start_nodes(&r) == 0 && !r.interrupted &&
	    start_balancers(&r) == 0 && !r.interrupted)
		run_groups(&r, clock_now_ns());

	/* Stop clients first (only those still running: failure or interrupt),
	 * then the balancers, then every node, politely, so they write their
	 * counters. */
	for (size_t g = 0; g < s->nclients; g++)
		stop_child(&r, &r.groups[g].proc, SIGTERM);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < s->nservices; i++)
			if ((s->services[i].balance != NULL) == (pass == 0))
				for (int k = 0; k < s->services[i].replicas; k++)
					stop_child(&r, &r.replicas[i][k].proc, SIGTERM);

	rc = r.interrupted ? 130 : r.failure ? 1 : 0;
	for (size_t g = 0; g < s->nclients && rc == 0; g++)
		if (r.groups[g].exit_code != 0) {
			fail(&r, "client %s exited with status %d (see %s/stderr.txt)", s->clients[g].name,
			     r.groups[g].exit_code, r.groups[g].dir);
			rc = 1;
		}
	netlab_close(&r.lab); /* after the nodes in it have stopped */
	leftovers_close(&r.state);
	/* What a failed client said goes to the terminal too, not only to its
	 * stderr.txt (130: stopped by the run itself, nothing to tell). */
	for (size_t g = 0; g < s->nclients; g++)
		if (r.groups[g].exit_code > 0 && r.groups[g].exit_code != 130)
			print_stderr_tail(&r, g);
	write_run_json(&r, started, time(NULL), rc);
	if (scenario_traced(s) && run_traces_collect(r.dir, c->exe, c->quiet) < 0 && rc == 0)
		rc = 1;
	write_summary(&r, rc);

	/* A second Ctrl-C during the stop was taken too: drain it, so that
	 * restoring the mask does not deliver it now. */
	for (struct signalfd_siginfo si; read(r.sfd, &si, sizeof si) == (ssize_t)sizeof si;)
		;
	close(r.sfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	sigaction(SIGPIPE, &old_pipe, NULL);
	fclose(r.commands);
	for (size_t i = 0; i < s->nservices; i++)
		free(r.replicas[i]);
	free(r.replicas);
	for (size_t g = 0; g < s->nclients; g++)
		free(r.groups[g].command);
	free(r.groups);
	return rc;
}
