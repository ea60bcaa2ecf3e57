/* sweep.c -- see sweep.h. Parsing stays here, apart from scenario.c, which
 * only hands over the node of the `sweep` key: the grid is an add-on to a
 * scenario, and the runs it asks for are ordinary runs of a modified copy. */
#include "scenario/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/units.h"
#include "scenario/yamlerr.h"
#include "util/xalloc.h"

static int at(struct err *e, yaml_node_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int at(struct err *e, yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = yaml_err_vat(e, n, "sweep: ", fmt, ap);
	va_end(ap);
	return rc;
}

/* The scalar items of n: n itself when it is a scalar, its items when it is
 * a list of scalars. Returns how many, or -EINVAL. */
static int items(yaml_document_t *doc, yaml_node_t *n, const char *what, yaml_node_t ***out,
		 struct err *e)
{
	size_t k = 0;

	if (n->type == YAML_SCALAR_NODE) {
		*out = xmalloc(sizeof **out);
		(*out)[0] = n;
		return 1;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return at(e, n, "%s: expected a value or a list of values", what);
	*out = xcalloc((size_t)(n->data.sequence.items.top - n->data.sequence.items.start) + 1,
		       sizeof **out);
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(doc, *it);

		if (v->type != YAML_SCALAR_NODE) {
			free(*out);
			return at(e, v, "%s: expected a list of single values", what);
		}
		(*out)[k++] = v;
	}
	if (k == 0) {
		free(*out);
		return at(e, n, "%s: the list is empty", what);
	}
	return (int)k;
}

static const char *text(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

int sweep_load(yaml_document_t *doc, yaml_node_t *node, struct scenario_sweep **out,
	       struct err *e)
{
	struct scenario_sweep *sw = xcalloc(1, sizeof *sw);
	struct err ue;
	int rc = 0;

	*out = sw;
	sw->line = (int)node->start_mark.line + 1;
	if (node->type != YAML_MAPPING_NODE)
		return at(e, node, "expected a mapping (group, rate, arrival, compute, warmup)");
	if (yaml_unique_keys(doc, node, "sweep", e) < 0)
		return -EINVAL;
	for (yaml_node_pair_t *p = node->data.mapping.pairs.start; rc == 0 && p < node->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		const char *key = k->type == YAML_SCALAR_NODE ? text(k) : "";
		yaml_node_t **it = NULL;
		int n;

		if (strcmp(key, "group") == 0) {
			if (v->type != YAML_SCALAR_NODE)
				return at(e, v, "group: expected a client group name");
			sw->group = xstrdup(text(v));
		} else if (strcmp(key, "warmup") == 0) {
			if (v->type != YAML_SCALAR_NODE || units_parse(text(v), SPEC_TIME, &sw->warmup_us, &ue) < 0)
				return at(e, v, "warmup: expected a duration such as 500ms");
		} else if (strcmp(key, "rate") == 0) {
			if ((n = items(doc, v, "rate", &it, e)) < 0)
				return -EINVAL;
			sw->rates = xcalloc((size_t)n, sizeof *sw->rates);
			for (int i = 0; rc == 0 && i < n; i++) {
				if (units_parse(text(it[i]), SPEC_COUNT, &sw->rates[i], &ue) < 0 || !(sw->rates[i] > 0))
					rc = at(e, it[i], "rate: expected requests/s above 0, got '%s'", text(it[i]));
				sw->nrates++;
			}
		} else if (strcmp(key, "arrival") == 0) {
			if ((n = items(doc, v, "arrival", &it, e)) < 0)
				return -EINVAL;
			sw->arrivals = xcalloc((size_t)n, sizeof *sw->arrivals);
			for (int i = 0; rc == 0 && i < n; i++) {
				if (strcmp(text(it[i]), "const") == 0)
					sw->arrivals[sw->narrivals++] = SWEEP_CONST;
				else if (strcmp(text(it[i]), "exp") == 0)
					sw->arrivals[sw->narrivals++] = SWEEP_EXP;
				else
					rc = at(e, it[i], "arrival: expected const or exp, got '%s'", text(it[i]));
			}
		} else if (strcmp(key, "compute") == 0) {
			double us;

			if ((n = items(doc, v, "compute", &it, e)) < 0)
				return -EINVAL;
			sw->computes = xcalloc((size_t)n, sizeof *sw->computes);
			for (int i = 0; rc == 0 && i < n; i++) {
				if (units_parse(text(it[i]), SPEC_TIME, &us, &ue) < 0)
					rc = at(e, it[i], "compute: expected a duration such as 100us, got '%s'",
						text(it[i]));
				else
					sw->computes[sw->ncomputes++] = xstrdup(text(it[i]));
			}
		} else {
			rc = at(e, k, "unknown key '%s' (expected group, rate, arrival, compute or warmup)", key);
		}
		free(it);
	}
	if (rc < 0)
		return rc;
	if (sw->nrates + sw->narrivals + sw->ncomputes == 0)
		return at(e, node, "nothing to sweep: give rate, arrival or compute");
	if (sw->narrivals && !sw->nrates)
		return at(e, node, "arrival needs rate (the gap between requests is 1/rate)");
	if (sweep_ncells(sw) > SWEEP_MAX_CELLS)
		return at(e, node, "%zu cells: at most %d", sweep_ncells(sw), SWEEP_MAX_CELLS);
	return 0;
}

void sweep_free(struct scenario_sweep *sw)
{
	if (sw == NULL)
		return;
	for (size_t i = 0; i < sw->ncomputes; i++)
		free(sw->computes[i]);
	free(sw->computes);
	free(sw->rates);
	free(sw->arrivals);
	free(sw->group);
	free(sw);
}

size_t sweep_ncells(const struct scenario_sweep *sw)
{
	size_t n = 1;

	n *= sw->nrates ? sw->nrates : 1;
	n *= sw->narrivals ? sw->narrivals : 1;
	n *= sw->ncomputes ? sw->ncomputes : 1;
	return n;
}

void sweep_cell(const struct scenario_sweep *sw, size_t i, struct sweep_cell *c)
{
	size_t nr = sw->nrates ? sw->nrates : 1, nc = sw->ncomputes ? sw->ncomputes : 1;

	c->rate = sw->nrates ? sw->rates[i % nr] : NAN;
	c->compute = sw->ncomputes ? sw->computes[i / nr % nc] : NULL;
	c->arrival = !sw->nrates ? 0 : sw->narrivals ? sw->arrivals[i / nr / nc] : SWEEP_CONST;
}

const char *sweep_arrival_name(enum sweep_arrival a)
{
	return a == SWEEP_EXP ? "exp" : "const";
}

int sweep_group(const struct scenario *s, const struct scenario_sweep *sw)
{
	if (sw->group == NULL)
		return s->nclients ? 0 : -1;
	for (size_t i = 0; i < s->nclients; i++)
		if (strcmp(s->clients[i].name, sw->group) == 0)
			return (int)i;
	return -1;
}

/* Where the value of the first -C is: the index of the word holding it and
 * the offset of the value in that word; -1 when there is none. */
static int find_compute(const struct scenario_argv *a, size_t *off)
{
	for (size_t i = 0; i < a->n; i++) {
		const char *w = a->v[i];

		if ((strcmp(w, "-C") == 0 || strcmp(w, "--comp-time") == 0) && i + 1 < a->n) {
			*off = 0;
			return (int)i + 1;
		}
		if (strncmp(w, "--comp-time=", 12) == 0) {
			*off = 12;
			return (int)i;
		}
		if (strncmp(w, "-C", 2) == 0 && w[2]) {
			*off = 2;
			return (int)i;
		}
	}
	return -1;
}

int sweep_check(const struct scenario *s, const struct scenario_sweep *sw, struct err *e)
{
	int g = sweep_group(s, sw);
	size_t off;

	if (g < 0) {
		err_set(e, "sweep: no client group '%s'", sw->group ? sw->group : "");
		e->line = sw->line;
		return -EINVAL;
	}
	if (sw->ncomputes && find_compute(&s->clients[g].args, &off) < 0) {
		err_set(e, "sweep: compute needs a -C in the args of client %s to replace",
			s->clients[g].name);
		e->line = sw->line;
		return -EINVAL;
	}
	return 0;
}

static void push(struct scenario_argv *a, char *w)
{
	a->v = xrealloc(a->v, (a->n + 2) * sizeof *a->v);
	a->v[a->n++] = w;
	a->v[a->n] = NULL;
}

/* Is w a rate or period option? *takes_next when its value is the next word. */
static int is_pace(const char *w, int *takes_next)
{
	*takes_next = strcmp(w, "-r") == 0 || strcmp(w, "-p") == 0 || strcmp(w, "--rate") == 0 ||
		      strcmp(w, "--period") == 0;
	return *takes_next || strncmp(w, "--rate=", 7) == 0 || strncmp(w, "--period=", 9) == 0 ||
	       ((strncmp(w, "-r", 2) == 0 || strncmp(w, "-p", 2) == 0) && w[2] && w[1] != '-');
}

void sweep_args(const struct scenario_sweep *sw, size_t cell, const struct scenario_argv *in,
		struct scenario_argv *out)
{
	struct sweep_cell c;
	size_t off = 0;
	int ci = -1;

	sweep_cell(sw, cell, &c);
	if (c.compute)
		ci = find_compute(in, &off);
	for (size_t i = 0; i < in->n; i++) {
		int next;

		if (!isnan(c.rate) && is_pace(in->v[i], &next)) {
			i += next;
			continue;
		}
		if ((int)i == ci) {
			const char *ws = strstr(in->v[i] + off, ",ws="); /* the working set stays */
			char *w;

			if (asprintf(&w, "%.*s%s%s", (int)off, in->v[i], c.compute, ws ? ws : "") < 0)
				abort();
			push(out, w);
			continue;
		}
		push(out, xstrdup(in->v[i]));
	}
	if (!isnan(c.rate)) {
		char *w;

		if (c.arrival == SWEEP_EXP) {
			push(out, xstrdup("-p"));
			if (asprintf(&w, "exp:%.9gus", 1e6 / c.rate) < 0)
				abort();
		} else {
			push(out, xstrdup("-r"));
			if (asprintf(&w, "%.9g", c.rate) < 0)
				abort();
		}
		push(out, w);
	}
}

char *sweep_cell_name(const struct scenario_sweep *sw, size_t cell)
{
	struct sweep_cell c;
	char buf[256] = "";
	size_t n = 0;

	sweep_cell(sw, cell, &c);
	if (sw->nrates)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "rate=%.9g", c.rate);
	if (sw->narrivals && n < sizeof buf)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "%sarrival=%s", n ? "," : "",
				      sweep_arrival_name(c.arrival));
	if (sw->ncomputes && n < sizeof buf)
		snprintf(buf + n, sizeof buf - n, "%scompute=%s", n ? "," : "", c.compute);
	return xstrdup(buf);
}
