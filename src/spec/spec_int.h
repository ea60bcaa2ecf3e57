/* spec_int.h -- what spec.c (parsing, formatting, sampling) and
 * spec_build.c (the parameters given into a distribution or a sequence)
 * share: a spec's kinds, keys, named forms and struct spec itself. Private to
 * spec/; spec.h is the interface.
 * Threads: as spec.h. */
#ifndef MW_SPEC_SPEC_INT_H
#define MW_SPEC_SPEC_INT_H

#include <stdbool.h>

#include "spec/dist.h"
#include "spec/seq.h"
#include "spec/spec.h"

enum spec_kind {
	SPEC_KIND_CONST = 1, /* value */
	SPEC_KIND_DIST,      /* dist */
	SPEC_KIND_SEQ,       /* seq (aseq, gseq, file) */
	SPEC_KIND_EMP,       /* seq's table, sampled at random (emp) */
};

/* Keys, in the order spec_format() prints them. */
enum spec_key {
	SPEC_KEY_AVG = 0,
	SPEC_KEY_STD,
	SPEC_KEY_K,
	SPEC_KEY_SCALE,
	SPEC_KEY_XVAL,
	SPEC_KEY_XSTD,
	SPEC_KEY_ALPHA,
	SPEC_KEY_XM,
	SPEC_KEY_MIN,
	SPEC_KEY_MAX,
	SPEC_KEY_STEP,
	SPEC_KEY_PATH,
	SPEC_KEY_COL,
	SPEC_KEY_SEP,
	SPEC_KEY_UNIT,
	SPEC_KEY_COUNT
};
#define B(k) (1u << SPEC_KEY_##k)

enum spec_vtype {
	SPEC_V_UNIT = 1,     /* number in the spec's unit, >= 0 */
	SPEC_V_PLAIN,        /* plain number, >= 0 */
	SPEC_V_PLAIN_SIGNED, /* plain number, any sign */
	SPEC_V_STEP,         /* aseq: signed number in the unit; gseq: plain factor */
	SPEC_V_PATH,         /* file path */
	SPEC_V_COL,          /* 1-based column */
	SPEC_V_SEP,          /* one character or its name */
	SPEC_V_SUFFIX,       /* unit suffix for bare numbers of a file */
};

struct spec_keydef {
	const char *name;
	enum spec_vtype type;
};

/* By key: its name and the type of its value. */
extern const struct spec_keydef spec_keys[SPEC_KEY_COUNT];

enum spec_form_id {
	SPEC_UNIF = 1,
	SPEC_EXP,
	SPEC_NORM,
	SPEC_LOGNORM,
	SPEC_GAMMA,
	SPEC_WEIBULL,
	SPEC_PARETO,
	SPEC_ASEQ,
	SPEC_GSEQ,
	SPEC_FILE,
};

struct spec_def {
	const char *name;
	enum spec_form_id id;
	unsigned forms[4]; /* key sets that define the spec; 0 ends the list */
	unsigned extra;    /* optional keys */
	const char *usage; /* shown when the keys fit no form */
};

/* Longest unit suffix of a file (the longest real one is "KiB"). */
#define SPEC_SFX_MAX 7

struct spec {
	enum spec_kind kind;        /* first: spec_sample() branches on it */
	double value;               /* SPEC_KIND_CONST: the value */
	enum spec_unit unit;        /* unit of every number */
	const struct spec_def *def; /* which named spec; NULL for a constant */
	unsigned has;               /* keys given (B(x) bits), for spec_format() */
	double p[SPEC_KEY_COUNT];   /* numeric parameters as given */
	unsigned col;               /* file: 1-based column */
	bool dw_cols;               /* file: col= was given 0-based (DistWalk's colon form) */
	char sep;                   /* file: cell separator */
	char sfx[SPEC_SFX_MAX + 1]; /* file: suffix for bare numbers, "" for none */
	char *path;                 /* file: path as given (owned) */
	double mean;                /* spec_mean() */
	struct dist dist;           /* SPEC_KIND_DIST */
	struct seq seq;             /* SPEC_KIND_SEQ */
};

/* Turns the parameters of a named spec (s->def, s->has, s->p and a file's
 * fields, as parsed) into its dist or seq and s->mean: 0, or -EINVAL with
 * e filled ("norm: missing std", "exp: avg must be > 0"). */
int spec_build(struct spec *s, struct err *e);

#endif
