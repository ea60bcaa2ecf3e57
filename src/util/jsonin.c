/* jsonin.c -- see jsonin.h. A recursive-descent parser over the whole text;
 * the files it reads are small (kilobytes), so a tree is simpler than a
 * streaming interface and lets callers look keys up in any order. */
#include "util/jsonin.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/file.h"
#include "util/xalloc.h"

struct parser {
	const char *s, *end, *p;
	struct err *e;
};

/* Fills e with msg at the parser's position (line and column counted from
 * the start, only on failure). */
static int fail(struct parser *ps, const char *msg)
{
	int line = 1, col = 1;

	for (const char *q = ps->s; q < ps->p && q < ps->end; q++) {
		if (*q == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	err_set(ps->e, "%s", msg);
	if (ps->e) {
		ps->e->line = line;
		ps->e->col = col;
	}
	return -EINVAL;
}

static void skip_ws(struct parser *ps)
{
	while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
		ps->p++;
}

static bool literal(struct parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static int hex4(struct parser *ps, unsigned *out)
{
	unsigned v = 0;

	if (ps->end - ps->p < 4)
		return fail(ps, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = *ps->p++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return fail(ps, "bad hex digit in \\u escape");
	}
	*out = v;
	return 0;
}

static size_t put_utf8(char *d, unsigned cp)
{
	if (cp < 0x80) {
		d[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		d[0] = (char)(0xc0 | cp >> 6);
		d[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		d[0] = (char)(0xe0 | cp >> 12);
		d[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		d[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	d[0] = (char)(0xf0 | cp >> 18);
	d[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	d[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	d[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Parses a string starting at '"' into a new buffer. A decoded string is
 * never longer than its source (an escape of 6 or 12 bytes yields at most 4),
 * so one allocation of the source length is enough. */
static int parse_string(struct parser *ps, char **out)
{
	const char *q = ps->p + 1;
	char *buf, *d;

	while (q < ps->end && *q != '"')
		q += (*q == '\\' && q + 1 < ps->end) ? 2 : 1;
	if (q >= ps->end)
		return fail(ps, "unterminated string");
	buf = d = xmalloc((size_t)(q - ps->p));
	ps->p++;
	while (*ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;

		if (c < 0x20) {
			free(buf);
			return fail(ps, "control character in string");
		}
		if (c != '\\') {
			*d++ = (char)c;
			ps->p++;
			continue;
		}
		ps->p++;
		switch (*ps->p++) {
		case '"': *d++ = '"'; break;
		case '\\': *d++ = '\\'; break;
		case '/': *d++ = '/'; break;
		case 'b': *d++ = '\b'; break;
		case 'f': *d++ = '\f'; break;
		case 'n': *d++ = '\n'; break;
		case 'r': *d++ = '\r'; break;
		case 't': *d++ = '\t'; break;
		case 'u': {
			unsigned cp, lo;

			if (hex4(ps, &cp) < 0)
				goto bad;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (!literal(ps, "\\u") || hex4(ps, &lo) < 0 || lo < 0xdc00 || lo > 0xdfff) {
					fail(ps, "unpaired surrogate in \\u escape");
					goto bad;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				fail(ps, "unpaired surrogate in \\u escape");
				goto bad;
			} else if (cp == 0) {
				fail(ps, "\\u0000 is not supported in strings");
				goto bad;
			}
			d += put_utf8(d, cp);
			break;
		}
		default:
			ps->p--;
			fail(ps, "unknown escape in string");
			goto bad;
		}
	}
	ps->p++;
	*d = '\0';
	*out = buf;
	return 0;
bad:
	free(buf);
	return -EINVAL;
}

/* JSON's number grammar: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int parse_number(struct parser *ps, double *out, char **text)
{
	const char *q = ps->p;
	char tmp[64];

#define DIGITS(q) ((q) < ps->end && *(q) >= '0' && *(q) <= '9')
	if (q < ps->end && *q == '-')
		q++;
	if (q < ps->end && *q == '0')
		q++;
	else if (DIGITS(q))
		while (DIGITS(q))
			q++;
	else
		return fail(ps, "expected a value");
	if (q < ps->end && *q == '.') {
		q++;
		if (!DIGITS(q))
			return fail(ps, "expected digits after '.'");
		while (DIGITS(q))
			q++;
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		q++;
		if (q < ps->end && (*q == '+' || *q == '-'))
			q++;
		if (!DIGITS(q))
			return fail(ps, "expected digits in the exponent");
		while (DIGITS(q))
			q++;
	}
#undef DIGITS
	if ((size_t)(q - ps->p) >= sizeof tmp)
		return fail(ps, "number too long");
	memcpy(tmp, ps->p, (size_t)(q - ps->p));
	tmp[q - ps->p] = '\0';
	*out = strtod(tmp, NULL);
	*text = xstrdup(tmp);
	ps->p = q;
	return 0;
}

static void push(struct jsonin *v, char *key, struct jsonin *item)
{
	/* Grow by doubling: counts are small, but a long array must not be
	 * quadratic. */
	if ((v->n & (v->n - 1)) == 0) {
		size_t cap = v->n ? v->n * 2 : 1;

		v->items = xrealloc(v->items, cap * sizeof *v->items);
		if (v->type == JSONIN_OBJECT)
			v->keys = xrealloc(v->keys, cap * sizeof *v->keys);
	}
	if (v->type == JSONIN_OBJECT)
		v->keys[v->n] = key;
	v->items[v->n++] = item;
}

static int parse_value(struct parser *ps, int depth, struct jsonin **out);

static int parse_container(struct parser *ps, int depth, struct jsonin *v)
{
	bool obj = v->type == JSONIN_OBJECT;
	char close = obj ? '}' : ']';

	ps->p++;
	skip_ws(ps);
	if (ps->p < ps->end && *ps->p == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		char *key = NULL;
		struct jsonin *item;

		skip_ws(ps);
		if (obj) {
			if (ps->p >= ps->end || *ps->p != '"')
				return fail(ps, "expected a key string");
			if (parse_string(ps, &key) < 0)
				return -EINVAL;
			skip_ws(ps);
			if (ps->p >= ps->end || *ps->p != ':') {
				free(key);
				return fail(ps, "expected ':' after a key");
			}
			ps->p++;
		}
		if (parse_value(ps, depth + 1, &item) < 0) {
			free(key);
			return -EINVAL;
		}
		push(v, key, item);
		skip_ws(ps);
		if (ps->p < ps->end && *ps->p == ',') {
			ps->p++;
			continue;
		}
		if (ps->p < ps->end && *ps->p == close) {
			ps->p++;
			return 0;
		}
		return fail(ps, obj ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int parse_value(struct parser *ps, int depth, struct jsonin **out)
{
	struct jsonin *v;
	int rc = 0;

	*out = NULL;
	if (depth > JSONIN_MAX_DEPTH)
		return fail(ps, "nested too deeply");
	skip_ws(ps);
	if (ps->p >= ps->end)
		return fail(ps, "unexpected end of input");
	v = xcalloc(1, sizeof *v);
	switch (*ps->p) {
	case '{':
		v->type = JSONIN_OBJECT;
		rc = parse_container(ps, depth, v);
		break;
	case '[':
		v->type = JSONIN_ARRAY;
		rc = parse_container(ps, depth, v);
		break;
	case '"':
		v->type = JSONIN_STRING;
		rc = parse_string(ps, &v->str);
		break;
	case 't':
	case 'f':
	case 'n':
		if (literal(ps, "true")) {
			v->type = JSONIN_BOOL;
			v->num = 1;
		} else if (literal(ps, "false")) {
			v->type = JSONIN_BOOL;
		} else if (literal(ps, "null")) {
			v->type = JSONIN_NULL;
		} else {
			rc = fail(ps, "expected a value");
		}
		break;
	default:
		v->type = JSONIN_NUMBER;
		rc = parse_number(ps, &v->num, &v->str);
		break;
	}
	if (rc < 0) {
		jsonin_free(v);
		return rc;
	}
	*out = v;
	return 0;
}

int jsonin_parse(const char *text, size_t len, struct jsonin **out, struct err *e)
{
	struct parser ps = { text, text + len, text, e };
	struct jsonin *v;

	err_clear(e);
	*out = NULL;
	if (parse_value(&ps, 0, &v) < 0)
		return -EINVAL;
	skip_ws(&ps);
	if (ps.p != ps.end) {
		jsonin_free(v);
		return fail(&ps, "unexpected text after the value");
	}
	*out = v;
	return 0;
}

int jsonin_load(const char *path, struct jsonin **out, struct err *e)
{
	size_t len;
	char *buf = file_read_all(path, &len);
	int rc;

	*out = NULL;
	if (buf == NULL) {
		rc = errno ? -errno : -EIO;
		err_set(e, "%s", strerror(-rc));
		return rc;
	}
	rc = jsonin_parse(buf, len, out, e);
	free(buf);
	return rc;
}

void jsonin_free(struct jsonin *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		if (v->keys)
			free(v->keys[i]);
		jsonin_free(v->items[i]);
	}
	free(v->keys);
	free(v->items);
	free(v->str);
	free(v);
}

const struct jsonin *jsonin_get(const struct jsonin *v, const char *key)
{
	if (v == NULL || v->type != JSONIN_OBJECT)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return v->items[i];
	return NULL;
}

const struct jsonin *jsonin_at(const struct jsonin *v, size_t i)
{
	if (v == NULL || v->type != JSONIN_ARRAY || i >= v->n)
		return NULL;
	return v->items[i];
}

const char *jsonin_str(const struct jsonin *v)
{
	return v && v->type == JSONIN_STRING ? v->str : NULL;
}

const char *jsonin_text(const struct jsonin *v)
{
	return v && (v->type == JSONIN_STRING || v->type == JSONIN_NUMBER) ? v->str : NULL;
}

double jsonin_num(const struct jsonin *v)
{
	return v && v->type == JSONIN_NUMBER ? v->num : NAN;
}
