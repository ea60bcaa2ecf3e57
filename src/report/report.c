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
#include "util/file.h"
#include "util/xalloc.h"

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

/* What one report draws: its summary rows, the series of the distribution
 * plots and the figures of index.html, with the ranges that choose log
 * axes. */
struct plan {
	size_t ng, nrows, nshow;
	struct summary *rows;        /* [nrows]: each group, then all */
	struct plot_series *series;  /* the distribution plots' series */
	size_t nseries, max_n;
	char **labels;               /* [nrows] the series' legends */
	struct html_plot *hp;        /* index.html's figures */
	size_t nhp;
	char **names, **titles;      /* [ng] each group's timeline figure */
	double lo, hi, blo, bhi;     /* ok latencies; 1st to 100th percentile */
};

static int write_tables(const struct results *r, const struct report_opts *o,
			const struct plan *p, struct err *e)
{
	FILE *f;
	int rc = 0;

#define TABLE(name, call)                                              \
	if (rc == 0) {                                                 \
		if ((f = open_out(o->out_dir, name, e)) == NULL)       \
			rc = -EINVAL;                                  \
		else                                                   \
			rc = close_out(f, call, o->out_dir, name, e);  \
	}
	TABLE("summary.txt", summary_write_text(f, r, p->rows, p->nrows, o->warmup_us));
	TABLE("summary.csv", summary_write_csv(f, p->rows, p->nshow));
	TABLE("summary.json", summary_write_json(f, r, p->rows, p->nrows, o->warmup_us));
	TABLE("quantiles.csv", tables_write_quantiles(f, p->rows, p->nshow));
	TABLE("boxplot.csv", tables_write_boxplot(f, p->rows, p->nshow));
	TABLE("timeline.csv", tables_write_timeline(f, r, o->bins));
#undef TABLE
	return rc;
}

/* Distribution plots draw only groups with ok requests: a series without
 * points would be a legend entry without a line. */
static void pick_series(struct plan *p)
{
	for (size_t i = 0; i < p->nshow; i++) {
		const struct summary *s = &p->rows[i];

		if (s->n == 0)
			continue;
		if (asprintf(&p->labels[p->nseries], "%s (%zu ok, max %.1f µs)", s->name, s->n,
			     summary_pct(s, 100)) < 0)
			abort();
		p->series[p->nseries].group = s->name;
		p->series[p->nseries].label = p->labels[p->nseries];
		p->nseries++;
		if (s->n > p->max_n)
			p->max_n = s->n;
		p->lo = fmin(p->lo, s->lat[0]);
		p->hi = fmax(p->hi, s->lat[s->n - 1]);
		p->blo = fmin(p->blo, summary_pct(s, 1));
		p->bhi = fmax(p->bhi, summary_pct(s, 100));
	}
}

static void list_figures(struct plan *p, const struct results *r)
{
	p->hp[p->nhp++] = (struct html_plot){ "latency-cdf", "Latency CDF",
		"Fraction of ok requests whose latency is at most x (log x axis when the latencies "
		"span a decade or more). A curve further "
		"left is faster; a long flat top is the tail." };
	p->hp[p->nhp++] = (struct html_plot){ "percentile-spectrum", "Percentile spectrum",
		"Latency at each percentile, with percentiles spread by 1/(1-p) so that every "
		"'nine' gets the same width (HdrHistogram style). The maximum is in the legend." };
	p->hp[p->nhp++] = (struct html_plot){ "boxplot", "Latency per client group",
		"Box from the 25th to the 75th percentile, bar at the median, whiskers at the 1st "
		"and 99th percentiles, dot at the mean, cross at the maximum." };
	for (size_t i = 0; i < p->ng; i++) {
		const struct results_group *g = &r->groups[i];

		if (asprintf(&p->names[i], "timeline-%s", g->name) < 0 ||
		    asprintf(&p->titles[i], "Latency and rate over time: %s", g->name) < 0)
			abort();
		p->hp[p->nhp++] = (struct html_plot){ p->names[i], p->titles[i],
			"Per time bin of the intended send time: median, 99th percentile and maximum "
			"latency of the ok requests sent in it (left axis); the rate the schedule "
			"asked for and the rate actually sent (right axis)." };
	}
}

/* Each group's latency and rate over time. */
static int draw_timelines(const struct plan *p, const struct results *r, const struct report_opts *o,
			  const char *scen, struct err *e)
{
	char title[512];
	int rc = 0;

	for (size_t i = 0; i < p->ng && rc == 0 && o->plots; i++) {
		const struct results_group *g = &r->groups[i];
		const struct summary *s = &p->rows[i];
		char target[64];

		if (g->rec.n == 0)
			continue; /* no request (after the warm-up): nothing to draw */
		if (isnan(g->target_rate))
			snprintf(target, sizeof target, "no target rate recorded");
		else
			snprintf(target, sizeof target, "target %.1f req/s", g->target_rate);
		snprintf(title, sizeof title, "%s, group %s: latency and rate over time (%s)", scen,
			 g->name, target);
		rc = plots_timeline(o->out_dir, p->names[i], title, g->name, s->n > 0, g->rec.has_sent,
				    s->n && plots_log_scale(s->lat[0], s->lat[s->n - 1]), e);
	}
	return rc;
}

