/* test_model.c -- the fitted model (src/import/model.h) and the scenario
 * writer (src/import/writer.h): executions, concurrent and sequential call
 * groups with the overlap tolerance, self-time segments, plans and their
 * weights, leaf routes, network time, the entry mix, and the program text
 * the writer makes of them (choice groups, branch forwards, cycles refused).
 * Spans are fed directly through import_add(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "import/model.h"
#include "import/netbase.h"
#include "import/validate.h"
#include "import/writer_int.h"
#include "import/writer.h"

#define US 1000LL /* ns */

static struct import im;
static struct model m;
static const char *next_peer; /* the next span's peer service, once */
static long long next_req = -1;  /* the next span's request size, once */
static long long next_asked = -1; /* the next span's meshwalk.duration_ns, us, once */
static bool all_meshwalk;        /* every span recorded by meshwalk itself */
static long long next_size = -1, next_offset = SPAN_OFFSET_NONE; /* the next LOAD/STORE span's */
static int next_sync = -1;

static void begin(uint64_t tolerance_ns)
{
	model_init(&m, tolerance_ns);
	import_init(&im, 0, model_trace, &m);
}

static void end(void)
{
	import_free(&im);
	model_free(&m);
}

static void add(const char *trace, const char *id, const char *parent, const char *svc,
		const char *op, enum span_kind kind, long long start_us, long long dur_us)
{
	struct span_in in;
	struct err e;

	span_in_init(&in);
	in.trace_id = trace;
	in.id = id;
	in.parent_id = parent;
	in.service = svc;
	in.operation = op;
	in.kind = kind;
	in.has_time = start_us >= 0;
	in.start_ns = start_us * US;
	in.dur_ns = dur_us * US;
	in.peer_service = next_peer;
	next_peer = NULL;
	in.req_bytes = next_req;
	next_req = -1;
	in.asked_ns = next_asked < 0 ? -1 : next_asked * US;
	next_asked = -1;
	in.op_size = next_size;
	in.op_offset = next_offset;
	in.op_sync = (int8_t)next_sync;
	next_size = -1;
	next_offset = SPAN_OFFSET_NONE;
	next_sync = -1;
	in.meshwalk = all_meshwalk;
	assert_int_equal(import_add(&im, &in, &e), 0);
}

/* A client span of svc calling callee's op, answered by a server span that
 * starts and ends `net_us / 2` inside it. */
static void call(const char *trace, const char *id, const char *parent, const char *svc,
		 const char *callee, const char *op, long long start, long long dur, long long net)
{
	char sid[64];

	add(trace, id, parent, svc, op, SPAN_KIND_CLIENT, start, dur);
	snprintf(sid, sizeof sid, "%s-s", id);
	add(trace, sid, id, callee, op, SPAN_KIND_SERVER, start + net / 2, dur - net);
}

static const struct model_route *route(const char *svc, const char *op)
{
	for (uint32_t i = 0; i < m.nroutes; i++)
		if (strcmp(model_name(&m, m.routes[i].svc), svc) == 0 &&
		    strcmp(model_name(&m, m.routes[i].op), op) == 0)
			return &m.routes[i];
	fail_msg("no route %s %s", svc, op);
	return NULL;
}

static uint32_t route_ix(const char *svc, const char *op)
{
	return (uint32_t)(route(svc, op) - m.routes);
}

/* A: 1 ms of work, B.x and C.y together, 1.5 ms, B.x again, 4 ms. */
static void one_trace(const char *t)
{
	add(t, "r", NULL, "A", "root", SPAN_KIND_SERVER, 0, 10000);
	call(t, "c1", "r", "A", "B", "x", 1000, 2000, 200);
	call(t, "c2", "r", "A", "C", "y", 1500, 2000, 100);
	call(t, "c3", "r", "A", "B", "x", 5000, 1000, 200);
}

static void test_groups_and_segments(void **state)
{
	const struct model_route *r;
	const struct model_plan *pl;

	(void)state;
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	one_trace("t1");
	import_finish(&im);
	r = route("A", "root");
	assert_int_equal(r->execs, 1);
	assert_int_equal(r->roots, 1);
	assert_int_equal(r->nplans, 1);
	pl = &r->plans[0];
	assert_int_equal(pl->ngroups, 2);
	assert_int_equal(pl->gsize[0], 2);
	assert_int_equal(pl->gsize[1], 1);
	/* sorted within a group by route index: B.x was seen first */
	assert_int_equal(pl->calls[0], route_ix("B", "x"));
	assert_int_equal(pl->calls[1], route_ix("C", "y"));
	assert_int_equal(pl->calls[2], route_ix("B", "x"));
	assert_true(pl->seg[0].v[0] == 1000 * US);
	assert_true(pl->seg[1].v[0] == 1500 * US);
	assert_true(pl->seg[2].v[0] == 4000 * US);
	assert_true(pl->dur.v[0] == 10000 * US);
	assert_int_equal(route("B", "x")->execs, 2);
	/* network time per service pair: client span minus server span */
	assert_int_equal(m.nedges, 2);
	assert_int_equal(m.edges[0].calls, 2);
	assert_true(m.edges[0].net.v[0] == 200 * US && m.edges[0].net.v[1] == 200 * US);
	assert_true(m.edges[1].net.v[0] == 100 * US);
	end();
}

/* Two calls overlapping by 0.5 ms of 5 ms each: sequential with the 1 ms
 * tolerance (millisecond timestamps), concurrent without it; fully
 * overlapping short calls are concurrent whatever the tolerance. */
