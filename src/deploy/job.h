/* job.h -- `meshwalk deploy job`: what a client group's Kubernetes Job runs,
 * and the bundle its output is, which `meshwalk deploy collect` reads back.
 *
 * Contract: job_run() waits (bounded by wait_ns in all) until every `wait`
 * address accepts a TCP connection (the services a group's requests reach), sleeps delay_ns, runs `EXE client -q --csv
 * --json` with the given arguments (its stdout and stderr to files in a
 * temporary directory), then writes one bundle to stdout and nothing else:
 *   meshwalk-bundle 1 GROUP
 *   file NAME BYTES\n<BYTES bytes>\n      (the group's results files, named as
 *                                          results/files.h does: requests.csv,
 *                                          summary.json, stdout.txt, stderr.txt;
 *                                          and JOB_COMMAND)
 *   exit STATUS
 *   end
 * Sizes make the format immune to what the files hold; kubectl logs and
 * podman logs hand the bytes back unchanged. job_parse() finds the bundle
 * in a log's text (anything before its first line is ignored) and calls
 * file_fn for each file.
 * Ownership: job_parse() borrows the text; the callback's data pointer is
 * into it. Threads: single-threaded; job_run() forks.
 * Errors: job_run() returns the client's exit status (1 when it could not be
 * started, the target never answered or a file went missing, with a message
 * on stderr); job_parse() returns 0, or -EINVAL naming what is wrong. */
#ifndef MW_DEPLOY_JOB_H
#define MW_DEPLOY_JOB_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* The bundle's file of the client's command line (for commands.txt). */
#define JOB_COMMAND "command.txt"

struct job_config {
	const char *exe;            /* the meshwalk binary */
	const char *group;
	char **wait;                /* host:port addresses to wait for */
	size_t nwait;
	int64_t wait_ns;
	int64_t delay_ns;
	char **args;                /* the client's arguments */
	int nargs;
};

int job_run(const struct job_config *c);

typedef int job_file_fn(const char *name, const char *data, size_t len, void *arg);

/* Fills *exit_status (or -1 when the bundle has no exit line: it was cut). */
int job_parse(const char *text, size_t len, const char *group, job_file_fn *fn, void *arg,
	      int *exit_status, struct err *e);

#endif
