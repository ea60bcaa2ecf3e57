/* validate_net.c -- validate's network time per call edge: the traces'
 * model against the model of the clone's own spans (see validate.h), and
 * the clone's extra per edge as a network baseline (import/netbase.h). */
#include "import/validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import/netbase.h"
#include "import/writer.h"
#include "stats/sample.h"
#include "util/xalloc.h"

/* Edges with fewer calls on either side are listed but not measured: a
 * handful of calls says little about a hop's cost. */
#define NET_MIN_CALLS 10

/* The clone's edge of calls from service `from` to service `to` (scenario
 * names: the clone's spans carry them), or NULL. */
static const struct model_edge *clone_edge(const struct model *c, const char *from, const char *to)
{
	for (uint32_t i = 0; i < c->nedges; i++)
		if (strcmp(model_name(c, c->edges[i].from), from) == 0 &&
		    strcmp(model_name(c, c->edges[i].to), to) == 0)
			return &c->edges[i];
	return NULL;
}

/* An edge's network time in us: median, and the moments netbase.h uses. */
struct net_fig {
	double p50, mean, var;
};

static struct net_fig net_fig(const struct reservoir *r)
{
	struct net_fig f = { 0 };
	uint32_t n;
	double *x = reservoir_sorted(r, &n);

	if (n) {
		f.p50 = sample_percentile(x, n, 50) / 1000.0;
		netbase_moments(x, n, &f.mean, &f.var);
		f.mean /= 1000.0;
		f.var /= 1e6;
	}
	free(x);
	return f;
}

static int by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_of(double *x, uint32_t n)
{
	qsort(x, n, sizeof *x, by_double);
	return n ? sample_percentile(x, n, 50) : 0;
}

/* One measured edge (calls no and nk on each side; leaf: a call's whole
 * time): its text and its JSON element. */
static void net_edge(const char *from, const char *to, uint64_t no, uint64_t nk, bool leaf,
		     struct net_fig o, struct net_fig k, FILE *out, FILE *json, bool *first)
{
	if (out)
		fprintf(out, "  %s -> %s%s: calls %llu / %llu, median %.1f / %.1f (%+.1f), mean %.1f / "
			     "%.1f (%+.1f), sd %.1f / %.1f\n", from, to,
			leaf ? " (a leaf: the call's whole time)" : "", (unsigned long long)no,
			(unsigned long long)nk, o.p50, k.p50, k.p50 - o.p50, o.mean, k.mean,
			k.mean - o.mean, sqrt(o.var), sqrt(k.var));
	if (json) {
		fprintf(json, "%s\n    {\"from\": \"%s\", \"to\": \"%s\", \"calls_original\": %llu, "
			      "\"calls_clone\": %llu, \"p50_original_us\": %.3f, "
			      "\"p50_clone_us\": %.3f, \"extra_us\": %.3f, \"mean_original_us\": %.3f, "
			      "\"mean_clone_us\": %.3f, \"sd_original_us\": %.3f, \"sd_clone_us\": %.3f, "
			      "\"extra_mean_us\": %.3f, \"extra_var_us2\": %.3f%s}",
			*first ? "" : ",", from, to, (unsigned long long)no, (unsigned long long)nk,
			o.p50, k.p50, k.p50 - o.p50, o.mean, k.mean, sqrt(o.var), sqrt(k.var),
			k.mean - o.mean, k.var - o.var, leaf ? ", \"leaf\": true" : "");
		*first = false;
	}
}

/* The calls of the clone to each leaf of the traces (a service known only
 * from client spans, which the clone runs as a node): the clone's client
 * spans against the original's, the call's whole time (netbase.h). */
static void leaf_edges(const struct model *m, const struct writer_names *nm,
		       const struct model *cl, struct netbase *base, FILE *out, FILE *json,
		       bool *first)
{
	for (uint32_t i = 0; i < cl->nedges; i++) {
		const struct model_edge *ce = &cl->edges[i];
		const char *to = model_name(cl, ce->to);
		struct reservoir all = { 0 };
		struct rng g;
		struct net_fig o, k;
		uint64_t no = 0;

		rng_seed(&g, 5, 1);
		for (uint32_t r = 0; r < m->nroutes; r++) {
			const struct model_route *rt = &m->routes[r];
			const char *name = writer_service_name(nm, rt->svc);

			if (!rt->leaf || name == NULL || strcmp(name, to) != 0)
				continue;
			no += rt->leaf_dur.seen;
			for (uint32_t j = 0; j < rt->leaf_dur.n; j++)
				reservoir_add(&all, &g, rt->leaf_dur.v[j]);
		}
		if (all.n >= NET_MIN_CALLS && ce->call.n >= NET_MIN_CALLS &&
		    2 * ce->shorter <= ce->calls) {
			o = net_fig(&all);
			k = net_fig(&ce->call);
			net_edge(model_name(cl, ce->from), to, no, ce->calls, true, o, k, out, json,
				 first);
			if (base)
				netbase_set_leaf(base, model_name(cl, ce->from), to,
						 (k.mean - o.mean) * 1000.0, (k.var - o.var) * 1e6);
		}
		reservoir_free(&all);
	}
}

