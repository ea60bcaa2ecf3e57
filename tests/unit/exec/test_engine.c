/* test_engine.c -- the request engine (src/exec/engine) driven with a fake
 * transport, a fake clock and a fake front end: quorum, retries spaced by
 * the attempt window (never recursive), timeouts, cancellation of frames
 * whose attempt is over, back-pressure, and request budgets across hops.
 * No sockets, no sleeps: time moves only when a test says so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>

#include "exec/engine.h"
#include "trace/span.h"
#include "prog/prog.h"
#include "prog/prog_parse.h"

#define MAX_SENT 4096
#define MAX_TIMERS 4096

struct sent {
	struct sockaddr_storage to;
	uint64_t id;
	struct wire_budget budget;
	bool cancelled;
	bool traced;               /* carried a trace context: */
	struct wire_trace trace;   /* its ids and flags */
	char host[256];            /* a named target's host ("" by address) */
	uint16_t port;             /* and its port */
};

/* Everything the fake world saw. */
struct world {
	int64_t now;
	struct sent sent[MAX_SENT];
	int nsent;
	struct { int64_t at; uint64_t key; bool fired; } timers[MAX_TIMERS];
	int ntimers;
	int fail_forward;          /* forward() returns this status (0: accept) */
	int replies;
	uint16_t status;
	char text[400];
	uint64_t size;
	struct engine *e;
	struct engine_stats st;
	struct engine_config cfg;
	struct engine_io io;
	struct engine_front front;
	struct allowlist allow;
	struct rng rng;
};

static struct world W;

static int fake_forward(void *ctx, const struct engine_send *s, void **peer, uint64_t *msg,
			char *why, size_t why_len)
{
	(void)ctx;
	if (W.fail_forward) {
		snprintf(why, why_len, "forward failed: unreachable");
		return W.fail_forward;
	}
	assert_true(W.nsent < MAX_SENT);
	struct sent *x = &W.sent[W.nsent];
	memcpy(&x->to, s->to, s->to_len);
	snprintf(x->host, sizeof x->host, "%.*s", (int)s->host_len, s->host ? s->host : "");
	x->port = s->port;
	if (s->host != NULL) { /* the peer handle below: the port, as for an address */
		x->to.ss_family = AF_INET;
		((struct sockaddr_in *)&x->to)->sin_port = htons(s->port);
	}
	x->id = s->id;
	x->budget = *s->budget;
	x->cancelled = false;
	x->traced = s->trace != NULL;
	if (s->trace != NULL)
		x->trace = *s->trace;
	*peer = (void *)(uintptr_t)(1 + ((const struct sockaddr_in *)&x->to)->sin_port);
	*msg = (uint64_t)W.nsent++;
	return 0;
}

static void fake_cancel(void *ctx, void *peer, uint64_t msg)
{
	(void)ctx;
	(void)peer;
	assert_true(msg < (uint64_t)W.nsent);
	W.sent[msg].cancelled = true;
}

static void fake_timer(void *ctx, int64_t at, uint64_t key)
{
	(void)ctx;
	assert_true(W.ntimers < MAX_TIMERS);
	W.timers[W.ntimers].at = at;
	W.timers[W.ntimers].key = key;
	W.timers[W.ntimers].fired = false;
	W.ntimers++;
}

static int64_t fake_now(void *ctx)
{
	(void)ctx;
	return W.now;
}

static void fake_storage(void *ctx, struct storage_req *r)
{
	(void)ctx;
	(void)r;
	fail_msg("no storage in these tests");
}

static void fake_reply(void *ctx, const struct engine_origin *o, uint64_t req_id, uint16_t status,
		       const char *text, uint32_t text_len, uint64_t size)
{
	(void)ctx;
	(void)o;
	(void)req_id;
	W.replies++;
	W.status = status;
	W.size = size;
	snprintf(W.text, sizeof W.text, "%.*s", (int)text_len, text ? text : "");
}

/* Moves the clock to `to`, firing due timers in deadline order. */
static void advance(int64_t to)
{
	for (;;) {
		int best = -1;

		for (int i = 0; i < W.ntimers; i++)
			if (!W.timers[i].fired && W.timers[i].at <= to &&
			    (best < 0 || W.timers[i].at < W.timers[best].at))
				best = i;
		if (best < 0)
			break;
		W.timers[best].fired = true;
		if (W.timers[best].at > W.now)
			W.now = W.timers[best].at;
		engine_timer(W.e, W.timers[best].key);
	}
	W.now = to;
}

