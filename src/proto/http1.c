/* http1.c -- the HTTP/1.1 request and response parser (contract in
 * http1.h; the response head writer is http1_write.c, percent-decoding
 * http1_text.c). The head is parsed in one pass once its end is in the
 * caller's buffer (so a field never straddles feeds); everything after it
 * (body, chunk framing, trailers) is a byte-at-a-time state machine that keeps
 * no bytes, so the caller buffers at most one head. */
#include "proto/http1.h"

#include <errno.h>
#include <string.h>

#include "proto/http1_int.h"

const struct http1_limits http1_default_limits = {
	.max_head = 8192,
	.max_headers = 64,
	.max_body = 1u << 20,
};

enum {
	ST_HEAD,
	ST_DONE, /* the request is complete: the next call says so */
	ST_CL_BODY,
	ST_CH_SIZE,
	ST_CH_EXT_WS, /* whitespace after the size: only ';' may follow */
	ST_CH_EXT,
	ST_CH_SIZE_LF,
	ST_CH_DATA,
	ST_CH_DATA_CR,
	ST_CH_DATA_LF,
	ST_TR_START, /* start of a trailer line, or the final CRLF */
	ST_TR_NAME,
	ST_TR_VALUE,
	ST_TR_LF,
	ST_TR_END_LF,
	ST_CLOSE_BODY, /* a response body that runs until the connection closes */
	ST_ERROR,
};

static bool span_is(struct http1_span s, const char *lit)
{
	return s.p && ieq(s.p, s.len, lit);
}

static enum http1_event fail(struct http1_parser *p, int status, const char *reason,
			     size_t *consumed)
{
	p->status = p->response ? 502 : status; /* a bad answer from upstream */
	p->reason = reason;
	p->state = ST_ERROR;
	*consumed = 0;
	return HTTP1_ERROR;
}

void http1_init(struct http1_parser *p, const struct http1_limits *lim)
{
	memset(p, 0, sizeof *p);
	p->lim = lim ? *lim : http1_default_limits;
	if (p->lim.max_headers > HTTP1_MAX_HEADERS)
		p->lim.max_headers = HTTP1_MAX_HEADERS;
	p->state = ST_HEAD;
}

void http1_init_response(struct http1_parser *p, const struct http1_limits *lim)
{
	http1_init(p, lim);
	p->response = true;
}

void http1_response_to_head(struct http1_parser *p)
{
	p->to_head = true;
}

/* Calls fn on each element of a comma-separated list (empty elements
 * skipped, OWS trimmed). Stops when fn returns non-zero and returns that. */
static int list_each(struct http1_span v, int (*fn)(struct http1_span el, void *arg), void *arg)
{
	size_t i = 0;

	while (i < v.len) {
		size_t s = i, e;
		int rc;

		while (i < v.len && v.p[i] != ',')
			i++;
		e = i++;
		while (s < e && (v.p[s] == ' ' || v.p[s] == '\t'))
			s++;
		while (e > s && (v.p[e - 1] == ' ' || v.p[e - 1] == '\t'))
			e--;
		if (e > s && (rc = fn((struct http1_span){ v.p + s, e - s }, arg)) != 0)
			return rc;
	}
	return 0;
}

/* What the framing and connection fields say, gathered over all their lines. */
struct head_facts {
	bool cl_seen, te_seen, te_last_chunked, te_other, conn_close, conn_keep, conn_upgrade,
		conn_settings;
	unsigned te_chunked, n_settings;
	uint64_t cl;
	const char *why; /* first error */
	int status;
	/* Fields the request parser keeps (first line of each); Host repeated. */
	struct http1_span host, expect, upgrade, content_type, http2_settings;
	bool host_repeated;
};

