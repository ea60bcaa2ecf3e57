/* plots.c -- see plots.h. */
#include "report/plots.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/gnuplot.h"

/* Colours that stay apart for colour-blind readers (Okabe-Ito); "all"
 * groups is drawn in black. */
static const char *const colours[] = { "#0072b2", "#d55e00", "#009e73", "#cc79a7",
				       "#e69f00", "#56b4e9", "#f0e442" };
#define NCOLOURS (sizeof colours / sizeof *colours)

static const char *colour(const struct plot_series *s, size_t i)
{
	return strcmp(s->group, "all") == 0 ? "#000000" : colours[i % NCOLOURS];
}

bool plots_log_scale(double lo, double hi)
{
	return lo > 0 && hi / lo >= 10;
}

static FILE *open_script(const char *dir, const char *name, struct err *e)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/plots/%s.gp", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		err_set(e, "%s: %s", path, strerror(errno));
	return f;
}

static int close_and_run(FILE *f, const char *dir, const char *name, struct err *e)
{
	int bad = ferror(f);

	if (fclose(f) != 0 || bad)
		return err_set(e, "%s/plots/%s.gp: write error", dir, name);
	return gnuplot_run(dir, name, e);
}

/* The using-clause's x selector for one group: the column when the row's
 * group matches, else NaN (so gnuplot skips the row). */
static void pick(FILE *f, const char *group, const char *expr)
{
	fprintf(f, "(strcol(1) eq ");
	gnuplot_quote(f, group);
	fprintf(f, " ? %s : NaN)", expr);
}

/* The plot command's lines, one per series of table: x is picked for the
 * series' group (pick()), y as given; the "all" series dashed. */
static void series_lines(FILE *f, const char *table, const struct plot_series *s, size_t n,
			 const char *x, const char *y)
{
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s'%s' skip 1 using ", i ? ", \\\n     " : "", table);
		pick(f, s[i].group, x);
		fprintf(f, ":%s with lines lw 2 lc rgb '%s'%s title ", y, colour(&s[i], i),
			strcmp(s[i].group, "all") == 0 ? " dt 2" : "");
		gnuplot_quote(f, s[i].label);
	}
	fprintf(f, "\n");
}

int plots_cdf(const char *dir, const char *name, const char *title, const char *table,
	      const struct plot_series *s, size_t n, double mark_us, struct err *e)
{
	FILE *f = open_script(dir, name, e);

	if (f == NULL)
		return -EINVAL;
	gnuplot_start(f, name, title);
	/* A log axis only when the latencies span a decade (plots_log_scale()'s
	 * rule, decided by gnuplot from the table itself): within one, its only
	 * labels would be the decades around the data (10000 and 100000 for a
	 * 20-41 ms run), with the curve squeezed between them. */
	fprintf(f, "stats '%s' skip 1 using 3 nooutput\n"
		   "if (STATS_min > 0 && STATS_max / STATS_min >= 10) {\n"
		   "  set logscale x 10\n"
		   /* Over fewer than three decades, 2 and 5 of each decade are
		    * labelled too: two or three decade labels alone say little. */
		   "  if (STATS_max / STATS_min < 1000) {\n"
		   "    do for [k = floor(log10(STATS_min)) : ceil(log10(STATS_max))] {\n"
		   "      set xtics add (sprintf('%%.0f', 2 * 10**k) 2 * 10**k, "
		   "sprintf('%%.0f', 5 * 10**k) 5 * 10**k)\n"
		   "    }\n"
		   "  }\n"
		   "  set xlabel 'latency, intended send to reply (µs, log scale)'\n"
		   "} else {\n"
		   "  set xlabel 'latency, intended send to reply (µs)'\n"
		   "}\n",
		table);
	fprintf(f, "set format x '%%.0f'\n"
		   "set ylabel 'fraction of requests with latency <= x'\n"
		   "set yrange [0:1]\n"
		   "set ytics 0.1\n"
		   "set key bottom right\n");
	if (!isnan(mark_us) && mark_us > 0)
		fprintf(f, "set arrow from %.3f, graph 0 to %.3f, graph 1 nohead dt 3 lw 1.5 lc rgb '#555555'\n"
			   "set label 'largest gap' at %.3f, graph 0.97 offset 0.5,0 font ',10'\n",
			mark_us, mark_us, mark_us);
	fprintf(f, "plot ");
	series_lines(f, table, s, n, "$3", "($2/100)");
	gnuplot_finish(f, name);
	return close_and_run(f, dir, name, e);
}

