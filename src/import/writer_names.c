/* writer_names.c -- see writer.h: the scenario's names (safe, unique,
 * sorted) and the calls left out because they close a service cycle. */
#include "import/writer_int.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void writer_safe_name(const char *in, char *out, size_t cap)
{
	size_t n = 0;
	bool dash = false;

	if (cap > NAME_MAX_LEN + 1)
		cap = NAME_MAX_LEN + 1;
	for (const char *p = in; *p && n + 1 < cap; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			  c == '_' || c == '.' || c == '-';

		if (!ok) {
			/* runs of other characters (blanks, '/', ':') become one '-' */
			if (dash || n == 0)
				continue;
			c = '-';
		}
		dash = c == '-';
		out[n++] = c;
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	if (n == 0)
		out[n++] = 'x';
	out[n] = '\0';
}

/* ---- names ------------------------------------------------------------------ */

static void find_cuts(struct writer_names *n);

static const struct model *sort_m;

static int by_svc_name(const void *x, const void *y)
{
	return strcmp(model_name(sort_m, *(const uint32_t *)x), model_name(sort_m, *(const uint32_t *)y));
}

static int by_route(const void *x, const void *y)
{
	const struct model_route *a = &sort_m->routes[*(const uint32_t *)x];
	const struct model_route *b = &sort_m->routes[*(const uint32_t *)y];
	int c = strcmp(model_name(sort_m, a->svc), model_name(sort_m, b->svc));

	if (c == 0)
		c = strcmp(model_name(sort_m, a->op), model_name(sort_m, b->op));
	if (c == 0)
		c = (int)a->leaf - (int)b->leaf;
	return c;
}

/* A name not yet in `used`: base, else base-2, base-3... (within 64 chars). */
static char *unique_name(struct strmap *used, const char *base)
{
	char buf[NAME_MAX_LEN + 1];

	snprintf(buf, sizeof buf, "%s", base);
	for (unsigned k = 2; strmap_get(used, buf, strlen(buf)) != NULL; k++) {
		char sfx[16];
		int sl = snprintf(sfx, sizeof sfx, "-%u", k);

		snprintf(buf, sizeof buf, "%.*s%s", NAME_MAX_LEN - sl, base, sfx);
	}
	strmap_put(used, buf, strlen(buf), 1, NULL, NULL);
	return xstrdup(buf);
}

struct writer_names *writer_names_new(const struct model *m)
{
	struct writer_names *n = xcalloc(1, sizeof *n);
	struct strmap used, gused;
	char safe[NAME_MAX_LEN + 1], both[2 * NAME_MAX_LEN + 2];
	uint32_t nnames = m->names.n;

	n->m = m;
	n->svc = xcalloc(nnames ? nnames : 1, sizeof *n->svc);
	n->route = xcalloc(m->nroutes ? m->nroutes : 1, sizeof *n->route);
	n->group = xcalloc(m->nroutes ? m->nroutes : 1, sizeof *n->group);
	n->svc_order = xmalloc((nnames ? nnames : 1) * sizeof *n->svc_order);
	n->route_order = xmalloc((m->nroutes ? m->nroutes : 1) * sizeof *n->route_order);
	for (uint32_t i = 0; i < m->nroutes; i++) {
		uint32_t s = m->routes[i].svc;

		n->route_order[i] = i;
		if (n->svc[s] == NULL) {
			n->svc[s] = (char *)"";
			n->svc_order[n->nsvc++] = s;
		}
	}
	sort_m = m;
	qsort(n->svc_order, n->nsvc, sizeof *n->svc_order, by_svc_name);
	qsort(n->route_order, m->nroutes, sizeof *n->route_order, by_route);
	strmap_init(&used);
	for (uint32_t i = 0; i < n->nsvc; i++) {
		writer_safe_name(model_name(m, n->svc_order[i]), safe, sizeof safe);
		n->svc[n->svc_order[i]] = unique_name(&used, safe);
	}
	strmap_free(&used);
	strmap_init(&gused);
	for (uint32_t i = 0; i < m->nroutes;) {
		uint32_t s = m->routes[n->route_order[i]].svc;

		strmap_init(&used);
		for (; i < m->nroutes && m->routes[n->route_order[i]].svc == s; i++) {
			uint32_t r = n->route_order[i];

			writer_safe_name(model_name(m, m->routes[r].op), safe, sizeof safe);
			n->route[r] = unique_name(&used, safe);
			if (model_entries(m, &m->routes[r])) {
				snprintf(both, sizeof both, "%s.%s", n->svc[s], n->route[r]);
				writer_safe_name(both, safe, sizeof safe);
				n->group[r] = unique_name(&gused, safe);
			}
		}
		strmap_free(&used);
	}
	strmap_free(&gused);
	find_cuts(n);
	return n;
}

const char *writer_service_name(const struct writer_names *n, uint32_t svc)
{
	return n->svc[svc];
}

const char *writer_route_name(const struct writer_names *n, uint32_t route)
{
	return n->route[route];
}

const char *writer_group_name(const struct writer_names *n, uint32_t route)
{
	return n->group[route];
}

void writer_names_free(struct writer_names *n)
{
	if (n == NULL)
		return;
	for (uint32_t i = 0; i < n->nsvc; i++)
		free(n->svc[n->svc_order[i]]);
	for (uint32_t i = 0; i < n->m->nroutes; i++) {
		free(n->route[i]);
		free(n->group[i]);
	}
	free(n->svc);
	free(n->route);
	free(n->group);
	free(n->svc_order);
	free(n->route_order);
	for (uint32_t i = 0; i < n->ncut; i++)
		free(n->cut_text[i]);
	free(n->cut_text);
	strmap_free(&n->cut);
	free(n);
}

bool writer_call_cut(const struct writer_names *n, uint32_t from_svc, uint32_t to_svc)
{
	uint32_t key[2] = { from_svc, to_svc };

	return n->ncut && strmap_get(&n->cut, key, sizeof key) != NULL;
}

/* ---- the service graph must have no cycle --------------------------------------- */

/* A scenario starts a service after the services its routes call, so calls
 * between services may not form a cycle. A depth-first search over services
 * (in name order, callees in name order) finds the calls that close one (its
 * back edges); those calls are left out of the routes, each pair named in a
 * warning. What remains has no cycle. */
struct cut_dfs {
	struct writer_names *n;
	uint32_t *rank;       /* service name id -> position in svc_order */
	uint32_t *adj, *adj0; /* callees of the service at rank i: adj[adj0[i] .. adj0[i+1]) (ranks) */
	uint8_t *state;       /* by rank: 1 on the path, 2 done */
	uint32_t *path;
};

static void cut_visit(struct cut_dfs *d, uint32_t s, uint32_t depth)
{
	struct writer_names *n = d->n;

	d->state[s] = 1;
	d->path[depth] = s;
	for (uint32_t i = d->adj0[s]; i < d->adj0[s + 1]; i++) {
		uint32_t t = d->adj[i];

		if (d->state[t] == 1) {
			uint32_t key[2] = { n->svc_order[s], n->svc_order[t] }, from = depth;
			struct text txt = { 0 };

			strmap_put(&n->cut, key, sizeof key, 1, NULL, NULL);
			while (d->path[from] != t)
				from--;
			writer_tput(&txt, "calls from %s to %s left out: they close a cycle (", n->svc[key[0]],
			     n->svc[key[1]]);
			for (uint32_t k = from; k <= depth; k++)
				writer_tput(&txt, "%s -> ", n->svc[n->svc_order[d->path[k]]]);
			writer_tput(&txt, "%s)", n->svc[key[1]]);
			n->cut_text = xrealloc(n->cut_text, (n->ncut + 1) * sizeof *n->cut_text);
			n->cut_text[n->ncut++] = txt.p;
		} else if (d->state[t] == 0) {
			cut_visit(d, t, depth + 1);
		}
	}
	d->state[s] = 2;
}

static int by_pair(const void *x, const void *y)
{
	const uint32_t *a = x, *b = y;

	if (a[0] != b[0])
		return a[0] < b[0] ? -1 : 1;
	return a[1] < b[1] ? -1 : a[1] > b[1];
}

static void find_cuts(struct writer_names *n)
{
	const struct model *m = n->m;
	struct cut_dfs d = { .n = n };
	uint32_t *pairs = NULL, np = 0, cap = 0;

	strmap_init(&n->cut);
	d.rank = xcalloc(m->names.n ? m->names.n : 1, sizeof *d.rank);
	for (uint32_t i = 0; i < n->nsvc; i++)
		d.rank[n->svc_order[i]] = i;
	for (uint32_t r = 0; r < m->nroutes; r++)
		for (uint32_t p = 0; p < m->routes[r].nplans; p++)
			for (uint32_t c = 0; c < m->routes[r].plans[p].ncalls; c++) {
				if (np == cap) {
					cap = cap ? 2 * cap : 64;
					pairs = xrealloc(pairs, 2 * cap * sizeof *pairs);
				}
				pairs[2 * np] = d.rank[m->routes[r].svc];
				pairs[2 * np + 1] = d.rank[m->routes[m->routes[r].plans[p].calls[c]].svc];
				np++;
			}
	if (np)
		qsort(pairs, np, 2 * sizeof *pairs, by_pair);
	d.adj = xmalloc((np ? np : 1) * sizeof *d.adj);
	d.adj0 = xcalloc(n->nsvc + 1, sizeof *d.adj0);
	uint32_t na = 0;

	for (uint32_t i = 0; i < np; i++) {
		if (i > 0 && pairs[2 * i] == pairs[2 * i - 2] && pairs[2 * i + 1] == pairs[2 * i - 1])
			continue;
		d.adj[na++] = pairs[2 * i + 1];
		d.adj0[pairs[2 * i] + 1]++;
	}
	for (uint32_t i = 0; i < n->nsvc; i++)
		d.adj0[i + 1] += d.adj0[i];
	d.state = xcalloc(n->nsvc ? n->nsvc : 1, 1);
	d.path = xcalloc(n->nsvc ? n->nsvc : 1, sizeof *d.path);
	for (uint32_t i = 0; i < n->nsvc; i++)
		if (d.state[i] == 0)
			cut_visit(&d, i, 0);
	free(pairs);
	free(d.rank);
	free(d.adj);
	free(d.adj0);
	free(d.state);
	free(d.path);
}
