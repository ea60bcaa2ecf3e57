/* results.h -- a results directory of `meshwalk run`, or one client's CSV,
 * loaded for reporting.
 *
 * Contract: results_load() accepts
 *   - a results directory (docs/scenario.md): run.json, summary.json,
 *     scenario.yaml and commands.txt are read when present (a report of a
 *     half-written or copied directory still works), and every
 *     clients/NAME/requests.csv is one group, in run.json's order, then any
 *     other group directory in name order;
 *   - a client group's directory (clients/NAME, holding requests.csv);
 *   - a single per-request CSV (`meshwalk client --csv FILE`).
 * A group's summary.json next to its requests.csv supplies its configured
 * target and achieved rates and its program. At least one group with a
 * readable requests.csv is required; a CSV that does not parse is an error
 * (a report must not silently leave a group out).
 * Ownership: the struct is caller-owned; results_free() releases what
 * results_load() allocated (also after a failed load).
 * Threads: no shared state. Errors: 0 or -EINVAL with "PATH: reason" in *e
 * (and the CSV's line in e->line). */
#ifndef MW_REPORT_RESULTS_H
#define MW_REPORT_RESULTS_H

#include <stddef.h>

#include "results/requests.h"
#include "util/err.h"
#include "util/jsonin.h"

struct results_group {
	char *name;           /* client group name (or the CSV's base name) */
	char *csv_path;       /* the requests.csv it was read from */
	struct records rec;   /* its rows */
	double target_rate;   /* req/s asked for (summary.json), NAN if closed loop or unknown */
	double achieved_rate; /* req/s sent (summary.json), NAN if unknown */
	char *program;        /* the request program (summary.json), or NULL */
};

struct results {
	char *path;                  /* as given */
	char *label;                 /* short name for titles: the directory's or file's base name */
	int is_run;                  /* 1 for a `meshwalk run` results directory */
	int is_csv;                  /* 1 when path is one CSV file */
	struct jsonin *run;          /* run.json, or NULL */
	char *scenario_yaml;         /* scenario.yaml's text, or NULL */
	char *commands;              /* commands.txt's text, or NULL */
	size_t ngroups;
	struct results_group *groups;
};

int results_load(const char *path, struct results *r, struct err *e);

void results_free(struct results *r);

/* Drops each group's requests intended before warmup_us after its start. */
void results_trim(struct results *r, double warmup_us);

/* Reads a whole small text file into a NUL-terminated buffer (NULL when it
 * cannot be read). */
char *results_read_text(const char *path);

#endif
