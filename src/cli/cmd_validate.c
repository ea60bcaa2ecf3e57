/* cmd_validate.c -- `meshwalk validate TRACES... --clone RESULTS_DIR`: fit
 * the model of the original traces again (as meshwalk import does, same
 * names), read what the clone's run left (client groups' requests.csv, the
 * nodes' stats.json, its spans; --clone repeated: several runs pooled,
 * cli/validate_pool.h) and print the fidelity report (src/import/validate.h).
 * `--run SCENARIO` runs the clone first, as meshwalk run does (cmd_run_for()),
 * and validates the results directory it made. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "cli/trace_opts.h"
#include "cli/validate_pool.h"
#include "import/fit.h"
#include "import/model.h"
#include "import/validate.h"
#include "results/files.h"
#include "util/log.h"

enum {
	O_CLONE = 256,
	O_MAX_KS,
	O_MAX_ERROR,
	O_MAX_COUNT_ERROR,
	O_JSON,
	O_RUN,
};

/* What the parse fills. */
struct validate_args {
	struct validate_opts vo;
	struct trace_opts to;
	struct opt_list clones; /* --clone DIR, repeatable */
	const char *json_path;
	const char *run, *out_dir; /* --run SCENARIO, -o DIR */
};

const struct opt_def validate_opts[] = {
	{ "clone", 0, OPT_REQUIRED, O_CLONE, "RESULTS_DIR",
	  "The results directory of a meshwalk run of the scenario meshwalk import wrote from "
	  "the same traces (this or --run is required): its client groups' " RESULTS_REQUESTS_CSV
	  " (latency from each request's actual send, as a client span times it) and its nodes' "
	  "stats.json, and its " RESULTS_TRACES_OTLP " when it was traced (trace_sample): the "
	  "clone's spans, for the self time per operation and the network time per edge. "
	  "Repeatable: several runs of the clone pooled, as several TRACES files pool the "
	  "original's runs (each group's requests, each service's counts and the traced runs' "
	  "spans together; interleave the original's runs and the clone's on a noisy machine).",
	  .kind = OPT_K_LIST, OPT_AT(struct validate_args, clones) },
	{ "run", 0, OPT_REQUIRED, O_RUN, "SCENARIO",
	  "Instead of --clone: run SCENARIO first, as meshwalk run does (quietly: its nodes and "
	  "client groups, its checks; not a scenario with a sweep), then validate the results "
	  "directory it made. The run's status does not stop the report (a clone with error "
	  "rates has failed requests), but an interrupted run does (exit 130).",
	  .kind = OPT_K_STR, OPT_AT(struct validate_args, run) },
	{ "output", 'o', OPT_REQUIRED, 'o', "DIR",
	  "With --run: the results directory, which must not exist yet (default "
	  "results/NAME-YYYYmmdd-HHMMSS, as meshwalk run).",
	  .kind = OPT_K_STR, OPT_AT(struct validate_args, out_dir) },
	{ "format", 0, OPT_REQUIRED, TRACE_O_FORMAT, "FORMAT",
	  "The traces' format, as for meshwalk import (default auto)." },
	{ "max-ks", 0, OPT_REQUIRED, O_MAX_KS, "D",
	  "Largest Kolmogorov-Smirnov distance between the original and the clone's end-to-end "
	  "latencies that passes (default 0.1)." },
	{ "max-error", 0, OPT_REQUIRED, O_MAX_ERROR, "FRACTION",
	  "Largest relative error of the clone's p50 and p90 that passes; p99 may be off by "
	  "twice as much (default 0.1)." },
	{ "max-count-error", 0, OPT_REQUIRED, O_MAX_COUNT_ERROR, "FRACTION",
	  "Largest relative error of a service's request count against the model's expectation "
	  "(default 0.1; 3 standard deviations of a Poisson count when larger)." },
	{ "json", 0, OPT_REQUIRED, O_JSON, "FILE",
	  "Also write the report as JSON to FILE. Its \"network\" member (each call edge's "
	  "extra network time in the clone, mean and variance) is what meshwalk import "
	  "--net-baseline FILE takes off the links.",
	  .kind = OPT_K_STR, OPT_AT(struct validate_args, json_path) },
	{ "overlap-tolerance", 0, OPT_REQUIRED, TRACE_O_TOLERANCE, "DURATION",
	  "As given to meshwalk import (default 1ms)." },
	{ "max-plans", 0, OPT_REQUIRED, TRACE_O_MAX_PLANS, "N",
	  "As given to meshwalk import (default 8)." },
	{ "max-open-spans", 0, OPT_REQUIRED, TRACE_O_MAX_OPEN, "N",
	  "As given to meshwalk import (default 500000)." },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit.",
	  .kind = OPT_K_HELP },
	{ 0 },
};

