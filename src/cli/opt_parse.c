/* opt_parse.c -- the one getopt loop of every subcommand: each option's kind,
 * range and target come from its table row (see opt.h), so a range check is
 * written once, here, and a command writes code only for its odd options. */
#include "cli/opt.h"

#include <errno.h>
#include <stdbool.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "spec/units.h"
#include "util/log.h"
#include "util/xalloc.h"

int opt_uint(const char *label, const char *text, uint64_t min, uint64_t max, uint64_t *out)
{
	struct err e;
	double d;
	uint64_t u = 0;
	bool ok;

	/* Plain digits exactly (a seed above 2^53 would not survive a double);
	 * anything else (1k, 2e6) as a count with units. */
	if (text[0] && strspn(text, "0123456789") == strlen(text)) {
		char *end;

		errno = 0;
		u = strtoull(text, &end, 10);
		ok = errno == 0 && *end == '\0';
	} else {
		ok = units_parse(text, SPEC_COUNT, &d, &e) == 0 && d >= 0 && d < 0x1p64 &&
		     d == (double)(uint64_t)d;
		if (ok)
			u = (uint64_t)d;
	}
	if (!ok || u < min || u > max) {
		log_msg("%s: expected a whole number in %" PRIu64 "..%" PRIu64 ", got '%s'", label, min,
			max, text);
		return -1;
	}
	*out = u;
	return 0;
}

int opt_amount(const char *label, const char *text, int unit, double min, double max, double *out)
{
	struct err e;
	double d;

	if (units_parse(text, (enum spec_unit)unit, &d, &e) < 0 || d < min || d > max) {
		const char *kind = unit == SPEC_TIME ? "duration" : "size";
		char lo[32], hi[32];

		units_format(min, (enum spec_unit)unit, lo, sizeof lo);
		units_format(max, (enum spec_unit)unit, hi, sizeof hi);
		if (min == 0)
			log_msg("%s: expected a %s up to %s, got '%s'", label, kind, hi, text);
		else if (max >= 1e18) /* no bound a user would meet */
			log_msg("%s: expected a %s of at least %s, got '%s'", label, kind, lo, text);
		else
			log_msg("%s: expected a %s from %s to %s, got '%s'", label, kind, lo, hi, text);
		return -1;
	}
	*out = d;
	return 0;
}

static void store_uint(void *to, unsigned width, uint64_t v)
{
	switch (width) {
	case 1: *(uint8_t *)to = (uint8_t)v; break;
	case 2: *(uint16_t *)to = (uint16_t)v; break;
	case 4: *(uint32_t *)to = (uint32_t)v; break;
	default: *(uint64_t *)to = v; break;
	}
}

/* A table bound as a uint64_t: a double holds UINT64_MAX only rounded up. */
static uint64_t bound(double v)
{
	return v >= 0x1p64 ? UINT64_MAX : v <= 0 ? 0 : (uint64_t)v;
}

int opt_real(const char *label, const char *text, double lo, double hi, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(text, &end);
	if (end == text || *end || errno || !(*out > lo && *out < hi)) {
		log_msg("%s: expected a number above %g and below %g, got '%s'", label, lo, hi, text);
		return -1;
	}
	return 0;
}

int opt_us(const char *label, const char *text, double *us)
{
	struct err e;

	if (units_parse(text, SPEC_TIME, us, &e) < 0) {
		log_msg("%s: %s", label, e.msg);
		return -1;
	}
	return 0;
}

/* OPT_K_ENUM: the word's position in "a|b|c", or -1 after "expected a, b or c". */
static int parse_enum(const char *label, const char *names, const char *text)
{
	size_t n = strlen(text);
	int pos = 0;
	char list[200];
	size_t used = 0;

	for (const char *w = names;; pos++) {
		size_t len = strcspn(w, "|");

		if (len == n && strncmp(w, text, n) == 0)
			return pos;
		if (w[len] == '\0')
			break;
		w += len + 1;
	}
	/* "a|b|c" -> "a, b or c" */
	for (const char *w = names; *w && used < sizeof list - 4; w++) {
		if (*w != '|') {
			list[used++] = *w;
			continue;
		}
		const char *sep = strchr(w + 1, '|') ? ", " : " or ";

		memcpy(list + used, sep, strlen(sep));
		used += strlen(sep);
	}
	list[used] = '\0';
	log_msg("%s: expected %s, got '%s'", label, list, text);
	return -1;
}

