/* test_clockalign.c -- clocks between hosts (src/import/clockalign.h) and
 * the model fitted with them (src/import/model.h): front on host h1 calls
 * back and log on host h2, whose clock is 50 ms behind. Measured from the
 * awaited calls (NTP's four times), the offset is exact; applied, the call
 * to log that outlives its caller (fire and forget: its client span ends at
 * the send) is seen to end after it, so the clone sends it without waiting,
 * and the self time segments are the true ones. Without the measured offset
 * (each call's own rule: a far side longer than its client span cannot be
 * centred) log's span seems to end 35 ms before its caller did: an awaited
 * call, which would make the clone wait for it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/clockalign.h"
#include "import/model.h"
#include "import/writer.h"

#define MS 1000000LL /* ns */
#define SKEW (-50 * MS) /* h2's clock behind h1's */
#define NTRACES 30

static void add(struct import *im, const char *trace, const char *id, const char *parent,
		const char *svc, const char *op, const char *host, enum span_kind kind,
		long long start_ns, long long dur_ns)
{
	struct span_in in;
	struct err e;

	span_in_init(&in);
	in.trace_id = trace;
	in.id = id;
	in.parent_id = parent;
	in.service = svc;
	in.operation = op;
	in.host = host;
	in.kind = kind;
	in.has_time = true;
	in.start_ns = start_ns;
	in.dur_ns = dur_ns;
	assert_int_equal(import_add(im, &in, &e), 0);
}

/* front (h1) home: 10 ms; its client span get [1, 4] ms answered by back
 * (h2) in [1.5, 3.5]; its client span audit [5, 5.1] (sent, not awaited)
 * answered by log (h2) in [5.2, 25]. Times as the hosts' clocks read them:
 * h2's are SKEW off. */
static void feed(struct import *im)
{
	for (int i = 0; i < NTRACES; i++) {
		char t[16];
		long long t0 = 1000 * MS + i * 100 * MS;

		snprintf(t, sizeof t, "t%d", i);
		add(im, t, "r", NULL, "front", "home", "h1", SPAN_KIND_SERVER, t0, 10 * MS);
		add(im, t, "c", "r", "front", "get", "h1", SPAN_KIND_CLIENT, t0 + 1 * MS, 3 * MS);
		add(im, t, "s", "c", "back", "get", "h2", SPAN_KIND_SERVER, t0 + SKEW + 3 * MS / 2,
		    2 * MS);
		add(im, t, "d", "r", "front", "audit", "h1", SPAN_KIND_CLIENT, t0 + 5 * MS, MS / 10);
		add(im, t, "a", "d", "log", "audit", "h2", SPAN_KIND_SERVER,
		    t0 + SKEW + 52 * MS / 10, 198 * MS / 10);
	}
	import_finish(im);
}

struct both {
	struct clockalign *ca;
	struct model *m;
};

static void first_read(void *arg, const struct import *im, const struct trace *t)
{
	struct both *b = arg;

	clockalign_trace(b->ca, im, t);
	model_trace(b->m, im, t);
}

static const struct model_route *route(const struct model *m, const char *svc, const char *op)
{
	for (uint32_t i = 0; i < m->nroutes; i++)
		if (strcmp(model_name(m, m->routes[i].svc), svc) == 0 &&
		    strcmp(model_name(m, m->routes[i].op), op) == 0)
			return &m->routes[i];
	fail_msg("no route %s %s", svc, op);
	return NULL;
}

static const struct model_edge *edge(const struct model *m, const char *from, const char *to)
{
	for (uint32_t i = 0; i < m->nedges; i++)
		if (strcmp(model_name(m, m->edges[i].from), from) == 0 &&
		    strcmp(model_name(m, m->edges[i].to), to) == 0)
			return &m->edges[i];
	fail_msg("no edge %s %s", from, to);
	return NULL;
}

static double median(const struct reservoir *r)
{
	uint32_t n;
	double *v = reservoir_sorted(r, &n), x;

	assert_true(n > 0);
	x = v[(n - 1) / 2];
	free(v);
	return x;
}

