/* spec.c -- see spec.h.
 *
 * DESIGN: parsing is table-driven. Each spec kind lists the keys it accepts and
 * the "forms" (sets of keys) that define it, e.g. gamma = {avg,std} | {k,scale}
 * | {avg,k}; min, max, step, col, sep and unit are optional extras. The text is
 * split into key=value tokens on ',' or ':', each value is parsed by its key's
 * type (a number in the spec's unit, a plain number, a column, a separator, a
 * unit suffix), and the set of keys given must equal one form, which is what
 * lets the errors say "missing std" rather than "bad spec". The parameters are
 * kept exactly as given, so spec_format() can print them back and a re-parse
 * derives bit-identical internal parameters. The work itself is delegated:
 * spec_build.c turns the keys into a distribution or a sequence, dist.c
 * samples distributions, seq.c indexes sequences and files. A parsed
 * spec never changes, so sampling needs no locks; only the caller's rng moves. */
#include "spec/spec_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "spec/dist.h"
#include "spec/seq.h"
#include "util/xalloc.h"

const struct spec_keydef spec_keys[SPEC_KEY_COUNT] = {
	[SPEC_KEY_AVG] = { "avg", SPEC_V_UNIT },
	[SPEC_KEY_STD] = { "std", SPEC_V_UNIT },
	[SPEC_KEY_K] = { "k", SPEC_V_PLAIN },
	[SPEC_KEY_SCALE] = { "scale", SPEC_V_UNIT },
	[SPEC_KEY_XVAL] = { "xval", SPEC_V_PLAIN_SIGNED },
	[SPEC_KEY_XSTD] = { "xstd", SPEC_V_PLAIN },
	[SPEC_KEY_ALPHA] = { "alpha", SPEC_V_PLAIN },
	[SPEC_KEY_XM] = { "xm", SPEC_V_UNIT },
	[SPEC_KEY_MIN] = { "min", SPEC_V_UNIT },
	[SPEC_KEY_MAX] = { "max", SPEC_V_UNIT },
	[SPEC_KEY_STEP] = { "step", SPEC_V_STEP },
	[SPEC_KEY_PATH] = { "path", SPEC_V_PATH },
	[SPEC_KEY_COL] = { "col", SPEC_V_COL },
	[SPEC_KEY_SEP] = { "sep", SPEC_V_SEP },
	[SPEC_KEY_UNIT] = { "unit", SPEC_V_SUFFIX },
};

#define SPEC_TRUNC (B(MIN) | B(MAX))

static const struct spec_def spec_defs[] = {
	{ "unif", SPEC_UNIF, { B(MIN) | B(MAX) }, 0, "unif:min=a,max=b" },
	{ "exp", SPEC_EXP, { B(AVG) }, SPEC_TRUNC, "exp:avg[,min=a][,max=b]" },
	{ "norm", SPEC_NORM, { B(AVG) | B(STD) }, SPEC_TRUNC, "norm:avg,std=s[,min=a][,max=b]" },
	{ "lognorm", SPEC_LOGNORM, { B(AVG) | B(STD), B(XVAL) | B(XSTD) }, SPEC_TRUNC,
	  "lognorm:avg,std=s or lognorm:xval=mu,xstd=sigma" },
	{ "gamma", SPEC_GAMMA,
	  { B(AVG) | B(STD), B(K) | B(SCALE), B(AVG) | B(K), B(AVG) | B(K) | B(SCALE) }, SPEC_TRUNC,
	  "gamma:avg,std=s or gamma:k=shape,scale=theta or gamma:avg,k=shape[,scale=avg/k]" },
	{ "weibull", SPEC_WEIBULL, { B(AVG) | B(K), B(K) | B(SCALE) }, SPEC_TRUNC,
	  "weibull:avg,k=shape or weibull:k=shape,scale=lambda" },
	{ "pareto", SPEC_PARETO, { B(AVG) | B(ALPHA), B(ALPHA) | B(XM) }, SPEC_TRUNC,
	  "pareto:avg,alpha=a or pareto:alpha=a,xm=scale" },
	{ "aseq", SPEC_ASEQ, { B(MIN) | B(MAX) }, B(STEP), "aseq:min=a,max=b[,step=s]" },
	{ "gseq", SPEC_GSEQ, { B(MIN) | B(MAX) }, B(STEP), "gseq:min=a,max=b[,step=factor]" },
	{ "file", SPEC_FILE, { B(PATH) }, B(COL) | B(SEP) | B(UNIT),
	  "file:path[,col=N][,sep=c][,unit=u]" },
};
#define SPEC_NDEFS (sizeof spec_defs / sizeof spec_defs[0])
#define SPEC_NAMES "unif, exp, norm, lognorm, gamma, weibull, pareto, aseq, gseq, file, emp"

