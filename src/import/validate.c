/* validate.c -- see validate.h. */
#include "import/validate.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import/writer.h"
#include "stats/ks.h"
#include "stats/sample.h"
#include "util/json.h"
#include "util/xalloc.h"

void validate_opts_init(struct validate_opts *o)
{
	o->max_ks = 0.1;
	o->max_err = 0.1;
	o->count_err = 0.1;
	o->max_plans = 8;
}

/* Expected calls reaching each route per execution of route r, through the
 * plans the writer keeps (the most frequent max_plans, reweighted). */
struct expect {
	const struct model *m;
	const struct writer_names *nm;
	struct writer_opts wo; /* max_plans as the import's */
	double **v;      /* v[r][c], NULL until computed */
	uint8_t *busy;   /* on the current path: a cycle, counted once */
};

static int by_count_desc(const void *x, const void *y, void *arg)
{
	const struct model_route *r = arg;
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	if (r->plans[a].count != r->plans[b].count)
		return r->plans[a].count > r->plans[b].count ? -1 : 1;
	return a < b ? -1 : a > b;
}

static const double *expect_of(struct expect *x, uint32_t r)
{
	const struct model *m = x->m;
	const struct model_route *rt = &m->routes[r];
	uint32_t k, *ord;
	double total = 0;
	double *v;
	struct err e;

	if (x->v[r] != NULL)
		return x->v[r];
	/* the plans the written route has */
	k = rt->leaf ? 0 : writer_plans_kept(m, x->nm, &x->wo, r, NULL, &e);
	if (k == UINT32_MAX)
		k = 0;
	v = xcalloc(m->nroutes, sizeof *v);
	if (x->busy[r])
		return v; /* leaks nothing: freed with the route's own below */
	x->busy[r] = 1;
	ord = xmalloc((rt->nplans ? rt->nplans : 1) * sizeof *ord);
	for (uint32_t i = 0; i < rt->nplans; i++)
		ord[i] = i;
	qsort_r(ord, rt->nplans, sizeof *ord, by_count_desc, (void *)rt);
	for (uint32_t i = 0; i < k; i++)
		total += (double)rt->plans[ord[i]].count;
	for (uint32_t i = 0; i < k; i++) {
		const struct model_plan *pl = &rt->plans[ord[i]];
		double w = (double)pl->count / total;

		for (uint32_t j = 0; j < pl->ncalls; j++) {
			if (writer_call_cut(x->nm, rt->svc, m->routes[pl->calls[j]].svc))
				continue; /* not written */
			const double *sub = expect_of(x, pl->calls[j]);

			v[pl->calls[j]] += w;
			for (uint32_t c = 0; c < m->nroutes; c++)
				v[c] += w * sub[c];
			if (x->v[pl->calls[j]] == NULL)
				free((void *)sub); /* a cycle's placeholder */
		}
	}
	free(ord);
	x->busy[r] = 0;
	x->v[r] = v;
	return v;
}

static int by_group(const void *x, const void *y, void *arg)
{
	return strcmp(writer_group_name(arg, *(const uint32_t *)x),
		      writer_group_name(arg, *(const uint32_t *)y));
}

static double rel(double got, double want)
{
	return want > 0 ? (got - want) / want : (got > 0 ? INFINITY : 0);
}

/* Wasserstein-1 between two sorted samples, by their quantile functions on
 * a grid of 1000 points. */
static double w1(const double *a, size_t na, const double *b, size_t nb)
{
	double s = 0;

	for (int k = 0; k < 1000; k++) {
		double p = (k + 0.5) / 10.0;

		s += fabs(sample_percentile(a, na, p) - sample_percentile(b, nb, p));
	}
	return s / 1000;
}

static const char *mark(bool ok)
{
	return ok ? "ok" : "FAIL";
}

/* The report being written: where to, and the checks counted so far. */
struct vrun {
	const struct model *m;
	const struct validate_clone *c;
	const struct validate_opts *o;
	FILE *out, *json;
	bool first; /* no element of the current JSON array written yet */
	unsigned ran, failed, skipped;
};

