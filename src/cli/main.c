/* main.c -- `meshwalk SUBCOMMAND ...`: dispatch to the subcommands, `help
 * [CMD]`, `man CMD`, `--version`, `completion bash`. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "util/version.h"

struct subcommand {
	struct cmd_info info;
	int (*run)(int argc, char **argv);
	void (*man)(FILE *f);
};

static const struct subcommand subcommands[] = {
	{ { "node", node_opts }, cmd_node, cmd_node_man },
	{ { "client", client_opts }, cmd_client, cmd_client_man },
	{ { "run", run_opts }, cmd_run, cmd_run_man },
	{ { "proxy", proxy_opts }, cmd_proxy, cmd_proxy_man },
	{ { "report", report_opts }, cmd_report, cmd_report_man },
	{ { "compare", compare_opts }, cmd_compare, cmd_compare_man },
	{ { "deploy", deploy_opts }, cmd_deploy, cmd_deploy_man },
	{ { "import", import_opts }, cmd_import, cmd_import_man },
	{ { "validate", validate_opts }, cmd_validate, cmd_validate_man },
};
#define NSUB (sizeof subcommands / sizeof subcommands[0])

static const struct subcommand *find(const char *name)
{
	for (size_t i = 0; i < NSUB; i++)
		if (strcmp(subcommands[i].info.name, name) == 0)
			return &subcommands[i];
	return NULL;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: meshwalk SUBCOMMAND [OPTIONS]\n"
		"\n"
		"meshwalk emulates the workload of a distributed application and measures its\n"
		"end-to-end latency. Nodes are generic servers; the client sends them requests\n"
		"that carry a program of operations (compute, forward to other nodes with a\n"
		"quorum, reply) and reports latency without coordinated omission.\n"
		"\n"
		"subcommands:\n"
		"  node      run a node (server); accepts dw_node's options\n"
		"  client    run the load generator; accepts dw_client's options\n"
		"  run       run a scenario file: nodes and client groups on this machine\n"
		"  proxy     relay TCP connections to a pool of nodes (DistWalk's dw_proxy)\n"
		"  report    tables, plots and an HTML page from the results of a run\n"
		"  compare   compare the latencies of two runs, with a verdict on the difference\n"
		"  import    read Jaeger, Zipkin, OTLP or Alibaba traces: a summary, or a scenario\n"
		"  validate  compare a run of an imported scenario with the original traces\n"
		"  deploy    Kubernetes and Knative manifests from a scenario; results back\n"
		"  help CMD  the options of a subcommand (the same as meshwalk CMD --help)\n"
		"  man CMD   print the man page of a subcommand\n"
		"  completion bash   print the bash completion script (make install installs it)\n"
		"\n"
		"Every subcommand takes --opt value and --opt=value, and a long option may be\n"
		"abbreviated to any unambiguous prefix (--num-p for --num-pkts).\n"
		"\n"
		"  meshwalk -V, --version\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	const struct subcommand *sc = find(cmd);

	if (sc)
		return sc->run(argc - 1, argv + 1);
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "man") == 0) {
		if (argc == 2 && cmd[0] == 'h') {
			usage(stdout);
			return 0;
		}
		sc = argc == 3 ? find(argv[2]) : NULL;
		if (sc == NULL) {
			fprintf(stderr, "meshwalk %s: %s\n", cmd,
				argc == 3 ? "no such subcommand (node, client, run, proxy, report, compare, deploy, import, validate)"
					  : "usage: meshwalk help|man SUBCOMMAND");
			return 2;
		}
		if (cmd[0] == 'm') {
			sc->man(stdout);
			return 0;
		}
		char *hargv[] = { argv[2], "--help", NULL };

		return sc->run(2, hargv);
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "-V") == 0) {
		printf("meshwalk %s\n", MESHWALK_VERSION);
		return 0;
	}
	if (strcmp(cmd, "completion") == 0 && argc == 3 && strcmp(argv[2], "bash") == 0) {
		struct cmd_info info[NSUB];

		for (size_t i = 0; i < NSUB; i++)
			info[i] = subcommands[i].info;
		cmd_print_bash_completion(stdout, info, NSUB);
		return 0;
	}
	fprintf(stderr, "meshwalk: unknown subcommand '%s'\n", cmd);
	usage(stderr);
	return 2;
}