static const char validate_usage[] =
	"meshwalk validate [OPTIONS] --clone RESULTS_DIR [--clone RESULTS_DIR...] TRACES...\n"
	"       meshwalk validate [OPTIONS] --run SCENARIO [-o DIR] TRACES...";
static const char validate_intro[] =
	"How faithful is a clone: compares the traces an application left with a run of the\n"
	"scenario meshwalk import wrote from them. Per entry operation: end-to-end latency\n"
	"(KS distance, p50/p90/p99 errors, Wasserstein-1); per service: requests served\n"
	"against the model's expectation (the call graph and its probabilities); per\n"
	"operation: self time, and per call edge: network time, against the clone's own\n"
	"spans when its run recorded them (with the clone's extra per call edge: what\n"
	"import's --net-baseline takes off). Several --clone runs are pooled, as several TRACES files\n"
	"are. Prints a report with a verdict (docs/import.md). Exit status: 0 when every check\n"
	"passes, 3 when one fails, 1 when an input cannot be read, 2 on a usage error, 130\n"
	"when a --run was interrupted.";

void cmd_validate_man(FILE *f)
{
	opt_print_man(f, "meshwalk-validate", "compare a clone's run with the original traces",
		      validate_usage, validate_intro, validate_opts,
		      ".SH FILES\nThe checks and their tolerances are described in docs/import.md.\n"
		      ".SH SEE ALSO\nmeshwalk\\-import(1), meshwalk\\-run(1)\n");
}

static int num_opt(const char *name, const char *v, double max, double *out)
{
	char *end;

	errno = 0;
	*out = strtod(v, &end);
	if (end == v || *end || errno || !(*out > 0 && *out <= max)) {
		log_msg("--%s: expected a number above 0, at most %g, got '%s'", name, max, v);
		return 2;
	}
	return 0;
}

/* The options opt_parse() cannot apply by their row alone. */
static int validate_opt(void *cfg, int opt, const char *arg)
{
	struct validate_args *a = cfg;

	switch (opt) {
	case O_MAX_KS:
		return num_opt("max-ks", arg, 1, &a->vo.max_ks);
	case O_MAX_ERROR:
		return num_opt("max-error", arg, 100, &a->vo.max_err);
	case O_MAX_COUNT_ERROR:
		return num_opt("max-count-error", arg, 100, &a->vo.count_err);
	}
	return trace_opt(&a->to, opt, arg);
}

/* --run: the scenario run into a new results directory (ran, len bytes),
 * which *clone then names: 0, or the exit status (2: a bad scenario, 1: no
 * directory was made, 130: interrupted). A run that failed otherwise still
 * left its results: they are validated, with a warning. */
static int run_clone(const char *scenario, const char *out_dir, char *ran, size_t len,
		     const char **clone)
{
	int rc = cmd_run_for(scenario, out_dir, NULL, 0, ran, len);

	log_set_name("meshwalk validate"); /* run's checks name themselves */
	if (rc == 2 || rc == 130 || ran[0] == '\0')
		return rc ? rc : 1;
	if (rc != 0)
		log_msg("--run %s: the run exited with status %d (see %s/" RESULTS_RUN_JSON "); validating what "
			"it left", scenario, rc, ran);
	log_msg("--run %s: results in %s", scenario, ran);
	*clone = ran;
	return 0;
}