int plots_spectrum(const char *dir, const char *name, const char *title, const char *table,
		   const struct plot_series *s, size_t n, size_t max_n, bool logy, struct err *e)
{
	/* Tick labels are gnuplot format strings, hence %%. */
	static const char *const tick[] = { "0%%", "50%%", "90%%", "99%%", "99.9%%", "99.99%%",
					    "99.999%%", "99.9999%%", "99.99999%%" };
	FILE *f = open_script(dir, name, e);
	double x = 1;

	if (f == NULL)
		return -EINVAL;
	gnuplot_start(f, name, title);
	/* 1/(1-p): 1 at 0 %, 2 at 50 %, 10 at 90 %, then one decade per nine. */
	fprintf(f, "set logscale x 10\nset xtics (");
	for (size_t i = 0; i < sizeof tick / sizeof *tick && x <= (max_n > 2 ? max_n : 2); i++) {
		fprintf(f, "%s'%s' %g", i ? ", " : "", tick[i], x);
		x = i == 0 ? 2 : i == 1 ? 10 : x * 10;
	}
	fprintf(f, ")\n"
		   "set xrange [1:%g]\n"
		   "set xlabel 'percentile (axis: 1/(1-p), log scale)'\n"
		   "set ylabel 'latency, intended send to reply (µs%s)'\n"
		   "%s"
		   "set key top left\n"
		   "plot ",
		   (double)(max_n > 2 ? max_n : 2), logy ? ", log scale" : "",
		   logy ? "set logscale y 10\nset format y '%.0f'\n" : "set yrange [0:*]\n");
	series_lines(f, table, s, n, "($2 < 100 ? 1/(1-$2/100) : NaN)", "3");
	gnuplot_finish(f, name);
	return close_and_run(f, dir, name, e);
}

int plots_timeline(const char *dir, const char *name, const char *title, const char *group,
		   bool latency, bool achieved, bool logy, struct err *e)
{
	/* Without a single ok request the latency axis would have no point,
	 * which gnuplot refuses; the rates then take the left axis alone. */
	const char *raxes = latency ? "axes x1y2 " : "";
	FILE *f = open_script(dir, name, e);

	if (f == NULL)
		return -EINVAL;
	gnuplot_start(f, name, title);
	fprintf(f, "set xlabel 'intended send time since the group started (s)'\n"
		   "set key outside top center horizontal samplen 2\n");
	if (latency)
		fprintf(f, "set ylabel 'latency per time bin (µs%s)'\n"
			   "set y2label 'rate (requests/s)'\n"
			   "set ytics nomirror\n"
			   "set y2tics\n"
			   "set y2range [0:*]\n"
			   "%s",
			logy ? ", log scale" : "",
			logy ? "set logscale y 10\nset format y '%.0f'\n" : "set yrange [0:*]\n");
	else
		fprintf(f, "set ylabel 'rate (requests/s); no request succeeded'\n"
			   "set yrange [0:*]\n");
	/* Rates first, so the latencies are drawn over them; the target wide
	 * and light, so the achieved rate on top of it stays visible where the
	 * two coincide (the usual case). */
	fprintf(f, "plot 'timeline.csv' skip 1 using ");
	pick(f, group, "$2");
	fprintf(f, ":7 %swith lines lw 5 lc rgb '#a8dcc4' title 'target rate (schedule)'", raxes);
	if (achieved) {
		fprintf(f, ", \\\n     '' skip 1 using ");
		pick(f, group, "$2");
		fprintf(f, ":8 %swith lines lw 1.5 lc rgb '#000000' title 'achieved rate (sent)'", raxes);
	}
	if (latency) {
		fprintf(f, ", \\\n     '' skip 1 using ");
		pick(f, group, "$2");
		fprintf(f, ":11 with points pt 1 ps 0.8 lc rgb '#777777' title 'max latency'");
		fprintf(f, ", \\\n     '' skip 1 using ");
		pick(f, group, "$2");
		fprintf(f, ":($12 > 0 ? NaN : $10) with linespoints pt 7 ps 0.4 lw 2 lc rgb '#d55e00' "
			   "title 'p99 latency'");
		/* Bins with under 100 ok requests: their p99 is hardly more than
		 * their maximum; drawn apart, and said so in the key. */
		fprintf(f, ", \\\n     '' skip 1 using ");
		pick(f, group, "$2");
		fprintf(f, ":($12 > 0 ? $10 : NaN) with points pt 6 ps 0.8 lc rgb '#d55e00' "
			   "title 'p99 of a bin under 100 ok requests (not a tail estimate)'");
		fprintf(f, ", \\\n     '' skip 1 using ");
		pick(f, group, "$2");
		fprintf(f, ":9 with linespoints pt 7 ps 0.4 lw 2 lc rgb '#0072b2' title 'p50 latency'");
	}
	fprintf(f, "\n");
	gnuplot_finish(f, name);
	return close_and_run(f, dir, name, e);
}

