/* cmd_import.c -- `meshwalk import FILE... --summary`: read trace files
 * (src/import/reader.h) into the span model and print what was read;
 * `meshwalk import FILE... -o scenario.yaml`: fit the model
 * (src/import/model.h) and write a scenario (src/import/writer.h); with
 * --tune, fine-tune its links on this machine first (cli/import_tune.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/import_tune.h"
#include "cli/opt.h"
#include "cli/trace_opts.h"
#include "import/fit.h"
#include "import/reader.h"
#include "import/spans.h"
#include "import/model.h"
#include "import/netbase.h"
#include "import/overview.h"
#include "import/writer.h"
#include "import/write_jaeger.h"
#include "proto/wire.h"
#include "spec/units.h"
#include "util/log.h"
#include "util/xalloc.h"
#include "results/files.h"

enum {
	O_SUMMARY = 256,
	O_SELF_TIME,
	O_WORKING_SET,
	O_RATE,
	O_REQUESTS,
	O_NET_BASELINE,
	O_JAEGER_OUT,
	O_TUNE,
	O_TUNE_DIR,
	O_EMP_VALUES,
};

/* What the parse fills. */
struct import_args {
	struct writer_opts w;
	struct trace_opts to;
	struct writer_self *self; /* --self-time / --working-set SERVICE=..., owned */
	struct netbase base;      /* --net-baseline, summed */
	bool summary, global_self;
	const char *out, *jaeger_path;
	unsigned long long tune;  /* --tune ROUNDS */
	const char *tune_dir;
};

