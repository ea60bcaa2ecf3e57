/* read_jaeger.c -- Jaeger JSON: the UI's export and the query API's answer
 * ({"data": [TRACE...]}), one trace object alone ({"traceID", "spans",
 * "processes"}), the UI's {"data": TRACE}, or an array of traces. Times are
 * us. A span's service is in its trace's "processes" (by processID), which
 * may come after the spans: the spans of one trace object are held until it
 * closes (at most the import's open-span bound), then added and the trace
 * finished. Parent: the first CHILD_OF reference, else the first
 * FOLLOWS_FROM, else "parentSpanID"; the other references become links.
 * The host (whose clock the times are on) is a process tag: "hostname" (the
 * Jaeger clients' tag), "host.name" (OpenTelemetry's resource attribute, as
 * Jaeger's OTLP receiver keeps it), else "ip" (a Jaeger client's address:
 * one clock per address, as good as it gets). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "import/reader.h"
#include "util/xalloc.h"

#define ID_MAX 256

struct jg {
	struct import *im;
	struct strmap procs; /* process id -> index in names */
	char **names;
	char **hosts; /* per process: its host, NULL when unknown */
	size_t nnames;
	struct js_val **pending;
	uint64_t *pending_line;
	size_t npending, cap;
};

/* A trace object sits at path depth d: the root, "data", "data"[i], or [i]. */
static bool trace_at(const struct js_path *p, int d)
{
	if (d == 0)
		return true;
	if (d == 1)
		return js_at_key(p, 0, "data") || js_at_arr(p, 0);
	return d == 2 && js_at_key(p, 0, "data") && js_at_arr(p, 1);
}

static bool want(void *arg, const struct js_path *p, enum js_type type)
{
	int d = p->depth - 2;

	(void)arg;
	if (type != JS_OBJ || d < 0 || d > 2 || !trace_at(p, d))
		return false;
	return (js_at_key(p, d, "spans") && js_at_arr(p, d + 1)) ||
	       (js_at_key(p, d, "processes") && p->f[d + 1].obj);
}

static int time_us(const struct js_val *v, int64_t *ns)
{
	uint64_t u;

	if (v->type != JS_NUM && v->type != JS_STR)
		return -EINVAL;
	if (parse_u64(v->str, &u) < 0 || scale_ns(u, 1000, ns) < 0)
		return -EINVAL;
	return 0;
}

/* A process's host from its tags (see above); borrowed from proc. */
static const char *process_host(const struct js_val *proc)
{
	const struct js_val *tags = js_get(proc, "tags");
	const char *ip = NULL;

	for (size_t i = 0; tags && tags->type == JS_ARR && i < tags->n; i++) {
		const char *key = js_text(js_get(tags->items[i], "key"));
		const char *val = js_scalar(js_get(tags->items[i], "value"));

		if (key == NULL || val == NULL || *val == '\0')
			continue;
		if (strcmp(key, "hostname") == 0 || strcmp(key, "host.name") == 0)
			return val;
		if (strcmp(key, "ip") == 0 && ip == NULL)
			ip = val;
	}
	return ip;
}

