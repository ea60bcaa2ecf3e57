/* netdelay.c -- see netdelay.h. Rules are few (one per emulated link of a
 * node), so matching is a linear scan done once per connection. */
#include "net/netdelay.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void netdelay_init(struct netdelay *d)
{
	memset(d, 0, sizeof *d);
}

void netdelay_free(struct netdelay *d)
{
	for (size_t i = 0; i < d->n; i++) {
		allowlist_free(&d->rules[i].peers);
		spec_destroy(d->rules[i].delay);
	}
	free(d->rules);
	netdelay_init(d);
}

int netdelay_add(struct netdelay *d, const char *text, struct err *e)
{
	struct netdelay_rule r = { .all = true };
	const char *eq = strchr(text, '=');
	int rc;

	if (d->n >= NETDELAY_MAX_RULES)
		return err_set(e, "at most %d delay rules", NETDELAY_MAX_RULES);
	allowlist_init(&r.peers);
	r.peers.guarded = false; /* peers to match, not targets to permit */
	/* A spec has '=' of its own (unif:min=1ms,max=2ms), so the text is
	 * first read as a spec for every peer, and only when that fails as
	 * PEERS=SPEC split at its first '='. */
	rc = spec_parse(text, SPEC_TIME, &r.delay, e);
	if (rc < 0 && eq != NULL) {
		struct err as_spec = *e;
		size_t n = (size_t)(eq - text);
		char *peers = xmalloc(n + 1);

		memcpy(peers, text, n);
		peers[n] = '\0';
		if (n == 0)
			rc = err_set(e, "empty peer list before '='");
		else
			rc = allowlist_add(&r.peers, peers, e);
		free(peers);
		if (rc < 0) {
			/* Neither PEERS=SPEC nor a spec: say what is wrong with
			 * the spec, unless the text clearly names peers. */
			if (strchr(text, ':') != NULL && strchr(text, ':') < eq && text[0] != '[')
				*e = as_spec;
			allowlist_free(&r.peers);
			return err_prefix(e, "delay '%s'", text);
		}
		r.all = false;
		rc = spec_parse(eq + 1, SPEC_TIME, &r.delay, e);
	}
	if (rc < 0) {
		allowlist_free(&r.peers);
		return err_prefix(e, "delay '%s'", text);
	}
	d->rules = xrealloc(d->rules, (d->n + 1) * sizeof *d->rules);
	d->rules[d->n++] = r;
	return 0;
}

uint64_t netdelay_match(const struct netdelay *d, const struct sockaddr *sa)
{
	uint64_t mask = 0;

	for (size_t i = 0; i < d->n; i++)
		if (d->rules[i].all || allowlist_allows(&d->rules[i].peers, sa))
			mask |= 1ull << i;
	return mask;
}

int64_t netdelay_sample_ns(const struct netdelay *d, uint64_t mask, struct rng *r, uint64_t index)
{
	double us = 0;

	for (size_t i = 0; mask != 0; i++, mask >>= 1)
		if (mask & 1)
			us += spec_sample(d->rules[i].delay, r, index);
	if (!(us > 0))
		return 0;
	/* Specs are at most 9.2e12 us; 64 of them could still overflow ns. */
	return us >= 9.2e15 ? INT64_MAX / 2 : (int64_t)llround(us * 1000.0);
}

void delay_queue_init(struct delay_queue *q)
{
	memset(q, 0, sizeof *q);
}

void delay_queue_free(struct delay_queue *q)
{
	free(q->v);
	delay_queue_init(q);
}

void delay_queue_reset(struct delay_queue *q)
{
	q->head = q->n = 0;
	q->last_due = 0;
	q->released = 0;
	q->epoch++;
}

bool delay_queue_push(struct delay_queue *q, uint64_t upto, int64_t due)
{
	if (q->n == q->cap) {
		size_t cap = q->cap ? q->cap * 2 : 8;
		struct delay_mark *v = xmalloc(cap * sizeof *v);

		for (size_t i = 0; i < q->n; i++)
			v[i] = q->v[(q->head + i) % q->cap];
		free(q->v);
		q->v = v;
		q->cap = cap;
		q->head = 0;
	}
	if (due < q->last_due)
		due = q->last_due;
	q->last_due = due;
	q->v[(q->head + q->n) % q->cap] = (struct delay_mark){ .upto = upto, .due = due };
	return ++q->n == 1;
}

uint64_t delay_queue_release(struct delay_queue *q, int64_t now)
{
	while (q->n > 0 && q->v[q->head].due <= now) {
		q->released = q->v[q->head].upto;
		q->head = (q->head + 1) % q->cap;
		q->n--;
	}
	return q->released;
}

bool delay_queue_next(const struct delay_queue *q, int64_t *due)
{
	if (q->n == 0)
		return false;
	*due = q->v[q->head].due;
	return true;
}