const struct opt_def import_opts[] = {
	{ "format", 0, OPT_REQUIRED, TRACE_O_FORMAT, "FORMAT",
	  "auto (default: from each file's first bytes), jaeger (JSON: UI export, query API, one "
	  "trace object), zipkin (v2 JSON), otlp (JSON, one request per line accepted) or "
	  "alibaba (cluster-trace microservices call graph CSV, v2021 or v2022). Any file may "
	  "be gzip-compressed; - reads standard input." },
	{ "summary", 's', OPT_NONE, 's', NULL,
	  "Print what was read: traces, spans, services and their operations, root operations, "
	  "call edges between operations with counts, client calls no traced service answered, "
	  "and every messy-input rule applied (orphans, skew, repeated ids, spans without "
	  "timestamps).",
	  .kind = OPT_K_FLAG, OPT_AT(struct import_args, summary) },
	{ "output", 'o', OPT_REQUIRED, 'o', "FILE",
	  "Fit a model to the traces and write a scenario that meshwalk run runs as is: a service "
	  "per traced service (and per database or other callee known only from client spans), "
	  "a route per operation with its observed execution plans (weighted --choice "
	  "alternatives; compute segments as emp: distributions of the observed self times; "
	  "concurrent calls as branch forwards), links with the observed network time, a client "
	  "group per entry operation at its share of the observed rate (docs/import.md). Spans "
	  "of several hosts are first put on one clock, by the offsets measured from the calls "
	  "between them (the files are then read twice). - writes to standard output.",
	  .kind = OPT_K_STR, OPT_AT(struct import_args, out) },
	{ "self-time", 0, OPT_REQUIRED, O_SELF_TIME, "[SERVICE=]cpu|sleep|FRACTION",
	  "How the self time of services is emulated: cpu (-C, busy CPU; default for traced "
	  "services), sleep (--sleep, off CPU; default for services known only from client "
	  "spans) or the FRACTION of it on CPU (0.3: -C of 30% and --sleep of 70% of each "
	  "sample). Without SERVICE= it applies to every service; with it, to that traced "
	  "service only (repeatable). Of spans meshwalk recorded, the self time is their "
	  "COMPUTE spans' (the time asked); their waits (SLEEP, LOAD, STORE, READ spans) "
	  "are --sleep whatever this says, and meshwalk's own time around them is not "
	  "emulated." },
	{ "working-set", 0, OPT_REQUIRED, O_WORKING_SET, "[SERVICE=]SIZE",
	  "Give the -C ops of services a working set (-C TIME,ws=SIZE: each COMPUTE walks a "
	  "buffer of SIZE bytes, so the clone puts the original's cache pressure on the "
	  "machine; traces do not record it). Without SERVICE= it applies to every traced "
	  "service (not to those known only from client spans); with it, to that service only "
	  "(repeatable). From 64 to 1gi; a service with more than a node's default 64 MiB gets "
	  "node: --max-working-set in the scenario." },
	{ "rate", 0, OPT_REQUIRED, O_RATE, "REQ_PER_S",
	  "Total request rate of the client groups (default: the trace roots' count over the "
	  "time their start times span; 10 when that cannot be measured)." },
	{ "net-baseline", 0, OPT_REQUIRED, O_NET_BASELINE, "DURATION|FILE|auto",
	  "What a call's transport costs in the clone itself (its own hop and link holds), taken "
	  "off the observed network time (client span minus server span) before it becomes a "
	  "link's delay: the link then gets the original's mean less the baseline's, and its "
	  "variance less the baseline's, keeping its shape (docs/import.md). FILE: the --json "
	  "file of meshwalk validate on a traced run of a clone, each call edge's own figures "
	  "(the clone's extra mean and variance); DURATION: one mean for every edge. Repeated, "
	  "the baselines add up (a clone fitted with the first, validated again, gives the "
	  "second). auto (default): none, and no link between services whose calls meshwalk "
	  "recorded itself (telemetry.sdk.name): their network time is meshwalk's own "
	  "transport." },
	{ "tune", 0, OPT_REQUIRED, O_TUNE, "ROUNDS",
	  "Fine-tune the links on this machine (with -o FILE): write the scenario, run it traced "
	  "(meshwalk run --set trace_sample=1, at --rate and --requests), measure each call "
	  "edge's network time in the clone's spans as meshwalk validate does, add the clone's "
	  "extra to the network baseline and write the scenario again; ROUNDS times (1 to 10). "
	  "Prints each round's table and what the baseline became.",
	  .kind = OPT_K_UINT, OPT_AT(struct import_args, tune), .min = 1, .max = 10 },
	{ "tune-dir", 0, OPT_REQUIRED, O_TUNE_DIR, "DIR",
	  "Where --tune keeps each round's scenario (fit-K.yaml), results (run-K) and the "
	  "baseline it reached (net-baseline.json, for --net-baseline) (default: the -o file's "
	  "name with .tune appended; created, its round files must not exist).",
	  .kind = OPT_K_STR, OPT_AT(struct import_args, tune_dir) },
	{ "requests", 0, OPT_REQUIRED, O_REQUESTS, "N",
	  "Total requests of the client groups, shared by the entry mix (default 1000).",
	  .kind = OPT_K_UINT, OPT_AT(struct import_args, w.requests), .min = 1, .max = 1e12 },
	{ "emp-values", 0, OPT_REQUIRED, O_EMP_VALUES, "N",
	  "Most values of each emp: list written (self times, sizes, link delays): the sorted "
	  "samples cut into N equal slices, each written as its mean, so every value stands for "
	  "1/N of the samples (default 100: the top value is the top 1 %'s mean). More keep a "
	  "heavy tail's shape; fewer keep the scenario short (with 32, the top value stands for "
	  "the top 3 %). 2 to 256 (a spec holds 4096 characters).",
	  .kind = OPT_K_UINT, OPT_AT(struct import_args, w.emp_values), .min = 2, .max = 256 },
	{ "overlap-tolerance", 0, OPT_REQUIRED, TRACE_O_TOLERANCE, "DURATION",
	  "Calls overlapping by less than this (and by less than half their duration) count as "
	  "sequential (default 1ms: OpenTelemetry JS stamps starts with 1 ms resolution)." },
	{ "max-plans", 0, OPT_REQUIRED, TRACE_O_MAX_PLANS, "N",
	  "Most execution plans written per operation, the most frequent (default 8, at most "
	  "32); the executions of rarer plans are left out and counted in a comment." },
	{ "jaeger-out", 0, OPT_REQUIRED, O_JAEGER_OUT, "FILE",
	  "Write the traces read to FILE as Jaeger JSON (the file the Jaeger UI loads): "
	  "services, operations, kinds, parents, times, errors and sizes; other attributes are "
	  "not kept. meshwalk run uses it for " RESULTS_TRACES_JAEGER " (docs/tracing.md).",
	  .kind = OPT_K_STR, OPT_AT(struct import_args, jaeger_path) },
	{ "max-open-spans", 0, OPT_REQUIRED, TRACE_O_MAX_OPEN, "N",
	  "Memory bound: at most N spans of traces not yet complete are held (default 500000, "
	  "about 150 MB); past it the trace idle longest is finished as it is, and a trace "
	  "whose spans come after that is counted as split in the warnings. A Jaeger trace object or an OTLP resource whose resource comes last is "
	  "held whole, up to N spans." },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit.",
	  .kind = OPT_K_HELP },
	{ 0 },
};

