/* report.c -- see report.h. The order matters: tables first (the plots read
 * them), then the plots, then index.html (it embeds the plots). */
#include "report/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/gnuplot.h"
#include "report/html.h"
#include "report/plots.h"
#include "report/summary.h"
#include "report/tables.h"
#include "report/traceview.h"
#include "util/xalloc.h"

int report_mkdir(const char *dir, struct err *e)
{
	struct stat st;

	if (mkdir(dir, 0755) == 0)
		return 0;
	if (errno == EEXIST && stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
		return 0;
	return err_set(e, "%s: cannot create the directory: %s", dir,
		       errno == EEXIST ? "a file is in the way" : strerror(errno));
}

/* Opens dir/name, lets write() fill it, and checks the result. */
static FILE *open_out(const char *dir, const char *name, struct err *e)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		err_set(e, "%s: %s", path, strerror(errno));
	return f;
}

static int close_out(FILE *f, int rc, const char *dir, const char *name, struct err *e)
{
	if (ferror(f))
		rc = -EIO;
	if (fclose(f) != 0 || rc < 0)
		return err_set(e, "%s/%s: write error", dir, name);
	return 0;
}

int report_write(const struct results *r, const struct report_opts *o, struct err *e)
{
	size_t ng = r->ngroups, nrows = ng + 1, nshow = ng == 1 ? 1 : nrows;
	struct summary *rows = xcalloc(nrows, sizeof *rows);
	struct plot_series *series = xcalloc(nrows, sizeof *series);
	struct html_plot *hp = xcalloc(ng + 4, sizeof *hp);
	char **labels = xcalloc(nrows, sizeof *labels), **names = xcalloc(ng, sizeof *names);
	char **titles = xcalloc(ng, sizeof *titles), plotdir[1024];
	const char *scen = jsonin_str(jsonin_get(r->run, "scenario"));
	size_t nhp = 0, max_n = 0, nseries = 0;
	double lo = INFINITY, hi = 0, blo = INFINITY, bhi = 0;
	char title[512];
	FILE *f;
	int rc;

	if (!scen)
		scen = r->label;
	summary_build(r, rows);
	rc = report_mkdir(o->out_dir, e);
	snprintf(plotdir, sizeof plotdir, "%s/plots", o->out_dir);
	if (rc == 0 && o->plots)
		rc = report_mkdir(plotdir, e);

#define TABLE(name, call)                                              \
	if (rc == 0) {                                                 \
		if ((f = open_out(o->out_dir, name, e)) == NULL)       \
			rc = -EINVAL;                                  \
		else                                                   \
			rc = close_out(f, call, o->out_dir, name, e);  \
	}
	TABLE("summary.txt", summary_write_text(f, r, rows, nrows, o->warmup_us));
	TABLE("summary.csv", summary_write_csv(f, rows, nshow));
	TABLE("summary.json", summary_write_json(f, r, rows, nrows, o->warmup_us));
	TABLE("quantiles.csv", tables_write_quantiles(f, rows, nshow));
	TABLE("boxplot.csv", tables_write_boxplot(f, rows, nshow));
	TABLE("timeline.csv", tables_write_timeline(f, r, o->bins));
#undef TABLE

	/* Distribution plots draw only groups with ok requests: a series
	 * without points would be a legend entry without a line. */
	for (size_t i = 0; i < nshow; i++) {
		const struct summary *s = &rows[i];

		if (s->n == 0)
			continue;
		if (asprintf(&labels[nseries], "%s (%zu ok, max %.1f µs)", s->name, s->n,
			     summary_pct(s, 100)) < 0)
			abort();
		series[nseries].group = s->name;
		series[nseries].label = labels[nseries];
		nseries++;
		if (s->n > max_n)
			max_n = s->n;
		lo = fmin(lo, s->lat[0]);
		hi = fmax(hi, s->lat[s->n - 1]);
		blo = fmin(blo, summary_pct(s, 1));
		bhi = fmax(bhi, summary_pct(s, 100));
	}

	hp[nhp++] = (struct html_plot){ "latency-cdf", "Latency CDF",
		"Fraction of ok requests whose latency is at most x (log x axis when the latencies "
		"span a decade or more). A curve further "
		"left is faster; a long flat top is the tail." };
	hp[nhp++] = (struct html_plot){ "percentile-spectrum", "Percentile spectrum",
		"Latency at each percentile, with percentiles spread by 1/(1-p) so that every "
		"'nine' gets the same width (HdrHistogram style). The maximum is in the legend." };
	hp[nhp++] = (struct html_plot){ "boxplot", "Latency per client group",
		"Box from the 25th to the 75th percentile, bar at the median, whiskers at the 1st "
		"and 99th percentiles, dot at the mean, cross at the maximum." };
	for (size_t i = 0; i < ng; i++) {
		const struct results_group *g = &r->groups[i];

		if (asprintf(&names[i], "timeline-%s", g->name) < 0 ||
		    asprintf(&titles[i], "Latency and rate over time: %s", g->name) < 0)
			abort();
		hp[nhp++] = (struct html_plot){ names[i], titles[i],
			"Per time bin of the intended send time: median, 99th percentile and maximum "
			"latency of the ok requests sent in it (left axis); the rate the schedule "
			"asked for and the rate actually sent (right axis)." };
	}

	/* Plots of an earlier report in the same directory must not survive
	 * into this one's index.html (say, remade with --no-plots). */
	for (size_t i = 0; i < nhp && rc == 0; i++) {
		char p[1200];

		snprintf(p, sizeof p, "%s/%s.svg", plotdir, hp[i].name);
		unlink(p);
		snprintf(p, sizeof p, "%s/%s.png", plotdir, hp[i].name);
		unlink(p);
	}
	if (rc == 0 && o->plots && nseries) {
		snprintf(title, sizeof title, "%s: latency CDF", scen);
		rc = plots_cdf(o->out_dir, "latency-cdf", title, "quantiles.csv", series, nseries, NAN,
			       e);
	}
	if (rc == 0 && o->plots && nseries) {
		snprintf(title, sizeof title, "%s: latency by percentile", scen);
		rc = plots_spectrum(o->out_dir, "percentile-spectrum", title, "quantiles.csv", series,
				    nseries, max_n, plots_log_scale(lo, hi), e);
	}
	if (rc == 0 && o->plots && nseries) {
		snprintf(title, sizeof title, "%s: latency per client group", scen);
		rc = plots_boxplot(o->out_dir, "boxplot", title, rows, nshow, plots_log_scale(blo, bhi), e);
	}
	for (size_t i = 0; i < ng && rc == 0 && o->plots; i++) {
		const struct results_group *g = &r->groups[i];
		const struct summary *s = &rows[i];
		char target[64];

		if (g->rec.n == 0)
			continue; /* no request (after the warm-up): nothing to draw */
		if (isnan(g->target_rate))
			snprintf(target, sizeof target, "no target rate recorded");
		else
			snprintf(target, sizeof target, "target %.1f req/s", g->target_rate);
		snprintf(title, sizeof title, "%s, group %s: latency and rate over time (%s)", scen,
			 g->name, target);
		rc = plots_timeline(o->out_dir, names[i], title, g->name, s->n > 0, g->rec.has_sent,
				    s->n && plots_log_scale(s->lat[0], s->lat[s->n - 1]), e);
	}
	/* A group without a request has no timeline: no figure for it (the
	 * summary table shows its 0 requests). */
	size_t kept = 3;
	for (size_t i = 0; i < ng; i++)
		if (r->groups[i].rec.n > 0)
			hp[kept++] = hp[3 + i];
	nhp = kept;
	if (rc == 0 && o->traces)
		rc = traceview_tables(o->out_dir, o->traces, e);
	if (rc == 0)
		rc = html_write(o->out_dir, r, rows, nshow, hp, nhp, o->warmup_us, o->traces, e);

	for (size_t i = 0; i < nrows; i++) {
		summary_free(&rows[i]);
		free(labels[i]);
	}
	for (size_t i = 0; i < ng; i++) {
		free(names[i]);
		free(titles[i]);
	}
	free(rows);
	free(series);
	free(hp);
	free(labels);
	free(names);
	free(titles);
	return rc;
}

int report_write_traces(const struct traceset *ts, const char *out_dir, struct err *e)
{
	int rc = report_mkdir(out_dir, e);

	if (rc == 0)
		rc = traceview_tables(out_dir, ts, e);
	if (rc == 0)
		rc = html_write_traces(out_dir, ts, e);
	return rc;
}