/* Named separators, for the characters a spec cannot hold literally or that
 * are hard to type. */
static const struct {
	const char *name;
	char c;
} spec_seps[] = {
	{ "comma", ',' }, { "semicolon", ';' }, { "colon", ':' },
	{ "tab", '\t' }, { "space", ' ' }, { "pipe", '|' },
};

static uint64_t emp_pick(struct rng *r, uint64_t n);
static int emp_format(const struct spec *s, char *buf, size_t len);

/* ---- sampling and queries ---------------------------------------------- */

double spec_sample(const struct spec *s, struct rng *r, uint64_t index)
{
	if (s->kind == SPEC_KIND_CONST)
		return s->value;
	if (s->kind == SPEC_KIND_DIST)
		return dist_sample(&s->dist, r);
	if (s->kind == SPEC_KIND_EMP)
		return s->seq.vals[emp_pick(r, s->seq.n)];
	return seq_value(&s->seq, index);
}

uint64_t spec_sample_u64(const struct spec *s, struct rng *r, uint64_t index)
{
	double v = spec_sample(s, r, index);

	if (!(v > 0))
		return 0;
	if (v >= 0x1p63)
		return UINT64_C(1) << 63;
	return (uint64_t)llround(v);
}

bool spec_is_const(const struct spec *s)
{
	return s->kind == SPEC_KIND_CONST;
}

uint64_t spec_length(const struct spec *s)
{
	return s->kind == SPEC_KIND_SEQ ? s->seq.n : 0;
}

double spec_mean(const struct spec *s)
{
	return s->mean;
}

enum spec_unit spec_unit(const struct spec *s)
{
	return s->unit;
}

void spec_destroy(struct spec *s)
{
	if (s == NULL)
		return;
	seq_free(&s->seq);
	free(s->path);
	free(s);
}

/* ---- formatting ---------------------------------------------------------- */

/* Appends to buf like snprintf at offset *n, counting what did not fit. */
__attribute__((format(printf, 4, 5))) static void spec_put(char *buf, size_t len, size_t *n,
							   const char *fmt, ...)
{
	va_list ap;
	int w;

	va_start(ap, fmt);
	w = vsnprintf(*n < len ? buf + *n : NULL, *n < len ? len - *n : 0, fmt, ap);
	va_end(ap);
	if (w > 0)
		*n += (size_t)w;
}

static const char *spec_sep_name(char c, char *one)
{
	for (size_t i = 0; i < sizeof spec_seps / sizeof spec_seps[0]; i++)
		if (spec_seps[i].c == c && (c == '\t' || c == ' '))
			return spec_seps[i].name;
	one[0] = c;
	one[1] = '\0';
	return one;
}

