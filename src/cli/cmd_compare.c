/* cmd_compare.c -- `meshwalk compare A B`: parse options, load both sides,
 * compare them (src/report/compare.h). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
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
	O_MARGIN,
	O_CONFIDENCE,
	O_RESAMPLES,
	O_SEED,
	O_BLOCK,
};

const struct opt_def compare_opts[] = {
	{ "output", 'o', OPT_REQUIRED, 'o', "DIR",
	  "Also write compare.txt, compare.csv, compare.json and the plot of both CDFs "
	  "(plots/compare-cdf.svg, .png) into DIR (created if missing). Without it the "
	  "comparison is only printed." },
	{ "group", 'g', OPT_REQUIRED, 'g', "NAME",
	  "Compare client group NAME of both sides; 'all' merges each side's groups into one "
	  "sample (unless a group is named all). Default: groups paired by name, each compared on "
	  "its own (the only group of each side when both have one)." },
	{ "margin", 0, OPT_REQUIRED, O_MARGIN, "FIG=PERCENT",
	  "Equivalence margin of figure FIG (mean, p50, p90, p99, p99.9): B/A within 1 +- PERCENT/100 "
	  "is the same; 'off' leaves FIG unjudged. Defaults: p50=5, p99=10, the others off. "
	  "Repeatable, once per figure." },
	{ "tolerance", 0, OPT_REQUIRED, O_TOLERANCE, "PERCENT",
	  "One margin for every judged figure (p50 and p99, and those given with --margin, "
	  "whose own value wins)." },
	{ "confidence", 0, OPT_REQUIRED, O_CONFIDENCE, "PERCENT",
	  "Confidence level of the bootstrap intervals of B/A (default 95)." },
	{ "resamples", 0, OPT_REQUIRED, O_RESAMPLES, "N",
	  "Bootstrap resamples (default 2000, 100 to 1000000; fewer on very large samples, so that "
	  "resamples x requests stays near 4e8)." },
	{ "seed", 0, OPT_REQUIRED, O_SEED, "N",
	  "Seed of the bootstrap's resampling (default 1): the same inputs and seed give the same "
	  "intervals." },
	{ "block", 0, OPT_REQUIRED, O_BLOCK, "N|auto",
	  "Bootstrap block length in requests (default auto: from the autocorrelation of each "
	  "side's latencies in send order; 1 resamples requests one by one)." },
	{ "alpha", 0, OPT_REQUIRED, O_ALPHA, "P",
	  "Significance level of the Kolmogorov-Smirnov test, reported as supporting evidence "
	  "(default 0.01)." },
	{ "warmup", 0, OPT_REQUIRED, O_WARMUP, "DURATION",
	  "Leave out the requests each group intended to send in its first DURATION, on both sides." },
	{ "no-plots", 0, OPT_NONE, O_NO_PLOTS, NULL, "With -o: do not run gnuplot." },
	{ "strict", 0, OPT_NONE, O_STRICT, NULL,
	  "Exit with status 3 when the verdict is DIFFERENT, 4 when it is INCONCLUSIVE (for "
	  "scripts and CI)." },
	{ "quiet", 'q', OPT_NONE, 'q', NULL, "Do not print the comparison." },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit." },
	{ 0 },
};

static const char compare_usage[] = "meshwalk compare [OPTIONS] A B";
static const char compare_intro[] =
	"Compares the latencies of two results directories of meshwalk run (or two client\n"
	"CSVs, or client group directories), per client group: mean, p50, p90, p99, p99.9\n"
	"and max side by side with their ratios B/A and a bootstrap confidence interval of\n"
	"each ratio (seeded: the same inputs give the same output), the two-sample\n"
	"Kolmogorov-Smirnov test as supporting evidence, and a verdict. Each judged\n"
	"figure (p50 within 5 %, p99 within 10 % by default) is SAME when its interval lies\n"
	"within the margin, DIFFERENT when it lies wholly outside, INCONCLUSIVE otherwise\n"
	"or when a side has too few requests for it (fewer than 10 above a percentile). A\n"
	"group is DIFFERENT when any judged figure is, SAME when all are; the comparison is\n"
	"DIFFERENT when any group is, SAME when all are, else INCONCLUSIVE, with the reason\n"
	"(docs/report.md explains the rule). Exit status: 0 after a comparison (3 with\n"
	"--strict when DIFFERENT, 4 when INCONCLUSIVE), 1 when a side cannot be read or\n"
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

/* --margin FIG=PERCENT|off, each figure once. */
static int parse_margin(const char *v, struct compare_rule *r, bool *given)
{
	char fig[16];
	const char *eq = strchr(v, '=');
	double pct;
	int k;

	if (eq == NULL || (size_t)(eq - v) >= sizeof fig) {
		log_msg("--margin: expected FIG=PERCENT (such as p99=10), got '%s'", v);
		return -1;
	}
	memcpy(fig, v, (size_t)(eq - v));
	fig[eq - v] = 0;
	k = compare_fig_index(fig);
	if (k < 0 || k == COMPARE_MAX) {
		log_msg("--margin: unknown figure '%s' (mean, p50, p90, p99 or p99.9)", fig);
		return -1;
	}
	if (given[k]) {
		log_msg("--margin: %s given twice", fig);
		return -1;
	}
	given[k] = true;
	if (strcmp(eq + 1, "off") == 0) {
		r->margin[k] = NAN;
		return 0;
	}
	if (parse_double("--margin", eq + 1, 0, 1000, &pct) < 0)
		return -1;
	r->margin[k] = pct / 100;
	return 0;
}

