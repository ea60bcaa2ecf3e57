/* compare.c -- see compare.h. */
#include "report/compare.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/gnuplot.h"
#include "report/plots.h"
#include "report/report.h"
#include "report/summary.h"
#include "report/tables.h"
#include "stats/ks.h"
#include "stats/sample.h"
#include "util/json.h"
#include "util/xalloc.h"

static const char *const fig_names[COMPARE_NFIG] = { "mean", "p50", "p90", "p99", "p99.9", "max" };
static const double fig_p[COMPARE_NFIG] = { NAN, 50, 90, 99, 99.9, 100 };

void compare_figures(const double *a, size_t na, const double *b, size_t nb, double alpha,
		     double tolerance, struct compare_figures *c)
{
	double worst = -1;

	memset(c, 0, sizeof *c);
	c->worst = -1;
	for (int k = 0; k < COMPARE_NFIG; k++) {
		c->name[k] = fig_names[k];
		if (k == 0) {
			c->a[k] = sample_mean(a, na);
			c->b[k] = sample_mean(b, nb);
			c->judged[k] = true;
		} else {
			double p = fig_p[k];

			c->a[k] = sample_percentile(a, na, p);
			c->b[k] = sample_percentile(b, nb, p);
			c->judged[k] = p < 100 && na * (1 - p / 100) >= COMPARE_TAIL_MIN - 1e-9 &&
				       nb * (1 - p / 100) >= COMPARE_TAIL_MIN - 1e-9;
		}
		c->ratio[k] = c->a[k] > 0 ? c->b[k] / c->a[k] : NAN;
		if (c->judged[k] && !isnan(c->ratio[k]) && fabs(c->ratio[k] - 1) > worst) {
			worst = fabs(c->ratio[k] - 1);
			c->worst = k;
		}
	}
	c->d = ks_distance(a, na, b, nb, &c->d_at);
	c->p = ks_pvalue(c->d, na, nb);
	if (c->p >= alpha) {
		c->verdict = COMPARE_SAME;
		snprintf(c->reason, sizeof c->reason,
			 "the KS test does not tell the samples apart (p = %.3g >= %g)", c->p, alpha);
	} else if (c->worst < 0 || worst <= tolerance) {
		c->verdict = COMPARE_SAME;
		snprintf(c->reason, sizeof c->reason,
			 "the distributions differ (KS p = %.3g < %g), but every judged figure is within "
			 "%g%% (largest: %s %+.1f%%)",
			 c->p, alpha, tolerance * 100, c->worst >= 0 ? fig_names[c->worst] : "-",
			 c->worst >= 0 ? (c->ratio[c->worst] - 1) * 100 : 0.0);
	} else {
		c->verdict = COMPARE_DIFFERENT;
		snprintf(c->reason, sizeof c->reason,
			 "the distributions differ (KS p = %.3g < %g) and B's %s is %+.1f%% from A's "
			 "(tolerance %g%%): B is %s",
			 c->p, alpha, fig_names[c->worst], (c->ratio[c->worst] - 1) * 100, tolerance * 100,
			 c->ratio[c->worst] > 1 ? "slower" : "faster");
	}
}

/* The row to compare: the named group, or all groups ("all", the last). */
static const struct summary *pick(const struct results *r, const struct summary *rows,
				  const char *group, struct err *e)
{
	if (group == NULL)
		return &rows[r->ngroups];
	for (size_t i = 0; i < r->ngroups; i++)
		if (strcmp(rows[i].name, group) == 0)
			return &rows[i];
	err_set(e, "%s: no client group '%s'", r->path, group);
	return NULL;
}

static void print_text(FILE *f, const struct results *ra, const struct results *rb,
		       const struct summary *a, const struct summary *b, const struct compare_opts *o,
		       const struct compare_figures *c)
{
	fprintf(f, "meshwalk compare: %s\n", o->group ? o->group : "all client groups");
	fprintf(f, "A: %s (%zu ok, %zu failures)\n", ra->path, a->n, a->failures);
	fprintf(f, "B: %s (%zu ok, %zu failures)\n", rb->path, b->n, b->failures);
	fprintf(f, "latency: intended send -> reply, microseconds, ok requests only\n\n");
	fprintf(f, "%-8s %12s %12s %9s\n", "figure", "A", "B", "B/A");
	for (int k = 0; k < COMPARE_NFIG; k++)
		fprintf(f, "%-8s %12.1f %12.1f %9.3f%s\n", c->name[k], c->a[k], c->b[k], c->ratio[k],
			c->judged[k] ? "" : "  (not judged)");
	fprintf(f, "\nKolmogorov-Smirnov: D = %.4f", c->d);
	if (!isnan(c->d_at))
		fprintf(f, " (largest at %.1f us)", c->d_at);
	fprintf(f, ", p = %.3g (n_A = %zu, n_B = %zu)\n", c->p, a->n, b->n);
	fprintf(f, "verdict: %s: %s\n",
		c->verdict == COMPARE_DIFFERENT ? "DIFFERENT" : "same within noise", c->reason);
}

static void put(FILE *f, double v)
{
	if (isnan(v))
		fputs("null", f);
	else
		fprintf(f, "%.6g", v);
}

