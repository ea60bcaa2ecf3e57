/* cmd_run.c -- `meshwalk run SCENARIO`: parse options, load, run. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "run/run.h"
#include "run/sweep.h"
#include "scenario/scenario.h"
#include "scenario/sweep.h"
#include "util/log.h"
#include "util/xalloc.h"

enum {
	O_SET = 256,
	O_TIMEOUT,
	O_CHECK,
};

static const struct opt_def run_opts[] = {
	{ "output", 'o', OPT_REQUIRED, 'o', "DIR",
	  "Results directory (default results/NAME-YYYYmmdd-HHMMSS, NAME from the scenario). "
	  "It must not exist yet: results of two runs are never mixed." },
	{ "set", 0, OPT_REQUIRED, O_SET, "KEY=VALUE",
	  "Override one scenario value before the run (repeatable): name, seed, "
	  "services.NAME.replicas, services.NAME.node, clients.NAME.to, clients.NAME.args, "
	  "clients.NAME.delay. Recorded in run.json." },
	{ "timeout", 0, OPT_REQUIRED, O_TIMEOUT, "DURATION",
	  "Stop the whole run, and fail it, if it has not finished after DURATION "
	  "(default: no limit; bare numbers are seconds)." },
	{ "check", 0, OPT_NONE, O_CHECK, NULL,
	  "Only load and validate the scenario (and overrides), print what would run, and exit." },
	{ "quiet", 'q', OPT_NONE, 'q', NULL, "Do not print progress lines and the report." },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit." },
	{ 0 },
};

static const char run_usage[] = "meshwalk run [OPTIONS] SCENARIO";
static const char run_intro[] =
	"Runs a whole experiment described in a YAML scenario file (docs/scenario.md) on\n"
	"this machine: starts every service's replicas as meshwalk nodes on 127.0.0.1,\n"
	"runs the client groups, stops everything it started (also on Ctrl-C, a node that\n"
	"dies or a client error) and leaves one results directory (docs/results.md).\n"
	"A scenario with a sweep key runs once per cell of its parameter grid, each cell\n"
	"into its own results directory (docs/scenario.md, Sweeps).\n"
	"Exit status: 0 when every client group succeeded, 1 when a group or node failed,\n"
	"2 on a usage or scenario error, 130 when interrupted.";

void cmd_run_man(FILE *f)
{
	opt_print_man(f, "meshwalk-run", "run a scenario of nodes and clients on this machine",
		      run_usage, run_intro, run_opts,
		      ".SH FILES\nThe scenario format is described in docs/scenario.md; the results "
		      "directory in docs/results.md.\n.SH SEE ALSO\nmeshwalk\\-node(1), "
		      "meshwalk\\-client(1)\n");
}

int cmd_run(int argc, char **argv)
{
	struct run_config c = { 0 };
	struct opt_parser p;
	struct scenario s;
	struct err e;
	char **sets = NULL;
	size_t nsets = 0;
	bool check = false;
	int opt, rc = 0;

	log_set_name("meshwalk run");
	opt_build(run_opts, &p);
	optind = 1;
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (opt) {
		case 'o':
			c.out_dir = optarg;
			break;
		case O_SET:
			sets = xrealloc(sets, (nsets + 1) * sizeof *sets);
			sets[nsets++] = optarg;
			break;
		case O_TIMEOUT:
			if (opt_duration("--timeout", optarg, false, &c.timeout_ns) < 0)
				rc = 2;
			break;
		case O_CHECK:
			check = true;
			break;
		case 'q':
			c.quiet = true;
			break;
		case 'h':
			opt_print_help(stdout, run_usage, run_intro, run_opts);
			opt_free(&p);
			free(sets);
			return 0;
		case ':':
			log_msg("option %s needs a value", argv[optind - 1]);
			rc = 2;
			break;
		default:
			log_msg("unknown option '%s' (see meshwalk run --help)", argv[optind - 1]);
			rc = 2;
			break;
		}
	}
	opt_free(&p);
	if (rc == 0 && optind != argc - 1) {
		log_msg(optind >= argc ? "missing the scenario file (see meshwalk run --help)"
				       : "one scenario file at a time (see meshwalk run --help)");
		rc = 2;
	}
	if (rc) {
		free(sets);
		return rc;
	}
	if (scenario_load(argv[optind], sets, nsets, &s, &e) < 0) {
		if (e.line)
			log_msg("%s:%d:%d: %s", argv[optind], e.line, e.col ? e.col : 1, e.msg);
		else
			log_msg("%s: %s", argv[optind], e.msg);
		scenario_free(&s);
		free(sets);
		return 2;
	}
	if (check) {
		printf("scenario %s: %zu service%s, %zu client group%s\n", s.name, s.nservices,
		       s.nservices == 1 ? "" : "s", s.nclients, s.nclients == 1 ? "" : "s");
		for (size_t i = 0; i < s.nservices; i++) {
			const struct scenario_service *svc = &s.services[i];
			const struct scenario_link *l = &svc->link;

			printf("  service %s: %d replica%s", svc->name, svc->replicas,
			       svc->replicas == 1 ? "" : "s");
			for (size_t k = 0; k < svc->nroutes; k++)
				printf("%s%s", k ? ", " : (svc->nroutes == 1 ? ", route " : ", routes "),
				       svc->routes[k].name);
			if (svc->level > 0)
				printf(" (starts in wave %d, after the services its routes reference)",
				       svc->level + 1);
			if (l->delay)
				printf(", link delay %s", l->delay);
			if (l->rate_bps)
				printf(", link rate %llu bit/s", (unsigned long long)l->rate_bps);
			if (svc->serverless.set)
				printf(", serverless (a Knative Service under meshwalk deploy)");
			printf("\n");
		}
		if (network_used(&s))
			printf("  network: mode %s\n", network_mode_name(s.network.mode));
		for (size_t i = 0; i < s.network.nlinks; i++)
			printf("  link %s <-> %s: delay %s\n", s.network.links[i].between[0],
			       s.network.links[i].between[1], s.network.links[i].link.delay);
		for (size_t i = 0; i < s.nclients; i++)
			printf("  client %s -> %s%s%s\n", s.clients[i].name, s.clients[i].to,
			       s.clients[i].route ? ", route " : "",
			       s.clients[i].route ? s.clients[i].route : "");
		if (s.sweep) {
			size_t n = sweep_ncells(s.sweep);
			int g = sweep_group(&s, s.sweep);

			printf("  sweep of client %s: %zu cell%s\n", s.clients[g].name, n, n == 1 ? "" : "s");
			for (size_t i = 0; i < n; i++) {
				struct scenario_argv a = { 0 };
				char *name = sweep_cell_name(s.sweep, i);

				sweep_args(s.sweep, i, &s.clients[g].args, &a);
				printf("    %s:", name);
				for (size_t k = 0; k < a.n; k++)
					printf(" %s", a.v[k]);
				printf("\n");
				free(name);
				scenario_argv_free(&a);
			}
		}
		scenario_free(&s);
		free(sets);
		return 0;
	}
	char *exe = opt_self_exe();

	if (exe == NULL) {
		log_msg("cannot find my own executable: %s", strerror(errno));
		rc = 1;
	} else {
		c.exe = exe;
		c.overrides = sets;
		c.noverrides = nsets;
		rc = s.sweep ? run_sweep(&c, &s) : run_scenario(&c, &s);
	}
	free(exe);
	scenario_free(&s);
	free(sets);
	return rc;
}