static int cl_el(struct http1_span el, void *arg)
{
	struct head_facts *f = arg;
	uint64_t v = 0;

	for (size_t i = 0; i < el.len; i++) {
		unsigned char c = (unsigned char)el.p[i];

		if (c < '0' || c > '9' || v > (UINT64_MAX - 9) / 10) {
			f->why = c < '0' || c > '9' ? "bad Content-Length" : "Content-Length too large";
			return -1;
		}
		v = v * 10 + (uint64_t)(c - '0');
	}
	if (f->cl_seen && v != f->cl) {
		f->why = "differing Content-Length values";
		return -1;
	}
	f->cl_seen = true;
	f->cl = v;
	return 0;
}

static int te_el(struct http1_span el, void *arg)
{
	struct head_facts *f = arg;

	f->te_last_chunked = ieq(el.p, el.len, "chunked");
	if (f->te_last_chunked)
		f->te_chunked++;
	else
		f->te_other = true;
	return 0;
}

static int conn_el(struct http1_span el, void *arg)
{
	struct head_facts *f = arg;

	if (ieq(el.p, el.len, "close"))
		f->conn_close = true;
	else if (ieq(el.p, el.len, "keep-alive"))
		f->conn_keep = true;
	else if (ieq(el.p, el.len, "upgrade"))
		f->conn_upgrade = true;
	else if (ieq(el.p, el.len, "http2-settings"))
		f->conn_settings = true;
	return 0;
}

static int h2c_el(struct http1_span el, void *arg)
{
	return ieq(el.p, el.len, "h2c");
}

static const char *const method_names[] = {
	[HTTP1_GET] = "GET",	     [HTTP1_HEAD_METHOD] = "HEAD", [HTTP1_POST] = "POST",
	[HTTP1_PUT] = "PUT",	     [HTTP1_DELETE] = "DELETE",	   [HTTP1_OPTIONS] = "OPTIONS",
	[HTTP1_PATCH] = "PATCH",     [HTTP1_CONNECT] = "CONNECT",  [HTTP1_TRACE] = "TRACE",
};

/* Methods are case-sensitive (RFC 9110 section 9.1). */
static enum http1_method method_id(struct http1_span m)
{
	for (size_t i = 1; i < sizeof method_names / sizeof method_names[0]; i++)
		if (strlen(method_names[i]) == m.len && memcmp(method_names[i], m.p, m.len) == 0)
			return (enum http1_method)i;
	return HTTP1_OTHER;
}

static void split_query(struct http1_request *r, const char *s, size_t len)
{
	const char *q = memchr(s, '?', len);

	if (q) {
		r->path = (struct http1_span){ s, (size_t)(q - s) };
		r->query = (struct http1_span){ q + 1, len - (size_t)(q - s) - 1 };
	} else {
		r->path = (struct http1_span){ s, len };
	}
	if (r->path.len == 0) /* absolute form with an empty path */
		r->path = (struct http1_span){ "/", 1 };
}

/* Splits the target by its form (RFC 9112 section 3.2). */
static const char *parse_target(struct http1_request *r)
{
	struct http1_span t = r->target;

	if (t.p[0] == '/') {
		split_query(r, t.p, t.len);
		return NULL;
	}
	if (r->method_id == HTTP1_CONNECT) {
		r->path = t;
		return NULL;
	}
	if (t.len == 1 && t.p[0] == '*')
		return r->method_id == HTTP1_OPTIONS ? (r->path = t, NULL) : "'*' target without OPTIONS";
	for (size_t skip = 0; skip < 2; skip++) {
		const char *scheme = skip ? "https://" : "http://";
		size_t sl = strlen(scheme), i;

		if (t.len <= sl || !ieq(t.p, sl, scheme))
			continue;
		for (i = sl; i < t.len && t.p[i] != '/' && t.p[i] != '?'; i++)
			;
		if (i == sl)
			return "absolute target without a host";
		split_query(r, t.p + i, t.len - i);
		return NULL;
	}
	return "bad request target";
}

