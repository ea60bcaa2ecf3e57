/* cmd_report.c -- `meshwalk report RESULTS`: parse options, load the
 * results, write the report (src/report/report.h). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "report/gnuplot.h"
#include "report/grid.h"
#include "report/report.h"
#include "report/results.h"
#include "report/traceset.h"
#include "spec/units.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "results/files.h"

enum {
	O_WARMUP = 256,
	O_BINS,
	O_NO_PLOTS,
	O_TRACES,
	O_TRACE,
};

/* What the parse fills. */
struct report_args {
	struct report_opts o;
	const char *out, *traces;
	struct traceset_pick picks[TRACESET_MAX_PICKS];
	size_t npicks;
	bool quiet, warmup_given;
};

const struct opt_def report_opts[] = {
	{ "output", 'o', OPT_REQUIRED, 'o', "DIR",
	  "Report directory (default RESULTS/report for a results directory, FILE-report beside "
	  "a CSV). Created if missing; an earlier report there is overwritten.",
	  .kind = OPT_K_STR, OPT_AT(struct report_args, out) },
	{ "warmup", 0, OPT_REQUIRED, O_WARMUP, "DURATION",
	  "Leave out the requests each client group intended to send in its first DURATION "
	  "(e.g. 500ms; a bare number is microseconds): start-up transients, cold caches. "
	  "For a sweep it replaces the sweep's own warmup." },
	{ "bins", 0, OPT_REQUIRED, O_BINS, "N",
	  "Time bins of the latency-over-time plots (default: one per 100 requests, 10 to 200).",
	  .kind = OPT_K_UINT, OPT_AT(struct report_args, o.bins), .min = 1, .max = 100000 },
	{ "no-plots", 0, OPT_NONE, O_NO_PLOTS, NULL,
	  "Write the text, tables and index.html only; do not run gnuplot.",
	  .kind = OPT_K_OFF, OPT_AT(struct report_args, o.plots) },
	{ "traces", 0, OPT_REQUIRED, O_TRACES, "FILE",
	  "Trace file for the trace view: meshwalk's own spans or any file meshwalk import reads "
	  "(Jaeger, Zipkin, OTLP JSON, Alibaba CSV; gzip too). Default: RESULTS/" RESULTS_TRACES_OTLP " "
	  "when it exists. With --traces, RESULTS may be left out: a report of the traces alone.",
	  .kind = OPT_K_STR, OPT_AT(struct report_args, traces) },
	{ "trace", 0, OPT_REQUIRED, O_TRACE, "PICK[,PICK...]",
	  "Traces drawn whole in the trace view (repeatable, at most 16): pNN (the trace at that "
	  "percentile of latency, e.g. p50, p99.9), max or slowest, a trace id (hex) or a request id "
	  "(decimal). Default: p50,p99,max." },
	{ "quiet", 'q', OPT_NONE, 'q', NULL, "Do not print the summary.",
	  .kind = OPT_K_FLAG, OPT_AT(struct report_args, quiet) },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit.",
	  .kind = OPT_K_HELP },
	{ 0 },
};

static const char report_usage[] = "meshwalk report [OPTIONS] RESULTS";
static const char report_intro[] =
	"Reads a results directory written by meshwalk run (or one client's per-request CSV)\n"
	"and writes a report (docs/report.md): summary.txt with count, failures, mean and\n"
	"p50/p90/p99/p99.9/max latency per client group and overall; the same as CSV and\n"
	"JSON; plot tables; gnuplot plots as SVG and PNG (latency CDF, percentile spectrum,\n"
	"latency and rate over time, box plots per group); and one self-contained\n"
	"index.html. Prints the summary. For a sweep (a directory with sweep.json) every\n"
	"cell is reported in its own report/, and the sweep's report (grid.txt, grid.csv,\n"
	"success rate, mean, p99 and slowdown across the grid, p99 heatmaps) goes to\n"
	"DIR/report. With traces (--traces, or the run's " RESULTS_TRACES_OTLP "): a trace view\n"
	"(Gantt charts of picked traces with their context, critical path per entry\n"
	"operation). Exit status: 0 on success, 1 when the results cannot be read or a\n"
	"file cannot be written, 2 on a usage error.";

