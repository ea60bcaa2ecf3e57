/* model.c -- see model.h. */
#include "import/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stats/sample.h"
#include "util/xalloc.h"

/* One call of an execution, in ns since the epoch (or the trace set's origin). */
struct model_call {
	int64_t start, end;
	int64_t callee_end; /* when the callee's own span ended (INT64_MIN: no span) */
	uint32_t route;
};

/* An op span of a meshwalk-recorded execution: a COMPUTE (on CPU), or a
 * SLEEP, LOAD, STORE or READ, during which its worker was off the CPU. */
struct model_wait {
	int64_t start, end;
	int64_t size;  /* LOAD, STORE: bytes, -1: unknown */
	int64_t offset; /* LOAD, STORE: -1 the node's next, SPAN_OFFSET_NONE: unknown */
	uint8_t kind;  /* enum model_op */
	int8_t sync;   /* STORE: policy, -1: unknown */
};

#define MOPS_CPU (1u << MOP_COMPUTE)
#define MOPS_WAIT ((1u << MOP_SLEEP) | (1u << MOP_LOAD) | (1u << MOP_STORE) | (1u << MOP_READ))
#define MOPS_WAIT_OTHER ((1u << MOP_SLEEP) | (1u << MOP_READ))

void model_init(struct model *m, uint64_t tolerance_ns)
{
	memset(m, 0, sizeof *m);
	strtab_init(&m->names);
	strmap_init(&m->route_ix);
	strmap_init(&m->plan_ix);
	strmap_init(&m->edge_ix);
	m->tolerance_ns = tolerance_ns;
	rng_seed(&m->rng, 17, 0); /* fixed: the same input fits the same model */
	rng_seed(&m->self_rng, 17, 1); /* apart: validate's figure leaves the fit's draws alone */
	rng_seed(&m->call_rng, 17, 2);
}

void reservoir_free(struct reservoir *r)
{
	free(r->v);
	memset(r, 0, sizeof *r);
}

void model_free(struct model *m)
{
	for (uint32_t i = 0; i < m->nroutes; i++) {
		struct model_route *r = &m->routes[i];

		for (uint32_t p = 0; p < r->nplans; p++) {
			struct model_plan *pl = &r->plans[p];

			for (uint32_t s = 0; s <= pl->ngroups; s++) {
				reservoir_free(&pl->seg[s]);
				reservoir_free(&pl->wait[s]);
				reservoir_free(&pl->wait_other[s]);
				for (uint32_t k = 0; k < MODEL_MAX_STOR_OPS; k++) {
					reservoir_free(&pl->stor[s].size[k]);
					reservoir_free(&pl->stor[s].offset[k]);
				}
			}
			free(pl->seg);
			free(pl->wait);
			free(pl->wait_other);
			free(pl->stor);
			free(pl->gsize);
			free(pl->calls);
			free(pl->detached);
			reservoir_free(&pl->dur);
		}
		free(r->plans);
		reservoir_free(&r->req);
		reservoir_free(&r->resp);
		reservoir_free(&r->leaf_dur);
		reservoir_free(&r->root_dur);
		reservoir_free(&r->entry_srv_dur);
		reservoir_free(&r->self);
	}
	for (uint32_t i = 0; i < m->nedges; i++) {
		reservoir_free(&m->edges[i].net);
		reservoir_free(&m->edges[i].call);
	}
	free(m->routes);
	free(m->edges);
	free(m->stack);
	free(m->calls);
	free(m->waits);
	free(m->shift);
	free(m->seg);
	free(m->key);
	strmap_free(&m->route_ix);
	strmap_free(&m->plan_ix);
	strmap_free(&m->edge_ix);
	strtab_free(&m->names);
}

const char *model_name(const struct model *m, uint32_t id)
{
	return strtab_str(&m->names, id);
}

uint64_t model_route_timed(const struct model_route *r)
{
	return r->execs - r->untimed;
}

bool model_entries_are_fragments(const struct model *m)
{
	for (uint32_t i = 0; i < m->nroutes; i++)
		if (m->routes[i].roots)
			return false;
	return true;
}

uint64_t model_entries(const struct model *m, const struct model_route *r)
{
	return model_entries_are_fragments(m) ? r->frag_roots : r->roots;
}