static const char import_usage[] =
	"meshwalk import [OPTIONS] --summary FILE...\n"
	"       meshwalk import [OPTIONS] -o SCENARIO FILE...\n"
	"       meshwalk import [OPTIONS] --tune ROUNDS -o SCENARIO FILE...\n"
	"       meshwalk import [OPTIONS] --jaeger-out OUT FILE...";
static const char import_intro[] =
	"Reads distributed traces (Jaeger, Zipkin v2 or OTLP JSON, Alibaba microservice call\n"
	"graph CSV; plain or gzip) into one span model, and prints a summary of what was\n"
	"read or writes a scenario that emulates the traced application (docs/import.md);\n"
	"with --tune, runs it on this machine and fits its links again until its calls\n"
	"spend the original's network time. Malformed input stops with FILE:LINE and the\n"
	"reason. Exit status: 0 on success, 1 when a file cannot be read or is malformed or\n"
	"the scenario cannot be written, 2 on a usage error, 130 when a --tune run was\n"
	"interrupted.";

/* The summary and the Jaeger file see every trace of the first read. */
struct import_both_arg {
	struct overview *sum;
	struct jaeger_out *jaeger;
};

static void import_both(void *arg, const struct import *im, const struct trace *t)
{
	struct import_both_arg *a = arg;

	if (a->sum)
		overview_trace(a->sum, im, t);
	if (a->jaeger)
		jaeger_out_trace(a->jaeger, im, t);
}

void cmd_import_man(FILE *f)
{
	opt_print_man(f, "meshwalk-import", "read distributed traces into meshwalk's span model",
		      import_usage, import_intro, import_opts,
		      ".SH FILES\nThe formats, the span model, the rules for messy traces, the fitted "
		      "model and the scenario written are described in docs/import.md.\n.SH SEE "
		      "ALSO\nmeshwalk\\-run(1), meshwalk\\-validate(1)\n");
}

/* cpu|sleep|FRACTION into a CPU fraction. */
static int parse_cpu(const char *v, double *out)
{
	char *end;

	if (strcmp(v, "cpu") == 0)
		*out = 1;
	else if (strcmp(v, "sleep") == 0)
		*out = 0;
	else {
		errno = 0;
		*out = strtod(v, &end);
		if (end == v || *end || errno || !(*out >= 0 && *out <= 1))
			return -1;
	}
	return 0;
}

/* The per-service entry of SERVICE (appended on first mention). */
static struct writer_self *service_entry(struct writer_opts *w, struct writer_self **self,
					 const char *name, size_t len)
{
	for (int i = 0; i < w->nself; i++)
		if (strlen((*self)[i].service) == len && memcmp((*self)[i].service, name, len) == 0)
			return &(*self)[i];
	*self = xrealloc(*self, ((size_t)w->nself + 1) * sizeof **self);
	struct writer_self *s = &(*self)[w->nself++];

	memset(s, 0, sizeof *s);
	s->service = xstrndup(name, len);
	w->self = *self;
	return s;
}

