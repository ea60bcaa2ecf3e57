/* summary_text.c -- see summary_text.h. */
#include "results/summary_text.h"

#include <inttypes.h>
#include <stdlib.h>

static void print_hist_line(FILE *f, const char *label, const struct summary_json_hist *h)
{
	if (h->count == 0) {
		fprintf(f, "%-34s (no samples)\n", label);
		return;
	}
	fprintf(f, "%-34s min %.1f  mean %.1f  p50 %.1f  p90 %.1f  p99 %.1f  p99.9 %.1f  max %.1f\n",
		label, h->min, h->mean, h->p50, h->p90, h->p99, h->p99_9, h->max);
}

void summary_text_print(FILE *f, const struct summary_json_doc *d, bool sent_pkts)
{
	uint64_t failed = d->errors + d->timeouts + d->lost + d->unsent;

	fprintf(f, "--- meshwalk client summary: %s, %d thread%s, seed %" PRIu64 " ---\n", d->target,
		d->threads, d->threads == 1 ? "" : "s", d->seed);
	fprintf(f, "requests: sent %" PRIu64 ", ok %" PRIu64 ", errors %" PRIu64 ", timeouts %" PRIu64
		", lost %" PRIu64 ", unsent %" PRIu64 " (not completed: %" PRIu64 "%s)\n",
		d->sent, d->ok, d->errors, d->timeouts, d->lost, d->unsent, failed,
		/* DistWalk's "Sent pkts" lines count lost and unsent as errors. */
		sent_pkts && d->lost + d->unsent > 0
			? "; the Sent pkts lines count lost and unsent under error" : "");
	if (d->unsent_interrupted)
		fprintf(f, "interrupted: %" PRIu64 " requests not sent (counted in unsent, no CSV "
			"rows)\n", d->unsent_interrupted);
	if (d->open_loop)
		fprintf(f, "rate: target %.1f req/s, achieved %.1f req/s (%+.2f%%)\n", d->target_rate,
			d->achieved_rate,
			d->target_rate > 0 ? (d->achieved_rate / d->target_rate - 1.0) * 100 : 0.0);
	else
		fprintf(f, "rate: closed loop, achieved %.1f req/s\n", d->achieved_rate);
	print_hist_line(f, "latency (intended send->reply) us:", &d->lat);
	print_hist_line(f, "service (actual send->reply) us:", &d->svc);
	print_hist_line(f, "send lag (actual-intended) us:", &d->lag);
	if (d->conn.present)
		print_hist_line(f, "connect() us:", &d->conn);
	if (d->traced)
		fprintf(f, "traces: %" PRIu64 " spans recorded, %" PRIu64 " exported, %" PRIu64
			" dropped\n", d->trace_recorded, d->trace_exported, d->trace_dropped);
}

int summary_text_print_client(FILE *f, const struct summary_json_client *s, bool sent_pkts,
			      struct err *e)
{
	size_t len;
	char *text = summary_json_client_text(s, &len);
	struct summary_json_doc d;
	int rc = summary_json_parse_client(text, len, "the client's summary", &d, e);

	free(text);
	if (rc == 0)
		summary_text_print(f, &d, sent_pkts);
	summary_json_doc_free(&d);
	return rc;
}

int summary_text_print_file(FILE *f, const char *path, struct err *e)
{
	struct summary_json_doc d;
	int rc = summary_json_load_client(path, &d, e);

	if (rc == 0)
		summary_text_print(f, &d, false);
	summary_json_doc_free(&d);
	return rc;
}
