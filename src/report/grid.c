/* grid.c -- see grid.h.
 *
 * DESIGN. A sweep is a directory of ordinary results directories plus
 * sweep.json, which says which cell holds which parameters. Everything per
 * cell is what `meshwalk report` does for one run (report_write() into the
 * cell's report/), so this file only adds what needs the whole grid: one
 * row per cell, the slowdown (which needs a baseline cell), and plots whose
 * x axis is a parameter. The parameters are taken from sweep.json, never
 * parsed back out of directory names. */
#include "report/grid.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/gnuplot.h"
#include "report/html.h"
#include "report/plots.h"
#include "report/report.h"
#include "report/results.h"
#include "report/summary.h"
#include "util/file.h"
#include "util/json.h"
#include "util/jsonin.h"
#include "util/log.h"
#include "util/version.h"
#include "util/xalloc.h"

struct gcell {
	const char *name;     /* "rate=400,arrival=exp" (borrowed from sweep.json) */
	const char *dir;      /* relative to the sweep, e.g. "cells/003_rate-400" */
	double rate;          /* NAN when not swept */
	const char *arrival;  /* NULL when not swept */
	const char *compute;  /* NULL when not swept */
	double compute_us;    /* NAN when not swept */
	int ri, ci;           /* index of its rate / compute in the parameter lists, or -1 */
	int exit_status;      /* -1: the cell did not run */
	bool have;            /* the group's records were read */
	size_t warmed_out;    /* of them, requests the warm-up left out */
	struct summary s;     /* the group's figures, when have */
	double slowdown;      /* NAN when unknown */
	char series[160];     /* the other parameters than the x axis, for the line plots */
};

struct grid {
	struct jsonin *j;
	const char *scenario, *group, *status, *seed;
	const struct jsonin *rates, *arrivals, *computes; /* arrays, or NULL */
	double warmup_us;
	size_t n;
	struct gcell *cells;
};

bool grid_is_sweep(const char *dir)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof path, "%s/sweep.json", dir);
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static size_t len_of(const struct jsonin *a)
{
	return a && a->type == JSONIN_ARRAY ? a->n : 0;
}

/* Index of the cell's value in a parameter list, or -1. */
static int index_of(const struct jsonin *list, const struct jsonin *v)
{
	for (size_t i = 0; i < len_of(list); i++) {
		const struct jsonin *x = jsonin_at(list, i);

		if (x->type == JSONIN_NUMBER && v && v->type == JSONIN_NUMBER && x->num == v->num)
			return (int)i;
		if (x->type == JSONIN_STRING && jsonin_str(v) && strcmp(x->str, v->str) == 0)
			return (int)i;
	}
	return -1;
}

static int load_grid(const char *dir, struct grid *g, struct err *e)
{
	char path[1024];
	const struct jsonin *cells, *params;
	struct err je;

	memset(g, 0, sizeof *g);
	snprintf(path, sizeof path, "%s/sweep.json", dir);
	if (jsonin_load(path, &g->j, &je) < 0)
		return err_set(e, "%s:%d:%d: %s", path, je.line, je.col, je.msg);
	cells = jsonin_get(g->j, "cells");
	params = jsonin_get(g->j, "parameters");
	g->scenario = jsonin_str(jsonin_get(g->j, "scenario"));
	g->group = jsonin_str(jsonin_get(g->j, "group"));
	g->status = jsonin_str(jsonin_get(g->j, "status"));
	g->seed = jsonin_text(jsonin_get(g->j, "seed"));
	g->warmup_us = jsonin_num(jsonin_get(g->j, "warmup_us"));
	if (isnan(g->warmup_us))
		g->warmup_us = 0;
	if (!g->group || !g->scenario || len_of(cells) == 0)
		return err_set(e, "%s: not a sweep (no scenario, group or cells)", path);
	g->rates = jsonin_get(params, "rate");
	g->arrivals = jsonin_get(params, "arrival");
	g->computes = jsonin_get(params, "compute");
	g->n = cells->n;
	g->cells = xcalloc(g->n, sizeof *g->cells);
	for (size_t i = 0; i < g->n; i++) {
		const struct jsonin *c = jsonin_at(cells, i);
		struct gcell *gc = &g->cells[i];
		double st = jsonin_num(jsonin_get(c, "exit_status"));

		gc->name = jsonin_str(jsonin_get(c, "name"));
		gc->dir = jsonin_str(jsonin_get(c, "dir"));
		if (gc->name == NULL || gc->dir == NULL || strstr(gc->dir, ".."))
			return err_set(e, "%s: cell %zu lacks a name or a directory", path, i);
		gc->rate = jsonin_num(jsonin_get(c, "rate"));
		gc->arrival = jsonin_str(jsonin_get(c, "arrival"));
		gc->compute = jsonin_str(jsonin_get(c, "compute"));
		gc->compute_us = jsonin_num(jsonin_get(c, "compute_us"));
		gc->ri = index_of(g->rates, jsonin_get(c, "rate"));
		gc->ci = index_of(g->computes, jsonin_get(c, "compute"));
		gc->exit_status = isnan(st) ? -1 : (int)st;
		gc->slowdown = NAN;
	}
	return 0;
}

