/* test_spans.c -- the span assembler (src/import/spans.h): grouping by trace,
 * every messy-input rule and its flag and count, both orders of a shared
 * client/server id, loops cut, the open-span bound, local entries. Spans are
 * fed directly through import_add(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "import_helpers.h"

static struct import im;

static void add(const char *trace, const char *id, const char *parent, const char *svc,
		enum span_kind kind, long long start, long long dur)
{
	struct span_in in;
	struct err e;

	span_in_init(&in);
	in.trace_id = trace;
	in.id = id;
	in.parent_id = parent;
	in.service = svc;
	in.operation = id;
	in.kind = kind;
	in.has_time = start >= 0;
	in.start_ns = start;
	in.dur_ns = dur;
	assert_int_equal(import_add(&im, &in, &e), 0);
}

static void begin(uint64_t bound)
{
	nrec = ntraces = 0;
	import_init(&im, bound, keep, NULL);
}

static void test_tree(void **state)
{
	(void)state;
	begin(0);
	add("t", "c", "b", "B", SPAN_KIND_SERVER, 150, 50); /* children before parents */
	add("t", "b", "a", "A", SPAN_KIND_CLIENT, 100, 200);
	add("t", "a", NULL, "A", SPAN_KIND_SERVER, 0, 1000);
	add("u", "x", NULL, "A", SPAN_KIND_SERVER, 0, 10);
	import_finish(&im);
	assert_int_equal(im.st.traces, 2);
	assert_int_equal(im.st.spans, 4);
	assert_int_equal(im.st.roots, 2);
	assert_int_equal(im.st.orphans + im.st.early + im.st.late_end + im.st.dup_ids, 0);
	assert_string_equal(find("c")->parent, "b");
	assert_string_equal(find("b")->parent, "a");
	assert_string_equal(find("a")->parent, "");
	import_free(&im);
}

static void test_messy(void **state)
{
	(void)state;
	begin(0);
	add("t", "root", NULL, "A", SPAN_KIND_SERVER, 1000, 1000);
	add("t", "early", "root", "A", SPAN_KIND_INTERNAL, 900, 50);
	add("t", "late", "root", "A", SPAN_KIND_INTERNAL, 1500, 800);
	add("t", "lost", "nowhere", "A", SPAN_KIND_INTERNAL, 1200, 10);
	add("t", "notime", "root", "A", SPAN_KIND_INTERNAL, -1, 0);
	add("t", "root", NULL, "A", SPAN_KIND_SERVER, 1000, 1000); /* again */
	add("t", "self", "self", "A", SPAN_KIND_INTERNAL, 1100, 10);
	import_finish(&im);
	assert_int_equal(im.st.spans, 7);
	assert_true(find("early")->flags & SPAN_F_EARLY);
	assert_false(find("early")->flags & SPAN_F_LATE_END);
	assert_true(find("late")->flags & SPAN_F_LATE_END);
	assert_true(find("lost")->flags & SPAN_F_ORPHAN);
	assert_string_equal(find("lost")->parent, "");
	assert_true(find("notime")->flags & SPAN_F_NO_TIME);
	assert_false(find("notime")->flags & (SPAN_F_EARLY | SPAN_F_LATE_END));
	assert_true(find("self")->flags & SPAN_F_ORPHAN);
	assert_int_equal(im.st.orphans, 2);
	assert_int_equal(im.st.early, 1);
	assert_int_equal(im.st.late_end, 1);
	assert_int_equal(im.st.no_time, 1);
	assert_int_equal(im.st.dup_ids, 1);
	/* the second "root" is flagged; children attached to the first */
	assert_true(recs[5].flags & SPAN_F_DUP_ID);
	assert_false(recs[0].flags & SPAN_F_DUP_ID);
	import_free(&im);
}

/* Client then server under one id, and server then client: the server half
 * is the client's child either way, and the id's children attach to it. */
