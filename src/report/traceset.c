/* traceset.c -- see traceset.h. */
#include "report/traceset.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/reader.h"
#include "import/spans.h"
#include "report/critpath.h"
#include "util/xalloc.h"

/* The bands the critical path is averaged over, in percent of the entry
 * operation's traces: around the median and around the 99th percentile. */
static const double band_pct[2][2] = { { 45, 55 }, { 98.5, 99.5 } };

int traceset_pick_parse(const char *s, struct traceset_pick *p, struct err *e)
{
	char *end;

	memset(p, 0, sizeof *p);
	if (strcmp(s, "max") == 0 || strcmp(s, "slowest") == 0) {
		p->kind = PICK_SLOWEST;
		snprintf(p->label, sizeof p->label, "slowest");
		return 0;
	}
	if (s[0] == 'p' && isdigit((unsigned char)s[1])) {
		errno = 0;
		p->pct = strtod(s + 1, &end);
		if (errno || *end || !(p->pct > 0 && p->pct <= 100))
			return err_set(e, "--trace: '%s': a percentile is p0.001 .. p100", s);
		p->kind = PICK_PERCENTILE;
		snprintf(p->label, sizeof p->label, "%s", s);
		return 0;
	}
	if (*s == '\0' || strlen(s) >= sizeof p->id)
		return err_set(e, "--trace: '%s': expected pNN, max, slowest, a trace id or a "
				  "request id (at most %zu characters)", s, sizeof p->id - 1);
	for (const char *c = s; *c; c++)
		if (!isxdigit((unsigned char)*c))
			return err_set(e, "--trace: '%s': expected pNN, max, slowest, a trace id (hex) "
					  "or a request id (decimal)", s);
	p->kind = PICK_ID;
	snprintf(p->id, sizeof p->id, "%s", s);
	snprintf(p->label, sizeof p->label, "id %s", s);
	return 0;
}

static uint32_t op_of(struct traceset *ts, const char *service, const char *name)
{
	size_t ls = strlen(service), ln = strlen(name);
	char *key = xmalloc(ls + ln + 2);
	uint64_t *v;
	bool added;

	memcpy(key, service, ls + 1);
	memcpy(key + ls + 1, name, ln + 1);
	v = strmap_put(&ts->op_index, key, ls + ln + 1, ts->nops, &added, NULL);
	free(key);
	if (added) {
		struct tv_op *o;

		if (ts->nops == ts->capops) {
			ts->capops = ts->capops ? ts->capops * 2 : 64;
			ts->ops = xrealloc(ts->ops, ts->capops * sizeof *ts->ops);
		}
		o = &ts->ops[ts->nops++];
		o->service = xstrdup(service);
		o->name = xstrdup(name);
		o->dur = NULL;
		if (ts->nops <= TRACESET_MAX_OPS && hist_create(&o->dur) != 0)
			o->dur = NULL;
	}
	return (uint32_t)*v;
}

