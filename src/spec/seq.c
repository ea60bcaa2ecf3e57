/* seq.c -- see seq.h. */
#include "spec/seq.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

/* Longest cell we read; a longer one cannot be a number. */
#define SEQ_CELL_MAX 64
/* Sequences longer than this would lose integer precision in double. */
#define SEQ_MAX_LEN 9007199254740992.0 /* 2^53 */

/* Number of steps that fit in the range, forgiving rounding error: 0.3/0.1 is
 * 2.9999999999999996 and must count as 3 steps. */
static double seq_steps(double ratio)
{
	return floor(ratio + fmax(1e-9, ratio * 1e-12));
}

int seq_init_arith(struct seq *q, double min, double max, double step, struct err *e)
{
	double steps;

	memset(q, 0, sizeof *q);
	if (!(min <= max))
		return err_set(e, "min (%g) is greater than max (%g)", min, max);
	if (step == 0 || !isfinite(step))
		return err_set(e, "step must not be 0");
	steps = seq_steps((max - min) / fabs(step));
	if (!(steps < SEQ_MAX_LEN))
		return err_set(e, "the sequence would have more than 2^53 elements");
	q->kind = SEQ_ARITH;
	q->lo = min;
	q->hi = max;
	q->step = step;
	q->start = step > 0 ? min : max;
	q->n = (uint64_t)steps + 1;
	q->mean = 0.5 * (q->start + seq_value(q, q->n - 1));
	return 0;
}

int seq_init_geom(struct seq *q, double min, double max, double factor, struct err *e)
{
	double steps, lf;

	memset(q, 0, sizeof *q);
	if (!(min > 0))
		return err_set(e, "a geometric sequence needs min > 0");
	if (!(min <= max))
		return err_set(e, "min (%g) is greater than max (%g)", min, max);
	if (!(factor > 0) || factor == 1 || !isfinite(factor))
		return err_set(e, "the factor (step) must be > 0 and not 1, got %g", factor);
	lf = log(factor);
	steps = seq_steps(log(max / min) / fabs(lf));
	if (!(steps < SEQ_MAX_LEN))
		return err_set(e, "the sequence would have more than 2^53 elements");
	q->kind = SEQ_GEOM;
	q->lo = min;
	q->hi = max;
	q->step = factor;
	q->start = factor > 1 ? min : max;
	q->n = (uint64_t)steps + 1;
	/* Sum of start*f^i for i < n, as start*(f^n - 1)/(f - 1). */
	q->mean = q->start * (expm1((double)q->n * lf) / (factor - 1)) / (double)q->n;
	q->mean = fmin(fmax(q->mean, min), max);
	return 0;
}

double seq_value(const struct seq *q, uint64_t i)
{
	double v;

	if (i >= q->n)
		i = q->n - 1;
	switch (q->kind) {
	case SEQ_ARITH:
		v = q->start + (double)i * q->step;
		break;
	case SEQ_GEOM:
		v = q->start * pow(q->step, (double)i);
		break;
	default:
		return q->vals[i];
	}
	return fmin(fmax(v, q->lo), q->hi);
}

/* Trims blanks around [*b, *e) and then one pair of enclosing double quotes. */
static void seq_trim(char **b, char **e)
{
	while (*b < *e && isspace((unsigned char)**b))
		(*b)++;
	while (*e > *b && isspace((unsigned char)(*e)[-1]))
		(*e)--;
	if (*e - *b >= 2 && **b == '"' && (*e)[-1] == '"') {
		(*b)++;
		(*e)--;
	}
}

/* Finds cell number col (1-based) of line; returns it NUL-terminated in place,
 * or NULL when the line has fewer cells (*ncells says how many). */
static char *seq_cell(char *line, unsigned col, char sep, unsigned *ncells)
{
	char *b = line, *end;
	unsigned i = 1;

	for (; i < col; i++) {
		b = strchr(b, sep);
		if (b == NULL) {
			*ncells = i;
			return NULL;
		}
		b++;
	}
	end = strchr(b, sep);
	if (end == NULL)
		end = b + strlen(b);
	seq_trim(&b, &end);
	*end = '\0';
	return b;
}

static bool seq_looks_numeric(const char *cell)
{
	return isdigit((unsigned char)cell[0]) || cell[0] == '.' || cell[0] == '-' ||
	       cell[0] == '+';
}

static int seq_parse_cell(const char *cell, enum spec_unit unit, const char *sfx,
			  double *out, struct err *e)
{
	char buf[SEQ_CELL_MAX + 16];
	size_t n = strlen(cell);
	bool bare = n > 0 && (isdigit((unsigned char)cell[n - 1]) || cell[n - 1] == '.');

	if (n > SEQ_CELL_MAX)
		return err_set(e, "expected a %s, got a %zu-character cell", units_name(unit), n);
	if (bare && sfx != NULL && sfx[0] != '\0') {
		snprintf(buf, sizeof buf, "%s%s", cell, sfx);
		return units_parse(buf, unit, out, e);
	}
	return units_parse(cell, unit, out, e);
}

int seq_load_csv(struct seq *q, const char *path, unsigned col, char sep,
		 enum spec_unit unit, const char *sfx, struct err *e)
{
	char *line = NULL;
	size_t cap = 0, nalloc = 0;
	unsigned lineno = 0;
	bool first = true;
	double sum = 0;
	ssize_t got;
	FILE *f;
	int rc = 0;

	memset(q, 0, sizeof *q);
	if (col == 0)
		return err_set(e, "col is 1-based and must be >= 1");
	f = fopen(path, "r");
	if (f == NULL)
		return err_set(e, "cannot open '%s': %s", path, errstr(-errno));
	while ((got = getline(&line, &cap, f)) != -1) {
		char *p = line, *cell;
		unsigned ncells = 0;
		double v;

		lineno++;
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		cell = seq_cell(line, col, sep, &ncells);
		if (cell == NULL) {
			rc = err_set(e, "%s:%u: the line has %u cell%s, col=%u asked for more", path,
				     lineno, ncells, ncells == 1 ? "" : "s", col);
			goto out;
		}
		if (first && !seq_looks_numeric(cell)) {
			first = false; /* a header row */
			continue;
		}
		first = false;
		rc = seq_parse_cell(cell, unit, sfx, &v, e);
		if (rc < 0) {
			err_prefix(e, "%s:%u", path, lineno);
			goto out;
		}
		if (q->n == nalloc) {
			nalloc = nalloc ? 2 * nalloc : 64;
			q->vals = xrealloc(q->vals, nalloc * sizeof *q->vals);
		}
		q->vals[q->n++] = v;
		sum += v;
	}
	if (ferror(f)) {
		rc = err_set(e, "error reading '%s': %s", path, errstr(-errno));
		goto out;
	}
	if (q->n == 0) {
		rc = err_set(e, "'%s' has no values (empty, or only a header and comments)", path);
		goto out;
	}
	q->kind = SEQ_TABLE;
	q->mean = sum / (double)q->n;
	q->lo = -INFINITY;
	q->hi = INFINITY;
out:
	free(line);
	fclose(f);
	if (rc < 0)
		seq_free(q);
	return rc;
}

void seq_free(struct seq *q)
{
	if (q == NULL)
		return;
	free(q->vals);
	q->vals = NULL;
	q->n = 0;
}
