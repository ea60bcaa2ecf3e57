/* traces.c -- see traces.h. */
#include "run/traces.h"

#include <dirent.h>
#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "util/log.h"
#include "results/files.h"

extern char **environ;

/* Appends every DIR/SUB/ * /spans.otlp.jsonl to out, in name order. */
static int append_all(FILE *out, const char *dir, const char *sub, unsigned *files)
{
	char path[1024];
	struct dirent **names;
	int n;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0)
		return errno == ENOENT ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		FILE *in;
		char buf[65536];
		size_t got;

		bool hidden = names[i]->d_name[0] == '.';

		snprintf(path, sizeof path, "%s/%s/%s/%s", dir, sub, names[i]->d_name, RUN_SPANS_FILE);
		free(names[i]);
		if (hidden || (in = fopen(path, "r")) == NULL)
			continue;
		while ((got = fread(buf, 1, sizeof buf, in)) > 0)
			fwrite(buf, 1, got, out);
		fclose(in);
		(*files)++;
	}
	free(names);
	return 0;
}

int run_traces_collect(const char *dir, const char *exe, bool quiet)
{
	char otlp[1024], jaeger[1024];
	unsigned files = 0;
	FILE *out;
	int rc;

	snprintf(otlp, sizeof otlp, "%s/" RESULTS_TRACES_OTLP, dir);
	snprintf(jaeger, sizeof jaeger, "%s/" RESULTS_TRACES_JAEGER, dir);
	out = fopen(otlp, "we");
	if (out == NULL) {
		log_msg("cannot write %s: %s", otlp, strerror(errno));
		return -1;
	}
	rc = append_all(out, dir, "clients", &files);
	if (rc == 0)
		rc = append_all(out, dir, "nodes", &files);
	if ((fclose(out) != 0 && rc == 0) || rc < 0) {
		log_msg("cannot write %s: %s", otlp, strerror(rc < 0 ? -rc : errno));
		return -1;
	}
	char *argv[] = { (char *)exe, "import", "--jaeger-out", jaeger, otlp, NULL };
	pid_t pid;
	int st = 0;

	rc = posix_spawn(&pid, exe, NULL, NULL, argv, environ);
	if (rc != 0) {
		log_msg("cannot run %s import: %s", exe, strerror(rc));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		log_msg("%s: meshwalk import --jaeger-out failed", jaeger);
		return -1;
	}
	if (!quiet)
		log_msg("traces: %u span files into %s and %s", files, otlp, jaeger);
	return 0;
}