static void test_tolerance(void **state)
{
	(void)state;
	for (int tol = 0; tol < 2; tol++) {
		begin(tol ? MODEL_DEFAULT_TOLERANCE_NS : 0);
		add("t", "r", NULL, "A", "root", SPAN_KIND_SERVER, 0, 20000);
		call("t", "c1", "r", "A", "B", "x", 0, 5000, 0);
		call("t", "c2", "r", "A", "B", "z", 4500, 5000, 0);
		call("t", "c3", "r", "A", "C", "y", 12000, 300, 0);
		call("t", "c4", "r", "A", "C", "w", 12000, 300, 0);
		import_finish(&im);
		const struct model_plan *pl = &route("A", "root")->plans[0];

		assert_int_equal(pl->ngroups, tol ? 3 : 2);
		assert_int_equal(pl->gsize[pl->ngroups - 1], 2);
		end();
	}
}

/* Plans by structure with their counts; a client span no service answered
 * is a leaf route of its peer; an untimed execution counts apart. */
static void test_plans_and_leaves(void **state)
{
	const struct model_route *r, *db;

	(void)state;
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	for (int i = 0; i < 3; i++) {
		char t[16];

		snprintf(t, sizeof t, "t%d", i);
		add(t, "r", NULL, "A", "root", SPAN_KIND_SERVER, i * 100000, 10000);
		if (i < 2)
			call(t, "c1", "r", "A", "B", "x", i * 100000 + 1000, 2000, 200);
		add(t, "q", "r", "A", "SELECT", SPAN_KIND_CLIENT, i * 100000 + 5000, 700);
	}
	next_peer = "db";
	add("t5", "r", NULL, "D", "other", SPAN_KIND_SERVER, 500000, 1000);
	next_peer = "db";
	add("t5", "q", "r", "D", "SELECT", SPAN_KIND_CLIENT, 500100, 300);
	add("t3", "r", NULL, "A", "root", SPAN_KIND_SERVER, -1, 0);
	import_finish(&im);
	r = route("A", "root");
	assert_int_equal(r->execs, 4);
	assert_int_equal(r->untimed, 1);
	assert_int_equal(r->nplans, 2);
	assert_int_equal(r->plans[0].count, 2);
	assert_int_equal(r->plans[0].ngroups, 2);
	assert_int_equal(r->plans[1].count, 1);
	assert_int_equal(r->plans[1].ngroups, 1);
	db = route("A-ext", "SELECT");
	assert_true(db->leaf);
	assert_int_equal(db->execs, 3);
	assert_true(db->leaf_dur.v[0] == 700 * US);
	db = route("db", "SELECT"); /* the peer service names the leaf */
	assert_true(db->leaf);
	assert_int_equal(db->execs, 1);
	assert_int_equal(m.roots, 4); /* timed roots: for the rate */
	assert_true(m.root_last_ns - m.root_first_ns == 500000 * US);
	end();
}

static char *write_text(const struct writer_opts *o, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct err e;

	*rc = writer_write(&m, &im, o, f, &e);
	fclose(f);
	if (*rc < 0) {
		free(buf);
		return strdup(e.msg);
	}
	return buf;
}

static void test_writer(void **state)
{
	struct writer_opts o;
	char *s;
	int rc;

	(void)state;
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	one_trace("t1");
	one_trace("t2");
	add("t3", "r", NULL, "A", "root", SPAN_KIND_SERVER, 50000, 4000);
	add("t4", "r", NULL, "C", "y", SPAN_KIND_SERVER, 90000, 300);
	import_finish(&im);
	writer_opts_init(&o);
	o.requests = 100;
	s = write_text(&o, &rc);
	assert_int_equal(rc, 0);
	/* two plans of A's root: weights 2 and 1, the concurrent group as
	 * branch forwards, the repeated call again, then the last segment */
	if (strstr(s, "      root: \"--choice 2 -C 1ms -F {B},route=x,branch -F {C},route=y,branch") ==
		    NULL ||
	    strstr(s, " -F {B},route=x,branch -F {C},route=y,branch -C 1.5ms -F {B},route=x -C 4ms "
		      "--choice 1 -C 4ms --choice-end\"") == NULL)
		fail_msg("unexpected program:\n%s", s);
	assert_non_null(strstr(s, "      x: \""));
	/* the entry mix: 3 of 4 roots on A.root, 1 on C.y; 3 gaps in 90 ms */
	assert_non_null(strstr(s, "  - name: A.root\n    to: A\n    route: root\n    args: \"-n 75 -p exp:"));
	assert_non_null(strstr(s, "  - name: C.y\n    to: C\n    route: y\n    args: \"-n 25 -p exp:"));
	assert_non_null(strstr(s, "share of 33.33 req/s"));
	/* --self-time sleep for one service */
	o.self = (const struct writer_self[]){ { "B", 0, true, 0 } };
	o.nself = 1;
	free(s);
	s = write_text(&o, &rc);
	assert_non_null(strstr(s, "      x: \"--sleep "));
	free(s);
	/* --working-set: every traced service's -C gets ws=; one service's own
	 * size wins, and one over a node's default limit raises its nodes' */
	writer_opts_init(&o);
	o.wset = 4096;
	o.self = (const struct writer_self[]){ { "B", 0, false, 100u << 20 } };
	o.nself = 1;
	s = write_text(&o, &rc);
	assert_int_equal(rc, 0);
	if (strstr(s, "      root: \"--choice 2 -C 1ms,ws=4Ki -F {B},route=x,branch") == NULL ||
	    strstr(s, "      x: \"-C ") == NULL || strstr(s, ",ws=100Mi") == NULL ||
	    strstr(s, "    node: \"--max-working-set 104857600\"\n") == NULL ||
	    strstr(s, "over a working set of 4096 bytes") == NULL)
		fail_msg("working sets:\n%s", s);
	/* only B's nodes need room for it */
	assert_null(strstr(strstr(s, "--max-working-set") + 1, "--max-working-set"));
	free(s);
	/* a service the traces do not have is an error, not ignored */
	o.self = (const struct writer_self[]){ { "nosuch", 0, false, 4096 } };
	s = write_text(&o, &rc);
	assert_true(rc < 0);
	if (strstr(s, "--working-set names service 'nosuch'") == NULL)
		fail_msg("%s", s);
	free(s);
	end();

	/* A calls B calls A: services that call each other cannot start, so
	 * the call that closes the cycle (B -> A, found from A) is left out */
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	add("t", "r", NULL, "A", "root", SPAN_KIND_SERVER, 0, 1000);
	call("t", "c", "r", "A", "B", "x", 100, 800, 0);
	call("t", "d", "c-s", "B", "A", "back", 200, 100, 0);
	import_finish(&im);
	writer_opts_init(&o);
	s = write_text(&o, &rc);
	assert_int_equal(rc, 0);
	if (strstr(s, "#   calls from B to A left out: they close a cycle (A -> B -> A)\n") == NULL ||
	    strstr(s, "      root: \"-C 100us -F {B},route=x -C 100us\"") == NULL ||
	    strstr(s, "      x: \"-C 100us -C 0 -C ") != NULL ||
	    strstr(s, "#   calls A.back: probability 1.000, 1.00 times when called (left out: closes a "
		      "cycle)") == NULL)
		fail_msg("%s", s);
	free(s);
	end();
}