static void test_shared(void **state)
{
	(void)state;
	begin(0);
	add("t", "r", NULL, "A", SPAN_KIND_SERVER, 0, 100);
	add("t", "k", "r", "A", SPAN_KIND_CLIENT, 10, 50);
	add("t", "k", "r", "B", SPAN_KIND_SERVER, 12, 40);
	add("t", "kid", "k", "B", SPAN_KIND_CLIENT, 15, 5);
	add("u", "r", NULL, "A", SPAN_KIND_SERVER, 0, 100);
	add("u", "k", "r", "B", SPAN_KIND_CONSUMER, 12, 40);
	add("u", "k", "r", "A", SPAN_KIND_PRODUCER, 10, 50);
	add("u", "kid", "k", "B", SPAN_KIND_CLIENT, 15, 5);
	import_finish(&im);
	assert_int_equal(im.st.shared, 2);
	assert_int_equal(im.st.dup_ids, 0);
	for (unsigned tr = 0; tr < 2; tr++) {
		static const struct rec none;
		const struct rec *client = &none, *server = &none, *kid = &none;

		for (unsigned i = 0; i < nrec; i++) {
			if (recs[i].ntrace != tr)
				continue;
			if (strcmp(recs[i].id, "k") == 0 && !strcmp(recs[i].service, "A"))
				client = &recs[i];
			if (strcmp(recs[i].id, "k") == 0 && !strcmp(recs[i].service, "B"))
				server = &recs[i];
			if (strcmp(recs[i].id, "kid") == 0)
				kid = &recs[i];
		}
		assert_true(client != &none && server != &none && kid != &none);
		assert_string_equal(client->parent, "r");
		assert_string_equal(server->parent, "k"); /* the client half */
		assert_true(server->flags & SPAN_F_SHARED);
		assert_false(client->flags & SPAN_F_SHARED);
		assert_true(kid->flags == 0);
	}
	import_free(&im);
}

static void test_cycle(void **state)
{
	(void)state;
	begin(0);
	add("t", "a", "c", "A", SPAN_KIND_INTERNAL, 0, 10);
	add("t", "b", "a", "A", SPAN_KIND_INTERNAL, 0, 10);
	add("t", "c", "b", "A", SPAN_KIND_INTERNAL, 0, 10);
	add("t", "d", "c", "A", SPAN_KIND_INTERNAL, 0, 10);
	import_finish(&im);
	assert_int_equal(im.st.cycles, 1);
	unsigned roots = 0;
	for (unsigned i = 0; i < nrec; i++)
		roots += recs[i].parent[0] == '\0';
	assert_int_equal(roots, 1); /* the loop cut in one place */
	import_free(&im);
}

/* Three spans open at most: the trace idle longest is finished early, and
 * its late span starts a new trace marked as the tail of a split one. */
static void test_bound(void **state)
{
	(void)state;
	begin(3);
	add("t1", "a", NULL, "A", SPAN_KIND_SERVER, 0, 10);
	add("t2", "c", NULL, "A", SPAN_KIND_SERVER, 0, 10);
	add("t1", "b", "a", "A", SPAN_KIND_INTERNAL, 1, 1); /* t1 active again */
	assert_int_equal(ntraces, 0);
	add("t3", "x", NULL, "A", SPAN_KIND_SERVER, 0, 10);
	assert_int_equal(ntraces, 1);
	assert_string_equal(recs[0].trace, "t2"); /* idle longest, not first */
	assert_true(im.open_spans <= 3);
	add("t2", "d", "c", "A", SPAN_KIND_INTERNAL, 2, 1); /* after t2 was finished */
	import_finish(&im);
	assert_int_equal(im.st.traces, 4);
	assert_int_equal(im.st.evicted, 2); /* t2, then t1 for d */
	assert_int_equal(im.st.split, 1);   /* only t2 came back */
	assert_true(find("d")->flags & SPAN_F_ORPHAN);
	import_free(&im);
}

static void test_bad_span(void **state)
{
	struct span_in in;
	struct err e;

	(void)state;
	begin(0);
	span_in_init(&in);
	in.id = "x";
	assert_int_equal(import_add(&im, &in, &e), -EINVAL);
	assert_string_equal(e.msg, "span without a trace id");
	in.trace_id = "t";
	in.id = "";
	assert_int_equal(import_add(&im, &in, &e), -EINVAL);
	import_free(&im);
}

static void test_kinds(void **state)
{
	(void)state;
	assert_int_equal(span_kind_parse("SPAN_KIND_CLIENT"), SPAN_KIND_CLIENT);
	assert_int_equal(span_kind_parse("server"), SPAN_KIND_SERVER);
	assert_int_equal(span_kind_parse("PRODUCER"), SPAN_KIND_PRODUCER);
	assert_int_equal(span_kind_parse("5"), SPAN_KIND_CONSUMER);
	assert_int_equal(span_kind_parse("1"), SPAN_KIND_INTERNAL);
	assert_int_equal(span_kind_parse("7"), SPAN_KIND_UNSET);
	assert_int_equal(span_kind_parse("sideways"), SPAN_KIND_UNSET);
	assert_int_equal(span_kind_parse(NULL), SPAN_KIND_UNSET);
	assert_string_equal(span_kind_name(SPAN_KIND_CONSUMER), "consumer");
}

static bool fixed_offset(void *arg, uint32_t from, uint32_t to, int64_t *offset_ns)
{
	(void)arg;
	*offset_ns = 7;
	return from == 1 && to == 2;
}

