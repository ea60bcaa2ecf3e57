/* compare_files.c -- compare_write() (see compare.h): pairing the client
 * groups of both sides, the combined verdict, and what is printed and
 * written (compare.txt, .csv, .json, compare-quantiles.csv, the CDF plot).
 * The rule itself is in compare.c. */
#include "report/compare.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "report/plots.h"
#include "report/report.h"
#include "report/summary.h"
#include "report/tables.h"
#include "util/json.h"
#include "util/file.h"
#include "util/xalloc.h"

/* ---- pairing the groups of both sides ---- */

/* One comparison: a group of A against a group of B (or all merged). */
struct pair {
	char name[200];               /* group name, "all", or "NAME_A / NAME_B" */
	const struct summary *sa, *sb; /* their report rows */
	double *a, *b;                /* ok latencies in intended-send order (owned) */
	size_t na, nb;
	struct compare_figures c;
};

/* Something left out of the comparison, and why. */
struct skipped {
	char name[200];
	const char *why;
};

struct pairing {
	struct pair *p;
	size_t n;
	struct skipped *s;
	size_t ns;
	const char *mode; /* the first line's words */
};

struct timed {
	double t, v;
	size_t i;
};

static int cmp_timed(const void *pa, const void *pb)
{
	const struct timed *x = pa, *y = pb;

	if (x->t != y->t)
		return (x->t > y->t) - (x->t < y->t);
	return (x->i > y->i) - (x->i < y->i);
}

/* The ok latencies of group gi of r (all groups when gi == r->ngroups), in
 * the order of their intended send times: merged groups interleave as they
 * ran, so neighbours in the series shared the system at the same time. */
static double *ordered(const struct results *r, size_t gi, size_t *n)
{
	size_t from = gi == r->ngroups ? 0 : gi, to = gi == r->ngroups ? r->ngroups : gi + 1, k = 0;
	struct timed *t;
	double *out;

	*n = 0;
	for (size_t g = from; g < to; g++)
		*n += r->groups[g].rec.count[REC_OK];
	t = xcalloc(*n ? *n : 1, sizeof *t);
	for (size_t g = from; g < to; g++) {
		const struct records *rec = &r->groups[g].rec;

		for (size_t i = 0; i < rec->n; i++)
			if (rec->status[i] == REC_OK)
				t[k] = (struct timed){ rec->intended_us[i], rec->latency_us[i], k }, k++;
	}
	qsort(t, *n, sizeof *t, cmp_timed);
	out = xcalloc(*n ? *n : 1, sizeof *out);
	for (size_t i = 0; i < *n; i++)
		out[i] = t[i].v;
	free(t);
	return out;
}

static size_t find_group(const struct results *r, const char *name)
{
	for (size_t i = 0; i < r->ngroups; i++)
		if (strcmp(r->groups[i].name, name) == 0)
			return i;
	return SIZE_MAX;
}

static void skip(struct pairing *pg, const char *name, const char *why)
{
	struct skipped *s;

	pg->s = xrealloc(pg->s, (pg->ns + 1) * sizeof *pg->s);
	s = &pg->s[pg->ns++];
	snprintf(s->name, sizeof s->name, "%s", name);
	s->why = why;
}

/* Adds the pair (ia, ib); a side without ok requests is an error when the
 * user named the group (strict), else the pair is skipped with the reason. */
static int add_pair(struct pairing *pg, const struct results *ra, const struct results *rb,
		    const struct summary *rows_a, const struct summary *rows_b, size_t ia, size_t ib,
		    const char *name, bool strict, struct err *e)
{
	struct pair *p;

	if (rows_a[ia].n == 0 || rows_b[ib].n == 0) {
		const char *path = rows_a[ia].n == 0 ? ra->path : rb->path;

		if (strict)
			return err_set(e, "%s has no ok requests to compare", path);
		skip(pg, name, rows_a[ia].n == 0 ? "no ok requests in A" : "no ok requests in B");
		return 0;
	}
	pg->p = xrealloc(pg->p, (pg->n + 1) * sizeof *pg->p);
	p = &pg->p[pg->n++];
	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", name);
	p->sa = &rows_a[ia];
	p->sb = &rows_b[ib];
	p->a = ordered(ra, ia, &p->na);
	p->b = ordered(rb, ib, &p->nb);
	return 0;
}