/* A call that ends after its caller (fire and forget) is a group of its own
 * of no length, marked detached, and written with nowait; the caller's self
 * time after it runs on at once. */
static void test_detached_call(void **state)
{
	struct writer_opts o;
	const struct model_plan *pl;
	char *s;
	int rc;

	(void)state;
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	add("t", "r", NULL, "A", "root", SPAN_KIND_SERVER, 0, 10000);
	call("t", "c1", "r", "A", "B", "x", 1000, 2000, 0);
	call("t", "c2", "r", "A", "C", "log", 5000, 20000, 0); /* ends at 25 ms: after A */
	import_finish(&im);
	pl = &route("A", "root")->plans[0];
	assert_int_equal(pl->ngroups, 2);
	assert_false(pl->detached[0]);
	assert_true(pl->detached[1]);
	assert_int_equal(pl->calls[1], route_ix("C", "log"));
	assert_true(pl->seg[2].v[0] == 5000 * US); /* 5 ms after it, not 0 */
	assert_int_equal(m.late_calls, 1);
	writer_opts_init(&o);
	s = write_text(&o, &rc);
	assert_int_equal(rc, 0);
	if (strstr(s, "      root: \"-C 1ms -F {B},route=x -C 2ms -F {C},route=log,nowait -C 5ms\"") == NULL)
		fail_msg("unexpected program:\n%s", s);
	assert_non_null(strstr(s, "fire and forget, sent with nowait"));
	free(s);
	end();

	/* the client span ended at the send (or with its caller, as meshwalk's
	 * own nowait forwards do), but the callee worked on after the caller
	 * ended: not waited for either */
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	add("u", "r", NULL, "A", "root", SPAN_KIND_SERVER, 0, 10000);
	add("u", "c", "r", "A", "log", SPAN_KIND_CLIENT, 9000, 1000);
	add("u", "s", "c", "C", "log", SPAN_KIND_SERVER, 9100, 20000);
	import_finish(&im);
	pl = &route("A", "root")->plans[0];
	assert_int_equal(pl->ngroups, 1);
	assert_true(pl->detached[0]);
	end();
}

/* Links: the observed network time each way, less --net-baseline; between
 * services whose calls meshwalk recorded itself, none (auto). */
static void test_net_baseline(void **state)
{
	struct writer_opts o;
	struct netbase nb;
	char *s;
	int rc;

	(void)state;
	for (int own = 0; own < 2; own++) {
		all_meshwalk = own;
		begin(MODEL_DEFAULT_TOLERANCE_NS);
		for (int i = 0; i < 3; i++) {
			char t[16];

			snprintf(t, sizeof t, "t%d", i);
			add(t, "r", NULL, "A", "root", SPAN_KIND_SERVER, i * 10000, 2000);
			call(t, "c", "r", "A", "B", "x", i * 10000 + 500, 1000, 200);
		}
		import_finish(&im);
		writer_opts_init(&o);
		s = write_text(&o, &rc);
		assert_int_equal(rc, 0);
		if (own) {
			assert_non_null(strstr(s, "# A <-> B: the network time of 3 calls recorded by "
						  "meshwalk itself"));
			assert_null(strstr(s, "between:"));
		} else {
			const char *l = strstr(s, "    - between: [A, B]\n      delay: \"");

			assert_non_null(l);
			assert_non_null(strstr(l, "100us"));  /* 200 us observed: half each way */
			free(s);
			netbase_init(&nb);
			nb.mean_ns = 150000; /* 50 us left, 25 us each way */
			o.net_base = &nb;
			o.net_auto = false;
			s = write_text(&o, &rc);
			l = strstr(s, "    - between: [A, B]\n      delay: \"");
			assert_non_null(l);
			assert_non_null(strstr(l, "25us"));
			assert_null(strstr(l, "100us"));
			assert_non_null(strstr(s, "less the clone's own hop (--net-baseline: mean 150us, "
						  "sd "));
			assert_non_null(strstr(s, "; each way: mean 25us, sd "));
			/* the edge's own baseline wins over the default */
			netbase_set(&nb, "A", "B", 190000, 0);
			free(s);
			s = write_text(&o, &rc);
			l = strstr(s, "    - between: [A, B]\n      delay: \"");
			assert_non_null(l);
			assert_non_null(strstr(l, "delay: \"5us\""));
			/* nothing left for a link */
			netbase_set(&nb, "A", "B", 200000, 0);
			free(s);
			s = write_text(&o, &rc);
			assert_null(strstr(s, "between:"));
			netbase_free(&nb);
		}
		free(s);
		end();
	}
	all_meshwalk = false;
}

/* Links keep the observed spread: each way draws from the original's
 * times rescaled to half their variance (two draws add up to it), less
 * the baseline's variance. */
