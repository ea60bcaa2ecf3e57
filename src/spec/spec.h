/* spec.h -- value specs: every number of a workload, as a constant, a
 * distribution, a sequence or a CSV column.
 *
 * Contract: spec_parse() reads DistWalk's syntax (docs/specs.md):
 *   10ms | 1.5k | 32g                          constants with units (units.h)
 *   unif:min=A,max=B                           uniform on [A, B]
 *   exp:AVG | norm:AVG,std=S | lognorm:AVG,std=S | lognorm:xval=MU,xstd=SIGMA
 *   gamma:AVG,std=S | gamma:k=K,scale=T | gamma:AVG,k=K
 *   weibull:AVG,k=K | weibull:k=K,scale=L | pareto:AVG,alpha=A | pareto:alpha=A,xm=X
 *     each with optional min=,max= truncation (rejection sampling, so the
 *     result follows the truncated distribution)
 *   aseq:min=A,max=B[,step=S]  gseq:min=A,max=B[,step=F]   sequences
 *   file:PATH[,col=N][,sep=C][,unit=U]         a CSV column, col 1-based
 * Parameters may be separated by ',' or ':' (DistWalk uses both). Parameter
 * values take the spec's unit. Durations and sizes never come out negative:
 * samples below 0 are clamped to 0 (use min= to shape the tail instead).
 * spec_sample(s, rng, i) is a pure function of (s, rng state, i): constants
 * ignore both, distributions draw from rng, sequences and files return
 * element i (holding the last element once past the end). So one parsed spec
 * can serve many threads at once, each with its own rng and index.
 * Ownership: spec_parse() allocates; spec_destroy() frees (NULL is a no-op).
 * Threads: immutable after parse; sampling is thread-safe.
 * Errors: spec_parse() returns -EINVAL and a message naming what is wrong. */
#ifndef MW_SPEC_SPEC_H
#define MW_SPEC_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "spec/rng.h"
#include "spec/units.h"
#include "util/err.h"

#define SPEC_MAX_TEXT 4096

struct spec;

int spec_parse(const char *text, enum spec_unit unit, struct spec **out, struct err *e);
void spec_destroy(struct spec *s);

double spec_sample(const struct spec *s, struct rng *r, uint64_t index);

bool spec_is_const(const struct spec *s);
/* Elements of a sequence or file; 0 for constants and distributions. */
uint64_t spec_length(const struct spec *s);
/* Mean of the distribution (untruncated), constant, or elements. */
double spec_mean(const struct spec *s);
/* Canonical text, e.g. "exp:avg=1000,min=10"; returns snprintf's count. */
int spec_format(const struct spec *s, char *buf, size_t len);

#endif