static int add_span(struct jg *g, const struct js_val *v, uint64_t line, struct err *e)
{
	char tid[ID_MAX], sid[ID_MAX], pid[ID_MAX] = "";
	struct span_ref_in refs[16];
	char ref_ids[16][ID_MAX], ref_tids[16][ID_MAX];
	struct span_in in;
	const struct js_val *x, *tags;
	const char *s;

	span_in_init(&in);
	in.pos = line;
	s = js_text(js_get(v, "spanID"));
	if (s == NULL || norm_id(s, sid, sizeof sid) < 0 || !*sid)
		return span_fail(e, line, NULL, "no valid \"spanID\"");
	s = js_text(js_get(v, "traceID"));
	if (s == NULL || norm_id(s, tid, sizeof tid) < 0 || !*tid)
		return span_fail(e, line, sid, "no valid \"traceID\"");
	in.trace_id = tid;
	in.id = sid;
	in.operation = js_text(js_get(v, "operationName"));
	x = js_get(v, "startTime");
	if (x && x->type != JS_NULL) {
		const struct js_val *d = js_get(v, "duration");

		if (time_us(x, &in.start_ns) < 0)
			return span_fail(e, line, sid, "\"startTime\" is not a time in us");
		if (d && time_us(d, &in.dur_ns) < 0)
			return span_fail(e, line, sid, "\"duration\" is not a time in us");
		in.has_time = in.start_ns > 0;
	}
	/* references: the parent, then links */
	x = js_get(v, "references");
	int parent_ref = -1;
	for (size_t pass = 0; pass < 2 && x && x->type == JS_ARR; pass++) {
		const char *want_type = pass == 0 ? "CHILD_OF" : "FOLLOWS_FROM";

		for (size_t i = 0; i < x->n && parent_ref < 0; i++) {
			const char *rt = js_text(js_get(x->items[i], "refType"));
			const char *rs = js_text(js_get(x->items[i], "spanID"));

			if (rt && rs && strcmp(rt, want_type) == 0 && norm_id(rs, pid, sizeof pid) == 0 &&
			    *pid) {
				parent_ref = (int)i;
				in.parent_type = pass ? SPAN_REF_FOLLOWS_FROM : SPAN_REF_CHILD_OF;
			}
		}
	}
	for (size_t i = 0; x && x->type == JS_ARR && i < x->n && in.nrefs < 16; i++) {
		const char *rt = js_text(js_get(x->items[i], "refType"));
		const char *rs = js_text(js_get(x->items[i], "spanID"));
		const char *rtid = js_text(js_get(x->items[i], "traceID"));
		uint32_t k = in.nrefs;

		if ((int)i == parent_ref || rs == NULL || norm_id(rs, ref_ids[k], ID_MAX) < 0)
			continue;
		refs[k].span_id = ref_ids[k];
		refs[k].trace_id = NULL;
		if (rtid && norm_id(rtid, ref_tids[k], ID_MAX) == 0 && strcmp(ref_tids[k], tid) != 0)
			refs[k].trace_id = ref_tids[k];
		refs[k].type = rt && strcmp(rt, "FOLLOWS_FROM") == 0 ? SPAN_REF_FOLLOWS_FROM
								     : SPAN_REF_CHILD_OF;
		in.nrefs++;
	}
	in.refs = refs;
	if (parent_ref < 0 && (s = js_text(js_get(v, "parentSpanID"))) != NULL &&
	    norm_id(s, pid, sizeof pid) < 0)
		return span_fail(e, line, sid, "\"parentSpanID\" too long");
	in.parent_id = pid;
	/* the service: the trace's process, or the span's own "process" */
	s = js_text(js_get(v, "processID"));
	uint64_t *k = s ? strmap_get(&g->procs, s, strlen(s)) : NULL;
	in.service = k ? g->names[*k] : js_text(js_get(js_get(v, "process"), "serviceName"));
	in.host = k ? g->hosts[*k] : process_host(js_get(v, "process"));
	if (in.service == NULL)
		return span_fail(e, line, sid, "no service (no process with its processID)");
	tags = js_get(v, "tags");
	for (size_t i = 0; tags && tags->type == JS_ARR && i < tags->n; i++) {
		const char *key = js_text(js_get(tags->items[i], "key"));

		if (key)
			span_tag(&in, key, js_scalar(js_get(tags->items[i], "value")));
	}
	return import_add(g->im, &in, e) < 0 ? span_fail(e, line, sid, e->msg) : 0;
}

static void clear(struct jg *g)
{
	for (size_t i = 0; i < g->npending; i++)
		js_free(g->pending[i]);
	g->npending = 0;
	for (size_t i = 0; i < g->nnames; i++) {
		free(g->names[i]);
		free(g->hosts[i]);
	}
	free(g->names);
	free(g->hosts);
	g->names = NULL;
	g->hosts = NULL;
	g->nnames = 0;
	strmap_free(&g->procs);
	strmap_init(&g->procs);
}