static int setup(void **state)
{
	struct err e;

	(void)state;
	memset(&W, 0, sizeof W);
	allowlist_init(&W.allow);
	assert_int_equal(allowlist_add(&W.allow, "127.0.0.0/8", &e), 0);
	rng_seed(&W.rng, 1, 0);
	W.now = 1000000000;
	W.cfg = (struct engine_config){ .limits = &wire_default_limits, .allow = &W.allow,
					.allow_name = "--allow-forward", .forward_timeout_us = 100000,
					.max_retries = 8, .budget = engine_default_budget,
					.self = "127.0.0.1:1" };
	W.io = (struct engine_io){ .forward = fake_forward, .cancel = fake_cancel,
				   .storage = fake_storage, .timer = fake_timer, .now = fake_now };
	W.front = (struct engine_front){ .name = "test", .reply = fake_reply };
	W.e = engine_create(&W.cfg, &W.io, &W.rng, &W.st);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	engine_destroy(W.e);
	allowlist_free(&W.allow);
	return 0;
}

/* Encodes the client's op words into a checked program and starts it. */
static void start(const char *ops, const struct wire_budget *carried)
{
	struct prog *p;
	struct wire_buf b;
	struct err e;
	struct engine_origin o = { .front = &W.front };

	if (prog_parse_text(ops, &p, &e) < 0)
		fail_msg("%s: %s", ops, e.msg);
	wire_buf_init(&b);
	prog_encode(p, &W.rng, 0, &b);
	assert_int_equal(wire_prog_check(b.data, (uint32_t)b.len, &wire_default_limits, &e), 0);
	engine_start(W.e, &o, 42, b.data, (uint32_t)b.len, carried);
	wire_buf_free(&b);
	prog_destroy(p);
}

static void reply(int i, uint16_t status)
{
	engine_forward_reply(W.e, (void *)(uintptr_t)(1 + ((struct sockaddr_in *)&W.sent[i].to)->sin_port),
			     W.sent[i].id, status, status ? "boom" : NULL, status ? 4 : 0);
}

static void test_quorum(void **state)
{
	(void)state;
	start("-F 127.0.0.1:7001,127.0.0.1:7002,127.0.0.1:7003,nack=2 -R -R 100", NULL);
	assert_int_equal(W.nsent, 3);
	assert_int_equal(W.replies, 0);
	reply(0, WIRE_OK);
	assert_int_equal(W.replies, 0);
	reply(2, WIRE_OK);
	assert_int_equal(W.replies, 1);
	assert_int_equal(W.status, WIRE_OK);
	assert_int_equal(W.size, 100);
	/* the answer no longer needed is cancelled; a late one is ignored */
	assert_true(W.sent[1].cancelled);
	reply(1, WIRE_OK);
	assert_int_equal(W.replies, 1);
	assert_int_equal(engine_active(W.e), 0);
}

/* nowait: fire and forget. The request goes on at once (its reply and a
 * second forward), what was sent is never cancelled, its late reply and
 * its attempt's timer change nothing; on the wire its nack is 0. */
static void test_nowait(void **state)
{
	(void)state;
	start("-F 127.0.0.1:7001,nowait -R -F 127.0.0.1:7002 -R -R 100", NULL);
	assert_int_equal(W.nsent, 2); /* the second forward went out at once */
	assert_int_equal(W.replies, 0);
	reply(0, WIRE_OK);            /* the fire-and-forget target answers: ignored */
	assert_int_equal(W.replies, 0);
	reply(1, WIRE_OK);
	assert_int_equal(W.replies, 1);
	assert_int_equal(W.status, WIRE_OK);
	assert_int_equal(W.size, 100);
	assert_false(W.sent[0].cancelled);
	advance(W.now + 60ll * 1000 * 1000 * 1000); /* every attempt's window is over */
	assert_int_equal(W.replies, 1);
	assert_int_equal(engine_active(W.e), 0);
}

/* Alone, it answers without waiting at all. */
static void test_nowait_alone(void **state)
{
	(void)state;
	start("-F 127.0.0.1:7001,nowait -R -R 7", NULL);
	assert_int_equal(W.nsent, 1);
	assert_int_equal(W.replies, 1);
	assert_int_equal(W.size, 7);
	assert_false(W.sent[0].cancelled);
}