static int make_pairs(const struct results *ra, const struct results *rb,
		      const struct summary *rows_a, const struct summary *rows_b, const char *group,
		      struct pairing *pg, struct err *e)
{
	memset(pg, 0, sizeof *pg);
	if (group) {
		size_t ia = find_group(ra, group), ib = find_group(rb, group);

		pg->mode = "group";
		if (ia == SIZE_MAX && ib == SIZE_MAX && strcmp(group, "all") == 0) {
			pg->mode = "all client groups merged";
			return add_pair(pg, ra, rb, rows_a, rows_b, ra->ngroups, rb->ngroups, "all", true, e);
		}
		if (ia == SIZE_MAX || ib == SIZE_MAX)
			return err_set(e, "%s: no client group '%s'", ia == SIZE_MAX ? ra->path : rb->path,
				       group);
		return add_pair(pg, ra, rb, rows_a, rows_b, ia, ib, group, true, e);
	}
	if (ra->ngroups == 1 && rb->ngroups == 1) {
		char name[200];
		const char *na = ra->groups[0].name, *nb = rb->groups[0].name;

		pg->mode = "group";
		if (strcmp(na, nb) == 0)
			snprintf(name, sizeof name, "%s", na);
		else
			snprintf(name, sizeof name, "%s / %s", na, nb);
		return add_pair(pg, ra, rb, rows_a, rows_b, 0, 0, name, true, e);
	}
	pg->mode = "client groups of the same name, each on its own";
	for (size_t i = 0; i < ra->ngroups; i++) {
		size_t j = find_group(rb, ra->groups[i].name);

		if (j == SIZE_MAX)
			skip(pg, ra->groups[i].name, "only in A");
		else if (add_pair(pg, ra, rb, rows_a, rows_b, i, j, ra->groups[i].name, false, e) < 0)
			return -EINVAL;
	}
	for (size_t j = 0; j < rb->ngroups; j++)
		if (find_group(ra, rb->groups[j].name) == SIZE_MAX)
			skip(pg, rb->groups[j].name, "only in B");
	if (pg->n == 0)
		return err_set(e, "no client group of %s can be compared with one of %s (groups are "
				  "paired by name); name one with --group, or merge each side's with "
				  "--group all", ra->path, rb->path);
	return 0;
}

static void pairing_free(struct pairing *pg)
{
	for (size_t i = 0; i < pg->n; i++) {
		free(pg->p[i].a);
		free(pg->p[i].b);
	}
	free(pg->p);
	free(pg->s);
}

/* The verdict over every pair: DIFFERENT if any, SAME if all, else
 * INCONCLUSIVE; the reason is the only pair's, or lists them by verdict. */
static enum compare_verdict overall(const struct pairing *pg, char *reason, size_t len)
{
	static const enum compare_verdict order[] = { COMPARE_DIFFERENT, COMPARE_INCONCLUSIVE,
						      COMPARE_SAME };
	enum compare_verdict v = COMPARE_SAME;
	size_t at = 0;

	for (size_t i = 0; i < pg->n; i++) {
		if (pg->p[i].c.verdict == COMPARE_DIFFERENT)
			v = COMPARE_DIFFERENT;
		else if (pg->p[i].c.verdict == COMPARE_INCONCLUSIVE && v == COMPARE_SAME)
			v = COMPARE_INCONCLUSIVE;
	}
	if (pg->n == 1) {
		snprintf(reason, len, "%s", pg->p[0].c.reason);
		at = strlen(reason);
	}
	for (int o = 0; o < 3 && pg->n > 1; o++) {
		const char *sep = "";

		for (size_t i = 0; i < pg->n && at < len; i++) {
			if (pg->p[i].c.verdict != order[o])
				continue;
			if (!*sep)
				at += (size_t)snprintf(reason + at, len - at, "%s%s in ", at ? "; " : "",
						       compare_verdict_word(order[o]));
			at += (size_t)snprintf(reason + at, len - at, "%s%s", sep, pg->p[i].name);
			sep = ", ";
		}
	}
	for (size_t i = 0; i < pg->ns && at < len; i++)
		at += (size_t)snprintf(reason + at, len - at, "%s%s not compared (%s)",
				       i ? ", " : "; ", pg->s[i].name, pg->s[i].why);
	return v;
}

