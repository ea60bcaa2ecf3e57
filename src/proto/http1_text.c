/* http1_text.c -- see http1.h and http1_int.h: the character classes the
 * parser and the writer share, percent-decoding (query parameters), and
 * looking up a parsed head's fields by name. */
#include "proto/http1.h"

#include <errno.h>
#include <string.h>

#include "proto/http1_int.h"

/* Character classes (RFC 9110 section 5.6.2 tchar, 5.5 field-vchar with
 * obs-text, hex digits, visible ASCII for the target); a constant table so
 * that parsers on any thread share it without initialisation. */
const uint8_t http1_cls[256] = {
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  2,  0,  0,  0,  0,  0,  0,
	 0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,  0,
	 2, 11, 10, 11, 11, 11, 11, 11, 10, 10, 11, 11, 10, 11, 11, 10,
	15, 15, 15, 15, 15, 15, 15, 15, 15, 15, 10, 10, 10, 10, 10, 10,
	10, 15, 15, 15, 15, 15, 15, 11, 11, 11, 11, 11, 11, 11, 11, 11,
	11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 10, 10, 10, 11, 11,
	11, 15, 15, 15, 15, 15, 15, 11, 11, 11, 11, 11, 11, 11, 11, 11,
	11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 11, 10, 11, 10, 11,  0,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
	 2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,  2,
};

/* The next decoded byte of s at *i, or -1 on a bad or NUL escape. */
static int pct_next(const char *s, size_t len, size_t *i)
{
	unsigned char c = (unsigned char)s[*i];

	if (c == '+') {
		(*i)++;
		return ' ';
	}
	if (c != '%') {
		(*i)++;
		return c;
	}
	if (len - *i < 3 || !is((unsigned char)s[*i + 1], C_HEX) || !is((unsigned char)s[*i + 2], C_HEX))
		return -1;
	c = (unsigned char)(hexval((unsigned char)s[*i + 1]) * 16 + hexval((unsigned char)s[*i + 2]));
	*i += 3;
	return c ? c : -1;
}

int http1_pct_decode(const char *src, size_t len, char *out, size_t cap, size_t *out_len)
{
	size_t i = 0, o = 0;

	while (i < len) {
		int c = pct_next(src, len, &i);

		if (c < 0)
			return -EINVAL;
		if (o + 1 >= cap)
			return -ENOSPC;
		out[o++] = (char)c;
	}
	if (cap == 0)
		return -ENOSPC;
	out[o] = '\0';
	if (out_len)
		*out_len = o;
	return 0;
}

int http1_query_param(struct http1_span query, const char *name, char *out, size_t cap,
		      size_t *out_len)
{
	const char *q = query.p;
	size_t len = query.len, i = 0, nl = strlen(name);

	if (!q)
		return -ENOENT;
	while (i < len) {
		size_t s = i, e, k = 0, j;
		bool match = true;

		while (i < len && q[i] != '&')
			i++;
		e = i++;
		for (j = s; j < e && q[j] != '=';) {
			int c = pct_next(q, e, &j);

			if (c < 0 || k >= nl || (unsigned char)name[k] != c) {
				match = false;
				break;
			}
			k++;
		}
		if (!match || k != nl || (j < e && q[j] != '='))
			continue;
		j += j < e; /* the '=' */
		return http1_pct_decode(q + j, e - j, out, cap, out_len);
	}
	return -ENOENT;
}

static struct http1_span find_field(const struct http1_field *f, unsigned n, const char *name)
{
	size_t nl = strlen(name);

	for (unsigned i = 0; i < n; i++)
		if (f[i].name.len == nl && ieq(f[i].name.p, nl, name))
			return f[i].value;
	return (struct http1_span){ NULL, 0 };
}

struct http1_span http1_header(const struct http1_request *r, const char *name)
{
	return find_field(r->fields, r->nfields, name);
}

void http1_headers(const struct http1_request *r, const struct http1_name *names,
		   struct http1_span *out, size_t n)
{
	for (size_t k = 0; k < n; k++)
		out[k] = (struct http1_span){ NULL, 0 };
	for (unsigned i = 0; i < r->nfields; i++) {
		const struct http1_field *f = &r->fields[i];

		for (size_t k = 0; k < n; k++)
			if (out[k].p == NULL && f->name.len == names[k].len &&
			    ieq(f->name.p, f->name.len, names[k].name))
				out[k] = f->value;
	}
}

struct http1_span http1_resp_header(const struct http1_response *r, const char *name)
{
	return find_field(r->fields, r->nfields, name);
}