/* A cell that ran, but whose group has no request after the warm-up: it
 * has no figure, and its rows say so instead of showing zeros. */
static bool empty(const struct gcell *c)
{
	return c->have && c->s.requests == 0;
}

static void free_grid(struct grid *g)
{
	for (size_t i = 0; i < g->n; i++)
		if (g->cells[i].have)
			summary_free(&g->cells[i].s);
	free(g->cells);
	jsonin_free(g->j);
	memset(g, 0, sizeof *g);
}

/* Reads one cell's results, reports it into OUT/CELL-DIR and keeps the
 * group's figures. A cell without results is not an error (it may not have
 * run); a cell whose CSV is broken is. */
static int do_cell(const char *dir, const struct grid *g, struct gcell *gc,
		   const struct grid_opts *o, struct err *e)
{
	char path[1200], out[1300];
	struct results r;
	struct report_opts ro = { .bins = o->bins, .plots = o->plots };
	double warmup = o->warmup_us >= 0 ? o->warmup_us : g->warmup_us;
	int rc;

	snprintf(path, sizeof path, "%s/%s", dir, gc->dir);
	if (gc->exit_status < 0)
		return 0;
	rc = results_load(path, &r, e);
	if (rc < 0) {
		/* No records at all (the cell failed before its clients ran) is
		 * something to show, not a reason to give up the report. */
		bool broken = e && e->line > 0;

		results_free(&r);
		return broken ? rc : 0;
	}
	for (size_t i = 0; i < r.ngroups; i++)
		if (strcmp(r.groups[i].name, g->group) == 0)
			gc->warmed_out = r.groups[i].rec.n;
	if (warmup > 0)
		results_trim(&r, warmup);
	/* The cell's report goes inside the sweep's report, not into the
	 * cell's results, so two reports of one sweep (-o) never mix. */
	snprintf(out, sizeof out, "%s/%s", o->out_dir, gc->dir);
	if (file_mkdirs(out, e) < 0) {
		results_free(&r);
		return -EINVAL;
	}
	ro.out_dir = out;
	ro.warmup_us = warmup;
	rc = report_write(&r, &ro, e);
	for (size_t i = 0; rc == 0 && i < r.ngroups; i++) {
		if (strcmp(r.groups[i].name, g->group) != 0)
			continue;
		summary_init(&gc->s, gc->name);
		summary_add(&gc->s, &r.groups[i]);
		summary_finish(&gc->s);
		gc->have = true;
		gc->warmed_out -= r.groups[i].rec.n;
	}
	results_free(&r);
	return rc;
}

/* The baseline of a cell: the cell with the lowest rate among those with
 * the same arrival and compute, that has ok requests. */
