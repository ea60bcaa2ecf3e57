/* html.c -- see html.h. */
#include "report/html.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "report/traceview.h"
#include "util/file.h"
#include "util/version.h"
#include "util/xalloc.h"

void html_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* Whether id (len bytes) is among the n ids already seen; adds it if not. */
static bool seen_before(char ***seen, size_t *n, const char *id, size_t len)
{
	for (size_t i = 0; i < *n; i++)
		if (strlen((*seen)[i]) == len && memcmp((*seen)[i], id, len) == 0)
			return true;
	*seen = xrealloc(*seen, (*n + 1) * sizeof **seen);
	(*seen)[*n] = xmalloc(len + 1);
	memcpy((*seen)[*n], id, len);
	(*seen)[(*n)++][len] = '\0';
	return false;
}

int html_inline_svg(FILE *f, const char *path, const char *prefix)
{
	/* The attribute openings that name or refer to an id in gnuplot's SVG
	 * (id='gpPt0', xlink:href='#gpPt0', url(#gpPattern1)); each is followed
	 * by the id, which gets the prefix. The first two define an id. */
	static const char *const pat[] = { "id='", "id=\"", "href='#", "href=\"#", "url(#" };
	char *svg = file_read_all(path, NULL), *p, **seen = NULL;
	size_t nseen = 0, dups = 0;

	if (svg == NULL)
		return -errno ? -errno : -EIO;
	p = strstr(svg, "<svg");
	if (p == NULL) {
		free(svg);
		return -EINVAL;
	}
	while (*p) {
		size_t best = 0, which = 0;
		const char *hit = NULL;

		for (size_t i = 0; i < sizeof pat / sizeof *pat; i++) {
			char *q = strstr(p, pat[i]);

			if (q && (hit == NULL || q < hit)) {
				hit = q;
				best = strlen(pat[i]);
				which = i;
			}
		}
		if (hit == NULL) {
			fputs(p, f);
			break;
		}
		fwrite(p, 1, (size_t)(hit - p) + best, f);
		fputs(prefix, f);
		p = (char *)hit + best;
		/* gnuplot gives each plot's group the same id in the graph and in
		 * the key (id="gnuplot_plot_1" twice): a later copy gets a suffix,
		 * so the page holds every id once; references keep meaning the
		 * first, as a browser would resolve them. */
		if (which < 2) {
			size_t len = strcspn(p, which == 0 ? "'" : "\"");

			fwrite(p, 1, len, f);
			if (seen_before(&seen, &nseen, p, len))
				fprintf(f, "-dup%zu", ++dups);
			p += len;
		}
	}
	for (size_t i = 0; i < nseen; i++)
		free(seen[i]);
	free(seen);
	free(svg);
	return 0;
}

static void meta_row(FILE *f, const char *key, const char *val)
{
	if (val == NULL || *val == '\0')
		return;
	fprintf(f, "<tr><th>");
	html_escape(f, key);
	fprintf(f, "</th><td>");
	html_escape(f, val);
	fprintf(f, "</td></tr>\n");
}

static void cell(FILE *f, double v, int decimals)
{
	if (isnan(v))
		fprintf(f, "<td>-</td>");
	else
		fprintf(f, "<td>%.*f</td>", decimals, v);
}

static void summary_table(FILE *f, const struct summary *rows, size_t nrows)
{
	fprintf(f, "<table class=\"num\" id=\"summary\">\n<thead><tr><th>group</th><th>requests</th>"
		   "<th>ok</th><th>failures</th><th>mean</th>");
	for (int k = 0; k < SUMMARY_NPCT; k++)
		fprintf(f, "<th>%s</th>", summary_pct_names[k]);
	fprintf(f, "<th>max</th><th>target req/s</th><th>achieved req/s</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < nrows; i++) {
		const struct summary *s = &rows[i];

		fprintf(f, "<tr><th>");
		html_escape(f, s->name);
		fprintf(f, "</th><td>%zu</td><td>%zu</td><td%s>%zu</td>", s->requests, s->count[REC_OK],
			s->failures ? " class=\"bad\"" : "", s->failures);
		cell(f, s->n ? s->mean : NAN, 1);
		for (int k = 0; k < SUMMARY_NPCT; k++)
			cell(f, summary_pct(s, summary_pcts[k]), 1);
		cell(f, summary_pct(s, 100), 1);
		cell(f, s->target_rate, 1);
		cell(f, s->achieved_rate, 1);
		fprintf(f, "</tr>\n");
	}
	fprintf(f, "</tbody></table>\n<p class=\"note\">Latency in microseconds from each request's "
		   "intended send time to its reply, ok requests only; exact nearest-rank percentiles "
		   "from the per-request records. Failures (error replies, timeouts, lost and unsent "
		   "requests) are counted, never shown as latencies.</p>\n");
}