void cmd_report_man(FILE *f)
{
	opt_print_man(f, "meshwalk-report", "plots and tables from the results of a run",
		      report_usage, report_intro, report_opts,
		      ".SH FILES\nThe report directory's files are described in docs/report.md; the "
		      "results it reads in docs/results.md. Plots need gnuplot (Debian package "
		      "gnuplot\\-nox).\n.SH SEE ALSO\nmeshwalk\\-run(1), meshwalk\\-compare(1)\n");
}

/* A load error, with the line of the file when it has one. */
static void log_err(const struct err *e)
{
	if (e->line)
		log_msg("%s (line %d)", e->msg, e->line);
	else
		log_msg("%s", e->msg);
}

/* RESULTS/report for a directory, FILE-without-.csv + "-report" for a file. */
static char *default_out(const struct results *r)
{
	char *out;
	size_t n = strlen(r->path);

	while (n > 1 && r->path[n - 1] == '/')
		n--;
	if (!r->is_csv) {
		if (asprintf(&out, "%.*s/report", (int)n, r->path) < 0)
			abort();
		return out;
	}
	if (n > 4 && strcmp(r->path + n - 4, ".csv") == 0)
		n -= 4;
	if (asprintf(&out, "%.*s-report", (int)n, r->path) < 0)
		abort();
	return out;
}

/* A sweep (sweep.json): every cell reported, and the grid across them. */
static int report_sweep(const char *dir, const char *out, const struct report_opts *ro,
			bool warmup_given, bool quiet)
{
	struct grid_opts o = { .warmup_us = warmup_given ? ro->warmup_us : -1, .bins = ro->bins,
			       .plots = ro->plots };
	char *def = NULL, path[PATH_MAX], *text;
	struct err e;
	int rc = 0;

	if (o.plots && !gnuplot_available()) {
		log_msg("gnuplot not found: install it (apt-get install gnuplot-nox) or use --no-plots");
		return 1;
	}
	if (out == NULL && asprintf(&def, "%s/report", dir) < 0)
		abort();
	o.out_dir = out ? out : def;
	if (grid_report(dir, &o, &e) < 0) {
		log_err(&e);
		rc = 1;
	} else if (!quiet) {
		snprintf(path, sizeof path, "%s/grid.txt", o.out_dir);
		text = results_read_text(path);
		if (text)
			fputs(text, stdout);
		printf("report: %s/index.html\n", o.out_dir);
		free(text);
	}
	free(def);
	return rc;
}