/* The JSON element that opens an array's next entry: {"KEY": NAME */
static void json_open(struct vrun *v, const char *key, const char *name)
{
	fprintf(v->json, "%s\n    {\"%s\": ", v->first ? "" : ",", key);
	json_write_string(v->json, name);
	v->first = false;
}

/* Counts one check that ran; pass (when given) ands its outcome in. */
static void counted(struct vrun *v, bool ok, bool *pass)
{
	v->ran++;
	v->failed += !ok;
	if (pass != NULL)
		*pass &= ok;
}

/* Where the clone's side of entry route r is timed (validate.h): its entry
 * spans, into *lat (us, the caller frees) with their count, when the
 * original's roots are the entry's own spans and the clone's spans hold the
 * route; else NULL (its group's requests). */
static double *clone_entry_spans(const struct vrun *v, const struct expect *x, uint32_t r,
				 size_t *n)
{
	const struct model_route *rt = &v->m->routes[r], *cr;
	const char *svc = writer_service_name(x->nm, rt->svc), *op = writer_route_name(x->nm, r);
	const struct reservoir *at;
	uint32_t n32;
	double *lat;

	if (rt->roots_by_client * 2 >= rt->root_dur.seen || v->c->spans == NULL || !svc || !op)
		return NULL;
	cr = validate_clone_route(v->c->spans, svc, op);
	if (cr == NULL)
		return NULL;
	/* the entry spans under the clients' spans; where the clients' spans
	 * are not in the run's traces, the entry's spans are its roots */
	at = cr->entry_srv_dur.n > 0 ? &cr->entry_srv_dur
	     : cr->roots_by_client == 0 && cr->root_dur.n > 0 ? &cr->root_dur
							       : NULL;
	if (at == NULL)
		return NULL;
	lat = reservoir_sorted(at, &n32);
	for (uint32_t i = 0; i < n32; i++)
		lat[i] /= 1000.0;
	*n = n32;
	return lat;
}

/* Entry route r's latency checks against its client group, and what the
 * requests that group sent should have made each service serve (into
 * exp_svc). */
