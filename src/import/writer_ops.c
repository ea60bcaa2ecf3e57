/* writer_ops.c -- the ops text of a route's program: empirical specs, a
 * compute segment's self time and waits, its storage ops (see writer_int.h). */
#include "import/writer_int.h"

#include <math.h>
#include <stdlib.h>

#include "proto/ops.h"
#include "spec/units.h"
#include "stats/sample.h"

double writer_median(const double *x, uint32_t n)
{
	return n ? sample_percentile(x, n, 50) : 0;
}

/* 0.1 us or 1 byte: finer digits only make the text longer. */
static double rounded(double v, enum spec_unit u)
{
	return u == SPEC_TIME ? round(v * 10) / 10 : round(v);
}

/* An emp: spec (or a constant) of the sorted values x[0..n) scaled by k, in
 * unit u: at most q quantiles, at the middle of q equal slices, so the spec
 * keeps the distribution's shape and its tail up to the last slice. */
void writer_emp_text_sep(struct text *t, const double *x, uint32_t n, double k,
			 enum spec_unit u, uint32_t q, char sep)
{
	char num[64];
	uint32_t m = n < q ? n : q;

	double mid = n ? writer_median(x, n) * k : 0;

	/* a spread under 1 us (1 byte) or 2% of the median is not worth a list */
	if (n == 0 || (x[n - 1] - x[0]) * k <= 1.0 ||
	    (x[n - 1] - x[0]) * k <= 0.02 * mid) {
		units_format(rounded(mid, u), u, num, sizeof num);
		writer_tput(t, "%s", num);
		return;
	}
	writer_tput(t, "emp:");
	for (uint32_t i = 0; i < m; i++) {
		/* m equal slices of the sorted samples (m <= n: none is
		 * empty), each written as its mean: the list's mean is the
		 * samples', and a heavy tail's top slice keeps its weight (its
		 * middle sample did not: a 32-value list kept nothing of a
		 * segment above its p98.4) */
		uint32_t lo = (uint32_t)((uint64_t)i * n / m), hi = (uint32_t)((uint64_t)(i + 1) * n / m);
		double v = 0;

		for (uint32_t j = lo; j < hi; j++)
			v += x[j];
		v = v / (hi - lo) * k;

		units_format(rounded(v, u), u, num, sizeof num);
		if (i)
			writer_tput(t, "%c", sep);
		writer_tput(t, "%s", num);
	}
}

void writer_emp_text(struct text *t, const double *x, uint32_t n, double k, enum spec_unit u,
		     uint32_t q)
{
	writer_emp_text_sep(t, x, n, k, u, q, ',');
}

/* Sorted segment samples x[0..n) of executions timed by millisecond start
 * stamps (import/model.h): each is the true gap plus the difference of two
 * stamps' rounding, a noise of mean 0 and variance 1/6 ms^2 (two uniform
 * roundings of 1 ms). The mean is kept; the spread is shrunk around it by
 * what is left of the variance once the noise's is taken out (all of it,
 * when the noise explains it all); then what is below 0 is clipped. The
 * order is kept, so x stays sorted. */
static void denoise(double *x, uint32_t n)
{
	const double noise = 1e12 / 6; /* ns^2 */
	double mean = 0, var = 0, k;

	for (uint32_t i = 0; i < n; i++)
		mean += x[i];
	mean /= n ? n : 1;
	for (uint32_t i = 0; i < n; i++)
		var += (x[i] - mean) * (x[i] - mean);
	var /= n ? n : 1;
	k = var > noise ? sqrt((var - noise) / var) : 0;
	for (uint32_t i = 0; i < n; i++)
		x[i] = fmax(mean + (x[i] - mean) * k, 0);
}

/* A compute segment of samples in ns: -C (with ws= when the service has a
 * working set), --sleep or both; coarse: samples of millisecond stamps
 * (denoise() first). */
bool writer_self_ops(struct text *t, const struct reservoir *r, struct self_emu how, bool coarse,
		     uint32_t q)
{
	uint32_t n;
	double *x = reservoir_sorted(r, &n);
	bool any;

	if (coarse)
		denoise(x, n);
	for (uint32_t i = 0; i < n && x[i] < 0; i++)
		x[i] = 0; /* a few signed samples among finer ones */
	any = n > 0 && x[n - 1] >= 500; /* below 0.5 us: nothing to emulate */

	if (any && how.cpu > 0) {
		writer_tput(t, "%s-C ", t->n ? " " : "");
		writer_emp_text(t, x, n, how.cpu / 1000.0, SPEC_TIME, q);
		if (how.wset) {
			char num[64];

			units_format((double)how.wset, SPEC_SIZE, num, sizeof num);
			writer_tput(t, ",ws=%s", num);
		}
	}
	if (any && how.cpu < 1) {
		writer_tput(t, "%s--sleep ", t->n ? " " : "");
		writer_emp_text(t, x, n, (1 - how.cpu) / 1000.0, SPEC_TIME, q);
	}
	free(x);
	return any;
}

/* A segment's waits meshwalk recorded (SLEEP, LOAD, STORE, READ spans): off
 * CPU whatever --self-time says, since the trace says so. */
static bool wait_ops(struct text *t, const struct reservoir *r, uint32_t q)
{
	uint32_t n;
	double *x = reservoir_sorted(r, &n);
	bool any = n > 0 && x[n - 1] >= 500;

	if (any) {
		writer_tput(t, "%s--sleep ", t->n ? " " : "");
		writer_emp_text(t, x, n, 1 / 1000.0, SPEC_TIME, q);
	}
	free(x);
	return any;
}

/* A segment's storage ops, as every execution ran them: -L / -S with the
 * sizes (and offsets) observed and a STORE's sync policy. */
static bool stor_ops(struct text *t, const struct model_stor *st, uint32_t q)
{
	for (uint32_t k = 0; k < st->n; k++) {
		uint32_t n;
		double *x = reservoir_sorted(&st->size[k], &n);

		/* -L/-S split their value at ',': the spec's values take ':' */
		writer_tput(t, "%s-%c ", t->n ? " " : "", st->kind[k] == MOP_LOAD ? 'L' : 'S');
		writer_emp_text_sep(t, x, n, 1, SPEC_SIZE, q, ':');
		free(x);
		if (st->at[k]) {
			x = reservoir_sorted(&st->offset[k], &n);
			writer_tput(t, ",offset=");
			writer_emp_text_sep(t, x, n, 1, SPEC_SIZE, q, ':');
			free(x);
		}
		if (st->kind[k] == MOP_STORE)
			writer_tput(t, ",%s", ops_sync_word((unsigned)st->sync[k])); /* 0..2: fit_stor */
	}
	return st->n > 0;
}

/* Segment g of plan pl: its self time (per --self-time), its storage ops
 * when every execution ran the same ones (the clone runs them: its own disk
 * and storage thread, no timer's wake-up on top), then its other waits. */
bool writer_segment_ops(struct text *t, const struct model_plan *pl, uint32_t g,
			struct self_emu how, uint32_t q)
{
	bool a = writer_self_ops(t, &pl->seg[g], how, 2 * pl->coarse > pl->count, q);
	const struct model_stor *st = &pl->stor[g];

	if (st->state == STOR_SAME && st->n > 0) {
		bool b = stor_ops(t, st, q);

		return wait_ops(t, &pl->wait_other[g], q) || b || a;
	}
	return wait_ops(t, &pl->wait[g], q) || a;
}