/* Parses the request line (ends at data[e], the line's LF). */
static enum http1_event parse_request_line(struct http1_parser *p, const char *d, size_t e,
					   size_t *consumed)
{
	struct http1_request *r = &p->req;
	size_t i = 0, lend = e - 1; /* the CR */

	while (i < lend && is((unsigned char)d[i], C_TCHAR))
		i++;
	if (i == 0 || i > HTTP1_METHOD_MAX || d[i] != ' ')
		return fail(p, 400, "bad method", consumed);
	r->method = (struct http1_span){ d, i };
	r->method_id = method_id(r->method);
	size_t ts = ++i;
	while (i < lend && is((unsigned char)d[i], C_TARGET))
		i++;
	if (i == ts || d[i] != ' ')
		return fail(p, 400, "bad request target", consumed);
	r->target = (struct http1_span){ d + ts, i - ts };
	i++;
	const char *v = d + i;
	if (lend - i != 8 || memcmp(v, "HTTP/", 5) != 0 || v[6] != '.' || v[5] < '0' || v[5] > '9' ||
	    v[7] < '0' || v[7] > '9')
		return fail(p, 400, "bad HTTP version", consumed);
	if (v[5] != '1' || v[7] > '1')
		return fail(p, 505, "HTTP version not supported", consumed);
	r->minor = v[7] - '0';
	const char *why = parse_target(r);
	if (why)
		return fail(p, 400, why, consumed);
	return HTTP1_HEAD;
}

/* Parses a status line (ends at data[e], the line's LF). */
static enum http1_event parse_status_line(struct http1_parser *p, const char *d, size_t e,
					  size_t *consumed)
{
	struct http1_response *r = &p->resp;
	size_t lend = e - 1, i = 12; /* the CR; "HTTP/1.x SSS" */

	if (lend < 7 || memcmp(d, "HTTP/1.", 7) != 0)
		return fail(p, 502, "not an HTTP/1.x response", consumed);
	if (lend < 12 || d[8] != ' ')
		return fail(p, 502, "bad status line", consumed);
	if (d[7] != '0' && d[7] != '1')
		return fail(p, 502, "HTTP version not supported", consumed);
	r->minor = d[7] - '0';
	r->status = 0;
	for (size_t k = 9; k < 12; k++) {
		if (d[k] < '0' || d[k] > '9')
			return fail(p, 502, "bad status code", consumed);
		r->status = r->status * 10 + (d[k] - '0');
	}
	if (r->status < 100)
		return fail(p, 502, "bad status code", consumed);
	if (i < lend && d[i++] != ' ')
		return fail(p, 502, "bad status line", consumed);
	r->reason = (struct http1_span){ d + i, lend - i };
	for (; i < lend; i++)
		if (!is((unsigned char)d[i], C_VALUE))
			return fail(p, 502, "bad character in reason phrase", consumed);
	return HTTP1_HEAD;
}

/* Parses the field lines from d[pos] to the empty line (d[0, hlen) ends with
 * CRLF CRLF) into fields[] and f. */
static enum http1_event parse_fields(struct http1_parser *p, const char *d, size_t pos,
				     size_t hlen, struct http1_field *fields, unsigned *nfields,
				     struct head_facts *f, size_t *consumed)
{
	size_t e;

