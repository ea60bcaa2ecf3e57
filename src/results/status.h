/* status.h -- the status words of a results directory, spelled once.
 *
 * Contract: a request ends in one of five statuses, written as the
 * `status` column of requests.csv (docs/results.md); a run (run.json's and
 * the merged summary.json's "status", sweep.json's) is ok, failed or
 * interrupted. The enum's order is the CSV's documented order and is what
 * the readers index their counts by.
 * Threads: stateless. Errors: results_status_parse() returns -1 for a word
 * that is not a request status. */
#ifndef MW_RESULTS_STATUS_H
#define MW_RESULTS_STATUS_H

enum results_status {
	RESULTS_OK = 0,
	RESULTS_ERROR,   /* the node replied with an error */
	RESULTS_TIMEOUT, /* no reply within the timeout */
	RESULTS_LOST,    /* the connection broke with the request outstanding */
	RESULTS_UNSENT,  /* never sent (connect or send failed) */
	RESULTS_NSTATUS,
};

/* The status's word as in requests.csv ("ok", "error", ...), "?" if none. */
const char *results_status_word(enum results_status s);

/* The status a word names, or -1. */
int results_status_parse(const char *word);

/* A run's status word from its exit status: "interrupted" when it was
 * interrupted, else "ok" for 0 and "failed" for anything else. */
const char *results_run_status(int interrupted, int rc);

#endif