static uint32_t span_op(struct traceset *ts, const struct import *im, const struct span *s)
{
	return op_of(ts, import_name(im, s->service), import_name(im, s->operation));
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t str_hash(const char *s, uint64_t h)
{
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h * 0x100000001b3ULL; /* the terminator separates service from name */
}

static int by_edge(const void *a, const void *b)
{
	const struct tv_edge *x = a, *y = b;

	if (x->from != y->from)
		return x->from < y->from ? -1 : 1;
	if (x->to != y->to)
		return x->to < y->to ? -1 : 1;
	return 0;
}

/* The trace's shape: each span's hash is its operation's mixed with the sum
 * of its children's (a sum, so the children's order does not matter).
 * Reverse pre-order visits children before their parents: O(spans). */
static uint64_t shape_hash(const struct import *im, const struct trace *t)
{
	uint64_t *h = xcalloc(t->n, sizeof *h), total = 0;
	uint32_t *order = xmalloc(t->n * sizeof *order), *stack = xmalloc(t->n * sizeof *stack);
	bool *seen = xcalloc(t->n, sizeof *seen);
	uint32_t n = 0;

	/* from the roots, then from any span the roots do not reach */
	for (uint32_t k = 0; k < t->nroots + t->n; k++) {
		uint32_t start = k < t->nroots ? t->roots[k] : k - t->nroots, top = 0;

		if (start >= t->n || seen[start])
			continue;
		seen[start] = true;
		stack[top++] = start;
		while (top > 0) {
			uint32_t s = stack[--top];

			order[n++] = s;
			for (uint32_t c = t->spans[s].first_child; c != SPAN_NONE && c < t->n;
			     c = t->spans[c].next_sibling)
				if (!seen[c]) { /* each span is pushed once: the stack holds at most n */
					seen[c] = true;
					stack[top++] = c;
				}
		}
	}
	for (uint32_t i = 0; i < t->n; i++)
		h[i] = str_hash(import_name(im, t->spans[i].operation),
				str_hash(import_name(im, t->spans[i].service), 0xcbf29ce484222325ULL));
	for (uint32_t k = n; k-- > 0;) {
		uint32_t i = order[k];

		h[i] = mix(h[i]);
		if (t->spans[i].parent != SPAN_NONE && t->spans[i].parent < t->n)
			h[t->spans[i].parent] += h[i];
		else
			total += h[i];
	}
	free(h);
	free(order);
	free(stack);
	free(seen);
	return mix(total);
}

static uint32_t shape_of(struct traceset *ts, const struct trace *t, const uint32_t *ops,
			 uint64_t hash)
{
	uint64_t *v;
	bool added;
	struct tv_shape *sh;

	v = strmap_get(&ts->shape_index, &hash, sizeof hash);
	if (v) {
		ts->shapes[*v].count++;
		return (uint32_t)*v;
	}
	if (ts->nshapes >= TRACESET_MAX_SHAPES) {
		ts->other_shapes++;
		return TV_NONE;
	}
	v = strmap_put(&ts->shape_index, &hash, sizeof hash, ts->nshapes, &added, NULL);
	ts->shapes = xrealloc(ts->shapes, (ts->nshapes + 1) * sizeof *ts->shapes);
	sh = &ts->shapes[ts->nshapes];
	sh->hash = hash;
	sh->count = 1;
	sh->edges = NULL;
	sh->nedges = 0;
	ts->nshapes++;
	/* Edge lists are kept for the diff against the most common shape while
	 * they fit the budget; a shape past it is still counted. */
	if (t->n > TRACESET_EDGE_BUDGET - ts->edges_kept)
		return ts->nshapes - 1;
	sh->edges = xmalloc(t->n * sizeof *sh->edges);
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t p = t->spans[i].parent;

		sh->edges[sh->nedges++] = (struct tv_edge){ p == SPAN_NONE ? TV_NONE : ops[p], ops[i], 1 };
	}
	qsort(sh->edges, sh->nedges, sizeof *sh->edges, by_edge);
	/* merge equal edges into counts */
	uint32_t w = 0;
	for (uint32_t r = 0; r < sh->nedges; r++) {
		if (w > 0 && by_edge(&sh->edges[w - 1], &sh->edges[r]) == 0)
			sh->edges[w - 1].n++;
		else
			sh->edges[w++] = sh->edges[r];
	}
	sh->nedges = w;
	sh->edges = xrealloc(sh->edges, (w ? w : 1) * sizeof *sh->edges);
	ts->edges_kept += w;
	return ts->nshapes - 1;
}

struct pass {
	struct traceset *ts;
	const struct traceset_pick *picks;
	size_t npicks;
	int pass;          /* 1 or 2 */
	size_t row;        /* pass 2: the row of the trace at hand */
	uint32_t *pick_row; /* per pick: the row chosen after pass 1 (TV_NONE: by id) */
	bool *matched;     /* per pick: a trace of pass 2 matched it */
	double *acc;       /* pass 2: [entry][band][op] sums of critical-path ns */
	uint32_t acc_ops;
};