/* --self-time [SERVICE=]MODE */
static int self_time_opt(const char *arg, struct writer_opts *w, struct writer_self **self,
			 bool *global)
{
	const char *eq = strrchr(arg, '=');
	double cpu;

	if (parse_cpu(eq ? eq + 1 : arg, &cpu) < 0 || (eq && eq == arg)) {
		log_msg("--self-time: expected [SERVICE=]cpu|sleep|FRACTION (a number from 0 to 1), "
			"got '%s'", arg);
		return 2;
	}
	if (eq == NULL) {
		w->cpu = w->leaf_cpu = cpu;
		*global = true;
		return 0;
	}
	struct writer_self *s = service_entry(w, self, arg, (size_t)(eq - arg));

	s->cpu = cpu;
	s->has_cpu = true;
	return 0;
}

/* --working-set [SERVICE=]SIZE */
static int working_set_opt(const char *arg, struct writer_opts *w, struct writer_self **self)
{
	const char *eq = strrchr(arg, '=');
	double d;

	if ((eq && eq == arg) || units_parse(eq ? eq + 1 : arg, SPEC_SIZE, &d, NULL) < 0 ||
	    d != floor(d) || d < (double)WIRE_WSET_MIN || d > (double)WIRE_WSET_MAX) {
		log_msg("--working-set: expected [SERVICE=]SIZE from 64 bytes to 1gi (e.g. 4m, "
			"catalog=512ki), got '%s'", arg);
		return 2;
	}
	if (eq == NULL)
		w->wset = (uint64_t)d;
	else
		service_entry(w, self, arg, (size_t)(eq - arg))->wset = (uint64_t)d;
	return 0;
}

int import_write(const struct model *m, const struct import *im, const struct writer_opts *w,
		 const char *path)
{
	FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "w");
	struct err e;
	int rc;

	if (f == NULL) {
		log_msg("-o %s: %s", path, strerror(errno));
		return 1;
	}
	rc = writer_write(m, im, w, f, &e);
	if (f != stdout && fclose(f) != 0 && rc == 0)
		rc = err_set(&e, "%s", strerror(errno));
	if (rc < 0) {
		log_msg("-o %s: %s", path, e.msg);
		if (f != stdout)
			unlink(path);
		return 1;
	}
	return 0;
}

/* --net-baseline auto|DURATION|FILE: added to what was given before. */
static int net_baseline_opt(struct import_args *a, const char *arg)
{
	struct err e;
	double d;

	a->w.net_auto = false;
	if (strcmp(arg, "auto") == 0) {
		netbase_free(&a->base);
		a->w.net_auto = true;
	} else if (units_parse(arg, SPEC_TIME, &d, NULL) == 0) {
		if (d < 0 || d > 6e7) {
			log_msg("--net-baseline: expected a duration up to 60s, got '%s'", arg);
			return 2;
		}
		a->base.mean_ns += d * 1000;
		for (uint32_t i = 0; i < a->base.n; i++)
			if (!a->base.e[i].leaf)
				a->base.e[i].mean_ns += d * 1000;
	} else if (netbase_load(arg, &a->base, &e) < 0) {
		log_msg("--net-baseline: expected auto, a duration or meshwalk validate's --json "
			"file: %s", e.msg);
		return 2;
	}
	return 0;
}

/* The options opt_parse() cannot apply by their row alone. */
static int import_opt(void *cfg, int opt, const char *arg)
{
	struct import_args *a = cfg;
	struct writer_opts *w = &a->w;

	switch (opt) {
	case O_SELF_TIME:
		return self_time_opt(arg, w, &a->self, &a->global_self);
	case O_WORKING_SET:
		return working_set_opt(arg, w, &a->self);
	case O_RATE:
		if (units_parse(arg, SPEC_COUNT, &w->rate, NULL) < 0 || !(w->rate > 0) ||
		    w->rate > 1e7) {
			log_msg("--rate: expected requests per second above 0 (up to 10m), got '%s'",
				arg);
			return 2;
		}
		return 0;
	case O_NET_BASELINE:
		return net_baseline_opt(a, arg);
	}
	return trace_opt(&a->to, opt, arg);
}

