/* run_json.h -- run.json: what ran, where, and how it ended; one writer for
 * `meshwalk run` and `meshwalk deploy collect` (docs/results.md,
 * docs/kubernetes.md).
 *
 * Contract: run_json_write() writes DIR/run.json (meshwalk_run_version 1).
 * A local run (deploy_dir NULL) has the scenario file, overrides, seed,
 * start and end times (UTC), the host's facts, the network it used and
 * its services' replica addresses; a deployed one ("deployed": true) has
 * the deployment's directory and when its results were collected instead.
 * Both have the status word (results/status.h), exit status, failure
 * (null when none) and the client groups with their commands and exit
 * statuses (null for a group that never ended).
 * Ownership: borrows everything. Threads: no shared state.
 * Errors: 0, or -1 with "cannot write PATH: reason" in *e. */
#ifndef MW_RESULTS_RUN_JSON_H
#define MW_RESULTS_RUN_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "util/err.h"

struct run_json_client {
	const char *name;
	const char *command;         /* NULL: "" */
	bool ended;                  /* false: "exit_status": null */
	int exit_status;
};

struct run_json_service {
	const char *name;
	const char *const *replicas; /* host:port of each */
	size_t nreplicas;
};

struct run_json {
	const char *scenario;        /* its name */
	/* a local run */
	const char *scenario_file;
	const char *const *overrides;
	size_t noverrides;
	uint64_t seed;
	time_t started, ended;
	const char *emulation;       /* "none", "loopback" or "namespaces" */
	const char *bridge;          /* namespaces: the bridge and 10.SUBNET.0.0/16 */
	int subnet;
	const struct run_json_service *services;
	size_t nservices;
	/* a deployed run */
	const char *deploy_dir;      /* non-NULL: deployed */
	time_t collected;
	/* both */
	const char *status;
	int exit_status;
	const char *failure;         /* NULL: null */
	const struct run_json_client *clients;
	size_t nclients;
};

int run_json_write(const char *dir, const struct run_json *r, struct err *e);

#endif
