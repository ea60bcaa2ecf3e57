/* leftovers.h -- what `meshwalk run` would leave on the machine if it were
 * killed (SIGKILL, a crash), and removing it afterwards.
 *
 * Contract: leftovers_open() writes this process's state file,
 * DIR/run-<pid>.state: the run's pid and start time (so that the pid, once
 * reused by another program, is not taken for the run), its results
 * directory, then one line per child process (pid and start time) as
 * leftovers_add_proc() records them. leftovers_close() deletes the file: a
 * run that ends any way but SIGKILL or a crash leaves none. DIR is
 * /run/meshwalk for root, else $XDG_RUNTIME_DIR/meshwalk, else
 * /tmp/meshwalk-<uid>; it is created with mode 700 and refused when it is
 * not a directory of this user's (a symbolic link, someone else's).
 *
 * leftovers_clean() removes what runs that are gone left behind, in order:
 * for each state file whose run is dead, the processes it lists that still
 * run (same pid and start time: SIGTERM to the process group, SIGKILL after
 * 5 s); then every namespace and link named as run/netlab.h names them whose
 * owner pid (in the name) is dead: no such process, a zombie, or a state
 * file for that pid whose start time is not the process's; then those state
 * files. A run that is alive is never touched, nor what it made. The
 * caller's own pid counts as dead (a reused pid): call it before creating
 * anything. Network objects need root: without it they are counted in
 * need_root and left. Every `ip` command and its output is appended to
 * log_path (NULL: stdout and stderr); with report non-NULL, one line per
 * run found is written there.
 * Ownership: the caller owns the struct; the file belongs to the process.
 * Threads: one thread. Errors: leftovers_open() returns -errno and a
 * message in e (the run then goes on without a state file); the others
 * cannot fail (what could not be removed is counted in failed). */
#ifndef MW_RUN_LEFTOVERS_H
#define MW_RUN_LEFTOVERS_H

#include <stdio.h>
#include <sys/types.h>

#include "util/err.h"

struct leftovers {
	char path[320];  /* the state file; "" when none */
	FILE *f;
};

struct leftovers_count {
	unsigned runs;       /* dead runs found (state files or names) */
	unsigned procs;      /* processes stopped */
	unsigned netns;      /* namespaces deleted */
	unsigned links;      /* bridges and veths deleted */
	unsigned kept;       /* objects and processes of live runs, left alone */
	unsigned failed;     /* could not be removed */
	unsigned need_root;  /* network objects of dead runs left: not root */
};

int leftovers_open(struct leftovers *l, const char *results_dir, struct err *e);
void leftovers_add_proc(struct leftovers *l, pid_t pid);
void leftovers_close(struct leftovers *l);

void leftovers_clean(const char *log_path, FILE *report, struct leftovers_count *n);

#endif