static void free_self(struct import_args *a)
{
	netbase_free(&a->base);
	for (int i = 0; i < a->w.nself; i++)
		free((char *)a->self[i].service);
	free(a->self);
}

/* The operands and the options together: 0 or 2. */
static int check_args(const struct import_args *a, int argc)
{
	if (optind >= argc) {
		log_msg("no trace file given (see meshwalk import --help)");
		return 2;
	}
	if (!a->summary && a->out == NULL && a->jaeger_path == NULL) {
		log_msg("nothing to do: add --summary, -o SCENARIO or --jaeger-out FILE");
		return 2;
	}
	if (a->summary && a->out && strcmp(a->out, "-") == 0) {
		log_msg("--summary and -o - both write to standard output: give -o a file");
		return 2;
	}
	if (a->tune && (a->out == NULL || strcmp(a->out, "-") == 0)) {
		log_msg("--tune runs the scenario it writes: give -o a file");
		return 2;
	}
	if (a->tune_dir && !a->tune) {
		log_msg("--tune-dir goes with --tune ROUNDS");
		return 2;
	}
	return 0;
}

int cmd_import(int argc, char **argv)
{
	static const struct opt_cmd cmd = { "import", import_opts, import_usage, import_intro,
					    import_opt };
	struct import_args a = { .summary = false };
	struct writer_opts *w = &a.w;
	const struct trace_opts *to = &a.to;
	bool summary;
	const char *out;
	struct jaeger_out *jaeger = NULL;
	int rc;

	log_set_name("meshwalk import");
	writer_opts_init(&a.w);
	trace_opts_init(&a.to);
	rc = opt_parse(&cmd, argc, argv, &a);
	if (rc == 0)
		rc = check_args(&a, argc);
	summary = a.summary;
	out = a.out;
	if (rc) {
		free_self(&a);
		return rc < 0 ? 0 : rc; /* -1: --help */
	}

	struct overview sum;
	struct fit fit;
	struct err e;
	const char **files = (const char **)argv + optind;
	const char **used = xcalloc((size_t)argc, sizeof *used);
	int nfiles = argc - optind;
	struct import_both_arg both = { summary ? &sum : NULL, NULL };
	struct fit_opts fo = { to->format, to->max_open, to->tolerance_ns, out != NULL, import_both,
			       &both };

	overview_init(&sum);
	w->max_plans = to->max_plans;
	w->net_base = &a.base;
	if (a.jaeger_path != NULL && jaeger_out_open(a.jaeger_path, &jaeger, &e) < 0) {
		log_msg("--jaeger-out: %s", e.msg);
		rc = 1;
	}
	both.jaeger = jaeger;
	memset(&fit, 0, sizeof fit);
	if (rc == 0 && fit_read(&fit, files, nfiles, &fo, used, &e) < 0) {
		log_msg("%s", e.msg);
		rc = 1;
	}
	for (int i = 0; i < nfiles && summary && rc == 0; i++)
		printf("file %s %s\n", files[i], used[i]);
	if (rc == 0 && summary) {
		overview_print(&sum, &fit.im, stdout);
		clockalign_print(&fit.clocks, "", stdout);
	}
	if (rc == 0 && fit_align(&fit, files, nfiles, &fo, &e) < 0) {
		log_msg("%s", e.msg);
		rc = 1;
	}
	if (rc == 0 && out) {
		w->files = files;
		w->formats = used;
		w->nfiles = nfiles;
		rc = a.tune ? import_tune(&fit, w, &a.base, to, (unsigned)a.tune, out, a.tune_dir)
			    : import_write(&fit.model, &fit.im, w, out);
	}
	if (jaeger_out_close(jaeger, &e) < 0 && rc == 0) {
		log_msg("--jaeger-out: %s", e.msg);
		rc = 1;
	}
	if (fit.reads)
		fit_free(&fit);
	overview_free(&sum);
	free_self(&a);
	free(used);
	return rc;
}
