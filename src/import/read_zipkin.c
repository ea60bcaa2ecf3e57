/* read_zipkin.c -- Zipkin v2 JSON: an array of spans, an array of traces
 * (arrays of spans, as the API's /traces answers), or spans one per line.
 * Times are us; the service is localEndpoint.serviceName, the peer
 * remoteEndpoint.serviceName; "kind" CLIENT/SERVER/PRODUCER/CONSUMER; an
 * "error" tag marks an error whatever its value. A client and a server may
 * share one span id ("shared": true on the server half): the import links
 * the halves (spans.h). Spans are added as they are read. */
#include <errno.h>
#include <string.h>

#include "import/reader.h"

#define ID_MAX 256

static bool want(void *arg, const struct js_path *p, enum js_type type)
{
	(void)arg;
	if (type != JS_OBJ)
		return false;
	return p->depth == 0 || (p->depth == 1 && js_at_arr(p, 0)) ||
	       (p->depth == 2 && js_at_arr(p, 0) && js_at_arr(p, 1));
}

static int value(void *arg, const struct js_path *p, struct js_val **vp, struct js_pos pos,
		 struct err *e)
{
	struct import *im = arg;
	const struct js_val *v = *vp, *x, *tags;
	char tid[ID_MAX], sid[ID_MAX], pid[ID_MAX] = "";
	struct span_in in;
	const char *s;
	uint64_t u;

	(void)p;
	/* Spans are reported where they end; a span's own start line is not
	 * known to the stream, its last line is. */
	span_in_init(&in);
	in.pos = pos.line;
	s = js_text(js_get(v, "id"));
	if (s == NULL || norm_id(s, sid, sizeof sid) < 0 || !*sid)
		return span_fail(e, pos.line, NULL, "no valid \"id\"");
	s = js_text(js_get(v, "traceId"));
	if (s == NULL || norm_id(s, tid, sizeof tid) < 0 || !*tid)
		return span_fail(e, pos.line, sid, "no valid \"traceId\"");
	s = js_text(js_get(v, "parentId"));
	if (s && norm_id(s, pid, sizeof pid) < 0)
		return span_fail(e, pos.line, sid, "\"parentId\" too long");
	in.trace_id = tid;
	in.id = sid;
	in.parent_id = pid;
	in.operation = js_text(js_get(v, "name"));
	in.service = js_text(js_get(js_get(v, "localEndpoint"), "serviceName"));
	in.peer_service = js_text(js_get(js_get(v, "remoteEndpoint"), "serviceName"));
	in.kind = span_kind_parse(js_text(js_get(v, "kind")));
	x = js_get(v, "shared");
	in.shared = x && x->type == JS_BOOL && x->b;
	x = js_get(v, "timestamp");
	if (x && x->type != JS_NULL) {
		if (x->type != JS_NUM || parse_u64(x->str, &u) < 0 || scale_ns(u, 1000, &in.start_ns) < 0)
			return span_fail(e, pos.line, sid, "\"timestamp\" is not a time in us");
		in.has_time = u > 0;
		x = js_get(v, "duration");
		if (x && x->type != JS_NULL &&
		    (x->type != JS_NUM || parse_u64(x->str, &u) < 0 || scale_ns(u, 1000, &in.dur_ns) < 0))
			return span_fail(e, pos.line, sid, "\"duration\" is not a time in us");
	}
	tags = js_get(v, "tags");
	for (size_t i = 0; tags && tags->type == JS_OBJ && i < tags->n; i++) {
		if (strcmp(tags->keys[i], "error") == 0)
			in.status = SPAN_STATUS_ERROR; /* Zipkin: the tag's presence */
		else
			span_tag(&in, tags->keys[i], js_scalar(tags->items[i]));
	}
	return import_add(im, &in, e) < 0 ? span_fail(e, pos.line, sid, e->msg) : 0;
}

static int zipkin_read(struct import *im, struct src *s, struct err *e)
{
	static const struct js_ops ops = { want, value, NULL };

	return js_run(s, &ops, im, e);
}

static int zipkin_sniff(const unsigned char *head, size_t len)
{
	if (!head_starts(head, len, '[') && !head_starts(head, len, '{'))
		return 0;
	if (head_has(head, len, "\"resourceSpans\"") || head_has(head, len, "\"spanID\""))
		return 0;
	if (head_has(head, len, "\"traceId\"") &&
	    (head_has(head, len, "\"localEndpoint\"") || head_starts(head, len, '[')))
		return 80;
	return 0;
}

const struct import_reader reader_zipkin = {
	.name = "zipkin",
	.what = "Zipkin v2 JSON (array of spans, or of traces)",
	.sniff = zipkin_sniff,
	.read = zipkin_read,
};
