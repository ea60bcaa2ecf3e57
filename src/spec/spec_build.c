/* spec_build.c -- see spec_int.h: which named form the keys given make,
 * and the distribution or sequence they define (a distribution's mean and
 * deviation turned into its own parameters). */
#include "spec/spec_int.h"

#include <errno.h>
#include <math.h>

/* Checks that the keys given make exactly one of the spec's forms. */
static int spec_check_form(const struct spec *s, struct err *e)
{
	const struct spec_def *def = s->def;
	unsigned core = s->has & ~def->extra;

	for (int i = 0; i < 4 && def->forms[i] != 0; i++)
		if (core == def->forms[i])
			return 0;
	for (int i = 0; i < 4 && def->forms[i] != 0; i++) {
		unsigned missing = def->forms[i] & ~core;

		if ((core & ~def->forms[i]) != 0)
			continue;
		for (int k = 0; k < SPEC_KEY_COUNT; k++)
			if (missing & (1u << k))
				return err_set(e, "%s: missing %s (write %s)", def->name,
					       spec_keys[k].name, def->usage);
	}
	return err_set(e, "%s: these parameters do not go together; write %s", def->name,
		       def->usage);
}

static int spec_need_positive(const struct spec *s, int k, struct err *e)
{
	char num[64];

	if (s->p[k] > 0)
		return 0;
	units_format(s->p[k], spec_keys[k].type == SPEC_V_UNIT ? s->unit : SPEC_COUNT, num,
		     sizeof num);
	return err_set(e, "%s: %s must be > 0, got %s", s->def->name, spec_keys[k].name, num);
}

