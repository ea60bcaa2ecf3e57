/* requests.c -- see requests.h. */
#include "results/requests.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

int requests_format_row(char *buf, size_t len, int thr, uint64_t sess, uint64_t req,
			enum results_status st, int64_t t0, int64_t intended, int64_t sent,
			int64_t recv)
{
	if (st == RESULTS_OK)
		return snprintf(buf, len, "%d,%" PRIu64 ",%" PRIu64 ",%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,ok\n",
				thr, sess, req, (intended - t0) / 1e3, (sent - t0) / 1e3,
				(recv - t0) / 1e3, (recv - intended) / 1e3, (recv - sent) / 1e3,
				(sent - intended) / 1e3);
	if (sent > 0)
		return snprintf(buf, len, "%d,%" PRIu64 ",%" PRIu64 ",%.3f,%.3f,,,,%.3f,%s\n", thr, sess,
				req, (intended - t0) / 1e3, (sent - t0) / 1e3, (sent - intended) / 1e3,
				results_status_word(st));
	return snprintf(buf, len, "%d,%" PRIu64 ",%" PRIu64 ",%.3f,,,,,,%s\n", thr, sess, req,
			(intended - t0) / 1e3, results_status_word(st));
}

enum col { C_INTENDED, C_SENT, C_LATENCY, C_STATUS, C_N };
static const char *const col_names[C_N] = { "intended_us", "sent_us", "latency_us", "status" };

/* Splits line in place at commas into at most max fields; returns how many. */
static size_t split(char *line, char **field, size_t max)
{
	size_t n = 0;
	char *p = line;

	while (n < max) {
		field[n++] = p;
		p = strchr(p, ',');
		if (p == NULL)
			break;
		*p++ = '\0';
	}
	return n;
}

/* A finite number filling the whole field, or -EINVAL. Empty -> NAN. */
static int number(const char *s, double *out)
{
	char *end;

	if (*s == '\0') {
		*out = NAN;
		return 0;
	}
	errno = 0;
	*out = strtod(s, &end);
	if (end == s || *end != '\0' || !isfinite(*out))
		return -EINVAL;
	return 0;
}

static void grow(struct records *r, size_t *cap)
{
	if (r->n < *cap)
		return;
	*cap = *cap ? *cap * 2 : 1024;
	r->intended_us = xrealloc(r->intended_us, *cap * sizeof *r->intended_us);
	r->sent_us = xrealloc(r->sent_us, *cap * sizeof *r->sent_us);
	r->latency_us = xrealloc(r->latency_us, *cap * sizeof *r->latency_us);
	r->status = xrealloc(r->status, *cap);
}

/* One parsed row, for the scan's callback. */
struct row {
	enum results_status st;
	double intended_us, sent_us, latency_us; /* latency NAN unless ok */
};

typedef void row_fn(const struct row *row, void *arg);

/* Reads the CSV at path row by row into fn; *has_sent says whether it has a
 * sent_us column. */
