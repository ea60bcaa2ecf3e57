/* test_spec.c -- value spec text: constants, separators, sequences, CSV files,
 * canonical formatting, error messages and reproducibility (src/spec/spec.h).
 * The distributions' laws are tested in test_dist.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spec/spec.h"

/* ---- helpers ---------------------------------------------------------------- */

static struct spec *parse_ok(const char *text, enum spec_unit unit)
{
	struct spec *s = NULL;
	struct err e;

	err_clear(&e);
	if (spec_parse(text, unit, &s, &e) != 0)
		fail_msg("'%s' rejected: %s", text, e.msg);
	assert_non_null(s);
	assert_int_equal(spec_unit(s), unit);
	return s;
}

/* Asserts that text is rejected, *out is NULL, and the message holds each of
 * the NULL-terminated words. */
static void parse_bad(const char *text, enum spec_unit unit, ...)
{
	struct spec *s = (struct spec *)&s; /* garbage that must become NULL */
	struct err e;
	const char *w;
	va_list ap;

	err_clear(&e);
	assert_true(spec_parse(text, unit, &s, &e) < 0);
	assert_null(s);
	assert_true(e.msg[0] != '\0');
	va_start(ap, unit);
	while ((w = va_arg(ap, const char *)) != NULL)
		if (strstr(e.msg, w) == NULL) {
			va_end(ap);
			fail_msg("message for '%s' lacks '%s': %s", text ? text : "(null)", w, e.msg);
		}
	va_end(ap);
}

/* Value of a constant spec (which must need no rng). */
static double const_of(const char *text, enum spec_unit unit)
{
	struct spec *s = parse_ok(text, unit);
	double v;

	assert_true(spec_is_const(s));
	assert_true(spec_length(s) == 0);
	v = spec_sample(s, NULL, 0);
	assert_true(spec_sample(s, NULL, 12345) == v);
	assert_true(spec_mean(s) == v);
	spec_destroy(s);
	return v;
}

/* Asserts that s yields exactly want[0..n-1] at indexes 0..n-1 and holds the
 * last element afterwards; sequences take no rng. */
static void seq_is(const struct spec *s, const double *want, size_t n)
{
	assert_false(spec_is_const(s));
	assert_true(spec_length(s) == n);
	for (size_t i = 0; i < n; i++)
		if (spec_sample(s, NULL, i) != want[i])
			fail_msg("element %zu is %.17g, expected %.17g", i, spec_sample(s, NULL, i),
				 want[i]);
	assert_true(spec_sample(s, NULL, n) == want[n - 1]);
	assert_true(spec_sample(s, NULL, n + 1000) == want[n - 1]);
	assert_true(spec_sample(s, NULL, UINT64_MAX) == want[n - 1]);
}

/* Every temporary file made, so that a failed test leaves none behind. */
static char tmp_paths[32][64];
static int ntmp;

static int remove_tmp_files(void **state)
{
	(void)state;
	for (int i = 0; i < ntmp; i++)
		unlink(tmp_paths[i]);
	return 0;
}

/* A temporary file holding text, made from the mkstemp() template in path;
 * the caller unlinks path (remove_tmp_files() does if a test fails first). */