int plots_boxplot(const char *dir, const char *name, const char *title, const struct summary *rows,
		  size_t nrows, bool logy, struct err *e)
{
	FILE *f = open_script(dir, name, e);

	if (f == NULL)
		return -EINVAL;
	gnuplot_start(f, name, title);
	fprintf(f, "set xtics (");
	for (size_t i = 0; i < nrows; i++) {
		fprintf(f, "%s", i ? ", " : "");
		gnuplot_quote(f, rows[i].name);
		fprintf(f, " %zu", i);
	}
	fprintf(f, ")\n"
		   "set xrange [-0.7:%g]\n"
		   "set xlabel 'client group'\n"
		   "set ylabel 'latency, intended send to reply (µs%s)'\n"
		   "%s"
		   "set grid noxtics\n"
		   "set boxwidth 0.4\n"
		   "set style fill solid 0.3 border -1\n"
		   "set key outside right top vertical\n"
		   /* candlesticks take x:box_min:whisker_min:whisker_max:box_max */
		   "plot 'boxplot.csv' skip 1 using 1:5:4:8:7 with candlesticks whiskerbars 0.6 lw 1.5 "
		   "lc rgb '#0072b2' title 'p25-p75, whiskers p1-p99', \\\n"
		   "     '' skip 1 using 1:6:6:6:6 with candlesticks lw 3 lc rgb '#000000' title 'median', \\\n"
		   "     '' skip 1 using 1:10 with points pt 7 ps 1.3 lc rgb '#d55e00' title 'mean', \\\n"
		   "     '' skip 1 using 1:9 with points pt 2 ps 1 lc rgb '#666666' title 'max'\n",
		(double)nrows - 0.3, logy ? ", log scale" : "",
		logy ? "set logscale y 10\nset format y '%.0f'\n" : "set yrange [0:*]\n");
	gnuplot_finish(f, name);
	return close_and_run(f, dir, name, e);
}

int plots_grid_lines(const char *dir, const char *name, const char *title, int xcol,
		     const char *xlabel, bool logx, int ycol, const char *ylabel, bool logy,
		     double ymax, const char *const *series, size_t n, struct err *e)
{
	FILE *f = open_script(dir, name, e);

	if (f == NULL)
		return -EINVAL;
	gnuplot_start(f, name, title);
	fprintf(f, "set xlabel ");
	gnuplot_quote(f, xlabel);
	fprintf(f, "\nset ylabel ");
	gnuplot_quote(f, ylabel);
	fprintf(f, "\n%s%s"
		   "set key outside right top vertical\n"
		   "set offsets graph 0.03, graph 0.03, 0, 0\n",
		logx ? "set logscale x 10\n" : "",
		logy ? "set logscale y 10\nset format y '%.0f'\n" : "");
	if (!logy && isnan(ymax))
		fprintf(f, "set yrange [0:*]\n");
	else if (!logy)
		fprintf(f, "set yrange [0:%g]\n", ymax);
	fprintf(f, "plot ");
	for (size_t i = 0; i < n; i++) {
		char x[32];

		snprintf(x, sizeof x, "$%d", xcol);
		fprintf(f, "%s'grid.csv' skip 1 using (strcol(3) eq ", i ? ", \\\n     " : "");
		gnuplot_quote(f, series[i]);
		/* smooth unique sorts the points by x: rates may be listed in
		 * any order in the scenario. */
		fprintf(f, " ? %s : NaN):%d smooth unique with linespoints lw 2 pt 7 ps 0.8 lc rgb '%s' title ",
			x, ycol, colours[i % NCOLOURS]);
		gnuplot_quote(f, series[i]);
	}
	fprintf(f, "\n");
	gnuplot_finish(f, name);
	return close_and_run(f, dir, name, e);
}

