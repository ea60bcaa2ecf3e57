/* compare.c -- see compare.h. */
#include "report/compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/bootstrap.h"
#include "stats/ks.h"
#include "stats/sample.h"
#include "util/xalloc.h"

static const char *const fig_names[COMPARE_NFIG] = { "mean", "p50", "p90", "p99", "p99.9", "max" };
static const double fig_p[COMPARE_NFIG] = { NAN, 50, 90, 99, 99.9, 100 };

void compare_rule_default(struct compare_rule *r)
{
	for (int k = 0; k < COMPARE_NFIG; k++) {
		r->margin[k] = NAN;
		r->watch[k] = false;
	}
	r->margin[1] = 0.05;
	r->margin[2] = 0.10;
	r->margin[3] = 0.10;
	r->watch[2] = r->watch[3] = true; /* docs/report.md: why the tails are watched */
	r->confidence = 0.95;
	r->resamples = 2000;
	r->seed = 1;
	r->block = 0;
	r->alpha = 0.01;
}

int compare_family(const struct compare_rule *r)
{
	int m = 0;

	for (int k = 0; k < COMPARE_NFIG; k++)
		m += k != COMPARE_MAX && !isnan(r->margin[k]);
	return m;
}

double compare_level(const struct compare_rule *r, int k)
{
	int m = compare_family(r);

	return r->watch[k] && m > 1 ? 1 - (1 - r->confidence) / m : r->confidence;
}

double compare_level_max(const struct compare_rule *r)
{
	double l = r->confidence;

	for (int k = 0; k < COMPARE_MAX; k++)
		if (!isnan(r->margin[k]) && compare_level(r, k) > l)
			l = compare_level(r, k);
	return l;
}

void compare_level_text(char *buf, size_t len, const struct compare_rule *r)
{
	int m = compare_family(r);

	if (compare_level_max(r) > r->confidence)
		snprintf(buf, len,
			 "%g%% of B/A, %.3g%% for a watched figure (its share of the %g%% risk of a "
			 "false DIFFERENT among the %d judged or watched)",
			 r->confidence * 100, compare_level_max(r) * 100, (1 - r->confidence) * 100, m);
	else
		snprintf(buf, len, "%g%% of B/A", r->confidence * 100);
}

int compare_fig_index(const char *name)
{
	for (int k = 0; k < COMPARE_NFIG; k++)
		if (strcmp(name, fig_names[k]) == 0)
			return k;
	return -1;
}

const char *compare_fig_name(enum compare_fig f)
{
	switch (f) {
	case FIG_SAME: return "same";
	case FIG_DIFFERENT: return "different";
	case FIG_INCONCLUSIVE: return "inconclusive";
	case FIG_TOO_FEW: return "too few";
	default: return "not judged";
	}
}

/* Enough values to estimate figure k on a side of n: COMPARE_TAIL_MIN above
 * a percentile, twice that for the mean. */
static bool enough(int k, size_t n)
{
	if (k == 0)
		return n >= 2 * COMPARE_TAIL_MIN;
	return n * (1 - fig_p[k] / 100) >= COMPARE_TAIL_MIN - 1e-9;
}

/* The requests one side needs for figure k. */
static size_t needed(int k)
{
	return k == 0 ? 2 * COMPARE_TAIL_MIN : (size_t)ceil(COMPARE_TAIL_MIN / (1 - fig_p[k] / 100) - 1e-6);
}

static enum compare_fig judge(const struct compare_figures *c, int k, size_t na, size_t nb)
{
	double m = c->margin[k];

	if (isnan(m) || k == COMPARE_MAX)
		return FIG_NOT_JUDGED;
	if (!enough(k, na) || !enough(k, nb))
		return FIG_TOO_FEW;
	if (isnan(c->lo[k]) || isnan(c->hi[k]))
		return FIG_INCONCLUSIVE;
	if (c->lo[k] >= 1 - m && c->hi[k] <= 1 + m)
		return FIG_SAME;
	/* A real difference (the interval excludes 1) whose best estimate is
	 * bigger than what matters. Asking the whole interval to clear the
	 * margin instead left every change near the margin's size INCONCLUSIVE
	 * however long the runs (bench/README.md, "Compare verdicts"). */
	if ((c->lo[k] > 1 || c->hi[k] < 1) && (c->ratio[k] > 1 + m || c->ratio[k] < 1 - m))
		return FIG_DIFFERENT;
	return FIG_INCONCLUSIVE;
}