void model_entry_times(const struct model *m, uint64_t *n, uint64_t *span_ns)
{
	bool frag = model_entries_are_fragments(m);

	*n = frag ? m->frags : m->roots;
	*span_ns = *n ? (frag ? m->frag_last_ns - m->frag_first_ns : m->root_last_ns - m->root_first_ns)
		      : 0;
}

/* Algorithm R: every value seen has the same chance to be kept. */
void reservoir_add(struct reservoir *r, struct rng *g, double v)
{
	reservoir_add_cap(r, g, v, MODEL_RESERVOIR);
}

void reservoir_add_cap(struct reservoir *r, struct rng *g, double v, uint32_t cap)
{
	r->seen++;
	r->sum += v;
	if (r->n < cap) {
		/* grown as filled: most reservoirs of a big trace set (rare
		 * routes and plans) hold a few values */
		if ((r->n & (r->n - 1)) == 0 && r->n >= 8)
			r->v = xrealloc(r->v, 2 * r->n * sizeof *r->v);
		else if (r->v == NULL)
			r->v = xmalloc(8 * sizeof *r->v);
		r->v[r->n++] = v;
		return;
	}
	uint64_t j = rng_next(g) % r->seen;

	if (j < cap)
		r->v[j] = v;
}

double *reservoir_sorted(const struct reservoir *r, uint32_t *n)
{
	double *x = xmalloc((r->n ? r->n : 1) * sizeof *x);

	if (r->n)
		memcpy(x, r->v, r->n * sizeof *x);
	sample_sort(x, r->n);
	*n = r->n;
	return x;
}

static uint32_t name_id(struct model *m, const struct import *im, uint32_t id)
{
	const char *s = import_name(im, id);

	return strtab_intern(&m->names, s, strlen(s));
}

static uint32_t route_of(struct model *m, uint32_t svc, uint32_t op, bool leaf)
{
	uint32_t key[3] = { svc, op, leaf };
	bool added;
	uint64_t *v = strmap_put(&m->route_ix, key, sizeof key, m->nroutes, &added, NULL);

	if (added) {
		if (m->nroutes == m->cap_routes) {
			m->cap_routes = m->cap_routes ? m->cap_routes * 2 : 16;
			m->routes = xrealloc(m->routes, m->cap_routes * sizeof *m->routes);
		}
		memset(&m->routes[m->nroutes], 0, sizeof m->routes[0]);
		m->routes[m->nroutes].svc = svc;
		m->routes[m->nroutes].op = op;
		m->routes[m->nroutes].leaf = leaf;
		m->nroutes++;
	}
	return (uint32_t)*v;
}

static struct model_edge *edge_of(struct model *m, uint32_t from, uint32_t to)
{
	uint32_t key[2] = { from, to };
	bool added;
	uint64_t *v = strmap_put(&m->edge_ix, key, sizeof key, m->nedges, &added, NULL);

	if (added) {
		if (m->nedges == m->cap_edges) {
			m->cap_edges = m->cap_edges ? m->cap_edges * 2 : 16;
			m->edges = xrealloc(m->edges, m->cap_edges * sizeof *m->edges);
		}
		memset(&m->edges[m->nedges], 0, sizeof m->edges[0]);
		m->edges[m->nedges].from = from;
		m->edges[m->nedges].to = to;
		m->nedges++;
	}
	return &m->edges[*v];
}

static bool is_caller(const struct span *sp)
{
	return sp->kind == SPAN_KIND_CLIENT || sp->kind == SPAN_KIND_PRODUCER;
}

static bool timed(const struct span *sp)
{
	return !(sp->flags & SPAN_F_NO_TIME);
}

static void add_sizes(struct model *m, struct model_route *r, const struct span *sp)
{
	if (sp->req_bytes >= 0)
		reservoir_add(&r->req, &m->rng, (double)sp->req_bytes);
	if (sp->resp_bytes >= 0)
		reservoir_add(&r->resp, &m->rng, (double)sp->resp_bytes);
}

static void grow_u32(uint32_t **p, uint32_t *cap, uint32_t need)
{
	if (need <= *cap)
		return;
	while (*cap < need)
		*cap = *cap ? *cap * 2 : 64;
	*p = xrealloc(*p, *cap * sizeof **p);
}

