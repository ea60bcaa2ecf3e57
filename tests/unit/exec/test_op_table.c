/* test_op_table.c -- every row of the op table (src/proto/ops.c), whatever
 * ops it holds: a template op encodes to bytes the wire check accepts and
 * decodes to the values it was given; bad flags, a wrong length and values
 * past a field's limit are refused; both printed forms are written; the op's
 * example in the op words (src/prog/prog_parse.c) parses, prints and encodes
 * to that op; the executor (src/exec/exec.c) knows the row's run kind; and
 * a node's tracing (src/exec/engine_trace.c) names the op's spans from it.
 * A new row is tested here without a line of this file changing. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "exec/engine_trace.h"
#include "exec/exec.h"
#include "proto/ops.h"
#include "prog/prog_parse.h"

/* Field values the round trip expects back: the spec texts below, scaled. */
#define T_US 7          /* TIME: 7 us */
#define T_SIZE 4096     /* SIZE */
#define T_OFFSET 12345  /* OFFSET */
#define T_COUNT 3       /* COUNT */
#define T_PROB (WIRE_PROB_ONE / 4)

static bool fixed(const struct ops_def *d)
{
	return d->run != OPS_RUN_FORWARD;
}

/* The next row of a fixed layout at or after *i (then past it), or NULL. */
static const struct ops_def *next_fixed(size_t *i)
{
	size_t n;
	const struct ops_def *rows = ops_all(&n);

	for (; *i < n; (*i)++)
		if (fixed(&rows[*i]))
			return &rows[(*i)++];
	return NULL;
}

static struct spec *sp(const char *text, enum spec_unit u)
{
	struct spec *s;
	struct err e;

	assert_int_equal(spec_parse(text, u, &s, &e), 0);
	return s;
}

/* A template of row d with every field set and flags f. */
static void tmpl_of(const struct ops_def *d, uint8_t f, struct ops_tmpl *t)
{
	memset(t, 0, sizeof *t);
	t->code = d->code;
	t->flags = f;
	t->every = 1;
	for (uint8_t i = 0; i < d->nfields; i++) {
		const struct ops_field *fd = &d->fields[i];

		assert_true(fd->width == 4 || fd->width == 8);
		assert_true(fd->slot < OPS_MAX_VALUES);
		if (fd->kind == OPS_TIME)
			t->spec[fd->slot] = sp("7", SPEC_TIME);
		else if (fd->kind == OPS_SIZE)
			t->spec[fd->slot] = sp("4096", SPEC_SIZE);
		else if (fd->kind == OPS_OFFSET)
			t->spec[fd->slot] = sp("12345", SPEC_SIZE);
		else if (fd->kind == OPS_COUNT)
			t->n[fd->slot] = T_COUNT;
		else if (fd->kind == OPS_PROB)
			t->n[fd->slot] = T_PROB;
	}
}

static uint64_t expected(uint8_t kind)
{
	switch (kind) {
	case OPS_TIME: return T_US * 1000ull;
	case OPS_SIZE: return T_SIZE;
	case OPS_OFFSET: return T_OFFSET;
	case OPS_COUNT: return T_COUNT;
	case OPS_PROB: return T_PROB;
	default: return 0;
	}
}

/* The op of template t, then a REPLY unless t is one: a whole program. */
static void program(const struct ops_tmpl *t, struct wire_buf *b)
{
	struct ops_ctx c = { NULL, NULL };
	struct ops_tmpl reply = { .code = OP_REPLY };
	struct rng r;

	rng_seed(&r, 1, 0);
	b->len = 0;
	ops_encode(t, &c, &r, 0, b);
	if (t->code != OP_REPLY)
		ops_encode(&reply, &c, &r, 0, b);
}

static int check(const struct wire_buf *b, struct err *e)
{
	err_clear(e);
	return wire_prog_check(b->data, (uint32_t)b->len, &wire_default_limits, e);
}

/* The flag values a row accepts: 0, each enumerated value, every mask bit. */
static uint8_t valid_flags(const struct ops_def *d, int k, bool *more)
{
	uint8_t f = 0;

	if (d->flags_mask == OPS_FLAGS_ANY || d->flags_mask == 0) {
		f = (uint8_t)k;
		*more = k + 1 < (d->flags_mask ? 1 : (d->flags_max ? d->flags_max : 1));
		return f;
	}
	*more = k == 0;
	return k == 0 ? 0 : d->flags_mask;
}