static const char style[] =
	"body{font-family:'DejaVu Sans',Helvetica,Arial,sans-serif;margin:2em auto;max-width:1000px;"
	"padding:0 1em;color:#222}\n"
	"h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.25em;margin-top:1.6em;"
	"border-bottom:1px solid #ccc}\n"
	"table{border-collapse:collapse;margin:.5em 0}th,td{padding:.2em .6em;border:1px solid #ddd;"
	"text-align:left;vertical-align:top}\n"
	"table.num td{text-align:right;font-variant-numeric:tabular-nums}td.bad{color:#b00;"
	"font-weight:bold}\n"
	"figure{margin:1em 0}figure svg{max-width:100%;height:auto;border:1px solid #eee}\n"
	"figcaption,.note{color:#555;font-size:.9em}pre{background:#f6f6f6;padding:.6em;"
	"overflow-x:auto;font-size:.85em}\n";

/* index.html opened, its head and title written. */
static FILE *page_open(const char *path, const char *title, struct err *e)
{
	FILE *f = fopen(path, "w");

	if (f == NULL) {
		err_set(e, "%s: %s", path, strerror(errno));
		return NULL;
	}
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		   "<meta name=\"generator\" content=\"meshwalk %s\">\n<title>meshwalk report: ",
		MESHWALK_VERSION);
	html_escape(f, title);
	fprintf(f, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>meshwalk report: ", style);
	html_escape(f, title);
	fprintf(f, "</h1>\n");
	return f;
}

static int page_close(FILE *f, const char *path, struct err *e)
{
	int bad;

	fprintf(f, "</body>\n</html>\n");
	bad = ferror(f);
	if (fclose(f) != 0 || bad)
		return err_set(e, "%s: write error", path);
	return 0;
}

int html_write_traces(const char *dir, const struct traceset *ts, struct err *e)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/index.html", dir);
	if ((f = page_open(path, ts->path, e)) == NULL)
		return -EINVAL;
	traceview_html(f, ts);
	fprintf(f, "<h2 id=\"files\">Tables</h2>\n<p>In this directory: <a href=\"trace-exemplars.csv\">"
		   "trace-exemplars.csv</a>, <a href=\"critical-path.csv\">critical-path.csv</a> "
		   "(docs/report.md explains every column).</p>\n");
	return page_close(f, path, e);
}

