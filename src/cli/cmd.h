/* cmd.h -- the subcommands' entry points, called by main().
 *
 * Contract: each takes the subcommand's own argv (argv[0] is the subcommand
 * name) and returns the process exit status: 0 success, 1 runtime failure,
 * 2 usage error. They print their own messages as
 * "meshwalk <cmd>: <context>: <reason>". The *_man functions print the man
 * page generated from the same option table as --help. */
#ifndef MW_CLI_CMD_H
#define MW_CLI_CMD_H

#include <stdio.h>

#include "cli/opt.h"

/* Each subcommand's option table (what getopt, --help, the man page and the
 * bash completion are made from). */
extern const struct opt_def node_opts[], client_opts[], run_opts[], proxy_opts[], report_opts[],
	compare_opts[], deploy_opts[], import_opts[], validate_opts[];

int cmd_node(int argc, char **argv);
/* The node's command line into a config without starting anything: 0 (then
 * node_config_free() it), 2 on a usage error (message printed), -1 after
 * --help. Used by cmd_node() and by meshwalk run's check of a scenario. */
struct node_config;
int cmd_node_parse(int argc, char **argv, struct node_config *out);
int cmd_client(int argc, char **argv);
/* The client's command line (scripts expanded) into a config without running
 * anything: 0 (then cmd_client_free() it), 2 on a usage error (message
 * printed), -1 after --help. Used by cmd_client() and the fuzzer. */
struct client_config;
int cmd_client_parse(int argc, char **argv, struct client_config *out);
void cmd_client_free(struct client_config *c);
int cmd_run(int argc, char **argv);
/* Runs the scenario at path as `meshwalk run -q [-o out_dir] [--set
 * sets[i]...] path` would (loaded and checked first; a sweep is refused),
 * with its results directory in dir (len bytes; "" when none was made):
 * meshwalk validate --run, meshwalk import --tune.
 * Returns run's exit status (0, 1, 130), or 2 for a bad scenario. */
int cmd_run_for(const char *path, const char *out_dir, char **sets, size_t nsets, char *dir,
		size_t len);
int cmd_proxy(int argc, char **argv);
void cmd_proxy_man(FILE *f);
void cmd_run_man(FILE *f);
void cmd_node_man(FILE *f);
void cmd_client_man(FILE *f);
int cmd_report(int argc, char **argv);
void cmd_report_man(FILE *f);
int cmd_compare(int argc, char **argv);
int cmd_deploy(int argc, char **argv);
void cmd_deploy_man(FILE *f);
void cmd_compare_man(FILE *f);
int cmd_import(int argc, char **argv);
void cmd_import_man(FILE *f);
int cmd_validate(int argc, char **argv);
void cmd_validate_man(FILE *f);

/* The bash completion script for `meshwalk` (subcommands, their options and
 * the subcommand names `help` and `man` take), made from the tables above. */
struct cmd_info {
	const char *name;
	const struct opt_def *opts;
};
void cmd_print_bash_completion(FILE *f, const struct cmd_info *cmds, size_t n);

#endif