static void test_rows(void **state)
{
	size_t n;
	const struct ops_def *rows = ops_all(&n);

	assert_true(n > 0);
	for (size_t i = 0; i < n; i++) {
		const struct ops_def *d = &rows[i];

		assert_ptr_equal(ops_find(d->code), d);
		assert_non_null(d->name);
		assert_non_null(d->dw_name);
		assert_true(d->run >= OPS_RUN_CPU && d->run <= OPS_RUN_REPLY);
		assert_true(d->nfields <= OPS_MAX_FIELDS);
		if (fixed(d)) {
			assert_non_null(d->print);
			assert_non_null(d->print_dw);
		}
		if (d->run == OPS_RUN_CPU || d->run == OPS_RUN_TIMER)
			assert_int_equal(d->fields[0].kind, OPS_TIME); /* what exec reads */
	}
	assert_null(ops_find(0));
	assert_null(ops_find(OP_CODE_MAX_));
}

/* prog_add_timed() takes only ops of one TIME field (others only by a flag:
 * COMPUTE's ws=). */
static void test_timed_only(void **state)
{
	size_t n;
	const struct ops_def *rows = ops_all(&n);
	struct prog_builder b;
	struct err e;

	prog_builder_init(&b);
	for (size_t i = 0; i < n; i++) {
		bool timed = ops_is_timed(&rows[i]);

		if (rows[i].code == OP_COMPUTE || rows[i].code == OP_SLEEP)
			assert_true(timed);

		assert_int_equal(prog_add_timed(&b, rows[i].code, sp("1", SPEC_TIME), &e),
				 timed ? 0 : -EINVAL);
	}
	prog_builder_abort(&b);
}

/* Template -> bytes -> wire check -> decode, for every valid flag value. */
static void test_round_trip(void **state)
{
	const struct ops_def *d;
	struct wire_buf b;
	struct err e;

	wire_buf_init(&b);
	for (size_t i = 0; (d = next_fixed(&i)) != NULL;) {
		bool more = true;

		for (int k = 0; more; k++) {
			uint8_t f = valid_flags(d, k, &more);
			struct ops_tmpl t;
			struct wire_op op;
			uint64_t v[OPS_MAX_FIELDS];
			size_t nv, at = 0;

			tmpl_of(d, f, &t);
			program(&t, &b);
			if (check(&b, &e) != 0)
				fail_msg("%s flags 0x%x: %s", d->name, f, e.msg);
			wire_op_at(b.data, 0, &op);
			assert_int_equal(op.code, d->code);
			assert_int_equal(op.flags, f);
			nv = ops_decode(d, &op, v);
			for (uint8_t j = 0; j < d->nfields; j++) {
				const struct ops_field *fd = &d->fields[j];

				if (fd->flag && !(f & fd->flag))
					continue;
				assert_true(at < nv);
				if (v[at] != expected(fd->kind))
					fail_msg("%s field %s: %llu", d->name, fd->name,
						 (unsigned long long)v[at]);
				if (fd->kind == OPS_TIME)
					assert_true(ops_time_ns(&op) == v[at]);
				at++;
			}
			assert_int_equal(at, nv);
			ops_tmpl_free(&t);
		}
	}
	wire_buf_free(&b);
}

/* Bad flags, a body one word too long, a TIME past the node's limit and a
 * probability above one are each refused, naming the op where they can. */
static void test_limits(void **state)
{
	const struct ops_def *d;
	struct wire_buf b;
	struct err e;

	wire_buf_init(&b);
	for (size_t i = 0; (d = next_fixed(&i)) != NULL;) {
		struct ops_tmpl t;
		uint32_t at = WIRE_OP_HDR_LEN;

		tmpl_of(d, 0, &t);
		if (d->flags_mask != OPS_FLAGS_ANY) {
			uint8_t bad = d->flags_mask ? (uint8_t)(~d->flags_mask & 0xff)
						    : (d->flags_max ? d->flags_max : 1);

			program(&t, &b);
			b.data[1] = bad;
			assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
			assert_non_null(strstr(e.msg, d->name));
		}
		/* one more word inside the op: its length is wrong */
		program(&t, &b);
		{
			struct wire_buf o;
			struct wire_op op;

			wire_op_at(b.data, 0, &op);
			wire_buf_init(&o);
			wire_buf_put(&o, b.data, op.len);
			wire_buf_put_u32(&o, 0);
			wire_buf_set_u32(&o, 4, op.len + 4);
			wire_buf_put(&o, b.data + op.len, b.len - op.len);
			assert_int_equal(check(&o, &e), -WIRE_ERR_MALFORMED);
			wire_buf_free(&o);
		}
		for (uint8_t j = 0; j < d->nfields; j++) {
			const struct ops_field *fd = &d->fields[j];

			if (fd->flag)
				continue; /* flags 0: absent */
			program(&t, &b);
			if (fd->kind == OPS_TIME) {
				uint64_t big = wire_default_limits.max_compute_ns + 1;

				memcpy(b.data + at, &big, 8);
				assert_int_equal(check(&b, &e), -WIRE_ERR_LIMIT);
				assert_non_null(strstr(e.msg, d->name));
			} else if (fd->kind == OPS_PROB) {
				uint32_t big = WIRE_PROB_ONE + 1;

				memcpy(b.data + at, &big, 4);
				assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
				assert_non_null(strstr(e.msg, d->name));
			}
			at += fd->width;
		}
		ops_tmpl_free(&t);
	}
	b.len = 0;
	wire_put_op(&b, OP_CODE_MAX_, 0, 0);
	wire_end_op(&b, 0);
	assert_int_equal(check(&b, &e), -WIRE_ERR_MALFORMED);
	assert_non_null(strstr(e.msg, "unknown op code"));
	wire_buf_free(&b);
}

