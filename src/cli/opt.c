/* opt.c -- see opt.h. */
#include "cli/opt.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "spec/units.h"
#include "util/log.h"
#include "util/xalloc.h"

#define MAX_SCRIPT_DEPTH 8
#define MAX_SCRIPT_BYTES (1 << 20)
/* Scripts may include scripts, each many times: without a bound on the whole
 * expansion, eight levels of nesting can multiply into gigabytes. */
#define MAX_EXPANDED_WORDS 1000000
#define MAX_SCRIPT_READS 1000
#define MAX_EXPANDED_BYTES (16 << 20)

void opt_build(const struct opt_def *defs, struct opt_parser *p)
{
	size_t n = 0, s = 0;

	while (defs[n].lng || defs[n].shrt)
		n++;
	p->longopts = xcalloc(n + 1, sizeof *p->longopts);
	p->shortopts = xcalloc(3 * n + 2, 1);
	p->shortopts[s++] = ':'; /* report a missing argument as ':' */
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (defs[i].lng) {
			p->longopts[k].name = defs[i].lng;
			p->longopts[k].has_arg = (int)defs[i].arg;
			p->longopts[k].val = defs[i].id;
			k++;
		}
		if (defs[i].shrt) {
			p->shortopts[s++] = (char)defs[i].shrt;
			if (defs[i].arg == OPT_REQUIRED)
				p->shortopts[s++] = ':';
			else if (defs[i].arg == OPT_OPTIONAL) {
				p->shortopts[s++] = ':';
				p->shortopts[s++] = ':';
			}
		}
	}
}

void opt_free(struct opt_parser *p)
{
	free(p->longopts);
	free(p->shortopts);
	p->longopts = NULL;
	p->shortopts = NULL;
}

const char *opt_optional_arg(int argc, char **argv)
{
	if (optarg != NULL)
		return optarg;
	if (optind < argc && argv[optind][0] != '-')
		return argv[optind++];
	return NULL;
}

int opt_bad(const struct opt_def *defs, int opt, const char *word, const char *cmd)
{
	char names[400] = "";
	size_t n, used = 0;
	int first = -1;
	bool several = false;

	if (opt == ':') {
		log_msg("option %s needs a value", word);
		return 2;
	}
	if (strncmp(word, "--", 2) == 0) {
		n = strcspn(word + 2, "=");
		/* Aliases (one id) are one option, as getopt_long counts them. */
		for (size_t i = 0; defs[i].lng || defs[i].shrt; i++) {
			if (defs[i].lng == NULL || strncmp(defs[i].lng, word + 2, n) != 0)
				continue;
			several |= first >= 0 && defs[i].id != first;
			if (first < 0)
				first = defs[i].id;
			if (used < sizeof names)
				used += (size_t)snprintf(names + used, sizeof names - used, "%s--%s",
							 used ? ", " : "", defs[i].lng);
		}
		if (several && n > 0) {
			log_msg("option '%.*s' is ambiguous: %s (see meshwalk %s --help)", (int)(n + 2),
				word, names, cmd);
			return 2;
		}
	}
	log_msg("unknown option '%s' (see meshwalk %s --help)", word, cmd);
	return 2;
}

/* "-C, --comp-time SPEC" for the entries sharing defs[i].id. */
static void names(const struct opt_def *defs, size_t i, char *buf, size_t len)
{
	size_t used = 0;
	const char *arg = NULL;

	buf[0] = '\0';
	for (size_t j = i; (defs[j].lng || defs[j].shrt) && used < len; j++) {
		if (defs[j].id != defs[i].id || (j > i && defs[j].help))
			continue;
		if (defs[j].shrt)
			used += (size_t)snprintf(buf + used, len - used, "%s-%c", used ? ", " : "",
						 defs[j].shrt);
		if (defs[j].lng && used < len)
			used += (size_t)snprintf(buf + used, len - used, "%s--%s", used ? ", " : "",
						 defs[j].lng);
		if (defs[j].argname)
			arg = defs[j].argname;
	}
	if (arg && used < len)
		snprintf(buf + used, len - used, defs[i].arg == OPT_OPTIONAL ? " [%s]" : " %s", arg);
}

