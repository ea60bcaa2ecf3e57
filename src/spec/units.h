/* units.h -- constants with units: durations, sizes and counts.
 *
 * Contract: SPEC_TIME values are microseconds; a bare number is us, and the
 * suffixes ns, us, ms, s scale it (so 10ms = 10000). SPEC_SIZE values are
 * bytes with k, m, g, t = 10^3..10^12 (DistWalk's meaning; 32g = 32e9, well
 * past 4 GiB) and ki, mi, gi, ti = 2^10..2^40, optionally followed by b/B.
 * SPEC_COUNT values are plain numbers with k, m, g multipliers (1.5k = 1500).
 * As in DistWalk, k and m are multipliers on any number, so a duration of
 * "1m" is 10^6 us = 1 s, while "1ms" is a millisecond. Letters are
 * case-insensitive. The whole text must be one constant.
 * Threads: pure functions. Errors: -EINVAL with a message quoting the text. */
#ifndef MW_SPEC_UNITS_H
#define MW_SPEC_UNITS_H

#include "util/err.h"

enum spec_unit {
	SPEC_TIME = 1,  /* microseconds */
	SPEC_SIZE = 2,  /* bytes */
	SPEC_COUNT = 3, /* plain number */
};

/* Parses a non-negative constant. */
int units_parse(const char *text, enum spec_unit unit, double *out, struct err *e);
/* The same, but a leading '-' is allowed (sequence steps). */
int units_parse_signed(const char *text, enum spec_unit unit, double *out, struct err *e);
/* "duration", "size" or "number", for messages. */
const char *units_name(enum spec_unit unit);

#endif