static void entry_report(struct vrun *v, struct expect *x, double *exp_svc, uint32_t r,
			 const char *g)
{
	const struct model *m = v->m;
	const struct validate_clone *c = v->c;
	const struct validate_opts *o = v->o;
	FILE *out = v->out, *json = v->json;
	const struct model_route *rt = &m->routes[r];
	size_t gi, no;
	uint32_t n32;
	double *orig;

	for (gi = 0; gi < c->ngroups && strcmp(c->group[gi], g) != 0; gi++)
		;
	orig = reservoir_sorted(&rt->root_dur, &n32);
	no = n32;
	for (size_t i = 0; i < no; i++)
		orig[i] /= 1000.0;
	/* the latencies are the model's sample of them (a reservoir) */
	if (rt->root_dur.seen > no)
		fprintf(out, "  %s: original %llu traces (latency from a sample of %zu), clone ", g,
			(unsigned long long)rt->root_dur.seen, no);
	else
		fprintf(out, "  %s: original %zu traces, clone ", g, no);
	if (gi == c->ngroups) {
		fprintf(out, "no such client group: FAIL\n");
		counted(v, false, NULL);
		if (json) {
			json_open(v, "group", g);
			fprintf(json, ", \"clone_requests\": 0, \"pass\": false}");
		}
		free(orig);
		return;
	}
	size_t nc = c->nlat[gi];
	double *csort = clone_entry_spans(v, x, r, &nc);
	const char *svc = writer_service_name(x->nm, rt->svc);
	bool at_span = csort != NULL;
	static const double ps[] = { 50, 90, 99 };
	double po[3] = { 0 }, pc[3] = { 0 }, err[3] = { 0 }, ks = 0, wd = 0;
	bool enough, pass = true;

	if (!at_span) {
		nc = c->nlat[gi];
		csort = xmalloc((nc ? nc : 1) * sizeof *csort);
		if (nc > 0)
			memcpy(csort, c->lat[gi], nc * sizeof *csort);
		sample_sort(csort, nc);
	}
	enough = no >= VALIDATE_MIN_SAMPLES && nc >= VALIDATE_MIN_SAMPLES;
	if (at_span)
		fprintf(out, "%zu requests, timed at %s's spans as the original's roots are (its clients "
			     "would add their hop to it)\n", nc, svc);
	else if (rt->roots_by_client * 2 < rt->root_dur.seen)
		fprintf(out, "%zu requests, timed at its clients: with their hop to %s, which the "
			     "original's roots (%s's own spans) do not hold; a traced run (trace_sample) "
			     "is timed as they are\n", nc, svc, svc);
	else
		fprintf(out, "%zu requests\n", nc);
	if (no && nc) {
		for (int i = 0; i < 3; i++) {
			po[i] = sample_percentile(orig, no, ps[i]);
			pc[i] = sample_percentile(csort, nc, ps[i]);
			err[i] = rel(pc[i], po[i]);
		}
		ks = ks_distance(orig, no, csort, nc, NULL);
		wd = w1(orig, no, csort, nc);
	}
	if (!enough) {
		fprintf(out, "    too few samples (at least %d on each side): latency checks skipped\n",
			VALIDATE_MIN_SAMPLES);
		v->skipped++;
	}
	for (int i = 0; i < 3 && no && nc; i++) {
		double lim = i == 2 ? 2 * o->max_err : o->max_err;
		bool ok = fabs(err[i]) <= lim;

		fprintf(out, "    p%-2g  original %10.1f  clone %10.1f  error %+7.1f%%  (max %g%%) %s\n",
			ps[i], po[i], pc[i], 100 * err[i], 100 * lim, enough ? mark(ok) : "-");
		if (enough)
			counted(v, ok, &pass);
	}
	if (no && nc) {
		bool ok = ks <= o->max_ks;

		fprintf(out, "    KS distance %.3f (max %g) %s; Wasserstein-1 %.1f us = %.1f%% of the "
			     "original median\n",
			ks, o->max_ks, enough ? mark(ok) : "-", wd, po[0] > 0 ? 100 * wd / po[0] : 0);
		if (enough)
			counted(v, ok, &pass);
	}
	if (json) {
		json_open(v, "group", g);
		fprintf(json, ", \"original_traces\": %zu, \"clone_requests\": %zu, \"clone_timed_at\": "
			      "\"%s\", \"checked\": %s", no, nc, at_span ? "entry_span" : "client",
			enough ? "true" : "false");
		for (int i = 0; i < 3; i++)
			fprintf(json, ", \"p%g_original_us\": %.3f, \"p%g_clone_us\": %.3f, "
				      "\"p%g_error\": %.4f", ps[i], po[i], ps[i], pc[i], ps[i], err[i]);
		fprintf(json, ", \"ks\": %.4f, \"wasserstein1_us\": %.3f, \"pass\": %s}", ks, wd,
			pass ? "true" : "false");
	}
	/* what the requests this group sent should have made each
	 * service serve: its timeouts were served all the same */
	const double *ev = expect_of(x, r);
	double sent = c->nsent ? (double)c->nsent[gi] : (double)nc;

	exp_svc[rt->svc] += sent;
	for (uint32_t cr = 0; cr < m->nroutes; cr++)
		exp_svc[m->routes[cr].svc] += sent * ev[cr];
	free(orig);
	free(csort);
}

/* Each service's served requests against the expectation in exp_svc. */
static void services_report(struct vrun *v, const struct writer_names *nm, const double *exp_svc)
{
	const struct model *m = v->m;
	const struct validate_clone *c = v->c;
	FILE *out = v->out, *json = v->json;

	v->first = true;
	for (size_t i = 0; i < c->nsvc; i++) {
		double want = 0, got = c->requests[i];
		bool ok;

		for (uint32_t s = 0; s < m->names.n; s++) {
			const char *nmv = writer_service_name(nm, s);

			if (nmv && *nmv && strcmp(nmv, c->svc[i]) == 0)
				want = exp_svc[s];
		}
		if (isnan(got)) {
			fprintf(out, "  %s: expected %.1f, no stats.json: skipped\n", c->svc[i], want);
			continue;
		}
		ok = fabs(got - want) <= fmax(v->o->count_err * want, 3 * sqrt(want));
		fprintf(out, "  %s: expected %.1f, served %.0f (%+.1f%%) %s\n", c->svc[i], want, got,
			want > 0 ? 100 * (got - want) / want : 0, mark(ok));
		counted(v, ok, NULL);
		if (json) {
			json_open(v, "service", c->svc[i]);
			fprintf(json, ", \"expected\": %.3f, \"served\": %.0f, \"pass\": %s}", want, got,
				ok ? "true" : "false");
		}
	}
}

