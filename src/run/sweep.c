/* sweep.c -- see sweep.h. A sweep is a loop around run_scenario() on a
 * modified copy of the scenario: nothing in run.c knows about grids. */
#include "run/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "results/status.h"
#include "scenario/sweep.h"
#include "spec/units.h"
#include "util/clock.h"
#include "util/json.h"
#include "util/log.h"
#include "util/version.h"
#include "util/xalloc.h"

struct cell {
	char *dir;        /* relative to the sweep's directory */
	char *name;       /* "rate=400,arrival=exp" */
	int exit_status;  /* -1: not run */
};

static void write_json(const char *dir, const struct scenario *s, const struct scenario_sweep *sw,
		       uint64_t seed, const struct cell *cells, size_t n, const char *status)
{
	char path[600], tmp[620];
	FILE *f;

	snprintf(path, sizeof path, "%s/sweep.json", dir);
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	f = fopen(tmp, "w");
	if (f == NULL) {
		log_msg("cannot write %s: %s", tmp, strerror(errno));
		return;
	}
	fprintf(f, "{\n  \"meshwalk_sweep_version\": 1,\n  \"meshwalk_version\": \"%s\",\n  \"scenario\": ",
		MESHWALK_VERSION);
	json_write_string(f, s->name);
	fprintf(f, ",\n  \"group\": ");
	json_write_string(f, s->clients[sweep_group(s, sw)].name);
	fprintf(f, ",\n  \"seed\": %llu,\n  \"status\": \"%s\",\n  \"warmup_us\": %.3f,\n  \"parameters\": {",
		(unsigned long long)seed, status, sw->warmup_us);
	fprintf(f, "\"rate\": ");
	if (sw->nrates) {
		for (size_t i = 0; i < sw->nrates; i++)
			fprintf(f, "%s%.9g", i ? ", " : "[", sw->rates[i]);
		fputc(']', f);
	} else {
		fputs("null", f);
	}
	fprintf(f, ", \"arrival\": ");
	if (sw->narrivals) {
		for (size_t i = 0; i < sw->narrivals; i++)
			fprintf(f, "%s\"%s\"", i ? ", " : "[", sweep_arrival_name(sw->arrivals[i]));
		fputc(']', f);
	} else {
		fputs("null", f);
	}
	fprintf(f, ", \"compute\": ");
	if (sw->ncomputes) {
		for (size_t i = 0; i < sw->ncomputes; i++) {
			fputs(i ? ", " : "[", f);
			json_write_string(f, sw->computes[i]);
		}
		fputc(']', f);
	} else {
		fputs("null", f);
	}
	fprintf(f, "},\n  \"cells\": [");
	for (size_t i = 0; i < n; i++) {
		struct sweep_cell c;
		double us = NAN;
		struct err e;

		sweep_cell(sw, i, &c);
		if (c.compute)
			units_parse(c.compute, SPEC_TIME, &us, &e);
		fprintf(f, "%s\n    {\"index\": %zu, \"dir\": ", i ? "," : "", i);
		json_write_string(f, cells[i].dir);
		fprintf(f, ", \"name\": ");
		json_write_string(f, cells[i].name);
		if (isnan(c.rate))
			fprintf(f, ", \"rate\": null, \"arrival\": null");
		else
			fprintf(f, ", \"rate\": %.9g, \"arrival\": \"%s\"", c.rate, sweep_arrival_name(c.arrival));
		fprintf(f, ", \"compute\": ");
		if (c.compute) {
			json_write_string(f, c.compute);
			fprintf(f, ", \"compute_us\": %.9g", us);
		} else {
			fprintf(f, "null, \"compute_us\": null");
		}
		if (cells[i].exit_status < 0)
			fprintf(f, ", \"exit_status\": null}");
		else
			fprintf(f, ", \"exit_status\": %d}", cells[i].exit_status);
	}
	fprintf(f, "\n  ]\n}\n");
	/* Replace the file whole, so a reader never sees half of it. */
	{
		int bad = ferror(f);

		if (fclose(f) != 0 || bad || rename(tmp, path) == -1)
			log_msg("cannot write %s", path);
	}
}

int run_sweep(const struct run_config *c, const struct scenario *s)
{
	const struct scenario_sweep *sw = s->sweep;
	size_t n = sweep_ncells(sw), failed = 0;
	int g = sweep_group(s, sw), rc = 0;
	struct cell *cells;
	uint64_t seed = s->has_seed ? s->seed : (uint64_t)clock_now_ns();
	char dir[320];

	if (run_make_dir(c->out_dir, s->name, dir, 200) < 0)
		return 1;
	cells = xcalloc(n, sizeof *cells);
	for (size_t i = 0; i < n; i++) {
		cells[i].name = sweep_cell_name(sw, i);
		if (asprintf(&cells[i].dir, "cells/%03zu_%s", i, cells[i].name) < 0)
			abort();
		for (char *p = cells[i].dir + 6; *p; p++)
			*p = *p == '=' ? '-' : *p == ',' ? '_' : *p;
		cells[i].exit_status = -1;
	}
	write_json(dir, s, sw, seed, cells, n, "running");

	for (size_t i = 0; i < n; i++) {
		struct scenario cs = *s;
		struct run_config cc = *c;
		struct scenario_argv args = { 0 };
		char *const *ov0 = c->overrides;
		char **ov = xcalloc(c->noverrides + 1, sizeof *ov), path[600];
		int crc;

		/* A shallow copy with the swept group's arguments replaced; the
		 * rest (names, services) is borrowed from s. */
		cs.clients = xmalloc(s->nclients * sizeof *cs.clients);
		memcpy(cs.clients, s->clients, s->nclients * sizeof *cs.clients);
		sweep_args(sw, i, &s->clients[g].args, &args);
		cs.clients[g].args = args;
		cs.has_seed = true;
		cs.seed = seed;
		for (size_t k = 0; k < c->noverrides; k++)
			ov[k] = ov0[k];
		if (asprintf(&ov[c->noverrides], "sweep:%s", cells[i].name) < 0)
			abort();
		cc.overrides = ov;
		cc.noverrides = c->noverrides + 1;
		snprintf(path, sizeof path, "%s/%s", dir, cells[i].dir);
		cc.out_dir = path;
		if (!c->quiet)
			log_msg("sweep cell %zu of %zu: %s", i + 1, n, cells[i].name);
		crc = run_scenario(&cc, &cs);
		cells[i].exit_status = crc;
		failed += crc != 0;
		free(ov[c->noverrides]);
		free(ov);
		scenario_argv_free(&args);
		free(cs.clients);
		if (crc == 130) {
			rc = 130;
			break;
		}
		write_json(dir, s, sw, seed, cells, n, "running");
	}
	if (rc == 0 && failed)
		rc = 1;
	write_json(dir, s, sw, seed, cells, n, results_run_status(rc == 130, rc));
	if (!c->quiet)
		printf("== sweep %s: %zu cells, %zu failed%s; results: %s\n", s->name, n, failed,
		       rc == 130 ? ", interrupted" : "", dir);
	for (size_t i = 0; i < n; i++) {
		free(cells[i].dir);
		free(cells[i].name);
	}
	free(cells);
	return rc;
}
