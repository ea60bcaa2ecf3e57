/* read_otlp.c -- OTLP JSON (ExportTraceServiceRequest / TracesData): 
 * {"resourceSpans": [{"resource": {"attributes": [...]}, "scopeSpans":
 * [{"spans": [...]}]}]}, also under "result" (Jaeger's API v3) and one request
 * per line (the collector's file exporter). Ids: hex as exporters write them,
 * or base64 as protobuf's JSON mapping says (decoded to hex). Times: ns since
 * the epoch as strings or numbers. "kind" and status "code" as numbers or
 * enum names. The service is the resource's service.name; a resource's spans
 * are added as read, or held until its resource is read when it comes last.
 * Sizes: the size attributes, or the rpc "message" events (message.type
 * SENT/RECEIVED, message.uncompressed_size or compressed_size). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/reader.h"
#include "util/xalloc.h"

#define ID_MAX 256

struct ot {
	struct import *im;
	char *service; /* of the current resource; NULL until read */
	char *host;    /* its host.name, or NULL */
	bool meshwalk; /* its telemetry.sdk.name is meshwalk */
	bool have_resource;
	struct js_val **pending;
	uint64_t *pending_line;
	size_t npending, cap;
};

/* The frame index of "resourceSpans" (at the root, or under "result"). */
static int rs_at(const struct js_path *p)
{
	if (js_at_key(p, 0, "resourceSpans"))
		return 0;
	if (p->depth > 1 && p->f[0].obj && js_at_key(p, 1, "resourceSpans"))
		return 1;
	return -1;
}

static bool in_rs(const struct js_path *p, int r)
{
	return r >= 0 && js_at_arr(p, r + 1);
}

static bool is_spans(const struct js_path *p, int r)
{
	return p->depth == r + 6 && in_rs(p, r) &&
	       (js_at_key(p, r + 2, "scopeSpans") || js_at_key(p, r + 2, "instrumentationLibrarySpans")) &&
	       js_at_arr(p, r + 3) && js_at_key(p, r + 4, "spans") && js_at_arr(p, r + 5);
}

static bool want(void *arg, const struct js_path *p, enum js_type type)
{
	int r = rs_at(p);

	(void)arg;
	if (type != JS_OBJ || r < 0)
		return false;
	return (p->depth == r + 3 && in_rs(p, r) && js_at_key(p, r + 2, "resource")) ||
	       is_spans(p, r);
}

/* A 8- or 16-byte id in base64 (protobuf JSON) into hex; false if not. */
static bool b64_id(const char *s, char *out, size_t cap)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned char bytes[24];
	size_t n = 0, len = strlen(s);
	uint32_t acc = 0;
	int bits = 0;

	if (len != 12 && len != 24)
		return false;
	for (size_t i = 0; i < len; i++) {
		const char *c;

		if (s[i] == '=')
			break;
		if ((c = memchr(tab, s[i], 64)) == NULL || s[i] == '\0')
			return false;
		acc = (acc << 6) | (uint32_t)(c - tab);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < sizeof bytes)
				bytes[n++] = (unsigned char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	if ((n != 8 && n != 16) || 2 * n + 1 > cap)
		return false;
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", bytes[i]);
	return true;
}

static int otlp_id(const char *s, char *out, size_t cap)
{
	size_t len = s ? strlen(s) : 0;
	bool hex = len > 0 && strspn(s, "0123456789abcdefABCDEF") == len;

	if (s == NULL)
		return -EINVAL;
	if (!hex && b64_id(s, out, cap)) {
		if (strspn(out, "0") == strlen(out))
			out[0] = '\0';
		return 0;
	}
	return norm_id(s, out, cap);
}

/* An OTLP AnyValue as text (scalars only). */
static const char *any_text(const struct js_val *v)
{
	static const char *const keys[] = { "stringValue", "intValue", "boolValue", "doubleValue" };

	for (size_t i = 0; i < 4; i++) {
		const struct js_val *x = js_get(v, keys[i]);

		if (x)
			return js_scalar(x);
	}
	return NULL;
}

static int ns_time(const struct js_val *v, int64_t *out)
{
	uint64_t u;

	if (v == NULL || (v->type != JS_STR && v->type != JS_NUM) || parse_u64(v->str, &u) < 0 ||
	    u > INT64_MAX)
		return -EINVAL;
	*out = (int64_t)u;
	return 0;
}

