/* cmd_run.c -- `meshwalk run SCENARIO`: parse options, load, run. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "client/client.h"
#include "node/node.h"
#include "results/files.h"
#include "run/leftovers.h"
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
	O_CLEANUP,
};

/* What the parse fills. */
struct run_args {
	struct run_config c;
	struct opt_list sets; /* --set, in order */
	bool check, cleanup;
};

const struct opt_def run_opts[] = {
	{ "output", 'o', OPT_REQUIRED, 'o', "DIR",
	  "Results directory; it must not exist yet: results of two runs are never mixed. "
	  "Default results/NAME-YYYYmmdd-HHMMSS (NAME from the scenario), with -2, -3... "
	  "appended when that exists, so two quick runs never collide.",
	  .kind = OPT_K_STR, OPT_AT(struct run_args, c.out_dir) },
	{ "set", 0, OPT_REQUIRED, O_SET, "KEY=VALUE",
	  "Override one scenario value before the run (repeatable): name, seed, trace_sample, "
	  "services.NAME.replicas, services.NAME.node, services.NAME.protocol, "
	  "services.NAME.routes.ROUTE, services.NAME.route_prefix (op words run at the start of "
	  "each of the service's routes: a what-if such as '-C 1ms'), clients.NAME.to, "
	  "clients.NAME.args, clients.NAME.delay, clients.NAME.route, clients.NAME.trace_sample. "
	  "Recorded in " RESULTS_RUN_JSON ".",
	  .kind = OPT_K_LIST, OPT_AT(struct run_args, sets) },
	{ "timeout", 0, OPT_REQUIRED, O_TIMEOUT, "DURATION",
	  "Stop the whole run, and fail it, if it has not finished after DURATION "
	  "(default: no limit; bare numbers are seconds).",
	  .kind = OPT_K_NS, OPT_AT(struct run_args, c.timeout_ns), .min = 1 },
	{ "check", 0, OPT_NONE, O_CHECK, NULL,
	  "Only load and validate the scenario (and overrides), parse every client group's "
	  "arguments with the client's own parser and every service's node options with the "
	  "node's (mistakes as FILE:LINE:COL: client NAME: ..., exit 2), print what would run, "
	  "and exit. A run checks the same before it starts.",
	  .kind = OPT_K_FLAG, OPT_AT(struct run_args, check) },
	{ "cleanup", 0, OPT_NONE, O_CLEANUP, NULL,
	  "Remove what runs killed with SIGKILL left, and exit (no SCENARIO): their processes, "
	  "network namespaces mw<PID>-<N>, bridges mwbr<PID> and veths, only when run <PID> is "
	  "gone; a running run is never touched. Namespaces need root. Every run also does "
	  "this before it starts.",
	  .kind = OPT_K_FLAG, OPT_AT(struct run_args, cleanup) },
	{ "quiet", 'q', OPT_NONE, 'q', NULL, "Do not print progress lines and the report.",
	  .kind = OPT_K_FLAG, OPT_AT(struct run_args, c.quiet) },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit.",
	  .kind = OPT_K_HELP },
	{ 0 },
};

static const char run_usage[] = "meshwalk run [OPTIONS] SCENARIO\n       meshwalk run --cleanup";
static const char run_intro[] =
	"Runs a whole experiment described in a YAML scenario file (docs/scenario.md) on\n"
	"this machine: starts every service's replicas as meshwalk nodes on 127.0.0.1,\n"
	"runs the client groups, stops everything it started (also on Ctrl-C, a node that\n"
	"dies or a client error, SIGTERM, SIGHUP and SIGQUIT) and leaves one results\n"
	"directory (docs/results.md).\n"
	"A scenario with a sweep key runs once per cell of its parameter grid, each cell\n"
	"into its own results directory (docs/scenario.md, Sweeps).\n"
	"Services with protocol: ssl, https or grpcs serve certificates of a throwaway CA the\n"
	"run makes in DIR/tls/ (keys mode 0600), unless the scenario names its own (tls:),\n"
	"and every node and client of the run verifies its TLS peers against it, mutually\n"
	"(docs/tls.md, Scenarios).\n"
	"Exit status: 0 when every client group succeeded, 1 when a group or node failed,\n"
	"2 on a usage or scenario error, 130 when interrupted. --cleanup: 0 when nothing of a\n"
	"killed run is left, 1 otherwise.";

