/* compare.h -- `meshwalk compare A B`: two sets of latencies side by side,
 * and whether they differ by more than a stated margin.
 *
 * Contract: compare_figures() puts the two samples' figures (mean, p50, p90,
 * p99, p99.9, max) side by side with their B/A ratios and, for every figure
 * but the maximum, a bootstrap confidence interval of the ratio
 * (stats/bootstrap.h: seeded, circular blocks, so the same inputs give the
 * same interval) at compare_level(): the rule's confidence, a watched
 * figure's raised to its share of it. Each figure with an equivalence
 * margin m is judged:
 *   same          the interval lies within [1 - m, 1 + m];
 *   different     the interval excludes 1 and the ratio itself lies outside
 *                 [1 - m, 1 + m] (a real difference, bigger than the margin
 *                 by the best estimate);
 *   inconclusive  neither (the interval straddles an edge of the margin, or
 *                 holds 1 with the ratio beyond the margin);
 *   too few       a side has fewer than COMPARE_TAIL_MIN values above the
 *                 percentile (fewer than 2 * COMPARE_TAIL_MIN for the mean).
 * A watched figure (a margin with watch set: by default p90's and p99's) is judged
 * the same way but only its "different" counts: a tail too noisy to pin
 * down within its margin does not stand in the way of SAME, and one that
 * moved beyond it, beyond doubt, still makes the verdict DIFFERENT.
 * The samples' verdict: DIFFERENT when any judged or watched figure is
 * different, SAME when every judged figure is the same, INCONCLUSIVE
 * otherwise, with one sentence saying why (a SAME names the watched
 * figures' intervals too). The Kolmogorov-Smirnov test (stats/ks.h) is run as
 * supporting evidence: its result is reported and noted in the reason, it
 * does not decide. docs/report.md explains the rule.
 * compare_write() loads nothing itself: it takes two loaded results, pairs
 * their client groups (the named one; each group of one name on both
 * sides; the only group of each side; or all groups merged), compares each
 * pair, combines the verdicts (DIFFERENT if any, SAME if all, else
 * INCONCLUSIVE), prints the comparison to out and, with an output
 * directory, writes compare.txt, compare.csv, compare.json,
 * compare-quantiles.csv and the plot plots/compare-cdf.*.
 * Ownership: borrowed inputs. Threads: see gnuplot.h.
 * Errors: 0, or -EINVAL with a message in *e (a group missing from one side,
 * no group in common, a side without ok requests, a file that cannot be
 * written). */
#ifndef MW_REPORT_COMPARE_H
#define MW_REPORT_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "report/results.h"
#include "util/err.h"

#define COMPARE_TAIL_MIN 10
#define COMPARE_NFIG 6
#define COMPARE_MAX 5 /* index of "max": never judged, no interval */

enum compare_verdict {
	COMPARE_SAME = 1,
	COMPARE_DIFFERENT,
	COMPARE_INCONCLUSIVE,
};

enum compare_fig {
	FIG_NOT_JUDGED = 0,
	FIG_SAME,
	FIG_DIFFERENT,
	FIG_INCONCLUSIVE,
	FIG_TOO_FEW,
};

/* How to judge: defaults from compare_rule_default(). */
struct compare_rule {
	double margin[COMPARE_NFIG]; /* relative (0.05 = 5 %); NAN: not judged */
	bool watch[COMPARE_NFIG];    /* margin[k] only watches: different counts, same is not needed */
	double confidence;           /* of the intervals, e.g. 0.95 */
	unsigned resamples;          /* bootstrap resamples asked for */
	uint64_t seed;               /* of the resampling */
	size_t block;                /* bootstrap block length, 0 = automatic */
	double alpha;                /* KS level for the supporting note */
};

struct compare_opts {
	const char *out_dir; /* NULL: print only */
	const char *group;   /* NULL: pair groups; "all" (unless a group is so named): merged */
	struct compare_rule rule;
	bool plots;
};