static void test_net_spread(void **state)
{
	static const long long net[] = { 100, 200, 300, 200 };
	struct writer_opts o;
	struct netbase nb;
	char *s;
	int rc;

	(void)state;
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	for (int i = 0; i < 4; i++) {
		char t[16];

		snprintf(t, sizeof t, "t%d", i);
		add(t, "r", NULL, "A", "root", SPAN_KIND_SERVER, i * 10000, 2000);
		call(t, "c", "r", "A", "B", "x", i * 10000 + 500, 1000, net[i]);
	}
	import_finish(&im);
	writer_opts_init(&o);
	s = write_text(&o, &rc);
	assert_int_equal(rc, 0);
	/* mean 200, sd 70.7 round trip: each way mean 100, sd 50 */
	if (strstr(s, "median 200us, mean 200us, sd 70.7us round trip; each way: mean 100us, "
		      "sd 50us\n    - between: [A, B]\n      delay: \"emp:29.3us,100us,100us,170.7us\"") ==
	    NULL)
		fail_msg("unexpected links:\n%s", s);
	free(s);
	/* less a hop of mean 40 and variance 1000 us^2: mean 80, variance
	 * (5000 - 1000) / 2 each way */
	netbase_init(&nb);
	netbase_set(&nb, "A", "B", 40000, 1000e6);
	o.net_base = &nb;
	o.net_auto = false;
	s = write_text(&o, &rc);
	if (strstr(s, "each way: mean 80us, sd 44.7us") == NULL)
		fail_msg("unexpected links:\n%s", s);
	free(s);
	netbase_free(&nb);
	end();
}

/* A leaf's time less the clone's own hop on calls to it (a leaf edge of
 * the baseline); a baseline of network edges leaves it alone. */
static void test_leaf_baseline(void **state)
{
	struct writer_opts o;
	struct netbase nb;
	char *s;
	int rc;

	(void)state;
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	for (int i = 0; i < 3; i++) {
		char t[16];

		snprintf(t, sizeof t, "t%d", i);
		add(t, "r", NULL, "A", "root", SPAN_KIND_SERVER, i * 10000, 2000);
		next_peer = "db";
		add(t, "q", "r", "A", "SELECT", SPAN_KIND_CLIENT, i * 10000 + 500, 700);
	}
	import_finish(&im);
	writer_opts_init(&o);
	netbase_init(&nb);
	nb.mean_ns = 300000; /* network edges' default: not a leaf's */
	o.net_base = &nb;
	s = write_text(&o, &rc);
	assert_int_equal(rc, 0);
	if (strstr(s, "      SELECT: \"--sleep 700us\"") == NULL)
		fail_msg("unexpected leaf:\n%s", s);
	assert_null(strstr(s, "on calls to it"));
	free(s);
	netbase_set_leaf(&nb, "A", "db", 200000, 0);
	s = write_text(&o, &rc);
	if (strstr(s, "      SELECT: \"--sleep 500us\"") == NULL ||
	    strstr(s, "#   less the clone's own hop on calls to it (--net-baseline: mean 200us") == NULL)
		fail_msg("unexpected leaf:\n%s", s);
	free(s);
	/* the hop takes it all: nothing left to wait */
	netbase_set_leaf(&nb, "A", "db", 800000, 0);
	s = write_text(&o, &rc);
	if (strstr(s, "      SELECT: \"-C 0\"") == NULL)
		fail_msg("unexpected leaf:\n%s", s);
	free(s);
	netbase_free(&nb);
	end();
}

/* A meshwalk-recorded execution's op spans say what its self time was: a
 * segment is its COMPUTE spans' time (per --self-time), its waits (SLEEP,
 * LOAD, STORE, READ spans: the worker off the CPU) are kept apart and
 * written as --sleep whatever --self-time says, and the rest (meshwalk's
 * own engine) is left out; a COMPUTE or SLEEP counts for the time it asked
 * (meshwalk.duration_ns), not what the machine made of it. The same spans
 * from another tracer are self time like any other (their names mean
 * nothing there). */
static void test_waits(void **state)
{
	struct writer_opts o;
	const struct model_plan *pl;
	char *s;
	int rc;

	(void)state;
	for (int own = 0; own < 2; own++) {
		all_meshwalk = own;
		begin(MODEL_DEFAULT_TOLERANCE_NS);
		/* COMPUTE 100 us (80 asked), STORE 300 us, B.x, COMPUTE 100 us,
		 * SLEEP 200 us (150 asked), REPLY 50 us, 50 us more */
		add("t", "r", NULL, "A", "root", SPAN_KIND_SERVER, 0, 1200);
		next_asked = 80;
		add("t", "c1", "r", "A", "COMPUTE", SPAN_KIND_INTERNAL, 0, 100);
		add("t", "w1", "r", "A", "STORE", SPAN_KIND_INTERNAL, 100, 300);
		call("t", "c", "r", "A", "B", "x", 400, 400, 0);
		add("t", "c2", "r", "A", "COMPUTE", SPAN_KIND_INTERNAL, 800, 100);
		next_asked = 150;
		add("t", "w2", "r", "A", "SLEEP", SPAN_KIND_INTERNAL, 900, 200);
		add("t", "w3", "r", "A", "REPLY", SPAN_KIND_INTERNAL, 1100, 50);
		import_finish(&im);
		pl = &route("A", "root")->plans[0];
		assert_int_equal(pl->ngroups, 1);
		assert_true(pl->seg[0].v[0] == (own ? 80 : 400) * US);
		assert_true(pl->seg[1].v[0] == (own ? 100 : 400) * US);
		assert_int_equal(pl->wait[0].n, own ? 1 : 0);
		if (own) {
			assert_true(pl->wait[0].v[0] == 300 * US);
			assert_true(pl->wait[1].v[0] == 150 * US);
		}
		/* validate's self time per execution is all of it */
		assert_true(route("A", "root")->self.v[0] == 800 * US);
		writer_opts_init(&o);
		o.cpu = 0.5; /* --self-time 0.5: the waits are off CPU all the same */
		s = write_text(&o, &rc);
		assert_int_equal(rc, 0);
		if (own) {
			if (strstr(s, "      root: \"-C 40us --sleep 40us --sleep 300us -F {B},route=x "
				      "-C 50us --sleep 50us --sleep 150us\"") == NULL)
				fail_msg("unexpected program:\n%s", s);
			assert_non_null(strstr(s, "in meshwalk's op spans: COMPUTE 180us, waits 450us "
						  "(SLEEP, READ: --sleep; LOAD, STORE: the ops, or "
						  "--sleep where they varied); the other 170us"));
			/* the STORE span says neither size nor policy: waited */
			assert_non_null(strstr(s, "1 plan segments whose LOAD/STORE ops varied"));
		} else {
			if (strstr(s, "      root: \"-C 200us --sleep 200us -F {B},route=x -C 200us "
				      "--sleep 200us\"") == NULL)
				fail_msg("unexpected program:\n%s", s);
			assert_null(strstr(s, "meshwalk's op spans"));
		}
		free(s);
		end();
	}
	all_meshwalk = false;
}