static void test_quorum_impossible_no_retry(void **state)
{
	(void)state;
	start("-F 127.0.0.1:7001,127.0.0.1:7002,nack=2 -R", NULL);
	reply(0, WIRE_ERR_STORAGE);
	assert_int_equal(W.replies, 1);
	assert_int_equal(W.status, WIRE_ERR_STORAGE);
	assert_non_null(strstr(W.text, "via 127.0.0.1:7001: boom"));
	assert_true(W.sent[1].cancelled);
}

static void test_timeout(void **state)
{
	(void)state;
	start("-F 127.0.0.1:7001,timeout=5ms -R", NULL);
	advance(W.now + 4999999);
	assert_int_equal(W.replies, 0);
	advance(W.now + 1);
	assert_int_equal(W.replies, 1);
	assert_int_equal(W.status, WIRE_ERR_TIMEOUT);
	assert_non_null(strstr(W.text, "no reply within 5000 us"));
	assert_true(W.sent[0].cancelled);
	assert_int_equal(W.st.forward_timeouts, 1);
}

/* The crash of issue 12: a target that fails at once and a large retry
 * count. Retries wait for the attempt's window: one attempt per timeout,
 * no recursion, and the request ends after retries + 1 attempts. */
static void test_immediate_failure_retries_are_spaced(void **state)
{
	(void)state;
	W.fail_forward = WIRE_ERR_FORWARD;
	start("-F 127.0.0.1:7001,retry=8,timeout=10ms -R", NULL);
	assert_int_equal(W.replies, 0); /* not spent at once */
	assert_int_equal(W.st.retries, 0);
	advance(W.now + 10 * 1000000 - 1);
	assert_int_equal(W.st.retries, 0);
	advance(W.now + 1);
	assert_int_equal(W.st.retries, 1);
	advance(W.now + 8 * 10 * 1000000);
	assert_int_equal(W.st.retries, 8);
	assert_int_equal(W.replies, 1);
	assert_int_equal(W.status, WIRE_ERR_FORWARD);
	assert_non_null(strstr(W.text, "unreachable"));
	assert_int_equal(W.st.forward_failures, 9);
}

/* A target that comes up late is reached by a later attempt. */
static void test_retry_reaches_late_target(void **state)
{
	(void)state;
	W.fail_forward = WIRE_ERR_FORWARD;
	start("-F 127.0.0.1:7001,retry=3,timeout=1s -C 1us -R 10", NULL);
	advance(W.now + 1500 * 1000000ll); /* the second attempt fails too */
	W.fail_forward = 0;
	advance(W.now + 600 * 1000000ll); /* the third is sent */
	assert_int_equal(W.nsent, 1);
	reply(0, WIRE_OK);
	assert_int_equal(W.replies, 1);
	assert_int_equal(W.status, WIRE_OK);
	assert_int_equal(W.st.retries, 2);
}

/* A timed-out attempt is retried at once, and its frame is cancelled. */
static void test_timeout_then_retry(void **state)
{
	(void)state;
	start("-F 127.0.0.1:7001,retry=1,timeout=1ms -R", NULL);
	advance(W.now + 1000000);
	assert_int_equal(W.nsent, 2);
	assert_true(W.sent[0].cancelled);
	reply(0, WIRE_OK); /* the first attempt's late answer does not count */
	assert_int_equal(W.replies, 0);
	reply(1, WIRE_OK);
	assert_int_equal(W.replies, 1);
	assert_int_equal(W.status, WIRE_OK);
}

static void test_backpressure_fails_at_once(void **state)
{
	(void)state;
	W.fail_forward = WIRE_ERR_BUSY;
	start("-F 127.0.0.1:7001 -R", NULL);
	assert_int_equal(W.replies, 1);
	assert_int_equal(W.status, WIRE_ERR_BUSY);
	assert_int_equal(W.st.forward_busy, 1);
}

static void test_peer_failure(void **state)
{
	(void)state;
	start("-F 127.0.0.1:7001,127.0.0.1:7002,nack=1 -R", NULL);
	engine_peer_failed(W.e, (void *)(uintptr_t)(1 + ((struct sockaddr_in *)&W.sent[0].to)->sin_port),
			   "forward to 127.0.0.1:7001 failed: unreachable");
	assert_int_equal(W.replies, 0);
	reply(1, WIRE_OK);
	assert_int_equal(W.status, WIRE_OK);
}

