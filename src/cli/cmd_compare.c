/* cmd_compare.c -- `meshwalk compare A B`: parse options, load both sides,
 * compare them (src/report/compare.h). */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/compare_interleave.h"
#include "cli/opt.h"
#include "report/compare.h"
#include "report/compare_paired.h"
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
	O_WATCH,
	O_CONFIDENCE,
	O_RESAMPLES,
	O_SEED,
	O_BLOCK,
	O_INTERLEAVE,
};

/* What the parse fills. */
struct compare_args {
	struct compare_opts o;
	bool given[COMPARE_NFIG]; /* --margin set it */
	double warmup_us, tolerance_pct, confidence_pct;
	bool quiet, strict;
	unsigned interleave; /* --interleave: pairs of blocks, 0 = off */
};

const struct opt_def compare_opts[] = {
	{ "output", 'o', OPT_REQUIRED, 'o', "DIR",
	  "Also write compare.txt, compare.csv, compare.json and the plot of both CDFs "
	  "(plots/compare-cdf.svg, .png) into DIR (created if missing). Without it the "
	  "comparison is only printed.",
	  .kind = OPT_K_STR, OPT_AT(struct compare_args, o.out_dir) },
	{ "group", 'g', OPT_REQUIRED, 'g', "NAME",
	  "Compare client group NAME of both sides; 'all' merges each side's groups into one "
	  "sample (unless a group is named all). Default: groups paired by name, each compared on "
	  "its own (the only group of each side when both have one).",
	  .kind = OPT_K_STR, OPT_AT(struct compare_args, o.group) },
	{ "margin", 0, OPT_REQUIRED, O_MARGIN, "FIG=PERCENT",
	  "Equivalence margin of figure FIG (mean, p50, p90, p99, p99.9): B/A within 1 +- PERCENT/100 "
	  "is the same; 'off' leaves FIG unjudged. Defaults: p50=5, the others off (p90 and p99 "
	  "are watched, see --watch). Repeatable, once per figure (by --margin or --watch)." },
	{ "watch", 0, OPT_REQUIRED, O_WATCH, "FIG=PERCENT",
	  "Watch figure FIG: DIFFERENT when B/A lies outside 1 +- PERCENT/100 and its interval "
	  "excludes 1, but not needed within it for SAME (a tail too noisy to pin down does not "
	  "keep a verdict INCONCLUSIVE; a SAME names what it showed). Defaults: p90=10, p99=10; "
	  "--margin p90=10 judges p90 both ways, --watch p99=off leaves p99 out." },
	{ "tolerance", 0, OPT_REQUIRED, O_TOLERANCE, "PERCENT",
	  "One margin for every judged or watched figure (p50, p90 and p99, and those given with "
	  "--margin or --watch, whose own value wins).",
	  .kind = OPT_K_REAL, OPT_AT(struct compare_args, tolerance_pct), .min = 0, .max = 1000 },
	{ "confidence", 0, OPT_REQUIRED, O_CONFIDENCE, "PERCENT",
	  "Confidence level of the intervals of B/A (default 95): the bootstrap's, or with "
	  "--interleave the sign test's (which needs more pairs the higher it is). A watched "
	  "figure's interval takes its share: 1 - (1 - level) / m for the m judged or watched "
	  "figures (98.3 for 3).",
	  .kind = OPT_K_REAL, OPT_AT(struct compare_args, confidence_pct), .min = 0, .max = 100 },
	{ "resamples", 0, OPT_REQUIRED, O_RESAMPLES, "N",
	  "Bootstrap resamples (default 2000, 100 to 1000000; fewer on very large samples, so that "
	  "resamples x requests stays near 4e8).",
	  .kind = OPT_K_UINT, OPT_AT(struct compare_args, o.rule.resamples), .min = 100, .max = 1000000 },
	{ "seed", 0, OPT_REQUIRED, O_SEED, "N",
	  "Seed of the bootstrap's resampling (default 1): the same inputs and seed give the same "
	  "intervals.",
	  .kind = OPT_K_UINT, OPT_AT(struct compare_args, o.rule.seed), .min = 0, .max = 0x1p63 },
	{ "block", 0, OPT_REQUIRED, O_BLOCK, "N|auto",
	  "Bootstrap block length in requests (default auto: from the autocorrelation of each "
	  "side's latencies in send order; 1 resamples requests one by one)." },
	{ "alpha", 0, OPT_REQUIRED, O_ALPHA, "P",
	  "Significance level of the Kolmogorov-Smirnov test, reported as supporting evidence "
	  "(default 0.01).",
	  .kind = OPT_K_REAL, OPT_AT(struct compare_args, o.rule.alpha), .min = 0, .max = 1 },
	{ "warmup", 0, OPT_REQUIRED, O_WARMUP, "DURATION",
	  "Leave out the requests each group intended to send in its first DURATION, on both sides.",
	  .kind = OPT_K_US, OPT_AT(struct compare_args, warmup_us) },
	{ "no-plots", 0, OPT_NONE, O_NO_PLOTS, NULL, "With -o: do not run gnuplot.",
	  .kind = OPT_K_OFF, OPT_AT(struct compare_args, o.plots) },
	{ "strict", 0, OPT_NONE, O_STRICT, NULL,
	  "Exit with status 3 when the verdict is DIFFERENT, 4 when it is INCONCLUSIVE (for "
	  "scripts and CI).",
	  .kind = OPT_K_FLAG, OPT_AT(struct compare_args, strict) },
	{ "quiet", 'q', OPT_NONE, 'q', NULL, "Do not print the comparison.",
	  .kind = OPT_K_FLAG, OPT_AT(struct compare_args, quiet) },
	{ "interleave", 0, OPT_REQUIRED, O_INTERLEAVE, "N",
	  "A and B are scenario files: run them alternately, N times each (7 to 10000 by "
	  "default), in ABBA "
	  "order (a-1 b-1 b-2 a-2 a-3 ...), each block a whole meshwalk run into DIR/a-I or "
	  "DIR/b-I (-o DIR must not exist yet; default results/compare-YYYYmmdd-HHMMSS), and judge "
	  "the pairs: each figure's B/A is the median of the pairs' ratios and its interval the sign "
	  "test's (at least 6 pairs for 95 %, 8 for 99 %), so drift between runs widens it instead "
	  "of deciding the verdict. Shorten long scenarios "
	  "first: every block is the whole scenario. Writes compare.txt and compare.json, no plot.",
	  .kind = OPT_K_UINT, OPT_AT(struct compare_args, interleave), .min = 2, .max = 10000 },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit.",
	  .kind = OPT_K_HELP },
	{ 0 },
};

