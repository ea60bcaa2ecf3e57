/* spans.c -- see spans.h. */
#include "import/spans.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/xalloc.h"

void span_in_init(struct span_in *in)
{
	memset(in, 0, sizeof *in);
	in->req_bytes = in->resp_bytes = -1;
	in->request_id = -1;
	in->asked_ns = -1;
	in->op_offset = SPAN_OFFSET_NONE;
	in->op_size = -1;
	in->op_sync = -1;
}

void import_init(struct import *im, uint64_t max_open_spans, import_trace_fn fn, void *arg)
{
	memset(im, 0, sizeof *im);
	strtab_init(&im->names);
	strmap_init(&im->open);
	im->max_open_spans = max_open_spans ? max_open_spans : IMPORT_DEFAULT_MAX_OPEN_SPANS;
	im->on_trace = fn;
	im->arg = arg;
	strmap_init(&im->evicted);
}

static void trace_free(struct trace *t)
{
	for (uint32_t i = 0; i < t->n; i++) {
		struct span *s = &t->spans[i];

		free(s->id);
		for (uint32_t k = 0; k < s->nlinks; k++) {
			free(s->links[k].trace_id);
			free(s->links[k].span_id);
		}
		free(s->links);
	}
	free(t->spans);
	free(t->roots);
	free(t->id);
	free(t);
}

/* Off the list of open traces (still in the map). */
static void unlist(struct import *im, struct trace *t)
{
	if (t->older)
		t->older->newer = t->newer;
	else
		im->oldest = t->newer;
	if (t->newer)
		t->newer->older = t->older;
	else
		im->newest = t->older;
	t->older = t->newer = NULL;
}

static void enlist(struct import *im, struct trace *t)
{
	t->older = im->newest;
	if (im->newest)
		im->newest->newer = t;
	else
		im->oldest = t;
	im->newest = t;
}

static void unlink_trace(struct import *im, struct trace *t)
{
	unlist(im, t);
	strmap_del(&im->open, t->id, strlen(t->id));
	im->open_spans -= t->n;
}

/* Remembers the id of a trace the bound finished (the ring forgets the
 * oldest, so this memory is bounded too). */
static void remember_evicted(struct import *im, const char *id)
{
	char **slot;

	if (im->ring == NULL) /* most imports never need it */
		im->ring = xcalloc(IMPORT_EVICTED_IDS, sizeof *im->ring);
	slot = &im->ring[im->ring_pos];

	if (*slot) {
		strmap_del(&im->evicted, *slot, strlen(*slot));
		free(*slot);
	}
	*slot = xstrdup(id);
	strmap_put(&im->evicted, id, strlen(id), 1, NULL, NULL);
	im->ring_pos = (im->ring_pos + 1) % IMPORT_EVICTED_IDS;
}

void import_free(struct import *im)
{
	while (im->oldest) {
		struct trace *t = im->oldest;

		unlink_trace(im, t);
		trace_free(t);
	}
	strmap_free(&im->open);
	strtab_free(&im->names);
	strmap_free(&im->evicted);
	for (size_t i = 0; im->ring && i < IMPORT_EVICTED_IDS; i++)
		free(im->ring[i]);
	free(im->ring);
}

const char *import_name(const struct import *im, uint32_t id)
{
	return strtab_str(&im->names, id);
}

static const char *const kind_names[] = { "unset", "internal", "server", "client", "producer",
					  "consumer" };

const char *span_kind_name(enum span_kind k)
{
	return (unsigned)k < sizeof kind_names / sizeof *kind_names ? kind_names[k] : "unset";
}

enum span_kind span_kind_parse(const char *s)
{
	if (s == NULL)
		return SPAN_KIND_UNSET;
	if (strncasecmp(s, "SPAN_KIND_", 10) == 0)
		s += 10;
	if (s[0] >= '0' && s[0] <= '5' && s[1] == '\0') /* OTLP's numbers */
		return (enum span_kind)(s[0] - '0');
	for (unsigned k = 1; k < sizeof kind_names / sizeof *kind_names; k++)
		if (strcasecmp(s, kind_names[k]) == 0)
			return (enum span_kind)k;
	return SPAN_KIND_UNSET;
}

static uint32_t name_id(struct import *im, const char *s)
{
	if (s == NULL || *s == '\0')
		s = "?";
	return strtab_intern(&im->names, s, strlen(s));
}

/* --- finishing a trace ---------------------------------------------------- */

static int64_t end_of(const struct span *s)
{
	return s->start_ns + s->dur_ns;
}