int spec_format(const struct spec *s, char *buf, size_t len)
{
	char num[64], one[2];
	const char *sep = ":";
	size_t n = 0;

	if (len > 0)
		buf[0] = '\0';
	if (s->kind == SPEC_KIND_CONST) {
		units_format(s->value, s->unit, num, sizeof num);
		spec_put(buf, len, &n, "%s", num);
		return (int)n;
	}
	if (s->kind == SPEC_KIND_EMP)
		return emp_format(s, buf, len);
	spec_put(buf, len, &n, "%s", s->def->name);
	for (int k = 0; k < SPEC_KEY_COUNT; k++) {
		enum spec_vtype t = spec_keys[k].type;

		if (!(s->has & (1u << k)))
			continue;
		switch (t) {
		case SPEC_V_PATH:
			spec_put(buf, len, &n, "%s%s", sep, s->path);
			sep = ",";
			continue;
		case SPEC_V_COL:
			snprintf(num, sizeof num, "%u", s->col);
			break;
		case SPEC_V_SEP:
			snprintf(num, sizeof num, "%s", spec_sep_name(s->sep, one));
			break;
		case SPEC_V_SUFFIX:
			snprintf(num, sizeof num, "%s", s->sfx);
			break;
		case SPEC_V_PLAIN:
		case SPEC_V_PLAIN_SIGNED:
			units_format(s->p[k], SPEC_COUNT, num, sizeof num);
			break;
		case SPEC_V_STEP:
			units_format(s->p[k], s->def->id == SPEC_GSEQ ? SPEC_COUNT : s->unit, num,
				     sizeof num);
			break;
		default:
			units_format(s->p[k], s->unit, num, sizeof num);
			break;
		}
		spec_put(buf, len, &n, "%s%s=%s", sep, spec_keys[k].name, num);
		sep = ",";
	}
	return (int)n;
}

/* DistWalk prints the base-unit number with a unit letter after the whole
 * spec: 1000us, 512b, exp:500,min=10us, unif:,min=1,max=2us, seq:step=1,min=1,
 * max=5us, file:num_samples=3,[0]=100us. Parameters it does not know (xval,
 * alpha, ...) keep meshwalk's names. */
int spec_format_dw(const struct spec *s, char *buf, size_t len)
{
	const char *u = s->unit == SPEC_TIME ? "us" : s->unit == SPEC_SIZE ? "b" : "";
	const char *sep = "";
	size_t n = 0;

	if (len > 0)
		buf[0] = '\0';
	if (s->kind == SPEC_KIND_CONST) {
		spec_put(buf, len, &n, "%.15g%s", s->value, u);
		return (int)n;
	}
	if (s->kind == SPEC_KIND_EMP) {
		spec_put(buf, len, &n, "emp:num_samples=%llu,mean=%.15g%s",
			 (unsigned long long)s->seq.n, s->mean, u);
		return (int)n;
	}
	if (s->def->id == SPEC_FILE) {
		spec_put(buf, len, &n, "file:num_samples=%llu,[0]=%.15g%s",
			 (unsigned long long)s->seq.n, s->seq.n ? seq_value(&s->seq, 0) : 0.0, u);
		return (int)n;
	}
	spec_put(buf, len, &n, "%s:", s->def->id == SPEC_ASEQ ? "seq" : s->def->name);
	if (s->def->id == SPEC_ASEQ || s->def->id == SPEC_GSEQ) {
		spec_put(buf, len, &n, "step=%g", s->p[SPEC_KEY_STEP]);
		sep = ",";
	} else if (s->has & B(AVG)) {
		spec_put(buf, len, &n, "%g", s->p[SPEC_KEY_AVG]);
	}
	if (s->def->id == SPEC_UNIF)
		sep = ","; /* DistWalk's "unif:,min=" */
	for (int k = SPEC_KEY_STD; k <= SPEC_KEY_MAX; k++)
		if (s->has & (1u << k)) {
			spec_put(buf, len, &n, "%s%s=%g", s->has & B(AVG) ? "," : sep, spec_keys[k].name,
				 s->p[k]);
			sep = ",";
		}
	spec_put(buf, len, &n, "%s", u);
	return (int)n;
}

/* ---- parsing ------------------------------------------------------------- */

