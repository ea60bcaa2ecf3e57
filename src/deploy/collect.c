/* collect.c -- see collect.h. */
#include "deploy/collect.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "deploy/job.h"
#include "results/files.h"
#include "results/run_json.h"
#include "results/status.h"
#include "util/file.h"
#include "util/jsonin.h"
#include "util/xalloc.h"

struct buf {
	char *p;
	size_t len, cap;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static int read_fd(int fd, struct buf *b)
{
	char chunk[65536];
	ssize_t n;

	while ((n = read(fd, chunk, sizeof chunk)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf_add(b, chunk, (size_t)n);
	}
	if (b->p == NULL)
		buf_add(b, "", 0);
	return 0;
}

static int read_path(const char *path, struct buf *b, struct err *e)
{
	b->p = file_read_all(path, &b->len);
	if (b->p == NULL)
		return err_set(e, "cannot read %s: %s", path, strerror(errno));
	b->cap = b->len + 1;
	return 0;
}

/* Runs argv and keeps its stdout (stderr passes through to ours). */
static int capture(char *const *argv, struct buf *b, struct err *e)
{
	int pfd[2], ws = 0;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return err_set(e, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		dup2(pfd[1], 1);
		execvp(argv[0], argv);
		dprintf(2, "meshwalk deploy collect: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		close(pfd[0]);
		return err_set(e, "fork: %s", strerror(errno));
	}
	read_fd(pfd[0], b);
	close(pfd[0]);
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(ws) || WEXITSTATUS(ws) != 0)
		return err_set(e, "%s %s failed (exit %d)", argv[0], argv[1],
			       WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
	return 0;
}

static int mkdir_new(const char *path, struct err *e)
{
	if (mkdir(path, 0755) < 0)
		return err_set(e, "cannot create %s: %s", path, errno == EEXIST ? "it exists" : strerror(errno));
	return 0;
}

static int write_path(const char *path, const char *data, size_t len, struct err *e)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		return err_set(e, "cannot write %s: %s", path, strerror(errno));
	return 0;
}

struct group_out {
	char dir[700];
	struct err *e;
	char *command;      /* JOB_COMMAND's text */
};

static int put(const char *name, const char *data, size_t len, void *arg)
{
	struct group_out *g = arg;
	char path[800];

	if (strcmp(name, JOB_COMMAND) == 0) {
		free(g->command);
		g->command = xmalloc(len + 1);
		memcpy(g->command, data, len);
		while (len > 0 && data[len - 1] == '\n')
			len--;
		g->command[len] = '\0';
		return 0;
	}
	snprintf(path, sizeof path, "%s/%s", g->dir, name);
	return write_path(path, data, len, g->e);
}

struct group_result {
	char name[128];
	char *command;
	int exit_status;
};

static void write_run_json(const struct collect_config *c, struct group_result *gr, size_t n,
			   const char *scenario, bool ok, struct err *e)
{
	struct run_json_client *cl = xcalloc(n + 1, sizeof *cl);
	struct run_json j = { .scenario = scenario, .deploy_dir = c->deploy_dir,
			      .collected = time(NULL), .status = results_run_status(0, !ok),
			      .exit_status = ok ? 0 : 1,
			      .failure = ok ? NULL : "a client group failed", .clients = cl,
			      .nclients = n };

	for (size_t i = 0; i < n; i++)
		cl[i] = (struct run_json_client){ gr[i].name, gr[i].command, true, gr[i].exit_status };
	run_json_write(c->out_dir, &j, e);
	free(cl);
}

/* The deployed scenario's name, deploy.json's "scenario" ("deployed" when
 * it has none). */
static void scenario_name(const struct buf *deploy_json, char *out, size_t len)
{
	struct jsonin *v = NULL;
	struct err e;
	const char *name = NULL;

	if (jsonin_parse(deploy_json->p, deploy_json->len, &v, &e) == 0)
		name = jsonin_str(jsonin_get(v, "scenario"));
	snprintf(out, len, "deployed");
	if (name && strlen(name) < len)
		snprintf(out, len, "%s", name);
	jsonin_free(v);
}

int collect_run(const struct collect_config *c, struct err *e)
{
	struct buf list = { 0 }, scen = { 0 }, dj = { 0 };
	struct group_result *gr = NULL;
	size_t n = 0;
	char path[700], name[128];
	bool ok = true;
	int rc = 0;

	err_clear(e);
	snprintf(path, sizeof path, "%s/collect.list", c->deploy_dir);
	if (read_path(path, &list, e) < 0)
		return err_prefix(e, "not a directory written by meshwalk deploy k8s");
	snprintf(path, sizeof path, "%s/scenario.yaml", c->deploy_dir);
	if (read_path(path, &scen, e) < 0)
		goto out;
	snprintf(path, sizeof path, "%s/deploy.json", c->deploy_dir);
	if (read_path(path, &dj, e) < 0)
		goto out;
	scenario_name(&dj, name, sizeof name);
	if (mkdir_new(c->out_dir, e) < 0)
		goto out;
	results_path(path, sizeof path, c->out_dir, RESULTS_CLIENTS_DIR);
	if (mkdir_new(path, e) < 0)
		goto out;
	results_path(path, sizeof path, c->out_dir, RESULTS_SCENARIO);
	if (write_path(path, scen.p, scen.len, e) < 0)
		goto out;
	for (char *line = strtok(list.p, "\n"); line; line = strtok(NULL, "\n")) {
		char group[128], ns[128], job[160], pod[200];
		struct buf log = { 0 };
		struct group_out go = { .e = e };

		if (sscanf(line, "%127s %127s %159s", group, ns, job) != 3) {
			rc = err_set(e, "%s/collect.list: bad line '%s'", c->deploy_dir, line);
			goto out;
		}
		if (c->logs_dir) {
			snprintf(path, sizeof path, "%s/%s.log", c->logs_dir, group);
			rc = read_path(path, &log, e);
		} else if (c->engine == COLLECT_PODMAN) {
			snprintf(pod, sizeof pod, "%s-client", job);
			char *argv[] = { "podman", "logs", pod, NULL };
			rc = capture(argv, &log, e);
		} else {
			snprintf(pod, sizeof pod, "job/%s", job);
			char *argv[] = { "kubectl", "logs", "-n", ns, pod, NULL };
			rc = capture(argv, &log, e);
		}
		gr = xrealloc(gr, (n + 1) * sizeof *gr);
		memset(&gr[n], 0, sizeof gr[n]);
		snprintf(gr[n].name, sizeof gr[n].name, "%s", group);
		snprintf(go.dir, sizeof go.dir, "%s/" RESULTS_CLIENTS_DIR "/%s", c->out_dir, group);
		if (rc == 0 && mkdir_new(go.dir, e) == 0)
			rc = job_parse(log.p, log.len, group, put, &go, &gr[n].exit_status, e);
		else
			rc = -EINVAL;
		gr[n].command = go.command;
		n++;
		free(log.p);
		if (rc < 0) {
			err_prefix(e, "group %s", group);
			goto out;
		}
		if (gr[n - 1].exit_status != 0)
			ok = false;
	}
	results_path(path, sizeof path, c->out_dir, RESULTS_COMMANDS);
	FILE *f = fopen(path, "w");
	for (size_t i = 0; f && i < n; i++)
		fprintf(f, "%s\n", gr[i].command ? gr[i].command : "");
	if (f == NULL || fclose(f) != 0) {
		rc = err_set(e, "cannot write %s", path);
		goto out;
	}
	err_clear(e);
	write_run_json(c, gr, n, name, ok, e);
	if (e->msg[0])
		rc = -EINVAL;
out:
	if (rc == 0 && e->msg[0])
		rc = -EINVAL;
	for (size_t i = 0; i < n; i++)
		free(gr[i].command);
	free(gr);
	free(list.p);
	free(scen.p);
	free(dj.p);
	return rc < 0 ? rc : ok ? 0 : 1;
}
