/* opt.h -- option tables: one table per subcommand drives getopt_long,
 * --help and the man page, so the three never disagree.
 *
 * Contract: a table is an array of struct opt_def ending with a zeroed entry.
 * Entries that share an id are aliases (DistWalk's spelling and ours, e.g.
 * "nt" and "num-threads"); --help and the man page print them together, from
 * the first entry's text. Every option accepts "--opt value" and "--opt=value";
 * OPT_OPTIONAL options also take a following word that does not start with
 * '-' (DistWalk users write "--rs 11192"). Every subcommand takes the same
 * grammar, getopt_long's: a long option may be abbreviated to any prefix
 * that names one option only (DistWalk's parser takes them too).
 * Script files (-f FILE) are expanded in place before parsing, so the options
 * and ops they hold keep their position, as in DistWalk.
 * Ownership: tables are static; built getopt arrays are freed with opt_free().
 * Threads: main thread only. Errors: struct err. */
#ifndef MW_CLI_OPT_H
#define MW_CLI_OPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

enum opt_arg {
	OPT_NONE = no_argument,
	OPT_REQUIRED = required_argument,
	OPT_OPTIONAL = optional_argument,
};

struct opt_def {
	const char *lng;     /* long name without "--", or NULL */
	int shrt;            /* short letter, or 0 */
	enum opt_arg arg;
	int id;              /* value getopt returns: the short letter or >= 256 */
	const char *argname; /* e.g. "SPEC" */
	const char *help;    /* one or more sentences; NULL for an alias */
};

struct opt_parser {
	struct option *longopts;
	char *shortopts;
};

void opt_build(const struct opt_def *defs, struct opt_parser *p);
void opt_free(struct opt_parser *p);

/* The message for what getopt_long returned as ':' (a value missing) or '?'
 * (an unknown option, or a long option abbreviated to a prefix of several:
 * the candidates are named), logged as every subcommand words it; word is
 * argv[optind - 1], cmd the subcommand for "see meshwalk CMD --help".
 * Returns 2, the usage-error exit status. */
int opt_bad(const struct opt_def *defs, int opt, const char *word, const char *cmd);

/* For OPT_OPTIONAL: takes the next word as the argument when it does not
 * start with '-'. Returns the argument or NULL. */
const char *opt_optional_arg(int argc, char **argv);

void opt_print_help(FILE *f, const char *usage, const char *intro, const struct opt_def *defs);
void opt_print_man(FILE *f, const char *name, const char *summary, const char *usage,
		   const char *description, const struct opt_def *defs, const char *extra);

/* Replaces every "-f FILE" / "--script-filename[=]FILE" with FILE's words
 * (whitespace-separated; '#' starts a comment; "double quotes" group).
 * Nested scripts are expanded up to 8 levels. The result is a new argv
 * (argv[0] kept) that the caller frees with opt_free_argv(). */
int opt_expand_scripts(int argc, char **argv, int *out_argc, char ***out_argv, struct err *e);
void opt_free_argv(int argc, char **argv);

/* This very executable's path (from /proc/self/exe; free() it), or NULL with
 * errno set: run and deploy start more of it. */
char *opt_self_exe(void);

/* A duration option's value: "60s", "500ms", or a bare number of seconds,
 * up to UNITS_MAX_TIME_US; 0 is allowed only when allow_zero. Returns 0, or
 * -1 after printing "OPT: expected a duration such as 60s, got 'TEXT'". */
int opt_duration(const char *opt, const char *text, bool allow_zero, int64_t *ns);

/* Joins argv into one shell-like line (for results metadata). */
char *opt_join(int argc, char **argv);

#endif
