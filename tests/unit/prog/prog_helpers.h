/* prog_helpers.h -- what the unit tests of op words share: a program from
 * text, encoded and checked as a node would, or refused with a given message.
 *
 * parse_ok() parses text, encodes request 0 into w (emptied first) and fails
 * the test unless wire_prog_check() takes it under the default node limits;
 * the caller destroys the template it returns. encode() is the same when only
 * the bytes matter. parse_fails() fails the test unless text is refused with
 * -EINVAL, no template, and a message containing needle. Include after
 * cmocka.h. */
#ifndef MW_TESTS_PROG_HELPERS_H
#define MW_TESTS_PROG_HELPERS_H

#include <errno.h>
#include <string.h>

#include "prog/prog_parse.h"

/* Parses text, encodes request 0 into w and checks it as a node would. */
static inline struct prog *parse_ok(const char *text, struct wire_buf *w)
{
	struct prog *p = NULL;
	struct rng r;
	struct err e;

	if (prog_parse_text(text, &p, &e) != 0)
		fail_msg("'%s': %s", text, e.msg);
	rng_seed(&r, 1, 0);
	w->len = 0;
	prog_encode(p, &r, 0, w);
	if (wire_prog_check(w->data, (uint32_t)w->len, &wire_default_limits, &e) != 0)
		fail_msg("'%s': %s", text, e.msg);
	return p;
}

/* The same when only the bytes matter. */
static inline void encode(const char *text, struct wire_buf *w)
{
	prog_destroy(parse_ok(text, w));
}

static inline void parse_fails(const char *text, const char *needle)
{
	struct prog *p = (struct prog *)1;
	struct err e;

	assert_int_equal(prog_parse_text(text, &p, &e), -EINVAL);
	assert_null(p);
	if (strstr(e.msg, needle) == NULL)
		fail_msg("'%s': message '%s' lacks '%s'", text, e.msg, needle);
}

#endif
