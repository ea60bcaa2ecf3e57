/* seq.h -- finite sequences of values indexed by sample number.
 *
 * Contract: a sequence is a pure function of the index i = 0, 1, 2, ...:
 *   arithmetic  start + i*step, from min up to max (step > 0) or from max
 *               down to min (step < 0); n = floor((max-min)/|step|) + 1;
 *   geometric   start * factor^i, from min up (factor > 1) or from max down
 *               (0 < factor < 1), staying within [min, max];
 *   table       values[i], loaded from a column of a CSV file.
 * Past the last element every index returns the last element (hold at end),
 * so callers never need to know the length; seq->n says how long it is.
 * Rounding error in the length is absorbed (a last step that misses max only
 * by floating-point error still counts), and values never leave [min, max].
 * CSV files: the column is 1-based; lines starting with '#' (after blanks) and
 * blank lines are skipped; the first remaining line is a header when its cell
 * is not a number; cells are trimmed of blanks and of one pair of double
 * quotes; a bare number gets the file's unit suffix appended (unit=ms makes
 * "10" read as "10ms"), a number with its own suffix is read as it is. Cells
 * are split at every sep: quoted separators are not supported.
 * Ownership: seq_load_csv() allocates the table; seq_free() releases it (and
 * is a no-op on arithmetic and geometric sequences and on a zeroed struct).
 * Threads: after initialization a seq is read-only; seq_value() may be called
 * from any number of threads at once.
 * Errors: 0 or -EINVAL with a message; file errors start with "path:line:". */
#ifndef MW_SPEC_SEQ_H
#define MW_SPEC_SEQ_H

#include <stdint.h>

#include "spec/units.h"
#include "util/err.h"

enum seq_kind {
	SEQ_ARITH = 1, /* start + i*step */
	SEQ_GEOM,      /* start * step^i */
	SEQ_TABLE,     /* vals[i] */
};

struct seq {
	enum seq_kind kind; /* which rule */
	double start;       /* first element (arith, geom) */
	double step;        /* increment (arith) or factor (geom) */
	double lo, hi;      /* min and max: every value is clamped into them */
	uint64_t n;         /* number of elements, >= 1 */
	double *vals;       /* table values, n of them (owned) */
	double mean;        /* arithmetic mean of the n elements */
};

/* min <= max, step != 0, and at most 2^53 elements. */
int seq_init_arith(struct seq *q, double min, double max, double step, struct err *e);

/* 0 < min <= max, factor > 0 and factor != 1. */
int seq_init_geom(struct seq *q, double min, double max, double factor, struct err *e);

/* Loads column `col` (1-based) of the file at path, cells separated by sep.
 * Values are of the given unit; sfx (NULL or "" for none) is appended to bare
 * numbers before units_parse(). Rejects
 * an unreadable file, a row too short for col, a non-numeric cell other than
 * the header, and a file without values. */
int seq_load_csv(struct seq *q, const char *path, unsigned col, char sep,
		 enum spec_unit unit, const char *sfx, struct err *e);

double seq_value(const struct seq *q, uint64_t i);

void seq_free(struct seq *q);

#endif