static const char compare_usage[] =
	"meshwalk compare [OPTIONS] A B\n       meshwalk compare --interleave N [OPTIONS] A.yaml B.yaml";
static const char compare_intro[] =
	"Compares the latencies of two results directories of meshwalk run (or two client\n"
	"CSVs, or client group directories), per client group: mean, p50, p90, p99, p99.9\n"
	"and max side by side with their ratios B/A and a bootstrap confidence interval of\n"
	"each ratio (seeded: the same inputs give the same output), the two-sample\n"
	"Kolmogorov-Smirnov test as supporting evidence, and a verdict. Each judged\n"
	"figure (p50 within 5 % by default) is SAME when its interval lies within the\n"
	"margin, DIFFERENT when the interval excludes 1 and the ratio lies outside the\n"
	"margin, INCONCLUSIVE otherwise or when a side has too few requests for it (fewer\n"
	"than 10 above a percentile); a watched figure (p90 and p99 at 10 % by default)\n"
	"counts only when DIFFERENT. A group is\n"
	"DIFFERENT when any judged or watched figure is, SAME when all judged are; the comparison is\n"
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

/* --margin or --watch (watch) FIG=PERCENT|off, each figure once by either. */
static int parse_margin(const char *v, bool watch, struct compare_rule *r, bool *given)
{
	const char *opt = watch ? "--watch" : "--margin";
	char fig[16];
	const char *eq = strchr(v, '=');
	double pct;
	int k;

	if (eq == NULL || (size_t)(eq - v) >= sizeof fig) {
		log_msg("%s: expected FIG=PERCENT (such as p99=10), got '%s'", opt, v);
		return -1;
	}
	memcpy(fig, v, (size_t)(eq - v));
	fig[eq - v] = 0;
	k = compare_fig_index(fig);
	if (k < 0 || k == COMPARE_MAX) {
		log_msg("%s: unknown figure '%s' (mean, p50, p90, p99 or p99.9)", opt, fig);
		return -1;
	}
	if (given[k]) {
		log_msg("%s: %s given twice (by --margin or --watch)", opt, fig);
		return -1;
	}
	given[k] = true;
	r->watch[k] = watch;
	if (strcmp(eq + 1, "off") == 0) {
		r->margin[k] = NAN;
		return 0;
	}
	if (opt_real(opt, eq + 1, 0, 1000, &pct) < 0)
		return -1;
	r->margin[k] = pct / 100;
	return 0;
}

/* The options opt_parse() cannot apply by their row alone. */
static int compare_opt(void *cfg, int opt, const char *arg)
{
	struct compare_args *a = cfg;
	uint64_t u = 0;

	if (opt == O_MARGIN || opt == O_WATCH)
		return parse_margin(arg, opt == O_WATCH, &a->o.rule, a->given) < 0 ? 2 : 0;
	/* --block */
	if (strcmp(arg, "auto") != 0 && opt_uint("--block", arg, 1, 1000000, &u) < 0)
		return 2;
	a->o.rule.block = (size_t)u;
	return 0;
}