/* --trace's value (comma-separated picks) appended to picks. */
static int add_picks(const char *arg, struct traceset_pick *picks, size_t *n)
{
	char *copy = xstrdup(arg), *save = NULL, *tok;
	struct err e;
	int rc = 0;

	for (tok = strtok_r(copy, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
		if (*n >= TRACESET_MAX_PICKS) {
			log_msg("--trace: at most %d traces", TRACESET_MAX_PICKS);
			rc = 2;
		} else if (traceset_pick_parse(tok, &picks[*n], &e) < 0) {
			log_msg("%s", e.msg);
			rc = 2;
		} else {
			(*n)++;
		}
	}
	if (rc == 0 && tok == NULL && *n == 0) {
		log_msg("--trace: expected pNN, max, slowest, a trace id or a request id");
		rc = 2;
	}
	free(copy);
	return rc;
}

/* The picks given, or the default p50, p99 and slowest. */
static int load_traces(struct traceset *ts, const char *path, struct traceset_pick *picks,
		       size_t npicks)
{
	static const char *const def[] = { "p50", "p99", "max" };
	struct err e;

	for (size_t i = 0; npicks == 0 && i < 3; i++)
		traceset_pick_parse(def[i], &picks[i], &e);
	if (traceset_load(ts, path, NULL, picks, npicks ? npicks : 3, &e) < 0) {
		log_err(&e);
		traceset_free(ts);
		return -1;
	}
	return 0;
}

/* meshwalk report --traces FILE without results: the trace view alone. */
static int report_traces_only(const char *path, const char *out, struct traceset_pick *picks,
			      size_t npicks)
{
	struct traceset ts;
	struct err e;
	char *def = NULL;
	int rc = 0;

	if (load_traces(&ts, path, picks, npicks) < 0)
		return 1;
	if (out == NULL && asprintf(&def, "%s-report", path) < 0)
		abort();
	if (report_write_traces(&ts, out ? out : def, &e) < 0) {
		log_msg("%s", e.msg);
		rc = 1;
	} else {
		printf("%zu traces, %" PRIu64 " spans; report: %s/index.html\n", ts.nrows, ts.spans,
		       out ? out : def);
	}
	traceset_free(&ts);
	free(def);
	return rc;
}

/* The options opt_parse() cannot apply by their row alone. */
static int report_opt(void *cfg, int opt, const char *arg)
{
	struct report_args *a = cfg;

	if (opt == O_TRACE)
		return add_picks(arg, a->picks, &a->npicks);
	/* --warmup: recorded as given, for a sweep's cells */
	a->warmup_given = true;
	return opt_us("--warmup", arg, &a->o.warmup_us) < 0 ? 2 : 0;
}

int cmd_report(int argc, char **argv)
{
	static const struct opt_cmd cmd = { "report", report_opts, report_usage, report_intro,
					    report_opt };
	struct report_args a = { .o = { .plots = true } };
	struct report_opts *o = &a.o;
	struct results r;
	struct err e;
	const char *out, *traces;
	char *def = NULL, *tdef = NULL;
	struct traceset_pick *picks = a.picks;
	struct traceset ts;
	bool have_ts = false;
	int rc;

	log_set_name("meshwalk report");
	rc = opt_parse(&cmd, argc, argv, &a);
	if (rc < 0)
		return 0; /* --help */
	out = a.out;
	traces = a.traces;
	if (rc == 0 && traces && optind == argc)
		return report_traces_only(traces, out, picks, a.npicks);
	if (rc == 0 && optind != argc - 1) {
		log_msg(optind >= argc ? "missing the results directory (see meshwalk report --help)"
				       : "one results directory at a time (see meshwalk report --help)");
		rc = 2;
	}
	if (rc)
		return rc;
	if (grid_is_sweep(argv[optind])) {
		if (traces || a.npicks) {
			log_msg("--traces/--trace: a sweep has no trace view; report one cell's "
				"directory (%s/cell-...) with them", argv[optind]);
			return 2;
		}
		return report_sweep(argv[optind], out, o, a.warmup_given, a.quiet);
	}
	if (results_load(argv[optind], &r, &e) < 0) {
		log_err(&e);
		results_free(&r);
		return 1;
	}
	/* Fail before writing anything when the plots cannot be made. */
	if (o->plots && !gnuplot_available()) {
		log_msg("gnuplot not found: install it (apt-get install gnuplot-nox) or use --no-plots");
		results_free(&r);
		return 1;
	}
	if (o->warmup_us > 0)
		results_trim(&r, o->warmup_us);
	if (traces == NULL && !r.is_csv) {
		struct stat st;

		if (asprintf(&tdef, "%s/" RESULTS_TRACES_OTLP, r.path) < 0)
			abort();
		if (stat(tdef, &st) == 0)
			traces = tdef;
	}
	if (traces == NULL && a.npicks) {
		log_msg("--trace: %s has no " RESULTS_TRACES_OTLP "; name a trace file with --traces", r.path);
		rc = 2;
	} else if (traces) {
		if (load_traces(&ts, traces, picks, a.npicks) < 0)
			rc = 1;
		else
			have_ts = true;
		o->traces = have_ts ? &ts : NULL;
	}
	if (out == NULL)
		out = def = default_out(&r);
	o->out_dir = out;
	if (rc) {
		/* the trace file's message is out */
	} else if (report_write(&r, o, &e) < 0) {
		log_msg("%s", e.msg);
		rc = 1;
	} else if (!a.quiet) {
		char path[PATH_MAX], *text;

		snprintf(path, sizeof path, "%s/summary.txt", out);
		text = results_read_text(path);
		if (text)
			fputs(text, stdout);
		printf("report: %s/index.html\n", out);
		free(text);
	}
	free(def);
	free(tdef);
	if (have_ts)
		traceset_free(&ts);
	results_free(&r);
	return rc;
}
