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

int cmd_node(int argc, char **argv);
int cmd_client(int argc, char **argv);
/* The client's command line (scripts expanded) into a config without running
 * anything: 0 (then cmd_client_free() it), 2 on a usage error (message
 * printed), -1 after --help. Used by cmd_client() and the fuzzer. */
struct client_config;
int cmd_client_parse(int argc, char **argv, struct client_config *out);
void cmd_client_free(struct client_config *c);
int cmd_run(int argc, char **argv);
int cmd_proxy(int argc, char **argv);
void cmd_proxy_man(FILE *f);
void cmd_run_man(FILE *f);
void cmd_node_man(FILE *f);
void cmd_client_man(FILE *f);
int cmd_report(int argc, char **argv);
void cmd_report_man(FILE *f);
int cmd_compare(int argc, char **argv);
void cmd_compare_man(FILE *f);
int cmd_import(int argc, char **argv);
void cmd_import_man(FILE *f);

#endif