static void first_pass(struct pass *ps, const struct import *im, const struct trace *t)
{
	struct traceset *ts = ps->ts;
	uint32_t *ops = xmalloc(t->n * sizeof *ops);
	const struct span *entry = &t->spans[t->roots[0]];
	struct tv_row *row;

	for (uint32_t i = 0; i < t->n; i++) {
		const struct span *s = &t->spans[i];

		ops[i] = span_op(ts, im, s);
		if (ts->ops[ops[i]].dur && s->dur_ns >= 0)
			hist_record(ts->ops[ops[i]].dur, (uint64_t)s->dur_ns);
		if (s->flags & ~(SPAN_F_SHARED | SPAN_F_FOLLOWS | SPAN_F_MESHWALK))
			ts->flagged++;
	}
	clockalign_trace(&ts->clocks, im, t);
	ts->spans += t->n;
	if (ts->nrows == ts->caprows) {
		ts->caprows = ts->caprows ? ts->caprows * 2 : 1024;
		ts->rows = xrealloc(ts->rows, ts->caprows * sizeof *ts->rows);
	}
	row = &ts->rows[ts->nrows++];
	row->start_ns = entry->start_ns;
	row->dur_ns = entry->dur_ns;
	row->entry = ops[t->roots[0]];
	row->shape = shape_of(ts, t, ops, shape_hash(im, t));
	if (ts->nrows == 1 || entry->start_ns < ts->first_ns)
		ts->first_ns = entry->start_ns;
	if (ts->nrows == 1 || entry->start_ns > ts->last_ns)
		ts->last_ns = entry->start_ns;
	free(ops);
}

static bool id_matches(const struct traceset_pick *p, const struct trace *t)
{
	char *end;
	unsigned long long rid;

	if (strcasecmp(p->id, t->id) == 0)
		return true;
	errno = 0;
	rid = strtoull(p->id, &end, 10);
	if (errno || *end)
		return false;
	for (uint32_t i = 0; i < t->n; i++)
		if (t->spans[i].request_id >= 0 && (unsigned long long)t->spans[i].request_id == rid)
			return true;
	return false;
}

static void keep_trace(struct pass *ps, const struct import *im, const struct trace *t,
		       uint32_t pick)
{
	const char *label = ps->picks[pick].label;
	struct traceset *ts = ps->ts;
	struct tv_trace *k;
	int64_t t0 = INT64_MAX, *shift;

	for (uint32_t i = 0; i < ts->npicked; i++)
		if (strcmp(ts->picked[i].id, t->id) == 0)
			return; /* picked twice: shown once, under its first label */
	k = &ts->picked[ts->npicked++];
	memset(k, 0, sizeof *k);
	k->id = xstrdup(t->id);
	snprintf(k->label, sizeof k->label, "%s", label);
	k->pick = pick;
	k->row = (uint32_t)ps->row;
	k->n = t->n > TRACESET_MAX_SPANS ? TRACESET_MAX_SPANS : t->n;
	k->truncated = t->n > TRACESET_MAX_SPANS;
	k->spans = xcalloc(k->n ? k->n : 1, sizeof *k->spans);
	k->dur_ns = t->spans[t->roots[0]].dur_ns;
	k->request_id = -1;
	shift = xmalloc((t->n ? t->n : 1) * sizeof *shift);
	clockalign_shifts(&ts->clocks, im, t, shift);
	for (uint32_t i = 0; i < k->n; i++)
		if (t->spans[i].start_ns + shift[i] < t0)
			t0 = t->spans[i].start_ns + shift[i];
	k->start_ns = t0;
	k->entry = t->roots[0] < k->n ? t->roots[0] : 0;
	for (uint32_t i = 0; i < k->n; i++) {
		const struct span *s = &t->spans[i];
		struct tv_span *o = &k->spans[i];

		o->parent = s->parent != SPAN_NONE && s->parent < k->n ? s->parent : TV_NONE;
		o->op = span_op(ts, im, s);
		o->kind = s->kind;
		o->status = s->status;
		o->flags = s->flags;
		o->start_ns = s->start_ns + shift[i] - t0;
		o->dur_ns = s->dur_ns;
		if (s->request_id >= 0 && k->request_id < 0)
			k->request_id = s->request_id;
	}
	free(shift);
}

