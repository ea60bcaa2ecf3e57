/* outputs.c -- what a client run writes: each thread's buffered lines and
 * CSV rows, the files it opens, the totals merged from the threads, the
 * JSON summary (results/summary_json.h) and the summary on stdout, printed
 * from that JSON (results/summary_text.h). */
#include "client/client_int.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/requests.h"
#include "results/summary_json.h"
#include "results/summary_text.h"
#include "util/log.h"
#include "util/xalloc.h"

pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;

void out_flush(struct out *o)
{
	if (o->f == NULL || o->len == 0)
		return;
	pthread_mutex_lock(&out_lock);
	fwrite(o->buf, 1, o->len, o->f);
	fflush(o->f);
	pthread_mutex_unlock(&out_lock);
	o->len = 0;
}

void out_printf(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->f == NULL)
		return;
	if (o->len > OUT_FLUSH)
		out_flush(o);
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->len, 4096, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += (size_t)(n < 4096 ? n : 4095);
	if (o->each_line)
		out_flush(o);
}

void csv_row(struct cthread *p, uint64_t seq, enum req_status st, int64_t intended, int64_t sent,
	     int64_t recv)
{
	int n;

	if (p->csv.f == NULL)
		return;
	if (p->csv.len > OUT_FLUSH)
		out_flush(&p->csv);
	n = requests_format_row(p->csv.buf + p->csv.len, 4096, p->index, p->sess, seq,
				(enum results_status)st, p->t0, intended, sent, recv);
	if (n > 0)
		p->csv.len += (size_t)(n < 4096 ? n : 4095);
}

/* The target as the user wrote its transport: "udp://127.0.0.1:7891" over UDP. */
static const char *target_str(const struct client_config *c, char *buf, size_t len)
{
	char a[SOCK_ADDR_STRLEN];

	snprintf(buf, len, "%s%s", sock_proto_scheme(c->to.proto),
		 sock_addr_str((const struct sockaddr *)&c->to.ss, a, sizeof a));
	return buf;
}

/* The summary of the run, as summary.json holds it; target and prog are
 * its buffers. */
static void summary_of(const struct client_config *c, const struct totals *t, bool rate_missed,
		       const char *first_error, char target[SOCK_ADDR_STRLEN + 8], char prog[2048],
		       struct summary_json_client *s)
{
	if (c->route)
		snprintf(prog, 2048, "ROUTE(%s)", c->route);
	else
		prog_describe(c->prog, prog, 2048);
	*s = (struct summary_json_client){
		.target = target_str(c, target, SOCK_ADDR_STRLEN + 8), .program = prog,
		.command_line = c->command_line,
		.seed = c->seed, .threads = c->threads, .sessions = c->sessions,
		.requests = c->requests, .sent = t->sent, .ok = t->ok, .errors = t->errors,
		.timeouts = t->timeouts, .lost = t->lost, .unsent = t->unsent,
		.unsent_interrupted = t->not_started, .duration_ns = t->duration_ns,
		.target_rate = t->target_rate, .achieved_rate = t->achieved_rate,
		.rate_missed = rate_missed, .first_error = first_error, .lat = t->lat, .svc = t->svc,
		.lag = t->lag, .conn = c->conn_times ? t->conn : NULL, .traced = t->traced,
		.trace_recorded = t->trace.recorded, .trace_exported = t->trace.exported,
		.trace_dropped = t->trace.dropped, .trace_post_failed = t->trace.post_failed,
	};
}

/* --csv and -o: opened (and their headers written) before any thread runs,
 * so a wrong path stops the run before it starts. */
int outputs_open(const struct client_config *c, struct outfiles *o)
{
	o->csv = o->dwf = NULL;
	if (c->csv_path) {
		o->csv = fopen(c->csv_path, "w");
		if (o->csv == NULL) {
			log_msg("cannot write %s: %s", c->csv_path, strerror(errno));
			return -1;
		}
		fputs(REQUESTS_CSV_HEADER, o->csv);
	}
	if (c->dw_out.path && (o->dwf = fopen(c->dw_out.path, "w")) == NULL) {
		log_msg("cannot write %s: %s", c->dw_out.path, strerror(errno));
		if (o->csv)
			fclose(o->csv);
		return -1;
	}
	if (o->dwf) {
		char head[128];

		dw_outfile_header(&c->dw_out, c->nano, head, sizeof head);
		fputs(head, o->dwf);
	}
	return 0;
}

