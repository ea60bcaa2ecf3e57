/* summary.c -- see summary.h. */
#include "report/summary.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/sample.h"
#include "util/json.h"
#include "util/xalloc.h"

const double summary_pcts[SUMMARY_NPCT] = { 50, 90, 99, 99.9 };
const char *const summary_pct_names[SUMMARY_NPCT] = { "p50", "p90", "p99", "p99.9" };
const char *const summary_pct_keys[SUMMARY_NPCT] = { "p50", "p90", "p99", "p99_9" };

void summary_init(struct summary *s, const char *name)
{
	memset(s, 0, sizeof *s);
	s->name = xstrdup(name);
}

void summary_add(struct summary *s, const struct results_group *g)
{
	const struct records *r = &g->rec;
	double lo = INFINITY, hi = -INFINITY;
	int first = s->groups++ == 0;

	s->requests += r->n;
	for (int i = 0; i < REC_NSTATUS; i++)
		s->count[i] += r->count[i];
	s->failures = s->requests - s->count[REC_OK];
	records_latencies(r, &s->lat, &s->n);
	/* Rates add up over groups; one unknown rate makes the sum unknown. */
	s->target_rate = first ? g->target_rate : s->target_rate + g->target_rate;
	s->achieved_rate = first ? g->achieved_rate : s->achieved_rate + g->achieved_rate;
	/* Requests never sent (an interrupted run lists what it did not send,
	 * with their intended times) are not part of the time it ran. */
	for (size_t i = 0; i < r->n; i++) {
		if (r->status[i] == REC_UNSENT)
			continue;
		if (r->intended_us[i] < lo)
			lo = r->intended_us[i];
		if (r->intended_us[i] > hi)
			hi = r->intended_us[i];
	}
	if (hi >= lo && (hi - lo) / 1e6 > s->duration_s)
		s->duration_s = (hi - lo) / 1e6;
}

void summary_finish(struct summary *s)
{
	sample_sort(s->lat, s->n);
	s->mean = sample_mean(s->lat, s->n);
	s->stddev = sample_stddev(s->lat, s->n);
}

void summary_free(struct summary *s)
{
	free(s->name);
	free(s->lat);
	memset(s, 0, sizeof *s);
}

double summary_pct(const struct summary *s, double p)
{
	return s->n ? sample_percentile(s->lat, s->n, p) : NAN;
}

void summary_build(const struct results *r, struct summary *rows)
{
	struct summary *all = &rows[r->ngroups];

	summary_init(all, "all");
	for (size_t i = 0; i < r->ngroups; i++) {
		summary_init(&rows[i], r->groups[i].name);
		summary_add(&rows[i], &r->groups[i]);
		summary_finish(&rows[i]);
		summary_add(all, &r->groups[i]);
	}
	summary_finish(all);
}

/* "%.1f" of a latency, or "-" when there is none. */
static const char *fmt_us(char *buf, size_t len, double v)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f", v);
	return buf;
}

static int done(FILE *f)
{
	return ferror(f) ? -EIO : 0;
}

int summary_write_text(FILE *f, const struct results *r, const struct summary *rows, size_t nrows,
		       double warmup_us)
{
	const struct jsonin *run = r->run;
	const char *scen = jsonin_str(jsonin_get(run, "scenario"));
	const char *status = jsonin_str(jsonin_get(run, "status"));
	const char *seed = jsonin_text(jsonin_get(run, "seed"));
	char b[8][48];

	fprintf(f, "meshwalk report: %s", scen ? scen : r->label);
	if (status)
		fprintf(f, ", run %s", status);
	if (seed)
		fprintf(f, ", seed %s", seed);
	fprintf(f, "\nresults: %s\n", r->path);
	if (warmup_us > 0)
		fprintf(f, "warm-up: requests intended in the first %.0f us of each group are left out\n",
			warmup_us);
	fprintf(f, "latency: intended send -> reply, microseconds, ok requests only (exact "
		   "nearest-rank percentiles)\n\n");
	fprintf(f, "%-16s %9s %9s %9s %10s %10s %10s %10s %10s %10s\n", "group", "requests", "ok",
		"failures", "mean", "p50", "p90", "p99", "p99.9", "max");
	for (size_t i = 0; i < nrows; i++) {
		const struct summary *s = &rows[i];

		/* One group: the "all" row would repeat it. */
		if (nrows == 2 && i == 1)
			break;
		fprintf(f, "%-16s %9zu %9zu %9zu %10s %10s %10s %10s %10s %10s\n", s->name, s->requests,
			s->count[REC_OK], s->failures,
			fmt_us(b[0], sizeof b[0], s->n ? s->mean : NAN),
			fmt_us(b[1], sizeof b[1], summary_pct(s, 50)),
			fmt_us(b[2], sizeof b[2], summary_pct(s, 90)),
			fmt_us(b[3], sizeof b[3], summary_pct(s, 99)),
			fmt_us(b[4], sizeof b[4], summary_pct(s, 99.9)),
			fmt_us(b[5], sizeof b[5], summary_pct(s, 100)));
	}
	for (size_t i = 0; i < nrows; i++) {
		const struct summary *s = &rows[i];

		if (nrows == 2 && i == 1)
			break;
		if (s->failures)
			fprintf(f, "%s failures: %zu error, %zu timeout, %zu lost, %zu unsent\n", s->name,
				s->count[REC_ERROR], s->count[REC_TIMEOUT], s->count[REC_LOST],
				s->count[REC_UNSENT]);
	}
	for (size_t i = 0; i + 1 < nrows; i++) {
		const struct summary *s = &rows[i];

		if (isnan(s->achieved_rate))
			continue;
		if (isnan(s->target_rate))
			snprintf(b[6], sizeof b[6], "none recorded (closed loop, or under 2 sent)");
		else
			snprintf(b[6], sizeof b[6], "%.1f req/s", s->target_rate);
		fprintf(f, "%s rate: target %s, achieved %.1f req/s over %.3f s\n", s->name, b[6],
			s->achieved_rate, s->duration_s);
	}
	return done(f);
}