static int write_json(FILE *f, const struct results *ra, const struct results *rb,
		      const struct summary *a, const struct summary *b, const struct compare_opts *o,
		      const struct compare_figures *c)
{
	fprintf(f, "{\n  \"meshwalk_compare_version\": 1,\n  \"a\": ");
	json_write_string(f, ra->path);
	fprintf(f, ",\n  \"b\": ");
	json_write_string(f, rb->path);
	fprintf(f, ",\n  \"group\": ");
	if (o->group)
		json_write_string(f, o->group);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"units\": \"us\",\n  \"a_summary\": ");
	summary_json_object(f, a);
	fprintf(f, ",\n  \"b_summary\": ");
	summary_json_object(f, b);
	fprintf(f, ",\n  \"figures\": [");
	for (int k = 0; k < COMPARE_NFIG; k++) {
		fprintf(f, "%s\n    {\"name\": \"%s\", \"a\": ", k ? "," : "", c->name[k]);
		put(f, c->a[k]);
		fprintf(f, ", \"b\": ");
		put(f, c->b[k]);
		fprintf(f, ", \"ratio\": ");
		put(f, c->ratio[k]);
		fprintf(f, ", \"judged\": %s}", c->judged[k] ? "true" : "false");
	}
	fprintf(f, "\n  ],\n  \"ks_distance\": ");
	put(f, c->d);
	fprintf(f, ",\n  \"ks_distance_at_us\": ");
	put(f, c->d_at);
	fprintf(f, ",\n  \"ks_pvalue\": ");
	put(f, c->p);
	fprintf(f, ",\n  \"alpha\": ");
	put(f, o->alpha);
	fprintf(f, ",\n  \"tolerance\": ");
	put(f, o->tolerance);
	fprintf(f, ",\n  \"verdict\": \"%s\",\n  \"reason\": ",
		c->verdict == COMPARE_DIFFERENT ? "different" : "same");
	json_write_string(f, c->reason);
	fprintf(f, "\n}\n");
	return ferror(f) ? -EIO : 0;
}

static int write_csv(FILE *f, const struct compare_figures *c)
{
	fprintf(f, "figure,a_us,b_us,ratio,judged\n");
	for (int k = 0; k < COMPARE_NFIG; k++)
		fprintf(f, "%s,%.3f,%.3f,%.6f,%d\n", c->name[k], c->a[k], c->b[k], c->ratio[k],
			c->judged[k]);
	return ferror(f) ? -EIO : 0;
}

/* The two samples' quantiles, as groups "A" and "B" of one table. */
static int write_quantiles(FILE *f, const struct summary *a, const struct summary *b)
{
	struct summary two[2] = { *a, *b };

	two[0].name = "A";
	two[1].name = "B";
	return tables_write_quantiles(f, two, 2);
}

static int write_file(const char *dir, const char *name, int which, const struct results *ra,
		      const struct results *rb, const struct summary *a, const struct summary *b,
		      const struct compare_opts *o, const struct compare_figures *c, struct err *e)
{
	char path[1024];
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return err_set(e, "%s: %s", path, strerror(errno));
	switch (which) {
	case 0: print_text(f, ra, rb, a, b, o, c); break;
	case 1: rc = write_csv(f, c); break;
	case 2: rc = write_json(f, ra, rb, a, b, o, c); break;
	default: rc = write_quantiles(f, a, b); break;
	}
	if (ferror(f))
		rc = -EIO;
	if (fclose(f) != 0 || rc < 0)
		return err_set(e, "%s: write error", path);
	return 0;
}

int compare_write(const struct results *ra, const struct results *rb, const struct compare_opts *o,
		  FILE *out, enum compare_verdict *verdict, struct err *e)
{
	struct summary *rows_a = xcalloc(ra->ngroups + 1, sizeof *rows_a);
	struct summary *rows_b = xcalloc(rb->ngroups + 1, sizeof *rows_b);
	const struct summary *a, *b;
	struct compare_figures c;
	int rc = 0;

	summary_build(ra, rows_a);
	summary_build(rb, rows_b);
	a = pick(ra, rows_a, o->group, e);
	b = a ? pick(rb, rows_b, o->group, e) : NULL;
	if (a && b && (a->n == 0 || b->n == 0)) {
		err_set(e, "%s has no ok requests to compare", a->n == 0 ? ra->path : rb->path);
		b = NULL;
	}
	if (a == NULL || b == NULL) {
		rc = -EINVAL;
		goto out;
	}
	compare_figures(a->lat, a->n, b->lat, b->n, o->alpha, o->tolerance, &c);
	*verdict = c.verdict;
	if (out)
		print_text(out, ra, rb, a, b, o, &c);
	if (o->out_dir) {
		static const char *const files[] = { "compare.txt", "compare.csv", "compare.json",
						     "compare-quantiles.csv" };

		rc = report_mkdir(o->out_dir, e);
		for (int i = 0; i < 4 && rc == 0; i++)
			rc = write_file(o->out_dir, files[i], i, ra, rb, a, b, o, &c, e);
		if (rc == 0 && o->plots) {
			char dir[1024], la[600], lb[600], title[256];
			struct plot_series s[2] = { { "A", la }, { "B", lb } };

			snprintf(dir, sizeof dir, "%s/plots", o->out_dir);
			snprintf(la, sizeof la, "A: %s (%zu ok)", ra->label, a->n);
			snprintf(lb, sizeof lb, "B: %s (%zu ok)", rb->label, b->n);
			snprintf(title, sizeof title, "latency CDF, A vs B: KS D = %.4f, p = %.3g, %s", c.d,
				 c.p, c.verdict == COMPARE_DIFFERENT ? "different" : "same within noise");
			rc = report_mkdir(dir, e);
			if (rc == 0)
				rc = plots_cdf(o->out_dir, "compare-cdf", title, "compare-quantiles.csv", s,
					       2, c.d_at, e);
		}
	}
out:
	for (size_t i = 0; i <= ra->ngroups; i++)
		summary_free(&rows_a[i]);
	for (size_t i = 0; i <= rb->ngroups; i++)
		summary_free(&rows_b[i]);
	free(rows_a);
	free(rows_b);
	return rc;
}