/* One execution of A.root as meshwalk records it: COMPUTE 50 us, a STORE of
 * 4000 bytes at the node's next offset (policy sync), a LOAD of load_size
 * bytes at offset 8k, SLEEP 200 us; 600 us in all. */
static void stored(const char *t, int sync, long long load_size)
{
	add(t, "r", NULL, "A", "root", SPAN_KIND_SERVER, 0, 600);
	next_asked = 50;
	add(t, "c", "r", "A", "COMPUTE", SPAN_KIND_INTERNAL, 0, 50);
	next_size = 4000, next_offset = -1, next_sync = sync;
	add(t, "s", "r", "A", "STORE", SPAN_KIND_INTERNAL, 50, 250);
	next_size = load_size, next_offset = 8000;
	add(t, "l", "r", "A", "LOAD", SPAN_KIND_INTERNAL, 300, 100);
	next_asked = 200;
	add(t, "w", "r", "A", "SLEEP", SPAN_KIND_INTERNAL, 400, 200);
}

/* A segment whose LOAD and STORE spans were the same ops in every execution
 * becomes those ops (sizes and offsets as observed, the STORE's policy, the
 * node's next offset where the original used it), its other waits a
 * --sleep; once an execution differs (here a STORE's policy), the segment's
 * storage time is waited again, with a warning. */
static void test_storage_ops(void **state)
{
	struct writer_opts o;
	const struct model_stor *st;
	char *s;
	int rc;

	(void)state;
	all_meshwalk = true;
	writer_opts_init(&o);
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	stored("t1", 0, 1000);
	stored("t2", 0, 2000);
	stored("t3", 0, 3000);
	import_finish(&im);
	st = &route("A", "root")->plans[0].stor[0];
	assert_int_equal(st->state, STOR_SAME);
	assert_int_equal(st->n, 2);
	assert_int_equal(st->kind[0], MOP_STORE);
	assert_int_equal(st->kind[1], MOP_LOAD);
	assert_false(st->at[0]);
	assert_true(st->at[1]);
	assert_int_equal(st->size[1].n, 3);
	assert_int_equal(m.stor_mixed, 0);
	s = write_text(&o, &rc);
	assert_int_equal(rc, 0);
	if (strstr(s, "      root: \"-C 50us -S 4k,nosync -L emp:1k:2k:3k,offset=8k "
		      "--sleep 200us\"") == NULL)
		fail_msg("unexpected program:\n%s", s);
	free(s);
	stored("t4", 1, 1000); /* sync this time */
	import_finish(&im);
	st = &route("A", "root")->plans[0].stor[0];
	assert_int_equal(st->state, STOR_MIXED);
	assert_int_equal(m.stor_mixed, 1);
	s = write_text(&o, &rc);
	assert_int_equal(rc, 0);
	if (strstr(s, "      root: \"-C 50us --sleep 550us\"") == NULL)
		fail_msg("unexpected program:\n%s", s);
	assert_non_null(strstr(s, "1 plan segments whose LOAD/STORE ops varied"));
	free(s);
	end();
	all_meshwalk = false;
}

/* Starts stamped to the millisecond (the OpenTelemetry JS SDK), durations
 * to the microsecond: A computes 200 us, calls B.x (2.7 ms), 100 us, calls
 * B.x again (1.7 ms), 200 us. Each gap from a call's end to the next start
 * is off by up to +-1 ms (here -700 us one time in five, +300 us
 * otherwise); clipped at 0 one by one they would average about 240 us. The fit keeps them signed, the writer their mean: about 100 us.
 * (Calls shorter than the stamps' millisecond can seem to overlap and be
 * taken for concurrent: that no fit can tell, docs/import.md.) */
