/* otlp.c -- see otlp.h. */
#include "trace/otlp.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "util/version.h"
#include "util/xalloc.h"

void trace_text_free(struct trace_text *t)
{
	free(t->p);
	t->p = NULL;
	t->len = t->cap = 0;
}

static char *room(struct trace_text *t, size_t n)
{
	if (t->len + n > t->cap) {
		t->cap = (t->len + n) * 2 + 4096;
		t->p = xrealloc(t->p, t->cap);
	}
	return t->p + t->len;
}

static void put(struct trace_text *t, const char *s, size_t n)
{
	memcpy(room(t, n), s, n);
	t->len += n;
}

#define PUTS(t, lit) put(t, lit, sizeof lit - 1)

static void put_u64(struct trace_text *t, uint64_t v)
{
	char d[20], *p = d + sizeof d;

	do
		*--p = (char)('0' + v % 10);
	while ((v /= 10) > 0);
	put(t, p, (size_t)(d + sizeof d - p));
}

static void put_i64(struct trace_text *t, int64_t v)
{
	if (v < 0) {
		PUTS(t, "-");
		put_u64(t, -(uint64_t)v);
	} else {
		put_u64(t, (uint64_t)v);
	}
}

/* s as a JSON string, quotes included ('"', '\\' and controls escaped). */
static void put_str(struct trace_text *t, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	while (s[n] != '\0' && s[n] != '"' && s[n] != '\\' && (unsigned char)s[n] >= 0x20)
		n++;
	if (s[n] == '\0') { /* the usual case: nothing to escape */
		char *p = room(t, n + 2);

		p[0] = '"';
		memcpy(p + 1, s, n);
		p[n + 1] = '"';
		t->len += n + 2;
		return;
	}
	PUTS(t, "\"");
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		char *p = room(t, 6);

		if (ch == '"' || ch == '\\') {
			p[0] = '\\';
			p[1] = (char)ch;
			t->len += 2;
		} else if (ch < 0x20) {
			memcpy(p, "\\u00", 4);
			p[4] = hex[ch >> 4];
			p[5] = hex[ch & 15];
			t->len += 6;
		} else {
			p[0] = (char)ch;
			t->len++;
		}
	}
	PUTS(t, "\"");
}

static void put_id(struct trace_text *t, const uint8_t *id, unsigned n)
{
	char hex[33];

	trace_hex(id, n, hex);
	PUTS(t, "\"");
	put(t, hex, 2 * n);
	PUTS(t, "\"");
}

/* Keys are meshwalk's own constants: nothing to escape. */
static void put_key(struct trace_text *t, const char *key, bool first)
{
	if (!first)
		PUTS(t, ",");
	PUTS(t, "{\"key\":\"");
	put(t, key, strlen(key));
	PUTS(t, "\",\"value\":{");
}

static void str_attr(struct trace_text *t, const char *key, const char *val, bool first)
{
	put_key(t, key, first);
	PUTS(t, "\"stringValue\":");
	put_str(t, val);
	PUTS(t, "}}");
}

/* A string of n bytes (at most TRACE_STATE_MAX), escaped as put_str does. */
static void put_strn(struct trace_text *t, const char *s, size_t n)
{
	char buf[TRACE_STATE_MAX + 1];

	if (n > TRACE_STATE_MAX)
		n = TRACE_STATE_MAX;
	memcpy(buf, s, n);
	buf[n] = '\0';
	put_str(t, buf);
}

static void span_json(struct trace_text *t, const struct trace_span *s, int64_t offset_ns)
{
	static const uint8_t zero[8];
	bool first = true;

	PUTS(t, "{\"traceId\":");
	put_id(t, s->trace_id, 16);
	PUTS(t, ",\"spanId\":");
	put_id(t, s->span_id, 8);
	if (memcmp(s->parent_id, zero, 8) != 0) {
		PUTS(t, ",\"parentSpanId\":");
		put_id(t, s->parent_id, 8);
	}
	if (s->state_len > 0) {
		PUTS(t, ",\"traceState\":");
		put_strn(t, s->state, s->state_len);
	}
	PUTS(t, ",\"name\":");
	put_str(t, s->name);
	PUTS(t, ",\"kind\":");
	put_u64(t, s->kind);
	PUTS(t, ",\"startTimeUnixNano\":\"");
	put_u64(t, (uint64_t)(s->start_ns + offset_ns));
	PUTS(t, "\",\"endTimeUnixNano\":\"");
	put_u64(t, (uint64_t)((s->end_ns < s->start_ns ? s->start_ns : s->end_ns) + offset_ns));
	PUTS(t, "\",\"attributes\":[");
	if (s->str_key != TS_NONE && trace_str_name(s->str_key) != NULL) {
		str_attr(t, trace_str_name(s->str_key), s->str, true);
		first = false;
	}
	for (unsigned i = 0; i < s->nattr; i++) {
		put_key(t, trace_attr_name(s->attr[i].key), first);
		first = false;
		PUTS(t, "\"intValue\":\"");
		put_i64(t, s->attr[i].val);
		PUTS(t, "\"}}");
	}
	PUTS(t, "],\"status\":{");
	if (s->status != TRACE_UNSET) {
		PUTS(t, "\"code\":");
		put_u64(t, s->status);
		if (s->msg[0] != '\0') {
			PUTS(t, ",\"message\":");
			put_str(t, s->msg);
		}
	}
	PUTS(t, "}}");
}

void trace_otlp_line(struct trace_text *out, const struct trace_resource *res,
		     const struct trace_span *spans, size_t n, int64_t offset_ns)
{
	PUTS(out, "{\"resourceSpans\":[{\"resource\":{\"attributes\":[");
	str_attr(out, "service.name", res->service, true);
	if (res->instance != NULL)
		str_attr(out, "service.instance.id", res->instance, false);
	if (res->host != NULL)
		str_attr(out, "host.name", res->host, false);
	str_attr(out, "telemetry.sdk.name", "meshwalk", false);
	str_attr(out, "telemetry.sdk.language", "c", false);
	str_attr(out, "telemetry.sdk.version", MESHWALK_VERSION, false);
	PUTS(out, "]},\"scopeSpans\":[{\"scope\":{\"name\":\"meshwalk\",\"version\":");
	put_str(out, MESHWALK_VERSION);
	PUTS(out, "},\"spans\":[");
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			PUTS(out, ",");
		span_json(out, &spans[i], offset_ns);
	}
	PUTS(out, "]}]}]}\n");
}