	for (;; pos = e + 1) {
		size_t i = pos, lend;

		e = (size_t)((const char *)memchr(d + pos, '\n', hlen - pos) - d);
		lend = e - 1;
		if (lend == pos)
			return HTTP1_HEAD; /* the empty line */
		if (d[pos] == ' ' || d[pos] == '\t')
			return fail(p, 400, "obsolete line folding", consumed);
		while (i < lend && is((unsigned char)d[i], C_TCHAR))
			i++;
		if (d[i] != ':')
			return fail(p, 400,
				    d[i] == ' ' || d[i] == '\t' ? "whitespace before colon"
				    : i == lend		? "field line without colon"
								: "bad field name",
				    consumed);
		if (i == pos)
			return fail(p, 400, "empty field name", consumed);
		if (*nfields == p->lim.max_headers)
			return fail(p, 431, "too many header fields", consumed);
		struct http1_field *fl = &fields[(*nfields)++];
		fl->name = (struct http1_span){ d + pos, i - pos };
		i++;
		while (i < lend && (d[i] == ' ' || d[i] == '\t'))
			i++;
		size_t vs = i;
		for (; i < lend; i++)
			if (!is((unsigned char)d[i], C_VALUE))
				return fail(p, 400, d[i] == '\r' ? "bare CR" : "bad character in field value",
					    consumed);
		while (i > vs && (d[i - 1] == ' ' || d[i - 1] == '\t'))
			i--;
		fl->value = (struct http1_span){ d + vs, i - vs };

		struct http1_span n = fl->name, v = fl->value;
		switch (n.len) {
		case 4:
			if (ieq(n.p, 4, "host")) {
				f->host_repeated |= f->host.p != NULL;
				if (!f->host.p)
					f->host = v;
			}
			break;
		case 6:
			if (ieq(n.p, 6, "expect") && !f->expect.p)
				f->expect = v;
			break;
		case 7:
			if (ieq(n.p, 7, "upgrade") && !f->upgrade.p)
				f->upgrade = v;
			break;
		case 10:
			if (ieq(n.p, 10, "connection"))
				list_each(v, conn_el, f);
			break;
		case 12:
			if (ieq(n.p, 12, "content-type") && !f->content_type.p)
				f->content_type = v;
			break;
		case 14:
			if (ieq(n.p, 14, "content-length")) {
				if (v.len == 0)
					return fail(p, 400, "empty Content-Length", consumed);
				if (list_each(v, cl_el, f))
					return fail(p, 400, f->why, consumed);
			} else if (ieq(n.p, 14, "http2-settings")) {
				if (!f->http2_settings.p)
					f->http2_settings = v;
				f->n_settings++;
			}
			break;
		case 17:
			if (ieq(n.p, 17, "transfer-encoding")) {
				f->te_seen = true;
				list_each(v, te_el, f);
			}
			break;
		}
	}
}

/* The Transfer-Encoding rules shared by requests and responses: NULL when
 * the body is chunked or there is none, else why the head is refused (a
 * coding other than chunked before it: *status 501). */
static const char *te_check(const struct head_facts *f, int minor, int *status)
{
	*status = 400;
	if (f->cl_seen)
		return "both Content-Length and Transfer-Encoding";
	if (minor == 0)
		return "Transfer-Encoding in HTTP/1.0";
	if (!f->te_last_chunked)
		return "Transfer-Encoding does not end in chunked";
	if (f->te_chunked > 1)
		return "chunked applied twice";
	*status = 501;
	return f->te_other ? "a transfer coding other than chunked (only chunked is accepted)" : NULL;
}

/* Sets up the body states once a head is parsed. */
static enum http1_event body_start(struct http1_parser *p, bool chunked, uint64_t cl,
				   size_t hlen, size_t *consumed)
{
	if (cl > p->lim.max_body)
		return fail(p, 413, "Content-Length over the body limit", consumed);
	p->remaining = chunked ? 0 : cl;
	p->body_total = 0;
	p->line_len = 0;
	p->state = chunked ? ST_CH_SIZE : cl ? ST_CL_BODY : ST_DONE;
	p->scan = 0;
	*consumed = hlen;
	return HTTP1_HEAD;
}

