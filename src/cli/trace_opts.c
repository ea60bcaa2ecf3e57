/* trace_opts.c -- see trace_opts.h. */
#include "cli/trace_opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import/fit.h"
#include "import/model.h"
#include "import/reader.h"
#include "import/spans.h"
#include "results/files.h"
#include "spec/units.h"
#include "util/log.h"

void trace_opts_init(struct trace_opts *t)
{
	t->format = "auto";
	t->max_open = IMPORT_DEFAULT_MAX_OPEN_SPANS;
	t->tolerance_ns = MODEL_DEFAULT_TOLERANCE_NS;
	t->max_plans = 8;
}

/* A whole number in [lo, hi]. */
static int whole(const char *arg, double lo, double hi, double *d)
{
	return units_parse(arg, SPEC_COUNT, d, NULL) < 0 || *d < lo || *d > hi ||
			       *d != (double)(uint64_t)*d
		       ? -1
		       : 0;
}

int trace_opt(struct trace_opts *t, int opt, const char *arg)
{
	double d;

	switch (opt) {
	case TRACE_O_FORMAT:
		if (strcmp(arg, "auto") != 0 && import_reader_find(arg) == NULL) {
			log_msg("--format: expected auto, jaeger, zipkin, otlp or alibaba, got '%s'", arg);
			return 2;
		}
		t->format = arg;
		return 0;
	case TRACE_O_MAX_OPEN:
		if (whole(arg, 1, 0x1p40, &d) < 0) {
			log_msg("--max-open-spans: expected a count from 1, got '%s'", arg);
			return 2;
		}
		t->max_open = (unsigned long long)d;
		return 0;
	case TRACE_O_TOLERANCE:
		if (units_parse(arg, SPEC_TIME, &d, NULL) < 0 || d > 1e7) {
			log_msg("--overlap-tolerance: expected a duration up to 10s, got '%s'", arg);
			return 2;
		}
		t->tolerance_ns = (uint64_t)(d * 1000);
		return 0;
	case TRACE_O_MAX_PLANS:
		if (whole(arg, 1, MODEL_MAX_PLANS, &d) < 0) {
			log_msg("--max-plans: expected a whole number from 1 to %d, got '%s'",
				MODEL_MAX_PLANS, arg);
			return 2;
		}
		t->max_plans = (uint32_t)d;
		return 0;
	}
	log_msg("internal error: option %d is not a trace option", opt);
	return 2;
}

int trace_fit_files(const char *const *files, size_t n, const struct trace_opts *t, struct fit *f,
		    const char *who)
{
	struct fit_opts fo = { NULL, t->max_open, t->tolerance_ns, true, NULL, NULL };
	struct err e;

	if (fit_read(f, files, (int)n, &fo, NULL, &e) < 0 ||
	    fit_align(f, files, (int)n, &fo, &e) < 0) {
		log_msg("%s: %s", who, e.msg);
		return 1;
	}
	return 0;
}

int trace_fit_results(const char *dir, const struct trace_opts *t, struct fit *f, char **path,
		      bool *have)
{
	if (asprintf(path, "%s/" RESULTS_TRACES_OTLP, dir) < 0)
		abort();
	*have = access(*path, F_OK) == 0;
	if (!*have)
		return 0;
	return trace_fit_files((const char *const *)path, 1, t, f, dir);
}