void opt_print_help(FILE *f, const char *usage, const char *intro, const struct opt_def *defs)
{
	fprintf(f, "usage: %s\n\n%s\n\noptions:\n", usage, intro);
	for (size_t i = 0; defs[i].lng || defs[i].shrt; i++) {
		char n[160];

		if (defs[i].help == NULL)
			continue;
		names(defs, i, n, sizeof n);
		fprintf(f, "  %s\n", n);
		/* wrap the help text at ~76 columns, indented */
		const char *h = defs[i].help;
		while (*h) {
			int take = 0, last_space = -1;

			while (h[take] && take < 70) {
				if (h[take] == ' ')
					last_space = take;
				take++;
			}
			if (h[take] && last_space > 0)
				take = last_space;
			fprintf(f, "        %.*s\n", take, h);
			h += take;
			while (*h == ' ')
				h++;
		}
	}
}

static void man_text(FILE *f, const char *s)
{
	for (bool bol = true; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", f);
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
		bol = *s == '\n';
	}
}

void opt_print_man(FILE *f, const char *name, const char *summary, const char *usage,
		   const char *description, const struct opt_def *defs, const char *extra)
{
	fprintf(f, ".TH %s 1 \"\" \"meshwalk\" \"meshwalk manual\"\n.SH NAME\n", name);
	man_text(f, name);
	fputs(" \\- ", f);
	man_text(f, summary);
	fputs("\n.SH SYNOPSIS\n", f);
	man_text(f, usage);
	fputs("\n.SH DESCRIPTION\n", f);
	man_text(f, description);
	fputs("\n.SH OPTIONS\n", f);
	for (size_t i = 0; defs[i].lng || defs[i].shrt; i++) {
		char n[160];

		if (defs[i].help == NULL)
			continue;
		names(defs, i, n, sizeof n);
		fputs(".TP\n.B ", f);
		man_text(f, n);
		fputc('\n', f);
		man_text(f, defs[i].help);
		fputc('\n', f);
	}
	if (extra) {
		fputc('\n', f);
		fputs(extra, f); /* already troff */
	}
}

/* -- scripts -- */

struct argvec {
	char **v;
	int n, cap;
	size_t bytes; /* of the words pushed, for MAX_EXPANDED_BYTES */
	int reads;    /* script files read, for MAX_SCRIPT_READS */
};

static void push(struct argvec *a, char *s)
{
	if (a->n + 1 >= a->cap) {
		a->cap = a->cap ? a->cap * 2 : 32;
		a->v = xrealloc(a->v, (size_t)a->cap * sizeof *a->v);
	}
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
	if (s)
		a->bytes += strlen(s) + 1;
}

static int check_expansion(const struct argvec *out, const char *path, struct err *e)
{
	if (out->n > MAX_EXPANDED_WORDS || out->bytes > MAX_EXPANDED_BYTES)
		return err_set(e, "script '%s': the command line expands to more than %d words or %d MiB",
			       path, MAX_EXPANDED_WORDS, MAX_EXPANDED_BYTES >> 20);
	return 0;
}

static int expand(struct argvec *out, int argc, char **argv, int depth, struct err *e);