/* ---- output ---- */

void compare_print_table(FILE *f, const struct compare_figures *c, const struct compare_rule *r)
{
	char head[32];

	snprintf(head, sizeof head, "%g%% interval", r->confidence * 100);
	fprintf(f, "%-8s %12s %12s %8s %15s %7s  %s\n", "figure", "A", "B", "B/A", head, "margin",
		"verdict");
	for (int k = 0; k < COMPARE_NFIG; k++) {
		char iv[40] = "-", m[16] = "-";

		/* a few pairs can make an interval astronomically wide: %g keeps
		 * it one readable field */
		if (!isnan(c->lo[k]) && c->hi[k] < 1000)
			snprintf(iv, sizeof iv, "%.3f-%.3f", c->lo[k], c->hi[k]);
		else if (!isnan(c->lo[k]))
			snprintf(iv, sizeof iv, "%.3g-%.3g", c->lo[k], c->hi[k]);
		if (!isnan(c->margin[k]))
			snprintf(m, sizeof m, "±%g%%", c->margin[k] * 100);
		/* "±" is two bytes but one column: pad by hand */
		fprintf(f, "%-8s %12.1f %12.1f %8.3f %15s %*s  %s", c->name[k], c->a[k], c->b[k],
			c->ratio[k], iv, isnan(c->margin[k]) ? 7 : 8, m, compare_fig_name(c->judged[k]));
		if (c->watch[k] && c->judged[k] != FIG_NOT_JUDGED && c->level[k] > r->confidence)
			fprintf(f, " (watched, %.3g%%)", c->level[k] * 100);
		else if (c->watch[k] && c->judged[k] != FIG_NOT_JUDGED)
			fprintf(f, " (watched)");
		fputc('\n', f);
	}
	if (isnan(c->d))
		return; /* no KS (interleaved blocks) */
	fprintf(f, "Kolmogorov-Smirnov: D = %.4f", c->d);
	if (!isnan(c->d_at))
		fprintf(f, " (largest at %.1f us)", c->d_at);
}

static void print_text(FILE *f, const struct results *ra, const struct results *rb,
		       const struct summary *ta, const struct summary *tb, const struct pairing *pg,
		       const struct compare_opts *o, enum compare_verdict v, const char *reason)
{
	const struct compare_rule *r = &o->rule;
	char level[192];
	bool one = pg->n == 1;

	if (one && strcmp(pg->mode, "group") == 0)
		fprintf(f, "meshwalk compare: group %s\n", pg->p[0].name);
	else
		fprintf(f, "meshwalk compare: %s\n", pg->mode);
	if (one) {
		ta = pg->p[0].sa;
		tb = pg->p[0].sb;
	}
	fprintf(f, "A: %s (%zu ok, %zu failures)\n", ra->path, ta->n, ta->failures);
	fprintf(f, "B: %s (%zu ok, %zu failures)\n", rb->path, tb->n, tb->failures);
	fprintf(f, "latency: intended send -> reply, microseconds, ok requests only\n");
	compare_level_text(level, sizeof level, r);
	fprintf(f, "intervals: %s, bootstrap of %u resamples (seed %llu) in blocks of "
		"requests sent in a row\n", level, pg->p[0].c.resamples, (unsigned long long)r->seed);
	for (size_t i = 0; i < pg->n; i++) {
		const struct pair *p = &pg->p[i];

		if (one)
			fprintf(f, "blocks: %zu requests (A), %zu (B)\n\n", p->c.block_a, p->c.block_b);
		else
			fprintf(f, "\ngroup %s: A %zu ok, B %zu ok; blocks: %zu requests (A), %zu (B)\n",
				p->name, p->na, p->nb, p->c.block_a, p->c.block_b);
		compare_print_table(f, &p->c, r);
		fprintf(f, ", p = %.3g (n_A = %zu, n_B = %zu)\n", p->c.p, p->na, p->nb);
		if (!one)
			fprintf(f, "verdict for %s: %s: %s\n", p->name, compare_verdict_word(p->c.verdict),
				p->c.reason);
	}
	if (!one)
		fputc('\n', f);
	for (size_t i = 0; i < pg->ns; i++)
		fprintf(f, "not compared: %s (%s)\n", pg->s[i].name, pg->s[i].why);
	fprintf(f, "verdict: %s: %s\n", compare_verdict_word(v), reason);
}