static void slowdowns(struct grid *g)
{
	for (size_t i = 0; i < g->n; i++) {
		struct gcell *c = &g->cells[i];
		const struct gcell *base = NULL;

		if (!c->have || c->s.n == 0)
			continue;
		for (size_t k = 0; k < g->n; k++) {
			const struct gcell *b = &g->cells[k];

			if (!b->have || b->s.n == 0)
				continue;
			if ((b->arrival == NULL) != (c->arrival == NULL) ||
			    (b->arrival && strcmp(b->arrival, c->arrival) != 0))
				continue;
			if ((b->compute == NULL) != (c->compute == NULL) ||
			    (b->compute && strcmp(b->compute, c->compute) != 0))
				continue;
			if (base == NULL || (!isnan(b->rate) && b->rate < base->rate))
				base = b;
		}
		if (isnan(c->rate))
			base = c;
		c->slowdown = base && base->s.mean > 0 ? c->s.mean / base->s.mean : NAN;
	}
}

/* v with the given decimals (-1: shortest, %.9g), nothing when NAN. */
static void put(FILE *f, double v, int decimals)
{
	if (isnan(v))
		return;
	if (decimals < 0)
		fprintf(f, "%.9g", v);
	else
		fprintf(f, "%.*f", decimals, v);
}