/* The clone's runs, when several were pooled (the text's first line), and
 * in the JSON always: "clone_runs", their directories (empty when the run
 * was not named). */
static void runs_line(const struct validate_clone *c, FILE *out, FILE *json)
{
	if (c->nruns > 1) {
		fprintf(out, "the clone: %zu runs pooled (", c->nruns);
		for (size_t i = 0; i < c->nruns; i++)
			fprintf(out, "%s%s", i ? ", " : "", c->runs[i]);
		fprintf(out, ")\n");
	}
	if (json == NULL)
		return;
	fprintf(json, "  \"clone_runs\": [");
	for (size_t i = 0; i < c->nruns; i++) {
		fputs(i ? ", " : "", json);
		json_write_string(json, c->runs[i]);
	}
	fprintf(json, "],\n");
}

int validate_report(const struct model *m, const struct validate_clone *c,
		    const struct validate_opts *o, FILE *out, FILE *json)
{
	struct writer_names *nm = writer_names_new(m);
	struct expect x = { m, nm, { 0 }, xcalloc(m->nroutes ? m->nroutes : 1, sizeof(double *)),
			    xcalloc(m->nroutes ? m->nroutes : 1, 1) };
	double *exp_svc = xcalloc(m->names.n ? m->names.n : 1, sizeof *exp_svc);
	struct vrun v = { .m = m, .c = c, .o = o, .out = out, .json = json, .first = true };

	writer_opts_init(&x.wo);
	x.wo.max_plans = o->max_plans;
	if (json)
		fprintf(json, "{\n  \"meshwalk_validate_version\": 1,\n");
	runs_line(c, out, json);
	if (json)
		fprintf(json, "  \"entries\": [");
	fprintf(out, "end-to-end latency per entry operation (us; errors are clone/original - 1):\n");
	uint32_t *ents = xmalloc((m->nroutes ? m->nroutes : 1) * sizeof *ents), nents = 0;

	for (uint32_t r = 0; r < m->nroutes; r++)
		if (writer_group_name(nm, r) != NULL)
			ents[nents++] = r;
	qsort_r(ents, nents, sizeof *ents, by_group, nm);
	for (uint32_t k = 0; k < nents; k++) {
		const char *g = writer_group_name(nm, ents[k]);

		if (g != NULL)
			entry_report(&v, &x, exp_svc, ents[k], g);
	}
	if (json)
		fprintf(json, "\n  ],\n  \"services\": [");
	fprintf(out, "requests per service (topology; expected from the requests the clone's clients sent):\n");
	services_report(&v, nm, exp_svc);
	if (json)
		fprintf(json, "\n  ],\n");
	validate_self_report(m, nm, c, out, json);
	validate_net_report(m, nm, c, out, json);
	fprintf(out, "verdict: %s (%u checks, %u failed%s)\n", v.failed ? "FAIL" : v.ran ? "PASS" : "NONE",
		v.ran, v.failed, v.skipped ? ", some latency checks skipped: too few samples" : "");
	if (json)
		fprintf(json, "  \"checks\": %u,\n  \"failed\": %u,\n  \"pass\": %s\n}\n", v.ran,
			v.failed, v.failed == 0 && v.ran > 0 ? "true" : "false");
	for (uint32_t r = 0; r < m->nroutes; r++)
		free(x.v[r]);
	free(x.v);
	free(x.busy);
	free(ents);
	free(exp_svc);
	writer_names_free(nm);
	return v.failed == 0 && v.ran > 0;
}
