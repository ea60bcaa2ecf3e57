/* outputs.c -- what a run writes when it ends, through results/: run.json
 * (what ran, where, how it ended) and the merged summary.json (every
 * group's requests.csv read back into one histogram), and the terminal
 * report, each group's part from its summary.json (run_int.h). */
#include "run/run_int.h"

#include <inttypes.h>
#include <stdio.h>

#include "results/files.h"
#include "results/requests.h"
#include "results/run_json.h"
#include "results/status.h"
#include "results/summary_json.h"
#include "results/summary_text.h"
#include "stats/hist.h"
#include "util/log.h"
#include "util/xalloc.h"

struct totals {
	struct hist *lat;
	uint64_t rows, count[RESULTS_NSTATUS];
};

static void add_row(enum results_status st, double latency_us, void *arg)
{
	struct totals *t = arg;

	t->rows++;
	t->count[st]++;
	if (st == RESULTS_OK)
		hist_record(t->lat, (uint64_t)(latency_us * 1000 + 0.5));
}

void write_run_json(struct run *r, time_t started, time_t ended, int rc)
{
	const struct scenario *s = r->s;
	struct run_json_service *svc = xcalloc(s->nservices + 1, sizeof *svc);
	struct run_json_client *cl = xcalloc(s->nclients + 1, sizeof *cl);
	const char ***addrs = xcalloc(s->nservices + 1, sizeof *addrs);
	struct err e;

	for (size_t i = 0; i < s->nservices; i++) {
		addrs[i] = xcalloc((size_t)s->services[i].replicas + 1, sizeof **addrs);
		for (int k = 0; k < s->services[i].replicas; k++)
			addrs[i][k] = r->replicas[i][k].addr;
		svc[i] = (struct run_json_service){ s->services[i].name, addrs[i],
						    (size_t)s->services[i].replicas };
	}
	for (size_t g = 0; g < s->nclients; g++)
		cl[g] = (struct run_json_client){ s->clients[g].name, r->groups[g].command,
						  r->groups[g].started && r->groups[g].exit_code >= 0,
						  r->groups[g].exit_code };
	struct run_json j = {
		.scenario = s->name, .scenario_file = s->path,
		.overrides = (const char *const *)r->cfg->overrides, .noverrides = r->cfg->noverrides,
		.seed = r->seed, .started = started, .ended = ended,
		.emulation = !r->emulated ? "none" : r->namespaces ? "namespaces" : "loopback",
		.bridge = r->namespaces ? r->lab.bridge : NULL, .subnet = r->lab.subnet,
		.services = svc, .nservices = s->nservices,
		.status = results_run_status(r->interrupted, rc), .exit_status = rc,
		.failure = r->failure, .clients = cl, .nclients = s->nclients,
	};
	if (run_json_write(r->dir, &j, &e) < 0)
		log_msg("%s", e.msg);
	for (size_t i = 0; i < s->nservices; i++)
		free(addrs[i]);
	free(addrs);
	free(svc);
	free(cl);
}

/* Each group's summary, printed from its summary.json by the function the
 * client prints its own with (results/summary_text.h), then the whole
 * run's line. A group that left no summary.json shows its heading only. */
static void print_report(const struct run *r, const struct totals *t, int rc)
{
	for (size_t g = 0; g < r->s->nclients; g++) {
		char path[600];
		struct err e;

		if (!r->groups[g].started)
			continue;
		printf("== client %s (exit %d)\n", r->s->clients[g].name, r->groups[g].exit_code);
		results_path(path, sizeof path, r->groups[g].dir, RESULTS_SUMMARY_JSON);
		summary_text_print_file(stdout, path, &e);
	}
	printf("== run %s: %s; %" PRIu64 " requests, %" PRIu64 " ok", r->s->name,
	       results_run_status(r->interrupted, rc), t->rows, t->count[RESULTS_OK]);
	if (t->count[RESULTS_OK])
		printf("; latency us p50 %.1f p99 %.1f p99.9 %.1f max %.1f",
		       hist_percentile(t->lat, 50) / 1e3, hist_percentile(t->lat, 99) / 1e3,
		       hist_percentile(t->lat, 99.9) / 1e3, hist_max(t->lat) / 1e3);
	printf("\nresults: %s\n", r->dir);
	fflush(stdout);
}

/* Merges every group's latencies; writes summary.json; prints the report. */
void write_summary(struct run *r, int rc)
{
	struct totals t = { 0 };
	char path[600];
	const char **names;

	if (hist_create(&t.lat) < 0)
		return;
	for (size_t g = 0; g < r->s->nclients; g++) {
		uint64_t n;
		struct err e;

		if (!r->groups[g].started)
			continue;
		results_path(path, sizeof path, r->groups[g].dir, RESULTS_REQUESTS_CSV);
		/* A group killed mid-row leaves a bad last line: the rows before
		 * it still count. */
		requests_scan(path, add_row, &t, &e);
		results_path(path, sizeof path, r->groups[g].dir, RESULTS_SUMMARY_JSON);
		n = summary_json_unsent_interrupted(path);
		t.rows += n;
		t.count[RESULTS_UNSENT] += n;
	}
	names = xcalloc(r->s->nclients + 1, sizeof *names);
	for (size_t g = 0; g < r->s->nclients; g++)
		names[g] = r->s->clients[g].name;
	struct summary_json_run sj = {
		.groups = names, .ngroups = r->s->nclients,
		.status = results_run_status(r->interrupted, rc), .requests = t.rows,
		.ok = t.count[RESULTS_OK], .errors = t.count[RESULTS_ERROR],
		.timeouts = t.count[RESULTS_TIMEOUT], .lost = t.count[RESULTS_LOST],
		.unsent = t.count[RESULTS_UNSENT], .lat = t.lat,
	};
	results_path(path, sizeof path, r->dir, RESULTS_SUMMARY_JSON);
	summary_json_write_run(path, &sj);
	free(names);
	if (!r->cfg->quiet)
		print_report(r, &t, rc);
	hist_destroy(t.lat);
}