static int expand_file(struct argvec *out, const char *path, int depth, struct err *e)
{
	FILE *f;
	char *text;
	size_t len;
	struct argvec words = { 0 };
	int rc;

	if (depth >= MAX_SCRIPT_DEPTH)
		return err_set(e, "script '%s': scripts nested deeper than %d", path, MAX_SCRIPT_DEPTH);
	if (++out->reads > MAX_SCRIPT_READS)
		return err_set(e, "script '%s': more than %d script files read for one command line",
			       path, MAX_SCRIPT_READS);
	f = fopen(path, "r");
	if (f == NULL)
		return err_set(e, "cannot open script '%s': %s", path, strerror(errno));
	text = xmalloc(MAX_SCRIPT_BYTES + 1);
	len = fread(text, 1, MAX_SCRIPT_BYTES + 1, f);
	fclose(f);
	if (len > MAX_SCRIPT_BYTES) {
		free(text);
		return err_set(e, "script '%s' is larger than %d bytes", path, MAX_SCRIPT_BYTES);
	}
	text[len] = '\0';
	push(&words, NULL); /* slot for argv[0] */
	words.n = 1;
	int line = 1;
	for (char *p = text; *p;) {
		if (*p == '\n')
			line++;
		if (isspace((unsigned char)*p)) {
			p++;
			continue;
		}
		if (*p == '#') {
			while (*p && *p != '\n')
				p++;
			continue;
		}
		char word[4096];
		size_t w = 0;
		while (*p && !isspace((unsigned char)*p)) {
			if (*p == '"') {
				p++;
				while (*p && *p != '"' && w < sizeof word - 1)
					word[w++] = *p++;
				if (*p != '"') {
					for (int i = 1; i < words.n; i++)
						free(words.v[i]);
					free(words.v);
					free(text);
					return err_set(e, "script '%s' line %d: unterminated quote", path, line);
				}
				p++;
				continue;
			}
			if (w < sizeof word - 1)
				word[w++] = *p;
			p++;
		}
		word[w] = '\0';
		push(&words, xstrdup(word));
	}
	free(text);
	rc = expand(out, words.n, words.v, depth + 1, e);
	for (int i = 1; i < words.n; i++)
		free(words.v[i]);
	free(words.v);
	if (rc < 0)
		err_prefix(e, "in script '%s'", path);
	return rc;
}

static int expand(struct argvec *out, int argc, char **argv, int depth, struct err *e)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *path = NULL;

		if (strcmp(a, "--") == 0) {
			for (; i < argc; i++)
				push(out, xstrdup(argv[i]));
			break;
		}
		if (strcmp(a, "-f") == 0 || strcmp(a, "--script-filename") == 0) {
			if (i + 1 >= argc)
				return err_set(e, "option %s needs a file name", a);
			path = argv[++i];
		} else if (strncmp(a, "--script-filename=", 18) == 0) {
			path = a + 18;
		} else if (strncmp(a, "-f", 2) == 0 && a[2] != '\0') {
			path = a + 2;
		}
		if (path) {
			int rc = expand_file(out, path, depth, e);

			if (rc == 0)
				rc = check_expansion(out, path, e);
			if (rc < 0)
				return rc;
			continue;
		}
		push(out, xstrdup(a));
	}
	return 0;
}

int opt_expand_scripts(int argc, char **argv, int *out_argc, char ***out_argv, struct err *e)
{
	struct argvec out = { 0 };
	int rc;

	push(&out, xstrdup(argv[0]));
	rc = expand(&out, argc, argv, 0, e);
	if (rc < 0) {
		opt_free_argv(out.n, out.v);
		return rc;
	}
	*out_argc = out.n;
	*out_argv = out.v;
	return 0;
}

void opt_free_argv(int argc, char **argv)
{
	for (int i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

char *opt_join(int argc, char **argv)
{
	size_t len = 1;
	char *s, *p;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 3;
	s = p = xmalloc(len);
	for (int i = 0; i < argc; i++) {
		bool quote = strpbrk(argv[i], " \t\"'") != NULL;

		p += sprintf(p, "%s%s%s%s", i ? " " : "", quote ? "'" : "", argv[i], quote ? "'" : "");
	}
	*p = '\0';
	return s;
}

char *opt_self_exe(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);

	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return xstrdup(buf);
}

int opt_duration(const char *opt, const char *text, bool allow_zero, int64_t *ns)
{
	struct err e;
	char *end;
	double us, secs = strtod(text, &end);

	if (end != text && *end == '\0')
		us = secs * 1e6;
	else if (units_parse(text, SPEC_TIME, &us, &e) < 0)
		us = -1;
	/* strtod() also takes "inf" and 1e300: bound before converting to ns. */
	if (!(us > 0 || (allow_zero && us == 0)) || us > UNITS_MAX_TIME_US) {
		log_msg("%s: expected a duration such as 60s, got '%s'", opt, text);
		return -1;
	}
	*ns = (int64_t)(us * 1000);
	return 0;
}