/* The margins once every option is in: 0, or 2 when none is judged. */
static int finish_margins(struct compare_args *a)
{
	struct compare_rule *r = &a->o.rule;
	int judged = 0;

	if (!isnan(a->confidence_pct))
		r->confidence = a->confidence_pct / 100;
	/* --tolerance: every judged figure's margin, unless --margin set it. */
	for (int k = 0; k < COMPARE_NFIG && !isnan(a->tolerance_pct); k++)
		if (!a->given[k] && !isnan(r->margin[k]))
			r->margin[k] = a->tolerance_pct / 100;
	for (int k = 0; k < COMPARE_NFIG; k++)
		judged += !isnan(r->margin[k]) && !r->watch[k];
	if (judged == 0) {
		log_msg("--margin: every margin is off: nothing would be judged (a watched figure "
			"alone can say DIFFERENT, never SAME)");
		return 2;
	}
	return 0;
}

/* The bootstrap's options once every option is in: 0, or 2 when they were
 * given to --interleave, which has no bootstrap (its interval comes from the
 * block pairs): silently ignored, they would seem to have done something. */
static int bootstrap_options(struct compare_args *a)
{
	struct compare_rule def, *r = &a->o.rule;
	const char *given = r->resamples ? "--resamples" : r->seed != UINT64_MAX ? "--seed"
			    : r->block != SIZE_MAX ? "--block" : NULL;

	compare_rule_default(&def);
	if (a->interleave && given) {
		log_msg("%s sets the bootstrap of two results' comparison; --interleave has none "
			"(its intervals come from the pairs of blocks)", given);
		return 2;
	}
	/* Refused before any block runs: minutes of runs could not be judged. */
	if (a->interleave && a->interleave < compare_paired_min_pairs(compare_level_max(r))) {
		log_msg("--interleave %u: a %.3g%% interval of the median pair needs at least %u pairs "
			"(or a lower --confidence, or fewer figures judged or watched)", a->interleave,
			compare_level_max(r) * 100, compare_paired_min_pairs(compare_level_max(r)));
		return 2;
	}
	if (r->resamples == 0)
		r->resamples = def.resamples;
	if (r->seed == UINT64_MAX)
		r->seed = def.seed;
	if (r->block == SIZE_MAX)
		r->block = def.block;
	return 0;
}

int cmd_compare(int argc, char **argv)
{
	static const struct opt_cmd cmd = { "compare", compare_opts, compare_usage, compare_intro,
					    compare_opt };
	struct compare_args a = { .o = { .plots = true }, .tolerance_pct = NAN,
				  .confidence_pct = NAN };
	struct compare_opts *o = &a.o;
	struct results ra, rb;
	struct err e;
	enum compare_verdict verdict = COMPARE_SAME;
	int rc;

	log_set_name("meshwalk compare");
	compare_rule_default(&o->rule);
	/* unset marks, so that what was given can be told from the defaults */
	o->rule.resamples = 0;
	o->rule.seed = UINT64_MAX;
	o->rule.block = SIZE_MAX;
	rc = opt_parse(&cmd, argc, argv, &a);
	if (rc < 0)
		return 0; /* --help */
	if (rc == 0)
		rc = finish_margins(&a);
	if (rc == 0)
		rc = bootstrap_options(&a);
	if (rc == 0 && argc - optind != 2) {
		log_msg("expected two results to compare, A and B (see meshwalk compare --help)");
		rc = 2;
	}
	if (rc)
		return rc;
	if (a.interleave) {
		rc = compare_interleave(argv[optind], argv[optind + 1], a.interleave, o, a.warmup_us,
					a.quiet, &verdict);
		if (rc == 0 && a.strict && verdict != COMPARE_SAME)
			rc = verdict == COMPARE_DIFFERENT ? 3 : 4;
		return rc;
	}
	memset(&rb, 0, sizeof rb);
	if (results_load(argv[optind], &ra, &e) < 0 || results_load(argv[optind + 1], &rb, &e) < 0) {
		if (e.line)
			log_msg("%s (line %d)", e.msg, e.line);
		else
			log_msg("%s", e.msg);
		rc = 1;
	} else if (o->out_dir && o->plots && !gnuplot_available()) {
		log_msg("gnuplot not found: install it (apt-get install gnuplot-nox) or use --no-plots");
		rc = 1;
	} else {
		if (a.warmup_us > 0) {
			results_trim(&ra, a.warmup_us);
			results_trim(&rb, a.warmup_us);
		}
		if (compare_write(&ra, &rb, o, a.quiet ? NULL : stdout, &verdict, &e) < 0) {
			log_msg("%s", e.msg);
			rc = 1;
		} else if (a.strict && verdict != COMPARE_SAME) {
			rc = verdict == COMPARE_DIFFERENT ? 3 : 4;
		}
	}
	results_free(&ra);
	results_free(&rb);
	return rc;
}