/* The two sides of one call under one id: client/server, producer/consumer. */
static bool is_caller(const struct span *s)
{
	return s->kind == SPAN_KIND_CLIENT || s->kind == SPAN_KIND_PRODUCER;
}

static bool is_callee(const struct span *s)
{
	return s->kind == SPAN_KIND_SERVER || s->kind == SPAN_KIND_CONSUMER;
}

static const struct trace *sort_trace; /* qsort has no context argument */

static int by_start(const void *a, const void *b)
{
	const struct span *x = &sort_trace->spans[*(const uint32_t *)a];
	const struct span *y = &sort_trace->spans[*(const uint32_t *)b];

	if (x->start_ns != y->start_ns)
		return x->start_ns < y->start_ns ? -1 : 1;
	/* Equal starts: file order, so the result does not depend on qsort. */
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : 1;
}

/* A trace's span ids to indexes: open addressing over a power of two at
 * least twice the spans, so a probe sequence always ends on an empty slot. */
struct id_index {
	uint32_t *slot;
	size_t mask;
	uint64_t salt;
};

static void index_init(struct id_index *ix, uint32_t n)
{
	size_t size = 16;

	while (size < 2 * (size_t)n)
		size *= 2;
	ix->slot = xmalloc(size * sizeof *ix->slot);
	memset(ix->slot, 0xff, size * sizeof *ix->slot); /* SPAN_NONE */
	ix->mask = size - 1;
	/* Salted by a heap address (randomized per process), so ids cannot be
	 * chosen in advance to collide. */
	ix->salt = (uint64_t)(uintptr_t)ix->slot * 0x9e3779b97f4a7c15ULL;
}

/* The slot holding id's index, or the empty slot where it would go. */
static uint32_t *index_slot(struct id_index *ix, const struct trace *t, const char *id)
{
	uint64_t h = 1469598103934665603ULL ^ ix->salt;

	for (const unsigned char *p = (const unsigned char *)id; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	h ^= h >> 29;
	for (size_t k = h & ix->mask;; k = (k + 1) & ix->mask)
		if (ix->slot[k] == SPAN_NONE || strcmp(t->spans[ix->slot[k]].id, id) == 0)
			return &ix->slot[k];
}

static void resolve(struct import *im, struct trace *t)
{
	uint32_t n = t->n;
	uint32_t *order = xmalloc((size_t)n * sizeof *order);
	uint8_t *state = xcalloc(n ? n : 1, 1);
	uint32_t *chain = xmalloc((size_t)n * sizeof *chain);

	/* Ids to indexes (open addressing, no allocation per span); a caller and
	 * callee under one id map the id to the callee. */
	struct id_index ix;
	index_init(&ix, n);
	for (uint32_t i = 0; i < n; i++) {
		struct span *s = &t->spans[i];
		uint32_t *v = index_slot(&ix, t, s->id);

		s->parent = s->first_child = s->next_sibling = SPAN_NONE;
		if (*v == SPAN_NONE) {
			*v = i;
			continue;
		}
		struct span *first = &t->spans[*v];
		bool s_server = is_callee(s) || (s->flags & SPAN_F_SHARED);
		bool f_server = is_callee(first) || (first->flags & SPAN_F_SHARED);
		if (is_caller(first) && s_server) {
			s->flags |= SPAN_F_SHARED; /* client first, then its server half */
			s->parent = *v;
			*v = i;
			im->st.shared++;
		} else if (is_caller(s) && f_server && first->parent == SPAN_NONE) {
			first->flags |= SPAN_F_SHARED; /* the server half came first */
			first->parent = i;
			im->st.shared++;
		} else {
			s->flags |= SPAN_F_DUP_ID;
			im->st.dup_ids++;
		}
	}
	for (uint32_t i = 0; i < n; i++) {
		struct span *s = &t->spans[i];
		uint32_t v;

		if (s->parent != SPAN_NONE) /* the server half of a shared id */
			continue;
		if (s->parent_id == NULL)
			continue;
		v = *index_slot(&ix, t, s->parent_id);
		if (v == SPAN_NONE || v == i) {
			s->flags |= SPAN_F_ORPHAN;
			im->st.orphans++;
		} else {
			s->parent = v;
		}
	}
	free(ix.slot);
	/* Loops in the parent chains: walk up from each span; a span met again on
	 * the walk closes a loop, cut there. */
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = 0, j = i;

		while (j != SPAN_NONE && state[j] == 0) {
			state[j] = 1;
			chain[len++] = j;
			j = t->spans[j].parent;
		}
		if (j != SPAN_NONE && state[j] == 1) {
			t->spans[j].parent = SPAN_NONE;
			t->spans[j].flags |= SPAN_F_CYCLE;
			im->st.cycles++;
		}
		while (len)
			state[chain[--len]] = 2;
	}
	/* Children lists and roots in start order. */
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	sort_trace = t;
	qsort(order, n, sizeof *order, by_start);
	t->roots = xmalloc((size_t)(n ? n : 1) * sizeof *t->roots);
	t->nroots = 0;
	for (uint32_t k = n; k-- > 0;) {
		uint32_t i = order[k];
		struct span *s = &t->spans[i];

		if (s->parent == SPAN_NONE)
			continue;
		struct span *p = &t->spans[s->parent];
		s->next_sibling = p->first_child;
		p->first_child = i;
		if (!(s->flags & SPAN_F_NO_TIME) && !(p->flags & SPAN_F_NO_TIME)) {
			if (s->start_ns < p->start_ns) {
				s->flags |= SPAN_F_EARLY;
				im->st.early++;
			}
			if (end_of(s) > end_of(p)) {
				s->flags |= SPAN_F_LATE_END;
				im->st.late_end++;
			}
		}
	}
	for (uint32_t k = 0; k < n; k++)
		if (t->spans[order[k]].parent == SPAN_NONE)
			t->roots[t->nroots++] = order[k];
	for (uint32_t i = 0; i < n; i++) {
		const struct span *s = &t->spans[i];

		im->st.roots += s->parent_id == NULL && s->parent == SPAN_NONE;
		im->st.follows += (s->flags & SPAN_F_FOLLOWS) != 0;
		im->st.no_time += (s->flags & SPAN_F_NO_TIME) != 0;
		im->st.errors += s->status == SPAN_STATUS_ERROR;
		im->st.links += s->nlinks;
	}
	free(order);
	free(state);
	free(chain);
}

