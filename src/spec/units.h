/* units.h -- numbers with units: durations, sizes and plain counts.
 *
 * Contract: units_parse() reads one constant such as "10ms", "64KiB" or "1.5k"
 * and returns it in the unit's base: microseconds for SPEC_TIME, bytes for
 * SPEC_SIZE, the bare value for SPEC_COUNT. The whole string must be the
 * constant: no spaces, no trailing text. A number is decimal digits with an
 * optional fraction and exponent ("1.5", ".5", "2e3"); hex, "inf" and "nan" are
 * rejected. Suffixes are case-insensitive:
 *   SPEC_TIME   ns us ms s; k (x1e3) and m (x1e6) multiply a bare number of
 *               microseconds, as DistWalk does, so "1m" is 1e6 us = 1 s and
 *               "ms" (milli) is not "m" (mega). A bare number is microseconds.
 *   SPEC_SIZE   k m g t (x1e3, 1e6, 1e9, 1e12, DistWalk's decimal meaning) and
 *               ki mi gi ti (x1024^n), each with an optional trailing b:
 *               "10kb", "64KiB", "32g" = 32e9. The result is rounded to whole
 *               bytes.
 *   SPEC_COUNT  k m g t (x1e3 .. 1e12); fractions allowed ("1.5k" = 1500).
 * Results are limited so that they fit an int64_t after the caller's usual
 * conversion: at most UNITS_MAX_TIME_US microseconds (so nanoseconds fit) and
 * UNITS_MAX for sizes and counts. units_format() is the inverse: it prints the
 * shortest text that units_parse() reads back to the identical double.
 * Ownership: no allocation; text is borrowed for the call.
 * Threads: all functions are thread-safe (no shared state).
 * Errors: parsers return 0 or -EINVAL and fill the struct err with one line
 * that quotes the offending text, e.g.
 * "expected a duration such as 10ms or 100us, got '10xs'". */
#ifndef MW_SPEC_UNITS_H
#define MW_SPEC_UNITS_H

#include <stddef.h>

#include "util/err.h"

enum spec_unit {
	SPEC_TIME = 1, /* microseconds */
	SPEC_SIZE,     /* bytes */
	SPEC_COUNT,    /* plain number */
};

/* Largest accepted duration (about 106 days): its nanoseconds fit an int64_t. */
#define UNITS_MAX_TIME_US 9.2e12
/* Largest accepted size or count: fits an int64_t. */
#define UNITS_MAX 9.2e18

/* Parses a non-negative constant of the given unit into *out (untouched on
 * error). Rejects NULL or empty text, a sign, junk after the suffix, an unknown
 * suffix, NaN/inf and values above the unit's maximum. */
int units_parse(const char *text, enum spec_unit unit, double *out, struct err *e);

/* Like units_parse() but also accepts a leading '-' (sequence steps, offsets). */
int units_parse_signed(const char *text, enum spec_unit unit, double *out, struct err *e);

/* "duration", "size" or "number", for messages. */
const char *units_name(enum spec_unit unit);

/* Writes v as the shortest text units_parse_signed() reads back as exactly v
 * when one exists ("1.5ms", "4Ki", "32g"), else as a bare number. Returns the
 * length the full text needs, like snprintf: the text was truncated when the
 * result is >= len. */
int units_format(double v, enum spec_unit unit, char *buf, size_t len);

#endif