static void test_too_many_retries(void **state)
{
	(void)state;
	start("-F 127.0.0.1:7001,retry=9 -R", NULL);
	assert_int_equal(W.nsent, 0);
	assert_int_equal(W.status, WIRE_ERR_LIMIT);
	assert_non_null(strstr(W.text, "9 retries; this node allows 8"));
}

/* 4095 COMPUTEs of 10 s pass every per-op check; the request budget
 * refuses them before any runs. */
static void test_budget_compute(void **state)
{
	char ops[4096] = "";

	(void)state;
	for (int i = 0; i < 7; i++)
		strcat(ops, "-C 10s ");
	strcat(ops, "-R");
	start(ops, NULL);
	assert_int_equal(W.status, WIRE_ERR_LIMIT);
	assert_non_null(strstr(W.text, "over budget"));
	assert_non_null(strstr(W.text, "COMPUTE"));
	assert_int_equal(W.st.exec.computes, 0);
	assert_int_equal(W.st.over_budget, 1);
}

/* Nested fan-outs multiply: 64 x 64 x 64 forwarded requests. */
static void test_budget_fanout_product(void **state)
{
	char t[64 * 18 + 32], ops[16384];
	size_t n = 0;

	(void)state;
	for (int i = 0; i < 64; i++)
		n += (size_t)snprintf(t + n, sizeof t - n, "%s127.0.0.1:%d", i ? "," : "", 7000 + i);
	snprintf(ops, sizeof ops, "-F %s -F %s -F %s -R -R -R", t, t, t);
	start(ops, NULL);
	assert_int_equal(W.nsent, 0);
	assert_int_equal(W.status, WIRE_ERR_LIMIT);
	assert_non_null(strstr(W.text, "forwarded requests"));
}

/* Each forwarded request carries its own cost plus an equal share of the
 * slack, one hop less; the sum never exceeds what the parent had. */
static void test_budget_carried(void **state)
{
	struct wire_budget b = { .compute_ns = 1000000000, .requests = 100, .bytes = 1 << 20,
				 .hops = 3 };

	(void)state;
	start("-F 127.0.0.1:7001,127.0.0.1:7002 -C 100ms -R -R", &b);
	assert_int_equal(W.nsent, 2);
	uint64_t c = 0, r = 0, by = 0;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(W.sent[i].budget.hops, 2);
		assert_true(W.sent[i].budget.compute_ns >= 100000000);
		c += W.sent[i].budget.compute_ns;
		r += W.sent[i].budget.requests;
		by += W.sent[i].budget.bytes;
	}
	assert_true(c <= b.compute_ns);
	assert_true(r + 2 <= b.requests);
	assert_true(by <= b.bytes);
}

/* Route forwards carry the hop count down: at 0 the request is refused. */
static void test_budget_hops(void **state)
{
	struct wire_budget b = engine_default_budget;

	(void)state;
	b.hops = 0;
	start("-F 127.0.0.1:7001,route=loop -R", &b);
	assert_int_equal(W.nsent, 0);
	assert_non_null(strstr(W.text, "hops"));
	b.hops = 1;
	start("-F 127.0.0.1:7001,route=loop -R", &b);
	assert_int_equal(W.nsent, 1);
	assert_int_equal(W.sent[0].budget.hops, 0);
}

/* A target that names its host reaches the transport as a name and a port,
 * past the engine's allow-list (the transport judges the address it
 * resolves, and may fail the target as refused); failures name it. */
static void test_named_target(void **state)
{
	(void)state;
	start("-F tcp://svc.example:7001,127.0.0.1:7002 -R -R 100", NULL);
	assert_int_equal(W.nsent, 2);
	assert_string_equal(W.sent[0].host, "svc.example");
	assert_int_equal(W.sent[0].port, 7001);
	assert_string_equal(W.sent[1].host, "");
	reply(1, WIRE_OK);
	reply(0, WIRE_ERR_NO_ROUTE);
	assert_int_equal(W.replies, 1);
	assert_int_equal(W.status, WIRE_ERR_NO_ROUTE);
	assert_non_null(strstr(W.text, "via svc.example:7001: boom"));
	start("-F tcp://svc.example:7003 -R -R", NULL);
	assert_int_equal(W.nsent, 3);
	engine_peer_failed_status(W.e, (void *)(uintptr_t)(1 + ((struct sockaddr_in *)&W.sent[2].to)->sin_port),
				  WIRE_ERR_REFUSED, "forward to svc.example:7003 refused: not allowed");
	assert_int_equal(W.replies, 2);
	assert_int_equal(W.status, WIRE_ERR_REFUSED);
	assert_int_equal(W.st.forward_refused, 1);
	assert_non_null(strstr(W.text, "svc.example:7003 refused"));
}

