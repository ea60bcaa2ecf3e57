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
 * summary_json_client_text() is the client's file as text in memory, and
 * summary_json_parse_client() / summary_json_load_client() read a client's
 * file back whole as the terminal summary shows it (results/summary_text.h):
 * the client's own summary and `meshwalk run`'s copy of it are printed from
 * this document, so they say what the file says. The file's last member,
 * "unrounded", holds the rates and means unrounded, so a summary printed
 * from the file is the one printed from the client's figures; a file
 * without it (older) reads with the rounded ones.
 * Ownership: borrows everything. Threads: no shared state.
 * Errors: the writers return 0, or -1 after logging "cannot write PATH:
 * reason" (the client's wording); summary_json_read_client() returns -1
 * (and *out holds "unknown" values) when the file cannot be read or is not
 * JSON, summary_json_unsent_interrupted() 0 for a file that is missing or
 * has no such number (a group that never wrote one);
 * summary_json_parse_client() and summary_json_load_client() return 0, or
 * -EINVAL with e naming the file (`name`, or the path) and what is wrong, a
 * document with no `target` or no valid count, rate or histogram the
 * summary shows included. summary_json_client_text() aborts when out of
 * memory, as util/xalloc. */
#ifndef MW_RESULTS_SUMMARY_JSON_H
#define MW_RESULTS_SUMMARY_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "stats/hist.h"
#include "util/err.h"

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

/* The same bytes as summary_json_write_client() writes, in a new buffer (the
 * caller frees it) of *len bytes. */
char *summary_json_client_text(const struct summary_json_client *s, size_t *len);

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

/* One histogram of a client's summary as the file holds it (us). */
struct summary_json_hist {
	bool present;                  /* the member exists (connect: --conn-times only) */
	uint64_t count;
	double min, mean, p50, p90, p99, p99_9, max;
};

/* A client's summary.json read back: what its terminal summary shows. */
struct summary_json_doc {
	char *target;                  /* allocated; summary_json_doc_free() */
	int threads;
	uint64_t seed;
	uint64_t sent, ok, errors, timeouts, lost, unsent, unsent_interrupted;
	bool open_loop;                /* target_rate is not null */
	double target_rate, achieved_rate;
	struct summary_json_hist lat, svc, lag, conn;
	bool traced;                   /* the "trace" object, with these counts */
	uint64_t trace_recorded, trace_exported, trace_dropped;
};

/* Text of len bytes; name says where it comes from in messages. */
int summary_json_parse_client(const char *text, size_t len, const char *name,
			      struct summary_json_doc *d, struct err *e);
int summary_json_load_client(const char *path, struct summary_json_doc *d, struct err *e);
void summary_json_doc_free(struct summary_json_doc *d);

#endif