static void test_coarse_stamps(void **state)
{
	struct writer_opts o;
	const struct model_plan *pl;
	unsigned long long lcg = 12345;
	double mean;
	const char *c;
	char *s;
	int rc;

	(void)state;
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	for (int i = 0; i < 400; i++) {
		char t[16];
		long long t0, c1, c2, e;

		lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
		t0 = 1000000 + i * 20000 + (long long)(lcg >> 33) % 1000; /* us */
		c1 = t0 + 200;
		c2 = c1 + 2700 + 100;
		e = c2 + 1700 + 200;
		snprintf(t, sizeof t, "t%d", i);
		add(t, "r", NULL, "A", "root", SPAN_KIND_SERVER, t0 / 1000 * 1000, e - t0);
		call(t, "c1", "r", "A", "B", "x", c1 / 1000 * 1000, 2700, 0);
		call(t, "c2", "r", "A", "B", "x", c2 / 1000 * 1000, 1700, 0);
	}
	import_finish(&im);
	assert_int_equal(route("A", "root")->nplans, 1);
	pl = &route("A", "root")->plans[0];
	assert_int_equal(pl->ngroups, 2);
	assert_int_equal(pl->coarse, 400);
	assert_int_equal(m.coarse_execs, 400);
	mean = pl->seg[1].sum / (double)pl->seg[1].seen;
	if (mean < 80 * US || mean > 120 * US)
		fail_msg("the middle gap's mean: %.1f us, not about 100", mean / US);
	writer_opts_init(&o);
	s = write_text(&o, &rc);
	assert_int_equal(rc, 0);
	/* the middle segment: one value near 100 us (the noise explains the spread) */
	c = strstr(s, "route=x -C ");
	assert_non_null(c);
	mean = strtod(c + strlen("route=x -C "), NULL);
	if (mean < 80 || mean > 120)
		fail_msg("middle segment written as %.12s, not about 100us:\n%s", c + 8, s);
	assert_non_null(strstr(s, "400 executions timed by millisecond start stamps"));
	free(s);
	end();
}

static void test_safe_names(void **state)
{
	char out[80];

	(void)state;
	writer_safe_name("GET /api/users/{id}", out, sizeof out);
	assert_string_equal(out, "GET-api-users-id");
	writer_safe_name("///", out, sizeof out);
	assert_string_equal(out, "x");
	writer_safe_name("a.b_c-d", out, sizeof out);
	assert_string_equal(out, "a.b_c-d");
	writer_safe_name("0123456789012345678901234567890123456789012345678901234567890123456789",
			 out, sizeof out);
	assert_int_equal(strlen(out), 64);

	/* names in comments: a newline or a control character could end the
	 * comment or break the YAML (fuzz_import found it); they are escaped */
	struct writer_opts o;
	char *s;
	int rc;

	begin(MODEL_DEFAULT_TOLERANCE_NS);
	add("t", "r", NULL, "svc\nx: 1", "get\x19\nservices: {}", SPAN_KIND_SERVER, 0, 1000);
	import_finish(&im);
	writer_opts_init(&o);
	s = write_text(&o, &rc);
	assert_int_equal(rc, 0);
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			fail_msg("a control character in:\n%s", s);
	assert_non_null(strstr(s, "# \"get\\x19\\x0aservices: {}\": 1 executions"));
	assert_non_null(strstr(s, "# traced as \"svc\\x0ax: 1\""));
	assert_null(strstr(s, "\nservices: {}"));
	free(s);
	end();
}

/* validate_report()'s text for model mm against the clone c, with the
 * default options; *ok (when given) what it returned. The caller frees it. */
static char *report_text(const struct model *mm, const struct validate_clone *c, int *ok)
{
	struct validate_opts o;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int rc;

	validate_opts_init(&o);
	rc = validate_report(mm, c, &o, f, NULL);
	fclose(f);
	if (ok)
		*ok = rc;
	return buf;
}

/* The fidelity report: a clone with the original's latencies passes, one
 * twice as slow fails on every latency check; a service that served what
 * the plans predict passes, one that served half fails. */
static void test_validate(void **state)
{
	double lat[40], *lp = lat;
	size_t nlat = 40;
	const char *group = "A.root";
	const char *svcs[] = { "A", "B", "C" };
	double reqs[] = { 40, 40, 20 };
	size_t nsent = 40;
	struct validate_clone c = { .ngroups = 1, .group = &group, .lat = &lp, .nlat = &nlat,
				    .nsent = &nsent, .nsvc = 3, .svc = svcs, .requests = reqs };
	char *buf = NULL;
	int ok;

	(void)state;
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	for (int i = 0; i < 40; i++) {
		char t[16];

		snprintf(t, sizeof t, "t%d", i);
		/* root durations 2..41 ms; half the executions call C */
		add(t, "r", NULL, "A", "root", SPAN_KIND_SERVER, i * 100000, 2000 + i * 1000);
		call(t, "c1", "r", "A", "B", "x", i * 100000 + 100, 500, 0);
		if (i % 2)
			call(t, "c2", "r", "A", "C", "y", i * 100000 + 700, 500, 0);
		lat[i] = 2000 + i * 1000;
	}
	import_finish(&im);
	/* B: 1 call per request (+0%); C: 0.5 per request = 20 */
	buf = report_text(&m, &c, &ok);
	if (ok != 1)
		fail_msg("%s", buf);
	assert_non_null(strstr(buf, "  A.root: original 40 traces, clone 40 requests, timed at its "
				    "clients"));
	assert_non_null(strstr(buf, "KS distance 0.000 (max 0.1) ok"));
	assert_non_null(strstr(buf, "  C: expected 20.0, served 20 (+0.0%) ok\n"));
	assert_non_null(strstr(buf, "verdict: PASS (7 checks, 0 failed)"));
	free(buf);

	for (int i = 0; i < 40; i++)
		lat[i] *= 2;
	reqs[1] = 10; /* beyond 3 sqrt(40) = 19 */
	buf = report_text(&m, &c, &ok);
	assert_int_equal(ok, 0);
	assert_non_null(strstr(buf, "error  +100.0%"));
	assert_non_null(strstr(buf, "  B: expected 40.0, served 10 (-75.0%) FAIL\n"));
	assert_non_null(strstr(buf, "verdict: FAIL (7 checks, 5 failed)"));
	free(buf);

	/* 30 answered, 10 timed out at the client: the 40 sent were served,
	 * and the topology is expected from them */
	for (int i = 0; i < 40; i++)
		lat[i] /= 2;
	nlat = 30;
	reqs[1] = 40;
	buf = report_text(&m, &c, NULL);
	assert_non_null(strstr(buf, "clone 30 requests, timed at its clients"));
	assert_non_null(strstr(buf, "  B: expected 40.0, served 40 (+0.0%) ok\n"));
	assert_non_null(strstr(buf, "  C: expected 20.0, served 20 (+0.0%) ok\n"));
	free(buf);
	end();
}