/* Both printed forms of a template op: written, led by the op's names. */
static void test_printed_forms(void **state)
{
	const struct ops_def *d;

	for (size_t i = 0; (d = next_fixed(&i)) != NULL;) {
		struct ops_ctx c = { NULL, NULL };
		struct ops_tmpl t;
		char buf[256];
		struct ops_out o = { buf, sizeof buf };

		tmpl_of(d, 0, &t);
		buf[0] = '\0';
		d->print(&o, d, &t, &c);
		assert_true(strncmp(buf, d->name, strlen(d->name)) == 0);
		o = (struct ops_out){ buf, sizeof buf };
		buf[0] = '\0';
		d->print_dw(&o, d, &t, &c);
		assert_true(strncmp(buf, d->dw_name, strlen(d->dw_name)) == 0);
		ops_tmpl_free(&t);
	}
}

/* A whole program from the row's example, as written and with the op's long
 * word: it parses, both descriptions name the op, and it encodes to a checked
 * program holding the op. */
static void parse_one(const struct ops_def *d, const char *text)
{
	struct prog *p;
	struct err e;
	struct wire_buf b;
	struct wire_op op;
	struct rng r;
	char desc[512];

	if (prog_parse_text(text, &p, &e) != 0)
		fail_msg("%s: '%s': %s", d->name, text, e.msg);
	prog_describe(p, desc, sizeof desc);
	if (strstr(desc, d->name) == NULL)
		fail_msg("'%s' describes as '%s'", text, desc);
	prog_describe_dw(p, desc, sizeof desc);
	if (strstr(desc, d->dw_name) == NULL)
		fail_msg("'%s' in DistWalk's notation is '%s'", text, desc);
	wire_buf_init(&b);
	rng_seed(&r, 1, 0);
	prog_encode(p, &r, 0, &b);
	assert_int_equal(check(&b, &e), 0);
	wire_op_at(b.data, 0, &op);
	assert_int_equal(op.code, d->code);
	wire_buf_free(&b);
	prog_destroy(p);
}

static void test_parser_words(void **state)
{
	size_t n;
	const struct ops_def *rows = ops_all(&n);

	for (size_t i = 0; i < n; i++) {
		const struct ops_def *d = &rows[i];
		const char *word = prog_op_word_of(d->code), *value;
		char text[128];

		if (d->example == NULL)
			continue;
		assert_non_null(word);
		parse_one(d, d->example);
		value = strchr(d->example, ' ');
		assert_non_null(value);
		snprintf(text, sizeof text, "--%s%s", word, value);
		parse_one(d, text);
	}
}