static void message_events(struct span_in *in, const struct js_val *events)
{
	int64_t sent = -1, recv = -1;

	for (size_t i = 0; events && events->type == JS_ARR && i < events->n; i++) {
		const struct js_val *ev = events->items[i], *attrs = js_get(ev, "attributes");
		const char *type = NULL;
		uint64_t size = 0;
		bool have = false;

		for (size_t k = 0; attrs && attrs->type == JS_ARR && k < attrs->n; k++) {
			const char *key = js_text(js_get(attrs->items[k], "key"));
			const char *val = any_text(js_get(attrs->items[k], "value"));

			if (key == NULL || val == NULL)
				continue;
			if (strcmp(key, "message.type") == 0)
				type = val;
			else if ((strcmp(key, "message.uncompressed_size") == 0 ||
				  (strcmp(key, "message.compressed_size") == 0 && !have)) &&
				 parse_u64(val, &size) == 0 && size <= INT64_MAX / 2)
				have = true;
		}
		if (!have || type == NULL)
			continue;
		int64_t *acc = strcmp(type, "SENT") == 0 ? &sent : strcmp(type, "RECEIVED") == 0 ? &recv : NULL;
		if (acc)
			*acc = (*acc < 0 ? 0 : *acc) + (int64_t)size;
	}
	bool server = in->kind == SPAN_KIND_SERVER || in->kind == SPAN_KIND_CONSUMER;
	if (in->req_bytes < 0)
		in->req_bytes = server ? recv : sent;
	if (in->resp_bytes < 0)
		in->resp_bytes = server ? sent : recv;
}

static int add_span(struct ot *o, const struct js_val *v, uint64_t line, struct err *e)
{
	char tid[ID_MAX], sid[ID_MAX], pid[ID_MAX] = "";
	struct span_ref_in refs[16];
	char ref_ids[16][ID_MAX], ref_tids[16][ID_MAX];
	const struct js_val *x;
	struct span_in in;
	const char *s;
	int64_t end;

	span_in_init(&in);
	in.pos = line;
	if (otlp_id(js_text(js_get(v, "spanId")), sid, sizeof sid) < 0 || !*sid)
		return span_fail(e, line, NULL, "no valid \"spanId\"");
	if (otlp_id(js_text(js_get(v, "traceId")), tid, sizeof tid) < 0 || !*tid)
		return span_fail(e, line, sid, "no valid \"traceId\"");
	s = js_text(js_get(v, "parentSpanId"));
	if (s && otlp_id(s, pid, sizeof pid) < 0)
		return span_fail(e, line, sid, "\"parentSpanId\" too long");
	in.trace_id = tid;
	in.id = sid;
	in.parent_id = pid;
	in.service = o->service ? o->service : "unknown_service";
	in.host = o->host;
	in.meshwalk = o->meshwalk;
	in.operation = js_text(js_get(v, "name"));
	in.kind = span_kind_parse(js_scalar(js_get(v, "kind")));
	x = js_get(v, "startTimeUnixNano");
	if (x) {
		if (ns_time(x, &in.start_ns) < 0)
			return span_fail(e, line, sid, "\"startTimeUnixNano\" is not a time in ns");
		if (ns_time(js_get(v, "endTimeUnixNano"), &end) < 0)
			return span_fail(e, line, sid, "\"endTimeUnixNano\" missing or not a time in ns");
		in.has_time = in.start_ns > 0;
		/* An end before the start: a zero duration (the skew is the
		 * exporter's; the span is kept). */
		in.dur_ns = end > in.start_ns ? end - in.start_ns : 0;
	}
	s = js_scalar(js_get(js_get(v, "status"), "code"));
	if (s && (strcmp(s, "2") == 0 || strcmp(s, "STATUS_CODE_ERROR") == 0))
		in.status = SPAN_STATUS_ERROR;
	else if (s && (strcmp(s, "1") == 0 || strcmp(s, "STATUS_CODE_OK") == 0))
		in.status = SPAN_STATUS_OK;
	x = js_get(v, "attributes");
	for (size_t i = 0; x && x->type == JS_ARR && i < x->n; i++) {
		const char *key = js_text(js_get(x->items[i], "key"));

		if (key)
			span_tag(&in, key, any_text(js_get(x->items[i], "value")));
	}
	message_events(&in, js_get(v, "events"));
	x = js_get(v, "links");
	for (size_t i = 0; x && x->type == JS_ARR && i < x->n && in.nrefs < 16; i++) {
		uint32_t k = in.nrefs;

		if (otlp_id(js_text(js_get(x->items[i], "spanId")), ref_ids[k], ID_MAX) < 0)
			continue;
		refs[k].span_id = ref_ids[k];
		refs[k].trace_id = NULL;
		if (otlp_id(js_text(js_get(x->items[i], "traceId")), ref_tids[k], ID_MAX) == 0 &&
		    strcmp(ref_tids[k], tid) != 0)
			refs[k].trace_id = ref_tids[k];
		refs[k].type = SPAN_REF_LINK;
		in.nrefs++;
	}
	in.refs = refs;
	return import_add(o->im, &in, e) < 0 ? span_fail(e, line, sid, e->msg) : 0;
}

