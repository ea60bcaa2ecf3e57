/* otlp.c -- see otlp.h. */
#include "trace/otlp.h"

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>

#include "util/json.h"
#include "util/version.h"

static void str_attr(FILE *f, const char *key, const char *val, bool first)
{
	fprintf(f, "%s{\"key\":\"%s\",\"value\":{\"stringValue\":", first ? "" : ",", key);
	json_write_string(f, val);
	fputs("}}", f);
}

static void span_json(FILE *f, const struct trace_span *s, int64_t offset_ns)
{
	static const uint8_t zero[8];
	char hex[33];
	bool first = true;

	trace_hex(s->trace_id, 16, hex);
	fprintf(f, "{\"traceId\":\"%s\"", hex);
	trace_hex(s->span_id, 8, hex);
	fprintf(f, ",\"spanId\":\"%s\"", hex);
	if (memcmp(s->parent_id, zero, 8) != 0) {
		trace_hex(s->parent_id, 8, hex);
		fprintf(f, ",\"parentSpanId\":\"%s\"", hex);
	}
	fputs(",\"name\":", f);
	json_write_string(f, s->name);
	int64_t end = s->end_ns < s->start_ns ? s->start_ns : s->end_ns;
	fprintf(f, ",\"kind\":%u,\"startTimeUnixNano\":\"%" PRIu64 "\",\"endTimeUnixNano\":\"%" PRIu64
		"\",\"attributes\":[", s->kind, (uint64_t)(s->start_ns + offset_ns),
		(uint64_t)(end + offset_ns));
	if (s->str_key != TS_NONE && trace_str_name(s->str_key) != NULL) {
		str_attr(f, trace_str_name(s->str_key), s->str, true);
		first = false;
	}
	for (unsigned i = 0; i < s->nattr; i++) {
		fprintf(f, "%s{\"key\":\"%s\",\"value\":{\"intValue\":\"%" PRId64 "\"}}",
			first ? "" : ",", trace_attr_name(s->attr[i].key), s->attr[i].val);
		first = false;
	}
	fprintf(f, "],\"status\":{");
	if (s->status != TRACE_UNSET) {
		fprintf(f, "\"code\":%u", s->status);
		if (s->msg[0] != '\0') {
			fputs(",\"message\":", f);
			json_write_string(f, s->msg);
		}
	}
	fputs("}}", f);
}

void trace_otlp_line(FILE *f, const struct trace_resource *res, const struct trace_span *spans,
		     size_t n, int64_t offset_ns)
{
	fputs("{\"resourceSpans\":[{\"resource\":{\"attributes\":[", f);
	str_attr(f, "service.name", res->service, true);
	if (res->instance != NULL)
		str_attr(f, "service.instance.id", res->instance, false);
	str_attr(f, "telemetry.sdk.name", "meshwalk", false);
	str_attr(f, "telemetry.sdk.language", "c", false);
	str_attr(f, "telemetry.sdk.version", MESHWALK_VERSION, false);
	fputs("]},\"scopeSpans\":[{\"scope\":{\"name\":\"meshwalk\",\"version\":", f);
	json_write_string(f, MESHWALK_VERSION);
	fputs("},\"spans\":[", f);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			fputc(',', f);
		span_json(f, &spans[i], offset_ns);
	}
	fputs("]}]}]}\n", f);
}