struct compare_figures {
	const char *name[COMPARE_NFIG];          /* "mean", "p50", ..., "max" */
	double a[COMPARE_NFIG], b[COMPARE_NFIG]; /* us */
	double ratio[COMPARE_NFIG];              /* b / a */
	double lo[COMPARE_NFIG], hi[COMPARE_NFIG]; /* interval of the ratio; NAN for max */
	double level[COMPARE_NFIG];              /* its confidence (compare_level); NAN for max */
	double margin[COMPARE_NFIG];             /* the rule's */
	bool watch[COMPARE_NFIG];                /* the rule's */
	enum compare_fig judged[COMPARE_NFIG];
	double d, d_at, p;                       /* KS distance, where, p-value */
	size_t block_a, block_b;                 /* bootstrap block lengths used */
	unsigned resamples;                      /* resamples used */
	enum compare_verdict verdict;
	int decisive;                            /* the figure behind the verdict, or -1 */
	char reason[512];                        /* one sentence behind the verdict */
};

/* Defaults: p50 within 5 %, p90 and p99 watched at 10 %, others
 * not judged; 95 % intervals from 2000 resamples, seed 1, automatic blocks;
 * KS alpha 0.01. */
void compare_rule_default(struct compare_rule *r);

/* The figures that can make a verdict DIFFERENT: judged or watched (a
 * margin set), the maximum never. */
int compare_family(const struct compare_rule *r);

/* The level of figure k's interval: the rule's confidence for a judged
 * figure; 1 - (1 - confidence) / m for a watched one, m the figures of
 * compare_family() (Bonferroni): watching tails adds chances for a pair of
 * identical runs to be called DIFFERENT, and each watched figure takes only
 * its share of them. */
double compare_level(const struct compare_rule *r, int k);

/* The highest level of any judged or watched figure (what the fewest pairs
 * of compare --interleave must reach). */
double compare_level_max(const struct compare_rule *r);

/* "95% of B/A" or, with watched figures, "95% of B/A, 98.3% for a watched
 * figure (...)": what the intervals are. */
void compare_level_text(char *buf, size_t len, const struct compare_rule *r);

/* Index of a figure's name ("mean", "p50", "p90", "p99", "p99.9"; "max"
 * too), or -1. */
int compare_fig_index(const char *name);

/* "same", "different", "inconclusive", "too few", "not judged". */
const char *compare_fig_name(enum compare_fig f);

/* "SAME", "DIFFERENT", "INCONCLUSIVE" (printed); "same", ... (files). */
const char *compare_verdict_word(enum compare_verdict v);
const char *compare_verdict_key(enum compare_verdict v);

/* Compares the samples a[0..na) and b[0..nb) (both non-empty), each in the
 * order the requests were sent: the bootstrap resamples blocks of
 * neighbours. */
void compare_figures(const double *a, size_t na, const double *b, size_t nb,
		     const struct compare_rule *r, struct compare_figures *out);

/* The verdict rule on figures already measured: judges every figure of c
 * (a, b, ratio, lo, hi, margin set; d and p NAN for no KS note) against its
 * margin, na and nb being the requests behind each side's figures (too few
 * below COMPARE_TAIL_MIN), and sets judged, verdict, decisive and reason as
 * compare_figures() does. compare_paired.h uses it for interleaved blocks. */
void compare_decide(struct compare_figures *c, size_t na, size_t nb, const struct compare_rule *r);

/* The rule's margins and watched figures as two JSON members, "margins"
 * (per figure but the maximum, a fraction or null) and "watched" (names),
 * indented by two, without a trailing comma; the names are c's. */
void compare_rule_json(FILE *f, const struct compare_rule *r, const struct compare_figures *c);

/* The figures as JSON objects, one per line after a newline and indent:
 * {"name", "a", "b", "ratio", "ci_low", "ci_high", "level", "margin",
 * "watched", "verdict"} (numbers %.6g, NAN as null), comma-separated, no
 * brackets: compare.json's "figures" in both modes. */
void compare_figures_json(FILE *f, const struct compare_figures *c, const char *indent);

/* v as a JSON number (%.6g), or null when NAN. */
void compare_json_number(FILE *f, double v);

/* The figure table as printed (figure, A, B, B/A, interval, margin,
 * verdict), then the KS line without its end when c->d is a number. */
void compare_print_table(FILE *f, const struct compare_figures *c, const struct compare_rule *r);

int compare_write(const struct results *a, const struct results *b, const struct compare_opts *o,
		  FILE *out, enum compare_verdict *verdict, struct err *e);

#endif