int plots_grid_heatmap(const char *dir, const char *name, const char *title, const char *arrival,
		       const char *const *rates, size_t nrates, const char *const *computes,
		       size_t ncomputes, const struct plot_heatmap_fig *fig, bool mark_empty,
		       struct err *e)
{
	FILE *f = open_script(dir, name, e);

	if (f == NULL)
		return -EINVAL;
	gnuplot_start(f, name, title);
	fprintf(f, "set xtics (");
	for (size_t i = 0; i < nrates; i++) {
		fprintf(f, "%s", i ? ", " : "");
		gnuplot_quote(f, rates[i]);
		fprintf(f, " %zu", i);
	}
	fprintf(f, ")\nset ytics (");
	for (size_t i = 0; i < ncomputes; i++) {
		fprintf(f, "%s", i ? ", " : "");
		gnuplot_quote(f, computes[i]);
		fprintf(f, " %zu", i);
	}
	fprintf(f, ")\n"
		   "set xrange [-0.5:%g]\n"
		   "set yrange [-0.5:%g]\n"
		   "set grid noxtics noytics nomxtics nomytics\n"
		   "set xlabel 'rate per client thread (requests/s)'\n"
		   "set ylabel 'compute per request'\n"
		   "set cblabel ",
		(double)nrates - 0.5, (double)ncomputes - 0.5);
	gnuplot_quote(f, fig->cblabel);
	if (fig->rate01)
		/* Light where all succeeded, dark red where none did. */
		fprintf(f, "\nset cbrange [0:1]\n"
			   "set cbtics 0.2\n"
			   "set palette defined (0 '#bd0026', 0.5 '#fd8d3c', 1 '#ffffcc')\n");
	else if (fig->logcb)
		fprintf(f, "\nset logscale cb 10\n"
			   "set format cb '%%.0f'\n"
			   "set palette defined (0 '#ffffcc', 1 '#fd8d3c', 2 '#bd0026')\n"
			   "set cbtics (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, "
			   "20000, 50000, 100000, 200000, 500000, 1000000, 2000000, 5000000, 10000000)\n");
	else /* within a decade: a log bar would have no label inside it */
		fprintf(f, "\nset format cb '%%.0f'\n"
			   "set palette defined (0 '#ffffcc', 1 '#fd8d3c', 2 '#bd0026')\n");
	fprintf(f, "unset key\n"
		   "plot 'grid.csv' skip 1 using (strcol(5) eq ");
	gnuplot_quote(f, arrival);
	fprintf(f, " ? $8 : NaN):9:(0.5):(0.5):%d with boxxyerror fs solid 1.0 noborder fc palette notitle, \\\n"
		   "     '' skip 1 using (strcol(5) eq ", fig->col);
	gnuplot_quote(f, arrival);
	fprintf(f, " ? $8 : NaN):9:(sprintf(");
	gnuplot_quote(f, fig->fmt);
	fprintf(f, ", $%d)) with labels notitle", fig->col);
	if (mark_empty) {
		/* (Only when there is such a cell: a plot element without a
		 * single point is what gnuplot refuses.) */
		fprintf(f, ", \\\n     '' skip 1 using (strcol(5) eq ");
		gnuplot_quote(f, arrival);
		fprintf(f, " && strcol(11) eq '0' ? $8 : NaN):9:('empty') with labels tc rgb '#777777' "
			   "notitle");
	}
	fprintf(f, "\n");
	gnuplot_finish(f, name);
	return close_and_run(f, dir, name, e);
}
