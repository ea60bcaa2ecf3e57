/* netbase.c -- see netbase.h. */
#include "import/netbase.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/sample.h"
#include "util/json.h"
#include "util/jsonin.h"
#include "util/xalloc.h"

void netbase_init(struct netbase *b)
{
	memset(b, 0, sizeof *b);
}

void netbase_free(struct netbase *b)
{
	for (uint32_t i = 0; i < b->n; i++) {
		free(b->e[i].from);
		free(b->e[i].to);
	}
	free(b->e);
	netbase_init(b);
}

static struct netbase_edge *find(const struct netbase *b, const char *from, const char *to)
{
	for (uint32_t i = 0; i < b->n; i++)
		if (strcmp(b->e[i].from, from) == 0 && strcmp(b->e[i].to, to) == 0)
			return &b->e[i];
	return NULL;
}

static void set(struct netbase *b, const char *from, const char *to, double mean_ns,
		double var_ns2, bool leaf)
{
	struct netbase_edge *x = find(b, from, to);

	if (x == NULL) {
		b->e = xrealloc(b->e, ((size_t)b->n + 1) * sizeof *b->e);
		x = &b->e[b->n++];
		x->from = xstrdup(from);
		x->to = xstrdup(to);
	}
	x->mean_ns = mean_ns;
	x->var_ns2 = var_ns2;
	x->leaf = leaf;
}

void netbase_set(struct netbase *b, const char *from, const char *to, double mean_ns,
		 double var_ns2)
{
	set(b, from, to, mean_ns, var_ns2, false);
}

void netbase_set_leaf(struct netbase *b, const char *from, const char *to, double mean_ns,
		      double var_ns2)
{
	set(b, from, to, mean_ns, var_ns2, true);
}

void netbase_leaf(const struct netbase *b, const char *to, double *mean_ns, double *var_ns2)
{
	uint32_t k = 0;

	*mean_ns = *var_ns2 = 0;
	for (uint32_t i = 0; i < b->n; i++)
		if (b->e[i].leaf && strcmp(b->e[i].to, to) == 0) {
			*mean_ns += b->e[i].mean_ns;
			*var_ns2 += b->e[i].var_ns2;
			k++;
		}
	if (k > 1) {
		*mean_ns /= k;
		*var_ns2 /= k;
	}
}

void netbase_get(const struct netbase *b, const char *from, const char *to, double *mean_ns,
		 double *var_ns2)
{
	const struct netbase_edge *x = find(b, from, to);

	*mean_ns = x ? x->mean_ns : b->mean_ns;
	*var_ns2 = x ? x->var_ns2 : b->var_ns2;
}

void netbase_add(struct netbase *acc, const struct netbase *src)
{
	double am = acc->mean_ns, av = acc->var_ns2;

	/* edges of acc: plus src's value for them (its default if unlisted;
	 * a leaf edge has none) */
	for (uint32_t i = 0; i < acc->n; i++) {
		const struct netbase_edge *x = find(src, acc->e[i].from, acc->e[i].to);
		double m = 0, v = 0;

		if (x != NULL || !acc->e[i].leaf)
			netbase_get(src, acc->e[i].from, acc->e[i].to, &m, &v);
		acc->e[i].mean_ns += m;
		acc->e[i].var_ns2 += v;
	}
	/* edges of src only: acc's default plus theirs */
	for (uint32_t i = 0; i < src->n; i++) {
		const struct netbase_edge *x = &src->e[i];

		if (find(acc, x->from, x->to) == NULL)
			set(acc, x->from, x->to, (x->leaf ? 0 : am) + x->mean_ns,
			    (x->leaf ? 0 : av) + x->var_ns2, x->leaf);
	}
	acc->mean_ns = am + src->mean_ns;
	acc->var_ns2 = av + src->var_ns2;
}

/* A number of us as ns, or def when absent. */
static double us_ns(const struct jsonin *v, double def)
{
	double x = jsonin_num(v);

	return isfinite(x) ? x * 1000.0 : def;
}

static bool is_true(const struct jsonin *v)
{
	return v != NULL && v->type == JSONIN_BOOL && v->num == 1;
}