#define SPEC_POS(key)                                                  \
	do {                                                           \
		if (spec_need_positive(s, SPEC_KEY_##key, e) < 0)      \
			return -EINVAL;                                \
	} while (0)

/* A distribution's parameters (its truncation already set) into s->dist;
 * means and deviations become the law's own parameters. */
static int build_dist(struct spec *s, struct err *e)
{
	struct dist *d = &s->dist;
	double *p = s->p;
	unsigned has = s->has;
	char a[64], b[64];

	switch (s->def->id) {
	case SPEC_UNIF:
		d->kind = DIST_UNIF;
		d->a = p[SPEC_KEY_MIN];
		d->b = p[SPEC_KEY_MAX];
		break;
	case SPEC_EXP:
		SPEC_POS(AVG);
		d->kind = DIST_EXP;
		d->a = p[SPEC_KEY_AVG];
		break;
	case SPEC_NORM:
		SPEC_POS(STD);
		d->kind = DIST_NORM;
		d->a = p[SPEC_KEY_AVG];
		d->b = p[SPEC_KEY_STD];
		/* Durations and sizes cannot be negative; without min= the
		 * negative tail becomes 0. */
		d->clamp0 = s->unit != SPEC_COUNT && !(has & B(MIN));
		break;
	case SPEC_LOGNORM:
		d->kind = DIST_LOGNORM;
		if (has & B(AVG)) {
			double cv, s2;

			SPEC_POS(AVG);
			SPEC_POS(STD);
			/* Mean m and deviation sd of the lognormal itself:
			 * sigma^2 = log(1 + (sd/m)^2), mu = log(m) - sigma^2/2. */
			cv = p[SPEC_KEY_STD] / p[SPEC_KEY_AVG];
			s2 = log1p(cv * cv);
			d->a = log(p[SPEC_KEY_AVG]) - 0.5 * s2;
			d->b = sqrt(s2);
		} else {
			SPEC_POS(XSTD);
			d->a = p[SPEC_KEY_XVAL];
			d->b = p[SPEC_KEY_XSTD];
		}
		break;
	case SPEC_GAMMA:
		d->kind = DIST_GAMMA;
		if ((has & B(AVG)) && (has & B(STD))) {
			SPEC_POS(AVG);
			SPEC_POS(STD);
			/* mean = k*theta, variance = k*theta^2. */
			d->a = (p[SPEC_KEY_AVG] / p[SPEC_KEY_STD]) * (p[SPEC_KEY_AVG] / p[SPEC_KEY_STD]);
			d->b = p[SPEC_KEY_STD] * p[SPEC_KEY_STD] / p[SPEC_KEY_AVG];
		} else if ((has & B(SCALE)) && (has & B(AVG))) {
			SPEC_POS(AVG);
			SPEC_POS(K);
			SPEC_POS(SCALE);
			/* DistWalk's gamma:AVG:k=..:scale=..: three numbers for two
			 * parameters, so they must agree (mean = k * scale). */
			if (fabs(p[SPEC_KEY_K] * p[SPEC_KEY_SCALE] - p[SPEC_KEY_AVG]) >
			    1e-6 * p[SPEC_KEY_AVG]) {
				units_format(p[SPEC_KEY_AVG], s->unit, a, sizeof a);
				units_format(p[SPEC_KEY_K] * p[SPEC_KEY_SCALE], s->unit, b, sizeof b);
				return err_set(e, "gamma: avg %s is not k*scale = %s (give two of them)",
					       a, b);
			}
			d->a = p[SPEC_KEY_K];
			d->b = p[SPEC_KEY_SCALE];
		} else if (has & B(SCALE)) {
			SPEC_POS(K);
			SPEC_POS(SCALE);
			d->a = p[SPEC_KEY_K];
			d->b = p[SPEC_KEY_SCALE];
		} else {
			SPEC_POS(AVG);
			SPEC_POS(K);
			d->a = p[SPEC_KEY_K];
			d->b = p[SPEC_KEY_AVG] / p[SPEC_KEY_K];
		}
		break;
	case SPEC_WEIBULL:
		SPEC_POS(K);
		d->kind = DIST_WEIBULL;
		d->a = p[SPEC_KEY_K];
		if (has & B(AVG)) {
			SPEC_POS(AVG);
			/* mean = lambda * Gamma(1 + 1/k). */
			d->b = p[SPEC_KEY_AVG] / tgamma(1.0 + 1.0 / p[SPEC_KEY_K]);
		} else {
			SPEC_POS(SCALE);
			d->b = p[SPEC_KEY_SCALE];
		}
		break;
	case SPEC_PARETO:
		SPEC_POS(ALPHA);
		d->kind = DIST_PARETO;
		d->a = p[SPEC_KEY_ALPHA];
		if (has & B(AVG)) {
			SPEC_POS(AVG);
			if (!(p[SPEC_KEY_ALPHA] > 1))
				return err_set(e, "pareto: alpha must be > 1 when avg is given "
						  "(the mean is infinite otherwise)");
			/* mean = alpha * xm / (alpha - 1). */
			d->b = p[SPEC_KEY_AVG] * (p[SPEC_KEY_ALPHA] - 1) / p[SPEC_KEY_ALPHA];
		} else {
			SPEC_POS(XM);
			d->b = p[SPEC_KEY_XM];
		}
		break;
	case SPEC_ASEQ:
	case SPEC_GSEQ:
	case SPEC_FILE:
		break; /* sequences: spec_build() */
	}
	return 0;
}

int spec_build(struct spec *s, struct err *e)
{
	struct dist *d = &s->dist;
	double *p = s->p;
	unsigned has = s->has;
	char a[64], b[64];
	int rc;

	if (spec_check_form(s, e) < 0)
		return -EINVAL;
	if ((has & B(MIN)) && (has & B(MAX)) && p[SPEC_KEY_MIN] > p[SPEC_KEY_MAX]) {
		units_format(p[SPEC_KEY_MIN], s->unit, a, sizeof a);
		units_format(p[SPEC_KEY_MAX], s->unit, b, sizeof b);
		return err_set(e, "%s: min (%s) is greater than max (%s)", s->def->name, a, b);
	}
	d->lo = has & B(MIN) ? p[SPEC_KEY_MIN] : -INFINITY;
	d->hi = has & B(MAX) ? p[SPEC_KEY_MAX] : INFINITY;
	switch (s->def->id) {
	case SPEC_ASEQ:
	case SPEC_GSEQ:
		if (!(has & B(STEP)))
			p[SPEC_KEY_STEP] = s->def->id == SPEC_ASEQ ? 1 : 2;
		s->has |= B(STEP);
		rc = s->def->id == SPEC_ASEQ
			     ? seq_init_arith(&s->seq, p[SPEC_KEY_MIN], p[SPEC_KEY_MAX],
					      p[SPEC_KEY_STEP], e)
			     : seq_init_geom(&s->seq, p[SPEC_KEY_MIN], p[SPEC_KEY_MAX],
					     p[SPEC_KEY_STEP], e);
		if (rc < 0)
			return err_prefix(e, "%s", s->def->name);
		s->mean = s->seq.mean;
		return 0;
	case SPEC_FILE:
		rc = seq_load_csv(&s->seq, s->path, s->col, s->sep, s->unit, s->sfx, e);
		if (rc < 0)
			return err_prefix(e, "%s", s->def->name);
		s->mean = s->seq.mean;
		return 0;
	default:
		break;
	}
	if (build_dist(s, e) < 0)
		return -EINVAL;
	if (dist_init(d, e) < 0)
		return err_prefix(e, "%s", s->def->name);
	s->mean = dist_mean(d);
	return 0;
}
