/* kube.c -- see kube.h. Kept apart from scenario.c like network.c: the
 * scenario hands over the nodes of a service's `resources` and `serverless`
 * keys. */
#include "scenario/kube.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "scenario/yamlerr.h"
#include "util/xalloc.h"

static const char *text(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

const char *kube_class_name(enum kube_class c)
{
	return c == KUBE_HPA ? "hpa.autoscaling.knative.dev" : "kpa.autoscaling.knative.dev";
}

const char *kube_metric_name(enum kube_metric m)
{
	return m == KUBE_RPS ? "rps" : m == KUBE_CPU ? "cpu" : "concurrency";
}

/* A Kubernetes quantity: digits with an optional fraction, then an optional
 * suffix (m, k, M, G, T, P, E, Ki, Mi, Gi, Ti, Pi, Ei). Checked here so the
 * error points into the scenario, not at the cluster's answer. */
static bool quantity(const char *s)
{
	static const char *const suffixes[] = { "", "m", "k", "M", "G", "T", "P", "E",
						"Ki", "Mi", "Gi", "Ti", "Pi", "Ei" };
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return false;
	while (isdigit((unsigned char)*p))
		p++;
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++)
		if (strcmp(p, suffixes[i]) == 0)
			return true;
	return false;
}

static int want_map(yaml_document_t *doc, yaml_node_t *n, const char *what, const char *keys,
		    struct err *e)
{
	if (n->type != YAML_MAPPING_NODE)
		return yaml_err_at(e, n, "%s: expected a mapping (%s)", what, keys);
	return yaml_unique_keys(doc, n, what, e);
}

int kube_load_resources(yaml_document_t *doc, yaml_node_t *n, const char *what,
			struct scenario_resources *out, struct err *e)
{
	if (want_map(doc, n, what, "cpu, memory", e) < 0)
		return -EINVAL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		char **field = strcmp(text(k), "cpu") == 0	? &out->cpu
			       : strcmp(text(k), "memory") == 0 ? &out->memory
								: NULL;

		if (field == NULL)
			return yaml_err_at(e, k, "%s: unknown key '%s' (expected cpu or memory)", what,
					   text(k));
		if (v->type != YAML_SCALAR_NODE || !quantity(text(v)))
			return yaml_err_at(e, v, "%s: %s: expected a Kubernetes quantity such as %s", what,
					   text(k), field == &out->cpu ? "500m or 2" : "256Mi or 1Gi");
		free(*field);
		*field = xstrdup(text(v));
	}
	if (out->cpu == NULL && out->memory == NULL)
		return yaml_err_at(e, n, "%s: give cpu, memory or both", what);
	return 0;
}

static int load_count(yaml_node_t *v, const char *what, const char *key, long min, long *out,
		      struct err *e)
{
	char *end;
	long x;

	errno = 0;
	x = v->type == YAML_SCALAR_NODE ? strtol(text(v), &end, 10) : 0;
	if (v->type != YAML_SCALAR_NODE || errno || end == text(v) || *end || x < min || x > 1000000)
		return yaml_err_at(e, v, "%s: %s: expected a whole number from %ld to 1000000", what,
				   key, min);
	*out = x;
	return 0;
}

/* protocol: one word, or a list holding exactly one. */
static int load_protocol(yaml_document_t *doc, yaml_node_t *v, const char *what,
			 struct scenario_serverless *out, struct err *e)
{
	if (v->type == YAML_SEQUENCE_NODE) {
		long n = v->data.sequence.items.top - v->data.sequence.items.start;

		if (n != 1)
			return yaml_err_at(e, v, "%s: protocol: %ld protocols, but Knative routes one "
					   "container port: give one of h2c, http1", what, n);
		v = yaml_document_get_node(doc, v->data.sequence.items.start[0]);
	}
	if (v->type != YAML_SCALAR_NODE ||
	    (strcmp(text(v), "h2c") != 0 && strcmp(text(v), "http1") != 0))
		return yaml_err_at(e, v, "%s: protocol: expected h2c (gRPC) or http1", what);
	free(out->protocol);
	out->protocol = xstrdup(text(v));
	return 0;
}

int kube_load_serverless(yaml_document_t *doc, yaml_node_t *n, const char *what,
			 struct scenario_serverless *out, struct err *e)
{
	yaml_node_t *metric_node = NULL;