void cmd_run_man(FILE *f)
{
	opt_print_man(f, "meshwalk-run", "run a scenario of nodes and clients on this machine",
		      run_usage, run_intro, run_opts,
		      ".SH FILES\nThe scenario format is described in docs/scenario.md; the results "
		      "directory in docs/results.md.\n.SH SEE ALSO\nmeshwalk\\-node(1), "
		      "meshwalk\\-client(1)\n");
}

/* --cleanup: what killed runs left, with each `ip` command on stdout. */
static int cleanup_leftovers(void)
{
	struct leftovers_count n;

	leftovers_clean(NULL, stdout, &n);
	printf("cleanup: %u killed run%s; stopped %u process%s, deleted %u namespace%s and %u "
	       "link%s; kept %u object%s of running runs\n", n.runs, n.runs == 1 ? "" : "s", n.procs,
	       n.procs == 1 ? "" : "es", n.netns, n.netns == 1 ? "" : "s", n.links,
	       n.links == 1 ? "" : "s", n.kept, n.kept == 1 ? "" : "s");
	fflush(stdout);
	if (n.need_root)
		log_msg("%u namespace%s, bridge%s or veth%s of killed runs left: deleting them needs root",
			n.need_root, n.need_root == 1 ? "" : "s", n.need_root == 1 ? "" : "s",
			n.need_root == 1 ? "" : "s");
	if (n.failed)
		log_msg("%u object%s could not be removed (see the lines above)", n.failed,
			n.failed == 1 ? "" : "s");
	return n.need_root || n.failed ? 1 : 0;
}

/* The address {svc} stands for while checking (scenario_addr_fn). */
static const char *placeholder_addr(const struct scenario_service *svc, int i, void *arg)
{
	return "127.0.0.1:7891"; /* replicas' addresses are known only once they listen */
}

/* Parses one client group's command line with the client's own parser, as
 * meshwalk run would start it (addresses of replicas stand in): 0, or 2 with
 * the client's message printed after FILE:LINE:COL: client NAME. */
static int check_group(const char *path, const struct scenario *s, size_t g,
		       const struct scenario_argv *args, const char *cell)
{
	const struct scenario_client *c = &s->clients[g];
	struct scenario_argv av = { 0 };
	struct client_config cc;
	char where[600], who[620];
	struct err e;
	int rc = 0;

	if (c->args_line > 0)
		snprintf(where, sizeof where, "%s:%d:%d: client %s%s%s", path, c->args_line,
			 c->args_col, c->name, cell ? ", sweep cell " : "", cell ? cell : "");
	else
		snprintf(where, sizeof where, "%s: client %s (args from --set)%s%s", path, c->name,
			 cell ? ", sweep cell " : "", cell ? cell : "");
	snprintf(who, sizeof who, "meshwalk run: %s", where);
	av.v = xcalloc(args->n + 8, sizeof *av.v);
	av.v[av.n++] = xstrdup("client");
	av.v[av.n++] = xstrdup("--to");
	av.v[av.n] = scenario_expand(s, c->to, true, placeholder_addr, NULL, &e);
	if (av.v[av.n++] == NULL) {
		rc = 2;
		log_msg("%s: %s", where, e.msg);
	}
	if (c->route) {
		av.v[av.n++] = xstrdup("--route");
		av.v[av.n++] = xstrdup(c->route);
	}
	for (size_t k = 0; rc == 0 && k < args->n; k++) {
		av.v[av.n] = scenario_expand(s, args->v[k], false, placeholder_addr, NULL, &e);
		if (av.v[av.n++] == NULL) {
			rc = 2;
			log_msg("%s: %s", where, e.msg);
		}
	}
	if (rc == 0) {
		log_set_name(who);
		rc = cmd_client_parse((int)av.n, av.v, &cc);
		log_set_name("meshwalk run");
		if (rc == 0)
			cmd_client_free(&cc);
		else if (rc < 0) /* it printed --help */
			log_msg("%s: args ask for --help", where);
		rc = rc ? 2 : 0;
	}
	scenario_argv_free(&av);
	return rc;
}

/* A service's node options through the node's own parser, as meshwalk run
 * starts its replicas: 0, or 2 with the node's message printed after
 * FILE:LINE:COL: service NAME. */