static void test_refused_target(void **state)
{
	(void)state;
	start("-F 127.0.0.1:7001,10.1.2.3:7,nack=1 -R", NULL);
	assert_int_equal(W.nsent, 0);
	assert_int_equal(W.status, WIRE_ERR_REFUSED);
	assert_non_null(strstr(W.text, "10.1.2.3:7 refused"));
}

/* SLEEP parks the request on a timer: nothing answers before its time,
 * other requests run meanwhile, and its time counts in the budget. */
static void test_sleep(void **state)
{
	struct wire_buf b;
	struct engine_origin o = { .front = &W.front };
	struct err e;

	(void)state;
	wire_buf_init(&b);
	size_t at = wire_put_op(&b, OP_SLEEP, 0, 0);
	wire_buf_put_u64(&b, 5000000); /* 5 ms */
	wire_end_op(&b, at);
	at = wire_put_op(&b, OP_REPLY, 0, 0);
	wire_buf_put_u64(&b, 64);
	wire_end_op(&b, at);
	assert_int_equal(wire_prog_check(b.data, (uint32_t)b.len, &wire_default_limits, &e), 0);
	engine_start(W.e, &o, 1, b.data, (uint32_t)b.len, NULL);
	assert_int_equal(W.replies, 0);
	assert_int_equal(engine_active(W.e), 1);
	start("-R 1", NULL); /* another request is served meanwhile */
	assert_int_equal(W.replies, 1);
	advance(W.now + 4999999);
	assert_int_equal(W.replies, 1);
	advance(W.now + 1);
	assert_int_equal(W.replies, 2);
	assert_int_equal(W.status, WIRE_OK);
	assert_int_equal(W.size, 64);
	assert_int_equal(W.st.sleeps, 1);
	assert_int_equal(W.st.exec.computes, 0);
	/* a budget of 4 ms refuses it */
	struct wire_budget small = engine_default_budget;
	small.compute_ns = 4000000;
	engine_start(W.e, &o, 2, b.data, (uint32_t)b.len, &small);
	assert_int_equal(W.replies, 3);
	assert_int_equal(W.status, WIRE_ERR_LIMIT);
	wire_buf_free(&b);
}

/* The spans of a sampled request whose FORWARD has a quorum of 1 of 2. */
static const struct trace_span *find_span(struct trace_ring *r, const char *name, int nth)
{
	for (uint64_t i = atomic_load(&r->tail); i < atomic_load(&r->head); i++)
		if (strcmp(r->slots[i & r->mask].name, name) == 0 && nth-- == 0)
			return &r->slots[i & r->mask];
	fail_msg("no span %s", name);
	return NULL;
}

static void start_traced(const char *ops, uint8_t flags)
{
	struct prog *p;
	struct wire_buf b;
	struct err e;
	struct engine_origin o = { .front = &W.front, .frame_len = 77 };
	struct wire_trace ctx = { .flags = flags, .state_len = 3, .state = (const uint8_t *)"a=b" };
	struct engine_trace_in tin = { .ctx = &ctx, .route = "api", .route_len = 3 };

	memset(ctx.trace_id, 0x11, 16);
	memset(ctx.parent_id, 0x22, 8);
	assert_int_equal(prog_parse_text(ops, &p, &e), 0);
	wire_buf_init(&b);
	prog_encode(p, &W.rng, 0, &b);
	engine_start_traced(W.e, &o, 42, b.data, (uint32_t)b.len, NULL, &tin);
	wire_buf_free(&b);
	prog_destroy(p);
}

