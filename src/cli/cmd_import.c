/* cmd_import.c -- `meshwalk import FILE... --summary`: read trace files
 * (src/import/reader.h) into the span model and print what was read. The
 * scenario writer (-o scenario.yaml) builds on the same import. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "import/reader.h"
#include "import/spans.h"
#include "import/overview.h"
#include "import/write_jaeger.h"
#include "util/log.h"

enum {
	O_FORMAT = 256,
	O_SUMMARY,
	O_MAX_OPEN,
	O_JAEGER_OUT,
};

const struct opt_def import_opts[] = {
	{ "format", 0, OPT_REQUIRED, O_FORMAT, "FORMAT",
	  "auto (default: from each file's first bytes), jaeger (JSON: UI export, query API, one "
	  "trace object), zipkin (v2 JSON), otlp (JSON, one request per line accepted) or "
	  "alibaba (cluster-trace microservices call graph CSV, v2021 or v2022). Any file may "
	  "be gzip-compressed; - reads standard input." },
	{ "summary", 's', OPT_NONE, 's', NULL,
	  "Print what was read: traces, spans, services and their operations, root operations, "
	  "call edges between operations with counts, client calls no traced service answered, "
	  "and every messy-input rule applied (orphans, skew, repeated ids, spans without "
	  "timestamps)." },
	{ "jaeger-out", 0, OPT_REQUIRED, O_JAEGER_OUT, "FILE",
	  "Write the traces read to FILE as Jaeger JSON (the file the Jaeger UI loads): "
	  "services, operations, kinds, parents, times, errors and sizes; other attributes are "
	  "not kept. meshwalk run uses it for traces.jaeger.json (docs/tracing.md)." },
	{ "max-open-spans", 0, OPT_REQUIRED, O_MAX_OPEN, "N",
	  "Memory bound: at most N spans of traces not yet complete are held (default 500000, "
	  "about 150 MB); past it the trace idle longest is finished as it is, and a trace "
	  "whose spans come after that is counted as split in the warnings. A Jaeger trace object or an OTLP resource whose resource comes last is "
	  "held whole, up to N spans." },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit." },
	{ 0 },
};

static const char import_usage[] = "meshwalk import [OPTIONS] --summary|--jaeger-out OUT FILE...";
static const char import_intro[] =
	"Reads distributed traces (Jaeger, Zipkin v2 or OTLP JSON, Alibaba microservice call\n"
	"graph CSV; plain or gzip) into one span model and prints a summary of what was\n"
	"read (docs/import.md). Malformed input stops with FILE:LINE and the reason. Exit\n"
	"status: 0 on success, 1 when a file cannot be read or is malformed, 2 on a usage\n"
	"error.";

void cmd_import_man(FILE *f)
{
	opt_print_man(f, "meshwalk-import", "read distributed traces into meshwalk's span model",
		      import_usage, import_intro, import_opts,
		      ".SH FILES\nThe formats, the span model and the rules for messy traces are "
		      "described in docs/import.md.\n.SH SEE ALSO\nmeshwalk\\-run(1)\n");
}

/* Each finished trace goes to the summary and the Jaeger file, as asked. */
struct import_sinks {
	struct overview *sum;
	struct jaeger_out *jaeger;
};

static void to_sinks(void *arg, const struct import *im, const struct trace *t)
{
	struct import_sinks *s = arg;

	if (s->sum != NULL)
		overview_trace(s->sum, im, t);
	if (s->jaeger != NULL)
		jaeger_out_trace(s->jaeger, im, t);
}

int cmd_import(int argc, char **argv)
{
	const char *format = "auto";
	unsigned long long max_open = IMPORT_DEFAULT_MAX_OPEN_SPANS;
	bool summary = false;
	const char *jaeger_path = NULL;
	struct jaeger_out *jaeger = NULL;
	struct opt_parser p;
	int opt, rc = 0;

	log_set_name("meshwalk import");
	opt_build(import_opts, &p);
	optind = 1;
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (opt) {
		case O_FORMAT:
			format = optarg;
			if (strcmp(format, "auto") != 0 && import_reader_find(format) == NULL) {
				log_msg("--format: expected auto, jaeger, zipkin, otlp or alibaba, got '%s'",
					format);
				rc = 2;
			}
			break;
		case 's':
			summary = true;
			break;
		case O_JAEGER_OUT:
			jaeger_path = optarg;
			break;
		case O_MAX_OPEN: {
			char *end;

			errno = 0;
			max_open = strtoull(optarg, &end, 10);
			if (end == optarg || *end || errno || optarg[0] == '-' || max_open == 0 ||
			    max_open > (1ULL << 40)) {
				log_msg("--max-open-spans: expected a count from 1, got '%s'", optarg);
				rc = 2;
			}
			break;
		}
		case 'h':
			opt_print_help(stdout, import_usage, import_intro, import_opts);
			opt_free(&p);
			return 0;
		case ':':
			log_msg("option %s needs a value", argv[optind - 1]);
			rc = 2;
			break;
		default:
			log_msg("unknown option '%s' (see meshwalk import --help)", argv[optind - 1]);
			rc = 2;
			break;
		}
	}
	opt_free(&p);
	if (rc == 0 && optind >= argc) {
		log_msg("no trace file given (see meshwalk import --help)");
		rc = 2;
	}
	if (rc == 0 && !summary && jaeger_path == NULL) {
		log_msg("nothing to do: add --summary (writing a scenario comes next)");
		rc = 2;
	}
	if (rc)
		return rc;

	struct overview sum;
	struct import im;
	struct err e;

	overview_init(&sum);
	if (jaeger_path != NULL && jaeger_out_open(jaeger_path, &jaeger, &e) < 0) {
		log_msg("--jaeger-out: %s", e.msg);
		overview_free(&sum);
		return 1;
	}
	struct import_sinks sinks = { summary ? &sum : NULL, jaeger };
	import_init(&im, max_open, to_sinks, &sinks);
	for (int i = optind; i < argc && rc == 0; i++) {
		const char *used = NULL;

		if (import_file(&im, argv[i], format, &used, &e) < 0) {
			log_msg("%s", e.msg);
			rc = 1;
		} else if (summary) {
			printf("file %s %s\n", argv[i], used);
		}
	}
	if (rc == 0) {
		import_finish(&im);
		if (summary)
			overview_print(&sum, &im, stdout);
	}
	if (jaeger_out_close(jaeger, &e) < 0 && rc == 0) {
		log_msg("--jaeger-out: %s", e.msg);
		rc = 1;
	}
	import_free(&im);
	overview_free(&sum);
	return rc;
}
