/* validate_net.c -- validate's network time per call edge: the traces'
 * model against the model of the clone's own spans (see validate.h). */
#include "import/validate.h"

#include <stdlib.h>
#include <string.h>

#include "import/writer.h"
#include "stats/sample.h"
#include "util/xalloc.h"

/* Edges with fewer calls on either side are listed but left out of the
 * median extra: a handful of calls says little about a hop's cost. */
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

static double median_us(const struct reservoir *r)
{
	uint32_t n;
	double *x = reservoir_sorted(r, &n), v = n ? sample_percentile(x, n, 50) / 1000.0 : 0;

	free(x);
	return v;
}

void validate_net_report(const struct model *m, const struct writer_names *nm,
			 const struct validate_clone *c, FILE *out, FILE *json)
{
	double *extra = xmalloc((m->nedges ? m->nedges : 1) * sizeof *extra);
	uint32_t nextra = 0;
	bool first = true;

	if (json)
		fprintf(json, "  \"network\": {\"edges\": [");
	if (c->spans != NULL && m->nedges > 0)
		fprintf(out, "network time per call edge (client span - server span, us, median, "
			     "original / clone; the clone's is its links' delay plus its own transport "
			     "and link holds):\n");
	for (uint32_t i = 0; c->spans != NULL && i < m->nedges; i++) {
		const struct model_edge *e = &m->edges[i];
		const char *from = writer_service_name(nm, e->from), *to = writer_service_name(nm, e->to);
		const struct model_edge *ce = from && to ? clone_edge(c->spans, from, to) : NULL;
		double o = median_us(&e->net), k;

		if (from == NULL || to == NULL || e->net.n == 0)
			continue;
		if (ce == NULL || ce->net.n == 0) {
			fprintf(out, "  %s -> %s: calls %llu / 0, median %.1f / -\n", from, to,
				(unsigned long long)e->calls, o);
			continue;
		}
		if (2 * ce->shorter > ce->calls) {
			/* the clone sends it with nowait: its client span ends
			 * at the send, so it has no network time to compare */
			fprintf(out, "  %s -> %s: calls %llu / %llu, median %.1f / - (fire and forget in "
				     "the clone)\n", from, to, (unsigned long long)e->calls,
				(unsigned long long)ce->calls, o);
			continue;
		}
		k = median_us(&ce->net);
		fprintf(out, "  %s -> %s: calls %llu / %llu, median %.1f / %.1f (%+.1f)\n", from, to,
			(unsigned long long)e->calls, (unsigned long long)ce->calls, o, k, k - o);
		if (e->net.n >= NET_MIN_CALLS && ce->net.n >= NET_MIN_CALLS)
			extra[nextra++] = k - o;
		if (json) {
			fprintf(json, "%s\n    {\"from\": \"%s\", \"to\": \"%s\", \"calls_original\": %llu, "
				      "\"calls_clone\": %llu, \"p50_original_us\": %.3f, "
				      "\"p50_clone_us\": %.3f, \"extra_us\": %.3f}",
				first ? "" : ",", from, to, (unsigned long long)e->calls,
				(unsigned long long)ce->calls, o, k, k - o);
			first = false;
		}
	}
	if (nextra > 0) {
		sample_sort(extra, nextra);
		double x = sample_percentile(extra, nextra, 50);

		fprintf(out, "  the clone's extra per call, median over %u edges: %.1f us; a clone "
			     "fitted with --net-baseline %.0fus takes it off its links\n",
			nextra, x, x > 0 ? x : 0);
		if (json)
			fprintf(json, "\n  ], \"median_extra_us\": %.3f},\n", x);
	} else if (json) {
		fprintf(json, "%s], \"median_extra_us\": null},\n", first ? "" : "\n  ");
	}
	free(extra);
}