void compare_json_number(FILE *f, double v)
{
	if (isnan(v))
		fputs("null", f);
	else
		fprintf(f, "%.6g", v);
}

/* ', "key": value' */
void compare_rule_json(FILE *f, const struct compare_rule *r, const struct compare_figures *c)
{
	fprintf(f, "  \"margins\": {");
	for (int k = 0; k < COMPARE_MAX; k++) {
		fprintf(f, "%s\"%s\": ", k ? ", " : "", c->name[k]);
		compare_json_number(f, r->margin[k]);
	}
	fprintf(f, "},\n  \"watched\": [");
	for (int k = 0, n = 0; k < COMPARE_MAX; k++)
		if (r->watch[k] && !isnan(r->margin[k]))
			fprintf(f, "%s\"%s\"", n++ ? ", " : "", c->name[k]);
	fputc(']', f);
}

static void put_key(FILE *f, const char *key, double v)
{
	fprintf(f, ", \"%s\": ", key);
	compare_json_number(f, v);
}

void compare_figures_json(FILE *f, const struct compare_figures *c, const char *indent)
{
	for (int k = 0; k < COMPARE_NFIG; k++) {
		fprintf(f, "%s\n%s{\"name\": \"%s\"", k ? "," : "", indent, c->name[k]);
		put_key(f, "a", c->a[k]);
		put_key(f, "b", c->b[k]);
		put_key(f, "ratio", c->ratio[k]);
		put_key(f, "ci_low", c->lo[k]);
		put_key(f, "ci_high", c->hi[k]);
		put_key(f, "level", c->level[k]);
		put_key(f, "margin", c->margin[k]);
		fprintf(f, ", \"watched\": %s, \"verdict\": \"%s\"}",
			c->watch[k] ? "true" : "false", compare_fig_name(c->judged[k]));
	}
}

static void write_json_pair(FILE *f, const struct pair *p)
{
	const struct compare_figures *c = &p->c;

	fprintf(f, "\n    {\"name\": ");
	json_write_string(f, p->name);
	fprintf(f, ",\n     \"a_summary\": ");
	summary_json_object(f, p->sa);
	fprintf(f, ",\n     \"b_summary\": ");
	summary_json_object(f, p->sb);
	fprintf(f, ",\n     \"resamples\": %u, \"block_a\": %zu, \"block_b\": %zu,\n     \"figures\": [",
		c->resamples, c->block_a, c->block_b);
	compare_figures_json(f, c, "      ");
	fprintf(f, "\n     ]");
	put_key(f, "ks_distance", c->d);
	put_key(f, "ks_distance_at_us", c->d_at);
	put_key(f, "ks_pvalue", c->p);
	fprintf(f, ",\n     \"verdict\": \"%s\", \"reason\": ", compare_verdict_key(c->verdict));
	json_write_string(f, c->reason);
	fprintf(f, "}");
}

static int write_json(FILE *f, const struct results *ra, const struct results *rb,
		      const struct pairing *pg, const struct compare_opts *o, enum compare_verdict v,
		      const char *reason)
{
	const struct compare_rule *r = &o->rule;

	fprintf(f, "{\n  \"meshwalk_compare_version\": 2,\n  \"a\": ");
	json_write_string(f, ra->path);
	fprintf(f, ",\n  \"b\": ");
	json_write_string(f, rb->path);
	fprintf(f, ",\n  \"group\": ");
	if (o->group)
		json_write_string(f, o->group);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"units\": \"us\",\n  \"confidence\": ");
	compare_json_number(f, r->confidence);

	fprintf(f, ",\n  \"resamples\": %u,\n  \"seed\": %llu,\n  \"block\": ", r->resamples,
		(unsigned long long)r->seed);
	if (r->block)
		fprintf(f, "%zu", r->block);
	else
		fputs("\"auto\"", f);
	fprintf(f, ",\n  \"alpha\": ");
	compare_json_number(f, r->alpha);
	fprintf(f, ",\n");
	compare_rule_json(f, r, &pg->p[0].c);
	fprintf(f, ",\n  \"groups\": [");
	for (size_t i = 0; i < pg->n; i++) {
		fputs(i ? "," : "", f);
		write_json_pair(f, &pg->p[i]);
	}
	fprintf(f, "\n  ],\n  \"not_compared\": [");
	for (size_t i = 0; i < pg->ns; i++) {
		fprintf(f, "%s{\"name\": ", i ? ", " : "");
		json_write_string(f, pg->s[i].name);
		fprintf(f, ", \"why\": \"%s\"}", pg->s[i].why);
	}
	fprintf(f, "],\n  \"verdict\": \"%s\",\n  \"reason\": ", compare_verdict_key(v));
	json_write_string(f, reason);
	fprintf(f, "\n}\n");
	return ferror(f) ? -EIO : 0;
}