int html_write(const char *dir, const struct results *r, const struct summary *rows, size_t nrows,
	       const struct html_plot *plots, size_t nplots, double warmup_us,
	       const struct traceset *ts, struct err *e)
{
	const struct jsonin *run = r->run, *host = jsonin_get(run, "host");
	const char *scen = jsonin_str(jsonin_get(run, "scenario"));
	char path[1024], buf[128];
	FILE *f;

	snprintf(path, sizeof path, "%s/index.html", dir);
	f = page_open(path, scen ? scen : r->label, e);
	if (f == NULL)
		return -EINVAL;

	fprintf(f, "<h2 id=\"run\">Run</h2>\n<table class=\"meta\" id=\"meta\">\n");
	meta_row(f, "scenario", scen);
	meta_row(f, "scenario file", jsonin_str(jsonin_get(run, "scenario_file")));
	meta_row(f, "results", r->path);
	meta_row(f, "status", jsonin_str(jsonin_get(run, "status")));
	meta_row(f, "failure", jsonin_str(jsonin_get(run, "failure")));
	meta_row(f, "seed", jsonin_text(jsonin_get(run, "seed")));
	meta_row(f, "meshwalk version (run)", jsonin_str(jsonin_get(run, "meshwalk_version")));
	meta_row(f, "started (UTC)", jsonin_str(jsonin_get(run, "started")));
	meta_row(f, "ended (UTC)", jsonin_str(jsonin_get(run, "ended")));
	meta_row(f, "host", jsonin_str(jsonin_get(host, "hostname")));
	meta_row(f, "CPU", jsonin_str(jsonin_get(host, "cpu_model")));
	meta_row(f, "online CPUs", jsonin_text(jsonin_get(host, "cpus")));
	meta_row(f, "kernel", jsonin_str(jsonin_get(host, "kernel")));
	{
		const struct jsonin *ov = jsonin_get(run, "overrides");

		for (size_t i = 0; jsonin_at(ov, i); i++)
			meta_row(f, "override (--set)", jsonin_str(jsonin_at(ov, i)));
	}
	for (size_t i = 0; i < r->ngroups; i++) {
		if (r->groups[i].program == NULL)
			continue;
		snprintf(buf, sizeof buf, "program of %s", r->groups[i].name);
		meta_row(f, buf, r->groups[i].program);
	}
	if (warmup_us > 0) {
		snprintf(buf, sizeof buf, "first %.0f us of each group left out", warmup_us);
		meta_row(f, "warm-up", buf);
	}
	meta_row(f, "report by", "meshwalk " MESHWALK_VERSION);
	fprintf(f, "</table>\n");

	fprintf(f, "<h2 id=\"summary-h\">Summary</h2>\n");
	summary_table(f, rows, nrows);

	fprintf(f, "<h2 id=\"plots\">Plots</h2>\n");
	for (size_t i = 0; i < nplots; i++) {
		char svg[1100], prefix[64];

		snprintf(svg, sizeof svg, "%s/plots/%s.svg", dir, plots[i].name);
		snprintf(prefix, sizeof prefix, "p%zu-", i);
		fprintf(f, "<figure id=\"plot-%s\">\n<h3>", plots[i].name);
		html_escape(f, plots[i].heading);
		fprintf(f, "</h3>\n");
		if (html_inline_svg(f, svg, prefix) < 0)
			fprintf(f, "<p class=\"note\">(no plot: plots/%s.svg was not made; gnuplot "
				   "draws it when the report runs without --no-plots)</p>",
				plots[i].name);
		fprintf(f, "\n<figcaption>");
		html_escape(f, plots[i].caption);
		fprintf(f, " Files: <a href=\"plots/%s.svg\">SVG</a>, <a href=\"plots/%s.png\">PNG</a>, "
			   "<a href=\"plots/%s.gp\">gnuplot script</a>.</figcaption>\n</figure>\n",
			plots[i].name, plots[i].name, plots[i].name);
	}

	if (ts)
		traceview_html(f, ts);

	if (r->commands) {
		fprintf(f, "<h2 id=\"commands\">Command lines</h2>\n<pre>");
		html_escape(f, r->commands);
		fprintf(f, "</pre>\n");
	}
	if (r->scenario_yaml) {
		fprintf(f, "<h2 id=\"scenario\">Scenario file</h2>\n<pre>");
		html_escape(f, r->scenario_yaml);
		fprintf(f, "</pre>\n");
	}
	fprintf(f, "<h2 id=\"files\">Tables</h2>\n<p>In this directory: <a href=\"summary.txt\">"
		   "summary.txt</a>, <a href=\"summary.csv\">summary.csv</a>, <a href=\"summary.json\">"
		   "summary.json</a>, <a href=\"quantiles.csv\">quantiles.csv</a>, <a href=\"boxplot.csv\">"
		   "boxplot.csv</a>, <a href=\"timeline.csv\">timeline.csv</a>%s "
		   "(docs/report.md explains every column).</p>\n",
		ts ? ", <a href=\"trace-exemplars.csv\">trace-exemplars.csv</a>, "
		     "<a href=\"critical-path.csv\">critical-path.csv</a>" : "");
	return page_close(f, path, e);
}