/* "p99 0.912-1.083 (margin ±10%)" */
static void interval_text(char *buf, size_t len, const struct compare_figures *c, int k)
{
	snprintf(buf, len, "%s %.3f-%.3f (margin ±%g%%)", c->name[k], c->lo[k], c->hi[k],
		 c->margin[k] * 100);
}

/* The reason of an INCONCLUSIVE verdict: a figure with too few values
 * first (more requests are the cure), else the widest interval. */
static void reason_inconclusive(struct compare_figures *c, size_t na, size_t nb, double conf)
{
	char iv[128];
	int k = -1;

	for (int i = 0; i < COMPARE_NFIG && k < 0; i++)
		if (c->judged[i] == FIG_TOO_FEW && !c->watch[i])
			k = i;
	if (k >= 0) {
		c->decisive = k;
		snprintf(c->reason, sizeof c->reason,
			 "too few requests for %s: it needs %zu ok per side (A %zu, B %zu); "
			 "run longer, or leave it out with --margin %s=off",
			 c->name[k], needed(k), na, nb, c->name[k]);
		return;
	}
	for (int i = 0; i < COMPARE_NFIG; i++)
		if (c->judged[i] == FIG_INCONCLUSIVE && !c->watch[i] &&
		    (k < 0 || isnan(c->lo[i]) || c->hi[i] - c->lo[i] > c->hi[k] - c->lo[k]))
			k = i;
	c->decisive = k;
	if (isnan(c->ratio[k])) {
		snprintf(c->reason, sizeof c->reason, "A's %s is 0: no ratio to judge", c->name[k]);
		return;
	}
	if (isnan(c->lo[k])) {
		snprintf(c->reason, sizeof c->reason, "%s has no %.3g%% interval of B/A", c->name[k],
			 conf * 100);
		return;
	}
	interval_text(iv, sizeof iv, c, k);
	if (c->hi[k] - c->lo[k] > 2 * c->margin[k])
		snprintf(c->reason, sizeof c->reason,
			 "the %.3g%% interval of B/A is wider than the margin: %s; more requests "
			 "(or a quieter machine) would narrow it",
			 conf * 100, iv);
	else
		snprintf(c->reason, sizeof c->reason,
			 "the %.3g%% interval of B/A straddles an edge of the margin: %s; B is perhaps "
			 "%s by about %+.1f%%",
			 conf * 100, iv, c->ratio[k] > 1 ? "slower" : "faster", (c->ratio[k] - 1) * 100);
}

/* A SAME's reason: what its watched figures showed, from reason[len]. */
static void watched_note(struct compare_figures *c, size_t len)
{
	char iv[128];

	for (int i = 0; i < COMPARE_NFIG && len < sizeof c->reason; i++) {
		if (!c->watch[i] || c->judged[i] == FIG_NOT_JUDGED)
			continue;
		if (c->judged[i] == FIG_TOO_FEW)
			snprintf(iv, sizeof iv, "%s: too few requests", c->name[i]);
		else if (isnan(c->lo[i]))
			snprintf(iv, sizeof iv, "%s: no interval", c->name[i]);
		else
			interval_text(iv, sizeof iv, c, i);
		len += (size_t)snprintf(c->reason + len, sizeof c->reason - len, "; watched %s, %s",
					iv, c->judged[i] == FIG_SAME ? "within it"
								     : "not resolved");
	}
}

