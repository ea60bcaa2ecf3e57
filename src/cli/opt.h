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
 * The first entry of an id also says how opt_parse() (opt_parse.c) applies
 * its value: kind, range and target, so each range is written once, in the
 * table; --help and the man page are unchanged by them.
 * Ownership: tables are static; built getopt arrays are freed with opt_free().
 * Threads: main thread only. Errors: struct err. */
#ifndef MW_CLI_OPT_H
#define MW_CLI_OPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

enum opt_arg {
	OPT_NONE = no_argument,
	OPT_REQUIRED = required_argument,
	OPT_OPTIONAL = optional_argument,
};

/* How opt_parse() applies an option's value to the command's config. Rows
 * that name no kind are OPT_K_CALL: the command's callback takes them (the
 * odd options: addresses, specs, options that set several fields). */
enum opt_kind {
	OPT_K_CALL = 0,
	OPT_K_FLAG,  /* bool = true */
	OPT_K_OFF,   /* bool = false (--quiet: per-request lines off) */
	OPT_K_STR,   /* const char * = the argument (the argv outlives the config);
		      * with max > 0, 1 to max characters */
	OPT_K_COPY,  /* const char * = a copy of the argument, the previous one
		      * freed (the argv is freed first); max as for OPT_K_STR */
	OPT_K_UINT,  /* a whole number (units: 1k) in [min, max], width bytes */
	OPT_K_SIZE,  /* a size in bytes in [min, max], times scale, width bytes */
	OPT_K_TIME,  /* a duration in us in [min, max], times scale, width bytes */
	OPT_K_NS,    /* opt_duration() into an int64_t of ns; min 0 allows 0 */
	OPT_K_REAL,  /* a double above min and below max, times scale */
	OPT_K_US,    /* a duration as units_parse() reads it: a double of us */
	OPT_K_ENUM,  /* one of names ("a|b|c"): int = min + its position */
	OPT_K_LIST,  /* appended to a struct opt_list (the argv outlives it) */
	OPT_K_HELP,  /* prints --help; opt_parse() returns -1 */
	OPT_K_USAGE, /* prints "Usage: USAGE"; opt_parse() returns -1 */
};

struct opt_def {
	const char *lng;     /* long name without "--", or NULL */
	int shrt;            /* short letter, or 0 */
	enum opt_arg arg;
	int id;              /* value getopt returns: the short letter or >= 256 */
	const char *argname; /* e.g. "SPEC" */
	const char *help;    /* one or more sentences; NULL for an alias */
	/* What opt_parse() does with it: read from the first row of an id. */
	enum opt_kind kind;
	size_t off;          /* the target's offset in the command's config */
	unsigned char width; /* the target's size (whole numbers) */
	double min, max;     /* the range, in the kind's unit */
	double scale;        /* stored = parsed x scale (0: 1) */
	const char *what;    /* the name in messages (default "--LONG") */
	const char *names;   /* OPT_K_ENUM's words, "a|b|c" */
};

/* Rows that name no kind (aliases, and the odd options the callback takes)
 * end after help: the rest is zero on purpose, so the tables stay short and
 * a row written before kinds existed still means what it meant. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* A row's target: OPT_AT(struct cfg, field) after the kind. */
#define OPT_AT(type, field) .off = offsetof(type, field), .width = sizeof(((type *)0)->field)

/* The values of an OPT_K_LIST option, in order (free v, not the strings). */
struct opt_list {
	char **v;
	size_t n;
};

/* One subcommand for opt_parse(): its table, its --help texts and the
 * callback of its OPT_K_CALL rows, which returns 0, or 2 after printing the
 * usage error (or -1 to stop the parse quietly, as --help does). */
struct opt_cmd {
	const char *name; /* "client": "see meshwalk client --help" */
	const struct opt_def *defs;
	const char *usage, *intro;
	int (*call)(void *cfg, int id, const char *arg);
};

/* Applies argv's options to cfg by the table, in order, stopping at the
 * first error; an OPT_OPTIONAL option's argument is opt_optional_arg()'s.
 * Returns 0 with optind at the first operand, 2 after printing a usage error
 * (getopt's included, opt_bad()'s words), -1 after --help or --usage. */
int opt_parse(const struct opt_cmd *cmd, int argc, char **argv, void *cfg);

/* The first row of id (the one that carries its kind), or NULL. */
const struct opt_def *opt_find(const struct opt_def *defs, int id);
/* Applies id's row to cfg as if the option were given with arg (a value
 * that is part of another option's, e.g. dw_node's -s size=): 0 or 2. */
int opt_set(const struct opt_cmd *cmd, int id, const char *arg, void *cfg);

/* The checks opt_parse() applies, for callbacks: 0, or -1 after printing
 * "LABEL: expected ...". A whole number (units allowed) in [min, max]: */
int opt_uint(const char *label, const char *text, uint64_t min, uint64_t max, uint64_t *out);
/* A size (SPEC_SIZE, bytes) or a duration (SPEC_TIME, us) in [min, max]: */
int opt_amount(const char *label, const char *text, int unit, double min, double max, double *out);
/* A number above lo and below hi: */
int opt_real(const char *label, const char *text, double lo, double hi, double *out);
/* A duration in us, any units_parse() reads: */
int opt_us(const char *label, const char *text, double *us);

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
