/* spec.c -- see spec.h.
 *
 * DESIGN: parsing turns every form into one struct with a kind and two shape
 * parameters (a, b) in a fixed parameterisation per distribution (gamma: k
 * and theta; lognormal: mu and sigma of the underlying normal; ...), so
 * sampling is a switch and a few floating-point operations. Alternative
 * spellings (mean and std vs. shape and scale) are converted once, at parse
 * time. Sequences and files are indexed, not iterated, which keeps a spec
 * immutable and shareable across threads. */
#include "spec/spec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define MAX_PARAMS 16
#define MAX_REJECT 1000
#define MAX_FILE_BYTES (256u << 20)

enum spec_kind {
	K_CONST = 1,
	K_UNIF,
	K_EXP,
	K_NORM,
	K_LOGNORM,
	K_GAMMA,
	K_WEIBULL,
	K_PARETO,
	K_ASEQ,
	K_GSEQ,
	K_FILE,
};

struct spec {
	enum spec_kind kind;
	enum spec_unit unit;
	double a, b;           /* shape parameters, see sample() */
	double lo, hi;         /* truncation bounds (-inf/+inf when absent) */
	bool truncated;
	double start, step;    /* sequences */
	uint64_t len;          /* sequences and files: elements */
	double *vals;          /* file values */
	double mean;
	char text[SPEC_MAX_TEXT]; /* canonical form */
};

/* -- parameter lists -- */

struct param {
	char *key;   /* NULL for the positional (average) value */
	char *value;
};

struct params {
	struct param v[MAX_PARAMS];
	int n;
	char *buf;   /* owned copy of the text being split */
};

static int split(const char *text, struct params *ps, struct err *e)
{
	char *p;

	ps->n = 0;
	ps->buf = xstrdup(text);
	p = ps->buf;
	while (*p) {
		char *tok = p;
		size_t n = strcspn(p, ",:");

		p += n;
		if (*p)
			*p++ = '\0';
		if (*tok == '\0')
			return err_set(e, "empty parameter in '%s'", text);
		if (ps->n == MAX_PARAMS)
			return err_set(e, "too many parameters in '%s'", text);
		char *eq = strchr(tok, '=');
		if (eq) {
			*eq = '\0';
			ps->v[ps->n].key = tok;
			ps->v[ps->n].value = eq + 1;
			if (eq[1] == '\0')
				return err_set(e, "parameter '%s' has no value in '%s'", tok, text);
		} else {
			ps->v[ps->n].key = NULL;
			ps->v[ps->n].value = tok;
		}
		ps->n++;
	}
	return 0;
}

/* Looks up key (the positional value counts as "avg"); marks it used. */
static const char *take(struct params *ps, const char *key, bool *used)
{
	for (int i = 0; i < ps->n; i++) {
		const char *k = ps->v[i].key ? ps->v[i].key : "avg";

		if (strcmp(k, key) == 0) {
			used[i] = true;
			return ps->v[i].value;
		}
	}
	return NULL;
}

static int num(struct params *ps, bool *used, const char *key, enum spec_unit unit, bool sign,
	       double *out, bool *present, const char *dist, struct err *e)
{
	const char *v = take(ps, key, used);
	int rc;

	*present = v != NULL;
	if (v == NULL)
		return 0;
	rc = sign ? units_parse_signed(v, unit, out, e) : units_parse(v, unit, out, e);
	if (rc < 0)
		return err_prefix(e, "%s: %s=", dist, key);
	return 0;
}

/* -- sampling -- */

