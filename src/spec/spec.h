/* spec.h -- value specs: where every number of a workload comes from.
 *
 * Contract: a spec is text naming a constant, a distribution, a sequence or a
 * column of a CSV file, in DistWalk's syntax (docs/specs.md is the reference):
 *   10ms   1.5k   32g                         constants
 *   unif:min=1k,max=10k                       uniform
 *   exp:1ms[,min=..][,max=..]                 exponential by its average
 *   norm:10ms,std=1ms   lognorm:avg,std=s | lognorm:xval=mu,xstd=sigma
 *                       (xavg= is DistWalk's name of xval)
 *   gamma:avg,std=s | gamma:k=,scale= | gamma:avg,k= | gamma:avg,k=,scale=
 *                       (the three must agree: avg = k*scale)
 *   weibull:avg,k= | weibull:k=,scale=   pareto:avg,alpha= | pareto:alpha=,xm=
 *   aseq:min=,max=[,step=]   gseq:min=,max=[,step=factor]
 *   file:path[,col=N][,sep=c][,unit=u]       col is 1-based
 *   file:path:col=N[:sep=c][:unit=u]         DistWalk's form: col is 0-based
 *   emp:v1,v2,...  |  emp:file:path[,...]    empirical: each sample is one of
 *                       the values, all equally likely (at most EMP_MAX_VALUES)
 * Parameters are separated by ',' or ':' interchangeably; the first one may be
 * given without a key (the average, or the path of a file). Numbers take the
 * suffixes of the spec's unit (units.h), except the plain shape parameters
 * k, alpha, xval, xstd and the gseq factor. min=/max= on a distribution
 * truncate it: samples follow the truncated law exactly (dist.h). A norm in
 * SPEC_TIME or SPEC_SIZE without min= is clamped at 0 (negative durations
 * and sizes do not exist); write min= to truncate instead.
 * Sampling: constants return their value; distributions draw from the
 * caller's rng and ignore the index; sequences and files ignore the rng and
 * return element `index`, holding the last element once past the end. So a
 * caller passes the 0-based number of the sample in its own stream (per
 * thread or session), and a run is reproducible from seed and stream.
 * Samples are doubles in the spec's unit and are not rounded; sizes and
 * counts are integral only for constants and sequences of integers
 * (spec_sample_u64() rounds).
 * Ownership: spec_parse() returns a new spec the caller frees with
 * spec_destroy() (NULL ok). A file is read completely at parse time; the spec
 * keeps no reference to the text or the file.
 * Threads: a spec is immutable after spec_parse(): any number of threads may
 * sample, format and query one spec at once, each with its own struct rng.
 * Errors: spec_parse() returns 0, or -EINVAL with one line in *e that names
 * the problem: "unknown distribution 'expo' (expected one of ...)",
 * "exp: unknown parameter 'foo' ...", "norm: missing std ...". The message of
 * a file error starts with "file: " and, for a bad cell, names "path:line:"; e->line and e->col are left alone,
 * since they belong to whatever file the spec text itself came from. */
#ifndef MW_SPEC_SPEC_H
#define MW_SPEC_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/rng.h"
#include "spec/units.h"
#include "util/err.h"

/* Longest accepted spec text and most parameters after the distribution name. */
#define SPEC_MAX_TEXT 4096
#define SPEC_MAX_PARAMS 16
/* Most values of an emp: spec (8 MB of samples). */
#define EMP_MAX_VALUES (1 << 20)

struct spec; /* opaque, immutable after spec_parse() */

/* Parses text as a spec of the given unit into *out (NULL on error). Leading
 * and trailing blanks, and blanks around parameters, are ignored. */
int spec_parse(const char *text, enum spec_unit unit, struct spec **out, struct err *e);

/* One value: see "Sampling" above. r may be NULL for constants, sequences and
 * files. Costs one branch for a constant. */
double spec_sample(const struct spec *s, struct rng *r, uint64_t index);

/* spec_sample() rounded to the nearest integer and clamped to [0, 2^63]. */
uint64_t spec_sample_u64(const struct spec *s, struct rng *r, uint64_t index);

/* True when every sample is the same value (a constant). */
bool spec_is_const(const struct spec *s);

/* Number of elements of a sequence or file; 0 for constants and
 * distributions, meaning "unbounded". */
uint64_t spec_length(const struct spec *s);

/* Expected sample: the constant; the exact mean of the distribution after
 * truncation and clamping (INFINITY for an unbounded pareto with alpha <= 1);
 * the arithmetic mean of a sequence's or file's elements. */
double spec_mean(const struct spec *s);

/* The unit the spec was parsed with. */
enum spec_unit spec_unit(const struct spec *s);

/* Canonical text, e.g. "exp:avg=1ms,min=10us", which spec_parse() reads back
 * to an identical spec (a file is read again). Returns the length the full
 * text needs, like snprintf: truncated when >= len. */
int spec_format(const struct spec *s, char *buf, size_t len);

/* The spec as DistWalk's dw_client prints it in its Configuration block
 * (1000us, 512b, exp:500us, unif:,min=1,max=2us, seq:step=1,min=1,max=5us):
 * for display only, not read back. Returns the length like spec_format(). */
int spec_format_dw(const struct spec *s, char *buf, size_t len);

void spec_destroy(struct spec *s);

#endif
