/* write_jaeger.c -- see write_jaeger.h. */
#include "import/write_jaeger.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/xalloc.h"

/* A Jaeger process: one service on one host (SPAN_NONE: unknown). */
struct jaeger_proc {
	uint32_t service, host;
};

struct jaeger_out {
	FILE *f;
	char *path;
	uint64_t traces;
	uint32_t *proc;   /* service name id -> its last process number + 1, per trace */
	size_t nproc;
	struct jaeger_proc *procs; /* per trace: process p + 1 is procs[p] */
	uint32_t nprocs, cap_procs;
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

/* The process number (from 1) of span s in the trace being written: a
 * service on two hosts is two processes, each with its own clock. */
static uint32_t process_of(struct jaeger_out *j, const struct span *s)
{
	uint32_t p = j->proc[s->service];

	if (p != 0 && j->procs[p - 1].host == s->host)
		return p;
	for (p = 0; p < j->nprocs; p++)
		if (j->procs[p].service == s->service && j->procs[p].host == s->host)
			break;
	if (p == j->nprocs) {
		if (j->nprocs == j->cap_procs) {
			j->cap_procs = j->cap_procs ? 2 * j->cap_procs : 16;
			j->procs = xrealloc(j->procs, j->cap_procs * sizeof *j->procs);
		}
		j->procs[j->nprocs++] = (struct jaeger_proc){ s->service, s->host };
	}
	j->proc[s->service] = p + 1;
	return p + 1;
}

void jaeger_out_trace(void *arg, const struct import *im, const struct trace *t)
{
	struct jaeger_out *j = arg;
	FILE *f = j->f;

	if (im->names.n > j->nproc) {
		j->proc = xrealloc(j->proc, im->names.n * sizeof *j->proc);
		j->nproc = im->names.n;
	}
	for (uint32_t i = 0; i < t->n; i++)
		j->proc[t->spans[i].service] = 0;
	j->nprocs = 0;
	fprintf(f, "%s{\"traceID\":", j->traces++ ? "," : "");
	json_write_string(f, t->id);
	fputs(",\"spans\":[", f);
	for (uint32_t i = 0; i < t->n; i++) {
		const struct span *s = &t->spans[i];
		bool first = true;

		uint32_t proc = process_of(j, s);

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
		fprintf(f, "],\"logs\":[],\"processID\":\"p%u\",\"warnings\":null}", proc);
	}
	fputs("],\"processes\":{", f);
	for (uint32_t p = 0; p < j->nprocs; p++) {
		bool first = true;

		fprintf(f, "%s\"p%u\":{\"serviceName\":", p ? "," : "", p + 1);
		json_write_string(f, import_name(im, j->procs[p].service));
		fputs(",\"tags\":[", f);
		/* whose clock: the Jaeger clients' tag, which the reader takes back */
		if (j->procs[p].host != SPAN_NONE)
			tag_str(f, &first, "hostname", import_name(im, j->procs[p].host));
		fputs("]}", f);
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
	free(j->procs);
	free(j->path);
	free(j);
	return rc;
}