/* A number for CSV/JSON: "%.3f" (ns resolution, as requests.csv), or the
 * empty field / null when unknown. */
static void put_num(FILE *f, double v, const char *none)
{
	if (isnan(v))
		fputs(none, f);
	else
		fprintf(f, "%.3f", v);
}

int summary_write_csv(FILE *f, const struct summary *rows, size_t nrows)
{
	fprintf(f, "group,requests,ok,errors,timeouts,lost,unsent,failures,min_us,mean_us,stddev_us");
	for (int k = 0; k < SUMMARY_NPCT; k++)
		fprintf(f, ",%s_us", summary_pct_keys[k]);
	fprintf(f, ",max_us,target_rate,achieved_rate\n");
	for (size_t i = 0; i < nrows; i++) {
		const struct summary *s = &rows[i];

		fprintf(f, "%s,%zu,%zu,%zu,%zu,%zu,%zu,%zu,", s->name, s->requests, s->count[REC_OK],
			s->count[REC_ERROR], s->count[REC_TIMEOUT], s->count[REC_LOST],
			s->count[REC_UNSENT], s->failures);
		put_num(f, summary_pct(s, 0), "");
		fputc(',', f);
		put_num(f, s->n ? s->mean : NAN, "");
		fputc(',', f);
		put_num(f, s->n ? s->stddev : NAN, "");
		for (int k = 0; k < SUMMARY_NPCT; k++) {
			fputc(',', f);
			put_num(f, summary_pct(s, summary_pcts[k]), "");
		}
		fputc(',', f);
		put_num(f, summary_pct(s, 100), "");
		fputc(',', f);
		put_num(f, s->target_rate, "");
		fputc(',', f);
		put_num(f, s->achieved_rate, "");
		fputc('\n', f);
	}
	return done(f);
}

void summary_json_object(FILE *f, const struct summary *s)
{
	fprintf(f, "{\"name\": ");
	json_write_string(f, s->name);
	fprintf(f, ", \"requests\": %zu, \"ok\": %zu, \"errors\": %zu, \"timeouts\": %zu, "
		   "\"lost\": %zu, \"unsent\": %zu, \"failures\": %zu, \"latency\": {\"count\": %zu, \"min\": ",
		s->requests, s->count[REC_OK], s->count[REC_ERROR], s->count[REC_TIMEOUT],
		s->count[REC_LOST], s->count[REC_UNSENT], s->failures, s->n);
	put_num(f, summary_pct(s, 0), "null");
	fprintf(f, ", \"mean\": ");
	put_num(f, s->n ? s->mean : NAN, "null");
	fprintf(f, ", \"stddev\": ");
	put_num(f, s->n ? s->stddev : NAN, "null");
	for (int k = 0; k < SUMMARY_NPCT; k++) {
		fprintf(f, ", \"%s\": ", summary_pct_keys[k]);
		put_num(f, summary_pct(s, summary_pcts[k]), "null");
	}
	fprintf(f, ", \"max\": ");
	put_num(f, summary_pct(s, 100), "null");
	fprintf(f, "}, \"target_rate\": ");
	put_num(f, s->target_rate, "null");
	fprintf(f, ", \"achieved_rate\": ");
	put_num(f, s->achieved_rate, "null");
	fprintf(f, "}");
}

int summary_write_json(FILE *f, const struct results *r, const struct summary *rows, size_t nrows,
		       double warmup_us)
{
	fprintf(f, "{\n  \"meshwalk_report_version\": 1,\n  \"results\": ");
	json_write_string(f, r->path);
	fprintf(f, ",\n  \"warmup_us\": %.3f,\n  \"units\": \"us\",\n  \"groups\": [", warmup_us);
	for (size_t i = 0; i + 1 < nrows; i++) {
		fprintf(f, "%s\n    ", i ? "," : "");
		summary_json_object(f, &rows[i]);
	}
	fprintf(f, "\n  ],\n  \"all\": ");
	summary_json_object(f, &rows[nrows - 1]);
	fprintf(f, "\n}\n");
	return done(f);
}
