/* units.c -- see units.h.
 *
 * DESIGN: a constant is scanned by hand (digits, fraction, exponent) rather than
 * handed straight to strtod(), because strtod() also accepts leading spaces,
 * hex, "inf" and "nan", none of which belong in a duration. Once the number's
 * extent is known, strtod() converts exactly those characters, and what follows
 * must be one suffix from the unit's table. The tables hold the multipliers, so
 * parsing and formatting share one source of truth. */
#include "spec/units.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct units_suffix {
	const char *name; /* suffix as printed; matched case-insensitively */
	double mult;      /* value of one suffix in the unit's base */
};

/* First entry of each table is the bare number; order is the formatting
 * preference when two texts are equally short. */
static const struct units_suffix units_time[] = {
	{ "us", 1 }, { "s", 1e6 }, { "ms", 1e3 }, { "ns", 1e-3 },
	{ "k", 1e3 }, { "m", 1e6 }, { NULL, 0 },
};
static const struct units_suffix units_size[] = {
	{ "", 1 }, { "k", 1e3 }, { "m", 1e6 }, { "g", 1e9 }, { "t", 1e12 },
	{ "Ki", 1024.0 }, { "Mi", 1048576.0 }, { "Gi", 1073741824.0 },
	{ "Ti", 1099511627776.0 }, { NULL, 0 },
};
static const struct units_suffix units_count[] = {
	{ "", 1 }, { "k", 1e3 }, { "m", 1e6 }, { "g", 1e9 }, { "t", 1e12 }, { NULL, 0 },
};

/* Longest number we copy for strtod(); longer ones are rejected as junk. */
#define UNITS_NUM_MAX 64

const char *units_name(enum spec_unit unit)
{
	switch (unit) {
	case SPEC_TIME: return "duration";
	case SPEC_SIZE: return "size";
	case SPEC_COUNT: return "number";
	}
	return "value";
}

static const char *units_example(enum spec_unit unit)
{
	switch (unit) {
	case SPEC_TIME: return "10ms or 100us";
	case SPEC_SIZE: return "512, 4k or 64KiB";
	case SPEC_COUNT: return "100 or 1.5k";
	}
	return "10";
}

static const struct units_suffix *units_table(enum spec_unit unit)
{
	switch (unit) {
	case SPEC_TIME: return units_time;
	case SPEC_SIZE: return units_size;
	case SPEC_COUNT: return units_count;
	}
	return NULL;
}

static double units_max(enum spec_unit unit)
{
	return unit == SPEC_TIME ? UNITS_MAX_TIME_US : UNITS_MAX;
}

/* Returns the multiplier for suffix sfx, or 0 when the unit has no such suffix.
 * A size may end in 'b' ("10kb", "64KiB", "100B"), which changes nothing. */
static double units_lookup(enum spec_unit unit, const char *sfx)
{
	const struct units_suffix *t = units_table(unit);
	size_t n = strlen(sfx);

	if (unit == SPEC_SIZE && n > 0 && (sfx[n - 1] == 'b' || sfx[n - 1] == 'B'))
		n--;
	if (unit == SPEC_TIME && n == 0)
		return 1; /* bare microseconds; "us" is the printed name */
	for (; t != NULL && t->name != NULL; t++)
		if (strlen(t->name) == n && strncasecmp(t->name, sfx, n) == 0)
			return t->mult;
	return 0;
}

/* Length of the decimal number at the start of p ("12", "1.5", ".5", "2e-3"),
 * 0 when there is none. An 'e' not followed by digits is left to the suffix. */
static size_t units_scan_number(const char *p)
{
	size_t i = 0, digits = 0;

	while (isdigit((unsigned char)p[i]))
		i++, digits++;
	if (p[i] == '.') {
		i++;
		while (isdigit((unsigned char)p[i]))
			i++, digits++;
	}
	if (digits == 0)
		return 0;
	if (p[i] == 'e' || p[i] == 'E') {
		size_t j = i + 1;

		if (p[j] == '+' || p[j] == '-')
			j++;
		if (isdigit((unsigned char)p[j])) {
			while (isdigit((unsigned char)p[j]))
				j++;
			i = j;
		}
	}
	return i;
}

static int units_parse_any(const char *text, enum spec_unit unit, bool allow_neg,
			   double *out, struct err *e)
{
	const char *what = units_name(unit);
	char num[UNITS_NUM_MAX + 1];
	const char *p = text;
	bool neg = false;
	double v, mult;
	size_t n;

	if (units_table(unit) == NULL)
		return err_set(e, "internal error: unknown unit %d", (int)unit);
	if (text == NULL || text[0] == '\0')
		return err_set(e, "expected a %s such as %s, got an empty string", what,
			       units_example(unit));
	if (*p == '-') {
		if (!allow_neg)
			return err_set(e, "a %s cannot be negative, got '%.64s'", what, text);
		neg = true;
		p++;
	}
	n = units_scan_number(p);
	if (n == 0 || n > UNITS_NUM_MAX)
		goto bad;
	memcpy(num, p, n);
	num[n] = '\0';
	mult = units_lookup(unit, p + n);
	if (mult == 0)
		goto bad;
	v = strtod(num, NULL) * mult;
	if (!isfinite(v) || v > units_max(unit))
		return err_set(e, "%s '%.64s' is too large (at most %g%s)", what, text,
			       units_max(unit), unit == SPEC_TIME ? "us" : "");
	if (unit == SPEC_SIZE)
		v = round(v);
	*out = neg ? -v : v;
	return 0;
bad:
	return err_set(e, "expected a %s such as %s, got '%.64s'", what, units_example(unit),
		       text);
}

int units_parse(const char *text, enum spec_unit unit, double *out, struct err *e)
{
	return units_parse_any(text, unit, false, out, e);
}

int units_parse_signed(const char *text, enum spec_unit unit, double *out, struct err *e)
{
	return units_parse_any(text, unit, true, out, e);
}

/* Prints v/mult with sfx at the given precision into buf (size UNITS_NUM_MAX)
 * and reports whether it reads back as exactly v. */
static bool units_try(double v, enum spec_unit unit, const struct units_suffix *s, int prec,
		      char *buf)
{
	double back;

	snprintf(buf, UNITS_NUM_MAX, "%.*g%s", prec, v / s->mult, s->name);
	return units_parse_signed(buf, unit, &back, NULL) == 0 && back == v;
}

int units_format(double v, enum spec_unit unit, char *buf, size_t len)
{
	const struct units_suffix *t = units_table(unit);
	char best[UNITS_NUM_MAX] = "", cand[UNITS_NUM_MAX];

	if (t == NULL || !isfinite(v))
		return snprintf(buf, len, "%g", v);
	for (; t->name != NULL; t++) {
		/* k and m on durations are accepted for DistWalk but never printed:
		 * "1s" reads better than "1m". */
		if (unit == SPEC_TIME && (strcmp(t->name, "k") == 0 || strcmp(t->name, "m") == 0))
			continue;
		if (units_try(v, unit, t, 15, cand) || units_try(v, unit, t, 17, cand))
			if (best[0] == '\0' || strlen(cand) < strlen(best))
				memcpy(best, cand, sizeof best);
	}
	if (best[0] == '\0') /* a non-integral size: nothing reads back exactly */
		snprintf(best, sizeof best, "%.17g", v);
	return snprintf(buf, len, "%s", best);
}