/* Trims blanks in place and returns the first non-blank character. */
static char *spec_trim(char *b, char *e)
{
	while (b < e && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		e--;
	*e = '\0';
	return b;
}

static const struct spec_def *spec_find_def(const char *name, size_t n)
{
	for (size_t i = 0; i < SPEC_NDEFS; i++)
		if (strlen(spec_defs[i].name) == n && strncasecmp(spec_defs[i].name, name, n) == 0)
			return &spec_defs[i];
	return NULL;
}

static int spec_find_key(const char *name)
{
	if (strcasecmp(name, "xavg") == 0) /* DistWalk's name of the log-mean */
		return SPEC_KEY_XVAL;
	for (int k = 0; k < SPEC_KEY_COUNT; k++)
		if (k != SPEC_KEY_PATH && strcasecmp(spec_keys[k].name, name) == 0)
			return k;
	return -1;
}

/* "avg, min, max": the keys def accepts, for "unknown parameter" messages. */
static void spec_key_list(const struct spec_def *def, char *buf, size_t len)
{
	unsigned all = def->extra;
	size_t n = 0;

	for (int i = 0; i < 4; i++)
		all |= def->forms[i];
	all &= ~B(PATH);
	buf[0] = '\0';
	for (int k = 0; k < SPEC_KEY_COUNT; k++)
		if (all & (1u << k))
			spec_put(buf, len, &n, "%s%s", n ? ", " : "", spec_keys[k].name);
}

static int spec_parse_sep(struct spec *s, const char *v, struct err *e)
{
	if (strlen(v) == 1 && v[0] != '"' && v[0] != '#') {
		s->sep = v[0];
		return 0;
	}
	for (size_t i = 0; i < sizeof spec_seps / sizeof spec_seps[0]; i++)
		if (strcasecmp(v, spec_seps[i].name) == 0) {
			s->sep = spec_seps[i].c;
			return 0;
		}
	return err_set(e, "expected one character or comma, semicolon, colon, tab, space, pipe, "
			  "got '%.32s'", v);
}

/* Parses value v of key k into s. */
static int spec_parse_value(struct spec *s, int k, const char *v, struct err *e)
{
	double x;
	int rc;

	switch (spec_keys[k].type) {
	case SPEC_V_UNIT:
		return units_parse(v, s->unit, &s->p[k], e);
	case SPEC_V_PLAIN:
		return units_parse(v, SPEC_COUNT, &s->p[k], e);
	case SPEC_V_PLAIN_SIGNED:
		return units_parse_signed(v, SPEC_COUNT, &s->p[k], e);
	case SPEC_V_STEP:
		if (s->def->id == SPEC_GSEQ)
			return units_parse(v, SPEC_COUNT, &s->p[k], e);
		return units_parse_signed(v, s->unit, &s->p[k], e);
	case SPEC_V_COL:
		rc = units_parse(v, SPEC_COUNT, &x, e);
		if (rc == 0 && s->dw_cols) {
			if (x > 1e6 || x != floor(x))
				rc = err_set(e, "expected a column number from 0 (the first column, "
						"in the file:PATH:col=N form), got '%.32s'", v);
			x += 1;
		} else if (rc == 0 && (x < 1 || x > 1e6 || x != floor(x)))
			rc = err_set(e, "expected a column number from 1 (the first column), "
					"got '%.32s'", v);
		s->col = rc == 0 ? (unsigned)x : 0;
		return rc;
	case SPEC_V_SEP:
		return spec_parse_sep(s, v, e);
	case SPEC_V_SUFFIX: {
		char one[SPEC_SFX_MAX + 2];

		if (strlen(v) > SPEC_SFX_MAX || v[0] == '\0' ||
		    (snprintf(one, sizeof one, "1%s", v), units_parse(one, s->unit, &x, NULL) < 0))
			return err_set(e, "'%.32s' is not a %s suffix (such as %s)", v,
				       units_name(s->unit), s->unit == SPEC_TIME ? "us, ms or s"
						: s->unit == SPEC_SIZE ? "k, Ki or m" : "k or m");
		memcpy(s->sfx, v, strlen(v) + 1);
		return 0;
	}
	case SPEC_V_PATH:
		break;
	}
	return err_set(e, "internal error: bad key type");
}

/* The ':' that ends a file path in DistWalk's colon form (file:PATH:col=N):
 * the first one followed by one of a file's keys, or NULL. */
static char *spec_file_colon(char *p)
{
	static const char *const keys[] = { ":col=", ":sep=", ":unit=" };
	char *best = NULL;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		char *c = strstr(p, keys[i]);

		if (c != NULL && (best == NULL || c < best))
			best = c;
	}
	return best;
}

/* Splits the parameters after "name:" at ',' or ':' and parses each. A file's
 * path runs to the first ',' (it may contain ':'). "sep=," and "sep=:" take
 * the separator character literally when a separator or the end follows. */
