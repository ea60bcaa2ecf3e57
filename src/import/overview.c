/* overview.c -- see overview.h. */
#include "import/overview.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

enum { K_SERVICE = 1, K_OP, K_ROOT, K_EDGE, K_LEAF };

struct key {
	uint32_t kind, a, b, c, d;
};

void overview_init(struct overview *s)
{
	memset(s, 0, sizeof *s);
	strmap_init(&s->counts);
}

void overview_free(struct overview *s)
{
	strmap_free(&s->counts);
}

static void count(struct overview *s, uint32_t kind, uint32_t a, uint32_t b, uint32_t c, uint32_t d)
{
	struct key k = { kind, a, b, c, d };

	(*strmap_put(&s->counts, &k, sizeof k, 0, NULL, NULL))++;
}

static bool is_caller(const struct span *sp)
{
	return sp->kind == SPAN_KIND_CLIENT || sp->kind == SPAN_KIND_PRODUCER;
}

void overview_trace(void *arg, const struct import *im, const struct trace *t)
{
	struct overview *s = arg;

	(void)im;
	for (uint32_t i = 0; i < t->n; i++) {
		const struct span *sp = &t->spans[i];

		count(s, K_SERVICE, sp->service, 0, 0, 0);
		count(s, K_OP, sp->service, sp->operation, 0, 0);
		if (!(sp->flags & SPAN_F_NO_TIME)) {
			uint64_t a = (uint64_t)sp->start_ns, b = a + (uint64_t)sp->dur_ns;

			if (!s->have_time || a < s->start_min)
				s->start_min = a;
			if (!s->have_time || b > s->end_max)
				s->end_max = b;
			s->have_time = true;
		}
		if (sp->parent == SPAN_NONE) {
			if (sp->parent_id == NULL)
				count(s, K_ROOT, sp->service, sp->operation, 0, 0);
		} else if (t->spans[sp->parent].service != sp->service) {
			uint32_t entry = trace_local_entry(t, sp->parent);

			count(s, K_EDGE, t->spans[entry].service, t->spans[entry].operation, sp->service,
			      sp->operation);
		}
		if (is_caller(sp)) {
			bool answered = false;

			for (uint32_t c = sp->first_child; c != SPAN_NONE; c = t->spans[c].next_sibling)
				answered |= t->spans[c].service != sp->service;
			if (!answered) {
				uint32_t entry = trace_local_entry(t, i);

				count(s, K_LEAF, sp->service, t->spans[entry].operation, sp->peer_service,
				      sp->operation);
			}
		}
	}
}

struct row {
	struct key k;
	uint64_t n;
};

struct rows {
	struct row *r;
	size_t n, cap;
	const struct import *im;
};

static void collect(void *arg, const char *key, size_t len, uint64_t val)
{
	struct rows *rs = arg;

	if (len != sizeof(struct key))
		return;
	if (rs->n == rs->cap) {
		rs->cap = rs->cap ? rs->cap * 2 : 64;
		rs->r = xrealloc(rs->r, rs->cap * sizeof *rs->r);
	}
	memcpy(&rs->r[rs->n].k, key, sizeof(struct key));
	rs->r[rs->n++].n = val;
}

static const struct import *sort_im;

static int cmp_name(uint32_t a, uint32_t b)
{
	if (a == b)
		return 0;
	if (a == SPAN_NONE || b == SPAN_NONE)
		return a == SPAN_NONE ? 1 : -1;
	return strcmp(import_name(sort_im, a), import_name(sort_im, b));
}

/* By kind, then names in order (service, operation, ...). */
static int by_key(const void *x, const void *y)
{
	const struct key *a = &((const struct row *)x)->k, *b = &((const struct row *)y)->k;
	int c;

	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((c = cmp_name(a->a, b->a)) || (c = cmp_name(a->b, b->b)) || (c = cmp_name(a->c, b->c)))
		return c;
	return cmp_name(a->d, b->d);
}

static uint64_t of_kind(const struct rows *rs, uint32_t kind)
{
	uint64_t n = 0;

	for (size_t i = 0; i < rs->n; i++)
		n += rs->r[i].k.kind == kind;
	return n;
}

