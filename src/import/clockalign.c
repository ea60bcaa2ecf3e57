/* clockalign.c -- see clockalign.h. */
#include "import/clockalign.h"

#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void clockalign_init(struct clockalign *c)
{
	memset(c, 0, sizeof *c);
}

void clockalign_free(struct clockalign *c)
{
	for (uint32_t i = 0; i < c->npairs; i++) {
		free(c->pairs[i].from);
		free(c->pairs[i].to);
		free(c->pairs[i].samples);
	}
	memset(c, 0, sizeof *c);
}

static struct clock_pair *pair_of(const struct clockalign *c, const char *from, const char *to)
{
	for (uint32_t i = 0; i < c->npairs; i++)
		if (strcmp(c->pairs[i].from, from) == 0 && strcmp(c->pairs[i].to, to) == 0)
			return (struct clock_pair *)&c->pairs[i];
	return NULL;
}

/* A call between two known hosts: one NTP sample for the pair. */
static void sample(struct clockalign *c, const struct import *im, const struct span *client,
		   const struct span *server)
{
	const char *from = import_name(im, client->host), *to = import_name(im, server->host);
	struct clock_pair *p = pair_of(c, from, to);

	if (p == NULL) {
		if (c->npairs == CLOCKALIGN_MAX_PAIRS) {
			c->unmeasured++;
			return;
		}
		p = &c->pairs[c->npairs++];
		p->from = xstrdup(from);
		p->to = xstrdup(to);
		p->samples = xmalloc(CLOCKALIGN_SAMPLES * sizeof *p->samples);
	}
	p->calls++;
	/* a far side longer than its client span was not waited for (fire
	 * and forget): its four times do not bracket one exchange */
	if (p->n < CLOCKALIGN_SAMPLES && server->dur_ns <= client->dur_ns)
		p->samples[p->n++] = trace_call_offset(client, server);
}

void clockalign_trace(struct clockalign *c, const struct import *im, const struct trace *t)
{
	for (uint32_t i = 0; i < t->n; i++) {
		const struct span *s = &t->spans[i], *p;

		if (s->parent == SPAN_NONE || s->host == SPAN_NONE || (s->flags & SPAN_F_NO_TIME))
			continue;
		p = &t->spans[s->parent];
		if (p->kind == SPAN_KIND_CLIENT && p->service != s->service && p->host != SPAN_NONE &&
		    p->host != s->host && !(p->flags & SPAN_F_NO_TIME))
			sample(c, im, p, s);
	}
}

static int by_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

void clockalign_finish(struct clockalign *c)
{
	for (uint32_t i = 0; i < c->npairs; i++) {
		struct clock_pair *p = &c->pairs[i];

		if (p->n == 0) { /* calls, but none waited for: not measured */
			p->offset_ns = p->min_ns = p->max_ns = 0;
			continue;
		}
		qsort(p->samples, p->n, sizeof *p->samples, by_i64);
		p->offset_ns = p->samples[(p->n - 1) / 2];
		p->min_ns = p->samples[0];
		p->max_ns = p->samples[p->n - 1];
	}
}

bool clockalign_offset(const struct clockalign *c, const char *from, const char *to,
		       int64_t *offset_ns)
{
	const struct clock_pair *p = c ? pair_of(c, from, to) : NULL;

	if (p == NULL || p->n == 0)
		return false;
	*offset_ns = p->offset_ns;
	return true;
}

/* trace_host_offset_fn over the measured pairs. */
struct align_arg {
	const struct clockalign *c;
	const struct import *im;
};

static bool host_offset(void *arg, uint32_t from, uint32_t to, int64_t *offset_ns)
{
	const struct align_arg *a = arg;

	return clockalign_offset(a->c, import_name(a->im, from), import_name(a->im, to), offset_ns);
}

void clockalign_shifts(const struct clockalign *c, const struct import *im, const struct trace *t,
		       int64_t *shift)
{
	if (c == NULL || c->npairs == 0)
		trace_skew_shifts(t, shift, NULL, NULL);
	else
		trace_skew_shifts(t, shift, host_offset, &(struct align_arg){ c, im });
}

int64_t clockalign_max_offset(const struct clockalign *c)
{
	int64_t m = 0;

	for (uint32_t i = 0; i < c->npairs; i++) {
		int64_t o = c->pairs[i].offset_ns < 0 ? -c->pairs[i].offset_ns : c->pairs[i].offset_ns;

		if (o > m)
			m = o;
	}
	return m;
}

void clockalign_print(const struct clockalign *c, const char *prefix, FILE *f)
{
	for (uint32_t i = 0; i < c->npairs; i++) {
		const struct clock_pair *p = &c->pairs[i];

		if (p->n == 0) {
			fprintf(f, "%sclock of host %s to host %s's: not measured (%llu calls, none "
				   "waited for)\n",
				prefix, p->to, p->from, (unsigned long long)p->calls);
			continue;
		}
		fprintf(f, "%sclock of host %s: %+.3f ms to host %s's (median of %u calls of %llu, "
			   "from %+.3f to %+.3f ms)\n",
			prefix, p->to, (double)p->offset_ns / 1e6, p->from, p->n,
			(unsigned long long)p->calls, (double)p->min_ns / 1e6, (double)p->max_ns / 1e6);
	}
	if (c->unmeasured)
		fprintf(f, "%s%llu calls between hosts beyond the %d pairs measured: not aligned\n",
			prefix, (unsigned long long)c->unmeasured, CLOCKALIGN_MAX_PAIRS);
}