/* A whole response head: d[0, hlen) ends with CRLF CRLF. */
static enum http1_event parse_response_head(struct http1_parser *p, const char *d, size_t hlen,
					    size_t *consumed)
{
	struct http1_response *r = &p->resp;
	struct head_facts f = { 0 };
	size_t e = (size_t)((const char *)memchr(d, '\n', hlen) - d);
	bool to_head = p->to_head;
	int st;

	memset(r, 0, offsetof(struct http1_response, fields));
	r->nfields = 0;
	if (parse_status_line(p, d, e, consumed) == HTTP1_ERROR ||
	    parse_fields(p, d, e + 1, hlen, r->fields, &r->nfields, &f, consumed) == HTTP1_ERROR)
		return HTTP1_ERROR;
	r->content_type = f.content_type;
	r->keep_alive = !f.conn_close && (r->minor == 1 || f.conn_keep);
	if (r->status >= 200)
		p->to_head = false; /* a 1xx leaves it for the final response */
	if (to_head || r->status < 200 || r->status == 204 || r->status == 304)
		return body_start(p, false, 0, hlen, consumed);
	if (f.te_seen) {
		const char *why = te_check(&f, r->minor, &st);

		if (why)
			return fail(p, st, why, consumed);
		r->chunked = r->has_body = true;
		return body_start(p, true, 0, hlen, consumed);
	}
	if (!f.cl_seen) {
		r->until_close = r->has_body = true;
		r->keep_alive = false;
		body_start(p, false, 0, hlen, consumed);
		p->state = ST_CLOSE_BODY;
		return HTTP1_HEAD;
	}
	r->content_length = f.cl;
	r->has_body = f.cl > 0;
	return body_start(p, false, f.cl, hlen, consumed);
}

/* Parses a whole head: d[0, hlen) ends with CRLF CRLF and every LF in it
 * follows a CR (checked by the scan). */
static enum http1_event parse_head(struct http1_parser *p, const char *d, size_t hlen,
				   size_t *consumed)
{
	struct http1_request *r = &p->req;
	struct head_facts f = { 0 };
	size_t e;
	int st;

	if (p->response)
		return parse_response_head(p, d, hlen, consumed);
	memset(r, 0, offsetof(struct http1_request, fields));
	r->nfields = 0;
	e = (size_t)((const char *)memchr(d, '\n', hlen) - d);
	if (parse_request_line(p, d, e, consumed) == HTTP1_ERROR ||
	    parse_fields(p, d, e + 1, hlen, r->fields, &r->nfields, &f, consumed) == HTTP1_ERROR)
		return HTTP1_ERROR;
	if (f.host_repeated)
		return fail(p, 400, "repeated Host", consumed);
	r->host = f.host;
	r->expect = f.expect;
	r->upgrade = f.upgrade;
	r->content_type = f.content_type;
	r->http2_settings = f.http2_settings;
	if (r->minor == 1 && !r->host.p)
		return fail(p, 400, "missing Host", consumed);
	if (f.te_seen) {
		const char *why = te_check(&f, r->minor, &st);

		if (why)
			return fail(p, st, why, consumed);
		r->chunked = true;
	}
	r->content_length = f.cl;
	r->has_body = r->chunked || f.cl > 0;
	r->keep_alive = !f.conn_close && (r->minor == 1 || f.conn_keep);
	r->expect_continue = span_is(r->expect, "100-continue");
	r->upgrade_h2c = r->upgrade.p && list_each(r->upgrade, h2c_el, NULL) && f.n_settings == 1 &&
			 f.conn_upgrade && f.conn_settings;
	return body_start(p, r->chunked, f.cl, hlen, consumed);
}

/* The head state: skips empty lines, then looks for the end of the head,
 * resuming where the last call stopped (the caller passes the same bytes
 * again), refusing bare LFs and bad methods as early as they show. */
static enum http1_event feed_head(struct http1_parser *p, const char *d, size_t len,
				  size_t *consumed)
{
	size_t skip = 0, i;

	while (len - skip >= 2 && d[skip] == '\r' && d[skip + 1] == '\n')
		skip += 2;
	if (skip) {
		d += skip;
		len -= skip;
		p->scan = p->scan > skip ? p->scan - skip : 0;
	}
	size_t lim = len < p->lim.max_head ? len : p->lim.max_head;
	for (i = p->scan; i < lim;) {
		const char *lf = memchr(d + i, '\n', lim - i);

		if (!lf)
			break;
		size_t j = (size_t)(lf - d);
		if (j == 0 || d[j - 1] != '\r')
			return fail(p, 400, "bare LF", consumed);
		if (j >= 3 && d[j - 2] == '\n') {
			enum http1_event ev = parse_head(p, d, j + 1, consumed);

			*consumed += ev == HTTP1_HEAD ? skip : 0;
			return ev;
		}
		i = j + 1;
	}
	/* A method is a short token then a space: anything else (TLS, the
	 * native protocol) is refused now rather than when the head fills up. */
	if (len == 1 && d[0] == '\r') {
		i = len; /* maybe an empty line's CR */
	} else if (p->response) {
		if (memcmp(d, "HTTP/1.", len < 7 ? len : 7) != 0)
			return fail(p, 502, "not an HTTP/1.x response", consumed);
		i = len;
	} else {
		i = 0;
	}
	for (; i < len && d[i] != ' '; i++)
		if (!is((unsigned char)d[i], C_TCHAR) || i == HTTP1_METHOD_MAX)
			return fail(p, 400, "bad method", consumed);
	if (len >= p->lim.max_head)
		return fail(p, 431, "request head too large", consumed);
	p->scan = lim;
	*consumed = skip;
	return HTTP1_NEED_MORE;
}

