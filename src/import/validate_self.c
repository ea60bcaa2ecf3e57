/* validate_self.c -- validate's per-operation self time: the traces' model
 * against the model of the clone's own spans (see validate.h). */
#include "import/validate.h"

#include <stdlib.h>
#include <string.h>

#include "import/writer.h"
#include "stats/ks.h"
#include "stats/sample.h"
#include "util/json.h"
#include "util/xalloc.h"
#include "results/files.h"

/* An operation's self time per execution, us, sorted: a leaf's is its
 * client spans' time (nothing else is known of it). */
static double *self_us(const struct model_route *r, uint32_t *n)
{
	double *v = reservoir_sorted(r->leaf ? &r->leaf_dur : &r->self, n);

	for (uint32_t i = 0; i < *n; i++)
		v[i] /= 1000.0;
	return v;
}

/* The timed executions of an operation whose self time is known (a leaf's:
 * its timed client spans). */
static unsigned long long executions(const struct model_route *r)
{
	return (unsigned long long)(r->leaf ? r->leaf_dur.seen : r->self.seen);
}

const struct model_route *validate_clone_route(const struct model *c, const char *svc,
						const char *op)
{
	const struct model_route *leaf = NULL;

	for (uint32_t i = 0; i < c->nroutes; i++) {
		const struct model_route *r = &c->routes[i];

		if (strcmp(model_name(c, r->svc), svc) != 0 || strcmp(model_name(c, r->op), op) != 0)
			continue;
		if (!r->leaf)
			return r;
		leaf = r;
	}
	return leaf;
}

struct op_row {
	const char *svc, *op;
	uint32_t route;
};

static int by_name(const void *x, const void *y)
{
	const struct op_row *a = x, *b = y;
	int d = strcmp(a->svc, b->svc);

	return d ? d : strcmp(a->op, b->op);
}

static double rel_err(double got, double want)
{
	return want > 0 ? (got - want) / want : 0;
}

/* One operation's line (and JSON element). */
static void op_line(const struct model *m, const struct model *cl, const struct op_row *row,
		    bool first, FILE *out, FILE *json)
{
	const struct model_route *r = &m->routes[row->route], *cr = validate_clone_route(cl, row->svc, row->op);
	uint32_t no, nc = 0;
	double *o = self_us(r, &no), *c = cr ? self_us(cr, &nc) : NULL;
	/* every execution counted, though at most a reservoir's are sampled */
	unsigned long long eo = executions(r), ec = cr ? executions(cr) : 0;
	double po[2] = { 0 }, pc[2] = { 0 }, ks = 0;
	static const double ps[2] = { 50, 90 };

	fprintf(out, "  %s.%s: executions %llu / %llu", row->svc, row->op, eo, ec);
	if (json) {
		fprintf(json, "%s\n      {\"service\": ", first ? "" : ",");
		json_write_string(json, row->svc);
		fprintf(json, ", \"route\": ");
		json_write_string(json, row->op);
		fprintf(json, ", \"original_executions\": %llu, \"clone_executions\": %llu", eo, ec);
	}
	if (no == 0 || nc == 0) {
		fprintf(out, ": %s\n", nc == 0 ? "no execution in the clone's spans" : "none timed");
		if (json)
			fprintf(json, ", \"compared\": false}");
		free(o);
		free(c);
		return;
	}
	for (int i = 0; i < 2; i++) {
		po[i] = sample_percentile(o, no, ps[i]);
		pc[i] = sample_percentile(c, nc, ps[i]);
		fprintf(out, ", p%g %.1f / %.1f (%+.1f%%)", ps[i], po[i], pc[i],
			100 * rel_err(pc[i], po[i]));
	}
	ks = ks_distance(o, no, c, nc, NULL);
	fprintf(out, ", KS %.3f\n", ks);
	if (json) {
		fprintf(json, ", \"compared\": true");
		for (int i = 0; i < 2; i++)
			fprintf(json, ", \"p%g_original_us\": %.3f, \"p%g_clone_us\": %.3f, \"p%g_error\": %.4f",
				ps[i], po[i], ps[i], pc[i], ps[i], rel_err(pc[i], po[i]));
		fprintf(json, ", \"ks\": %.4f}", ks);
	}
	free(o);
	free(c);
}

void validate_self_report(const struct model *m, const struct writer_names *nm,
			  const struct validate_clone *c, FILE *out, FILE *json)
{
	struct op_row *rows;
	uint32_t n = 0;

	if (json) {
		fprintf(json, "  \"self_time\": {\"clone_spans\": ");
		if (c->spans)
			json_write_string(json, c->spans_path);
		else
			fputs("null", json);
		fprintf(json, ", \"clone_span_runs\": %zu",
			c->spans == NULL ? 0 : c->span_runs ? c->span_runs : 1);
	}
	if (c->spans == NULL) {
		fprintf(out, "self time per operation: not compared: the clone left no spans (no %s; "
			     "run the scenario with trace_sample to record them)\n",
			c->spans_path ? c->spans_path : RESULTS_TRACES_OTLP);
		if (json)
			fprintf(json, ", \"note\": \"no spans in the clone's results\", "
				      "\"operations\": []},\n");
		return;
	}
	fprintf(out, "self time per operation (us per execution, original / clone; the clone's "
		     "spans fitted as the traces are; reported, not checked):\n");
	if (c->nruns > 1)
		fprintf(out, "  (the spans of %zu of the %zu clone runs, pooled)\n", c->span_runs,
			c->nruns);
	rows = xmalloc((m->nroutes ? m->nroutes : 1) * sizeof *rows);
	for (uint32_t r = 0; r < m->nroutes; r++) {
		const char *svc = writer_service_name(nm, m->routes[r].svc);
		const char *op = writer_route_name(nm, r);

		if (svc && *svc && op && *op)
			rows[n++] = (struct op_row){ svc, op, r };
	}
	qsort(rows, n, sizeof *rows, by_name);
	if (json)
		fprintf(json, ", \"operations\": [");
	for (uint32_t i = 0; i < n; i++)
		op_line(m, c->spans, &rows[i], i == 0, out, json);
	if (json)
		fprintf(json, "\n  ]},\n");
	free(rows);
}
