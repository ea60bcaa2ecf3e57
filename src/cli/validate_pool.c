/* validate_pool.c -- see validate_pool.h. */
#include "cli/validate_pool.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import/writer.h"
#include "report/results.h"
#include "results/files.h"
#include "util/jsonin.h"
#include "util/log.h"
#include "util/xalloc.h"

/* Requests served by the replicas of a service: nodes/NAME-i/stats.json. */
static double service_requests(const char *dir, const char *svc)
{
	double sum = NAN;

	for (int i = 0; i < 64; i++) {
		char path[4096];
		struct jsonin *j;
		struct err e;

		snprintf(path, sizeof path, "%s/nodes/%s-%d/stats.json", dir, svc, i);
		if (jsonin_load(path, &j, &e) < 0)
			break;
		double v = jsonin_num(jsonin_get(j, "requests"));

		if (!isnan(v))
			sum = (isnan(sum) ? 0 : sum) + v;
		jsonin_free(j);
	}
	return sum;
}

/* The pooled group named name: found, or added with no request yet. */
static size_t group_of(struct validate_clone *vc, const char *name)
{
	size_t g;

	for (g = 0; g < vc->ngroups; g++)
		if (strcmp(vc->group[g], name) == 0)
			return g;
	vc->group = xrealloc(vc->group, (g + 1) * sizeof *vc->group);
	vc->lat = xrealloc(vc->lat, (g + 1) * sizeof *vc->lat);
	vc->nlat = xrealloc(vc->nlat, (g + 1) * sizeof *vc->nlat);
	vc->nsent = xrealloc(vc->nsent, (g + 1) * sizeof *vc->nsent);
	vc->group[g] = xstrdup(name);
	vc->lat[g] = NULL;
	vc->nlat[g] = 0;
	vc->nsent[g] = 0;
	vc->ngroups = g + 1;
	return g;
}

/* Appends the ok requests' latencies from their actual send (recv - sent:
 * the client span's time), or from the intended send when the file has no
 * sent time. */
static void sent_latencies(const struct records *r, double **v, size_t *n)
{
	*v = xrealloc(*v, (*n + r->count[REC_OK] + 1) * sizeof **v);
	for (size_t i = 0; i < r->n; i++) {
		double lag = r->has_sent && !isnan(r->sent_us[i]) ? r->sent_us[i] - r->intended_us[i]
								   : 0;

		if (r->status[i] == REC_OK)
			(*v)[(*n)++] = r->latency_us[i] - (lag > 0 ? lag : 0);
	}
}

/* One run's client groups into the pool. */
static int pool_results(struct validate_pool *p, const char *dir, const char *opt)
{
	struct results res;
	struct err e;

	if (results_load(dir, &res, &e) < 0) {
		log_msg("%s: %s", opt, e.msg);
		results_free(&res);
		return 1;
	}
	for (size_t i = 0; i < res.ngroups; i++) {
		const struct records *rec = &res.groups[i].rec;
		size_t g = group_of(&p->vc, res.groups[i].name);

		sent_latencies(rec, &p->vc.lat[g], &p->vc.nlat[g]);
		p->vc.nsent[g] += rec->n - rec->count[REC_UNSENT];
	}
	results_free(&res);
	return 0;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The services of the model, by their scenario names, and what each
 * served over the runs. */
static void pool_services(struct validate_pool *p, const char *const *dirs, size_t n,
			  const struct model *m)
{
	struct validate_clone *vc = &p->vc;
	struct writer_names *nm = writer_names_new(m);
	const char **svc = xcalloc(m->names.n + 1, sizeof *svc);

	for (uint32_t s = 0; s < m->names.n; s++) {
		const char *name = writer_service_name(nm, s);

		if (name && *name)
			svc[vc->nsvc++] = xstrdup(name);
	}
	qsort(svc, vc->nsvc, sizeof *svc, by_str);
	vc->svc = svc;
	vc->requests = xcalloc(vc->nsvc + 1, sizeof *vc->requests);
	for (size_t i = 0; i < vc->nsvc; i++)
		for (size_t d = 0; d < n; d++)
			vc->requests[i] += service_requests(dirs[d], svc[i]); /* NAN stays */
	writer_names_free(nm);
}

/* The traced runs' spans, fitted together as the traces are. */
static int pool_spans(struct validate_pool *p, const char *const *dirs, size_t n,
		      const char *opt, const struct trace_opts *to)
{
	p->span_files = xcalloc(n + 1, sizeof *p->span_files);
	for (size_t d = 0; d < n; d++) {
		char *path;

		if (asprintf(&path, "%s/" RESULTS_TRACES_OTLP, dirs[d]) < 0)
			abort();
		if (d == 0)
			p->looked = xstrdup(path);
		if (access(path, F_OK) == 0)
			p->span_files[p->nspan_files++] = path;
		else
			free(path);
	}
	if (p->nspan_files == 0)
		return 0;
	p->have_spans = true;
	if (trace_fit_files((const char *const *)p->span_files, p->nspan_files, to, &p->spans, opt))
		return 1;
	p->vc.spans = &p->spans.model;
	return 0;
}

int validate_pool_load(struct validate_pool *p, const char *const *dirs, size_t n,
		       const char *opt, const struct model *m, const struct trace_opts *to)
{
	memset(p, 0, sizeof *p);
	p->vc.runs = dirs;
	p->vc.nruns = n;
	for (size_t d = 0; d < n; d++)
		if (pool_results(p, dirs[d], opt) != 0)
			return 1;
	pool_services(p, dirs, n, m);
	if (pool_spans(p, dirs, n, opt, to) != 0)
		return 1;
	p->vc.spans_path = p->nspan_files ? p->span_files[0] : p->looked;
	p->vc.span_runs = p->nspan_files;
	return 0;
}

void validate_pool_free(struct validate_pool *p)
{
	struct validate_clone *vc = &p->vc;

	for (size_t g = 0; g < vc->ngroups; g++) {
		free((char *)vc->group[g]);
		free(vc->lat[g]);
	}
	free(vc->group);
	free(vc->lat);
	free(vc->nlat);
	free(vc->nsent);
	for (size_t i = 0; i < vc->nsvc; i++)
		free((char *)vc->svc[i]);
	free(vc->svc);
	free(vc->requests);
	if (p->have_spans)
		fit_free(&p->spans);
	for (size_t i = 0; i < p->nspan_files; i++)
		free(p->span_files[i]);
	free(p->span_files);
	free(p->looked);
	memset(p, 0, sizeof *p);
}
