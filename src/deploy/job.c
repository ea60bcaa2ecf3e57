/* job.c -- see job.h. */
#include "deploy/job.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "net/sock.h"
#include "results/files.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

/* The bundle's files, in order; the first two are the client's records. */
static const char *const job_files[] = { RESULTS_REQUESTS_CSV, RESULTS_SUMMARY_JSON, RESULTS_STDOUT,
					 RESULTS_STDERR, JOB_COMMAND };

static void nap_ns(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / NSEC_PER_SEC), (long)(ns % NSEC_PER_SEC) };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Until the target accepts a connection (its name may not even resolve
 * before its Service exists) or the deadline. */
static int wait_for(const char *addr, int64_t wait_ns)
{
	int64_t deadline = clock_now_ns() + wait_ns;
	struct err e;

	for (;;) {
		struct sock_addr a;

		if (sock_addr_parse(addr, NULL, SOCK_DEFAULT_PORT, false, &a, &e) == 0) {
			int fd = socket(a.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
			struct timeval tv = { 2, 0 }; /* bounds connect() too */

			if (fd >= 0) {
				setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
				if (connect(fd, (struct sockaddr *)&a.ss, a.len) == 0) {
					close(fd);
					return 0;
				}
				snprintf(e.msg, sizeof e.msg, "%s", strerror(errno));
				close(fd);
			}
		}
		if (clock_now_ns() >= deadline) {
			log_msg("%s did not accept a connection in time (%s)", addr, e.msg);
			return -1;
		}
		nap_ns(NSEC_PER_SEC / 2);
	}
}

static int put_file(const char *dir, const char *name)
{
	char path[600], buf[65536];
	struct stat st;
	size_t n;
	int fd;
	long long left;

	results_path(path, sizeof path, dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	printf("file %s %lld\n", name, (long long)st.st_size);
	for (left = st.st_size; left > 0; left -= (long long)n) {
		ssize_t r = read(fd, buf, left < (long long)sizeof buf ? (size_t)left : sizeof buf);

		if (r <= 0)
			break;
		n = (size_t)r;
		fwrite(buf, 1, n, stdout);
	}
	close(fd);
	/* A file that shrank meanwhile: pad, so the sizes still hold. */
	for (; left > 0; left--)
		putchar('\n');
	putchar('\n');
	return 0;
}

int job_run(const struct job_config *c)
{
	const char *tmp = getenv("TMPDIR");
	char dir[512], path[600], csv[600], json[600];
	int status = 1;
	pid_t pid;

	int64_t deadline = clock_now_ns() + c->wait_ns;

	for (size_t i = 0; i < c->nwait; i++)
		if (wait_for(c->wait[i], deadline - clock_now_ns()) < 0)
			return 1;
	if (c->delay_ns > 0)
		nap_ns(c->delay_ns);
	snprintf(dir, sizeof dir, "%s/meshwalk-job.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (mkdtemp(dir) == NULL) {
		log_msg("cannot create a directory in %s: %s", tmp && *tmp ? tmp : "/tmp", strerror(errno));
		return 1;
	}
	results_path(csv, sizeof csv, dir, RESULTS_REQUESTS_CSV);
	results_path(json, sizeof json, dir, RESULTS_SUMMARY_JSON);
	const char *fixed[] = { c->exe, "client", "-q", "--csv", csv, "--json", json };
	size_t nf = sizeof fixed / sizeof *fixed;
	char **argv = xcalloc(nf + (size_t)c->nargs + 1, sizeof *argv);

	for (size_t i = 0; i < nf; i++)
		argv[i] = (char *)fixed[i];
	for (int i = 0; i < c->nargs; i++)
		argv[nf + (size_t)i] = c->args[i];
	results_path(path, sizeof path, dir, JOB_COMMAND);
	FILE *cmd = fopen(path, "w");
	if (cmd) {
		fputs("meshwalk client", cmd);
		for (size_t i = 2; argv[i]; i++)
			fprintf(cmd, " %s", argv[i]);
		fputc('\n', cmd);
		fclose(cmd);
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		char out[600], err[600];

		results_path(out, sizeof out, dir, RESULTS_STDOUT);
		results_path(err, sizeof err, dir, RESULTS_STDERR);
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int x = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (o < 0 || x < 0 || dup2(o, 1) < 0 || dup2(x, 2) < 0)
			_exit(127);
		execv(argv[0], argv);
		dprintf(2, "meshwalk deploy job: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	free(argv);
	if (pid < 0) {
		log_msg("fork: %s", strerror(errno));
		return 1;
	}
	int ws = 0;
	while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
		;
	status = WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + (WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
	printf("meshwalk-bundle 1 %s\n", c->group);
	for (size_t i = 0; i < sizeof job_files / sizeof *job_files; i++) {
		if (put_file(dir, job_files[i]) < 0 && i < 2 && status == 0)
			status = 1; /* the client succeeded but its records are missing */
		results_path(path, sizeof path, dir, job_files[i]);
		unlink(path);
	}
	printf("exit %d\nend\n", status);
	fflush(stdout);
	rmdir(dir);
	return status;
}

int job_parse(const char *text, size_t len, const char *group, job_file_fn *fn, void *arg,
	      int *exit_status, struct err *e)
{
	char head[160];
	const char *p = NULL, *end = text + len;

	*exit_status = -1;
	snprintf(head, sizeof head, "meshwalk-bundle 1 %s\n", group);
	for (const char *l = text; l < end; l = memchr(l, '\n', (size_t)(end - l)), l = l ? l + 1 : end)
		if ((size_t)(end - l) >= strlen(head) && memcmp(l, head, strlen(head)) == 0) {
			p = l + strlen(head);
			break;
		}
	if (p == NULL)
		return err_set(e, "no results of group %s in the log (did its Job finish?)", group);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char line[200], name[64];
		long long size;
		int st;

		if (nl == NULL || (size_t)(nl - p) >= sizeof line)
			break;
		memcpy(line, p, (size_t)(nl - p));
		line[nl - p] = '\0';
		p = nl + 1;
		if (strcmp(line, "end") == 0)
			return 0;
		if (sscanf(line, "exit %d", &st) == 1) {
			*exit_status = st;
			continue;
		}
		if (sscanf(line, "file %63s %lld", name, &size) != 2 || size < 0 ||
		    size + 1 > (long long)(end - p) || p[size] != '\n')
			return err_set(e, "group %s: a malformed or cut bundle line '%.60s'", group, line);
		if (strchr(name, '/') || name[0] == '.')
			return err_set(e, "group %s: a bundle file named '%s'", group, name);
		if (fn(name, p, (size_t)size, arg) < 0)
			return -EINVAL;
		p += size + 1;
	}
	return err_set(e, "group %s: the bundle is cut short (no end line)", group);
}