static int draw_plots(const struct plan *p, const struct results *r, const struct report_opts *o,
		      const char *scen, const char *plotdir, struct err *e)
{
	char title[512];
	int rc = 0;

	/* Plots of an earlier report in the same directory must not survive
	 * into this one's index.html (say, remade with --no-plots). */
	for (size_t i = 0; i < p->nhp; i++) {
		char path[1200];

		snprintf(path, sizeof path, "%s/%s.svg", plotdir, p->hp[i].name);
		unlink(path);
		snprintf(path, sizeof path, "%s/%s.png", plotdir, p->hp[i].name);
		unlink(path);
	}
	if (rc == 0 && o->plots && p->nseries) {
		snprintf(title, sizeof title, "%s: latency CDF", scen);
		rc = plots_cdf(o->out_dir, "latency-cdf", title, "quantiles.csv", p->series, p->nseries,
			       NAN, e);
	}
	if (rc == 0 && o->plots && p->nseries) {
		snprintf(title, sizeof title, "%s: latency by percentile", scen);
		rc = plots_spectrum(o->out_dir, "percentile-spectrum", title, "quantiles.csv", p->series,
				    p->nseries, p->max_n, plots_log_scale(p->lo, p->hi), e);
	}
	if (rc == 0 && o->plots && p->nseries) {
		snprintf(title, sizeof title, "%s: latency per client group", scen);
		rc = plots_boxplot(o->out_dir, "boxplot", title, p->rows, p->nshow,
				   plots_log_scale(p->blo, p->bhi), e);
	}
	if (rc == 0)
		rc = draw_timelines(p, r, o, scen, e);
	return rc;
}

int report_write(const struct results *r, const struct report_opts *o, struct err *e)
{
	size_t ng = r->ngroups;
	struct plan p = { .ng = ng, .nrows = ng + 1, .nshow = ng == 1 ? 1 : ng + 1,
			  .lo = INFINITY, .blo = INFINITY };
	const char *scen = jsonin_str(jsonin_get(r->run, "scenario"));
	char plotdir[1024];
	int rc;

	p.rows = xcalloc(p.nrows, sizeof *p.rows);
	p.series = xcalloc(p.nrows, sizeof *p.series);
	p.hp = xcalloc(ng + 4, sizeof *p.hp);
	p.labels = xcalloc(p.nrows, sizeof *p.labels);
	p.names = xcalloc(ng, sizeof *p.names);
	p.titles = xcalloc(ng, sizeof *p.titles);
	if (!scen)
		scen = r->label;
	summary_build(r, p.rows);
	rc = file_mkdir(o->out_dir, e);
	snprintf(plotdir, sizeof plotdir, "%s/plots", o->out_dir);
	if (rc == 0 && o->plots)
		rc = file_mkdir(plotdir, e);
	if (rc == 0)
		rc = write_tables(r, o, &p, e);
	pick_series(&p);
	list_figures(&p, r);
	if (rc == 0)
		rc = draw_plots(&p, r, o, scen, plotdir, e);
	/* A group without a request has no timeline: no figure for it (the
	 * summary table shows its 0 requests). */
	size_t kept = 3;
	for (size_t i = 0; i < ng; i++)
		if (r->groups[i].rec.n > 0)
			p.hp[kept++] = p.hp[3 + i];
	p.nhp = kept;
	if (rc == 0 && o->traces)
		rc = traceview_tables(o->out_dir, o->traces, e);
	if (rc == 0)
		rc = html_write(o->out_dir, r, p.rows, p.nshow, p.hp, p.nhp, o->warmup_us, o->traces, e);

	for (size_t i = 0; i < p.nrows; i++) {
		summary_free(&p.rows[i]);
		free(p.labels[i]);
	}
	for (size_t i = 0; i < ng; i++) {
		free(p.names[i]);
		free(p.titles[i]);
	}
	free(p.rows);
	free(p.series);
	free(p.hp);
	free(p.labels);
	free(p.names);
	free(p.titles);
	return rc;
}

int report_write_traces(const struct traceset *ts, const char *out_dir, struct err *e)
{
	int rc = file_mkdir(out_dir, e);

	if (rc == 0)
		rc = traceview_tables(out_dir, ts, e);
	if (rc == 0)
		rc = html_write_traces(out_dir, ts, e);
	return rc;
}