/* Counts one trailer byte against the head limit. */
static bool trailer_over(struct http1_parser *p)
{
	return ++p->trailer_len > p->lim.max_head;
}

/* One byte c of the trailer section (the ST_TR_* states): HTTP1_NEED_MORE
 * to go on, HTTP1_DONE after its final CRLF, or fail()'s HTTP1_ERROR. */
static enum http1_event trailer_byte(struct http1_parser *p, unsigned char c, size_t *consumed)
{
	switch (p->state) {
	case ST_TR_START:
		if (trailer_over(p))
			return fail(p, 431, "trailer section too large", consumed);
		if (c == '\r') {
			p->state = ST_TR_END_LF;
		} else if (c == ' ' || c == '\t') {
			return fail(p, 400, "obsolete line folding", consumed);
		} else if (is(c, C_TCHAR)) {
			if (++p->trailer_fields > p->lim.max_headers)
				return fail(p, 431, "too many trailer fields", consumed);
			p->state = ST_TR_NAME;
		} else {
			return fail(p, 400, c == '\n' ? "bare LF" : "bad field name", consumed);
		}
		break;
	case ST_TR_NAME:
		if (trailer_over(p))
			return fail(p, 431, "trailer section too large", consumed);
		if (c == ':')
			p->state = ST_TR_VALUE;
		else if (c == ' ' || c == '\t')
			return fail(p, 400, "whitespace before colon", consumed);
		else if (!is(c, C_TCHAR))
			return fail(p, 400, "bad field name", consumed);
		break;
	case ST_TR_VALUE:
		if (trailer_over(p))
			return fail(p, 431, "trailer section too large", consumed);
		if (c == '\r')
			p->state = ST_TR_LF;
		else if (!is(c, C_VALUE))
			return fail(p, 400, c == '\n' ? "bare LF" : "bad character in field value",
				    consumed);
		break;
	case ST_TR_LF:
	case ST_TR_END_LF:
		if (trailer_over(p))
			return fail(p, 431, "trailer section too large", consumed);
		if (c != '\n')
			return fail(p, 400, "bare CR", consumed);
		if (p->state == ST_TR_END_LF) {
			p->state = ST_HEAD;
			return HTTP1_DONE;
		}
		p->state = ST_TR_START;
		break;
	}
	return HTTP1_NEED_MORE;
}

/* Chunked framing and trailers: the states after the head of a chunked
 * body, one byte at a time (chunk data in one piece). */