	out->set = true;
	out->min_scale = out->max_scale = out->container_concurrency = -1;
	out->line = (int)n->start_mark.line + 1;
	out->col = (int)n->start_mark.column + 1;
	if (n->type == YAML_SCALAR_NODE && text(n)[0] == '\0')
		n = NULL; /* "serverless:" alone: Knative's defaults */
	if (n && want_map(doc, n, what,
			  "class, metric, target, min-scale, max-scale, container-concurrency, protocol",
			  e) < 0)
		return -EINVAL;
	for (yaml_node_pair_t *p = n ? n->data.mapping.pairs.start : NULL;
	     n && p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		const char *key = text(k), *val = v->type == YAML_SCALAR_NODE ? text(v) : "";

		if (strcmp(key, "protocol") == 0) {
			if (load_protocol(doc, v, what, out, e) < 0)
				return -EINVAL;
		} else if (strcmp(key, "class") == 0) {
			if (strcmp(val, "kpa") != 0 && strcmp(val, "hpa") != 0)
				return yaml_err_at(e, v, "%s: class: expected kpa or hpa", what);
			out->cls = strcmp(val, "hpa") == 0 ? KUBE_HPA : KUBE_KPA;
		} else if (strcmp(key, "metric") == 0) {
			if (strcmp(val, "concurrency") == 0)
				out->metric = KUBE_CONCURRENCY;
			else if (strcmp(val, "rps") == 0)
				out->metric = KUBE_RPS;
			else if (strcmp(val, "cpu") == 0)
				out->metric = KUBE_CPU;
			else
				return yaml_err_at(e, v, "%s: metric: expected concurrency, rps or cpu", what);
			metric_node = v;
		} else if (strcmp(key, "target") == 0) {
			char *end;
			double t = v->type == YAML_SCALAR_NODE ? strtod(val, &end) : NAN;

			if (v->type != YAML_SCALAR_NODE || end == val || *end || !(t > 0) || t > 1e6)
				return yaml_err_at(e, v, "%s: target: expected a number above 0", what);
			out->target = t;
		} else if (strcmp(key, "min-scale") == 0) {
			if (load_count(v, what, key, 0, &out->min_scale, e) < 0)
				return -EINVAL;
		} else if (strcmp(key, "max-scale") == 0) {
			if (load_count(v, what, key, 0, &out->max_scale, e) < 0)
				return -EINVAL;
			if (out->max_scale > 0 && out->min_scale > out->max_scale)
				return yaml_err_at(e, v, "%s: max-scale %ld is below min-scale %ld", what,
						   out->max_scale, out->min_scale);
		} else if (strcmp(key, "container-concurrency") == 0) {
			if (load_count(v, what, key, 0, &out->container_concurrency, e) < 0)
				return -EINVAL;
		} else {
			return yaml_err_at(e, k, "%s: unknown key '%s' (expected class, metric, target, "
					   "min-scale, max-scale, container-concurrency or protocol)",
					   what, key);
		}
	}
	if (out->max_scale > 0 && out->min_scale > out->max_scale)
		return yaml_err_at(e, n, "%s: min-scale %ld is above max-scale %ld", what,
				   out->min_scale, out->max_scale);
	/* Knative's pod autoscaler scales on concurrency or rps, the HPA class
	 * on CPU: any other pairing is refused by the cluster, so here. */
	if ((out->cls == KUBE_HPA) != (out->metric == KUBE_CPU))
		return yaml_err_at(e, metric_node ? metric_node : n,
				   "%s: metric %s does not go with class %s (kpa scales on concurrency "
				   "or rps, hpa on cpu)", what, kube_metric_name(out->metric),
				   out->cls == KUBE_HPA ? "hpa" : "kpa");
	/* HTTP/1.1 unless the service says it speaks gRPC: meshwalk's nodes
	 * serve HTTP/1.1 (scenario.h: such a service is an HTTP service). */
	if (out->protocol == NULL)
		out->protocol = xstrdup("http1");
	return 0;
}

void kube_free(struct scenario_resources *r, struct scenario_serverless *s)
{
	free(r->cpu);
	free(r->memory);
	free(s->protocol);
	r->cpu = r->memory = s->protocol = NULL;
}
