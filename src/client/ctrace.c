/* ctrace.c -- see ctrace.h. */
#include "client/ctrace.h"

#include <stdlib.h>
#include <string.h>

#include "net/sock.h"
#include "trace/export.h"
#include "util/xalloc.h"

/* splitmix64's finaliser: spreads a sequence number over 64 bits. */
static uint64_t mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void ctrace_init(struct ctrace *t, struct trace_ring *ring, double p, const char *route,
		 const struct sockaddr *to)
{
	char a[SOCK_ADDR_STRLEN];
	const char *colon;

	memset(t, 0, sizeof *t);
	t->ring = ring;
	if (ring == NULL) {
		trace_ring_init(&t->own, 1, 0);
		ring = &t->own;
	}
	t->p = p;
	trace_new_id(ring, t->base_tid, 16);
	trace_new_id(ring, (uint8_t *)&t->base_sid, 8);
	t->route = route != NULL;
	strncpy(t->name, route ? route : "request", sizeof t->name - 1);
	sock_addr_str(to, a, sizeof a);
	colon = strrchr(a, ':');
	if (colon != NULL) {
		size_t n = (size_t)(colon - a);
		const char *h = a;

		if (a[0] == '[' && n >= 2) {
			h++;
			n -= 2;
		}
		if (n >= sizeof t->peer)
			n = sizeof t->peer - 1;
		memcpy(t->peer, h, n);
		t->port = atoi(colon + 1);
	} else {
		strncpy(t->peer, a, sizeof t->peer - 1);
	}
}

void ctrace_free(struct ctrace *t)
{
	if (t->own.slots != NULL)
		trace_ring_free(&t->own);
}

static void ids(const struct ctrace *t, uint64_t seq, uint8_t tid[16], uint8_t sid[8])
{
	uint64_t lo, s = mix(seq ^ t->base_sid);

	memcpy(tid, t->base_tid, 16);
	memcpy(&lo, tid + 8, 8);
	lo ^= mix(seq);
	memcpy(tid + 8, &lo, 8);
	if (s == 0)
		s = 1;
	memcpy(sid, &s, 8);
}

bool ctrace_sample(struct ctrace *t, uint64_t seq, struct wire_trace *out)
{
	if (!trace_sample(t->ring ? t->ring : &t->own, t->p))
		return false;
	ids(t, seq, out->trace_id, out->parent_id);
	out->flags = 1; /* sampled */
	out->state_len = 0;
	out->state = NULL;
	return true;
}

void ctrace_end(struct ctrace *t, uint64_t seq, int64_t sent, int64_t now, uint64_t req_bytes,
		bool ok, const char *why)
{
	struct trace_span *s;

	if (t->ring == NULL || (s = trace_ring_claim(t->ring)) == NULL)
		return;
	ids(t, seq, s->trace_id, s->span_id);
	memset(s->parent_id, 0, 8);
	s->kind = TRACE_CLIENT;
	s->start_ns = sent;
	s->end_ns = now;
	trace_name(s, t->name, strlen(t->name));
	trace_str(s, TS_PEER, t->peer, strlen(t->peer));
	trace_attr(s, TA_PEER_PORT, t->port);
	trace_attr(s, TA_REQ_ID, (int64_t)seq);
	if (req_bytes > 0)
		trace_attr(s, TA_REQ_SIZE, (int64_t)req_bytes);
	if (ok)
		s->status = TRACE_OK;
	else
		trace_error(s, why, strlen(why));
	trace_ring_commit(t->ring);
}

struct ctrace_run {
	struct trace_export *x; /* NULL: not recording */
	struct ctrace *threads;
	int n;
};

int ctrace_run_open(const struct ctrace_run_config *c, struct ctrace_run **out, struct err *e)
{
	struct ctrace_run *r = xcalloc(1, sizeof *r);

	if (c->path != NULL || c->endpoint != NULL) {
		char a[SOCK_ADDR_STRLEN];
		struct trace_export_config tc = { .path = c->path, .endpoint = c->endpoint,
						  .service = c->service ? c->service : "meshwalk-client",
						  .instance = sock_addr_str(c->to, a, sizeof a) };
		int rc = trace_export_open(&tc, c->threads, &r->x, e);

		if (rc == 0 && (rc = trace_export_start(r->x, e)) < 0)
			trace_export_stop(r->x, NULL);
		if (rc < 0) {
			free(r);
			return rc;
		}
	}
	r->n = c->threads;
	r->threads = xcalloc((size_t)c->threads, sizeof *r->threads);
	for (int i = 0; i < c->threads; i++)
		ctrace_init(&r->threads[i], trace_export_ring(r->x, i), c->p, c->route, c->to);
	*out = r;
	return 0;
}

struct ctrace *ctrace_run_thread(struct ctrace_run *r, int i)
{
	return r != NULL ? &r->threads[i] : NULL;
}

bool ctrace_run_close(struct ctrace_run *r, struct trace_export_stats *st)
{
	bool rec;

	if (r == NULL)
		return false;
	rec = r->x != NULL;
	trace_export_stop(r->x, st);
	for (int i = 0; i < r->n; i++)
		ctrace_free(&r->threads[i]);
	free(r->threads);
	free(r);
	return rec;
}