int netbase_load(const char *path, struct netbase *b, struct err *e)
{
	struct jsonin *j;
	const struct jsonin *net, *edges;
	struct netbase got;
	int rc = jsonin_load(path, &j, e);

	if (rc < 0) {
		if (e->line)
			return err_prefix(e, "%s:%d:%d", path, e->line, e->col ? e->col : 1);
		err_prefix(e, "%s", path);
		return rc;
	}
	net = jsonin_get(j, "network");
	edges = jsonin_get(net, "edges");
	if (edges == NULL || edges->type != JSONIN_ARRAY) {
		jsonin_free(j);
		return err_set(e, "%s: no \"network\" member with \"edges\" (expected the --json "
			       "file of meshwalk validate)", path);
	}
	netbase_init(&got);
	for (size_t i = 0; i < edges->n; i++) {
		const struct jsonin *x = jsonin_at(edges, i);
		const char *from = jsonin_str(jsonin_get(x, "from")), *to = jsonin_str(jsonin_get(x, "to"));
		double m = us_ns(jsonin_get(x, "extra_mean_us"), us_ns(jsonin_get(x, "extra_us"), NAN));

		if (from == NULL || to == NULL || isnan(m)) {
			netbase_free(&got);
			jsonin_free(j);
			return err_set(e, "%s: network edge %zu: no from, to and extra_mean_us", path,
				       i + 1);
		}
		set(&got, from, to, m, us_ns(jsonin_get(x, "extra_var_us2"), 0) * 1000.0,
		    is_true(jsonin_get(x, "leaf")));
	}
	got.mean_ns = us_ns(jsonin_get(net, "extra_mean_us"),
			    us_ns(jsonin_get(net, "median_extra_us"), NAN));
	if (isnan(got.mean_ns) && edges->n == 0) {
		netbase_free(&got);
		jsonin_free(j);
		return err_set(e, "%s: measured no call edge (was the clone's run traced? "
			       "trace_sample)", path);
	}
	if (isnan(got.mean_ns))
		got.mean_ns = 0;
	got.var_ns2 = us_ns(jsonin_get(net, "extra_var_us2"), 0) * 1000.0;
	jsonin_free(j);
	netbase_add(b, &got);
	netbase_free(&got);
	return 0;
}

void netbase_write(FILE *f, const struct netbase *b)
{
	fprintf(f, "{\"network\": {\"edges\": [");
	for (uint32_t i = 0; i < b->n; i++) {
		fprintf(f, "%s\n  {\"from\": ", i ? "," : "");
		json_write_string(f, b->e[i].from);
		fprintf(f, ", \"to\": ");
		json_write_string(f, b->e[i].to);
		fprintf(f, ", \"extra_mean_us\": %.3f, \"extra_var_us2\": %.3f%s}",
			b->e[i].mean_ns / 1000.0, b->e[i].var_ns2 / 1e6,
			b->e[i].leaf ? ", \"leaf\": true" : "");
	}
	fprintf(f, "%s], \"extra_mean_us\": %.3f, \"extra_var_us2\": %.3f}}\n", b->n ? "\n" : "",
		b->mean_ns / 1000.0, b->var_ns2 / 1e6);
}

void netbase_moments(const double *x, uint32_t n, double *mean, double *var)
{
	double lo, hi, s = 0, ss = 0;

	*mean = *var = 0;
	if (n == 0)
		return;
	lo = sample_percentile(x, n, 1);
	hi = sample_percentile(x, n, 99);
	for (uint32_t i = 0; i < n; i++)
		s += fmin(fmax(x[i], lo), hi);
	*mean = s / n;
	for (uint32_t i = 0; i < n; i++) {
		double d = fmin(fmax(x[i], lo), hi) - *mean;

		ss += d * d;
	}
	*var = ss / n;
}

/* The mean of max(0, a + s (x - m)) over x[0..n) clamped to [lo, hi]: the
 * clamped mean of netbase_moments() of those values, since they grow with
 * x. */
static double clipped_mean(const double *x, uint32_t n, double lo, double hi, double a, double s,
			   double m)
{
	double sum = 0;

	for (uint32_t i = 0; i < n; i++)
		sum += fmax(0, a + s * (fmin(fmax(x[i], lo), hi) - m));
	return sum / n;
}

/* The rule in `parts` independent parts (2: a link's two ways). */
static uint32_t rule(const double *x, uint32_t n, double mean_ns, double var_ns2, int parts,
		     double *y)
{
	double m, v, tm, tv, s, lo, hi, plo, phi;

	if (n == 0)
		return 0;
	netbase_moments(x, n, &m, &v);
	/* the clone's hop costs time, never less than nothing: a baseline
	 * that came out negative (the clone's link fell short of the
	 * original's, say a tail its emp: list cut) is not made up for by
	 * stretching every sample */
	tm = (m - fmax(mean_ns, 0)) / parts;
	tv = (v - fmax(var_ns2, 0)) / parts;
	if (!(tm > 0))
		return 0;
	s = v > 0 && tv > 0 ? sqrt(tv / v) : 0;
	plo = sample_percentile(x, n, 1);
	phi = sample_percentile(x, n, 99);
	/* a: the clipped samples' mean is tm. At a = tm the unclipped mean is
	 * tm, so the clipped one at least; with the largest sample at tm, at
	 * most tm; it grows with a. */
	hi = tm;
	lo = tm - s * (phi - m);
	for (int it = 0; it < 100 && hi - lo > 1e-3; it++) {
		double mid = (lo + hi) / 2;

		if (clipped_mean(x, n, plo, phi, mid, s, m) < tm)
			lo = mid;
		else
			hi = mid;
	}
	for (uint32_t i = 0; i < n; i++)
		y[i] = fmax(0, hi + s * (x[i] - m));
	return n;
}

uint32_t netbase_link(const double *x, uint32_t n, double mean_ns, double var_ns2, double *y)
{
	return rule(x, n, mean_ns, var_ns2, 2, y);
}

uint32_t netbase_leaf_time(const double *x, uint32_t n, double mean_ns, double var_ns2, double *y)
{
	return rule(x, n, mean_ns, var_ns2, 1, y);
}
