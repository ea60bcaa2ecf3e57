/* cmd_compare.c -- `meshwalk compare A B`: parse options, load both sides,
 * compare them (src/report/compare.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "report/compare.h"
#include "report/gnuplot.h"
#include "report/results.h"
#include "spec/units.h"
#include "util/log.h"

enum {
	O_ALPHA = 256,
	O_TOLERANCE,
	O_WARMUP,
	O_NO_PLOTS,
	O_STRICT,
};

const struct opt_def compare_opts[] = {
	{ "output", 'o', OPT_REQUIRED, 'o', "DIR",
	  "Also write compare.txt, compare.csv, compare.json and the plot of both CDFs "
	  "(plots/compare-cdf.svg, .png) into DIR (created if missing). Without it the "
	  "comparison is only printed." },
	{ "group", 'g', OPT_REQUIRED, 'g', "NAME",
	  "Compare client group NAME of both sides (default: all groups of each side merged)." },
	{ "alpha", 0, OPT_REQUIRED, O_ALPHA, "P",
	  "Significance level of the Kolmogorov-Smirnov test (default 0.01)." },
	{ "tolerance", 0, OPT_REQUIRED, O_TOLERANCE, "PERCENT",
	  "Run-to-run noise: figures (mean, p50, p90, p99, p99.9) closer than this are the same "
	  "(default 5). Measure it by comparing two runs of one scenario." },
	{ "warmup", 0, OPT_REQUIRED, O_WARMUP, "DURATION",
	  "Leave out the requests each group intended to send in its first DURATION, on both sides." },
	{ "no-plots", 0, OPT_NONE, O_NO_PLOTS, NULL, "With -o: do not run gnuplot." },
	{ "strict", 0, OPT_NONE, O_STRICT, NULL,
	  "Exit with status 3 when the verdict is DIFFERENT (for scripts and CI)." },
	{ "quiet", 'q', OPT_NONE, 'q', NULL, "Do not print the comparison." },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit." },
	{ 0 },
};

static const char compare_usage[] = "meshwalk compare [OPTIONS] A B";
static const char compare_intro[] =
	"Compares the latencies of two results directories of meshwalk run (or two client\n"
	"CSVs, or client group directories): mean, p50, p90, p99, p99.9 and max side by\n"
	"side with their ratios B/A, the two-sample Kolmogorov-Smirnov distance and its\n"
	"p-value, and a verdict: DIFFERENT when the test rejects one distribution (p <\n"
	"alpha) and a reliably estimated figure differs by more than the tolerance; same\n"
	"within noise otherwise (docs/report.md explains the rule). Exit status: 0 after a\n"
	"comparison (3 with --strict when DIFFERENT), 1 when a side cannot be read or\n"
	"has no ok requests, 2 on a usage error.";

void cmd_compare_man(FILE *f)
{
	opt_print_man(f, "meshwalk-compare", "compare the latencies of two runs", compare_usage,
		      compare_intro, compare_opts,
		      ".SH FILES\nThe output files and the verdict rule are described in "
		      "docs/report.md. The plot needs gnuplot (Debian package gnuplot\\-nox).\n"
		      ".SH SEE ALSO\nmeshwalk\\-report(1), meshwalk\\-run(1)\n");
}

static int parse_double(const char *what, const char *v, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(v, &end);
	if (end == v || *end || errno || !(*out > lo && *out < hi)) {
		log_msg("%s: expected a number above %g and below %g, got '%s'", what, lo, hi, v);
		return -1;
	}
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_opts o = { .alpha = 0.01, .tolerance = 0.05, .plots = true };
	struct results ra, rb;
	struct opt_parser p;
	struct err e;
	enum compare_verdict verdict = COMPARE_SAME;
	double warmup_us = 0, pct;
	bool quiet = false, strict = false;
	int opt, rc = 0;

	log_set_name("meshwalk compare");
	opt_build(compare_opts, &p);
	optind = 1;
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			o.out_dir = optarg;
			break;
		case 'g':
			o.group = optarg;
			break;
		case O_ALPHA:
			if (parse_double("--alpha", optarg, 0, 1, &o.alpha) < 0)
				rc = 2;
			break;
		case O_TOLERANCE:
			if (parse_double("--tolerance", optarg, 0, 1000, &pct) < 0)
				rc = 2;
			o.tolerance = pct / 100;
			break;
		case O_WARMUP:
			if (units_parse(optarg, SPEC_TIME, &warmup_us, &e) < 0) {
				log_msg("--warmup: %s", e.msg);
				rc = 2;
			}
			break;
		case O_NO_PLOTS:
			o.plots = false;
			break;
		case O_STRICT:
			strict = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			opt_print_help(stdout, compare_usage, compare_intro, compare_opts);
			opt_free(&p);
			return 0;
		default: /* ':' or '?' */
			rc = opt_bad(compare_opts, opt, argv[optind - 1], "compare");
			break;
		}
	}
	opt_free(&p);
	if (rc == 0 && argc - optind != 2) {
		log_msg("expected two results to compare, A and B (see meshwalk compare --help)");
		rc = 2;
	}
	if (rc)
		return rc;
	memset(&rb, 0, sizeof rb);
	if (results_load(argv[optind], &ra, &e) < 0 || results_load(argv[optind + 1], &rb, &e) < 0) {
		if (e.line)
			log_msg("%s (line %d)", e.msg, e.line);
		else
			log_msg("%s", e.msg);
		rc = 1;
	} else if (o.out_dir && o.plots && !gnuplot_available()) {
		log_msg("gnuplot not found: install it (apt-get install gnuplot-nox) or use --no-plots");
		rc = 1;
	} else {
		if (warmup_us > 0) {
			results_trim(&ra, warmup_us);
			results_trim(&rb, warmup_us);
		}
		if (compare_write(&ra, &rb, &o, quiet ? NULL : stdout, &verdict, &e) < 0) {
			log_msg("%s", e.msg);
			rc = 1;
		} else if (strict && verdict == COMPARE_DIFFERENT) {
			rc = 3;
		}
	}
	results_free(&ra);
	results_free(&rb);
	return rc;
}
