/* tables.c -- see tables.h. */
#include "report/tables.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/sample.h"
#include "util/xalloc.h"

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

size_t tables_levels(size_t n, double *levels)
{
	size_t k = 0, out = 0;

	for (int i = 0; i <= 400; i++)
		levels[k++] = i * 0.25;
	/* The tail: 50 levels per decade of 1/(1-p). The bound keeps the table
	 * finite for any n (10^(k/50) beyond 10^12 is more requests than a run
	 * holds). */
	for (int i = 1; k < TABLES_MAX_LEVELS && i <= 600 && pow(10, i / 50.0) <= (double)n; i++)
		levels[k++] = 100 * (1 - pow(10, -i / 50.0));
	qsort(levels, k, sizeof *levels, cmp_double);
	for (size_t i = 0; i < k; i++)
		if (out == 0 || levels[i] - levels[out - 1] > 1e-9)
			levels[out++] = levels[i];
	return out;
}

static void put(FILE *f, double v)
{
	if (!isnan(v))
		fprintf(f, "%.3f", v);
}

int tables_write_quantiles(FILE *f, const struct summary *rows, size_t nrows)
{
	double *lv = xmalloc(TABLES_MAX_LEVELS * sizeof *lv);

	fprintf(f, "group,percentile,latency_us\n");
	for (size_t i = 0; i < nrows; i++) {
		size_t nl = tables_levels(rows[i].n, lv);

		if (rows[i].n == 0)
			continue;
		for (size_t j = 0; j < nl; j++)
			fprintf(f, "%s,%.10g,%.3f\n", rows[i].name, lv[j], summary_pct(&rows[i], lv[j]));
	}
	free(lv);
	return ferror(f) ? -EIO : 0;
}

int tables_write_boxplot(FILE *f, const struct summary *rows, size_t nrows)
{
	static const double ps[] = { 0, 1, 25, 50, 75, 99, 100 };

	fprintf(f, "index,group,min_us,p1_us,p25_us,p50_us,p75_us,p99_us,max_us,mean_us\n");
	for (size_t i = 0; i < nrows; i++) {
		fprintf(f, "%zu,%s", i, rows[i].name);
		for (size_t k = 0; k < sizeof ps / sizeof *ps; k++) {
			fputc(',', f);
			put(f, summary_pct(&rows[i], ps[k]));
		}
		fputc(',', f);
		put(f, rows[i].n ? rows[i].mean : NAN);
		fputc('\n', f);
	}
	return ferror(f) ? -EIO : 0;
}

size_t tables_bins(size_t n, size_t bins)
{
	/* At least 5 requests per bin, so a bin's rate is not mostly 0 or 1
	 * request; 10 bins where that allows. */
	size_t lo = n / 5 < 10 ? (n / 5 ? n / 5 : 1) : 10;

	if (bins)
		return bins;
	bins = n / 100;
	return bins < lo ? lo : bins > 200 ? 200 : bins;
}

/* One group's bins. Requests are distributed into bins by a counting sort on
 * the bin index, so each bin's latencies can then be sorted on their own. */
static void timeline_group(FILE *f, const struct results_group *g, size_t bins)
{
	const struct records *r = &g->rec;
	double t0 = INFINITY, t1 = -INFINITY, w;
	size_t *start, *fill, *sent, *nreq;
	double *lat;

	if (r->n == 0)
		return;
	for (size_t i = 0; i < r->n; i++) {
		if (r->intended_us[i] < t0)
			t0 = r->intended_us[i];
		if (r->intended_us[i] > t1)
			t1 = r->intended_us[i];
	}
	/* n requests on a schedule cover n gaps, not the n - 1 between the first
	 * and the last intended send: the bins span n mean gaps, from half a gap
	 * before the first to half a gap after the last, so a constant rate R
	 * reads R in every bin (not R * n / (n - 1)) and no bin edge falls on a
	 * request of a regular schedule. */
	if (r->n > 1) {
		double gap = (t1 - t0) / (double)(r->n - 1);

		t0 -= gap / 2;
		t1 += gap / 2;
	}
	w = (t1 - t0) / bins;
	if (!(w >= 1)) { /* all requests at one instant: one bin of 1 s */
		bins = 1;
		w = 1e6;
	}
	start = xcalloc(bins + 1, sizeof *start);
	fill = xcalloc(bins, sizeof *fill);
	sent = xcalloc(bins, sizeof *sent);
	nreq = xcalloc(bins, sizeof *nreq);
	lat = xmalloc((r->count[REC_OK] + 1) * sizeof *lat);

#define BIN(t) ((size_t)fmin(fmax(floor(((t) - t0) / w), 0), (double)(bins - 1)))
	for (size_t i = 0; i < r->n; i++) {
		size_t b = BIN(r->intended_us[i]);

		nreq[b]++;
		if (r->status[i] == REC_OK)
			start[b + 1]++;
		if (!isnan(r->sent_us[i]))
			sent[BIN(r->sent_us[i])]++;
	}
	for (size_t b = 0; b < bins; b++)
		start[b + 1] += start[b];
	for (size_t i = 0; i < r->n; i++) {
		size_t b;

		if (r->status[i] != REC_OK)
			continue;
		b = BIN(r->intended_us[i]);
		lat[start[b] + fill[b]++] = r->latency_us[i];
	}
#undef BIN
	for (size_t b = 0; b < bins; b++) {
		double *v = lat + start[b];
		size_t n = start[b + 1] - start[b];

		sample_sort(v, n);
		fprintf(f, "%s,%.6f,%.6f,%zu,%zu,%zu,%.3f,", g->name, (t0 + (b + 0.5) * w) / 1e6, w / 1e6,
			nreq[b], n, nreq[b] - n, nreq[b] / (w / 1e6));
		if (r->has_sent)
			fprintf(f, "%.3f", sent[b] / (w / 1e6));
		fputc(',', f);
		put(f, n ? sample_percentile(v, n, 50) : NAN);
		fputc(',', f);
		put(f, n ? sample_percentile(v, n, 99) : NAN);
		fputc(',', f);
		put(f, n ? v[n - 1] : NAN);
		/* Under 100 samples the nearest-rank p99 is one of the few largest:
		 * flagged, so the plot does not present it as a tail estimate. */
		fprintf(f, ",%d\n", n > 0 && n < TABLES_P99_MIN_SAMPLES);
	}
	free(start);
	free(fill);
	free(sent);
	free(nreq);
	free(lat);
}

int tables_write_timeline(FILE *f, const struct results *r, size_t bins)
{
	fprintf(f, "group,t_s,width_s,requests,ok,failures,target_rate,achieved_rate,p50_us,p99_us,max_us,"
		   "p99_few\n");
	for (size_t i = 0; i < r->ngroups; i++)
		timeline_group(f, &r->groups[i], tables_bins(r->groups[i].rec.n, bins));
	return ferror(f) ? -EIO : 0;
}