static void put_csv(FILE *f, double v, int decimals)
{
	if (!isnan(v))
		fprintf(f, "%.*f", decimals, v);
}

static int write_csv(FILE *f, const struct pairing *pg)
{
	fprintf(f, "group,figure,a_us,b_us,ratio,ci_low,ci_high,margin,verdict,watched\n");
	for (size_t i = 0; i < pg->n; i++) {
		const struct compare_figures *c = &pg->p[i].c;

		for (int k = 0; k < COMPARE_NFIG; k++) {
			fprintf(f, "%s,%s,%.3f,%.3f,", pg->p[i].name, c->name[k], c->a[k], c->b[k]);
			put_csv(f, c->ratio[k], 6);
			fputc(',', f);
			put_csv(f, c->lo[k], 6);
			fputc(',', f);
			put_csv(f, c->hi[k], 6);
			fputc(',', f);
			if (!isnan(c->margin[k]))
				fprintf(f, "%g", c->margin[k]);
			fprintf(f, ",%s,%d\n", compare_fig_name(c->judged[k]), c->watch[k] ? 1 : 0);
		}
	}
	return ferror(f) ? -EIO : 0;
}

/* Both sides' quantiles: groups "A" and "B" for one pair, "A NAME" and
 * "B NAME" for several. */
static int write_quantiles(FILE *f, const struct pairing *pg, char (*names)[210])
{
	struct summary *rows = xcalloc(2 * pg->n, sizeof *rows);
	int rc;

	for (size_t i = 0; i < pg->n; i++) {
		rows[2 * i] = *pg->p[i].sa;
		rows[2 * i + 1] = *pg->p[i].sb;
		rows[2 * i].name = names[2 * i];
		rows[2 * i + 1].name = names[2 * i + 1];
	}
	rc = tables_write_quantiles(f, rows, 2 * pg->n);
	free(rows);
	return rc;
}

struct outputs {
	const struct results *ra, *rb;
	const struct summary *ta, *tb; /* whole sides, for the header */
	const struct pairing *pg;
	const struct compare_opts *o;
	enum compare_verdict v;
	const char *reason;
	char (*names)[210];            /* quantile group names, 2 per pair */
};

static int write_file(const char *name, int which, const struct outputs *w, struct err *e)
{
	char path[1024];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof path, "%s/%s", w->o->out_dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return err_set(e, "%s: %s", path, strerror(errno));
	switch (which) {
	case 0: print_text(f, w->ra, w->rb, w->ta, w->tb, w->pg, w->o, w->v, w->reason); break;
	case 1: rc = write_csv(f, w->pg); break;
	case 2: rc = write_json(f, w->ra, w->rb, w->pg, w->o, w->v, w->reason); break;
	default: rc = write_quantiles(f, w->pg, w->names); break;
	}
	if (ferror(f))
		rc = -EIO;
	if (fclose(f) != 0 || rc < 0)
		return err_set(e, "%s: write error", path);
	return 0;
}

