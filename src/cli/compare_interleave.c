/* compare_interleave.c -- see compare_interleave.h. */
#include "cli/compare_interleave.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/opt.h"
#include "report/compare_paired.h"
#include "report/results.h"
#include "run/run.h"
#include "scenario/scenario.h"
#include "util/json.h"
#include "util/log.h"
#include "util/xalloc.h"

/* What was run and measured. */
struct interleave {
	const char *path[2];          /* the scenarios, A and B */
	char dir[PATH_MAX];           /* the output directory */
	unsigned n;                   /* pairs */
	struct compare_block *blk[2]; /* per side, by pair */
	const struct compare_opts *o;
	struct compare_figures c;
};

static void load_fail(const char *path, const struct err *e)
{
	if (e->line)
		log_msg("%s:%d:%d: %s", path, e->line, e->col ? e->col : 1, e->msg);
	else
		log_msg("%s: %s", path, e->msg);
}

/* The scenario at path, checked: 0, or 2 with the message printed. */
static int load(const char *path, struct scenario *s)
{
	struct err e;

	if (scenario_load(path, NULL, 0, s, &e) < 0) {
		load_fail(path, &e);
		return 2;
	}
	if (s->sweep) {
		log_msg("%s: a scenario with a sweep cannot be interleaved (compare two cells' "
			"scenarios instead)", path);
		return 2;
	}
	return 0;
}

/* The block's ok latencies (the group named, or every group merged) into
 * its figures: 0, or 1 with the message printed. */
static int measure(const char *dir, const struct compare_opts *o, double warmup_us,
		   struct compare_block *out)
{
	struct results r;
	struct err e;
	double *x = NULL;
	size_t n = 0, cap = 0;
	int rc = 0, named = -1;

	memset(&r, 0, sizeof r);
	if (results_load(dir, &r, &e) < 0) {
		load_fail(dir, &e);
		results_free(&r);
		return 1;
	}
	if (warmup_us > 0)
		results_trim(&r, warmup_us);
	for (size_t g = 0; o->group && g < r.ngroups; g++)
		if (strcmp(r.groups[g].name, o->group) == 0)
			named = (int)g;
	if (o->group && named < 0 && strcmp(o->group, "all") != 0) {
		log_msg("%s: no client group %s", dir, o->group);
		rc = 1;
	}
	for (size_t g = 0; rc == 0 && g < r.ngroups; g++) {
		const struct records *rec = &r.groups[g].rec;

		if (named >= 0 && (int)g != named)
			continue;
		for (size_t i = 0; i < rec->n; i++) {
			if (rec->status[i] != REC_OK)
				continue;
			if (n == cap)
				x = xrealloc(x, (cap = cap ? 2 * cap : 1024) * sizeof *x);
			x[n++] = rec->latency_us[i];
		}
	}
	if (rc == 0 && n == 0) {
		log_msg("%s: no ok requests to compare", dir);
		rc = 1;
	}
	if (rc == 0)
		compare_block_figures(x, n, out);
	free(x);
	results_free(&r);
	return rc;
}

/* Side (0 A, 1 B) of the block at position t (0-based) in ABBA order. */
static int side_at(unsigned t)
{
	return (int)((t % 2) ^ ((t / 2) % 2));
}

/* Runs every block and measures it: 0, or the exit status. */
static int run_blocks(struct interleave *iv, struct scenario *s, const char *exe,
		      double warmup_us, bool quiet)
{
	for (unsigned t = 0; t < 2 * iv->n; t++) {
		int side = side_at(t), rc;
		unsigned pair = t / 2 + 1;
		char dir[PATH_MAX + 16];
		struct run_config c = { .exe = exe, .quiet = true };

		snprintf(dir, sizeof dir, "%s/%c-%u", iv->dir, side ? 'b' : 'a', pair);
		if (!quiet) {
			fprintf(stderr, "meshwalk compare: block %u of %u: %c-%u (%s)\n", t + 1,
				2 * iv->n, side ? 'b' : 'a', pair, iv->path[side]);
			fflush(stderr);
		}
		c.out_dir = dir;
		rc = run_scenario(&c, &s[side]);
		if (rc != 0) {
			log_msg("block %c-%u (%s) %s with status %d: see %s", side ? 'b' : 'a', pair,
				iv->path[side], rc == 130 ? "was interrupted" : "failed", rc, dir);
			return rc == 130 ? 130 : 1;
		}
		if (measure(dir, iv->o, warmup_us, &iv->blk[side][pair - 1]) != 0)
			return 1;
	}
	return 0;
}

static void print_block(FILE *f, char side, unsigned pair, const struct compare_block *b)
{
	fprintf(f, "%c-%-6u %8zu", side, pair, b->n);
	for (int k = 0; k < COMPARE_NFIG; k++)
		fprintf(f, " %10.1f", b->fig[k]);
	fputc('\n', f);
}

