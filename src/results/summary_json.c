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

/* The client's summary.json, the whole file, into f. */
static void put_client(FILE *f, const struct summary_json_client *s)
{
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
	json_hist(f, "send_lag", s->lag, false);
	if (s->conn != NULL)
		json_hist(f, "connect", s->conn, false);
	/* What the members above round to three decimals and the terminal
	 * summary shows with one, as computed ("%.17g" reads back as the same
	 * double): printed from this file, the summary is the client's to the
	 * last digit, a rate just under its target still "-0.00%". */
	fprintf(f, "  \"unrounded\": {\"target_rate\": ");
	if (s->target_rate > 0)
		fprintf(f, "%.17g", s->target_rate);
	else
		fputs("null", f);
	fprintf(f, ", \"achieved_rate\": %.17g, \"latency_mean\": %.17g, \"service_mean\": %.17g, "
		"\"send_lag_mean\": %.17g", s->achieved_rate, hist_mean(s->lat) / 1e3,
		hist_mean(s->svc) / 1e3, hist_mean(s->lag) / 1e3);
	if (s->conn != NULL)
		fprintf(f, ", \"connect_mean\": %.17g", hist_mean(s->conn) / 1e3);
	fprintf(f, "}\n}\n");
}

int summary_json_write_client(const char *path, const struct summary_json_client *s)
{
	FILE *f = opened(path);

	if (f == NULL)
		return -1;
	put_client(f, s);
	return closed(f, path);
}

char *summary_json_client_text(const struct summary_json_client *s, size_t *len)
{
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (f == NULL) {
		fputs("meshwalk: out of memory\n", stderr); /* as util/xalloc */
		abort();
	}
	put_client(f, s);
	fclose(f);
	return text;
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

/* -- the client's summary read back whole (summary_json_doc) -- */

/* A whole number as written (a count or seed past 2^53 stays exact). */
static int u64_of(const struct jsonin *v, uint64_t *out)
{
	const char *t = jsonin_text(v);
	char *end;

	if (v == NULL || v->type != JSONIN_NUMBER || t == NULL || *t == '-')
		return -1;
	errno = 0;
	*out = strtoull(t, &end, 10);
	return *end || errno ? -1 : 0;
}

static int hist_of(const struct jsonin *v, struct summary_json_hist *h)
{
	static const char *const keys[] = { "min", "mean", "p50", "p90", "p99", "p99_9", "max" };
	double *at[] = { &h->min, &h->mean, &h->p50, &h->p90, &h->p99, &h->p99_9, &h->max };

	*h = (struct summary_json_hist){ .present = v != NULL };
	if (v == NULL)
		return 0;
	if (u64_of(jsonin_get(v, "count"), &h->count) < 0)
		return -1;
	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		if (isnan(*at[i] = jsonin_num(jsonin_get(v, keys[i]))))
			return -1;
	return 0;
}

/* The unrounded figures of object u (a file written before it existed
 * has none: the rounded ones stay). */
static void unrounded(const struct jsonin *u, struct summary_json_doc *d)
{
	static const char *const keys[] = { "achieved_rate", "latency_mean", "service_mean",
					    "send_lag_mean", "connect_mean" };
	double *at[] = { &d->achieved_rate, &d->lat.mean, &d->svc.mean, &d->lag.mean, &d->conn.mean };

	for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
		if (!isnan(jsonin_num(jsonin_get(u, keys[i]))))
			*at[i] = jsonin_num(jsonin_get(u, keys[i]));
	if (d->open_loop && !isnan(jsonin_num(jsonin_get(u, "target_rate"))))
		d->target_rate = jsonin_num(jsonin_get(u, "target_rate"));
}

/* The members the terminal summary shows; the name of the first missing
 * or mistyped one, or NULL. */
static const char *doc_of(const struct jsonin *v, struct summary_json_doc *d)
{
	static const char *const counts[] = { "sent", "ok", "errors", "timeouts", "lost", "unsent",
					      "unsent_interrupted" };
	uint64_t *at[] = { &d->sent, &d->ok, &d->errors, &d->timeouts, &d->lost, &d->unsent,
			   &d->unsent_interrupted };
	const struct jsonin *rate = jsonin_get(v, "target_rate"), *tr = jsonin_get(v, "trace");
	const char *target = jsonin_str(jsonin_get(v, "target"));
	double threads = jsonin_num(jsonin_get(v, "threads"));

	if (target == NULL)
		return "target";
	d->target = xstrdup(target);
	if (!(threads >= 0 && threads <= INT32_MAX))
		return "threads";
	d->threads = (int)threads;
	if (u64_of(jsonin_get(v, "seed"), &d->seed) < 0)
		return "seed";
	for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
		if (u64_of(jsonin_get(v, counts[i]), at[i]) < 0)
			return counts[i];
	if (rate == NULL || (rate->type != JSONIN_NULL && rate->type != JSONIN_NUMBER))
		return "target_rate";
	d->open_loop = rate->type == JSONIN_NUMBER;
	d->target_rate = rate->num;
	if (isnan(d->achieved_rate = jsonin_num(jsonin_get(v, "achieved_rate"))))
		return "achieved_rate";
	if (hist_of(jsonin_get(v, "latency"), &d->lat) < 0 || !d->lat.present)
		return "latency";
	if (hist_of(jsonin_get(v, "service"), &d->svc) < 0 || !d->svc.present)
		return "service";
	if (hist_of(jsonin_get(v, "send_lag"), &d->lag) < 0 || !d->lag.present)
		return "send_lag";
	if (hist_of(jsonin_get(v, "connect"), &d->conn) < 0)
		return "connect";
	unrounded(jsonin_get(v, "unrounded"), d);
	d->traced = tr != NULL;
	if (tr != NULL && (u64_of(jsonin_get(tr, "recorded"), &d->trace_recorded) < 0 ||
			   u64_of(jsonin_get(tr, "exported"), &d->trace_exported) < 0 ||
			   u64_of(jsonin_get(tr, "dropped"), &d->trace_dropped) < 0))
		return "trace";
	return NULL;
}

/* The document in tree v (NULL when it did not parse; freed here). */
static int from_tree(struct jsonin *v, const char *name, struct summary_json_doc *d,
		     struct err *e)
{
	const char *bad;

	if (v == NULL)
		return err_prefix(e, "%s", name);
	bad = v->type == JSONIN_OBJECT ? doc_of(v, d) : "object";
	jsonin_free(v);
	if (bad != NULL) {
		summary_json_doc_free(d);
		return err_set(e, "%s: not a client's summary (no valid %s)", name, bad);
	}
	return 0;
}

int summary_json_parse_client(const char *text, size_t len, const char *name,
			      struct summary_json_doc *d, struct err *e)
{
	struct jsonin *v = NULL;

	*d = (struct summary_json_doc){ 0 };
	jsonin_parse(text, len, &v, e);
	return from_tree(v, name, d, e);
}

int summary_json_load_client(const char *path, struct summary_json_doc *d, struct err *e)
{
	struct jsonin *v = NULL;

	*d = (struct summary_json_doc){ 0 };
	jsonin_load(path, &v, e);
	return from_tree(v, path, d, e);
}

void summary_json_doc_free(struct summary_json_doc *d)
{
	free(d->target);
	d->target = NULL;
}
