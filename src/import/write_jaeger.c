/* write_jaeger.c -- see write_jaeger.h. */
#include "import/write_jaeger.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/xalloc.h"

struct jaeger_out {
	FILE *f;
	char *path;
	uint64_t traces;
	uint32_t *proc;   /* service name id -> process number + 1, per trace */
	size_t nproc;
};

int jaeger_out_open(const char *path, struct jaeger_out **out, struct err *e)
{
	struct jaeger_out *j = xcalloc(1, sizeof *j);

	j->f = fopen(path, "we");
	if (j->f == NULL) {
		int rc = -errno;

		err_set(e, "cannot create %s: %s", path, strerror(errno));
		free(j);
		return rc;
	}
	j->path = xstrdup(path);
	fputs("{\"data\":[", j->f);
	*out = j;
	return 0;
}

static void tag_str(FILE *f, bool *first, const char *key, const char *val)
{
	fprintf(f, "%s{\"key\":\"%s\",\"type\":\"string\",\"value\":", *first ? "" : ",", key);
	json_write_string(f, val);
	fputc('}', f);
	*first = false;
}

static void tag_int(FILE *f, bool *first, const char *key, int64_t v)
{
	fprintf(f, "%s{\"key\":\"%s\",\"type\":\"int64\",\"value\":%" PRId64 "}", *first ? "" : ",",
		key, v);
	*first = false;
}

void jaeger_out_trace(void *arg, const struct import *im, const struct trace *t)
{
	struct jaeger_out *j = arg;
	FILE *f = j->f;
	uint32_t nextp = 0;

	if (im->names.n > j->nproc) {
		j->proc = xrealloc(j->proc, im->names.n * sizeof *j->proc);
		j->nproc = im->names.n;
	}
	for (uint32_t i = 0; i < t->n; i++)
		j->proc[t->spans[i].service] = 0;
	fprintf(f, "%s{\"traceID\":", j->traces++ ? "," : "");
	json_write_string(f, t->id);
	fputs(",\"spans\":[", f);
	for (uint32_t i = 0; i < t->n; i++) {
		const struct span *s = &t->spans[i];
		bool first = true;

		if (j->proc[s->service] == 0)
			j->proc[s->service] = ++nextp;
		fprintf(f, "%s{\"traceID\":", i ? "," : "");
		json_write_string(f, t->id);
		fputs(",\"spanID\":", f);
		json_write_string(f, s->id);
		fputs(",\"flags\":1,\"operationName\":", f);
		json_write_string(f, import_name(im, s->operation));
		fputs(",\"references\":[", f);
		if (s->parent_id != NULL) {
			fprintf(f, "{\"refType\":\"%s\",\"traceID\":",
				s->parent_type == SPAN_REF_FOLLOWS_FROM ? "FOLLOWS_FROM" : "CHILD_OF");
			json_write_string(f, t->id);
			fputs(",\"spanID\":", f);
			json_write_string(f, s->parent_id);
			fputc('}', f);
		}
		/* start rounded down, end up: a child stays inside its parent */
		int64_t start_us = s->start_ns / 1000, end_us = (s->start_ns + s->dur_ns + 999) / 1000;
		fprintf(f, "],\"startTime\":%" PRId64 ",\"duration\":%" PRId64 ",\"tags\":[",
			start_us, end_us - start_us);
		if (s->kind != SPAN_KIND_UNSET)
			tag_str(f, &first, "span.kind", span_kind_name((enum span_kind)s->kind));
		if (s->status == SPAN_STATUS_ERROR)
			fprintf(f, "%s{\"key\":\"error\",\"type\":\"bool\",\"value\":true}",
				first ? "" : ","), first = false;
		if (s->peer_service != SPAN_NONE)
			tag_str(f, &first, "peer.service", import_name(im, s->peer_service));
		if (s->req_bytes >= 0)
			tag_int(f, &first, "rpc.request.size", s->req_bytes);
		if (s->resp_bytes >= 0)
			tag_int(f, &first, "rpc.response.size", s->resp_bytes);
		fprintf(f, "],\"logs\":[],\"processID\":\"p%u\",\"warnings\":null}", j->proc[s->service]);
	}
	fputs("],\"processes\":{", f);
	for (uint32_t p = 1; p <= nextp; p++)
		for (uint32_t i = 0; i < t->n; i++)
			if (j->proc[t->spans[i].service] == p) {
				fprintf(f, "%s\"p%u\":{\"serviceName\":", p > 1 ? "," : "", p);
				json_write_string(f, import_name(im, t->spans[i].service));
				fputs(",\"tags\":[]}", f);
				break;
			}
	fputs("},\"warnings\":null}", f);
}

int jaeger_out_close(struct jaeger_out *j, struct err *e)
{
	int rc = 0;

	if (j == NULL)
		return 0;
	fputs("],\"total\":0,\"limit\":0,\"offset\":0,\"errors\":null}\n", j->f);
	if (ferror(j->f) | (fclose(j->f) != 0)) {
		rc = -EIO;
		err_set(e, "cannot write %s: %s", j->path, strerror(errno));
	}
	free(j->proc);
	free(j->path);
	free(j);
	return rc;
}