static int spec_parse_params(struct spec *s, char *p, struct err *e)
{
	const struct spec_def *def = s->def;
	unsigned all = def->extra | def->forms[0] | def->forms[1] | def->forms[2] | def->forms[3];
	char keys[128];
	int nparams = 0;

	if (def->id == SPEC_FILE) {
		char *comma = strchr(p, ',');
		char *colon = spec_file_colon(p);
		char *path;

		if (colon != NULL && (comma == NULL || colon < comma)) {
			/* DistWalk's form, file:PATH:col=N:unit=u, numbers columns from 0. */
			comma = colon;
			s->dw_cols = true;
		}
		path = spec_trim(p, comma != NULL ? comma : p + strlen(p));

		if (path[0] != '\0') {
			s->path = xstrdup(path);
			s->has |= B(PATH);
		}
		if (comma == NULL)
			return 0;
		p = comma + 1;
		if (*p == '\0')
			return err_set(e, "%s: empty parameter after ','", def->name);
	}
	while (*p != '\0') {
		char *tok = p, *key = NULL, *val = tok, *end;
		int k;

		if (nparams == SPEC_MAX_PARAMS)
			return err_set(e, "%s: too many parameters (at most %d)", def->name,
				       SPEC_MAX_PARAMS);
		while (*p != '\0' && *p != ',' && *p != ':' && *p != '=')
			p++;
		if (*p == '=') {
			*p++ = '\0';
			key = spec_trim(tok, p - 1);
			val = p;
			if (strcasecmp(key, "sep") == 0 && (*p == ',' || *p == ':') &&
			    (p[1] == '\0' || p[1] == ',' || p[1] == ':'))
				p++;
			while (*p != '\0' && *p != ',' && *p != ':')
				p++;
		}
		end = p;
		if (*p != '\0' && *++p == '\0')
			return err_set(e, "%s: empty parameter after the last separator", def->name);
		*end = '\0';
		val = spec_trim(val, end);
		if (key == NULL) {
			if (val[0] == '\0')
				return err_set(e, "%s: empty parameter (a doubled separator?)",
					       def->name);
			/* Only the first parameter may omit its key: it is the average. */
			if (nparams > 0 || !(all & B(AVG)))
				return err_set(e, "%s: parameter '%.32s' needs a key, as in %s",
					       def->name, val, def->usage);
			k = SPEC_KEY_AVG;
		} else {
			k = spec_find_key(key);
			if (k < 0 || !(all & (1u << k))) {
				spec_key_list(def, keys, sizeof keys);
				return err_set(e, "%s: unknown parameter '%.32s' (expected %s)",
					       def->name, key, keys);
			}
		}
		if (s->has & (1u << k))
			return err_set(e, "%s: duplicate parameter '%s'", def->name,
				       spec_keys[k].name);
		if (spec_parse_value(s, k, val, e) < 0)
			return err_prefix(e, "%s: %s", def->name, spec_keys[k].name);
		s->has |= 1u << k;
		nparams++;
	}
	return 0;
}

/* ---- emp: empirical distributions ------------------------------------------
 * emp:V1,V2,...   the values inline (',' or ':' between them);
 * emp:file:PATH[,col=N][,sep=c][,unit=u]   the values of a file spec.
 * Each sample is one of the values, every one equally likely (a value given
 * twice is twice as likely): observed samples are replayed as observed, with
 * no fitted shape in between. The values live in the spec's seq table. */

/* An index in [0, n) from one draw (n <= EMP_MAX_VALUES, far below 2^53, so
 * the bias of scaling a 53-bit uniform is negligible). */
static uint64_t emp_pick(struct rng *r, uint64_t n)
{
	uint64_t i = (uint64_t)(rng_uniform(r) * (double)n);

	return i < n ? i : n - 1;
}

