/* summary_json.c -- see summary_json.h. */
#include "results/summary_json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/json.h"
#include "util/jsonin.h"
#include "util/log.h"
#include "util/xalloc.h"

/* One histogram member of the client's summary, in microseconds. */
static void json_hist(FILE *f, const char *name, const struct hist *h, bool last)
{
	fprintf(f, "  \"%s\": ", name);
	hist_write_json(h, f, 1e3);
	fprintf(f, "%s\n", last ? "" : ",");
}

static FILE *opened(const char *path)
{
	FILE *f = fopen(path, "w");

	if (f == NULL)
		log_msg("cannot write %s: %s", path, strerror(errno));
	return f;
}

static int closed(FILE *f, const char *path)
{
	if (fclose(f) != 0) {
		log_msg("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int summary_json_write_client(const char *path, const struct summary_json_client *s)
{
	FILE *f = opened(path);

	if (f == NULL)
		return -1;
	fprintf(f, "{\n  \"meshwalk_summary_version\": 1,\n  \"target\": ");
	json_write_string(f, s->target);
	fprintf(f, ",\n  \"program\": ");
	json_write_string(f, s->program);
	fprintf(f, ",\n  \"command_line\": ");
	json_write_string(f, s->command_line ? s->command_line : "");
	fprintf(f,
		",\n  \"seed\": %" PRIu64 ",\n  \"threads\": %d,\n  \"sessions_per_thread\": %" PRIu64
		",\n  \"requests_per_thread\": %" PRIu64 ",\n",
		s->seed, s->threads, s->sessions, s->requests);
	fprintf(f,
		"  \"sent\": %" PRIu64 ",\n  \"ok\": %" PRIu64 ",\n  \"errors\": %" PRIu64
		",\n  \"timeouts\": %" PRIu64 ",\n  \"lost\": %" PRIu64 ",\n  \"unsent\": %" PRIu64
		",\n  \"unsent_interrupted\": %" PRIu64 ",\n  \"not_completed\": %" PRIu64 ",\n",
		s->sent, s->ok, s->errors, s->timeouts, s->lost, s->unsent, s->unsent_interrupted,
		s->errors + s->timeouts + s->lost + s->unsent);
	fprintf(f, "  \"duration_s\": %.6f,\n", s->duration_ns / 1e9);
	if (s->target_rate > 0)
		fprintf(f, "  \"target_rate\": %.3f,\n  \"achieved_rate\": %.3f,\n  \"rate_missed\": %s,\n",
			s->target_rate, s->achieved_rate, s->rate_missed ? "true" : "false");
	else
		fprintf(f, "  \"target_rate\": null,\n  \"achieved_rate\": %.3f,\n  \"rate_missed\": false,\n",
			s->achieved_rate);
	fprintf(f, "  \"first_error\": ");
	if (s->first_error && *s->first_error)
		json_write_string(f, s->first_error);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"units\": \"us\",\n");
	json_hist(f, "latency", s->lat, false);
	json_hist(f, "service", s->svc, false);
	if (s->traced)
		fprintf(f, "  \"trace\": {\"recorded\": %" PRIu64 ", \"exported\": %" PRIu64
			", \"dropped\": %" PRIu64 ", \"post_failed\": %" PRIu64 "},\n",
			s->trace_recorded, s->trace_exported, s->trace_dropped, s->trace_post_failed);
	json_hist(f, "send_lag", s->lag, s->conn == NULL);
	if (s->conn != NULL)
		json_hist(f, "connect", s->conn, true);
	fprintf(f, "}\n");
	return closed(f, path);
}

int summary_json_write_run(const char *path, const struct summary_json_run *s)
{
	FILE *f = opened(path);

	if (f == NULL)
		return -1;
	fprintf(f, "{\n  \"meshwalk_summary_version\": 1,\n  \"scope\": \"run\",\n  \"groups\": [");
	for (size_t g = 0; g < s->ngroups; g++) {
		fprintf(f, "%s", g ? ", " : "");
		json_write_string(f, s->groups[g]);
	}
	fprintf(f,
		"],\n  \"status\": \"%s\",\n  \"requests\": %" PRIu64 ",\n  \"ok\": %" PRIu64
		",\n  \"errors\": %" PRIu64 ",\n  \"timeouts\": %" PRIu64 ",\n  \"lost\": %" PRIu64
		",\n  \"unsent\": %" PRIu64 ",\n  \"units\": \"us\",\n  \"latency\": ",
		s->status, s->requests, s->ok, s->errors, s->timeouts, s->lost, s->unsent);
	hist_write_json(s->lat, f, 1000.0);
	fprintf(f, "\n}\n");
	return closed(f, path);
}

int summary_json_read_client(const char *path, struct summary_json_facts *out)
{
	struct jsonin *v = NULL;
	struct err e;
	const char *prog;
	double n;

	*out = (struct summary_json_facts){ 0, NAN, NAN, NULL };
	if (jsonin_load(path, &v, &e) != 0)
		return -1;
	n = jsonin_num(jsonin_get(v, "unsent_interrupted"));
	out->unsent_interrupted = n >= 0 && isfinite(n) ? (uint64_t)n : 0;
	out->target_rate = jsonin_num(jsonin_get(v, "target_rate"));
	out->achieved_rate = jsonin_num(jsonin_get(v, "achieved_rate"));
	prog = jsonin_str(jsonin_get(v, "program"));
	if (prog)
		out->program = xstrdup(prog);
	jsonin_free(v);
	return 0;
}

uint64_t summary_json_unsent_interrupted(const char *path)
{
	struct summary_json_facts f;

	summary_json_read_client(path, &f);
	free(f.program);
	return f.unsent_interrupted;
}
