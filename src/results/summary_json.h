/* summary_json.h -- summary.json: a client's JSON summary (`--json`, each
 * group's clients/NAME/summary.json) and a run's merged one.
 *
 * Contract: summary_json_write_client() writes the client's summary in the
 * format of docs/results.md ("JSON summary"), keys in that order, times in
 * us with "%.3f"; summary_json_write_run() writes the merged summary of a
 * `meshwalk run` ("scope": "run"). summary_json_read_client() reads back
 * what run and report use of a client's file: the requests an interruption
 * left unsent (no CSV row each), the rates and the program;
 * summary_json_unsent_interrupted() is the first of them alone.
 * Ownership: borrows everything. Threads: no shared state.
 * Errors: the writers return 0, or -1 after logging "cannot write PATH:
 * reason" (the client's wording); summary_json_read_client() returns -1
 * (and *out holds "unknown" values) when the file cannot be read or is not
 * JSON, summary_json_unsent_interrupted() 0 for a file that is missing or
 * has no such number (a group that never wrote one). */
#ifndef MW_RESULTS_SUMMARY_JSON_H
#define MW_RESULTS_SUMMARY_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats/hist.h"

struct summary_json_client {
	const char *target, *program, *command_line;
	uint64_t seed;
	int threads;
	uint64_t sessions, requests;   /* per thread */
	uint64_t sent, ok, errors, timeouts, lost, unsent, unsent_interrupted;
	int64_t duration_ns;
	double target_rate;            /* req/s; <= 0: closed loop (null) */
	double achieved_rate;
	bool rate_missed;
	const char *first_error;       /* NULL or "": null */
	const struct hist *lat, *svc, *lag;
	const struct hist *conn;       /* --conn-times, or NULL */
	bool traced;                   /* the "trace" object, with these counts */
	uint64_t trace_recorded, trace_exported, trace_dropped, trace_post_failed;
};

int summary_json_write_client(const char *path, const struct summary_json_client *s);

struct summary_json_run {
	const char *const *groups;     /* client group names, in scenario order */
	size_t ngroups;
	const char *status;            /* results_run_status() */
	uint64_t requests, ok, errors, timeouts, lost, unsent;
	const struct hist *lat;        /* ns */
};

int summary_json_write_run(const char *path, const struct summary_json_run *s);

struct summary_json_facts {
	uint64_t unsent_interrupted;   /* 0 when missing */
	double target_rate;            /* req/s; NAN when null (closed loop) or missing */
	double achieved_rate;          /* NAN when missing */
	char *program;                 /* allocated, the caller frees; NULL when missing */
};

int summary_json_read_client(const char *path, struct summary_json_facts *out);

uint64_t summary_json_unsent_interrupted(const char *path);

#endif