static int emp_parse(struct spec *s, char *p, struct err *e)
{
	struct seq *q = &s->seq;
	double sum = 0;

	if (strncasecmp(p, "file:", 5) == 0) {
		struct spec *f;

		if (spec_parse(p, s->unit, &f, e) < 0)
			return err_prefix(e, "emp");
		if (f->seq.n > EMP_MAX_VALUES) {
			uint64_t n = f->seq.n;

			spec_destroy(f);
			return err_set(e, "emp: %llu values, at most %d are kept in memory",
				       (unsigned long long)n, EMP_MAX_VALUES);
		}
		*q = f->seq; /* the table moves into the emp spec */
		memset(&f->seq, 0, sizeof f->seq);
		s->path = xstrdup(p);
		spec_destroy(f);
	} else {
		size_t cap = 16;

		q->kind = SEQ_TABLE;
		q->vals = xmalloc(cap * sizeof *q->vals);
		for (char *tok = p;;) {
			char *end = tok + strcspn(tok, ",:");
			bool last = *end == '\0';
			char *v;

			*end = '\0';
			v = spec_trim(tok, end);
			if (v[0] == '\0')
				return err_set(e, "emp: empty value (write emp:v1,v2,... or "
						  "emp:file:PATH[,col=N])");
			if (q->n == cap) {
				cap *= 2;
				q->vals = xrealloc(q->vals, cap * sizeof *q->vals);
			}
			if (units_parse(v, s->unit, &q->vals[q->n], e) < 0)
				return err_prefix(e, "emp");
			q->n++;
			if (last)
				break;
			tok = end + 1;
		}
	}
	for (uint64_t i = 0; i < q->n; i++)
		sum += q->vals[i];
	s->mean = sum / (double)q->n;
	return 0;
}

static int emp_format(const struct spec *s, char *buf, size_t len)
{
	char num[64];
	size_t n = 0;

	if (s->path != NULL) {
		spec_put(buf, len, &n, "emp:%s", s->path);
		return (int)n;
	}
	for (uint64_t i = 0; i < s->seq.n; i++) {
		units_format(s->seq.vals[i], s->unit, num, sizeof num);
		spec_put(buf, len, &n, "%s%s", i ? "," : "emp:", num);
	}
	return (int)n;
}

int spec_parse(const char *text, enum spec_unit unit, struct spec **out, struct err *e)
{
	char buf[SPEC_MAX_TEXT + 1];
	struct spec *s;
	size_t n;
	char *t, *p;
	int rc;

	*out = NULL;
	if (text == NULL)
		text = "";
	n = strnlen(text, SPEC_MAX_TEXT + 1);
	if (n > SPEC_MAX_TEXT)
		return err_set(e, "value spec is longer than %d characters", SPEC_MAX_TEXT);
	if (unit != SPEC_TIME && unit != SPEC_SIZE && unit != SPEC_COUNT)
		return err_set(e, "internal error: unknown unit %d", (int)unit);
	memcpy(buf, text, n + 1);
	t = spec_trim(buf, buf + n);
	s = xcalloc(1, sizeof *s);
	s->unit = unit;
	s->col = 1;
	s->sep = ',';
	for (p = t; isalpha((unsigned char)*p); p++)
		;
	if (p - t == 3 && strncasecmp(t, "emp", 3) == 0 && *p == ':') {
		s->kind = SPEC_KIND_EMP;
		rc = emp_parse(s, p + 1, e);
	} else if (p > t && *p == ':') {
		s->def = spec_find_def(t, (size_t)(p - t));
		if (s->def == NULL) {
			rc = err_set(e, "unknown distribution '%.*s' (expected one of " SPEC_NAMES ")",
				     (int)(p - t > 32 ? 32 : p - t), t);
		} else {
			s->kind = s->def->id >= SPEC_ASEQ ? SPEC_KIND_SEQ : SPEC_KIND_DIST;
			rc = spec_parse_params(s, p + 1, e);
			if (rc == 0)
				rc = spec_build(s, e);
		}
	} else if (p > t) {
		const struct spec_def *def = *p == '\0' ? spec_find_def(t, (size_t)(p - t)) : NULL;

		if (def != NULL)
			rc = err_set(e, "%s needs parameters, as in %s", def->name, def->usage);
		else
			rc = err_set(e, "expected a %s or a distribution such as exp:avg, got '%.64s'",
				     units_name(unit), t);
	} else {
		s->kind = SPEC_KIND_CONST;
		rc = units_parse(t, unit, &s->value, e);
		s->mean = s->value;
	}
	if (rc < 0) {
		spec_destroy(s);
		return rc;
	}
	*out = s;
	return 0;
}