/* Clock skew: the far side of a call that does not fit in its client span,
 * though no longer, is centred in it with its subtree; calls that outlive
 * their caller in its own service, far sides longer than their client span
 * and children of a non-client span stay where their clocks put them. */
static void test_skew_shifts(void **state)
{
	enum { A, B };
	struct sp {
		uint32_t parent, service;
		uint8_t kind;
		int64_t start, dur, want;
	} in[] = {
		{ SPAN_NONE, A, SPAN_KIND_SERVER, 0, 100, 0 },  /* 0 root */
		{ 0, A, SPAN_KIND_CLIENT, 10, 50, 0 },          /* 1 call, 10..60 */
		{ 1, B, SPAN_KIND_SERVER, 30, 45, -18 },        /* 2 ends at 75: skew */
		{ 2, B, SPAN_KIND_INTERNAL, 40, 10, -18 },      /* 3 moves with it */
		{ 0, A, SPAN_KIND_CLIENT, 80, 50, 0 },          /* 4 fire and forget */
		{ 4, B, SPAN_KIND_SERVER, 85, 40, 0 },          /* 5 fits */
		{ 0, A, SPAN_KIND_CLIENT, 62, 10, 0 },          /* 6 call, 62..72 */
		{ 6, B, SPAN_KIND_SERVER, 60, 20, 0 },          /* 7 longer: kept */
		{ 0, B, SPAN_KIND_SERVER, 90, 5, 0 },           /* 8 no client span */
		{ 8, A, SPAN_KIND_SERVER, 70, 1, 0 },           /* 9 under a server */
	};
	enum { N = sizeof in / sizeof in[0] };
	struct span spans[N];
	uint32_t root = 0;
	int64_t shift[N];
	struct trace t = { .spans = spans, .n = N, .roots = &root, .nroots = 1 };

	(void)state;
	memset(spans, 0, sizeof spans);
	for (uint32_t i = 0; i < N; i++) {
		spans[i].parent = in[i].parent;
		spans[i].service = in[i].service;
		spans[i].kind = in[i].kind;
		spans[i].start_ns = in[i].start;
		spans[i].dur_ns = in[i].dur;
		spans[i].first_child = spans[i].next_sibling = SPAN_NONE;
		spans[i].host = SPAN_NONE; /* unknown: only what cannot be true moves */
	}
	for (uint32_t i = N; i-- > 1;) { /* children in order, as the importer links them */
		spans[i].next_sibling = spans[in[i].parent].first_child;
		spans[in[i].parent].first_child = i;
	}
	trace_skew_shifts(&t, shift, NULL, NULL);
	for (uint32_t i = 0; i < N; i++) {
		if (shift[i] != in[i].want)
			fail_msg("span %u: shift %lld, expected %lld", i, (long long)shift[i],
				 (long long)in[i].want);
	}
	/* One host: as unknown (only what cannot fit moves), even with
	 * offsets measured between other hosts. */
	for (uint32_t i = 0; i < N; i++)
		spans[i].host = 1;
	trace_skew_shifts(&t, shift, fixed_offset, NULL);
	for (uint32_t i = 0; i < N; i++)
		assert_true(shift[i] == in[i].want);
	/* B on another host: every far side of A's calls is on B's clock. No
	 * measured offset: each call's own NTP estimate, centring (5 is
	 * centred already; 7, longer than its client span, stays); with one,
	 * by it, whole subtrees (3 with 2), while 8 (no client span) stays. */
	for (uint32_t i = 0; i < N; i++)
		spans[i].host = in[i].service == B ? 2 : 1;
	trace_skew_shifts(&t, shift, NULL, NULL);
	assert_true(shift[2] == -18 && shift[3] == -18 && shift[5] == 0);
	assert_true(shift[7] == 0 && shift[8] == 0 && shift[9] == 0);
	trace_skew_shifts(&t, shift, fixed_offset, NULL);
	assert_true(shift[2] == -7 && shift[3] == -7 && shift[5] == -7 && shift[7] == -7);
	assert_true(shift[8] == 0 && shift[9] == 0 && shift[0] == 0 && shift[4] == 0);
	/* NTP's formula: t0 10, t1 30, t2 75, t3 60: ((30-10) + (75-60)) / 2 */
	assert_true(trace_call_offset(&spans[1], &spans[2]) == 17);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree),   cmocka_unit_test(test_messy),
		cmocka_unit_test(test_shared), cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_bound),  cmocka_unit_test(test_bad_span),
		cmocka_unit_test(test_kinds),  cmocka_unit_test(test_skew_shifts),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
