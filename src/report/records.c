/* records.c -- see records.h. */
#include "report/records.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

static const char *const status_names[REC_NSTATUS] = { "ok", "error", "timeout", "lost", "unsent" };

const char *records_status_name(enum rec_status s)
{
	return (unsigned)s < REC_NSTATUS ? status_names[s] : "?";
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

int records_load(const char *path, struct records *r, struct err *e)
{
	enum { MAXF = 64 };
	FILE *f;
	char *line = NULL, *field[MAXF];
	size_t linecap = 0, cap = 0, nf;
	int idx[C_N], lineno = 1, rc = 0;
	ssize_t len;

	memset(r, 0, sizeof *r);
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
	r->has_sent = idx[C_SENT] >= 0;
	while ((len = getline(&line, &linecap, f)) >= 0) {
		double v[C_N];
		int st = -1;

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
		for (int s = 0; s < REC_NSTATUS; s++)
			if (strcmp(field[idx[C_STATUS]], status_names[s]) == 0)
				st = s;
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
		grow(r, &cap);
		r->intended_us[r->n] = v[C_INTENDED];
		r->sent_us[r->n] = v[C_SENT];
		r->latency_us[r->n] = st == REC_OK ? v[C_LATENCY] : NAN;
		r->status[r->n] = (unsigned char)st;
		r->count[st]++;
		r->n++;
	}
	if (ferror(f))
		rc = err_set(e, "read error");
out:
	if (rc == -EINVAL && e && lineno > 0)
		e->line = lineno;
	free(line);
	fclose(f);
	if (rc < 0)
		records_free(r);
	return rc;
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