void validate_net(const struct model *m, const struct writer_names *nm, const struct model *cl,
		  struct netbase *base, FILE *out, FILE *json)
{
	size_t cap = m->nedges ? m->nedges : 1;
	double *extra = xmalloc(cap * sizeof *extra), *means = xmalloc(cap * sizeof *means);
	double *vars = xmalloc(cap * sizeof *vars);
	uint32_t nextra = 0;
	bool first = true;

	if (json)
		fprintf(json, "  \"network\": {\"edges\": [");
	if (out && cl != NULL && m->nedges > 0)
		fprintf(out, "network time per call edge (client span - server span, us, original / "
			     "clone; the clone's is its links' delay plus its own transport and link "
			     "holds):\n");
	for (uint32_t i = 0; cl != NULL && i < m->nedges; i++) {
		const struct model_edge *e = &m->edges[i];
		const char *from = writer_service_name(nm, e->from), *to = writer_service_name(nm, e->to);
		const struct model_edge *ce = from && to ? clone_edge(cl, from, to) : NULL;
		struct net_fig o, k;

		if (from == NULL || to == NULL || e->net.n == 0)
			continue;
		o = net_fig(&e->net);
		if (ce == NULL || ce->net.n == 0) {
			if (out)
				fprintf(out, "  %s -> %s: calls %llu / 0, median %.1f / -\n", from, to,
					(unsigned long long)e->calls, o.p50);
			continue;
		}
		if (2 * ce->shorter > ce->calls) {
			/* the clone sends it with nowait: its client span ends
			 * at the send, so it has no network time to compare */
			if (out)
				fprintf(out, "  %s -> %s: calls %llu / %llu, median %.1f / - (fire and "
					     "forget in the clone)\n", from, to,
					(unsigned long long)e->calls, (unsigned long long)ce->calls, o.p50);
			continue;
		}
		k = net_fig(&ce->net);
		if (e->net.n < NET_MIN_CALLS || ce->net.n < NET_MIN_CALLS) {
			if (out)
				fprintf(out, "  %s -> %s: calls %llu / %llu, median %.1f / %.1f: too few "
					     "calls to measure\n", from, to, (unsigned long long)e->calls,
					(unsigned long long)ce->calls, o.p50, k.p50);
			continue;
		}
		net_edge(from, to, e->calls, ce->calls, false, o, k, out, json, &first);
		extra[nextra] = k.p50 - o.p50;
		means[nextra] = k.mean - o.mean;
		vars[nextra++] = k.var - o.var;
		if (base)
			netbase_set(base, from, to, (k.mean - o.mean) * 1000.0, (k.var - o.var) * 1e6);
	}
	if (cl != NULL)
		leaf_edges(m, nm, cl, base, out, json, &first);
	if (nextra > 0) {
		double x = median_of(extra, nextra), mm = median_of(means, nextra);
		double mv = median_of(vars, nextra);

		if (out)
			fprintf(out, "  the clone's extra per call, median over %u edges: %.1f us (mean "
				     "%+.1f us, variance %+.0f us^2); import --net-baseline with the "
				     "--json file takes each edge's off its links (or --net-baseline "
				     "%.0fus, one figure for all)\n",
				nextra, x, mm, mv, x > 0 ? x : 0);
		if (json)
			fprintf(json, "\n  ], \"median_extra_us\": %.3f, \"extra_mean_us\": %.3f, "
				      "\"extra_var_us2\": %.3f},\n", x, mm, mv);
		if (base) {
			base->mean_ns = mm * 1000.0;
			base->var_ns2 = mv * 1e6;
		}
	} else if (json) {
		fprintf(json, "%s], \"median_extra_us\": null},\n", first ? "" : "\n  ");
	}
	free(extra);
	free(means);
	free(vars);
}

void validate_net_report(const struct model *m, const struct writer_names *nm,
			 const struct validate_clone *c, FILE *out, FILE *json)
{
	validate_net(m, nm, c->spans, NULL, out, json);
}