static int parse_count(const char *what, const char *v, unsigned long long lo,
		       unsigned long long hi, unsigned long long *out)
{
	char *end;

	errno = 0;
	*out = strtoull(v, &end, 10);
	if (end == v || *end || errno || *v == '-' || *out < lo || *out > hi) {
		log_msg("%s: expected a whole number from %llu to %llu, got '%s'", what, lo, hi, v);
		return -1;
	}
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	struct compare_opts o = { .plots = true };
	bool given[COMPARE_NFIG] = { false };
	unsigned long long u;
	struct results ra, rb;
	struct opt_parser p;
	struct err e;
	enum compare_verdict verdict = COMPARE_SAME;
	double warmup_us = 0, pct, tolerance = NAN;
	bool quiet = false, strict = false;
	int opt, rc = 0;

	log_set_name("meshwalk compare");
	compare_rule_default(&o.rule);
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
			if (parse_double("--alpha", optarg, 0, 1, &o.rule.alpha) < 0)
				rc = 2;
			break;
		case O_TOLERANCE:
			if (parse_double("--tolerance", optarg, 0, 1000, &pct) < 0)
				rc = 2;
			tolerance = pct / 100;
			break;
		case O_MARGIN:
			if (parse_margin(optarg, &o.rule, given) < 0)
				rc = 2;
			break;
		case O_CONFIDENCE:
			if (parse_double("--confidence", optarg, 0, 100, &pct) < 0)
				rc = 2;
			o.rule.confidence = pct / 100;
			break;
		case O_RESAMPLES:
			if (parse_count("--resamples", optarg, 100, 1000000, &u) < 0)
				rc = 2;
			o.rule.resamples = (unsigned)u;
			break;
		case O_SEED:
			if (parse_count("--seed", optarg, 0, UINT64_MAX, &u) < 0)
				rc = 2;
			o.rule.seed = u;
			break;
		case O_BLOCK:
			u = 0;
			if (strcmp(optarg, "auto") != 0 && parse_count("--block", optarg, 1, 1000000, &u) < 0)
				rc = 2;
			o.rule.block = (size_t)u;
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
	/* --tolerance: every judged figure's margin, unless --margin set it. */
	for (int k = 0; k < COMPARE_NFIG && !isnan(tolerance); k++)
		if (!given[k] && !isnan(o.rule.margin[k]))
			o.rule.margin[k] = tolerance;
	if (rc == 0) {
		int judged = 0;

		for (int k = 0; k < COMPARE_NFIG; k++)
			judged += !isnan(o.rule.margin[k]);
		if (judged == 0) {
			log_msg("--margin: every margin is off: nothing would be judged");
			rc = 2;
		}
	}
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
		} else if (strict && verdict != COMPARE_SAME) {
			rc = verdict == COMPARE_DIFFERENT ? 3 : 4;
		}
	}
	results_free(&ra);
	results_free(&rb);
	return rc;
}