static void push_call(struct model *m, uint32_t *n, int64_t start, int64_t end,
		      int64_t callee_end, uint32_t route)
{
	if (*n == m->cap_calls) {
		m->cap_calls = m->cap_calls ? m->cap_calls * 2 : 32;
		m->calls = xrealloc(m->calls, m->cap_calls * sizeof *m->calls);
	}
	m->calls[*n].start = start;
	m->calls[*n].end = end;
	m->calls[*n].callee_end = callee_end;
	m->calls[*n].route = route;
	(*n)++;
}

static int by_start(const void *x, const void *y)
{
	const struct model_call *a = x, *b = y;

	if (a->start != b->start)
		return a->start < b->start ? -1 : 1;
	if (a->end != b->end)
		return a->end < b->end ? -1 : 1;
	return a->route < b->route ? -1 : a->route > b->route;
}

static int by_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return a < b ? -1 : a > b;
}

static int64_t min64(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

#define MS_NS 1000000

/* In a plan's key, a call that outlived its caller (fire and forget). */
#define CALL_DETACHED 0x80000000u

/* The plan of route r with this key (route, ngroups, sizes..., calls...),
 * or NULL when the route already tracks MODEL_MAX_PLANS others. */
static struct model_plan *plan_of(struct model *m, struct model_route *r, uint32_t ridx,
				  const uint32_t *key, uint32_t nkey)
{
	uint64_t *v = strmap_get(&m->plan_ix, key, nkey * sizeof *key);
	struct model_plan *pl;
	uint32_t ng = key[1];

	(void)ridx;
	if (v != NULL)
		return &r->plans[*v];
	if (r->nplans == MODEL_MAX_PLANS)
		return NULL;
	strmap_put(&m->plan_ix, key, nkey * sizeof *key, r->nplans, NULL, NULL);
	r->plans = xrealloc(r->plans, (r->nplans + 1) * sizeof *r->plans);
	pl = &r->plans[r->nplans++];
	memset(pl, 0, sizeof *pl);
	pl->ngroups = ng;
	pl->gsize = xmalloc((ng ? ng : 1) * sizeof *pl->gsize);
	memcpy(pl->gsize, key + 2, ng * sizeof *pl->gsize);
	pl->ncalls = nkey - 2 - ng;
	pl->calls = xmalloc((pl->ncalls ? pl->ncalls : 1) * sizeof *pl->calls);
	pl->detached = xmalloc((pl->ncalls ? pl->ncalls : 1) * sizeof *pl->detached);
	for (uint32_t i = 0; i < pl->ncalls; i++) {
		pl->calls[i] = key[2 + ng + i] & ~CALL_DETACHED;
		pl->detached[i] = (key[2 + ng + i] & CALL_DETACHED) != 0;
	}
	pl->seg = xcalloc(ng + 1, sizeof *pl->seg);
	pl->wait = xcalloc(ng + 1, sizeof *pl->wait);
	pl->wait_other = xcalloc(ng + 1, sizeof *pl->wait_other);
	pl->stor = xcalloc(ng + 1, sizeof *pl->stor);
	return pl;
}

/* The time of the execution's op spans of the kinds in mask (bits of enum
 * model_op) within [a, b), at most b - a. */
static int64_t ops_within(const struct model *m, unsigned mask, int64_t a, int64_t b)
{
	int64_t w = 0;

	for (uint32_t i = 0; i < m->nwaits; i++)
		if (mask & (1u << m->waits[i].kind))
			w += max64(min64(m->waits[i].end, b) - max64(m->waits[i].start, a), 0);
	return min64(w, max64(b - a, 0));
}

/* The storage ops (LOAD, STORE) of the execution starting in [a, b), in
 * order, against what segment st saw before: the same sequence adds its
 * sizes; another (or one too long, or without its size or policy) makes
 * the segment mixed for good, counted. */
static void fit_stor(struct model *m, struct model_stor *st, int64_t a, int64_t b)
{
	const struct model_wait *op[MODEL_MAX_STOR_OPS];
	uint32_t n = 0;
	bool same = true;

	if (st->state == STOR_MIXED)
		return;
	for (uint32_t i = 0; i < m->nwaits; i++) {
		const struct model_wait *w = &m->waits[i];
		uint32_t k;

		if ((w->kind != MOP_LOAD && w->kind != MOP_STORE) || w->start < a || w->start >= b)
			continue;
		if (n == MODEL_MAX_STOR_OPS || w->size < 0 || w->offset == SPAN_OFFSET_NONE ||
		    (w->kind == MOP_STORE && w->sync < 0)) {
			same = false;
			break;
		}
		for (k = n++; k > 0 && op[k - 1]->start > w->start; k--)
			op[k] = op[k - 1];
		op[k] = w;
	}
	if (same && st->state == STOR_SAME) {
		same = st->n == n;
		for (uint32_t k = 0; same && k < n; k++)
			same = st->kind[k] == op[k]->kind && st->sync[k] == op[k]->sync &&
			       st->at[k] == (op[k]->offset >= 0);
	}
	if (!same) {
		st->state = STOR_MIXED;
		m->stor_mixed++;
		return;
	}
	if (st->state == STOR_UNSEEN) {
		st->state = STOR_SAME;
		st->n = (uint8_t)n;
		for (uint32_t k = 0; k < n; k++) {
			st->kind[k] = op[k]->kind;
			st->sync[k] = op[k]->sync;
			st->at[k] = op[k]->offset >= 0;
		}
	}
	for (uint32_t k = 0; k < n; k++) {
		reservoir_add(&st->size[k], &m->rng, (double)op[k]->size);
		if (st->at[k])
			reservoir_add(&st->offset[k], &m->rng, (double)op[k]->offset);
	}
}

/* Groups the sorted calls[0..n) of an execution [s, e) and counts its plan.
 * A call still running when its caller ended was not waited for: it is
 * kept as a group of its own, of no length (the caller went on at once),
 * and marked detached, so the clone sends it without waiting (nowait). */
static void fit_plan(struct model *m, uint32_t ridx, int64_t s, int64_t e, uint32_t n)
{
	struct model_call *c = m->calls;
	uint32_t ng = 0, nkey;
	int64_t gs = 0, ge = 0;
	uint32_t *gstart;

	if (n > 0)
		qsort(c, n, sizeof *c, by_start);
	/* key: route, ngroups, group sizes, callee routes; gstart: first call
	 * of each group (scratch after the key) */
	grow_u32(&m->key, &m->cap_key, 2 * n + 2 + n + 1);
	gstart = m->key + 2 * n + 2;
	for (uint32_t i = 0; i < n; i++) {
		int64_t cs = max64(c[i].start, s), ce = max64(min64(c[i].end, e), cs);
		bool join = false,
		     detached = c[i].end > e + (int64_t)m->tolerance_ns ||
				(c[i].callee_end != INT64_MIN &&
				 c[i].callee_end > e + (int64_t)m->tolerance_ns);

		if (detached) {
			m->routes[ridx].late_calls++, m->late_calls++;
			c[i].route |= CALL_DETACHED;
			ce = cs;
		}
		c[i].start = cs;
		c[i].end = ce;
		if (ng > 0 && !detached && !(c[i - 1].route & CALL_DETACHED)) {
			int64_t overlap = min64(ge, ce) - cs;
			int64_t tol = min64((int64_t)m->tolerance_ns, min64((ce - cs) / 2, (ge - gs) / 2));

			join = overlap > tol;
		}
		if (join) {
			ge = max64(ge, ce);
			continue;
		}
		gstart[ng++] = i;
		gs = cs;
		ge = ce;
	}
	gstart[ng] = n;
	m->key[0] = ridx;
	m->key[1] = ng;
	nkey = 2 + ng;
	for (uint32_t g = 0; g < ng; g++) {
		uint32_t *grp = m->key + nkey + gstart[g];

		m->key[2 + g] = gstart[g + 1] - gstart[g];
		for (uint32_t i = gstart[g]; i < gstart[g + 1]; i++)
			grp[i - gstart[g]] = c[i].route;
		qsort(grp, gstart[g + 1] - gstart[g], sizeof *grp, by_u32);
	}
	/* the calls were written at nkey + gstart[g]: contiguous, n of them */
	nkey += n;

	struct model_route *r = &m->routes[ridx];
	struct model_plan *pl = plan_of(m, r, ridx, m->key, nkey);
	int64_t at = s, self = 0, *seg_ns, *wait_ns, *other_ns;

	/* segments: before the first group, between groups, after the last.
	 * Of a meshwalk-recorded execution, a segment is its COMPUTE spans'
	 * time, and its waits are kept apart (off CPU), its storage ops apart
	 * again (the clone runs them); the rest is meshwalk's own engine, which
	 * the clone pays again (docs/import.md) */
	if (3 * (ng + 1) > m->cap_seg) {
		m->cap_seg = 6 * (ng + 1);
		m->seg = xrealloc(m->seg, m->cap_seg * sizeof *m->seg);
	}
	seg_ns = m->seg;
	wait_ns = m->seg + ng + 1;
	other_ns = m->seg + 2 * (ng + 1);
	for (uint32_t g = 0; g <= ng; g++) {
		int64_t g0 = g < ng ? c[gstart[g]].start : e, g1 = g0;

		for (uint32_t i = gstart[g]; g < ng && i < gstart[g + 1]; i++)
			g1 = max64(g1, c[i].end);
		seg_ns[g] = m->coarse ? g0 - at : max64(g0 - at, 0);
		self += seg_ns[g];
		if (m->known_ops) {
			wait_ns[g] = ops_within(m, MOPS_WAIT, at, g0);
			other_ns[g] = ops_within(m, MOPS_WAIT_OTHER, at, g0);
			seg_ns[g] = ops_within(m, MOPS_CPU, at, g0);
			if (pl != NULL)
				fit_stor(m, &pl->stor[g], at, g0);
		}
		at = max64(at, g1);
	}
	reservoir_add(&r->self, &m->self_rng, (double)self);

	if (pl == NULL) {
		r->other++;
		m->other++;
		return;
	}
	pl->count++;
	if (m->coarse) {
		pl->coarse++;
		m->coarse_execs++;
	}
	reservoir_add(&pl->dur, &m->rng, (double)(e - s));
	for (uint32_t g = 0; g <= ng; g++) {
		reservoir_add(&pl->seg[g], &m->rng, (double)seg_ns[g]);
		if (m->known_ops) {
			reservoir_add(&pl->wait[g], &m->rng, (double)wait_ns[g]);
			reservoir_add(&pl->wait_other[g], &m->rng, (double)other_ns[g]);
		}
	}
}

/* How far the clocks' alignment moved callee Y (span ci) onto the clock of
 * execution ei, counted. */
static int64_t callee_moved(struct model *m, const struct span *Y, uint32_t ci, uint32_t ei)
{
	int64_t moved = m->shift[ci] - m->shift[ei];

	if (moved != 0 && timed(Y)) {
		m->aligned_calls++;
		if ((moved < 0 ? -moved : moved) > m->aligned_max_ns)
			m->aligned_max_ns = moved < 0 ? -moved : moved;
	}
	return moved;
}

/* A call of service svc timed by its client span X, answered by Y (route
 * cr): the sizes when the callee has none, the network time. */
static void client_call(struct model *m, uint32_t svc, uint32_t cr, const struct span *X,
			const struct span *Y)
{
	if (Y->req_bytes < 0 && Y->resp_bytes < 0)
		add_sizes(m, &m->routes[cr], X);
	if (timed(X) && timed(Y)) {
		struct model_edge *ed = edge_of(m, svc, m->routes[cr].svc);
		int64_t net = X->dur_ns - Y->dur_ns;

		if (net < 0) {
			m->negative_net++;
			ed->shorter++;
		}
		ed->calls++;
		if ((X->flags & SPAN_F_MESHWALK) && (Y->flags & SPAN_F_MESHWALK))
			ed->meshwalk_calls++;
		reservoir_add(&ed->net, &m->rng, (double)(net > 0 ? net : 0));
		reservoir_add(&ed->call, &m->call_rng, (double)X->dur_ns);
	}
}

/* Local span X of a meshwalk-recorded execution, if it is one of the op
 * spans meshwalk records (docs/tracing.md) that the fit tells apart: a
 * COMPUTE (cpu), or a wait: a SLEEP on its timer, a LOAD or STORE handed to
 * the storage thread, a sendfile reply's READ. */
static void push_op(struct model *m, const struct import *im, const struct span *X,
		    struct model_route *r)
{
	static const char *const names[] = { [MOP_COMPUTE] = "COMPUTE", [MOP_SLEEP] = "SLEEP",
					     [MOP_LOAD] = "LOAD", [MOP_STORE] = "STORE",
					     [MOP_READ] = "READ" };
	const char *op;
	size_t i;

	if (X->kind != SPAN_KIND_INTERNAL || !(X->flags & SPAN_F_MESHWALK) || !timed(X))
		return;
	op = import_name(im, X->operation);
	for (i = 0; i < sizeof names / sizeof names[0] && strcmp(op, names[i]) != 0; i++)
		;
	if (i == sizeof names / sizeof names[0])
		return;
	if (m->nwaits == m->cap_waits) {
		m->cap_waits = m->cap_waits ? m->cap_waits * 2 : 16;
		m->waits = xrealloc(m->waits, m->cap_waits * sizeof *m->waits);
	}
	/* a COMPUTE or SLEEP is the time it asked for: what it took beyond
	 * (preempted at the end of its spin, a late timer) was the machine's,
	 * and the clone's machine adds its own */
	m->waits[m->nwaits].start = X->start_ns;
	m->waits[m->nwaits].end = X->start_ns + (X->asked_ns >= 0 && X->asked_ns < X->dur_ns
						       ? X->asked_ns
						       : X->dur_ns);
	m->waits[m->nwaits].kind = (uint8_t)i;
	m->waits[m->nwaits].size = X->op_size;
	m->waits[m->nwaits].offset = X->op_offset;
	m->waits[m->nwaits].sync = X->op_sync;
	m->nwaits++;
	if (i == MOP_COMPUTE && X->wset > r->wset)
		r->wset = X->wset;
}

/* Entry span E of route r starts a request: a trace root, or the root of a
 * fragment whose parent is missing; counted, its start and (a trace root's)
 * end-to-end latency kept. */
static void count_root(struct model *m, const struct trace *t, const struct span *E,
		       struct model_route *r)
{
	bool frag = E->parent == SPAN_NONE && E->parent_id != NULL;
	uint64_t *n = frag ? &m->frags : &m->roots;
	uint64_t *first = frag ? &m->frag_first_ns : &m->root_first_ns;
	uint64_t *last = frag ? &m->frag_last_ns : &m->root_last_ns;

	(*(frag ? &r->frag_roots : &r->roots))++;
	if (!timed(E))
		return;
	uint64_t st = (uint64_t)E->start_ns;
	/* Called by a load generator: its client span is the end-to-end
	 * latency (what the clone's clients measure). */
	const struct span *L = E->parent != SPAN_NONE && timed(&t->spans[E->parent])
				       ? &t->spans[E->parent]
				       : E;

	if (!frag) {
		reservoir_add_cap(&r->root_dur, &m->rng, (double)L->dur_ns, MODEL_ROOT_RESERVOIR);
		if (L != E) {
			r->roots_by_client++;
			reservoir_add_cap(&r->entry_srv_dur, &m->rng, (double)E->dur_ns,
					  MODEL_ROOT_RESERVOIR);
		}
	}
	if (*n == 0 || st < *first)
		*first = st;
	if (*n == 0 || st > *last)
		*last = st;
	(*n)++;
}

/* One execution: the entry span ei of its service; root: it starts a
 * request (a trace root, or called by an external caller). */
static void execution(struct model *m, const struct import *im, const struct trace *t, uint32_t ei,
		      bool root)
{
	const struct span *E = &t->spans[ei];
	uint32_t svc = name_id(m, im, E->service);
	uint32_t ridx = route_of(m, svc, name_id(m, im, E->operation), false);
	uint32_t nstack = 0, ncalls = 0;
	bool all_timed = timed(E);

	m->execs++;
	m->routes[ridx].execs++;
	if (E->status == SPAN_STATUS_ERROR)
		m->routes[ridx].errors++;
	add_sizes(m, &m->routes[ridx], E);
	if (root)
		count_root(m, t, E, &m->routes[ridx]);
	/* walk the local spans; their children in other services are calls,
	 * and meshwalk's COMPUTE and wait spans among them its ops */
	grow_u32(&m->stack, &m->cap_stack, t->n + 1);
	m->stack[nstack++] = ei;
	m->nwaits = 0;
	m->known_ops = (E->flags & SPAN_F_MESHWALK) != 0;
	m->coarse = !m->known_ops && E->start_ns % MS_NS == 0;
	while (nstack > 0) {
		uint32_t xi = m->stack[--nstack];
		const struct span *X = &t->spans[xi];
		bool answered = false;

		if (xi != ei && m->known_ops)
			push_op(m, im, X, &m->routes[ridx]);

		for (uint32_t ci = X->first_child; ci != SPAN_NONE; ci = t->spans[ci].next_sibling) {
			const struct span *Y = &t->spans[ci];

			if (Y->service == X->service) {
				m->stack[nstack++] = ci;
				continue;
			}
			answered = true;
			uint32_t cr = route_of(m, name_id(m, im, Y->service), name_id(m, im, Y->operation),
					       false);
			/* the caller's client span times the call when there is one */
			const struct span *T = is_caller(X) && xi != ei ? X : Y;

			all_timed &= timed(T);
			m->coarse &= T->start_ns % MS_NS == 0;
			int64_t moved = callee_moved(m, Y, ci, ei);
			/* a callee still at work when the caller ended was not
			 * waited for, whenever the client span ended (one
			 * that ends at the send, or with its caller, as
			 * meshwalk's nowait forwards do); its end on the
			 * caller's clock (trace_skew_shifts), so that skew
			 * between processes does not pass for it */
			int64_t t0 = T == Y ? Y->start_ns + moved : T->start_ns;

			push_call(m, &ncalls, t0, t0 + T->dur_ns,
				  timed(Y) ? Y->start_ns + Y->dur_ns + moved : INT64_MIN, cr);
			if (T == X)
				client_call(m, svc, cr, X, Y);
		}
		if (!answered && is_caller(X) && xi != ei) {
			/* a call no traced service answered: a leaf route */
			uint32_t lsvc;

			if (X->peer_service != SPAN_NONE) {
				lsvc = name_id(m, im, X->peer_service);
			} else {
				char buf[300];
				const char *s = import_name(im, X->service);

				snprintf(buf, sizeof buf, "%.250s-ext", s);
				lsvc = strtab_intern(&m->names, buf, strlen(buf));
			}
			uint32_t lr = route_of(m, lsvc, name_id(m, im, X->operation), true);
			struct model_route *L = &m->routes[lr];

			L->execs++;
			if (X->status == SPAN_STATUS_ERROR)
				L->errors++;
			add_sizes(m, L, X);
			if (timed(X))
				reservoir_add(&L->leaf_dur, &m->rng, (double)X->dur_ns);
			else
				L->untimed++;
			all_timed &= timed(X);
			m->coarse &= X->start_ns % MS_NS == 0;
			push_call(m, &ncalls, X->start_ns, X->start_ns + X->dur_ns, INT64_MIN, lr);
		}
	}
	if (!all_timed) {
		m->routes[ridx].untimed++;
		m->untimed++;
		return;
	}
	m->coarse &= ncalls > 0; /* one segment: the entry's duration, not a gap */
	fit_plan(m, ridx, E->start_ns, E->start_ns + E->dur_ns, ncalls);
}

/* A trace root that is a CLIENT span with children, none in its own
 * service, is a caller outside the application (a load generator:
 * meshwalk's own client, an instrumented test harness), not a service to
 * emulate: the spans it called are the requests' entries, and the clone's
 * client groups take its place. */
static bool external_caller(const struct trace *t, uint32_t i)
{
	const struct span *s = &t->spans[i];

	if (s->parent != SPAN_NONE || s->kind != SPAN_KIND_CLIENT || s->first_child == SPAN_NONE)
		return false;
	for (uint32_t c = s->first_child; c != SPAN_NONE; c = t->spans[c].next_sibling)
		if (t->spans[c].service == s->service)
			return false;
	return true;
}

void model_trace(void *arg, const struct import *im, const struct trace *t)
{
	struct model *m = arg;

	if (t->n > m->cap_shift) {
		m->cap_shift = t->n;
		m->shift = xrealloc(m->shift, m->cap_shift * sizeof *m->shift);
	}
	clockalign_shifts(m->clocks, im, t, m->shift);

	for (uint32_t i = 0; i < t->n; i++) {
		const struct span *sp = &t->spans[i];

		if (sp->parent == SPAN_NONE) {
			if (external_caller(t, i))
				m->external_roots++;
			else
				execution(m, im, t, i, true);
		} else if (t->spans[sp->parent].service != sp->service) {
			execution(m, im, t, i, external_caller(t, sp->parent));
		}
	}
}
