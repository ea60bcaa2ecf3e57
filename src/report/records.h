/* records.h -- the per-request records of one client group (requests.csv).
 *
 * Contract: records_load() reads a CSV in the format of docs/results.md: a
 * header line naming the columns, then one row per request. Columns are
 * found by name, so their order may change and unknown columns are ignored;
 * `intended_us`, `latency_us` and `status` are required, `sent_us` is
 * optional (without it no achieved rate can be drawn). Fields are plain
 * (no quoting: meshwalk never writes commas inside a field); empty fields
 * are missing values; lines may end in CRLF; blank lines are skipped.
 * A row is refused when a required field is missing, a number does not
 * parse, or status is not one of ok, error, timeout, lost, unsent. An `ok`
 * row must have a latency, other rows must not be counted as latencies:
 * their latency is stored as NAN whatever the file says.
 * Values are kept in microseconds as written (the file has ns resolution).
 * Ownership: records_load() fills a caller-owned struct with arrays that
 * records_free() releases; the struct may be reused after records_free().
 * Threads: no shared state. Errors: 0, or -EINVAL with the message and the
 * file's line in *e, or -errno when the file cannot be read. */
#ifndef MW_REPORT_RECORDS_H
#define MW_REPORT_RECORDS_H

#include <stddef.h>

#include "util/err.h"

enum rec_status {
	REC_OK = 0,
	REC_ERROR,
	REC_TIMEOUT,
	REC_LOST,
	REC_UNSENT,
	REC_NSTATUS,
};

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

/* The status's name as in the CSV ("ok", "error", ...). */
const char *records_status_name(enum rec_status s);

/* Appends the ok latencies of r to *v (of *n values, capacity grown with
 * xrealloc as needed): callers merge several groups into one sample. */
void records_latencies(const struct records *r, double **v, size_t *n);

#endif