static int scan(const char *path, row_fn *fn, void *arg, int *has_sent, struct err *e)
{
	enum { MAXF = 64 };
	FILE *f;
	char *line = NULL, *field[MAXF];
	size_t linecap = 0, nf;
	int idx[C_N], lineno = 1, rc = 0;
	ssize_t len;

	err_clear(e);
	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		err_set(e, "%s", strerror(-rc));
		return rc;
	}
	if ((len = getline(&line, &linecap, f)) < 0) {
		rc = err_set(e, "empty file: expected a header line (thr_id,...,status)");
		goto out;
	}
	line[strcspn(line, "\r\n")] = '\0';
	nf = split(line, field, MAXF);
	for (int c = 0; c < C_N; c++) {
		idx[c] = -1;
		for (size_t i = 0; i < nf; i++)
			if (strcmp(field[i], col_names[c]) == 0)
				idx[c] = (int)i;
		if (idx[c] < 0 && c != C_SENT) {
			rc = err_set(e, "no '%s' column in the header: not a meshwalk requests.csv",
				     col_names[c]);
			goto out;
		}
	}
	*has_sent = idx[C_SENT] >= 0;
	while ((len = getline(&line, &linecap, f)) >= 0) {
		double v[C_N];
		int st;

		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '\0')
			continue;
		nf = split(line, field, MAXF);
		for (int c = 0; c < C_N; c++) {
			if (idx[c] < 0) {
				v[c] = NAN;
				continue;
			}
			if ((size_t)idx[c] >= nf) {
				rc = err_set(e, "%zu fields, but the header has a '%s' column", nf,
					     col_names[c]);
				goto out;
			}
			if (c == C_STATUS)
				continue;
			if (number(field[idx[c]], &v[c]) < 0) {
				rc = err_set(e, "%s: expected a number, got '%s'", col_names[c],
					     field[idx[c]]);
				goto out;
			}
		}
		st = results_status_parse(field[idx[C_STATUS]]);
		if (st < 0) {
			rc = err_set(e, "status: expected ok, error, timeout, lost or unsent, got '%s'",
				     field[idx[C_STATUS]]);
			goto out;
		}
		if (isnan(v[C_INTENDED])) {
			rc = err_set(e, "intended_us is empty");
			goto out;
		}
		if (st == REC_OK && isnan(v[C_LATENCY])) {
			rc = err_set(e, "an ok request without a latency_us");
			goto out;
		}
		struct row row = { .st = (enum results_status)st, .intended_us = v[C_INTENDED],
				   .sent_us = v[C_SENT],
				   .latency_us = st == REC_OK ? v[C_LATENCY] : NAN };
		fn(&row, arg);
	}
	if (ferror(f))
		rc = err_set(e, "read error");
out:
	if (rc == -EINVAL && e && lineno > 0)
		e->line = lineno;
	free(line);
	fclose(f);
	return rc;
}

struct load {
	struct records *r;
	size_t cap;
};

static void append(const struct row *row, void *arg)
{
	struct load *l = arg;
	struct records *r = l->r;

	grow(r, &l->cap);
	r->intended_us[r->n] = row->intended_us;
	r->sent_us[r->n] = row->sent_us;
	r->latency_us[r->n] = row->latency_us;
	r->status[r->n] = (unsigned char)row->st;
	r->count[row->st]++;
	r->n++;
}

int records_load(const char *path, struct records *r, struct err *e)
{
	struct load l = { .r = r };
	int rc;

	memset(r, 0, sizeof *r);
	rc = scan(path, append, &l, &r->has_sent, e);
	if (rc < 0)
		records_free(r);
	return rc;
}

struct each {
	requests_row_fn *fn;
	void *arg;
};

static void each_row(const struct row *row, void *arg)
{
	struct each *x = arg;

	x->fn(row->st, row->latency_us, x->arg);
}

int requests_scan(const char *path, requests_row_fn *fn, void *arg, struct err *e)
{
	struct each x = { fn, arg };
	int has_sent;

	return scan(path, each_row, &x, &has_sent, e);
}

void records_free(struct records *r)
{
	free(r->intended_us);
	free(r->sent_us);
	free(r->latency_us);
	free(r->status);
	memset(r, 0, sizeof *r);
}

void records_trim(struct records *r, double from_us)
{
	size_t k = 0;

	memset(r->count, 0, sizeof r->count);
	for (size_t i = 0; i < r->n; i++) {
		if (r->intended_us[i] < from_us)
			continue;
		r->intended_us[k] = r->intended_us[i];
		r->sent_us[k] = r->sent_us[i];
		r->latency_us[k] = r->latency_us[i];
		r->status[k] = r->status[i];
		r->count[r->status[k]]++;
		k++;
	}
	r->n = k;
}

void records_latencies(const struct records *r, double **v, size_t *n)
{
	size_t need = *n + r->count[REC_OK];

	*v = xrealloc(*v, (need ? need : 1) * sizeof **v);
	for (size_t i = 0; i < r->n; i++)
		if (r->status[i] == REC_OK)
			(*v)[(*n)++] = r->latency_us[i];
}
