/* http1_write.c -- see http1.h: reason phrases and the response head
 * writer, chunk size lines and Date values, into caller buffers. */
#include "proto/http1.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include "proto/http1_int.h"

const char *http1_reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 101: return "Switching Protocols";
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 417: return "Expectation Failed";
	case 421: return "Misdirected Request";
	case 422: return "Unprocessable Content";
	case 426: return "Upgrade Required";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 505: return "HTTP Version Not Supported";
	default: return "";
	}
}

/* Appends to a bounded buffer; once something does not fit, o->len passes
 * cap and nothing more is written. */
struct out {
	char *buf;
	size_t cap, len;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->len <= o->cap && n <= o->cap - o->len)
		memcpy(o->buf + o->len, s, n);
	o->len = o->len <= o->cap && n <= o->cap - o->len ? o->len + n : o->cap + 1;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void put_u64(struct out *o, uint64_t v)
{
	char tmp[20];
	size_t n = sizeof tmp;

	do
		tmp[--n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	put(o, tmp + n, sizeof tmp - n);
}

static bool safe_text(const char *s)
{
	return !strpbrk(s, "\r\n");
}

static void put_field(struct out *o, const char *name, const char *value)
{
	puts_(o, name);
	put(o, ": ", 2);
	puts_(o, value);
	put(o, "\r\n", 2);
}

ssize_t http1_write_head(char *buf, size_t cap, const struct http1_resp *r)
{
	struct out o = { buf, cap, 0 };
	const char *reason = r->reason ? r->reason : http1_reason(r->status);

	if (r->status < 100 || r->status > 999 || !safe_text(reason) ||
	    (r->content_type && !safe_text(r->content_type)) || (r->date && !safe_text(r->date)) ||
	    (r->framing == HTTP1_CHUNKED && r->http10))
		return -EINVAL;
	for (size_t i = 0; i < r->nextra; i++) {
		const char *n = r->extra[i].name;

		if (!*n || !safe_text(r->extra[i].value))
			return -EINVAL;
		for (; *n; n++)
			if (!is((unsigned char)*n, C_TCHAR))
				return -EINVAL;
	}
	put(&o, "HTTP/1.1 ", 9);
	put_u64(&o, (uint64_t)r->status);
	put(&o, " ", 1);
	puts_(&o, reason);
	put(&o, "\r\n", 2);
	if (r->date)
		put_field(&o, "Date", r->date);
	if (r->content_type)
		put_field(&o, "Content-Type", r->content_type);
	if (r->framing == HTTP1_LENGTH) {
		put(&o, "Content-Length: ", 16);
		put_u64(&o, r->content_length);
		put(&o, "\r\n", 2);
	} else if (r->framing == HTTP1_CHUNKED) {
		put_field(&o, "Transfer-Encoding", "chunked");
	}
	if (!r->keep_alive)
		put_field(&o, "Connection", "close");
	else if (r->http10)
		put_field(&o, "Connection", "keep-alive");
	for (size_t i = 0; i < r->nextra; i++)
		put_field(&o, r->extra[i].name, r->extra[i].value);
	put(&o, "\r\n", 2);
	return o.len > cap ? -ENOSPC : (ssize_t)o.len;
}

size_t http1_chunk_line(char buf[HTTP1_CHUNK_LINE_MAX], uint64_t n)
{
	static const char hex[] = "0123456789abcdef";
	char tmp[16];
	size_t k = sizeof tmp, len;

	do
		tmp[--k] = hex[n & 15];
	while ((n >>= 4) != 0);
	len = sizeof tmp - k;
	memcpy(buf, tmp + k, len);
	memcpy(buf + len, "\r\n", 2);
	return len + 2;
}

void http1_date(time_t t, char out[HTTP1_DATE_LEN + 1])
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;
	struct out o = { out, HTTP1_DATE_LEN, 0 };
	char two[2];

	gmtime_r(&t, &tm);
	put(&o, days + 3 * tm.tm_wday, 3);
	put(&o, ", ", 2);
#define TWO(v) (two[0] = (char)('0' + (v) / 10 % 10), two[1] = (char)('0' + (v) % 10), put(&o, two, 2))
	TWO(tm.tm_mday);
	put(&o, " ", 1);
	put(&o, months + 3 * tm.tm_mon, 3);
	put(&o, " ", 1);
	put_u64(&o, (uint64_t)(tm.tm_year + 1900) % 10000);
	put(&o, " ", 1);
	TWO(tm.tm_hour);
	put(&o, ":", 1);
	TWO(tm.tm_min);
	put(&o, ":", 1);
	TWO(tm.tm_sec);
#undef TWO
	put(&o, " GMT", 4);
	out[o.len <= HTTP1_DATE_LEN ? o.len : HTTP1_DATE_LEN] = '\0';
}