static int write_csv(const char *out, const struct grid *g, struct err *e)
{
	char path[1100];
	FILE *f;
	int bad;

	snprintf(path, sizeof path, "%s/grid.csv", out);
	f = fopen(path, "w");
	if (f == NULL)
		return err_set(e, "%s: %s", path, strerror(errno));
	fprintf(f, "cell,dir,series,rate,arrival,compute,compute_us,rate_index,compute_index,exit_status,"
		   "requests,ok,failures,success_rate,mean_us,p50_us,p99_us,max_us,achieved_rate,slowdown\n");
	for (size_t i = 0; i < g->n; i++) {
		const struct gcell *c = &g->cells[i];
		const struct summary *s = &c->s;

		fprintf(f, "%zu,%s,%s,", i, c->dir, c->series);
		put(f, c->rate, -1);
		fprintf(f, ",%s,%s,", c->arrival ? c->arrival : "", c->compute ? c->compute : "");
		put(f, c->compute_us, -1);
		fprintf(f, ",%d,%d,", c->ri, c->ci);
		if (c->exit_status >= 0)
			fprintf(f, "%d", c->exit_status);
		if (!c->have) {
			fprintf(f, ",,,,,,,,,,\n");
			continue;
		}
		fprintf(f, ",%zu,%zu,%zu,", s->requests, s->count[REC_OK], s->failures);
		put(f, s->requests ? (double)s->count[REC_OK] / s->requests : NAN, 6);
		fputc(',', f);
		put(f, s->n ? s->mean : NAN, 3);
		fputc(',', f);
		put(f, summary_pct(s, 50), 3);
		fputc(',', f);
		put(f, summary_pct(s, 99), 3);
		fputc(',', f);
		put(f, summary_pct(s, 100), 3);
		fputc(',', f);
		put(f, empty(c) ? NAN : s->achieved_rate, 3);
		fputc(',', f);
		put(f, c->slowdown, 4);
		fputc('\n', f);
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return err_set(e, "%s: write error", path);
	return 0;
}

static int write_txt(const char *out, const char *dir, const struct grid *g, double warmup,
		     struct err *e)
{
	char path[1100];
	FILE *f;
	int bad;

	snprintf(path, sizeof path, "%s/grid.txt", out);
	f = fopen(path, "w");
	if (f == NULL)
		return err_set(e, "%s: %s", path, strerror(errno));
	fprintf(f, "meshwalk sweep report: %s, sweep %s, seed %s, group %s, %zu cells\nresults: %s\n",
		g->scenario, g->status ? g->status : "?", g->seed ? g->seed : "?", g->group, g->n, dir);
	if (warmup > 0)
		fprintf(f, "warm-up: requests intended in the first %.0f us of each cell are left out\n",
			warmup);
	fprintf(f, "latency: intended send -> reply, microseconds, ok requests only; slowdown: mean / mean\n"
		   "of the lowest-rate cell with the same arrival and compute\n\n");
	fprintf(f, "%4s %-40s %5s %9s %9s %8s %10s %10s %10s %9s\n", "cell", "parameters", "exit",
		"requests", "ok", "success", "mean", "p50", "p99", "slowdown");
	for (size_t i = 0; i < g->n; i++) {
		const struct gcell *c = &g->cells[i];
		char st[16];

		if (c->exit_status < 0)
			snprintf(st, sizeof st, "-");
		else
			snprintf(st, sizeof st, "%d", c->exit_status);
		fprintf(f, "%4zu %-40s %5s", i, c->name, st);
		if (!c->have) {
			fprintf(f, "  (no records of group %s)\n", g->group);
			continue;
		}
		if (empty(c)) {
			fprintf(f, " %9d  (empty: all %zu requests inside the warm-up)\n", 0,
				c->warmed_out);
			continue;
		}
		fprintf(f, " %9zu %9zu %7.2f%%", c->s.requests, c->s.count[REC_OK],
			c->s.requests ? 100.0 * c->s.count[REC_OK] / c->s.requests : 0.0);
		if (c->s.n)
			fprintf(f, " %10.1f %10.1f %10.1f %9.3f\n", c->s.mean, summary_pct(&c->s, 50),
				summary_pct(&c->s, 99), c->slowdown);
		else
			fprintf(f, " %10s %10s %10s %9s\n", "-", "-", "-", "-");
	}
	bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return err_set(e, "%s: write error", path);
	return 0;
}

/* The line plots' x axis: the rate when it has several values, else the
 * compute; 0 when neither does (no line plot). Also names each cell's
 * series after the parameters that are not on the x axis. */
static int x_axis(struct grid *g)
{
	int x = len_of(g->rates) >= 2 ? 4 : len_of(g->computes) >= 2 ? 7 : 0;

	for (size_t i = 0; i < g->n; i++) {
		struct gcell *c = &g->cells[i];
		size_t k = 0;

		c->series[0] = '\0';
		if (x != 4 && !isnan(c->rate))
			k += (size_t)snprintf(c->series + k, sizeof c->series - k, "rate %g ", c->rate);
		if (c->arrival && len_of(g->arrivals))
			k += (size_t)snprintf(c->series + k, sizeof c->series - k, "%s ", c->arrival);
		if (x != 7 && c->compute && k < sizeof c->series)
			k += (size_t)snprintf(c->series + k, sizeof c->series - k, "compute %s ", c->compute);
		if (k == 0)
			snprintf(c->series, sizeof c->series, "%s", g->group);
		else
			c->series[k - 1] = '\0';
	}
	return x;
}

/* The value a grid figure takes in a cell (grid.csv's column), NAN when it
 * has none (no records, empty, or no ok request). */
static double figure(const struct gcell *c, int col)
{
	if (!c->have || c->s.requests == 0)
		return NAN;
	switch (col) {
	case 14:
		return (double)c->s.count[REC_OK] / (double)c->s.requests;
	case 15:
		return c->s.n ? c->s.mean : NAN;
	case 17:
		return summary_pct(&c->s, 99);
	default:
		return c->slowdown;
	}
}

/* A sweep's heatmaps for one arrival process (NULL: the arrival is not
 * swept): success rate, mean and p99 latency per (rate, compute) cell. A
 * map without a single value is not drawn (gnuplot refuses it), and said. */
static int heatmaps(const char *out, const struct grid *g, const char *arr,
		    const char *const *rl, const char *const *cl, char **names, size_t *nnames,
		    struct err *e)
{
	static const struct {
		const char *prefix, *what;
		struct plot_heatmap_fig fig;
	} maps[] = {
		{ "grid-heatmap-success-", "success rate", { 14, "success rate (ok / requests)", true, false, "%.2f" } },
		{ "grid-heatmap-mean-", "mean latency", { 15, "mean latency (µs)", false, true, "%.0f" } },
		{ "grid-heatmap-", "p99 latency", { 17, "p99 latency (µs)", false, true, "%.0f" } },
	};
	const char *label = arr ? arr : "const";
	int rc = 0;

	for (size_t m = 0; rc == 0 && m < sizeof maps / sizeof *maps; m++) {
		bool any = false, any_empty = false;
		char name[96], title[300], cblabel[96];
		struct plot_heatmap_fig fig = maps[m].fig;
		double lo = INFINITY, hi = 0;

		for (size_t i = 0; i < g->n; i++) {
			const struct gcell *c = &g->cells[i];
			double v = figure(c, fig.col);

			if (arr && (c->arrival == NULL || strcmp(c->arrival, arr) != 0))
				continue;
			any |= !isnan(v);
			any_empty |= empty(c);
			if (!isnan(v)) {
				lo = fmin(lo, v);
				hi = fmax(hi, v);
			}
		}
		if (fig.logcb) {
			fig.logcb = plots_log_scale(lo, hi);
			snprintf(cblabel, sizeof cblabel, "%.*s%s)", (int)strlen(fig.cblabel) - 1,
				 fig.cblabel, fig.logcb ? ", log scale" : "");
			fig.cblabel = cblabel;
		}
		snprintf(name, sizeof name, "%s%s", maps[m].prefix, label);
		if (!any) {
			log_msg("warning: %s: no cell of %s arrivals has a %s: plots/%s not drawn",
				g->scenario, label, maps[m].what, name);
			continue;
		}
		snprintf(title, sizeof title, "%s, group %s: %s, %s arrivals", g->scenario, g->group,
			 maps[m].what, label);
		rc = plots_grid_heatmap(out, name, title, label, rl, len_of(g->rates), cl,
					len_of(g->computes), &fig, any_empty, e);
		names[(*nnames)++] = xstrdup(name);
	}
	return rc;
}

/* Draws the grid's plots; their names are appended to names (allocated,
 * the caller frees them). A series (or a whole figure) without a value is
 * left out: an empty cell has none, and gnuplot refuses a plot element
 * without a single point. */
static int do_plots(const char *out, struct grid *g, int x, char **names, size_t *nnames,
		    struct err *e)
{
	static const struct {
		const char *name, *ylabel;
		int col;
		bool logy;
	} figs[] = {
		{ "grid-success", "success rate (ok / requests)", 14, false },
		{ "grid-mean", "mean latency (µs)", 15, true },
		{ "grid-p99", "p99 latency (µs)", 17, true },
		{ "grid-slowdown", "slowdown (mean / mean at the lowest rate)", 20, false },
	};
	const char **series = xcalloc(g->n, sizeof *series);
	double lo = INFINITY, hi = 0;
	int rc = 0;

	for (size_t i = 0; i < g->n; i++) {
		if (x == 4 && !isnan(g->cells[i].rate)) {
			lo = fmin(lo, g->cells[i].rate);
			hi = fmax(hi, g->cells[i].rate);
		}
		if (x == 7 && !isnan(g->cells[i].compute_us)) {
			lo = fmin(lo, g->cells[i].compute_us);
			hi = fmax(hi, g->cells[i].compute_us);
		}
	}
	for (size_t f = 0; x && rc == 0 && f < sizeof figs / sizeof *figs; f++) {
		char title[300];
		double ylo = INFINITY, yhi = 0;
		size_t ns = 0;

		for (size_t i = 0; i < g->n; i++) {
			const struct gcell *c = &g->cells[i];
			double v = figure(c, figs[f].col);
			size_t k;

			if (isnan(v))
				continue;
			ylo = fmin(ylo, v);
			yhi = fmax(yhi, v);
			for (k = 0; k < ns && strcmp(series[k], c->series) != 0; k++)
				;
			if (k == ns)
				series[ns++] = c->series;
		}
		if (ns == 0) {
			log_msg("warning: %s: no cell has a %s: plots/%s not drawn", g->scenario,
				figs[f].ylabel, figs[f].name);
			continue;
		}
		snprintf(title, sizeof title, "%s, group %s: %s", g->scenario, g->group, figs[f].ylabel);
		rc = plots_grid_lines(out, figs[f].name, title, x,
				      x == 4 ? "rate per client thread (requests/s)" : "compute per request (µs)",
				      plots_log_scale(lo, hi), figs[f].col, figs[f].ylabel,
				      figs[f].logy && plots_log_scale(ylo, yhi), f == 0 ? 1.05 : NAN, series,
				      ns, e);
		names[(*nnames)++] = xstrdup(figs[f].name);
	}
	/* Heatmaps need both numeric dimensions. */
	if (rc == 0 && len_of(g->rates) >= 2 && len_of(g->computes) >= 2) {
		size_t nr = len_of(g->rates), nc = len_of(g->computes), na = len_of(g->arrivals);
		char **rl = xcalloc(nr, sizeof *rl);
		const char **cl = xcalloc(nc, sizeof *cl);

		for (size_t i = 0; i < nr; i++)
			if (asprintf(&rl[i], "%g", jsonin_num(jsonin_at(g->rates, i))) < 0)
				abort();
		for (size_t i = 0; i < nc; i++)
			cl[i] = jsonin_str(jsonin_at(g->computes, i)) ?: "?";
		for (size_t a = 0; rc == 0 && a < (na ? na : 1); a++) {
			const char *arr = na ? jsonin_str(jsonin_at(g->arrivals, a)) : NULL;

			if (na && arr == NULL)
				continue;
			rc = heatmaps(out, g, arr, (const char *const *)rl, cl, names, nnames, e);
		}
		for (size_t i = 0; i < nr; i++)
			free(rl[i]);
		free(rl);
		free(cl);
	}
	free(series);
	return rc;
}

static int write_html(const char *out, const char *dir, const struct grid *g, double warmup,
		      const char *const *plots, size_t nplots, struct err *e)
{
	char path[1100];
	FILE *f;
	int bad;

	snprintf(path, sizeof path, "%s/index.html", out);
	f = fopen(path, "w");
	if (f == NULL)
		return err_set(e, "%s: %s", path, strerror(errno));
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<title>meshwalk sweep report: ");
	html_escape(f, g->scenario);
	fprintf(f, "</title>\n<style>\nbody{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;"
		   "margin:2em auto;max-width:1100px;padding:0 1em;color:#222}\n"
		   "table{border-collapse:collapse}th,td{padding:.2em .6em;border:1px solid #ddd;"
		   "text-align:right}th{text-align:left}\n"
		   "figure svg{max-width:100%%;height:auto;border:1px solid #eee}.note{color:#555}\n"
		   "</style>\n</head>\n<body>\n<h1>meshwalk sweep report: ");
	html_escape(f, g->scenario);
	fprintf(f, "</h1>\n<p>Sweep of client group <b>");
	html_escape(f, g->group);
	fprintf(f, "</b>, %zu cells, status %s, seed %s; results in <code>", g->n,
		g->status ? g->status : "?", g->seed ? g->seed : "?");
	html_escape(f, dir);
	fprintf(f, "</code>.");
	if (warmup > 0)
		fprintf(f, " The first %.0f us of each cell are left out (warm-up).", warmup);
	fprintf(f, " Report by meshwalk %s.</p>\n", MESHWALK_VERSION);
	fprintf(f, "<table id=\"grid\">\n<tr><th>cell</th><th>parameters</th><th>exit</th>"
		   "<th>requests</th><th>ok</th><th>success</th><th>mean</th><th>p50</th><th>p99</th>"
		   "<th>slowdown</th></tr>\n");
	for (size_t i = 0; i < g->n; i++) {
		const struct gcell *c = &g->cells[i];

		fprintf(f, "<tr><td>%zu</td><th><a href=\"", i);
		html_escape(f, c->dir);
		fprintf(f, "/index.html\">");
		html_escape(f, c->name);
		fprintf(f, "</a></th><td>");
		if (c->exit_status >= 0)
			fprintf(f, "%d", c->exit_status);
		fprintf(f, "</td>");
		if (!c->have) {
			fprintf(f, "<td colspan=\"7\">no records</td></tr>\n");
			continue;
		}
		if (empty(c)) {
			fprintf(f, "<td>0</td><td colspan=\"6\">empty: all %zu requests inside the "
				   "warm-up</td></tr>\n", c->warmed_out);
			continue;
		}
		fprintf(f, "<td>%zu</td><td>%zu</td><td>%.2f%%</td>", c->s.requests, c->s.count[REC_OK],
			c->s.requests ? 100.0 * c->s.count[REC_OK] / c->s.requests : 0.0);
		if (c->s.n)
			fprintf(f, "<td>%.1f</td><td>%.1f</td><td>%.1f</td><td>%.3f</td></tr>\n", c->s.mean,
				summary_pct(&c->s, 50), summary_pct(&c->s, 99), c->slowdown);
		else
			fprintf(f, "<td>-</td><td>-</td><td>-</td><td>-</td></tr>\n");
	}
	fprintf(f, "</table>\n<p class=\"note\">Latency in microseconds from the intended send time "
		   "to the reply, ok requests only. Slowdown: a cell's mean latency over the mean of "
		   "the lowest-rate cell with the same arrival and compute. Each cell's own report is "
		   "linked from its parameters.</p>\n");
	for (size_t i = 0; i < nplots; i++) {
		char svg[1200], prefix[32];

		snprintf(svg, sizeof svg, "%s/plots/%s.svg", out, plots[i]);
		snprintf(prefix, sizeof prefix, "g%zu-", i);
		fprintf(f, "<figure id=\"plot-%s\">\n", plots[i]);
		if (html_inline_svg(f, svg, prefix) < 0)
			fprintf(f, "<p class=\"note\">(no plot: plots/%s.svg was not made)</p>", plots[i]);
		fprintf(f, "\n</figure>\n");
	}
	fprintf(f, "<p>Tables: <a href=\"grid.csv\">grid.csv</a>, <a href=\"grid.txt\">grid.txt</a> "
		   "(docs/report.md).</p>\n</body>\n</html>\n");
	bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return err_set(e, "%s: write error", path);
	return 0;
}

int grid_report(const char *dir, const struct grid_opts *o, struct err *e)
{
	struct grid g;
	char **plots = NULL;
	size_t nplots = 0;
	double warmup;
	char pd[1100];
	int rc, x = 0;

	rc = load_grid(dir, &g, e);
	warmup = o->warmup_us >= 0 ? o->warmup_us : g.warmup_us;
	if (rc == 0)
		rc = file_mkdir(o->out_dir, e);
	for (size_t i = 0; rc == 0 && i < g.n; i++)
		rc = do_cell(dir, &g, &g.cells[i], o, e);
	for (size_t i = 0; rc == 0 && i < g.n; i++)
		if (empty(&g.cells[i]))
			log_msg("warning: cell %zu (%s): no request of group %s after the %.0f us "
				"warm-up (all %zu inside it): the cell is empty", i, g.cells[i].name,
				g.group, warmup, g.cells[i].warmed_out);
	if (rc == 0) {
		slowdowns(&g);
		x = x_axis(&g);
	}
	if (rc == 0)
		rc = write_csv(o->out_dir, &g, e);
	if (rc == 0)
		rc = write_txt(o->out_dir, dir, &g, warmup, e);
	snprintf(pd, sizeof pd, "%s/plots", o->out_dir);
	plots = xcalloc(4 + 3 * (len_of(g.arrivals) + 1), sizeof *plots);
	if (rc == 0 && o->plots) {
		rc = file_mkdir(pd, e);
		if (rc == 0)
			rc = do_plots(o->out_dir, &g, x, plots, &nplots, e);
	}
	if (rc == 0)
		rc = write_html(o->out_dir, dir, &g, warmup, (const char *const *)plots, nplots, e);
	for (size_t i = 0; i < nplots; i++)
		free(plots[i]);
	free(plots);
	free_grid(&g);
	return rc;
}