static void finish(struct import *im, struct trace *t)
{
	unlink_trace(im, t);
	resolve(im, t);
	im->st.traces++;
	im->st.evicted += t->evicted;
	if (t->evicted)
		remember_evicted(im, t->id);
	if (im->on_trace)
		im->on_trace(im->arg, im, t);
	trace_free(t);
}

void import_flush_trace(struct import *im, const char *trace_id)
{
	uint64_t *v = strmap_get(&im->open, trace_id, strlen(trace_id));

	if (v)
		finish(im, (struct trace *)(uintptr_t)*v);
}

void import_finish(struct import *im)
{
	while (im->oldest)
		finish(im, im->oldest);
}

static char *dup_or_null(const char *s)
{
	return s && *s ? xstrdup(s) : NULL;
}

int import_add(struct import *im, const struct span_in *in, struct err *e)
{
	struct trace *t;
	struct span *s;
	bool added;
	uint64_t *v;

	if (in->trace_id == NULL || *in->trace_id == '\0')
		return err_set(e, "span without a trace id");
	if (in->id == NULL || *in->id == '\0')
		return err_set(e, "span without a span id");
	v = strmap_put(&im->open, in->trace_id, strlen(in->trace_id), 0, &added, NULL);
	if (added) {
		t = xcalloc(1, sizeof *t);
		t->id = xstrdup(in->trace_id);
		*v = (uint64_t)(uintptr_t)t;
		enlist(im, t);
		if (strmap_get(&im->evicted, in->trace_id, strlen(in->trace_id))) {
			t->tail = true;
			/* counted once per split, however many tails follow */
			strmap_del(&im->evicted, in->trace_id, strlen(in->trace_id));
			im->st.split++;
		}
	} else {
		t = (struct trace *)(uintptr_t)*v;
		if (t != im->newest) { /* the most recently active goes last */
			unlist(im, t);
			enlist(im, t);
		}
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->spans = xrealloc(t->spans, (size_t)t->cap * sizeof *t->spans);
	}
	s = &t->spans[t->n++];
	memset(s, 0, sizeof *s);
	size_t il = strlen(in->id), pl = in->parent_id ? strlen(in->parent_id) : 0;
	s->id = xmalloc(il + 1 + pl + 1);
	memcpy(s->id, in->id, il + 1);
	if (pl) {
		s->parent_id = s->id + il + 1;
		memcpy(s->parent_id, in->parent_id, pl + 1);
	}
	s->parent_type = (uint8_t)in->parent_type;
	if (pl && in->parent_type == SPAN_REF_FOLLOWS_FROM)
		s->flags |= SPAN_F_FOLLOWS;
	s->service = name_id(im, in->service);
	s->operation = name_id(im, in->operation);
	s->peer_service = in->peer_service && *in->peer_service ? name_id(im, in->peer_service)
								 : SPAN_NONE;
	s->host = in->host && *in->host ? name_id(im, in->host) : SPAN_NONE;
	s->kind = (uint8_t)in->kind;
	s->status = (uint8_t)in->status;
	if (in->has_time) {
		s->start_ns = in->start_ns;
		s->dur_ns = in->dur_ns < 0 ? 0 : in->dur_ns;
	} else {
		s->flags |= SPAN_F_NO_TIME;
	}
	if (in->meshwalk)
		s->flags |= SPAN_F_MESHWALK;
	if (in->shared)
		s->flags |= SPAN_F_SHARED;
	s->req_bytes = in->req_bytes;
	s->request_id = in->request_id;
	s->asked_ns = in->asked_ns;
	s->wset = in->wset;
	s->op_offset = in->op_offset;
	s->op_size = in->op_size;
	s->op_sync = in->op_sync;
	s->resp_bytes = in->resp_bytes;
	if (in->nrefs) {
		s->links = xcalloc(in->nrefs, sizeof *s->links);
		for (uint32_t k = 0; k < in->nrefs; k++) {
			s->links[k].trace_id = dup_or_null(in->refs[k].trace_id);
			s->links[k].span_id = xstrdup(in->refs[k].span_id ? in->refs[k].span_id : "");
			s->links[k].type = in->refs[k].type;
		}
		s->nlinks = in->nrefs;
	}
	s->file = im->file;
	s->pos = in->pos;
	im->st.spans++;
	im->open_spans++;
	/* The memory bound: finish the traces idle longest (the one just added
	 * to goes last, only when it alone is over the bound). */
	while (im->open_spans > im->max_open_spans && im->oldest) {
		struct trace *old = im->oldest;

		old->evicted = true;
		finish(im, old);
	}
	return 0;
}