static void band_add(struct pass *ps, const struct import *im, const struct trace *t,
		     const struct tv_row *row)
{
	struct traceset *ts = ps->ts;
	struct tv_entry *en = NULL;
	uint32_t ei = 0;

	for (ei = 0; ei < ts->nentries; ei++)
		if (ts->entries[ei].op == row->entry) {
			en = &ts->entries[ei];
			break;
		}
	if (en == NULL)
		return;
	for (int b = 0; b < 2; b++) {
		struct tv_span *sp;
		int64_t *on;
		double *acc;

		if (row->dur_ns < en->band_lo[b] || row->dur_ns > en->band_hi[b])
			continue;
		sp = xcalloc(t->n, sizeof *sp);
		on = xcalloc(t->n, sizeof *on);
		/* on[] is critpath's output: borrowed */
		clockalign_shifts(&ts->clocks, im, t, on);
		for (uint32_t i = 0; i < t->n; i++) {
			sp[i].parent = t->spans[i].parent == SPAN_NONE ? TV_NONE : t->spans[i].parent;
			sp[i].op = span_op(ts, im, &t->spans[i]);
			sp[i].start_ns = t->spans[i].start_ns + on[i];
			sp[i].dur_ns = t->spans[i].dur_ns;
		}
		critpath(sp, t->n, t->roots[0], on);
		acc = ps->acc + ((size_t)ei * 2 + (size_t)b) * ps->acc_ops;
		for (uint32_t i = 0; i < t->n; i++)
			if (sp[i].op < ps->acc_ops)
				acc[sp[i].op] += (double)on[i];
		en->band_n[b]++;
		free(sp);
		free(on);
	}
}

static void second_pass(struct pass *ps, const struct import *im, const struct trace *t)
{
	struct traceset *ts = ps->ts;
	const struct tv_row *row = ps->row < ts->nrows ? &ts->rows[ps->row] : NULL;

	/* The same file read the same way gives the same traces in the same
	 * order; a row that does not match means the file changed under us. */
	if (row && (row->start_ns != t->spans[t->roots[0]].start_ns ||
		    row->dur_ns != t->spans[t->roots[0]].dur_ns))
		row = NULL;
	for (size_t k = 0; k < ps->npicks && ts->npicked < TRACESET_MAX_PICKS; k++) {
		bool hit = ps->picks[k].kind == PICK_ID ? id_matches(&ps->picks[k], t)
							: (row && ps->pick_row[k] == ps->row);

		if (hit) {
			keep_trace(ps, im, t, (uint32_t)k);
			ps->matched[k] = true;
		}
	}
	if (row)
		band_add(ps, im, t, row);
	ps->row++;
}

static void on_trace(void *arg, const struct import *im, const struct trace *t)
{
	struct pass *ps = arg;

	if (t->n == 0 || t->nroots == 0)
		return;
	if (ps->pass == 1)
		first_pass(ps, im, t);
	else
		second_pass(ps, im, t);
}

static int read_pass(struct pass *ps, const char *path, const char *format, struct err *e)
{
	struct import im;
	const char *used;
	int rc;

	import_init(&im, IMPORT_DEFAULT_MAX_OPEN_SPANS, on_trace, ps);
	rc = import_file(&im, path, format, &used, e);
	if (rc == 0)
		import_finish(&im);
	import_free(&im);
	return rc;
}

static int by_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Nearest rank: the smallest value with at least pct % of the n at or below. */
static size_t rank_index(size_t n, double pct)
{
	/* pct * n first: exact for whole percentages, so p45 of 200 is rank 90 */
	double r = ceil(pct * (double)n / 100.0);

	return r < 1 ? 0 : (size_t)r - 1 >= n ? n - 1 : (size_t)r - 1;
}