static enum http1_event feed_chunked(struct http1_parser *p, const char *d, size_t len,
				     size_t *consumed)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)d[i];

		switch (p->state) {
		case ST_CH_SIZE:
			if (is(c, C_HEX)) {
				if (++p->line_len > 16)
					return fail(p, 400, "chunk size too long", consumed);
				p->remaining = p->remaining * 16 + (uint64_t)hexval(c);
				if (p->remaining > p->lim.max_body - p->body_total)
					return fail(p, 413, "chunked body over the body limit", consumed);
				break;
			}
			if (p->line_len == 0)
				return fail(p, 400, "bad chunk size", consumed);
			p->line_len = 0;
			if (c == ';')
				p->state = ST_CH_EXT;
			else if (c == ' ' || c == '\t')
				p->state = ST_CH_EXT_WS;
			else if (c == '\r')
				p->state = ST_CH_SIZE_LF;
			else
				return fail(p, 400, "bad chunk size", consumed);
			break;
		case ST_CH_EXT_WS:
			if (c == ';')
				p->state = ST_CH_EXT;
			else if (c != ' ' && c != '\t')
				return fail(p, 400, "bad chunk extension", consumed);
			break;
		case ST_CH_EXT:
			if (c == '\r')
				p->state = ST_CH_SIZE_LF;
			else if (!is(c, C_VALUE))
				return fail(p, 400, "bad chunk extension", consumed);
			else if (++p->line_len > HTTP1_CHUNK_EXT_MAX)
				return fail(p, 400, "chunk extension too long", consumed);
			break;
		case ST_CH_SIZE_LF:
			if (c != '\n')
				return fail(p, 400, "bare CR", consumed);
			p->line_len = 0;
			if (p->remaining) {
				p->state = ST_CH_DATA;
			} else {
				p->state = ST_TR_START;
				p->trailer_len = 0;
				p->trailer_fields = 0;
			}
			break;
		case ST_CH_DATA: {
			size_t n = p->remaining < len - i ? (size_t)p->remaining : len - i;

			p->remaining -= n;
			p->body_total += n;
			if (p->remaining == 0)
				p->state = ST_CH_DATA_CR;
			p->body = d + i;
			p->body_len = n;
			*consumed = i + n;
			return HTTP1_BODY;
		}
		case ST_CH_DATA_CR:
			if (c != '\r')
				return fail(p, 400, "chunk longer than its size", consumed);
			p->state = ST_CH_DATA_LF;
			break;
		case ST_CH_DATA_LF:
			if (c != '\n')
				return fail(p, 400, "bare CR", consumed);
			p->state = ST_CH_SIZE;
			break;
		default: {
			enum http1_event ev = trailer_byte(p, c, consumed);

			if (ev == HTTP1_DONE)
				*consumed = i + 1;
			if (ev != HTTP1_NEED_MORE)
				return ev;
			break;
		}
		}
		i++;
	}
	*consumed = i;
	return HTTP1_NEED_MORE;
}

enum http1_event http1_feed(struct http1_parser *p, const void *data, size_t len,
			    size_t *consumed)
{
	const char *d = data;

	p->body = NULL;
	p->body_len = 0;
	switch (p->state) {
	case ST_ERROR:
		*consumed = 0;
		return HTTP1_ERROR;
	case ST_HEAD:
		return feed_head(p, d, len, consumed);
	case ST_DONE:
		p->state = ST_HEAD;
		*consumed = 0;
		return HTTP1_DONE;
	case ST_CLOSE_BODY:
		*consumed = len;
		if (len == 0)
			return HTTP1_NEED_MORE;
		p->body = d;
		p->body_len = len;
		return HTTP1_BODY;
	case ST_CL_BODY: {
		size_t n = p->remaining < len ? (size_t)p->remaining : len;

		*consumed = n;
		if (n == 0)
			return HTTP1_NEED_MORE;
		p->remaining -= n;
		if (p->remaining == 0)
			p->state = ST_DONE;
		p->body = d;
		p->body_len = n;
		return HTTP1_BODY;
	}
	default:
		return feed_chunked(p, d, len, consumed);
	}
}

enum http1_event http1_feed_eof(struct http1_parser *p, size_t pending)
{
	int state = p->state;
	size_t unused;

	if (state == ST_ERROR)
		return HTTP1_ERROR;
	fail(p, p->response ? 502 : 400, "connection closed mid-message", &unused);
	if (state == ST_CLOSE_BODY)
		return HTTP1_DONE;
	return state == ST_HEAD && pending == 0 ? HTTP1_NEED_MORE : HTTP1_ERROR;
}