static int value(void *arg, const struct js_path *p, struct js_val **v, struct js_pos pos,
		 struct err *e)
{
	struct ot *o = arg;

	if (!is_spans(p, rs_at(p))) { /* the resource */
		const struct js_val *attrs = js_get(*v, "attributes");

		for (size_t i = 0; attrs && attrs->type == JS_ARR && i < attrs->n; i++) {
			const char *key = js_text(js_get(attrs->items[i], "key"));
			const char *val = any_text(js_get(attrs->items[i], "value"));

			if (key && val && strcmp(key, "service.name") == 0) {
				free(o->service);
				o->service = xstrdup(val);
			} else if (key && val && strcmp(key, "host.name") == 0) {
				free(o->host);
				o->host = xstrdup(val);
			} else if (key && val && strcmp(key, "telemetry.sdk.name") == 0) {
				o->meshwalk = strcmp(val, "meshwalk") == 0;
			}
		}
		o->have_resource = true;
		return 0;
	}
	if (o->have_resource)
		return add_span(o, *v, pos.line, e);
	if (o->npending >= o->im->max_open_spans)
		return err_set(e, "a resource's spans before its resource over %llu (see "
				  "--max-open-spans)",
			       (unsigned long long)o->im->max_open_spans);
	if (o->npending == o->cap) {
		o->cap = o->cap ? o->cap * 2 : 64;
		o->pending = xrealloc(o->pending, o->cap * sizeof *o->pending);
		o->pending_line = xrealloc(o->pending_line, o->cap * sizeof *o->pending_line);
	}
	o->pending_line[o->npending] = pos.line;
	o->pending[o->npending++] = *v;
	*v = NULL;
	return 0;
}

static void clear(struct ot *o)
{
	for (size_t i = 0; i < o->npending; i++)
		js_free(o->pending[i]);
	o->npending = 0;
	free(o->service);
	free(o->host);
	o->service = o->host = NULL;
	o->meshwalk = false;
	o->have_resource = false;
}

static int end(void *arg, const struct js_path *p, struct js_pos pos, struct err *e)
{
	struct ot *o = arg;
	int r = rs_at(p), rc = 0;

	(void)pos;
	/* a resourceSpans element closes */
	if (r < 0 || p->depth != r + 3 || !in_rs(p, r) || !p->f[r + 2].obj)
		return 0;
	for (size_t i = 0; i < o->npending && rc == 0; i++)
		rc = add_span(o, o->pending[i], o->pending_line[i], e);
	clear(o);
	return rc;
}

static int otlp_read(struct import *im, struct src *s, struct err *e)
{
	static const struct js_ops ops = { want, value, end };
	struct ot o = { .im = im };
	int rc = js_run(s, &ops, &o, e);

	clear(&o);
	free(o.pending);
	free(o.pending_line);
	return rc;
}

static int otlp_sniff(const unsigned char *head, size_t len)
{
	if (!head_starts(head, len, '{'))
		return 0;
	return head_has(head, len, "\"resourceSpans\"") ? 90 : 0;
}

const struct import_reader reader_otlp = {
	.name = "otlp",
	.what = "OTLP JSON (resourceSpans; one request per line accepted)",
	.sniff = otlp_sniff,
	.read = otlp_read,
};
