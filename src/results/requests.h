/* requests.h -- a client group's per-request records: requests.csv, its
 * columns, the writer the client uses and the readers of run and report.
 *
 * Contract (writing): REQUESTS_CSV_HEADER is the file's first line;
 * requests_format_row() formats one row (docs/results.md): times in us
 * since the schedule's start t0, "%.3f" (ns resolution), the fields a
 * status does not have left empty (sent = 0: never sent).
 * Contract (reading): records_load() reads a CSV in the format of
 * docs/results.md: a header line naming the columns, then one row per
 * request. Columns are found by name, so their order may change and unknown
 * columns are ignored; `intended_us`, `latency_us` and `status` are
 * required, `sent_us` is optional (without it no achieved rate can be
 * drawn). Fields are plain (no quoting: meshwalk never writes commas inside
 * a field); empty fields are missing values; lines may end in CRLF; blank
 * lines are skipped. A row is refused when a required field is missing, a
 * number does not parse, or status is not one of ok, error, timeout, lost,
 * unsent. An `ok` row must have a latency, other rows must not be counted
 * as latencies: their latency is stored as NAN whatever the file says.
 * Values are kept in microseconds as written (the file has ns resolution).
 * requests_scan() reads the same rows one at a time into a callback, in
 * constant memory (a run's merged totals), stopping at the first refused
 * row with the same error records_load() gives.
 * Ownership: records_load() fills a caller-owned struct with arrays that
 * records_free() releases; the struct may be reused after records_free().
 * Threads: no shared state. Errors: 0, or -EINVAL with the message and the
 * file's line in *e, or -errno when the file cannot be read. */
#ifndef MW_RESULTS_REQUESTS_H
#define MW_RESULTS_REQUESTS_H

#include <stddef.h>
#include <stdint.h>

#include "results/status.h"
#include "util/err.h"

#define REQUESTS_CSV_HEADER \
	"thr_id,sess_id,req_id,intended_us,sent_us,recv_us,latency_us,service_us,send_lag_us,status\n"

/* The reader's names for the status words (results/status.h). */
enum rec_status {
	REC_OK = RESULTS_OK,
	REC_ERROR = RESULTS_ERROR,
	REC_TIMEOUT = RESULTS_TIMEOUT,
	REC_LOST = RESULTS_LOST,
	REC_UNSENT = RESULTS_UNSENT,
	REC_NSTATUS = RESULTS_NSTATUS,
};

/* One row into buf (at most len bytes, NUL-terminated): thread, session,
 * request, status, and the intended, actual send and reply times (ns,
 * CLOCK_MONOTONIC) against the schedule's start t0; recv is used only for
 * ok, sent only when > 0. Returns the row's length (snprintf's). */
int requests_format_row(char *buf, size_t len, int thr, uint64_t sess, uint64_t req,
			enum results_status st, int64_t t0, int64_t intended, int64_t sent,
			int64_t recv);

/* One row as read: the status and, for ok, the latency (us). */
typedef void requests_row_fn(enum results_status st, double latency_us, void *arg);

/* Calls fn for each row of the CSV at path, in file order. */
int requests_scan(const char *path, requests_row_fn *fn, void *arg, struct err *e);

struct records {
	size_t n;                   /* rows */
	double *intended_us;        /* intended send time since the group's start */
	double *sent_us;            /* actual send time, NAN if never sent or no column */
	double *latency_us;         /* recv - intended, NAN unless status is ok */
	unsigned char *status;      /* enum rec_status */
	size_t count[REC_NSTATUS];  /* rows per status */
	int has_sent;               /* 1 when the file has a sent_us column */
};

int records_load(const char *path, struct records *r, struct err *e);

void records_free(struct records *r);

/* Drops every row whose intended send time is before from_us (a warm-up),
 * keeping the order of the rest, and recounts. */
void records_trim(struct records *r, double from_us);

/* Appends the ok latencies of r to *v (of *n values, capacity grown with
 * xrealloc as needed): callers merge several groups into one sample. */
void records_latencies(const struct records *r, double **v, size_t *n);

#endif