static int write_plot(const struct outputs *w, struct err *e)
{
	const struct pairing *pg = w->pg;
	struct plot_series *s = xcalloc(2 * pg->n, sizeof *s);
	char (*labels)[600] = xcalloc(2 * pg->n, sizeof *labels);
	char dir[1024], title[256];
	int rc;

	for (size_t i = 0; i < 2 * pg->n; i++) {
		const struct pair *p = &pg->p[i / 2];

		snprintf(labels[i], sizeof labels[i], "%s (%zu ok)", w->names[i],
			 i % 2 ? p->nb : p->na);
		if (pg->n == 1)
			snprintf(labels[i], sizeof labels[i], "%s: %s (%zu ok)", i % 2 ? "B" : "A",
				 i % 2 ? w->rb->label : w->ra->label, i % 2 ? p->nb : p->na);
		s[i] = (struct plot_series){ w->names[i], labels[i] };
	}
	snprintf(dir, sizeof dir, "%s/plots", w->o->out_dir);
	if (pg->n == 1 && pg->p[0].c.decisive >= 0 && !isnan(pg->p[0].c.lo[pg->p[0].c.decisive])) {
		const struct compare_figures *c = &pg->p[0].c;

		snprintf(title, sizeof title, "latency CDF, A vs B: %s (%s B/A %.3f-%.3f), KS D = %.4f, p = %.3g",
			 compare_verdict_key(w->v), c->name[c->decisive], c->lo[c->decisive],
			 c->hi[c->decisive], c->d, c->p);
	} else if (pg->n == 1) {
		snprintf(title, sizeof title, "latency CDF, A vs B: %s, KS D = %.4f, p = %.3g",
			 compare_verdict_key(w->v), pg->p[0].c.d, pg->p[0].c.p);
	}
	else
		snprintf(title, sizeof title, "latency CDF, A vs B per group: %s", compare_verdict_key(w->v));
	rc = file_mkdir(dir, e);
	if (rc == 0)
		rc = plots_cdf(w->o->out_dir, "compare-cdf", title, "compare-quantiles.csv", s,
			       2 * pg->n, pg->n == 1 ? pg->p[0].c.d_at : NAN, e);
	free(s);
	free(labels);
	return rc;
}

int compare_write(const struct results *ra, const struct results *rb, const struct compare_opts *o,
		  FILE *out, enum compare_verdict *verdict, struct err *e)
{
	struct summary *rows_a = xcalloc(ra->ngroups + 1, sizeof *rows_a);
	struct summary *rows_b = xcalloc(rb->ngroups + 1, sizeof *rows_b);
	struct pairing pg;
	char reason[1024];
	struct outputs w = { ra, rb, &rows_a[ra->ngroups], &rows_b[rb->ngroups], &pg, o, 0, reason,
			     NULL };
	int rc;

	summary_build(ra, rows_a);
	summary_build(rb, rows_b);
	rc = make_pairs(ra, rb, rows_a, rows_b, o->group, &pg, e);
	if (rc < 0)
		goto out;
	for (size_t i = 0; i < pg.n; i++)
		compare_figures(pg.p[i].a, pg.p[i].na, pg.p[i].b, pg.p[i].nb, &o->rule, &pg.p[i].c);
	w.v = *verdict = overall(&pg, reason, sizeof reason);
	if (out)
		print_text(out, ra, rb, w.ta, w.tb, &pg, o, w.v, reason);
	if (o->out_dir) {
		static const char *const files[] = { "compare.txt", "compare.csv", "compare.json",
						     "compare-quantiles.csv" };

		w.names = xcalloc(2 * pg.n, sizeof *w.names);
		for (size_t i = 0; i < 2 * pg.n; i++)
			snprintf(w.names[i], sizeof w.names[i], pg.n == 1 ? "%s" : "%s %s",
				 i % 2 ? "B" : "A", pg.p[i / 2].name);
		rc = file_mkdir(o->out_dir, e);
		for (int i = 0; i < 4 && rc == 0; i++)
			rc = write_file(files[i], i, &w, e);
		if (rc == 0 && o->plots)
			rc = write_plot(&w, e);
		free(w.names);
	}
out:
	pairing_free(&pg);
	for (size_t i = 0; i <= ra->ngroups; i++)
		summary_free(&rows_a[i]);
	for (size_t i = 0; i <= rb->ngroups; i++)
		summary_free(&rows_b[i]);
	free(rows_a);
	free(rows_b);
	return rc;
}