static int value(void *arg, const struct js_path *p, struct js_val **v, struct js_pos pos,
		 struct err *e)
{
	struct jg *g = arg;
	int d = p->depth - 2;

	if (js_at_key(p, d, "processes")) {
		const char *name = js_text(js_get(*v, "serviceName"));
		const char *host = process_host(*v);
		bool added;
		uint64_t *k;

		if (name == NULL) {
			err_set(e, "process %s without a \"serviceName\"", p->f[d + 1].key);
			return -EINVAL;
		}
		k = strmap_put(&g->procs, p->f[d + 1].key, strlen(p->f[d + 1].key), g->nnames, &added,
			       NULL);
		if (added && g->nnames >= g->im->max_open_spans) {
			err_set(e, "a trace object of more than %llu processes (see --max-open-spans)",
				(unsigned long long)g->im->max_open_spans);
			return -EINVAL;
		}
		if (added) {
			g->names = xrealloc(g->names, (g->nnames + 1) * sizeof *g->names);
			g->hosts = xrealloc(g->hosts, (g->nnames + 1) * sizeof *g->hosts);
			g->names[g->nnames] = xstrdup(name);
			g->hosts[g->nnames++] = host ? xstrdup(host) : NULL;
		} else {
			free(g->names[*k]);
			free(g->hosts[*k]);
			g->names[*k] = xstrdup(name);
			g->hosts[*k] = host ? xstrdup(host) : NULL;
		}
		return 0;
	}
	if (g->npending >= g->im->max_open_spans) {
		err_set(e, "a trace object of more than %llu spans (see --max-open-spans)",
			(unsigned long long)g->im->max_open_spans);
		return -EINVAL;
	}
	if (g->npending == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 64;
		g->pending = xrealloc(g->pending, g->cap * sizeof *g->pending);
		g->pending_line = xrealloc(g->pending_line, g->cap * sizeof *g->pending_line);
	}
	g->pending_line[g->npending] = pos.line;
	g->pending[g->npending++] = *v;
	*v = NULL;
	return 0;
}

static int end(void *arg, const struct js_path *p, struct js_pos pos, struct err *e)
{
	struct jg *g = arg;
	int d = p->depth - 1;
	int rc = 0;

	(void)pos;
	if (!p->f[d].obj || !trace_at(p, d))
		return 0;
	for (size_t i = 0; i < g->npending && rc == 0; i++)
		rc = add_span(g, g->pending[i], g->pending_line[i], e);
	/* One trace object holds the whole trace: finish it now. */
	for (size_t i = 0; i < g->npending && rc == 0; i++) {
		char tid[ID_MAX];
		const char *s = js_text(js_get(g->pending[i], "traceID"));

		if (s && norm_id(s, tid, sizeof tid) == 0)
			import_flush_trace(g->im, tid);
	}
	clear(g);
	return rc;
}

static int jaeger_read(struct import *im, struct src *s, struct err *e)
{
	static const struct js_ops ops = { want, value, end };
	struct jg g = { .im = im };
	int rc;

	strmap_init(&g.procs);
	rc = js_run(s, &ops, &g, e);
	clear(&g);
	strmap_free(&g.procs);
	free(g.pending);
	free(g.pending_line);
	return rc;
}

static int jaeger_sniff(const unsigned char *head, size_t len)
{
	if (!head_starts(head, len, '{') && !head_starts(head, len, '['))
		return 0;
	if (head_has(head, len, "\"resourceSpans\""))
		return 0;
	if (head_has(head, len, "\"spanID\"") || head_has(head, len, "\"traceID\"") ||
	    head_has(head, len, "\"processID\"") || head_has(head, len, "\"operationName\""))
		return 80;
	return 0;
}

const struct import_reader reader_jaeger = {
	.name = "jaeger",
	.what = "Jaeger JSON (UI export, query API, one trace object)",
	.sniff = jaeger_sniff,
	.read = jaeger_read,
};
