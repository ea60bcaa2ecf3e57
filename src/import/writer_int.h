/* writer_int.h -- what import/writer.c, writer_names.c and writer_ops.c
 * share: the names of a model's scenario (writer.h's struct writer_names,
 * opaque outside them), the growing text they build lines in, and the ops
 * text of a program's segments.
 * Threads: one, as writer.h. */
#ifndef MW_IMPORT_WRITER_INT_H
#define MW_IMPORT_WRITER_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import/model.h"
#include "import/strmap.h"
#include "import/writer.h"
#include "spec/spec.h"

#define NAME_MAX_LEN 64

struct writer_names {
	const struct model *m;
	char **svc;    /* by service name id (NULL: no route) */
	char **route;  /* by route index */
	char **group;  /* by route index (entry routes) */
	uint32_t *svc_order; /* service name ids by traced name */
	uint32_t nsvc;
	uint32_t *route_order; /* route indexes by service order, then operation */
	struct strmap cut;     /* (from, to) service pairs whose calls are left out */
	char **cut_text;       /* why, one line each */
	uint32_t ncut;
};

/* Text that grows as it is written; p is NUL-terminated (free() it). */
struct text {
	char *p;
	size_t n, cap;
};

/* Appends to t like printf. */
__attribute__((format(printf, 2, 3))) void writer_tput(struct text *t, const char *fmt, ...);

/* How a service's self time is emulated: its CPU fraction and the working
 * set of its -C ops. */
struct self_emu {
	double cpu;
	uint64_t wset;
};

/* writer_ops.c: the median of sorted x[0..n) (0 when empty). */
double writer_median(const double *x, uint32_t n);
/* An emp: spec (or a constant) of the sorted values x[0..n) scaled by k, in
 * unit u: the values themselves when n <= q, else the means of q equal
 * slices of them, so the spec keeps the distribution's shape, its mean, and
 * its tail's weight in the last slice; sep between values (',', or ':'
 * inside an option that splits at ','). */
void writer_emp_text_sep(struct text *t, const double *x, uint32_t n, double k,
			 enum spec_unit u, uint32_t q, char sep);
void writer_emp_text(struct text *t, const double *x, uint32_t n, double k, enum spec_unit u,
		     uint32_t q);
/* A compute segment of samples in ns: -C (with ws=), --sleep or both; false
 * when there was nothing to emulate. coarse: the samples are gaps between
 * millisecond start stamps, signed (import/model.h): their mean is kept and
 * the stamps' noise taken out of their spread. */
bool writer_self_ops(struct text *t, const struct reservoir *r, struct self_emu how, bool coarse,
		     uint32_t q);
/* Segment g of plan pl: self time, storage ops, waits; false: nothing. */
bool writer_segment_ops(struct text *t, const struct model_plan *pl, uint32_t g,
			struct self_emu how, uint32_t q);

#endif
