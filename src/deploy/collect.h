/* collect.h -- `meshwalk deploy collect`: the client groups' results of a
 * deployed scenario, back into a results directory `meshwalk report` reads.
 *
 * Contract: collect_run() reads DIR/collect.list (written by k8s_write()),
 * gets each group's log from the engine (`kubectl logs -n NS job/JOB`, or
 * `podman logs JOB-client` for podman kube play, or LOGS_DIR/GROUP.log),
 * parses the bundle (deploy/job.h) and writes into out_dir (which must not
 * exist yet): scenario.yaml (from DIR), commands.txt, run.json
 * (meshwalk_run_version 1, with "deployed": true) and clients/GROUP/
 * {requests.csv, summary.json, stdout.txt, stderr.txt}: the layout of
 * `meshwalk run` (docs/results.md), minus nodes/ and the merged summary.json
 * (`meshwalk report` computes its own).
 * Ownership: borrows the config. Threads: single-threaded; forks the engine.
 * Errors: 0 when every group was collected and exited 0; 1 when a group
 * failed (its files are still written); -EINVAL with a message when a log
 * cannot be had or parsed, or a file cannot be written. */
#ifndef MW_DEPLOY_COLLECT_H
#define MW_DEPLOY_COLLECT_H

#include "util/err.h"

enum collect_engine { COLLECT_KUBECTL = 0, COLLECT_PODMAN };

struct collect_config {
	const char *deploy_dir;     /* what `meshwalk deploy k8s -o` wrote */
	const char *out_dir;
	enum collect_engine engine;
	const char *logs_dir;       /* NULL, or a directory of GROUP.log files */
};

int collect_run(const struct collect_config *c, struct err *e);

#endif