static void set_bands(struct traceset *ts)
{
	int64_t *d = xmalloc(ts->nrows * sizeof *d);

	for (size_t r = 0; r < ts->nrows; r++) {
		uint32_t op = ts->rows[r].entry, ei;
		size_t n = 0;
		struct tv_entry *en;

		for (ei = 0; ei < ts->nentries; ei++)
			if (ts->entries[ei].op == op)
				break;
		if (ei < ts->nentries)
			continue;
		for (size_t q = r; q < ts->nrows; q++)
			if (ts->rows[q].entry == op)
				d[n++] = ts->rows[q].dur_ns;
		qsort(d, n, sizeof *d, by_i64);
		ts->entries = xrealloc(ts->entries, (ts->nentries + 1) * sizeof *ts->entries);
		en = &ts->entries[ts->nentries++];
		memset(en, 0, sizeof *en);
		en->op = op;
		en->traces = n;
		en->p50_ns = d[rank_index(n, 50)];
		en->p99_ns = d[rank_index(n, 99)];
		for (int b = 0; b < 2; b++) {
			en->band_lo[b] = d[rank_index(n, band_pct[b][0])];
			en->band_hi[b] = d[rank_index(n, band_pct[b][1])];
		}
	}
	free(d);
}

static int by_mean_desc(const void *a, const void *b)
{
	const struct tv_crit *x = a, *y = b;

	if (x->mean_ns != y->mean_ns)
		return x->mean_ns > y->mean_ns ? -1 : 1;
	return x->op < y->op ? -1 : x->op > y->op;
}

static void finish_bands(struct traceset *ts, const struct pass *ps)
{
	for (uint32_t ei = 0; ei < ts->nentries; ei++) {
		struct tv_entry *en = &ts->entries[ei];

		for (int b = 0; b < 2; b++) {
			const double *acc = ps->acc + ((size_t)ei * 2 + (size_t)b) * ps->acc_ops;

			en->crit[b] = xcalloc(ps->acc_ops ? ps->acc_ops : 1, sizeof *en->crit[b]);
			for (uint32_t op = 0; op < ps->acc_ops; op++)
				if (acc[op] > 0 && en->band_n[b] > 0)
					en->crit[b][en->ncrit[b]++] =
						(struct tv_crit){ op, acc[op] / (double)en->band_n[b] };
			qsort(en->crit[b], en->ncrit[b], sizeof *en->crit[b], by_mean_desc);
		}
	}
}

static void choose_rows(const struct traceset *ts, const struct traceset_pick *picks, size_t npicks,
			uint32_t *pick_row)
{
	int64_t *d = xmalloc(ts->nrows * sizeof *d);

	for (size_t r = 0; r < ts->nrows; r++)
		d[r] = ts->rows[r].dur_ns;
	qsort(d, ts->nrows, sizeof *d, by_i64);
	for (size_t k = 0; k < npicks; k++) {
		int64_t want;

		pick_row[k] = TV_NONE;
		if (picks[k].kind == PICK_ID)
			continue;
		want = picks[k].kind == PICK_SLOWEST ? d[ts->nrows - 1]
						     : d[rank_index(ts->nrows, picks[k].pct)];
		/* the first trace read with that latency */
		for (size_t r = 0; r < ts->nrows; r++)
			if (ts->rows[r].dur_ns == want) {
				pick_row[k] = (uint32_t)r;
				break;
			}
	}
	free(d);
}

static int by_pick(const void *a, const void *b)
{
	const struct tv_trace *x = a, *y = b;

	return x->pick < y->pick ? -1 : x->pick > y->pick;
}

