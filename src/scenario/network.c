/* network.c -- see network.h. Like sweep.c, parsing stays apart from
 * scenario.c, which hands over the nodes of the `network` and `link` keys. */
#include "scenario/network.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scenario/scenario.h"
#include "spec/spec.h"
#include "spec/units.h"
#include "scenario/yamlerr.h"
#include "util/xalloc.h"


static const char *text(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

const char *network_mode_name(enum network_mode m)
{
	return m == NETWORK_NAMESPACES ? "namespaces" : m == NETWORK_LOOPBACK ? "loopback" : "auto";
}

int network_parse_rate(const char *t, uint64_t *bps, struct err *e)
{
	static const struct { const char *suffix; double mult; } units[] = {
		{ "bit", 1 },	    { "kbit", 1e3 }, { "mbit", 1e6 }, { "gbit", 1e9 },
		{ "bps", 8 },	    { "kbps", 8e3 }, { "mbps", 8e6 }, { "gbps", 8e9 },
	};
	char *end;
	double v = strtod(t, &end);

	if (end == t || !(v > 0) || t[0] == '-' || t[0] == '+' || t[0] == ' ')
		return err_set(e, "rate: expected a rate such as 100mbit or 10mbps, got '%s'", t);
	double mult = 0;
	if (*end == '\0') {
		mult = 1;
	} else {
		for (size_t i = 0; i < sizeof units / sizeof *units; i++)
			if (strcasecmp(end, units[i].suffix) == 0)
				mult = units[i].mult;
	}
	if (mult == 0)
		return err_set(e, "rate: unknown unit '%s' in '%s' (use bit, kbit, mbit, gbit, or "
			       "bps, kbps, mbps, gbps for bytes per second)", end, t);
	v *= mult;
	if (v < 8000 || v > 1e12)
		return err_set(e, "rate: '%s' is outside 8kbit..1000gbit", t);
	*bps = (uint64_t)llround(v);
	return 0;
}

/* The spec a delay and an optional jitter stand for, checked by parsing it. */
static int delay_spec(const char *delay, const char *jitter, char **out, struct err *e)
{
	struct spec *sp;
	char buf[SPEC_MAX_TEXT + 64];

	if (jitter == NULL) {
		snprintf(buf, sizeof buf, "%s", delay);
	} else {
		double d, j;

		if (units_parse(delay, SPEC_TIME, &d, e) < 0)
			return err_set(e, "delay: with jitter, expected a duration such as 2ms, got '%s'",
				       delay);
		if (units_parse(jitter, SPEC_TIME, &j, e) < 0)
			return err_set(e, "jitter: expected a duration such as 200us, got '%s'", jitter);
		if (j > d)
			return err_set(e, "jitter %s is larger than the delay %s: delays cannot be negative",
				       jitter, delay);
		if (j == 0)
			snprintf(buf, sizeof buf, "%.17gus", d);
		else
			snprintf(buf, sizeof buf, "unif:min=%.17gus,max=%.17gus", d - j, d + j);
	}
	if (spec_parse(buf, SPEC_TIME, &sp, e) < 0)
		return err_prefix(e, "delay");
	spec_destroy(sp);
	*out = xstrdup(buf);
	return 0;
}

/* The keys of a link mapping; `between` only when pair is set. */
static int load_link_keys(yaml_document_t *doc, yaml_node_t *n, const char *what,
			  struct scenario_link *out, struct scenario_pair_link *pair, struct err *e)
{
	yaml_node_t *delay = NULL, *jitter = NULL;

	out->set = true;
	out->line = (int)n->start_mark.line + 1;
	if (n->type != YAML_MAPPING_NODE)
		return yaml_err_at(e, n, "%s: expected a mapping (%sdelay, jitter, rate), got %s", what,
			  pair ? "between, " : "",
			  n->type == YAML_SCALAR_NODE ? "a scalar" : "a list");
	if (yaml_unique_keys(doc, n, what, e) < 0)
		return -EINVAL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		const char *key = k->type == YAML_SCALAR_NODE ? text(k) : "";

		if (pair && strcmp(key, "between") == 0) {
			if (v->type != YAML_SEQUENCE_NODE ||
			    v->data.sequence.items.top - v->data.sequence.items.start != 2)
				return yaml_err_at(e, v, "%s: between: expected a list of two services", what);
			for (int i = 0; i < 2; i++) {
				yaml_node_t *it = yaml_document_get_node(doc, v->data.sequence.items.start[i]);

				if (it->type != YAML_SCALAR_NODE)
					return yaml_err_at(e, it, "%s: between: expected a service name", what);
				pair->between[i] = xstrdup(text(it));
			}
			continue;
		}
		if (v->type != YAML_SCALAR_NODE)
			return yaml_err_at(e, v, "%s: %s: expected a single value", what, key);
		if (strcmp(key, "delay") == 0) {
			delay = v;
		} else if (strcmp(key, "jitter") == 0) {
			jitter = v;
		} else if (strcmp(key, "rate") == 0 && !pair) {
			if (network_parse_rate(text(v), &out->rate_bps, e) < 0)
				return yaml_err_at(e, v, "%s: %s", what, e->msg);
		} else {
			return yaml_err_at(e, k, "%s: unknown key '%s' (expected %s)", what, key,
				  pair ? "between, delay or jitter; rates are per service, under its link"
				       : "delay, jitter or rate");
		}
	}
	if (jitter && !delay)
		return yaml_err_at(e, jitter, "%s: jitter needs a delay", what);
	if (delay && delay_spec(text(delay), jitter ? text(jitter) : NULL, &out->delay, e) < 0)
		return yaml_err_at(e, jitter ? jitter : delay, "%s: %s", what, e->msg);
	if (pair && pair->between[0] == NULL)
		return yaml_err_at(e, n, "%s: 'between' (two services) is required", what);
	if (pair && !delay)
		return yaml_err_at(e, n, "%s: a link between services needs a delay", what);
	return 0;
}