static void print_text(FILE *f, const struct interleave *iv)
{
	const struct compare_figures *c = &iv->c;
	char level[192];

	fprintf(f, "meshwalk compare: %u pairs of blocks in ABBA order\n", iv->n);
	fprintf(f, "A: %s\nB: %s\nblocks: %s/a-1 ... b-%u\n", iv->path[0], iv->path[1], iv->dir,
		iv->n);
	fprintf(f, "latency: intended send -> reply, microseconds, ok requests only, %s%s\n",
		iv->o->group ? "group " : "every client group merged",
		iv->o->group ? iv->o->group : "");
	compare_level_text(level, sizeof level, &iv->o->rule);
	fprintf(f, "intervals: %s, the median of the %u pairs' ratios of B's block to A's "
		"and the sign test's interval\n\n", level, iv->n);
	fprintf(f, "%-8s %8s", "block", "ok");
	for (int k = 0; k < COMPARE_NFIG; k++)
		fprintf(f, " %10s", c->name[k]);
	fputc('\n', f);
	for (unsigned t = 0; t < 2 * iv->n; t++) {
		int side = side_at(t);

		print_block(f, side ? 'b' : 'a', t / 2 + 1, &iv->blk[side][t / 2]);
	}
	fputc('\n', f);
	compare_print_table(f, c, &iv->o->rule);
	fprintf(f, "verdict: %s: %s\n", compare_verdict_word(c->verdict), c->reason);
}


static void write_json(FILE *f, const struct interleave *iv)
{
	const struct compare_figures *c = &iv->c;
	const struct compare_rule *r = &iv->o->rule;

	fprintf(f, "{\n  \"meshwalk_compare_version\": 2,\n  \"mode\": \"interleave\",\n  \"a\": ");
	json_write_string(f, iv->path[0]);
	fprintf(f, ",\n  \"b\": ");
	json_write_string(f, iv->path[1]);
	fprintf(f, ",\n  \"group\": ");
	if (iv->o->group)
		json_write_string(f, iv->o->group);
	else
		fputs("null", f);
	fprintf(f, ",\n  \"units\": \"us\",\n  \"pairs\": %u,\n  \"order\": \"ABBA\",\n"
		"  \"interval\": \"sign test of the median pair ratio\",\n  \"confidence\": ", iv->n);
	compare_json_number(f, r->confidence);

	fprintf(f, ",\n");
	compare_rule_json(f, r, c);
	fprintf(f, ",\n  \"blocks\": [");
	for (unsigned t = 0; t < 2 * iv->n; t++) {
		int side = side_at(t);
		const struct compare_block *b = &iv->blk[side][t / 2];

		fprintf(f, "%s\n    {\"name\": \"%c-%u\", \"side\": \"%c\", \"pair\": %u, "
			"\"position\": %u, \"ok\": %zu", t ? "," : "", side ? 'b' : 'a', t / 2 + 1,
			side ? 'B' : 'A', t / 2 + 1, t + 1, b->n);
		for (int k = 0; k < COMPARE_NFIG; k++) {
			fprintf(f, ", \"%s\": ", c->name[k]);
			compare_json_number(f, b->fig[k]);
		}
		fputc('}', f);
	}
	fprintf(f, "\n  ],\n  \"figures\": [");
	compare_figures_json(f, c, "    ");
	fprintf(f, "\n  ],\n  \"verdict\": \"%s\",\n  \"reason\": ", compare_verdict_key(c->verdict));
	json_write_string(f, c->reason);
	fprintf(f, "\n}\n");
}

/* DIR/name written by fn: 0, or 1 with the message printed. */
static int write_out(const struct interleave *iv, const char *name,
		     void (*fn)(FILE *, const struct interleave *))
{
	char path[PATH_MAX + 32];
	FILE *f;
	int bad;

	snprintf(path, sizeof path, "%s/%s", iv->dir, name);
	f = fopen(path, "w");
	if (f == NULL) {
		log_msg("%s: %s", path, strerror(errno));
		return 1;
	}
	fn(f, iv);
	bad = ferror(f);
	if (fclose(f) != 0 || bad) {
		log_msg("%s: write failed", path);
		return 1;
	}
	return 0;
}

int compare_interleave(const char *scen_a, const char *scen_b, unsigned n,
		       const struct compare_opts *o, double warmup_us, bool quiet,
		       enum compare_verdict *verdict)
{
	struct interleave iv = { .path = { scen_a, scen_b }, .n = n, .o = o };
	struct scenario s[2];
	char *exe = NULL;
	int rc;

	memset(s, 0, sizeof s);
	rc = load(scen_a, &s[0]);
	if (rc == 0)
		rc = load(scen_b, &s[1]);
	if (rc == 0 && (exe = opt_self_exe()) == NULL) {
		log_msg("cannot find my own executable: %s", strerror(errno));
		rc = 1;
	}
	if (rc == 0 && run_make_dir(o->out_dir, "compare", iv.dir, sizeof iv.dir - 1) < 0)
		rc = 1;
	if (rc == 0) {
		iv.blk[0] = xcalloc(n, sizeof *iv.blk[0]);
		iv.blk[1] = xcalloc(n, sizeof *iv.blk[1]);
		rc = run_blocks(&iv, s, exe, warmup_us, quiet);
	}
	if (rc == 0) {
		compare_paired(iv.blk[0], iv.blk[1], n, &o->rule, &iv.c);
		*verdict = iv.c.verdict;
		if (!quiet)
			print_text(stdout, &iv);
		rc = write_out(&iv, "compare.txt", print_text) | write_out(&iv, "compare.json", write_json);
	}
	free(iv.blk[0]);
	free(iv.blk[1]);
	free(exe);
	scenario_free(&s[0]);
	scenario_free(&s[1]);
	return rc;
}