static void decide(struct compare_figures *c, size_t na, size_t nb, const struct compare_rule *r)
{
	char iv[128];
	size_t len;
	int ndiff = 0, nsame = 0, njudged = 0, k = -1;

	for (int i = 0; i < COMPARE_NFIG; i++) {
		c->judged[i] = judge(c, i, na, nb);
		if (c->judged[i] == FIG_NOT_JUDGED || (c->watch[i] && c->judged[i] != FIG_DIFFERENT))
			continue;
		njudged++;
		if (c->judged[i] == FIG_SAME)
			nsame++;
		if (c->judged[i] == FIG_DIFFERENT) {
			ndiff++;
			if (k < 0 || fabs(log(c->ratio[i])) > fabs(log(c->ratio[k])))
				k = i;
		}
	}
	c->decisive = k;
	if (ndiff > 0) {
		c->verdict = COMPARE_DIFFERENT;
		interval_text(iv, sizeof iv, c, k);
		snprintf(c->reason, sizeof c->reason,
			 "B's %s is %.3fx A's, beyond the margin, and its %.3g%% interval excludes 1: %s: B is %s",
			 c->name[k], c->ratio[k], compare_level(r, k) * 100, iv,
			 c->ratio[k] > 1 ? "slower" : "faster");
	} else if (njudged > 0 && nsame == njudged) {
		c->verdict = COMPARE_SAME;
		len = (size_t)snprintf(c->reason, sizeof c->reason,
				       "every judged figure's %g%% interval of B/A lies within its margin (",
				       r->confidence * 100);
		for (int i = 0, first = 1; i < COMPARE_NFIG && len < sizeof c->reason; i++) {
			if (c->judged[i] != FIG_SAME || c->watch[i])
				continue;
			interval_text(iv, sizeof iv, c, i);
			len += (size_t)snprintf(c->reason + len, sizeof c->reason - len, "%s%s",
						first ? "" : ", ", iv);
			first = 0;
		}
		if (len < sizeof c->reason)
			len += (size_t)snprintf(c->reason + len, sizeof c->reason - len, ")");
		watched_note(c, len);
	} else {
		c->verdict = COMPARE_INCONCLUSIVE;
		if (njudged == 0)
			snprintf(c->reason, sizeof c->reason, "no figure is judged (every margin is off)");
		else
			reason_inconclusive(c, na, nb, r->confidence);
	}
	/* KS supports, it does not decide: say when it disagrees. */
	len = strlen(c->reason);
	if (c->verdict == COMPARE_SAME && c->p < r->alpha && len < sizeof c->reason)
		snprintf(c->reason + len, sizeof c->reason - len,
			 "; KS tells the samples apart (p = %.3g), by less than the margins", c->p);
	else if (c->verdict == COMPARE_DIFFERENT && c->p >= r->alpha && len < sizeof c->reason)
		snprintf(c->reason + len, sizeof c->reason - len,
			 "; KS does not tell the whole distributions apart (p = %.3g)", c->p);
}

void compare_figures(const double *a, size_t na, const double *b, size_t nb,
		     const struct compare_rule *r, struct compare_figures *c)
{
	double *sa = xcalloc(na, sizeof *sa), *sb = xcalloc(nb, sizeof *sb);
	double pct[COMPARE_MAX];
	double level[COMPARE_NFIG];
	struct boot_opts bo = { r->resamples, r->confidence, r->seed, r->block, r->block, level };
	struct boot_ci ci;

	memset(c, 0, sizeof *c);
	memcpy(sa, a, na * sizeof *a);
	memcpy(sb, b, nb * sizeof *b);
	sample_sort(sa, na);
	sample_sort(sb, nb);
	for (int k = 0; k < COMPARE_NFIG; k++) {
		c->name[k] = fig_names[k];
		c->margin[k] = k == COMPARE_MAX ? NAN : r->margin[k];
		c->watch[k] = k != COMPARE_MAX && r->watch[k];
		c->a[k] = k == 0 ? sample_mean(sa, na) : sample_percentile(sa, na, fig_p[k]);
		c->b[k] = k == 0 ? sample_mean(sb, nb) : sample_percentile(sb, nb, fig_p[k]);
		c->ratio[k] = c->a[k] > 0 ? c->b[k] / c->a[k] : NAN;
		c->lo[k] = c->hi[k] = NAN;
		c->level[k] = NAN;
		if (k < COMPARE_MAX) {
			pct[k] = fig_p[k];
			level[k] = c->level[k] = compare_level(r, k);
		}
	}
	if (boot_ratio_ci(a, na, b, nb, pct, COMPARE_MAX, &bo, &ci) == 0) {
		/* An interval from too few values is an artefact (p99.9 of 100
		 * values is the maximum): not shown, as the figure is not judged. */
		for (int k = 0; k < COMPARE_MAX; k++) {
			bool ok = enough(k, na) && enough(k, nb);

			c->lo[k] = ok ? ci.lo[k] : NAN;
			c->hi[k] = ok ? ci.hi[k] : NAN;
		}
		c->block_a = ci.block_a;
		c->block_b = ci.block_b;
		c->resamples = ci.resamples;
	}
	c->d = ks_distance(sa, na, sb, nb, &c->d_at);
	c->p = ks_pvalue(c->d, na, nb);
	free(sa);
	free(sb);
	decide(c, na, nb, r);
}

void compare_decide(struct compare_figures *c, size_t na, size_t nb, const struct compare_rule *r)
{
	decide(c, na, nb, r);
}

const char *compare_verdict_word(enum compare_verdict v)
{
	return v == COMPARE_DIFFERENT ? "DIFFERENT" : v == COMPARE_SAME ? "SAME" : "INCONCLUSIVE";
}

const char *compare_verdict_key(enum compare_verdict v)
{
	return v == COMPARE_DIFFERENT ? "different" : v == COMPARE_SAME ? "same" : "inconclusive";
}