/* The executor has a step for every run kind in the table. */
static void test_executor(void **state)
{
	const struct ops_def *d;
	struct wire_buf b;

	wire_buf_init(&b);
	for (size_t i = 0; (d = next_fixed(&i)) != NULL;) {
		struct exec_cursor c;
		struct exec_stats st = { 0 };
		struct wire_op op;
		struct ops_tmpl t;
		struct rng r;
		enum exec_step step;

		tmpl_of(d, 0, &t);
		program(&t, &b);
		rng_seed(&r, 1, 0);
		exec_start(&c, b.data, (uint32_t)b.len);
		step = exec_next(&c, &r, &st, &op);
		switch (d->run) {
		case OPS_RUN_CPU: /* runs, and the walk goes on to the REPLY */
			assert_int_equal(st.computes, 1);
			assert_int_equal(step, EXEC_REPLY);
			break;
		case OPS_RUN_SKIP:
		case OPS_RUN_REPLY:
			assert_int_equal(step, EXEC_REPLY);
			break;
		case OPS_RUN_TIMER:
			assert_int_equal(step, EXEC_SLEEP);
			break;
		case OPS_RUN_STORAGE:
			assert_int_equal(step, EXEC_STORAGE);
			break;
		default:
			fail_msg("%s: run kind %d has no step", d->name, d->run);
		}
		if (step != EXEC_REPLY)
			assert_int_equal(op.code, d->code);
		ops_tmpl_free(&t);
	}
	wire_buf_free(&b);
}

/* The spans of one op: each named, and named as expected. */
static void expect_spans(struct trace_ring *r, const struct ops_def *d, const char *const *names,
			 size_t n)
{
	for (size_t k = 0; k < n; k++) {
		struct trace_span *s = trace_ring_peek(r);

		if (names[k] == NULL)
			fail_msg("%s: the engine traces it, but its op table row names no span %zu",
				 d->name, k);
		assert_true(strlen(names[k]) < TRACE_NAME_LEN);
		if (s == NULL || strcmp(s->name, names[k]) != 0)
			fail_msg("%s: span '%s' recorded, '%s' expected", d->name, s ? s->name : "(none)",
				 names[k]);
		trace_ring_done(r);
	}
}

/* Every op the engine traces takes its span names from its row
 * (exec/engine_trace): its step's (COMPUTE, SLEEP, LOAD, STORE, REPLY, a
 * FORWARD's wait), and a part's for the REPLY's sendfile read and each
 * FORWARD attempt. A row without one fails here; SKIP, decided inline,
 * leaves no span. */
static void test_span_names(void **state)
{
	size_t n;
	const struct ops_def *rows = ops_all(&n);

	for (size_t i = 0; i < n; i++) {
		const struct ops_def *d = &rows[i];
		struct wire_trace ctx = { .flags = 1 };
		struct wire_trace out;
		struct trace_ring r;
		static struct etrace t;
		const char *step[] = { d->span }, *both[] = { d->span_part, d->span };

		trace_ring_init(&r, 16, 1);
		memset(ctx.trace_id, 0x22, 16);
		etrace_begin(&t, &r, &ctx, NULL, 0, 100, 1000);
		switch (d->run) {
		case OPS_RUN_SKIP:
			break;
		case OPS_RUN_CPU: {
			/* a working set shows as meshwalk.working_set */
			etrace_compute(&t, &r, d->code, 500, 4096, 400, 2000);
			struct trace_span *s = trace_ring_peek(&r);
			bool wset = false;

			for (unsigned a = 0; s && a < s->nattr; a++)
				wset |= s->attr[a].key == TA_WSET && s->attr[a].val == 4096;
			if (!wset)
				fail_msg("%s: no meshwalk.working_set on its span", d->name);
			expect_spans(&r, d, step, 1);
			break;
		}
		case OPS_RUN_TIMER:
		case OPS_RUN_STORAGE:
			etrace_op_start(&t, d->code, 0, 7, 8, 2000);
			etrace_op_end(&t, &r, 0, NULL, 3000);
			expect_spans(&r, d, step, 1);
			break;
		case OPS_RUN_REPLY: /* the sendfile read, then the reply and the SERVER span */
			etrace_op_start(&t, d->code, WIRE_REPLY_SENDFILE, 7, 8, 2000);
			etrace_op_end(&t, &r, 0, NULL, 3000);
			etrace_end(&t, &r, WIRE_OK, NULL, 8, 3000, 4000);
			expect_spans(&r, d, both, 2);
			break;
		case OPS_RUN_FORWARD: /* one attempt to one target, within the wait */
			etrace_wait_start(&t, &r, 2000);
			etrace_fwd_send(&t, &r, 0, &out, 2000);
			etrace_fwd_end(&t, &r, 0, NULL, 1, WIRE_OK, NULL, 0, 3000);
			etrace_wait_end(&t, &r, 1, 1, 1, true, 3000);
			expect_spans(&r, d, both, 2);
			break;
		default:
			fail_msg("%s: run kind %d: the tracer has no step for it", d->name, d->run);
		}
		trace_ring_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_timed_only),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_printed_forms),
		cmocka_unit_test(test_parser_words),
		cmocka_unit_test(test_executor),
		cmocka_unit_test(test_span_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