int traceset_load(struct traceset *ts, const char *path, const char *format,
		  const struct traceset_pick *picks, size_t npicks, struct err *e)
{
	struct pass ps = { .ts = ts, .picks = picks, .npicks = npicks, .pass = 1 };
	int rc;

	memset(ts, 0, sizeof *ts);
	ts->path = path;
	strmap_init(&ts->op_index);
	strmap_init(&ts->shape_index);
	if (npicks > TRACESET_MAX_PICKS)
		return err_set(e, "--trace: at most %d picks", TRACESET_MAX_PICKS);
	rc = read_pass(&ps, path, format, e);
	if (rc < 0)
		return rc;
	if (ts->nrows == 0)
		return err_set(e, "%s: no trace in the file", path);
	if (ts->nrows > UINT32_MAX - 1)
		return err_set(e, "%s: too many traces for the trace view", path);
	set_bands(ts);
	clockalign_finish(&ts->clocks);
	ps.pick_row = xmalloc((npicks ? npicks : 1) * sizeof *ps.pick_row);
	ps.matched = xcalloc(npicks ? npicks : 1, sizeof *ps.matched);
	choose_rows(ts, picks, npicks, ps.pick_row);
	ps.acc_ops = ts->nops;
	ps.acc = xcalloc((size_t)ts->nentries * 2 * (ts->nops ? ts->nops : 1), sizeof *ps.acc);
	ps.pass = 2;
	ps.row = 0;
	rc = read_pass(&ps, path, format, e);
	if (rc == 0) {
		finish_bands(ts, &ps);
		qsort(ts->picked, ts->npicked, sizeof ts->picked[0], by_pick);
		for (size_t k = 0; k < npicks && rc == 0; k++)
			if (!ps.matched[k] && picks[k].kind == PICK_ID)
				rc = err_set(e, "%s: no trace has the id or request id '%s'", path,
					     picks[k].id);
	}
	free(ps.pick_row);
	free(ps.matched);
	free(ps.acc);
	return rc;
}

void traceset_free(struct traceset *ts)
{
	clockalign_free(&ts->clocks);
	for (uint32_t i = 0; i < ts->nops; i++) {
		free(ts->ops[i].service);
		free(ts->ops[i].name);
		hist_destroy(ts->ops[i].dur);
	}
	free(ts->ops);
	for (uint32_t i = 0; i < ts->nshapes; i++)
		free(ts->shapes[i].edges);
	free(ts->shapes);
	free(ts->rows);
	for (uint32_t i = 0; i < ts->npicked; i++) {
		free(ts->picked[i].id);
		free(ts->picked[i].spans);
	}
	for (uint32_t i = 0; i < ts->nentries; i++) {
		free(ts->entries[i].crit[0]);
		free(ts->entries[i].crit[1]);
	}
	free(ts->entries);
	strmap_free(&ts->op_index);
	strmap_free(&ts->shape_index);
	memset(ts, 0, sizeof *ts);
}

struct rank_acc {
	uint64_t v, below;
};

static void count_below(uint64_t lo, uint64_t hi, uint64_t count, void *arg)
{
	struct rank_acc *r = arg;

	if (hi <= r->v + 1)
		r->below += count;
	else if (lo <= r->v)
		r->below += count / 2; /* the span's own bucket: half below it */
}

double traceset_rank(const struct traceset *ts, uint32_t op, int64_t dur_ns)
{
	struct rank_acc r = { dur_ns < 0 ? 0 : (uint64_t)dur_ns, 0 };
	uint64_t n;

	if (op >= ts->nops || ts->ops[op].dur == NULL ||
	    (n = hist_count(ts->ops[op].dur)) < TRACESET_MIN_CONTEXT)
		return -1;
	hist_foreach(ts->ops[op].dur, count_below, &r);
	return 100.0 * (double)r.below / (double)n;
}

int64_t traceset_op_pct(const struct traceset *ts, uint32_t op, double p)
{
	if (op >= ts->nops || ts->ops[op].dur == NULL ||
	    hist_count(ts->ops[op].dur) < TRACESET_MIN_CONTEXT)
		return -1;
	return (int64_t)hist_percentile(ts->ops[op].dur, p);
}
