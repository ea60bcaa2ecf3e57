/* groups.c -- the client groups of a run: each started as a `meshwalk
 * client` process at its delay, writing into clients/NAME/ (results/files.h),
 * and the loop that waits for them (run_int.h). */
#include "run/run_int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "results/files.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

static int start_group(struct run *r, size_t g)
{
	const struct scenario_client *c = &r->s->clients[g];
	struct group *gr = &r->groups[g];
	struct scenario_argv av = { 0 };
	char csv[600], json[600], out[600], errp[600], seed[32];
	struct err e;
	char *to = scenario_expand(r->s, c->to, true, replica_addr, r, &e);

	if (to == NULL) {
		run_fail(r, "client %s: %s", c->name, e.msg);
		return -1;
	}
	if (snprintf(gr->dir, sizeof gr->dir, "%s/" RESULTS_CLIENTS_DIR "/%s", r->dir, c->name) >= (int)sizeof gr->dir ||
	    mkdirs(gr->dir) < 0) {
		free(to);
		run_fail(r, "cannot create %s: %s", gr->dir, strerror(errno));
		return -1;
	}
	results_path(csv, sizeof csv, gr->dir, RESULTS_REQUESTS_CSV);
	results_path(json, sizeof json, gr->dir, RESULTS_SUMMARY_JSON);
	results_path(out, sizeof out, gr->dir, RESULTS_STDOUT);
	results_path(errp, sizeof errp, gr->dir, RESULTS_STDERR);
	snprintf(seed, sizeof seed, "%" PRIu64, r->seed + g);
	const char *fixed[] = { r->cfg->exe, "client", "-q", "--to", to, "--seed", seed,
				"--csv", csv, "--json", json };
	for (size_t j = 0; j < sizeof fixed / sizeof *fixed; j++)
		add_arg(&av, xstrdup(fixed[j]));
	free(to);
	if (c->route) {
		add_arg(&av, xstrdup("--route"));
		add_arg(&av, xstrdup(c->route));
	}
	add_client_tls_args(r, g, &av);
	if (scenario_trace_sample(r->s, g) > 0)
		add_trace_args(&av, gr->dir, c->name, scenario_trace_sample(r->s, g));
	for (size_t j = 0; j < c->args.n; j++) {
		char *x = scenario_expand(r->s, c->args.v[j], false, replica_addr, r, &e);

		if (x == NULL) {
			scenario_argv_free(&av);
			run_fail(r, "client %s: %s", c->name, e.msg);
			return -1;
		}
		add_arg(&av, x);
	}
	gr->command = join_command(av.v);
	pid_t pid = spawn(r, av.v, out, errp, -1);
	scenario_argv_free(&av);
	if (pid < 0) {
		run_fail(r, "cannot start client %s: %s", c->name, strerror((int)-pid));
		return -1;
	}
	gr->proc.pid = pid;
	gr->started = true;
	if (!r->cfg->quiet)
		log_msg("client %s started", c->name);
	return 0;
}

/* Runs the client groups until all have exited, a node dies, the run is
 * interrupted or the timeout passes. */
void run_groups(struct run *r, int64_t t0)
{
	const struct scenario *s = r->s;
	int64_t end = r->cfg->timeout_ns > 0 ? t0 + r->cfg->timeout_ns : INT64_MAX;

	for (;;) {
		int64_t now = clock_now_ns(), next = INT64_MAX;
		bool running = false;

		for (size_t g = 0; g < s->nclients; g++) {
			struct group *gr = &r->groups[g];

			if (!gr->started) {
				if (now >= t0 + s->clients[g].delay_ns) {
					if (start_group(r, g) < 0)
						return;
				} else if (t0 + s->clients[g].delay_ns < next) {
					next = t0 + s->clients[g].delay_ns;
				}
			}
			if (!gr->started || !gr->proc.reaped)
				running = true;
		}
		if (!running)
			return;
		for (size_t i = 0; i < s->nservices; i++)
			for (int k = 0; k < s->services[i].replicas; k++)
				if (r->replicas[i][k].proc.reaped) {
					run_fail(r, "node %s-%d exited during the run (see %s/node.log)",
					     s->services[i].name, k, r->replicas[i][k].dir);
					return;
				}
		if (r->interrupted)
			return;
		if (now >= end) {
			run_fail(r, "the run did not finish within its timeout");
			return;
		}
		wait_events(r, (next < end ? next : end) - now);
	}
}