int network_load_link(yaml_document_t *doc, yaml_node_t *n, const char *what,
		      struct scenario_link *out, struct err *e)
{
	return load_link_keys(doc, n, what, out, NULL, e);
}

int network_load(yaml_document_t *doc, yaml_node_t *n, struct scenario_network *out, struct err *e)
{
	out->set = true;
	out->line = (int)n->start_mark.line + 1;
	if (n->type != YAML_MAPPING_NODE)
		return yaml_err_at(e, n, "network: expected a mapping (mode, links)");
	if (yaml_unique_keys(doc, n, "network", e) < 0)
		return -EINVAL;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		const char *key = k->type == YAML_SCALAR_NODE ? text(k) : "";
		if (strcmp(key, "mode") == 0) {
			if (v->type != YAML_SCALAR_NODE)
				return yaml_err_at(e, v, "network: mode: expected auto, namespaces or loopback");
			if (strcmp(text(v), "auto") == 0)
				out->mode = NETWORK_AUTO;
			else if (strcmp(text(v), "namespaces") == 0)
				out->mode = NETWORK_NAMESPACES;
			else if (strcmp(text(v), "loopback") == 0)
				out->mode = NETWORK_LOOPBACK;
			else
				return yaml_err_at(e, v, "network: mode: expected auto, namespaces or loopback, got '%s'",
					  text(v));
		} else if (strcmp(key, "links") == 0) {
			if (v->type != YAML_SEQUENCE_NODE)
				return yaml_err_at(e, v, "network: links: expected a list of links");
			size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
			out->links = xcalloc(cnt ? cnt : 1, sizeof *out->links);
			for (size_t i = 0; i < cnt; i++) {
				yaml_node_t *it = yaml_document_get_node(doc, v->data.sequence.items.start[i]);
				char what[48];

				snprintf(what, sizeof what, "network: link %zu", i + 1);
				out->nlinks++;
				if (load_link_keys(doc, it, what, &out->links[i].link, &out->links[i], e) < 0)
					return -EINVAL;
			}
		} else {
			return yaml_err_at(e, k, "network: unknown key '%s' (expected mode or links)", key);
		}
	}
	return 0;
}

int network_resolve(struct scenario *s, struct err *e)
{
	struct scenario_network *n = &s->network;
	size_t nodes = 0;

	for (size_t i = 0; i < s->nservices; i++)
		nodes += s->services[i].balance == NULL;
	/* Each service of nodes gets a /24 of its own (docs/network.md). */
	if (network_used(s) && nodes > NETWORK_MAX_SERVICES)
		return err_set(e, "network: at most %d services of nodes can be emulated, not %zu",
			       NETWORK_MAX_SERVICES, nodes);

	for (size_t i = 0; i < n->nlinks; i++) {
		struct scenario_pair_link *pl = &n->links[i];

		for (int k = 0; k < 2; k++) {
			const struct scenario_service *svc = scenario_service(s, pl->between[k]);

			if (svc == NULL || svc->balance != NULL) {
				e->line = pl->link.line;
				e->col = 0;
				return err_set(e, "network: link %zu: %s '%s'", i + 1,
					       svc ? "links join services of nodes, not the balancer"
						   : "no service", pl->between[k]);
			}
			pl->svc[k] = (size_t)(svc - s->services);
		}
		if (pl->svc[0] == pl->svc[1]) {
			e->line = pl->link.line;
			e->col = 0;
			return err_set(e, "network: link %zu joins %s with itself (use the service's link "
				       "for its own delay)", i + 1, pl->between[0]);
		}
		for (size_t j = 0; j < i; j++) {
			const struct scenario_pair_link *o = &n->links[j];

			if ((o->svc[0] == pl->svc[0] && o->svc[1] == pl->svc[1]) ||
			    (o->svc[0] == pl->svc[1] && o->svc[1] == pl->svc[0])) {
				e->line = pl->link.line;
				e->col = 0;
				return err_set(e, "network: link %zu: %s and %s are already joined by link %zu",
					       i + 1, pl->between[0], pl->between[1], j + 1);
			}
		}
	}
	return 0;
}

bool network_used(const struct scenario *s)
{
	if (s->network.set)
		return true;
	for (size_t i = 0; i < s->nservices; i++)
		if (s->services[i].link.set)
			return true;
	return false;
}

void network_link_free(struct scenario_link *l)
{
	free(l->delay);
	memset(l, 0, sizeof *l);
}

void network_free(struct scenario_network *n)
{
	for (size_t i = 0; i < n->nlinks; i++) {
		free(n->links[i].between[0]);
		free(n->links[i].between[1]);
		network_link_free(&n->links[i].link);
	}
	free(n->links);
	memset(n, 0, sizeof *n);
}
