/* w3c.c -- see w3c.h. */
#include "trace/w3c.h"

#include <stdio.h>
#include <string.h>

#include "trace/span.h"

static bool lowhex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Two lowercase hex digits (checked by lowhex) as a byte. */
static uint8_t hexbyte(const char *s)
{
	int hi = s[0] <= '9' ? s[0] - '0' : s[0] - 'a' + 10;
	int lo = s[1] <= '9' ? s[1] - '0' : s[1] - 'a' + 10;

	return (uint8_t)(hi << 4 | lo);
}

bool trace_traceparent_parse(const char *v, size_t len, struct wire_trace *t)
{
	uint8_t ver;

	/* OWS around a field value is the parser's; trim what is left */
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	while (len > 0 && (*v == ' ' || *v == '\t'))
		v++, len--;
	if (len < TRACE_TRACEPARENT_LEN || v[2] != '-' || v[35] != '-' || v[52] != '-' ||
	    !lowhex(v, 2) || !lowhex(v + 53, 2) || !lowhex(v + 3, 32) || !lowhex(v + 36, 16))
		return false;
	ver = hexbyte(v);
	/* version 00 is exactly 55 characters; a later one may add fields */
	if (ver == 0xff || (ver == 0 && len != TRACE_TRACEPARENT_LEN) ||
	    (ver > 0 && len > TRACE_TRACEPARENT_LEN && v[TRACE_TRACEPARENT_LEN] != '-'))
		return false;
	if (!trace_unhex(v + 3, 32, t->trace_id, 16) || !trace_unhex(v + 36, 16, t->parent_id, 8))
		return false; /* all zero */
	t->flags = hexbyte(v + 53);
	t->state_len = 0;
	t->state = NULL;
	return true;
}

bool trace_tracestate_take(const char *v, size_t len, struct wire_trace *t, uint8_t *buf)
{
	if (len == 0 || len > WIRE_TRACESTATE_MAX)
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || (unsigned char)v[i] > 0x7e)
			return false;
	memcpy(buf, v, len);
	t->state = buf;
	t->state_len = (uint16_t)len;
	return true;
}

void trace_traceparent_format(const struct wire_trace *t, char out[TRACE_TRACEPARENT_LEN + 1])
{
	memcpy(out, "00-", 3);
	trace_hex(t->trace_id, 16, out + 3);
	out[35] = '-';
	trace_hex(t->parent_id, 8, out + 36);
	out[52] = '-';
	trace_hex(&t->flags, 1, out + 53);
}

bool trace_http_context(struct http1_span tp, struct http1_span ts, struct http1_span path,
			struct wire_trace *t, uint8_t *state, char *name, size_t name_cap)
{
	size_t n;

	if (tp.p == NULL || !trace_traceparent_parse(tp.p, tp.len, t))
		return false;
	if (ts.p != NULL)
		trace_tracestate_take(ts.p, ts.len, t, state);
	n = path.len > 1 ? path.len - 1 : 0;
	if (n == 0) {
		snprintf(name, name_cap, "request");
		return true;
	}
	if (n >= name_cap)
		n = name_cap - 1;
	memcpy(name, path.p + 1, n);
	name[n] = '\0';
	return true;
}