uint32_t trace_local_entry(const struct trace *t, uint32_t i)
{
	uint32_t steps = 0;

	/* Parent chains have no loops after resolve(); the step bound is a
	 * second guard. */
	while (t->spans[i].parent != SPAN_NONE && steps++ < t->n) {
		uint32_t p = t->spans[i].parent;

		if (t->spans[p].service != t->spans[i].service)
			break;
		i = p;
	}
	return i;
}

int64_t trace_call_offset(const struct span *client, const struct span *server)
{
	/* NTP's offset: ((t1 - t0) + (t2 - t3)) / 2, t0..t3 the client's send,
	 * the server's receive and send, the client's receive */
	return ((server->start_ns - client->start_ns) +
		(server->start_ns + server->dur_ns - client->start_ns - client->dur_ns)) / 2;
}

void trace_skew_shifts(const struct trace *t, int64_t *shift, trace_host_offset_fn offset,
		       void *arg)
{
	uint32_t *stack = xmalloc((t->n + 1) * sizeof *stack), top = 0;

	memset(shift, 0, t->n * sizeof *shift);
	for (uint32_t r = 0; r < t->nroots; r++) {
		stack[top++] = t->roots[r];
		/* Pre-order: a parent's shift is final before its children's.
		 * Each span has one parent, so it is pushed once: top <= n. */
		while (top > 0) {
			uint32_t p = stack[--top];
			const struct span *ps = &t->spans[p];
			int64_t plo = ps->start_ns + shift[p], phi = plo + ps->dur_ns;

			for (uint32_t c = ps->first_child; c != SPAN_NONE; c = t->spans[c].next_sibling) {
				const struct span *cs = &t->spans[c];
				int64_t lo = cs->start_ns + shift[p], theta;
				bool known = ps->host != SPAN_NONE && cs->host != SPAN_NONE;

				shift[c] = shift[p];
				stack[top++] = c;
				bool other = known && cs->host != ps->host;

				if (ps->kind != SPAN_KIND_CLIENT || cs->service == ps->service)
					continue; /* not the far side of a call */
				if (other && offset != NULL && offset(arg, ps->host, cs->host, &theta)) {
					shift[c] -= theta; /* the hosts' offset, measured */
				} else if (cs->dur_ns <= ps->dur_ns &&
					   (other || lo < plo || lo + cs->dur_ns > phi)) {
					/* Another host: this call's own NTP estimate
					 * (centred: network time split evenly both
					 * ways). One host, or unknown: only what
					 * cannot be true is moved, a far side not
					 * fitting in the client span that waited for
					 * it, though no longer, which is skew (SDKs
					 * that anchor each process's clock, as
					 * OpenTelemetry JS does, disagree by a
					 * little on one host), not a call outliving
					 * its caller. */
					shift[c] += plo + (ps->dur_ns - cs->dur_ns) / 2 - lo;
				}
			}
		}
	}
	free(stack);
}