static void test_two_hosts(void **state)
{
	struct clockalign ca;
	struct model raw, aligned;
	struct import im;
	const struct model_route *r;
	const struct model_plan *pl;
	int64_t off;

	(void)state;
	clockalign_init(&ca);
	model_init(&raw, MODEL_DEFAULT_TOLERANCE_NS);
	import_init(&im, 0, first_read, &(struct both){ &ca, &raw });
	feed(&im);
	import_free(&im);
	clockalign_finish(&ca);

	/* measured: one pair, from the 30 awaited calls (the 30 to log are
	 * longer than their client spans: no sample), exact (the network
	 * time is split evenly both ways here) */
	assert_int_equal(ca.npairs, 1);
	assert_string_equal(ca.pairs[0].from, "h1");
	assert_string_equal(ca.pairs[0].to, "h2");
	assert_int_equal(ca.pairs[0].calls, 2 * NTRACES);
	assert_int_equal(ca.pairs[0].n, NTRACES);
	assert_true(clockalign_offset(&ca, "h1", "h2", &off));
	assert_int_equal(off, SKEW);
	assert_false(clockalign_offset(&ca, "h2", "h1", &off));
	assert_int_equal(clockalign_max_offset(&ca), -SKEW);

	/* without the offsets: log's span seems to end before home did, so
	 * the call to it was awaited: the clone would wait for it */
	r = route(&raw, "front", "home");
	assert_int_equal(r->nplans, 1);
	pl = &r->plans[0];
	assert_int_equal(pl->ngroups, 2);
	assert_false(pl->detached[1]);
	assert_int_equal(raw.late_calls, 0);
	/* get was centred by its own rule; network time is a difference of
	 * durations, right either way */
	assert_true(median(&edge(&raw, "front", "back")->net) == 1 * MS);

	/* with them: the true plan and times */
	model_init(&aligned, MODEL_DEFAULT_TOLERANCE_NS);
	aligned.clocks = &ca;
	import_init(&im, 0, model_trace, &aligned);
	feed(&im);
	r = route(&aligned, "front", "home");
	assert_int_equal(r->nplans, 1);
	pl = &r->plans[0];
	assert_int_equal(pl->ngroups, 2);
	assert_false(pl->detached[0]);
	assert_true(pl->detached[1]);
	assert_int_equal(aligned.late_calls, NTRACES);
	assert_true(median(&pl->seg[0]) == 1 * MS);
	assert_true(median(&pl->seg[1]) == 1 * MS); /* get ends at 4, audit is sent at 5 */
	assert_true(median(&pl->seg[2]) == 5 * MS); /* not waited for: 5 to 10 */
	assert_true(median(&r->self) == 7 * MS);
	assert_true(median(&route(&aligned, "back", "get")->self) == 2 * MS);
	assert_int_equal(edge(&aligned, "front", "back")->calls, NTRACES);
	assert_true(median(&edge(&aligned, "front", "back")->net) == 1 * MS);
	assert_int_equal(aligned.aligned_calls, 2 * NTRACES);
	assert_int_equal(aligned.aligned_max_ns, -SKEW);

	/* the header says what was aligned */
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	struct writer_opts o;
	struct err e;

	writer_opts_init(&o);
	assert_int_equal(writer_write(&aligned, &im, &o, f, &e), 0);
	fclose(f);
	if (strstr(text, "#   clock of host h2: -50.000 ms to host h1's (median of 30 calls of 60") == NULL ||
	    strstr(text, "#   60 calls whose callee's clock was moved onto its caller's (by up to "
			 "50.000 ms)") == NULL ||
	    strstr(text, "home: \"-C 1ms -F {back},route=get -C 1ms -F {log},route=audit,nowait "
			 "-C 5ms\"") == NULL)
		fail_msg("unexpected scenario:\n%s", text);
	free(text);
	import_free(&im);
	model_free(&aligned);
	model_free(&raw);
	clockalign_free(&ca);
}

/* One host, or none known: nothing measured, the per-call rules only. */
static void test_one_host(void **state)
{
	struct clockalign ca;
	struct model m;
	struct import im;

	(void)state;
	clockalign_init(&ca);
	model_init(&m, MODEL_DEFAULT_TOLERANCE_NS);
	import_init(&im, 0, first_read, &(struct both){ &ca, &m });
	add(&im, "t", "r", NULL, "front", "home", "h1", SPAN_KIND_SERVER, 0, 10 * MS);
	add(&im, "t", "c", "r", "front", "get", "h1", SPAN_KIND_CLIENT, 1 * MS, 3 * MS);
	add(&im, "t", "s", "c", "back", "get", "h1", SPAN_KIND_SERVER, 2 * MS, 1 * MS);
	add(&im, "t", "d", "r", "front", "db", NULL, SPAN_KIND_CLIENT, 5 * MS, 1 * MS);
	add(&im, "t", "e", "d", "db", "q", NULL, SPAN_KIND_SERVER, 5 * MS, 1 * MS);
	import_finish(&im);
	clockalign_finish(&ca);
	assert_int_equal(ca.npairs, 0);
	assert_int_equal(clockalign_max_offset(&ca), 0);
	assert_int_equal(m.aligned_calls, 0);
	import_free(&im);
	model_free(&m);
	clockalign_free(&ca);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_hosts),
		cmocka_unit_test(test_one_host),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