static void test_trace_spans(void **state)
{
	struct trace_ring r;
	const uint8_t parent[8] = { 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22, 0x22 };

	(void)state;
	trace_ring_init(&r, 64, 1);
	engine_set_trace(W.e, &r);
	start_traced("-C 5us -F 127.0.0.1:7001,127.0.0.1:7002,nack=1 -R -R 100", 1);
	assert_int_equal(W.nsent, 2);
	/* each target's frame carries the trace, its own CLIENT span as parent,
	 * the flags and the tracestate */
	for (int i = 0; i < 2; i++) {
		assert_true(W.sent[i].traced);
		assert_int_equal(W.sent[i].trace.trace_id[5], 0x11);
		assert_int_equal(W.sent[i].trace.flags, 1);
		assert_int_equal(W.sent[i].trace.state_len, 3);
	}
	assert_memory_not_equal(W.sent[0].trace.parent_id, W.sent[1].trace.parent_id, 8);
	W.now += 1000;
	reply(1, WIRE_OK);
	assert_int_equal(W.replies, 1);
	const struct trace_span *srv = find_span(&r, "api", 0), *cmp = find_span(&r, "COMPUTE", 0),
				*fw = find_span(&r, "FORWARD", 0), *rp = find_span(&r, "REPLY", 0),
				*f0 = find_span(&r, "forward", 0), *f1 = find_span(&r, "forward", 1);
	assert_int_equal(atomic_load(&r.head), 6);
	assert_int_equal(srv->kind, TRACE_SERVER);
	assert_memory_equal(srv->parent_id, parent, 8);
	assert_int_equal(srv->trace_id[15], 0x11);
	assert_int_equal(srv->status, TRACE_OK);
	assert_int_equal(srv->str_key, TS_ROUTE);
	assert_memory_equal(cmp->parent_id, srv->span_id, 8);
	assert_memory_equal(fw->parent_id, srv->span_id, 8);
	assert_memory_equal(rp->parent_id, srv->span_id, 8);
	assert_true(cmp->end_ns - cmp->start_ns >= 5000);
	/* target 1 answered (ok), target 0 was cancelled at the quorum: both
	 * CLIENT spans under the FORWARD span, each the parent its frame carried */
	const struct trace_span *ok = f0->status == TRACE_OK ? f0 : f1, *cut = ok == f0 ? f1 : f0;
	assert_int_equal(ok->kind, TRACE_CLIENT);
	assert_int_equal(ok->status, TRACE_OK);
	assert_int_equal(cut->status, TRACE_UNSET);
	assert_memory_equal(ok->span_id, W.sent[1].trace.parent_id, 8);
	assert_memory_equal(cut->span_id, W.sent[0].trace.parent_id, 8);
	assert_memory_equal(ok->parent_id, fw->span_id, 8);
	assert_memory_equal(cut->parent_id, fw->span_id, 8);
	assert_int_equal(fw->status, TRACE_OK);
	assert_int_equal(fw->nattr, 3); /* targets 2, needed 1, got 1 */
	assert_int_equal(fw->attr[0].val + 10 * fw->attr[1].val + 100 * fw->attr[2].val, 112);

	/* not sampled: nothing recorded, the context still goes on unchanged */
	uint64_t before = atomic_load(&r.head);
	start_traced("-F 127.0.0.1:7001 -R -R", 0);
	assert_true(W.sent[2].traced);
	assert_memory_equal(W.sent[2].trace.parent_id, parent, 8);
	reply(2, WIRE_OK);
	assert_int_equal(atomic_load(&r.head), before);
	/* no context: nothing carried */
	start("-F 127.0.0.1:7001 -R -R", NULL);
	assert_false(W.sent[3].traced);
	reply(3, WIRE_OK);
	assert_int_equal(W.replies, 3);
	engine_set_trace(W.e, NULL);
	trace_ring_free(&r);
}

static void test_cost(void **state)
{
	struct prog *p;
	struct wire_buf b;
	struct err e;
	struct wire_budget c;

	(void)state;
	assert_int_equal(prog_parse_text("-C 1ms -F 127.0.0.1:1,127.0.0.1:2,retry=1 -C 2ms -R 10 -R 5",
					 &p, &e), 0);
	wire_buf_init(&b);
	prog_encode(p, &W.rng, 0, &b);
	engine_cost(b.data, (uint32_t)b.len, &c);
	/* 2 targets x 2 attempts run the 2 ms sub-program */
	assert_int_equal(c.compute_ns, 1000000 + 4 * 2000000);
	assert_int_equal(c.requests, 4);
	assert_int_equal(c.hops, 1);
	assert_true(c.bytes >= 5 + 4 * 10);
	wire_buf_free(&b);
	prog_destroy(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_quorum, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nowait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nowait_alone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quorum_impossible_no_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_immediate_failure_retries_are_spaced, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_retry_reaches_late_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout_then_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backpressure_fails_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_peer_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_many_retries, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_compute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_fanout_product, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_carried, setup, teardown),
		cmocka_unit_test_setup_teardown(test_budget_hops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_named_target, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sleep, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trace_spans, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cost, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
