/* units.c -- see units.h. */
#include "spec/units.h"

#include <errno.h>
#include <stdbool.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *units_name(enum spec_unit unit)
{
	switch (unit) {
	case SPEC_TIME: return "duration";
	case SPEC_SIZE: return "size";
	default: return "number";
	}
}

static const char *example(enum spec_unit unit)
{
	switch (unit) {
	case SPEC_TIME: return "10ms, 100us, 2s or 1500";
	case SPEC_SIZE: return "1500, 10k, 4ki or 32g";
	default: return "10, 1.5k or 2m";
	}
}

struct suffix {
	const char *name;
	double mult;
};

static const struct suffix time_suffixes[] = {
	{ "ns", 1e-3 }, { "us", 1 }, { "ms", 1e3 }, { "s", 1e6 },
	{ "k", 1e3 }, { "m", 1e6 }, { "g", 1e9 }, { NULL, 0 },
};

static const struct suffix size_suffixes[] = {
	{ "b", 1 },
	{ "k", 1e3 }, { "kb", 1e3 }, { "m", 1e6 }, { "mb", 1e6 },
	{ "g", 1e9 }, { "gb", 1e9 }, { "t", 1e12 }, { "tb", 1e12 },
	{ "ki", 1024.0 }, { "kib", 1024.0 }, { "mi", 1048576.0 }, { "mib", 1048576.0 },
	{ "gi", 1073741824.0 }, { "gib", 1073741824.0 },
	{ "ti", 1099511627776.0 }, { "tib", 1099511627776.0 }, { NULL, 0 },
};

static const struct suffix count_suffixes[] = {
	{ "k", 1e3 }, { "m", 1e6 }, { "g", 1e9 }, { NULL, 0 },
};

static int parse(const char *text, enum spec_unit unit, bool allow_negative, double *out,
		 struct err *e)
{
	const struct suffix *sfx = unit == SPEC_TIME ? time_suffixes
				   : unit == SPEC_SIZE ? size_suffixes
						       : count_suffixes;
	char *end;
	double v;

	if (text == NULL || *text == '\0')
		return err_set(e, "expected a %s such as %s, got nothing", units_name(unit),
			       example(unit));
	/* strtod accepts "inf", "nan", hex and leading spaces: refuse them. */
	const char *p = text;
	if (*p == '-' || *p == '+')
		p++;
	if (!((*p >= '0' && *p <= '9') || (*p == '.' && p[1] >= '0' && p[1] <= '9')) ||
	    (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')))
		return err_set(e, "expected a %s such as %s, got '%s'", units_name(unit),
			       example(unit), text);
	errno = 0;
	v = strtod(text, &end);
	if (errno == ERANGE || !isfinite(v))
		return err_set(e, "%s '%s' is out of range", units_name(unit), text);
	if (*end != '\0') {
		const struct suffix *s;

		for (s = sfx; s->name; s++)
			if (strcasecmp(end, s->name) == 0)
				break;
		if (s->name == NULL)
			return err_set(e, "expected a %s such as %s, got '%s' (unknown unit '%s')",
				       units_name(unit), example(unit), text, end);
		v *= s->mult;
	}
	if (v < 0 && !allow_negative)
		return err_set(e, "a %s cannot be negative, got '%s'", units_name(unit), text);
	if (!isfinite(v) || fabs(v) > 1e18)
		return err_set(e, "%s '%s' is out of range", units_name(unit), text);
	*out = v;
	return 0;
}

int units_parse(const char *text, enum spec_unit unit, double *out, struct err *e)
{
	return parse(text, unit, false, out, e);
}

int units_parse_signed(const char *text, enum spec_unit unit, double *out, struct err *e)
{
	return parse(text, unit, true, out, e);
}