static int check_service(const char *path, const struct scenario_service *svc)
{
	struct scenario_argv av = { 0 };
	struct node_config nc;
	char who[600];
	int rc;

	if (svc->balance != NULL || svc->node.n == 0)
		return 0; /* a balancer's options are meshwalk's own */
	if (svc->node_line > 0)
		snprintf(who, sizeof who, "meshwalk run: %s:%d:%d: service %s", path, svc->node_line,
			 svc->node_col, svc->name);
	else
		snprintf(who, sizeof who, "meshwalk run: %s: service %s (node from --set)", path,
			 svc->name);
	av.v = xcalloc(svc->node.n + 5, sizeof *av.v);
	av.v[av.n++] = xstrdup("node");
	av.v[av.n++] = xstrdup("-q");
	av.v[av.n++] = xstrdup("-b");
	av.v[av.n++] = xstrdup("127.0.0.1:0");
	for (size_t k = 0; k < svc->node.n; k++)
		av.v[av.n++] = xstrdup(svc->node.v[k]);
	log_set_name(who);
	rc = cmd_node_parse((int)av.n, av.v, &nc);
	log_set_name("meshwalk run");
	if (rc == 0)
		node_config_free(&nc);
	else if (rc < 0)
		log_msg("%s: node options ask for --help", who + strlen("meshwalk run: "));
	scenario_argv_free(&av);
	return rc ? 2 : 0;
}

/* Every service's node options and every group's (and every sweep cell's)
 * arguments through the node's and the client's parsers, so a typo fails
 * here, with its place in the file, instead of minutes into a run: 0, or 2
 * after printing every mistake. */
static int check_commands(const char *path, const struct scenario *s)
{
	int rc = 0;
	int swept = s->sweep ? sweep_group(s, s->sweep) : -1;

	for (size_t i = 0; i < s->nservices; i++)
		rc |= check_service(path, &s->services[i]);
	for (size_t g = 0; g < s->nclients; g++) {
		if ((int)g != swept) {
			rc |= check_group(path, s, g, &s->clients[g].args, NULL);
			continue;
		}
		for (size_t i = 0; i < sweep_ncells(s->sweep); i++) {
			struct scenario_argv a = { 0 };
			char *name = sweep_cell_name(s->sweep, i);

			sweep_args(s->sweep, i, &s->clients[g].args, &a);
			rc |= check_group(path, s, g, &a, name);
			free(name);
			scenario_argv_free(&a);
		}
	}
	return rc;
}

/* --check: what the scenario would run. */
static void print_check(const struct scenario *s)
{
	static const char *const proto_words[SCENARIO_PROTO_MAX_] = {
		[SCENARIO_HTTP] = "HTTP/1.1", [SCENARIO_H2C] = "HTTP/2 (h2c)", [SCENARIO_GRPC] = "gRPC",
		[SCENARIO_SSL] = "TLS (meshwalk's protocol)", [SCENARIO_HTTPS] = "HTTPS",
		[SCENARIO_GRPCS] = "gRPC over TLS",
	};

	printf("scenario %s: %zu service%s, %zu client group%s\n", s->name, s->nservices,
	       s->nservices == 1 ? "" : "s", s->nclients, s->nclients == 1 ? "" : "s");
	for (size_t i = 0; i < s->nservices; i++) {
		const struct scenario_service *svc = &s->services[i];
		const struct scenario_link *l = &svc->link;

		printf("  service %s: %d replica%s", svc->name, svc->replicas,
		       svc->replicas == 1 ? "" : "s");
		for (size_t k = 0; k < svc->nroutes; k++)
			printf("%s%s", k ? ", " : (svc->nroutes == 1 ? ", route " : ", routes "),
			       svc->routes[k].name);
		if (svc->route_prefix)
			printf(" (each after route_prefix '%s')", svc->route_prefix);
		if (svc->level > 0)
			printf(" (starts in wave %d, after the services its routes reference)",
			       svc->level + 1);
		if (l->delay)
			printf(", link delay %s", l->delay);
		if (l->rate_bps)
			printf(", link rate %llu bit/s", (unsigned long long)l->rate_bps);
		if (svc->proto != SCENARIO_TCP)
			printf(", %s", proto_words[svc->proto]);
		if (scenario_proto_tls(svc->proto) && svc->balance == NULL)
			printf(", certificate %s", tlsconf_of(s, svc) ? tlsconf_of(s, svc)->cert.path
								   : "made by the run");
		if (svc->serverless.set)
			printf(", serverless (a Knative Service under meshwalk deploy)");
		printf("\n");
	}
	if (network_used(s))
		printf("  network: mode %s\n", network_mode_name(s->network.mode));
	for (size_t i = 0; i < s->network.nlinks; i++)
		printf("  link %s <-> %s: delay %s\n", s->network.links[i].between[0],
		       s->network.links[i].between[1], s->network.links[i].link.delay);
	for (size_t i = 0; i < s->nclients; i++)
		printf("  client %s -> %s%s%s\n", s->clients[i].name, s->clients[i].to,
		       s->clients[i].route ? ", route " : "",
		       s->clients[i].route ? s->clients[i].route : "");
	if (s->sweep) {
		size_t n = sweep_ncells(s->sweep);
		int g = sweep_group(s, s->sweep);

		printf("  sweep of client %s: %zu cell%s\n", s->clients[g].name, n, n == 1 ? "" : "s");
		for (size_t i = 0; i < n; i++) {
			struct scenario_argv a = { 0 };
			char *name = sweep_cell_name(s->sweep, i);

			sweep_args(s->sweep, i, &s->clients[g].args, &a);
			printf("    %s:", name);
			for (size_t k = 0; k < a.n; k++)
				printf(" %s", a.v[k]);
			printf("\n");
			free(name);
			scenario_argv_free(&a);
		}
	}
}