static double gamma_sample(struct rng *r, double k, double theta)
{
	/* Marsaglia and Tsang; for k < 1 sample k+1 and scale by U^(1/k). */
	double boost = 1.0;

	if (k < 1.0) {
		boost = pow(rng_uniform(r), 1.0 / k);
		k += 1.0;
	}
	double d = k - 1.0 / 3.0, c = 1.0 / sqrt(9.0 * d);
	for (;;) {
		double x = rng_normal(r), v = 1.0 + c * x;

		if (v <= 0)
			continue;
		v = v * v * v;
		double u = rng_uniform(r);
		if (u < 1.0 - 0.0331 * x * x * x * x || log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
			return d * v * theta * boost;
	}
}

static double draw(const struct spec *s, struct rng *r)
{
	switch (s->kind) {
	case K_UNIF: return s->a + (s->b - s->a) * rng_uniform(r);
	case K_EXP: return -s->a * log(rng_uniform(r));
	case K_NORM: return s->a + s->b * rng_normal(r);
	case K_LOGNORM: return exp(s->a + s->b * rng_normal(r));
	case K_GAMMA: return gamma_sample(r, s->a, s->b);
	case K_WEIBULL: return s->b * pow(-log(rng_uniform(r)), 1.0 / s->a);
	case K_PARETO: return s->b / pow(rng_uniform(r), 1.0 / s->a);
	default: return s->a;
	}
}

double spec_sample(const struct spec *s, struct rng *r, uint64_t index)
{
	double v;

	switch (s->kind) {
	case K_CONST:
		return s->a;
	case K_ASEQ:
		return s->start + (double)(index < s->len ? index : s->len - 1) * s->step;
	case K_GSEQ:
		return s->start * pow(s->step, (double)(index < s->len ? index : s->len - 1));
	case K_FILE:
		return s->vals[index < s->len ? index : s->len - 1];
	default:
		break;
	}
	v = draw(s, r);
	if (s->truncated) {
		int tries = 0;

		while ((v < s->lo || v > s->hi) && ++tries < MAX_REJECT)
			v = draw(s, r);
		if (v < s->lo)
			v = s->lo;
		if (v > s->hi)
			v = s->hi;
	}
	if (v < 0 && s->unit != SPEC_COUNT)
		v = 0;
	return v;
}

bool spec_is_const(const struct spec *s)
{
	return s->kind == K_CONST;
}

uint64_t spec_length(const struct spec *s)
{
	return s->kind == K_ASEQ || s->kind == K_GSEQ || s->kind == K_FILE ? s->len : 0;
}

double spec_mean(const struct spec *s)
{
	return s->mean;
}

int spec_format(const struct spec *s, char *buf, size_t len)
{
	return snprintf(buf, len, "%s", s->text);
}

void spec_destroy(struct spec *s)
{
	if (s == NULL)
		return;
	free(s->vals);
	free(s);
}

/* -- parsing -- */

static const char *const dist_names =
	"unif, exp, norm, lognorm, gamma, weibull, pareto, aseq, gseq, file";

static int parse_file(struct spec *s, const char *rest, struct err *e)
{
	char path[1024], sep = ',';
	const char *comma = strchr(rest, ',');
	size_t plen = comma ? (size_t)(comma - rest) : strlen(rest);
	long col = 1;
	double mult = 1.0;
	FILE *f;

	if (plen == 0 || plen >= sizeof path)
		return err_set(e, "file: expected file:PATH[,col=N][,sep=C][,unit=U]");
	memcpy(path, rest, plen);
	path[plen] = '\0';
	if (comma) {
		char *opts = xstrdup(comma + 1), *p = opts, *tok;
		int rc = 0;

		while (rc == 0 && (tok = strsep(&p, ",")) != NULL) {
			if (strncmp(tok, "col=", 4) == 0) {
				char *end;

				col = strtol(tok + 4, &end, 10);
				if (*end || col < 1 || col > 1000)
					rc = err_set(e, "file: col must be a column number from 1, got '%s'",
						     tok + 4);
			} else if (strncmp(tok, "sep=", 4) == 0 && strlen(tok) == 5) {
				sep = tok[4];
			} else if (strncmp(tok, "unit=", 5) == 0) {
				char one[32];

				snprintf(one, sizeof one, "1%s", tok + 5);
				if (units_parse(one, s->unit, &mult, e) < 0)
					rc = err_set(e, "file: unknown unit '%s' for a %s", tok + 5,
						     units_name(s->unit));
			} else {
				rc = err_set(e, "file: unknown parameter '%s' (expected col=, sep=, unit=)",
					     tok);
			}
		}
		free(opts);
		if (rc < 0)
			return rc;
	}
	f = fopen(path, "r");
	if (f == NULL)
		return err_set(e, "file: cannot open '%s': %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0, n = 0, vcap = 0;
	ssize_t got;
	int lineno = 0, rc = 0;
	bool first_data = true;
	while (rc == 0 && (got = getline(&line, &cap, f)) != -1) {
		char *p = line, *cell;
		long c = 1;

		lineno++;
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0' || *p == '#')
			continue;
		cell = p;
		for (; c < col && cell; c++) {
			cell = strchr(cell, sep);
			if (cell)
				cell++;
		}
		if (cell == NULL) {
			rc = err_set(e, "file '%s' line %d: no column %ld", path, lineno, col);
			break;
		}
		char *end = strchr(cell, sep);
		if (end)
			*end = '\0';
		while (*cell == ' ' || *cell == '\t')
			cell++;
		for (size_t k = strlen(cell); k > 0 && (cell[k - 1] == ' ' || cell[k - 1] == '\t'); k--)
			cell[k - 1] = '\0';
		double v;
		char *numend;
		struct err tmp;
		v = strtod(cell, &numend);
		if (*cell != '\0' && *numend == '\0' && isfinite(v)) {
			v *= mult;
		} else if (units_parse_signed(cell, s->unit, &v, &tmp) < 0) {
			if (first_data) { /* a header row */
				first_data = false;
				continue;
			}
			rc = err_set(e, "file '%s' line %d: '%s' is not a %s", path, lineno, cell,
				     units_name(s->unit));
			break;
		}
		first_data = false;
		if (n == vcap) {
			vcap = vcap ? vcap * 2 : 256;
			if (vcap * sizeof(double) > MAX_FILE_BYTES) {
				rc = err_set(e, "file '%s': too many rows", path);
				break;
			}
			s->vals = xrealloc(s->vals, vcap * sizeof(double));
		}
		s->vals[n++] = v;
	}
	free(line);
	fclose(f);
	if (rc < 0)
		return rc;
	if (n == 0)
		return err_set(e, "file '%s' has no values", path);
	s->len = n;
	double sum = 0;
	for (size_t i = 0; i < n; i++)
		sum += s->vals[i];
	s->mean = sum / (double)n;
	snprintf(s->text, sizeof s->text, "file:%s,col=%ld,sep=%c", path, col, sep);
	return 0;
}

static int parse_dist(struct spec *s, const char *name, const char *rest, struct err *e)
{
	struct params ps = { 0 };
	bool used[MAX_PARAMS] = { false };
	double avg = 0, std = 0, k = 0, scale = 0, alpha = 0, xm = 0, xval = 0, xstd = 0;
	double mn = 0, mx = 0, step = 0;
	bool h_avg, h_std, h_k, h_scale, h_alpha, h_xm, h_xval, h_xstd, h_min, h_max, h_step;
	enum spec_unit u = s->unit;
	int rc = split(rest, &ps, e);

	if (rc < 0)
		goto out;
	for (int i = 0; i < ps.n; i++)
		for (int j = 0; j < i; j++) {
			const char *a = ps.v[i].key ? ps.v[i].key : "avg";
			const char *b = ps.v[j].key ? ps.v[j].key : "avg";

			if (strcmp(a, b) == 0) {
				rc = err_set(e, "%s: parameter '%s' given twice", name, a);
				goto out;
			}
		}
#define NUM(key, unit, sign, var, has)                                                   \
	do {                                                                             \
		if ((rc = num(&ps, used, key, unit, sign, &var, &has, name, e)) < 0)     \
			goto out;                                                        \
	} while (0)
	NUM("avg", u, false, avg, h_avg);
	NUM("std", u, false, std, h_std);
	NUM("k", SPEC_COUNT, false, k, h_k);
	NUM("scale", u, false, scale, h_scale);
	NUM("alpha", SPEC_COUNT, false, alpha, h_alpha);
	NUM("xm", u, false, xm, h_xm);
	NUM("xval", SPEC_COUNT, true, xval, h_xval);
	NUM("xstd", SPEC_COUNT, false, xstd, h_xstd);
	NUM("min", u, false, mn, h_min);
	NUM("max", u, false, mx, h_max);
	NUM("step", strcmp(name, "gseq") == 0 ? SPEC_COUNT : u, true, step, h_step);
#undef NUM
	for (int i = 0; i < ps.n; i++)
		if (!used[i]) {
			rc = err_set(e, "%s: unknown parameter '%s'", name,
				     ps.v[i].key ? ps.v[i].key : ps.v[i].value);
			goto out;
		}
	if (h_min && h_max && mn > mx) {
		rc = err_set(e, "%s: min (%g) is above max (%g)", name, mn, mx);
		goto out;
	}
#define NEED(cond, msg)                                               \
	do {                                                          \
		if (!(cond)) {                                        \
			rc = err_set(e, "%s: %s", name, msg);         \
			goto out;                                     \
		}                                                     \
	} while (0)
	s->lo = h_min ? mn : -INFINITY;
	s->hi = h_max ? mx : INFINITY;
	s->truncated = h_min || h_max;
	char bounds[128] = "";
	if (h_min && h_max)
		snprintf(bounds, sizeof bounds, ",min=%.17g,max=%.17g", mn, mx);
	else if (h_min)
		snprintf(bounds, sizeof bounds, ",min=%.17g", mn);
	else if (h_max)
		snprintf(bounds, sizeof bounds, ",max=%.17g", mx);

	if (strcmp(name, "unif") == 0) {
		NEED(h_min && h_max && !h_avg && !h_std, "expected unif:min=A,max=B");
		s->kind = K_UNIF;
		s->a = mn;
		s->b = mx;
		s->truncated = false;
		s->mean = (mn + mx) / 2;
		snprintf(s->text, sizeof s->text, "unif:min=%.17g,max=%.17g", mn, mx);
	} else if (strcmp(name, "exp") == 0) {
		NEED(h_avg && avg > 0 && !h_std, "expected exp:AVG with AVG > 0");
		s->kind = K_EXP;
		s->a = avg;
		s->mean = avg;
		snprintf(s->text, sizeof s->text, "exp:avg=%.17g%s", avg, bounds);
	} else if (strcmp(name, "norm") == 0) {
		NEED(h_avg && h_std, "expected norm:AVG,std=S");
		s->kind = K_NORM;
		s->a = avg;
		s->b = std;
		s->mean = avg;
		snprintf(s->text, sizeof s->text, "norm:avg=%.17g,std=%.17g%s", avg, std, bounds);
	} else if (strcmp(name, "lognorm") == 0) {
		s->kind = K_LOGNORM;
		if (h_xval || h_xstd) {
			NEED(h_xval && h_xstd && !h_avg && !h_std, "expected lognorm:xval=MU,xstd=SIGMA");
			s->a = xval;
			s->b = xstd;
		} else {
			NEED(h_avg && avg > 0 && h_std, "expected lognorm:AVG,std=S with AVG > 0");
			double s2 = log(1.0 + (std * std) / (avg * avg));
			s->a = log(avg) - s2 / 2;
			s->b = sqrt(s2);
		}
		s->mean = exp(s->a + s->b * s->b / 2);
		snprintf(s->text, sizeof s->text, "lognorm:xval=%.17g,xstd=%.17g%s", s->a, s->b, bounds);
	} else if (strcmp(name, "gamma") == 0) {
		s->kind = K_GAMMA;
		if (h_k && h_scale) {
			NEED(!h_avg && !h_std, "give either k= and scale=, or AVG with std= or k=");
			s->a = k;
			s->b = scale;
		} else if (h_avg && h_std) {
			NEED(avg > 0 && std > 0 && !h_k, "expected gamma:AVG,std=S with AVG, S > 0");
			s->a = avg * avg / (std * std);
			s->b = std * std / avg;
		} else if (h_avg && h_k) {
			NEED(avg > 0 && k > 0, "expected gamma:AVG,k=K with AVG, K > 0");
			s->a = k;
			s->b = avg / k;
		} else {
			NEED(false, "expected gamma:AVG,std=S or gamma:k=K,scale=T or gamma:AVG,k=K");
		}
		NEED(s->a > 0 && s->b > 0, "shape and scale must be positive");
		s->mean = s->a * s->b;
		snprintf(s->text, sizeof s->text, "gamma:k=%.17g,scale=%.17g%s", s->a, s->b, bounds);
	} else if (strcmp(name, "weibull") == 0) {
		s->kind = K_WEIBULL;
		NEED(h_k && k > 0, "expected weibull:AVG,k=K or weibull:k=K,scale=L (K > 0)");
		s->a = k;
		if (h_scale) {
			NEED(!h_avg, "give either AVG or scale=");
			s->b = scale;
		} else {
			NEED(h_avg && avg > 0, "expected weibull:AVG,k=K or weibull:k=K,scale=L");
			s->b = avg / tgamma(1.0 + 1.0 / k);
		}
		NEED(s->b > 0, "scale must be positive");
		s->mean = s->b * tgamma(1.0 + 1.0 / k);
		snprintf(s->text, sizeof s->text, "weibull:k=%.17g,scale=%.17g%s", s->a, s->b, bounds);
	} else if (strcmp(name, "pareto") == 0) {
		s->kind = K_PARETO;
		NEED(h_alpha && alpha > 0, "expected pareto:AVG,alpha=A or pareto:alpha=A,xm=X");
		s->a = alpha;
		if (h_xm) {
			NEED(!h_avg && xm > 0, "expected pareto:alpha=A,xm=X with X > 0");
			s->b = xm;
		} else {
			NEED(h_avg && avg > 0 && alpha > 1, "pareto:AVG,alpha=A needs A > 1 (a finite mean)");
			s->b = avg * (alpha - 1) / alpha;
		}
		s->mean = alpha > 1 ? alpha * s->b / (alpha - 1) : INFINITY;
		snprintf(s->text, sizeof s->text, "pareto:alpha=%.17g,xm=%.17g%s", s->a, s->b, bounds);
	} else if (strcmp(name, "aseq") == 0) {
		NEED(h_min && h_max && !h_avg, "expected aseq:min=A,max=B[,step=S]");
		if (!h_step)
			step = 1;
		NEED(step != 0, "step must not be 0");
		s->kind = K_ASEQ;
		s->len = (uint64_t)floor((mx - mn) / fabs(step) + 1e-9) + 1;
		s->start = step > 0 ? mn : mx;
		s->step = step;
		s->truncated = false;
		s->mean = s->start + s->step * (double)(s->len - 1) / 2;
		snprintf(s->text, sizeof s->text, "aseq:min=%.17g,max=%.17g,step=%.17g", mn, mx, step);
	} else if (strcmp(name, "gseq") == 0) {
		NEED(h_min && h_max && !h_avg && mn > 0, "expected gseq:min=A,max=B[,step=F] with A > 0");
		if (!h_step)
			step = 2;
		NEED(step > 0 && step != 1, "step (the factor) must be positive and not 1");
		s->kind = K_GSEQ;
		s->len = (uint64_t)floor(log(mx / mn) / fabs(log(step)) + 1e-9) + 1;
		s->start = step > 1 ? mn : mx;
		s->step = step;
		s->truncated = false;
		double sum = 0;
		for (uint64_t i = 0; i < s->len; i++)
			sum += s->start * pow(step, (double)i);
		s->mean = sum / (double)s->len;
		snprintf(s->text, sizeof s->text, "gseq:min=%.17g,max=%.17g,step=%.17g", mn, mx, step);
	} else {
		rc = err_set(e, "unknown distribution '%s' (expected one of %s)", name, dist_names);
	}
#undef NEED
out:
	free(ps.buf);
	return rc;
}

int spec_parse(const char *text, enum spec_unit unit, struct spec **out, struct err *e)
{
	struct spec *s;
	const char *colon;
	int rc;

	if (text == NULL || strlen(text) > SPEC_MAX_TEXT - 64)
		return err_set(e, "spec too long (at most %d characters)", SPEC_MAX_TEXT - 64);
	s = xcalloc(1, sizeof *s);
	s->unit = unit;
	colon = strchr(text, ':');
	if (colon == NULL) {
		rc = units_parse(text, unit, &s->a, e);
		s->kind = K_CONST;
		s->mean = s->a;
		snprintf(s->text, sizeof s->text, "%.17g", s->a);
	} else {
		char name[16];
		size_t n = (size_t)(colon - text);

		if (n == 0 || n >= sizeof name) {
			rc = err_set(e, "unknown distribution in '%s' (expected one of %s)", text,
				     dist_names);
		} else {
			memcpy(name, text, n);
			name[n] = '\0';
			if (strcmp(name, "file") == 0) {
				s->kind = K_FILE;
				rc = parse_file(s, colon + 1, e);
			} else {
				rc = parse_dist(s, name, colon + 1, e);
			}
		}
	}
	if (rc < 0) {
		spec_destroy(s);
		return -EINVAL;
	}
	*out = s;
	return 0;
}