/* Thread p's output streams over the run's files. */
void outputs_thread(const struct client_config *c, const struct outfiles *o, struct cthread *p)
{
	if (c->per_request_text || o->dwf) {
		p->text.f = o->dwf ? o->dwf : stdout;
		p->text.each_line = c->interactive_output;
		p->text.buf = xmalloc(OUT_FLUSH + 4096);
	}
	if (o->csv) {
		p->csv.f = o->csv;
		p->csv.buf = xmalloc(OUT_FLUSH + 4096);
	}
}

/* Closes the files; -1 when one could not be written. */
int outputs_close(const struct client_config *c, struct outfiles *o)
{
	int rc = 0;

	if (o->csv && fclose(o->csv) != 0) {
		log_msg("cannot write %s: %s", c->csv_path, strerror(errno));
		rc = -1;
	}
	if (o->dwf && fclose(o->dwf) != 0) {
		log_msg("cannot write %s: %s", c->dw_out.path, strerror(errno));
		rc = -1;
	}
	return rc;
}

/* Adds joined thread p's counts, histograms and rates into t. */
void totals_add(const struct client_config *c, struct totals *t, const struct cthread *p)
{
	hist_add(t->lat, p->lat);
	hist_add(t->svc, p->svc);
	hist_add(t->lag, p->lag);
	hist_add(t->conn, p->conn);
	t->ok += p->ok;
	t->errors += p->errors;
	t->timeouts += p->timeouts;
	t->lost += p->lost;
	t->unsent += p->unsent;
	t->not_started += p->not_started;
	t->sent += p->nsent;
	/* Rates add across threads; each is measured on its own schedule. */
	if (p->nsent > 1 && p->last_sent > p->first_sent) {
		double span_sent = (double)(p->last_sent - p->first_sent);
		double span_int = (double)(p->last_intended - p->first_intended);

		/* From the first intended send: a late first request
		 * must not make the rate look higher than it was. */
		if (c->pacing != PACER_CLOSED && p->first_intended < p->first_sent)
			span_sent = (double)(p->last_sent - p->first_intended);
		t->achieved_rate += (p->nsent - 1) * 1e9 / span_sent;
		if (c->pacing != PACER_CLOSED && span_int > 0)
			t->target_rate += (p->nsent - 1) * 1e9 / span_int;
	}
	if (p->nsent > 0 && p->last_sent - p->t0 > t->duration_ns)
		t->duration_ns = p->last_sent - p->t0;
}

/* The summary on stdout, the warnings and the JSON summary; returns the
 * exit status they make (0 or 1). */
int outputs_summary(const struct client_config *c, const struct totals *t, const char *first_error)
{
	int status = 0;
	uint64_t failed = t->errors + t->timeouts + t->lost + t->unsent;
	double miss = t->target_rate > 0 ? t->achieved_rate / t->target_rate - 1.0 : 0.0;
	bool rate_missed = t->target_rate > 0 && fabs(miss) > 0.005;
	char target[SOCK_ADDR_STRLEN + 8], prog[2048];
	struct summary_json_client s;
	struct err e;

	summary_of(c, t, rate_missed, first_error, target, prog, &s);
	/* printed from the summary.json it writes (results/summary_text.h) */
	if (c->summary) {
		if (summary_text_print_client(stdout, &s, c->per_request_text, &e) < 0)
			log_msg("%s", e.msg);
		fflush(stdout);
	}
	if (rate_missed)
		log_msg("warning: achieved rate %.1f req/s misses the target %.1f req/s by %+.2f%%%s",
			t->achieved_rate, t->target_rate, miss * 100,
			c->strict_rate ? " (--strict-rate: failing the run)" : "");
	if (failed > 0) {
		log_msg("%" PRIu64 " of %" PRIu64 " requests did not complete%s%s", failed,
			(uint64_t)c->threads * c->requests, first_error ? "; first error: " : "",
			first_error ? first_error : "");
		status = 1;
	}
	if (rate_missed && c->strict_rate)
		status = 1;
	if (c->json_path && summary_json_write_client(c->json_path, &s) < 0)
		status = 1;
	return status;
}
