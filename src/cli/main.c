/* main.c -- `meshwalk SUBCOMMAND ...`: dispatch to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli/cmd.h"
#include "util/version.h"


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
		"  import    read Jaeger, Zipkin, OTLP or Alibaba traces and summarize them\n"
		"  man NAME  print the man page of a subcommand (node, client, run, proxy, report,\n"
		"            compare, import)\n"
		"\n"
		"  meshwalk SUBCOMMAND --help   options of one subcommand\n"
		"  meshwalk --version\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];

	if (strcmp(cmd, "node") == 0)
		return cmd_node(argc - 1, argv + 1);
	if (strcmp(cmd, "client") == 0)
		return cmd_client(argc - 1, argv + 1);
	if (strcmp(cmd, "run") == 0)
		return cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "proxy") == 0)
		return cmd_proxy(argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0)
		return cmd_report(argc - 1, argv + 1);
	if (strcmp(cmd, "compare") == 0)
		return cmd_compare(argc - 1, argv + 1);
	if (strcmp(cmd, "import") == 0)
		return cmd_import(argc - 1, argv + 1);
	if (strcmp(cmd, "man") == 0 && argc == 3) {
		if (strcmp(argv[2], "node") == 0) {
			cmd_node_man(stdout);
			return 0;
		}
		if (strcmp(argv[2], "client") == 0) {
			cmd_client_man(stdout);
			return 0;
		}
		if (strcmp(argv[2], "run") == 0) {
			cmd_run_man(stdout);
			return 0;
		}
		if (strcmp(argv[2], "proxy") == 0) {
			cmd_proxy_man(stdout);
			return 0;
		}
		if (strcmp(argv[2], "report") == 0) {
			cmd_report_man(stdout);
			return 0;
		}
		if (strcmp(argv[2], "compare") == 0) {
			cmd_compare_man(stdout);
			return 0;
		}
		if (strcmp(argv[2], "import") == 0) {
			cmd_import_man(stdout);
			return 0;
		}
	}
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("meshwalk %s\n", MESHWALK_VERSION);
		return 0;
	}
	fprintf(stderr, "meshwalk: unknown subcommand '%s'\n", cmd);
	usage(stderr);
	return 2;
}