/* The usage errors of a parsed command line: 0 or 2 (after a message). */
static int check_args(const struct validate_args *a, int argc)
{
	if (optind >= argc) {
		log_msg("no trace file given (see meshwalk validate --help)");
		return 2;
	}
	if (a->clones.n && a->run) {
		log_msg("--clone and --run are mutually exclusive: validate a run's results, or run "
			"the scenario and validate what it leaves");
		return 2;
	}
	if (a->clones.n == 0 && a->run == NULL) {
		log_msg("--clone RESULTS_DIR or --run SCENARIO is required: the results of running "
			"the imported scenario");
		return 2;
	}
	if (a->out_dir && a->run == NULL) {
		log_msg("-o DIR goes with --run (the directory the run makes)");
		return 2;
	}
	for (size_t i = 0; i < a->clones.n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(a->clones.v[i], a->clones.v[j]) == 0) {
				log_msg("--clone %s given twice: its requests would count twice",
					a->clones.v[i]);
				return 2;
			}
	return 0;
}

/* The report of the clone's runs dirs[0..n) against the original's model:
 * 0 (pass), 3 (a check failed) or 1 (an input or the JSON file failed). */
static int report(const struct validate_args *a, const struct model *orig,
		  const char *const *dirs, size_t n)
{
	struct validate_pool pool;
	FILE *json = NULL;
	int rc = validate_pool_load(&pool, dirs, n, a->run ? "--run" : "--clone", orig, &a->to);

	if (rc == 0 && a->json_path && (json = fopen(a->json_path, "w")) == NULL) {
		log_msg("--json %s: %s", a->json_path, strerror(errno));
		rc = 1;
	}
	if (rc == 0) {
		rc = validate_report(orig, &pool.vc, &a->vo, stdout, json) ? 0 : 3;
		if (json && fclose(json) != 0) {
			log_msg("--json %s: %s", a->json_path, strerror(errno));
			rc = 1;
		}
	}
	validate_pool_free(&pool);
	return rc;
}

int cmd_validate(int argc, char **argv)
{
	static const struct opt_cmd cmd = { "validate", validate_opts, validate_usage,
					    validate_intro, validate_opt };
	struct validate_args a = { .json_path = NULL };
	const struct trace_opts *to = &a.to;
	int rc;

	log_set_name("meshwalk validate");
	validate_opts_init(&a.vo);
	trace_opts_init(&a.to);
	rc = opt_parse(&cmd, argc, argv, &a);
	if (rc == 0)
		rc = check_args(&a, argc);
	if (rc) {
		free(a.clones.v);
		return rc < 0 ? 0 : rc; /* -1: --help */
	}

	struct fit orig;
	struct err e;
	const char *const *files = (const char *const *)argv + optind;
	int nfiles = argc - optind;
	struct fit_opts fo = { to->format, to->max_open, to->tolerance_ns, true, NULL, NULL };
	char ran[512];
	const char *clone = NULL;

	a.vo.max_plans = to->max_plans;
	if (fit_read(&orig, files, nfiles, &fo, NULL, &e) < 0 ||
	    fit_align(&orig, files, nfiles, &fo, &e) < 0) {
		log_msg("%s", e.msg);
		rc = 1;
	}
	if (rc == 0 && a.run)
		rc = run_clone(a.run, a.out_dir, ran, sizeof ran, &clone);
	if (rc == 0)
		rc = a.run ? report(&a, &orig.model, &clone, 1)
			   : report(&a, &orig.model, (const char *const *)a.clones.v, a.clones.n);
	fit_free(&orig);
	free(a.clones.v);
	return rc;
}