/* What a node cannot run is not written: a fan-out wider than a branch group
 * goes out in successive groups; a plan beyond a program's op limit is
 * refused with the route named. */
static void test_writer_limits(void **state)
{
	struct writer_opts o;
	char id[16], *s;
	int rc;

	(void)state;
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	add("t", "r", NULL, "A", "root", SPAN_KIND_SERVER, 0, 10000);
	for (int i = 0; i < 100; i++) {
		snprintf(id, sizeof id, "c%d", i);
		call("t", id, "r", "A", "B", "x", 1000, 2000, 0);
	}
	import_finish(&im);
	writer_opts_init(&o);
	s = write_text(&o, &rc);
	assert_int_equal(rc, 0);
	/* 64 branches, a separator, 36 more */
	char *at = strstr(s, "      root: \"");

	assert_non_null(at);
	assert_non_null(strstr(at, ",branch -C 0 -F {B},route=x,branch"));
	free(s);
	end();

	begin(MODEL_DEFAULT_TOLERANCE_NS);
	add("t", "r", NULL, "A", "root", SPAN_KIND_SERVER, 0, 100000);
	for (int i = 0; i < 4200; i++) {
		snprintf(id, sizeof id, "c%d", i);
		call("t", id, "r", "A", "B", "x", 10 + i * 20, 10, 0);
	}
	import_finish(&im);
	s = write_text(&o, &rc);
	assert_true(rc < 0);
	if (strstr(s, "service A: route root: even its most frequent plan") == NULL ||
	    strstr(s, "4096") == NULL)
		fail_msg("%s", s);
	free(s);
	end();
}

/* Request sizes become the forward's ps= as an emp: spec whose values are
 * separated by ':' (-F splits its value at ','), and the program parses. */
static void test_writer_sizes(void **state)
{
	struct writer_opts o;
	char t[16], *s;
	int rc;

	(void)state;
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	for (int i = 0; i < 3; i++) {
		snprintf(t, sizeof t, "t%d", i);
		add(t, "r", NULL, "A", "root", SPAN_KIND_SERVER, i * 10000, 1000);
		next_req = 1000 * (i + 1);
		add(t, "c", "r", "A", "x", SPAN_KIND_CLIENT, i * 10000 + 100, 800);
		add(t, "c-s", "c", "B", "x", SPAN_KIND_SERVER, i * 10000 + 200, 600);
	}
	import_finish(&im);
	writer_opts_init(&o);
	s = write_text(&o, &rc);
	assert_int_equal(rc, 0);
	if (strstr(s, "-F {B},route=x,ps=emp:1k:2k:3k ") == NULL)
		fail_msg("%s", s);
	free(s);
	end();
}

/* A root CLIENT span with no child in its own service is a load generator:
 * its callee is the entry (a root), it is no route; a root CLIENT span with
 * a child of its own service is a service like any other. */
static void test_external_caller(void **state)
{
	(void)state;
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	call("t1", "g", NULL, "loadgen", "A", "root", 0, 1000, 100);
	call("t2", "g", NULL, "loadgen", "A", "root", 2000, 1000, 100);
	add("t3", "c", NULL, "app", "main", SPAN_KIND_CLIENT, 0, 1000);
	add("t3", "i", "c", "app", "work", SPAN_KIND_INTERNAL, 100, 500);
	import_finish(&im);
	assert_int_equal(m.external_roots, 2);
	assert_int_equal(route("A", "root")->roots, 2);
	assert_int_equal(route("A", "root")->execs, 2);
	/* the end-to-end latency is the load generator's client span's (1 ms),
	 * not the server span's (0.9 ms): what the clone's clients measure */
	assert_int_equal(route("A", "root")->root_dur.n, 2);
	assert_true(route("A", "root")->root_dur.v[0] == 1000 * US);
	for (uint32_t i = 0; i < m.nroutes; i++)
		if (strcmp(model_name(&m, m.routes[i].svc), "loadgen") == 0)
			fail_msg("the load generator became a route");
	assert_int_equal(route("app", "main")->roots, 1);
	assert_int_equal(m.roots, 3); /* the entries' start times give the rate */
	end();
}

/* More samples than values: each value is its slice's mean, so the list's
 * mean is the samples' and a heavy tail keeps its weight (the slices'
 * middle samples, as before, dropped the 1000 us outlier altogether). */
static void test_emp_slice_means(void **state)
{
	double x[64];
	struct text t = { 0 };
	double sum = 0, list = 0;
	int nv = 0;

	(void)state;
	for (int i = 0; i < 63; i++)
		x[i] = 100 + i; /* us */
	x[63] = 1000;
	for (int i = 0; i < 64; i++)
		sum += x[i];
	writer_emp_text(&t, x, 64, 1, SPEC_TIME, 32);
	assert_non_null(t.p);
	assert_true(strncmp(t.p, "emp:100.5us,102.5us,", 20) == 0);
	/* the top slice: 162 and 1000 */
	if (strstr(t.p, ",581us") == NULL)
		fail_msg("%s", t.p);
	for (char *v = t.p + 4; v && *v; v = strchr(v, ',') ? strchr(v, ',') + 1 : NULL, nv++)
		list += strtod(v, NULL);
	assert_int_equal(nv, 32);
	assert_true(fabs(list / 32 - sum / 64) < 0.01);
	free(t.p);
}

/* The clone is timed where the original was: the original's roots are A's
 * own spans (nothing traced called A), so a traced clone is timed at A's
 * entry spans, not at its clients, which add their hop (1 ms here); without
 * the clone's spans, its clients' figures, said so. Where a load generator's
 * client spans timed the original, the clients' figures are the match. */