/* Applies one row of kind != OPT_K_CALL: 0, -1 after its message, 1 after
 * --help or --usage. */
static int apply(const struct opt_cmd *cmd, const struct opt_def *d, const char *arg, void *cfg)
{
	char label[80];
	void *to = (char *)cfg + d->off;
	double scale = d->scale ? d->scale : 1, v;
	uint64_t u;

	if (d->what)
		snprintf(label, sizeof label, "%s", d->what);
	else
		snprintf(label, sizeof label, "--%s", d->lng);
	switch (d->kind) {
	case OPT_K_FLAG:
		*(bool *)to = true;
		return 0;
	case OPT_K_OFF:
		*(bool *)to = false;
		return 0;
	case OPT_K_STR:
	case OPT_K_COPY:
		if (d->max > 0 && (*arg == '\0' || strlen(arg) > (size_t)d->max)) {
			log_msg("%s: expected 1 to %.0f characters, got '%s'", label, d->max, arg);
			return -1;
		}
		if (d->kind == OPT_K_COPY) {
			free(*(char **)to);
			arg = xstrdup(arg);
		}
		*(const char **)to = arg;
		return 0;
	case OPT_K_UINT:
		if (opt_uint(label, arg, bound(d->min), bound(d->max), &u) < 0)
			return -1;
		store_uint(to, d->width, u);
		return 0;
	case OPT_K_SIZE:
	case OPT_K_TIME:
		if (opt_amount(label, arg, d->kind == OPT_K_SIZE ? SPEC_SIZE : SPEC_TIME, d->min, d->max,
			       &v) < 0)
			return -1;
		store_uint(to, d->width, (uint64_t)(v * scale));
		return 0;
	case OPT_K_NS:
		return opt_duration(label, arg, d->min == 0, (int64_t *)to);
	case OPT_K_REAL:
		if (opt_real(label, arg, d->min, d->max, &v) < 0)
			return -1;
		*(double *)to = v * scale;
		return 0;
	case OPT_K_US:
		return opt_us(label, arg, (double *)to);
	case OPT_K_ENUM: {
		int pos = parse_enum(label, d->names, arg);

		if (pos < 0)
			return -1;
		*(int *)to = (int)d->min + pos;
		return 0;
	}
	case OPT_K_LIST: {
		struct opt_list *l = to;

		l->v = xrealloc(l->v, (l->n + 1) * sizeof *l->v);
		l->v[l->n++] = (char *)arg;
		return 0;
	}
	case OPT_K_HELP:
		opt_print_help(stdout, cmd->usage, cmd->intro, cmd->defs);
		return 1;
	case OPT_K_USAGE:
		printf("Usage: %s\n", cmd->usage);
		return 1;
	case OPT_K_CALL:
		break;
	}
	return -1;
}

const struct opt_def *opt_find(const struct opt_def *defs, int id)
{
	for (size_t i = 0; defs[i].lng || defs[i].shrt; i++)
		if (defs[i].id == id)
			return &defs[i];
	return NULL;
}

int opt_set(const struct opt_cmd *cmd, int id, const char *arg, void *cfg)
{
	const struct opt_def *d = opt_find(cmd->defs, id);

	if (d == NULL) {
		log_msg("internal error: option %d is not in meshwalk %s's table", id, cmd->name);
		return 2;
	}
	if (d->kind == OPT_K_CALL)
		return cmd->call(cfg, id, arg);
	return apply(cmd, d, arg, cfg) < 0 ? 2 : 0;
}

int opt_parse(const struct opt_cmd *cmd, int argc, char **argv, void *cfg)
{
	struct opt_parser p;
	int opt, rc = 0;

	opt_build(cmd->defs, &p);
	optind = 0; /* 0, not 1: a full reset of getopt, also after a parse that stopped midway */
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		const struct opt_def *d = opt == ':' || opt == '?' ? NULL : opt_find(cmd->defs, opt);
		const char *arg = optarg;

		if (d == NULL) {
			rc = opt_bad(cmd->defs, opt, argv[optind - 1], cmd->name);
			break;
		}
		if (d->arg == OPT_OPTIONAL)
			arg = opt_optional_arg(argc, argv);
		if (d->kind == OPT_K_CALL) {
			rc = cmd->call(cfg, opt, arg);
		} else {
			rc = apply(cmd, d, arg, cfg);
			rc = rc < 0 ? 2 : rc > 0 ? -1 : 0;
		}
	}
	opt_free(&p);
	return rc;
}