/* The operands: 0 with the scenario's path in *path, or the exit status
 * (--cleanup's, or 2 after a usage error) with *path NULL. */
static int operands(const struct run_args *a, int argc, char **argv, const char **path)
{
	*path = NULL;
	if (a->cleanup) {
		if (optind != argc) {
			log_msg("--cleanup takes no scenario file (see meshwalk run --help)");
			return 2;
		}
		return cleanup_leftovers();
	}
	if (optind != argc - 1) {
		log_msg(optind >= argc ? "missing the scenario file (see meshwalk run --help)"
				       : "one scenario file at a time (see meshwalk run --help)");
		return 2;
	}
	*path = argv[optind];
	return 0;
}

/* The scenario at path (with the --set values), loaded and its commands
 * checked: 0, or 2 after printing why (s is then freed). */
static int load_checked(const char *path, char **sets, size_t nsets, struct scenario *s)
{
	struct err e;

	if (scenario_load(path, sets, nsets, s, &e) < 0) {
		if (e.line)
			log_msg("%s:%d:%d: %s", path, e.line, e.col ? e.col : 1, e.msg);
		else
			log_msg("%s: %s", path, e.msg);
		scenario_free(s);
		return 2;
	}
	if (check_commands(path, s) != 0) {
		scenario_free(s);
		return 2;
	}
	return 0;
}

int cmd_run_for(const char *path, const char *out_dir, char **sets, size_t nsets, char *dir,
		size_t len)
{
	struct run_config c = { .out_dir = out_dir, .quiet = true, .dir_out = dir,
				.dir_out_len = len, .overrides = sets, .noverrides = nsets };
	struct scenario s;
	int rc;

	dir[0] = '\0';
	if (load_checked(path, sets, nsets, &s) != 0)
		return 2;
	if (s.sweep) {
		log_msg("%s: a scenario with a sweep runs once per cell: run it with meshwalk run "
			"and validate one cell's directory with --clone", path);
		scenario_free(&s);
		return 2;
	}
	char *exe = opt_self_exe();

	if (exe == NULL) {
		log_msg("cannot find my own executable: %s", strerror(errno));
		rc = 1;
	} else {
		c.exe = exe;
		rc = run_scenario(&c, &s);
	}
	free(exe);
	scenario_free(&s);
	return rc;
}

int cmd_run(int argc, char **argv)
{
	static const struct opt_cmd cmd = { "run", run_opts, run_usage, run_intro, NULL };
	struct run_args a = { .check = false };
	struct scenario s;
	const char *path = NULL;
	char **sets;
	size_t nsets;
	int rc;

	log_set_name("meshwalk run");
	rc = opt_parse(&cmd, argc, argv, &a);
	if (rc == 0)
		rc = operands(&a, argc, argv, &path);
	sets = a.sets.v;
	nsets = a.sets.n;
	if (path == NULL) {
		free(sets);
		return rc < 0 ? 0 : rc; /* -1: --help */
	}
	if (load_checked(path, sets, nsets, &s) != 0) {
		free(sets);
		return 2;
	}
	if (a.check) {
		print_check(&s);
		scenario_free(&s);
		free(sets);
		return 0;
	}
	char *exe = opt_self_exe();

	if (exe == NULL) {
		log_msg("cannot find my own executable: %s", strerror(errno));
		rc = 1;
	} else {
		a.c.exe = exe;
		a.c.overrides = sets;
		a.c.noverrides = nsets;
		rc = s.sweep ? run_sweep(&a.c, &s) : run_scenario(&a.c, &s);
	}
	free(exe);
	scenario_free(&s);
	free(sets);
	return rc;
}