static void warn(FILE *f, uint64_t n, const char *what)
{
	if (n)
		fprintf(f, "  %llu %s\n", (unsigned long long)n, what);
}

void overview_print(const struct overview *s, const struct import *im, FILE *f)
{
	const struct import_stats *st = &im->st;
	struct rows rs = { .im = im };
	const char *nm;
	size_t op = 0;

	strmap_each(&s->counts, collect, &rs);
	sort_im = im;
	qsort(rs.r, rs.n, sizeof *rs.r, by_key);
#define N(id) import_name(im, id)
	fprintf(f, "files %llu\ntraces %llu\nspans %llu\nservices %llu\noperations %llu\n",
		(unsigned long long)st->files, (unsigned long long)st->traces,
		(unsigned long long)st->spans, (unsigned long long)of_kind(&rs, K_SERVICE),
		(unsigned long long)of_kind(&rs, K_OP));
	if (s->have_time)
		fprintf(f, "time span %.3f s\n", (double)(s->end_max - s->start_min) / 1e9);
	fprintf(f, "roots %llu\norphans %llu\nskewed %llu\nerrors %llu\n",
		(unsigned long long)st->roots, (unsigned long long)st->orphans,
		(unsigned long long)(st->early + st->late_end), (unsigned long long)st->errors);
	fprintf(f, "warnings:\n");
	warn(f, st->orphans, "orphan spans: parent id not in the trace (kept as roots)");
	warn(f, st->early, "spans starting before their parent (clock skew)");
	warn(f, st->late_end, "spans ending after their parent (clock skew, or calls outliving it)");
	warn(f, st->no_time, "spans without timestamps");
	warn(f, st->dup_ids, "repeated span ids (children attach to the first)");
	warn(f, st->cycles, "parent chains that loop (cut)");
	warn(f, st->split, "traces split by --max-open-spans (spans after the split form a "
			   "separate trace)");
	fprintf(f, "notes:\n");
	warn(f, st->shared, "calls recorded on both sides under one id (client -> server pairs)");
	warn(f, st->follows, "FOLLOWS_FROM parents");
	warn(f, st->links, "links to other spans");
	warn(f, st->evicted, "traces finished by --max-open-spans before the end of the input");
	for (size_t i = 0; i < rs.n; i++) {
		const struct row *r = &rs.r[i];
		bool first = i == 0 || rs.r[i - 1].k.kind != r->k.kind;

		switch (r->k.kind) {
		case K_SERVICE:
			if (first)
				fprintf(f, "services (spans):\n");
			break;
		case K_OP:
			break;
		case K_ROOT:
			if (first)
				fprintf(f, "root operations (traces):\n");
			fprintf(f, "  %s \"%s\" %llu\n", N(r->k.a), N(r->k.b), (unsigned long long)r->n);
			break;
		case K_EDGE:
			if (first)
				fprintf(f, "call edges (calls):\n");
			fprintf(f, "  %s \"%s\" -> %s \"%s\" %llu\n", N(r->k.a), N(r->k.b), N(r->k.c),
				N(r->k.d), (unsigned long long)r->n);
			break;
		case K_LEAF:
			if (first)
				fprintf(f, "uninstrumented calls (client spans no service answered):\n");
			nm = r->k.c == SPAN_NONE ? "?" : N(r->k.c);
			fprintf(f, "  %s \"%s\" -> %s (\"%s\") %llu\n", N(r->k.a), N(r->k.b), nm,
				N(r->k.d), (unsigned long long)r->n);
			break;
		}
		if (r->k.kind == K_SERVICE) {
			fprintf(f, "  %s %llu\n", N(r->k.a), (unsigned long long)r->n);
			/* its operations: the K_OP rows are in the same service order */
			if (op == 0)
				while (op < rs.n && rs.r[op].k.kind != K_OP)
					op++;
			while (op < rs.n && rs.r[op].k.kind == K_OP && cmp_name(rs.r[op].k.a, r->k.a) < 0)
				op++;
			for (; op < rs.n && rs.r[op].k.kind == K_OP && rs.r[op].k.a == r->k.a; op++)
				fprintf(f, "    \"%s\" %llu\n", N(rs.r[op].k.b),
					(unsigned long long)rs.r[op].n);
		}
	}
#undef N
	free(rs.r);
}