static void tmp_file_at(char *path, const char *text)
{
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	assert_true(ntmp < 32 && strlen(path) < sizeof tmp_paths[0]);
	strcpy(tmp_paths[ntmp++], path);
	assert_true(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	close(fd);
}

static void tmp_file(char *path, size_t len, const char *text)
{
	snprintf(path, len, "/tmp/mw-test-spec-XXXXXX");
	tmp_file_at(path, text);
}

/* Asserts that a and b draw bit-identical values at the same seed. */
static void same_samples(const struct spec *a, const struct spec *b, const char *what)
{
	struct rng ra, rb;

	rng_seed(&ra, 99, 3);
	rng_seed(&rb, 99, 3);
	for (uint64_t i = 0; i < 500; i++) {
		double x = spec_sample(a, &ra, i), y = spec_sample(b, &rb, i);

		if (memcmp(&x, &y, sizeof x) != 0)
			fail_msg("%s: sample %llu differs: %.17g vs %.17g", what,
				 (unsigned long long)i, x, y);
	}
	assert_true(memcmp(&ra, &rb, sizeof ra) == 0);
}

/* ---- constants ----------------------------------------------------------------- */

static void test_constants(void **state)
{
	(void)state;
	assert_true(const_of("10ms", SPEC_TIME) == 10000);
	assert_true(const_of("100us", SPEC_TIME) == 100);
	assert_true(const_of("2s", SPEC_TIME) == 2e6);
	assert_true(const_of("1500", SPEC_TIME) == 1500); /* bare: microseconds */
	assert_true(const_of("1.5k", SPEC_TIME) == 1500); /* k multiplies microseconds */
	assert_true(const_of("250ns", SPEC_TIME) == 0.25);
	assert_true(const_of("  10ms\t", SPEC_TIME) == 10000); /* blanks around */
	assert_true(const_of("1500", SPEC_COUNT) == 1500);
	assert_true(const_of("1.5k", SPEC_COUNT) == 1500);
	assert_true(const_of("0.25", SPEC_COUNT) == 0.25);
	assert_true(const_of("10k", SPEC_SIZE) == 10000);
	assert_true(const_of("10k", SPEC_COUNT) == 10000);
	/* Sizes: k m g t are decimal (DistWalk), ki mi gi ti binary. */
	assert_true(const_of("32g", SPEC_SIZE) == 32e9);
	assert_true(const_of("32gb", SPEC_SIZE) == 32e9);
	assert_true(const_of("32Gi", SPEC_SIZE) == 32.0 * 1073741824.0);
	assert_true(const_of("64KiB", SPEC_SIZE) == 65536);
	assert_true(const_of("1.5", SPEC_SIZE) == 2); /* whole bytes */
}

static void test_sample_u64(void **state)
{
	struct spec *s;
	struct rng r;
	int clamped = 0;

	(void)state;
	s = parse_ok("32g", SPEC_SIZE);
	assert_true(spec_sample_u64(s, NULL, 0) == UINT64_C(32000000000));
	spec_destroy(s);
	s = parse_ok("2.5", SPEC_COUNT);
	assert_true(spec_sample_u64(s, NULL, 0) == 3);
	spec_destroy(s);
	s = parse_ok("2.4", SPEC_COUNT);
	assert_true(spec_sample_u64(s, NULL, 0) == 2);
	spec_destroy(s);
	/* Negative draws give 0; draws of 2^63 and more (inf included) 2^63. */
	s = parse_ok("norm:0,std=1", SPEC_COUNT);
	rng_seed(&r, 1, 0);
	for (int i = 0; i < 1000; i++)
		assert_true(spec_sample_u64(s, &r, 0) <= 4);
	spec_destroy(s);
	s = parse_ok("pareto:alpha=0.01,xm=1", SPEC_COUNT);
	rng_seed(&r, 1, 1);
	for (int i = 0; i < 1000; i++) {
		uint64_t v = spec_sample_u64(s, &r, 0);

		assert_true(v >= 1 && v <= UINT64_C(1) << 63);
		clamped += v == UINT64_C(1) << 63;
	}
	assert_true(clamped > 100);
	spec_destroy(s);
}

/* ---- separators and blanks ----------------------------------------------- */

static void same_spec(const char *a, const char *b, enum spec_unit unit)
{
	struct spec *x = parse_ok(a, unit), *y = parse_ok(b, unit);
	char fa[256], fb[256];

	spec_format(x, fa, sizeof fa);
	spec_format(y, fb, sizeof fb);
	if (strcmp(fa, fb) != 0)
		fail_msg("'%s' -> '%s' but '%s' -> '%s'", a, fa, b, fb);
	assert_true(spec_mean(x) == spec_mean(y));
	assert_true(spec_length(x) == spec_length(y));
	same_samples(x, y, a);
	spec_destroy(x);
	spec_destroy(y);
}

static void test_separators(void **state)
{
	(void)state;
	same_spec("unif:min=1k,max=10k", "unif:min=1k:max=10k", SPEC_COUNT);
	same_spec("norm:10ms,std=1ms", "norm:10ms:std=1ms", SPEC_TIME);
	same_spec("exp:1ms,min=100us,max=5ms", "exp:avg=1ms:min=100us,max=5ms", SPEC_TIME);
	same_spec("gamma:avg=1ms,k=2", "gamma:k=2:avg=1ms", SPEC_TIME); /* any order */
	same_spec("aseq:min=1,max=9,step=2", "aseq:max=9:step=2:min=1", SPEC_COUNT);
	/* Blanks around the parameters, case of names and keys. */
	same_spec("exp:1ms,min=2ms", "  EXP: 1ms , MIN = 2ms ", SPEC_TIME);
	same_spec("weibull:avg=1ms,k=1.5", "Weibull:avg=1ms,K=1.5", SPEC_TIME);
}

/* ---- sequences ------------------------------------------------------------ */

static void test_aseq(void **state)
{
	const double up[] = { 1, 2, 3, 4, 5 };
	const double up2[] = { 1, 3, 5, 7, 9 };
	const double down[] = { 5000, 4000, 3000, 2000, 1000 };
	const double down4[] = { 10, 6, 2 };
	const double tenths[] = { 0, 0.1, 0.2, 0.30000000000000004 };
	struct spec *s;

	(void)state;
	s = parse_ok("aseq:min=1,max=5", SPEC_COUNT); /* default step 1 */
	seq_is(s, up, 5);
	assert_true(spec_mean(s) == 3);
	spec_destroy(s);

	s = parse_ok("aseq:min=1,max=10,step=2", SPEC_COUNT); /* 11 is past max */
	seq_is(s, up2, 5);
	assert_true(spec_mean(s) == 5);
	spec_destroy(s);

	/* A negative step ramps down from max, in the spec's unit. */
	s = parse_ok("aseq:min=1ms,max=5ms,step=-1ms", SPEC_TIME);
	seq_is(s, down, 5);
	assert_true(spec_mean(s) == 3000);
	spec_destroy(s);

	s = parse_ok("aseq:min=1,max=10,step=-4", SPEC_COUNT);
	seq_is(s, down4, 3);
	spec_destroy(s);

	/* Default step of a duration: 1 us. */
	s = parse_ok("aseq:min=1ms,max=2ms", SPEC_TIME);
	assert_true(spec_length(s) == 1001);
	assert_true(spec_sample(s, NULL, 1) == 1001);
	assert_true(spec_sample(s, NULL, 5000) == 2000);
	spec_destroy(s);

	/* 0.3 / 0.1 is 2.9999999999999996 in binary: still 4 elements, and the
	 * last one never exceeds max. */
	s = parse_ok("aseq:min=0,max=0.3,step=0.1", SPEC_COUNT);
	assert_true(spec_length(s) == 4);
	for (uint64_t i = 0; i < 4; i++)
		assert_float_equal(spec_sample(s, NULL, i), tenths[i], 1e-15);
	assert_true(spec_sample(s, NULL, 3) <= 0.3);
	assert_true(spec_sample(s, NULL, 99) == spec_sample(s, NULL, 3));
	spec_destroy(s);

	/* min == max: one element. */
	s = parse_ok("aseq:min=7,max=7", SPEC_COUNT);
	seq_is(s, (const double[]){ 7 }, 1);
	spec_destroy(s);
}

static void test_gseq(void **state)
{
	const double pow2[] = { 1, 2, 4, 8 };
	const double dec[] = { 1e3, 1e4, 1e5, 1e6 };
	const double halves[] = { 16, 8, 4, 2, 1 };
	const double tens[] = { 1, 10, 100, 1000 };
	struct spec *s;

	(void)state;
	s = parse_ok("gseq:min=1,max=10", SPEC_COUNT); /* default factor 2 */
	seq_is(s, pow2, 4);
	assert_float_equal(spec_mean(s), 15.0 / 4, 1e-12);
	spec_destroy(s);

	s = parse_ok("gseq:min=1k,max=1m,step=10", SPEC_SIZE);
	seq_is(s, dec, 4);
	assert_float_equal(spec_mean(s), 1111000.0 / 4, 1e-6);
	spec_destroy(s);

	/* A factor below 1 ramps down from max. */
	s = parse_ok("gseq:min=1,max=16,step=0.5", SPEC_COUNT);
	seq_is(s, halves, 5);
	assert_float_equal(spec_mean(s), 31.0 / 5, 1e-12);
	spec_destroy(s);

	/* log(1000)/log(10) is 2.9999999999999996: max still counts. */
	s = parse_ok("gseq:min=1,max=1000,step=10", SPEC_COUNT);
	seq_is(s, tens, 4);
	spec_destroy(s);

	/* Values stay within [min, max] even when max is not a power. */
	s = parse_ok("gseq:min=1ms,max=10ms,step=3", SPEC_TIME);
	assert_true(spec_length(s) == 3);
	assert_true(spec_sample(s, NULL, 2) == 9000);
	assert_true(spec_sample(s, NULL, 3) == 9000);
	spec_destroy(s);
}

/* Sequences and files never touch the rng; distributions ignore the index. */
static void test_index_and_rng(void **state)
{
	struct spec *q = parse_ok("aseq:min=1,max=5", SPEC_COUNT);
	struct spec *d = parse_ok("exp:1ms", SPEC_TIME);
	struct rng r, before, r2;

	(void)state;
	rng_seed(&r, 5, 5);
	before = r;
	for (uint64_t i = 0; i < 10; i++)
		assert_true(spec_sample(q, &r, i) == (double)(i < 5 ? i + 1 : 5));
	assert_true(memcmp(&r, &before, sizeof r) == 0);

	r2 = r;
	assert_true(spec_sample(d, &r, 0) == spec_sample(d, &r2, 999));
	assert_true(memcmp(&r, &before, sizeof r) != 0); /* a distribution moves it */
	spec_destroy(q);
	spec_destroy(d);
}

/* ---- CSV files ------------------------------------------------------------- */

static void test_file(void **state)
{
	char path[64], text[256];
	const double lat_ms[] = { 10000, 20000, 30000 };
	const double lat_bare[] = { 10, 20000, 30 };
	const double sizes[] = { 1000, 2000, 3000 };
	struct spec *s;

	(void)state;
	tmp_file(path, sizeof path,
		 "# a comment\n"
		 "   # an indented comment\n"
		 "name,lat,size\n"
		 "a,10,1k\n"
		 "\n"
		 "b,20ms,2k\n"
		 "c, 30 ,\"3k\"\r\n");

	/* unit=ms applies to bare numbers; "20ms" keeps its own suffix. */
	snprintf(text, sizeof text, "file:%s,col=2,unit=ms", path);
	s = parse_ok(text, SPEC_TIME);
	seq_is(s, lat_ms, 3);
	assert_true(spec_mean(s) == 20000);
	spec_destroy(s);

	/* Without unit=, a bare duration is microseconds. */
	snprintf(text, sizeof text, "file:%s,col=2", path);
	s = parse_ok(text, SPEC_TIME);
	seq_is(s, lat_bare, 3);
	spec_destroy(s);

	/* ':' separates parameters after the path too. */
	snprintf(text, sizeof text, "file:%s,col=3:unit=b", path);
	s = parse_ok(text, SPEC_SIZE);
	seq_is(s, sizes, 3);
	assert_true(spec_mean(s) == 2000);
	spec_destroy(s);

	/* The first column is the default: here a header and non-numbers. */
	snprintf(text, sizeof text, "file:%s", path);
	parse_bad(text, SPEC_TIME, path, ":4:", "'a'", NULL);

	/* The file is read at parse time: removing it afterwards is fine. */
	snprintf(text, sizeof text, "file:%s,col=2,unit=ms", path);
	s = parse_ok(text, SPEC_TIME);
	unlink(path);
	seq_is(s, lat_ms, 3);
	spec_destroy(s);
	parse_bad(text, SPEC_TIME, "cannot open", path, NULL);
}

static void test_file_separators(void **state)
{
	char path[64], text[256];
	struct spec *s;

	(void)state;
	tmp_file(path, sizeof path, "1;5\n2;6\n3;7\n");
	snprintf(text, sizeof text, "file:%s,sep=;,col=2", path);
	s = parse_ok(text, SPEC_COUNT);
	seq_is(s, (const double[]){ 5, 6, 7 }, 3);
	spec_destroy(s);
	snprintf(text, sizeof text, "file:%s,col=2,sep=semicolon", path);
	s = parse_ok(text, SPEC_COUNT);
	seq_is(s, (const double[]){ 5, 6, 7 }, 3);
	spec_destroy(s);
	unlink(path);

	tmp_file(path, sizeof path, "1\t100\n2\t200\n");
	snprintf(text, sizeof text, "file:%s,sep=tab,col=2", path);
	s = parse_ok(text, SPEC_SIZE);
	seq_is(s, (const double[]){ 100, 200 }, 2);
	spec_destroy(s);
	unlink(path);

	/* The path runs to the first ',' and may hold ':'. */
	snprintf(path, sizeof path, "/tmp/mw-test:spec-XXXXXX");
	tmp_file_at(path, "4\n5\n");
	snprintf(text, sizeof text, "file:%s", path);
	s = parse_ok(text, SPEC_COUNT);
	seq_is(s, (const double[]){ 4, 5 }, 2);
	spec_destroy(s);
	snprintf(text, sizeof text, "file:%s,col=1", path);
	s = parse_ok(text, SPEC_COUNT);
	seq_is(s, (const double[]){ 4, 5 }, 2);
	spec_destroy(s);
	/* DistWalk's colon form: ":col=" ends the path, columns count from 0. */
	snprintf(text, sizeof text, "file:%s:col=0", path);
	s = parse_ok(text, SPEC_COUNT);
	seq_is(s, (const double[]){ 4, 5 }, 2);
	spec_destroy(s);
	snprintf(text, sizeof text, "file:%s:col=1", path); /* the 2nd column: there is none */
	parse_bad(text, SPEC_COUNT, "col=2", NULL);
	unlink(path);
	tmp_file(path, sizeof path, "a,b\n1,100\n2,200\n");
	snprintf(text, sizeof text, "file:%s:col=1:unit=ms", path);
	s = parse_ok(text, SPEC_TIME);
	seq_is(s, (const double[]){ 100000, 200000 }, 2);
	spec_destroy(s);
	unlink(path);

	/* DistWalk's spellings: lognorm:xavg= is xval=; gamma:AVG:k=:scale= must agree. */
	s = parse_ok("lognorm:xavg=5:xstd=0.5", SPEC_TIME);
	assert_true(fabs(spec_mean(s) - exp(5 + 0.125)) < 1e-6 * spec_mean(s));
	spec_destroy(s);
	s = parse_ok("gamma:300:k=2:scale=150", SPEC_TIME);
	assert_true(fabs(spec_mean(s) - 300) < 1e-9);
	spec_destroy(s);
	parse_bad("gamma:300:k=2:scale=100", SPEC_TIME, "is not k*scale", NULL);

	/* "sep=:" and "sep=," take the character, even between parameters. */
	tmp_file(path, sizeof path, "1:7\n2:8\n");
	snprintf(text, sizeof text, "file:%s,sep=:,col=2", path);
	s = parse_ok(text, SPEC_COUNT);
	seq_is(s, (const double[]){ 7, 8 }, 2);
	spec_destroy(s);
	unlink(path);
}

static void test_file_errors(void **state)
{
	char path[64], text[256], want[96];
	struct spec *s;
	struct err e;

	(void)state;
	tmp_file(path, sizeof path, "1;5\n2;6\n3;x\n");
	snprintf(text, sizeof text, "file:%s,sep=;,col=2", path);
	snprintf(want, sizeof want, "%s:3:", path);
	parse_bad(text, SPEC_COUNT, want, "'x'", NULL);
	/* e->line and e->col belong to the caller's file: left alone. */
	err_clear(&e);
	e.line = 7;
	e.col = 3;
	assert_true(spec_parse(text, SPEC_COUNT, &s, &e) < 0);
	assert_int_equal(e.line, 7);
	assert_int_equal(e.col, 3);
	snprintf(text, sizeof text, "file:%s,sep=;,col=3", path);
	snprintf(want, sizeof want, "%s:1:", path);
	parse_bad(text, SPEC_COUNT, want, "col=3", NULL);
	snprintf(text, sizeof text, "file:%s,col=0", path);
	parse_bad(text, SPEC_COUNT, "column", NULL);
	snprintf(text, sizeof text, "file:%s,unit=xx", path);
	parse_bad(text, SPEC_TIME, "'xx'", "suffix", NULL);
	snprintf(text, sizeof text, "file:%s,sep=ab", path);
	parse_bad(text, SPEC_COUNT, "'ab'", NULL);
	snprintf(text, sizeof text, "file:%s,std=1", path);
	parse_bad(text, SPEC_COUNT, "unknown parameter 'std'", NULL);
	unlink(path);

	tmp_file(path, sizeof path, "# only a comment\nheader\n\n");
	snprintf(text, sizeof text, "file:%s", path);
	parse_bad(text, SPEC_COUNT, "no values", NULL);
	unlink(path);

	parse_bad("file:", SPEC_COUNT, "missing path", NULL);
	parse_bad("file:/nonexistent/mw-test.csv", SPEC_COUNT, "cannot open",
		  "/nonexistent/mw-test.csv", NULL);
}

/* ---- canonical text -------------------------------------------------------- */

/* parse(format(s)) formats identically and samples identically. */
static void round_trip(const char *text, enum spec_unit unit, const char *want)
{
	struct spec *a = parse_ok(text, unit), *b;
	char fa[512], fb[512];
	int n = spec_format(a, fa, sizeof fa);

	assert_int_equal(n, (int)strlen(fa));
	if (want != NULL && strcmp(fa, want) != 0)
		fail_msg("'%s' formats as '%s', expected '%s'", text, fa, want);
	b = parse_ok(fa, unit);
	spec_format(b, fb, sizeof fb);
	if (strcmp(fa, fb) != 0)
		fail_msg("'%s' -> '%s' -> '%s'", text, fa, fb);
	assert_true(spec_is_const(a) == spec_is_const(b));
	assert_true(spec_length(a) == spec_length(b));
	assert_true(spec_mean(a) == spec_mean(b) || (isinf(spec_mean(a)) && isinf(spec_mean(b))));
	same_samples(a, b, text);
	spec_destroy(a);
	spec_destroy(b);
}

static void test_format_round_trip(void **state)
{
	char path[64], text[256], want[256];

	(void)state;
	round_trip("exp:1ms,min=10us", SPEC_TIME, "exp:avg=1ms,min=10us");
	round_trip("1500", SPEC_TIME, "1.5ms");
	round_trip("32g", SPEC_SIZE, "32g");
	round_trip("32Gi", SPEC_SIZE, "32Gi");
	round_trip("1.5k", SPEC_COUNT, NULL);
	round_trip("0.1", SPEC_COUNT, "0.1");
	round_trip("unif:min=1k:max=10k", SPEC_COUNT, "unif:min=1k,max=10k");
	round_trip("exp:1ms,min=100ms", SPEC_TIME, NULL);
	round_trip("norm:10ms,std=1ms", SPEC_TIME, "norm:avg=10ms,std=1ms");
	round_trip("norm:1ms,std=1ms,max=3ms", SPEC_TIME, NULL);
	round_trip("lognorm:avg=10ms,std=5ms", SPEC_TIME, NULL);
	round_trip("lognorm:xval=-1,xstd=0.5", SPEC_COUNT, "lognorm:xval=-1,xstd=0.5");
	round_trip("gamma:avg=10ms,std=3.3ms", SPEC_TIME, NULL);
	round_trip("gamma:k=0.3,scale=1.7ms,max=1s", SPEC_TIME, NULL);
	round_trip("gamma:avg=1.1ms,k=2.2", SPEC_TIME, NULL);
	round_trip("weibull:avg=1ms,k=0.7", SPEC_TIME, NULL);
	round_trip("weibull:k=2,scale=123.456us,min=10us", SPEC_TIME, NULL);
	round_trip("pareto:avg=3ms,alpha=1.1", SPEC_TIME, NULL);
	round_trip("pareto:alpha=0.9,xm=4KiB,max=1Gi", SPEC_SIZE, NULL);
	round_trip("pareto:alpha=0.9,xm=4KiB", SPEC_SIZE, NULL);
	round_trip("aseq:min=1ms,max=5ms,step=-1ms", SPEC_TIME, "aseq:min=1ms,max=5ms,step=-1ms");
	round_trip("aseq:min=0,max=0.3,step=0.1", SPEC_COUNT, NULL);
	round_trip("aseq:min=1,max=5", SPEC_COUNT, "aseq:min=1,max=5,step=1");
	round_trip("gseq:min=1k,max=1m", SPEC_SIZE, "gseq:min=1k,max=1m,step=2");
	round_trip("gseq:min=1,max=16,step=0.5", SPEC_COUNT, NULL);

	tmp_file(path, sizeof path, "x\t1\ny\t2.5\n");
	snprintf(text, sizeof text, "file:%s,col=2:sep=tab:unit=ms", path);
	snprintf(want, sizeof want, "file:%s,col=2,sep=tab,unit=ms", path);
	round_trip(text, SPEC_TIME, want);
	unlink(path);
	tmp_file(path, sizeof path, "1,2\n3,4\n");
	snprintf(text, sizeof text, "file:%s,sep=,,col=2", path);
	snprintf(want, sizeof want, "file:%s,col=2,sep=,", path);
	round_trip(text, SPEC_COUNT, want);
	unlink(path);
}

static void test_format_truncation(void **state)
{
	struct spec *s = parse_ok("exp:1ms,min=10us", SPEC_TIME);
	const char *full = "exp:avg=1ms,min=10us";
	char buf[8];

	(void)state;
	memset(buf, 'x', sizeof buf);
	assert_int_equal(spec_format(s, buf, sizeof buf), (int)strlen(full));
	assert_string_equal(buf, "exp:avg");
	assert_int_equal(spec_format(s, NULL, 0), (int)strlen(full));
	spec_destroy(s);
	s = parse_ok("32g", SPEC_SIZE);
	assert_int_equal(spec_format(s, buf, 3), 3);
	assert_string_equal(buf, "32");
	spec_destroy(s);
}

/* ---- errors ------------------------------------------------------------------ */

static void test_errors(void **state)
{
	char big[SPEC_MAX_TEXT + 16];

	(void)state;
	parse_bad("expo:1ms", SPEC_TIME, "unknown distribution 'expo'", "exp, norm", NULL);
	parse_bad("exp:1ms,foo=2", SPEC_TIME, "exp:", "unknown parameter 'foo'", "avg, min, max",
		  NULL);
	parse_bad("exp:avg=1ms,k=2", SPEC_TIME, "unknown parameter 'k'", NULL);
	parse_bad("norm:10ms", SPEC_TIME, "norm:", "missing std", NULL);
	parse_bad("gamma:avg=1ms", SPEC_TIME, "gamma:", "missing", NULL);
	parse_bad("gamma:avg=1ms,std=1ms,k=2", SPEC_TIME, "do not go together", NULL);
	parse_bad("unif:min=10,max=1", SPEC_COUNT, "min (10) is greater than max (1)", NULL);
	parse_bad("exp:1ms,min=5ms,max=2ms", SPEC_TIME, "greater than max", NULL);
	parse_bad("aseq:min=5,max=1", SPEC_COUNT, "greater than max", NULL);
	parse_bad("", SPEC_TIME, "empty", NULL);
	parse_bad("   ", SPEC_TIME, "empty", NULL);
	parse_bad(NULL, SPEC_SIZE, "empty", "size", NULL);
	parse_bad("10xs", SPEC_TIME, "'10xs'", "duration", NULL);
	parse_bad("10ms junk", SPEC_TIME, "'10ms junk'", NULL);
	parse_bad("10ms", SPEC_SIZE, "size", NULL);
	parse_bad("exp:1msx", SPEC_TIME, "exp: avg:", "'1msx'", NULL);
	parse_bad("exp:1ms,min=2q", SPEC_TIME, "exp: min:", "'2q'", NULL);
	parse_bad("-5", SPEC_COUNT, "negative", NULL);
	parse_bad("exp:-1ms", SPEC_TIME, "negative", NULL);
	parse_bad("abc", SPEC_TIME, "'abc'", NULL);
	parse_bad("exp", SPEC_TIME, "needs parameters", "exp:avg", NULL);
	parse_bad("exp:", SPEC_TIME, "missing avg", NULL);
	parse_bad("exp:1ms,", SPEC_TIME, "empty parameter", NULL);
	parse_bad("exp:1ms,,min=1", SPEC_TIME, "empty parameter", NULL);
	parse_bad("exp:1ms,avg=2ms", SPEC_TIME, "duplicate parameter 'avg'", NULL);
	parse_bad("unif:1,2", SPEC_COUNT, "needs a key", NULL);
	parse_bad("exp:1ms,2ms", SPEC_TIME, "needs a key", NULL);
	parse_bad("norm:10ms,std=0", SPEC_TIME, "std must be > 0", NULL);
	parse_bad("exp:0", SPEC_TIME, "avg must be > 0", NULL);
	parse_bad("weibull:avg=1,k=0", SPEC_COUNT, "k must be > 0", NULL);
	parse_bad("pareto:avg=1ms,alpha=1", SPEC_TIME, "alpha must be > 1", NULL);
	parse_bad("pareto:alpha=2,xm=1ms,max=500us", SPEC_TIME, "below the smallest", NULL);
	parse_bad("norm:0,std=1ms,min=10ms", SPEC_TIME, "keep only", NULL);
	parse_bad("gseq:min=0,max=10", SPEC_COUNT, "gseq:", "min > 0", NULL);
	parse_bad("gseq:min=1,max=10,step=1", SPEC_COUNT, "factor", NULL);
	parse_bad("aseq:min=1,max=2,step=0", SPEC_COUNT, "aseq:", "step must not be 0", NULL);
	parse_bad("aseq:min=0,max=1t,step=1e-6", SPEC_COUNT, "2^53", NULL);
	memset(big, '1', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	parse_bad(big, SPEC_COUNT, "longer than", NULL);
}

/* ---- reproducibility ---------------------------------------------------------- */

static void test_reproducible(void **state)
{
	const char *texts[] = {
		"unif:min=1ms,max=2ms", "exp:1ms", "exp:1ms,min=100ms", "norm:10ms,std=3ms",
		"norm:1ms,std=1ms", "lognorm:avg=1ms,std=2ms", "gamma:avg=1ms,k=0.5",
		"gamma:avg=1ms,std=0.5ms,max=2ms", "weibull:avg=1ms,k=1.5", "pareto:avg=2ms,alpha=2",
	};

	(void)state;
	for (size_t t = 0; t < sizeof texts / sizeof texts[0]; t++) {
		struct spec *s = parse_ok(texts[t], SPEC_TIME);
		struct rng a, b, c, d;
		int same_stream = 0, same_seed = 0;

		rng_seed(&a, 42, 1);
		rng_seed(&b, 42, 1);
		rng_seed(&c, 42, 2);
		rng_seed(&d, 43, 1);
		for (uint64_t i = 0; i < 1000; i++) {
			double x = spec_sample(s, &a, i);

			assert_true(x == spec_sample(s, &b, i));
			same_stream += x == spec_sample(s, &c, i);
			same_seed += x == spec_sample(s, &d, i);
		}
		/* Ties are possible only at a point mass (clamp at 0). */
		if (same_stream > 250 || same_seed > 250)
			fail_msg("%s: other streams repeat %d, other seeds %d of 1000 draws",
				 texts[t], same_stream, same_seed);
		if (strcmp(texts[t], "norm:1ms,std=1ms") != 0)
			assert_true(same_stream == 0 && same_seed == 0);
		spec_destroy(s);
	}
}

/* One stream drawing several specs in turn replays exactly. */
static void test_reproducible_mixed(void **state)
{
	struct spec *s[3];
	double first[300];
	struct rng r;

	(void)state;
	s[0] = parse_ok("exp:1ms", SPEC_TIME);
	s[1] = parse_ok("aseq:min=1,max=100", SPEC_COUNT);
	s[2] = parse_ok("gamma:avg=4k,k=0.7", SPEC_SIZE);
	for (int pass = 0; pass < 2; pass++) {
		rng_seed(&r, 7, 0);
		for (int i = 0; i < 300; i++) {
			double v = spec_sample(s[i % 3], &r, (uint64_t)i / 3);

			if (pass == 0)
				first[i] = v;
			else
				assert_true(v == first[i]);
		}
	}
	for (int i = 0; i < 3; i++)
		spec_destroy(s[i]);
	spec_destroy(NULL);
}

/* ---- emp: ----------------------------------------------------------------- */

/* Every sample is one of the values, each about equally often, drawn from the
 * rng (not the index); the canonical text reads back; a file works too. */
static void test_emp(void **state)
{
	struct spec *s = parse_ok("emp:100us, 1ms:100us,10ms", SPEC_TIME), *s2;
	char buf[256], path[64], text[128];
	unsigned hits[3] = { 0 };
	struct rng r, r2;

	(void)state;
	assert_false(spec_is_const(s));
	assert_int_equal(spec_length(s), 0);
	assert_true(fabs(spec_mean(s) - 11200.0 / 4) < 1e-9);
	rng_seed(&r, 3, 0);
	for (int i = 0; i < 40000; i++) {
		double v = spec_sample(s, &r, 0);

		if (v == 100)
			hits[0]++;
		else if (v == 1000)
			hits[1]++;
		else if (v == 10000)
			hits[2]++;
		else
			fail_msg("emp sampled %g, not one of its values", v);
	}
	/* 100us is given twice: half the samples; 1ms and 10ms a quarter each */
	assert_true(hits[0] > 19000 && hits[0] < 21000);
	assert_true(hits[1] > 9500 && hits[1] < 10500);
	assert_true(hits[2] > 9500 && hits[2] < 10500);
	spec_format(s, buf, sizeof buf);
	assert_string_equal(buf, "emp:100us,1ms,100us,10ms");
	s2 = parse_ok(buf, SPEC_TIME);
	rng_seed(&r, 9, 1);
	r2 = r;
	for (int i = 0; i < 100; i++)
		assert_true(spec_sample(s, &r, 0) == spec_sample(s2, &r2, 0));
	spec_destroy(s);
	spec_destroy(s2);

	s = parse_ok("EMP:7", SPEC_SIZE);
	assert_true(spec_sample(s, &r, 0) == 7);
	spec_destroy(s);

	tmp_file(path, sizeof path, "v\n1\n2\n3\n");
	snprintf(text, sizeof text, "emp:file:%s,unit=ms", path);
	s = parse_ok(text, SPEC_TIME);
	assert_true(fabs(spec_mean(s) - 2000) < 1e-9);
	for (int i = 0; i < 100; i++) {
		double v = spec_sample(s, &r, 0);

		assert_true(v == 1000 || v == 2000 || v == 3000);
	}
	spec_format(s, buf, sizeof buf);
	assert_string_equal(buf, text);
	spec_destroy(s);
	unlink(path);

	parse_bad("emp:", SPEC_TIME, "emp", "empty value", NULL);
	parse_bad("emp:1ms,,2ms", SPEC_TIME, "empty value", NULL);
	parse_bad("emp:1ms,2xs", SPEC_TIME, "emp", "2xs", NULL);
	parse_bad("emp:file:/nonexistent/x", SPEC_TIME, "emp", "cannot open", NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constants),
		cmocka_unit_test(test_sample_u64),
		cmocka_unit_test(test_separators),
		cmocka_unit_test(test_aseq),
		cmocka_unit_test(test_gseq),
		cmocka_unit_test(test_index_and_rng),
		cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_separators),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_format_truncation),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_reproducible),
		cmocka_unit_test(test_reproducible_mixed),
		cmocka_unit_test(test_emp),
	};

	return cmocka_run_group_tests(tests, NULL, remove_tmp_files);
}
