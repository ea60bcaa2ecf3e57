/* run.c -- see run.h.
 *
 * DESIGN: one process supervises all: nodes and clients are children in
 * their own process group (so a Ctrl-C in the terminal reaches only the
 * supervisor, which then stops them in order: clients first, then nodes with
 * SIGTERM so they write their counters). Signals arrive through a signalfd
 * polled with a timeout to the next client start, so there is one loop and
 * no async-signal handler. Nodes listen on port 0 and report the port
 * through --port-file: no port is ever guessed or raced for.
 * This file is the supervision (run_int.h): nodes.c starts the services,
 * groups.c the client groups, outputs.c writes the results. */
#include "run/run_int.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "results/files.h"
#include "run/traces.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xalloc.h"

#define STOP_GRACE_NS (5 * NSEC_PER_SEC)

/* -- small helpers -- */

int mkdirs(const char *path)
{
	struct err e;
	int rc = file_mkdirs(path, &e);

	if (rc < 0)
		errno = -rc; /* the callers say why with strerror(errno) */
	return rc;
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

void run_fail(struct run *r, const char *fmt, ...)
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

char *join_command(char *const *argv)
{
	char *buf = xstrdup("");
	size_t len = 0;

	for (size_t i = 0; argv[i]; i++)
		shell_quote(&buf, &len, argv[i]);
	return buf;
}

/* Starts argv with stdout to out_path and stderr to err_path (the same file
 * when equal), in its own process group, with the default signal mask. */
pid_t spawn(struct run *r, char *const *argv, const char *out_path, const char *err_path,
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
void wait_events(struct run *r, int64_t ns)
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
void add_arg(struct scenario_argv *av, char *word)
{
	av->v = xrealloc(av->v, (av->n + 2) * sizeof *av->v);
	av->v[av->n++] = word;
	av->v[av->n] = NULL;
}

const char *replica_addr(const struct scenario_service *svc, int i, void *arg)
{
	struct run *r = arg;
	size_t k = (size_t)(svc - r->s->services);

	return r->replicas[k][i].addr;
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

	results_path(path, sizeof path, r->groups[g].dir, RESULTS_STDERR);
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
	if (c->dir_out)
		snprintf(c->dir_out, c->dir_out_len, "%s", r.dir);
	r.seed = s->has_seed ? s->seed : (uint64_t)clock_now_ns();
	char path[600];
	results_path(path, sizeof path, r.dir, RESULTS_SCENARIO);
	if (copy_file(s->path, path) < 0)
		log_msg("cannot copy the scenario into %s", r.dir);
	results_path(path, sizeof path, r.dir, RESULTS_COMMANDS);
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

	if (setup_network(&r) == 0 && make_tls_files(&r) == 0 && start_nodes(&r) == 0 &&
	    !r.interrupted && start_balancers(&r) == 0 && !r.interrupted)
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
			run_fail(&r, "client %s exited with status %d (see %s/" RESULTS_STDERR ")",
				 s->clients[g].name, r.groups[g].exit_code, r.groups[g].dir);
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