static void test_validate_entry_timing(void **state)
{
	double lat[40], *lp = lat;
	size_t nlat = 40, nsent = 40;
	const char *group = "A.root", *svcs[] = { "A" };
	double reqs[] = { 40 };
	struct validate_clone c = { .ngroups = 1, .group = &group, .lat = &lp, .nlat = &nlat,
				    .nsent = &nsent, .nsvc = 1, .svc = svcs, .requests = reqs };
	struct model clone;
	char *buf = NULL;
	int ok;

	(void)state;
	/* the clone's traced run: its client group's spans are 1 ms longer */
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	for (int i = 0; i < 40; i++) {
		char t[16];

		snprintf(t, sizeof t, "t%d", i);
		call(t, "g", NULL, "A.root", "A", "root", i * 100000, 3000 + i * 1000, 1000);
		lat[i] = 3000 + i * 1000;
	}
	import_finish(&im);
	assert_int_equal(route("A", "root")->roots_by_client, 40);
	assert_int_equal(route("A", "root")->entry_srv_dur.n, 40);
	clone = m;
	import_free(&im);

	begin(MODEL_DEFAULT_TOLERANCE_NS);
	for (int i = 0; i < 40; i++) {
		char t[16];

		snprintf(t, sizeof t, "t%d", i);
		add(t, "r", NULL, "A", "root", SPAN_KIND_SERVER, i * 100000, 2000 + i * 1000);
	}
	import_finish(&im);
	assert_int_equal(route("A", "root")->roots_by_client, 0);

	buf = report_text(&m, &c, NULL);
	if (strstr(buf, "clone 40 requests, timed at its clients: with their hop to A, which the "
			"original's roots (A's own spans) do not hold") == NULL ||
	    strstr(buf, "KS distance 0.000") != NULL)
		fail_msg("%s", buf);
	free(buf);

	c.spans = &clone;
	buf = report_text(&m, &c, &ok);
	assert_int_equal(ok, 1);
	if (strstr(buf, "clone 40 requests, timed at A's spans as the original's roots are") == NULL ||
	    strstr(buf, "KS distance 0.000 (max 0.1) ok") == NULL)
		fail_msg("%s", buf);
	free(buf);

	/* a clone run whose traces hold no client spans (its entry's spans
	 * are its roots): those are its entry spans (here the original's
	 * own model stands for it, so they match exactly) */
	c.spans = &m;
	buf = report_text(&m, &c, NULL);
	if (strstr(buf, "timed at A's spans as the original's roots are") == NULL ||
	    strstr(buf, "KS distance 0.000") == NULL)
		fail_msg("%s", buf);
	free(buf);
	c.spans = &clone;

	/* the clone's model as the original: a load generator timed its
	 * roots, so the clients' latencies are compared, as they are */
	buf = report_text(&clone, &c, &ok);
	assert_int_equal(ok, 1);
	if (strstr(buf, "  A.root: original 40 traces, clone 40 requests\n") == NULL ||
	    strstr(buf, "KS distance 0.000 (max 0.1) ok") == NULL)
		fail_msg("%s", buf);
	free(buf);
	end();
	model_free(&clone);
}

/* More traced roots than the model keeps (MODEL_ROOT_RESERVOIR, more than
 * the other distributions' MODEL_RESERVOIR): validate says its latencies
 * are a sample, and of how many traces. */
#define NSAMPLE (MODEL_ROOT_RESERVOIR + 100)
static void test_validate_sample(void **state)
{
	static double lat[NSAMPLE];
	double *lp = lat;
	size_t nlat = NSAMPLE, nsent = NSAMPLE;
	const char *group = "A.root", *svcs[] = { "A" };
	double reqs[] = { NSAMPLE };
	char want[160];
	struct validate_clone c = { .ngroups = 1, .group = &group, .lat = &lp, .nlat = &nlat,
				    .nsent = &nsent, .nsvc = 1, .svc = svcs, .requests = reqs };
	char *buf = NULL;

	(void)state;
	begin(MODEL_DEFAULT_TOLERANCE_NS);
	for (int i = 0; i < NSAMPLE; i++) {
		char t[16];

		snprintf(t, sizeof t, "t%d", i);
		add(t, "r", NULL, "A", "root", SPAN_KIND_SERVER, i * 100000LL, 2000);
		lat[i] = 2;
	}
	import_finish(&im);
	assert_int_equal(m.routes[0].root_dur.n, MODEL_ROOT_RESERVOIR);
	/* the other distributions keep their own bound */
	assert_int_equal(m.routes[0].self.n, MODEL_RESERVOIR);
	buf = report_text(&m, &c, NULL);
	snprintf(want, sizeof want, "  A.root: original %d traces (latency from a sample of %d), "
		 "clone %d requests, timed at its clients", NSAMPLE, MODEL_ROOT_RESERVOIR, NSAMPLE);
	if (strstr(buf, want) == NULL)
		fail_msg("%s", buf);
	free(buf);
	end();
}
#undef NSAMPLE

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_groups_and_segments),
		cmocka_unit_test(test_external_caller),
		cmocka_unit_test(test_validate_entry_timing),
		cmocka_unit_test(test_emp_slice_means),
		cmocka_unit_test(test_tolerance),
		cmocka_unit_test(test_plans_and_leaves),
		cmocka_unit_test(test_writer),
		cmocka_unit_test(test_detached_call),
		cmocka_unit_test(test_net_baseline),
		cmocka_unit_test(test_net_spread),
		cmocka_unit_test(test_leaf_baseline),
		cmocka_unit_test(test_waits),
		cmocka_unit_test(test_storage_ops),
		cmocka_unit_test(test_coarse_stamps),
		cmocka_unit_test(test_writer_limits),
		cmocka_unit_test(test_writer_sizes),
		cmocka_unit_test(test_safe_names),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_validate_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
