/* test_trace.c -- trace/: W3C traceparent parsing and formatting (the
 * spec's valid and invalid forms), the span ring (claim, commit, pop, a
 * full ring drops and counts, never blocks), and an OTLP JSON line (hex
 * ids, unix-ns strings, integer attributes as strings, no parentSpanId on a
 * root). The strict protobuf check of whole exports is tests/e2e/89_trace.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trace/otlp.h"
#include "trace/span.h"
#include "trace/w3c.h"

static bool parse(const char *s, struct wire_trace *t)
{
	return trace_traceparent_parse(s, strlen(s), t);
}

static void test_traceparent(void **state)
{
	struct wire_trace t;
	char out[TRACE_TRACEPARENT_LEN + 1];
	const char *ok = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

	(void)state;
	assert_true(parse(ok, &t));
	assert_int_equal(t.trace_id[0], 0x4b);
	assert_int_equal(t.trace_id[15], 0x36);
	assert_int_equal(t.parent_id[7], 0xb7);
	assert_int_equal(t.flags, 1);
	assert_int_equal(t.state_len, 0);
	trace_traceparent_format(&t, out);
	assert_string_equal(out, ok);
	/* surrounding blanks are trimmed; not sampled is still a context */
	assert_true(parse(" 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00\t", &t));
	assert_int_equal(t.flags, 0);
	/* a later version may append fields */
	assert_true(parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what", &t));
	/* refused: version ff, 00 with more, uppercase, zero ids, short, bad dashes */
	assert_false(parse("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", &t));
	assert_false(parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", &t));
	assert_false(parse("00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01", &t));
	assert_false(parse("00-00000000000000000000000000000000-00f067aa0ba902b7-01", &t));
	assert_false(parse("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", &t));
	assert_false(parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1", &t));
	assert_false(parse("00-4bf92f3577b34da6a3ce929d0e0e4736x00f067aa0ba902b7-01", &t));
	assert_false(parse("00-4bf92f3577b34da6a3ce929d0e0e473g-00f067aa0ba902b7-01", &t));
	assert_false(parse("", &t));
}

static void test_tracestate(void **state)
{
	struct wire_trace t = { 0 };
	uint8_t buf[WIRE_TRACESTATE_MAX];
	char big[WIRE_TRACESTATE_MAX + 2];

	(void)state;
	assert_true(trace_tracestate_take("congo=t61rcWkgMzE", 17, &t, buf));
	assert_int_equal(t.state_len, 17);
	assert_memory_equal(t.state, "congo=t61rcWkgMzE", 17);
	memset(big, 'a', sizeof big);
	t.state_len = 0;
	assert_false(trace_tracestate_take(big, WIRE_TRACESTATE_MAX + 1, &t, buf));
	assert_int_equal(t.state_len, 0);
	assert_true(trace_tracestate_take(big, WIRE_TRACESTATE_MAX, &t, buf));
	assert_false(trace_tracestate_take("a=\n", 3, &t, buf));
}

static void test_ring(void **state)
{
	struct trace_ring r;
	struct trace_span *s;
	uint8_t a[16], b[16];

	(void)state;
	trace_ring_init(&r, 4, 1);
	for (int i = 0; i < 4; i++) {
		s = trace_ring_claim(&r);
		if (s == NULL)
			fail_msg("slot %d of 4 refused", i);
		else
			s->start_ns = i;
		trace_ring_commit(&r);
	}
	/* full: the fifth is dropped and counted, nothing waits */
	assert_null(trace_ring_claim(&r));
	assert_int_equal(atomic_load(&r.drops), 1);
	for (int i = 0; i < 4; i++) {
		s = trace_ring_peek(&r);
		if (s == NULL)
			fail_msg("span %d lost", i);
		else
			assert_int_equal(s->start_ns, i);
		trace_ring_done(&r);
	}
	assert_null(trace_ring_peek(&r));
	assert_non_null(trace_ring_claim(&r));
	assert_int_equal(r.recorded, 4);
	/* a tracestate goes to the slot's side store, allocated on first use */
	assert_null(r.states);
	if ((s = trace_ring_claim(&r)) == NULL) {
		fail_msg("no slot");
	} else {
		assert_null(s->state);
		trace_span_state(&r, s, (const uint8_t *)"congo=t61", 9);
		assert_non_null(r.states);
		assert_int_equal(s->state_len, 9);
		assert_memory_equal(s->state, "congo=t61", 9);
	}
	/* ids: never zero, not repeated */
	trace_new_id(&r, a, 16);
	trace_new_id(&r, b, 16);
	assert_memory_not_equal(a, b, 16);
	/* sampling: 0 never, 1 always, 0.5 about half */
	int n = 0;
	for (int i = 0; i < 10000; i++) {
		assert_false(trace_sample(&r, 0));
		assert_true(trace_sample(&r, 1));
		n += trace_sample(&r, 0.5);
	}
	assert_in_range(n, 4500, 5500);
	trace_ring_free(&r);
}

static void room_for_nul(struct trace_text *t)
{
	t->p = realloc(t->p, t->len + 1);
	t->p[t->len] = '\0';
	t->cap = t->len + 1;
}

static void test_otlp_line(void **state)
{
	struct trace_span s[2];
	struct trace_resource res = { .service = "front \"1\"", .instance = "127.0.0.1:7891" };
	struct trace_text t = { 0 };

	(void)state;
	memset(s, 0, sizeof s);
	for (int i = 0; i < 16; i++)
		s[0].trace_id[i] = s[1].trace_id[i] = (uint8_t)(i + 1);
	s[0].span_id[7] = 0xab;
	s[0].kind = TRACE_CLIENT;
	s[0].start_ns = 10;
	s[0].end_ns = 20;
	trace_name(&s[0], "api", 3);
	trace_attr(&s[0], TA_REQ_ID, 42);
	trace_str(&s[0], TS_PEER, "::1", 3);
	s[0].status = TRACE_OK;
	s[1].span_id[0] = 1;
	s[1].parent_id[7] = 0xab;
	s[1].state = "k=\"v\"x"; /* a tracestate value may hold a quote: escaped */
	s[1].state_len = 5;
	s[1].kind = TRACE_SERVER;
	s[1].start_ns = 12;
	s[1].end_ns = 11; /* never before its start in the output */
	trace_name(&s[1], "x", 1);
	trace_error(&s[1], "boom", 4);
	trace_otlp_line(&t, &res, s, 2, 1000);
	room_for_nul(&t);
	char *buf = t.p;
	size_t len = t.len;
	assert_non_null(strstr(buf, "{\"key\":\"service.name\",\"value\":{\"stringValue\":\"front \\\"1\\\"\"}}"));
	assert_non_null(strstr(buf, "{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"spanId\":"
				    "\"00000000000000ab\",\"name\":\"api\",\"kind\":3,"
				    "\"startTimeUnixNano\":\"1010\",\"endTimeUnixNano\":\"1020\""));
	assert_non_null(strstr(buf, "{\"key\":\"server.address\",\"value\":{\"stringValue\":\"::1\"}},"
				    "{\"key\":\"meshwalk.request_id\",\"value\":{\"intValue\":\"42\"}}"));
	assert_non_null(strstr(buf, "\"status\":{\"code\":1}"));
	assert_non_null(strstr(buf, "\"parentSpanId\":\"00000000000000ab\",\"traceState\":\"k=\\\"v\\\"\",\"name\":\"x\",\"kind\":2,"
				    "\"startTimeUnixNano\":\"1012\",\"endTimeUnixNano\":\"1012\""));
	assert_non_null(strstr(buf, "\"status\":{\"code\":2,\"message\":\"boom\"}"));
	assert_int_equal(buf[len - 1], '\n');
	assert_null(memchr(buf, '\n', len - 1)); /* one line */
	trace_otlp_line(&t, &res, s, 0, 0); /* appends */
	assert_true(t.len > len);
	trace_text_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_traceparent),
		cmocka_unit_test(test_tracestate),
		cmocka_unit_test(test_ring),
		cmocka_unit_test(test_otlp_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
