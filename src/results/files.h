/* files.h -- the names of a results directory's files (docs/results.md,
 * docs/scenario.md), so every writer and reader spells them once.
 *
 * Contract: a `meshwalk run` directory holds RESULTS_RUN_JSON, the merged
 * RESULTS_SUMMARY_JSON, scenario.yaml, commands.txt and one directory per
 * client group under RESULTS_CLIENTS_DIR with RESULTS_REQUESTS_CSV,
 * RESULTS_SUMMARY_JSON, RESULTS_STDOUT and RESULTS_STDERR (what `meshwalk
 * deploy collect` writes too); a traced run adds RESULTS_TRACES_OTLP and
 * RESULTS_TRACES_JAEGER, a run with TLS services RESULTS_TLS_DIR.
 * results_path() joins a directory and a name.
 * Threads: stateless. Errors: results_path() returns -1 when the path does
 * not fit (buf then holds a truncated path, never used by callers). */
#ifndef MW_RESULTS_FILES_H
#define MW_RESULTS_FILES_H

#include <stddef.h>

#define RESULTS_RUN_JSON "run.json"
#define RESULTS_SUMMARY_JSON "summary.json"
#define RESULTS_REQUESTS_CSV "requests.csv"
#define RESULTS_STDOUT "stdout.txt"
#define RESULTS_STDERR "stderr.txt"
#define RESULTS_SCENARIO "scenario.yaml"
#define RESULTS_COMMANDS "commands.txt"
#define RESULTS_CLIENTS_DIR "clients"
#define RESULTS_TRACES_OTLP "traces.otlp.jsonl"  /* a traced run's spans, OTLP JSON lines */
#define RESULTS_TRACES_JAEGER "traces.jaeger.json" /* the same spans, Jaeger JSON */
/* A run with TLS services (docs/tls.md): RESULTS_TLS_DIR holds the CAs its
 * processes trust, the client certificate and key, and under
 * RESULTS_TLS_SERVICES_DIR each TLS service's NAME.pem and NAME.key. */
#define RESULTS_TLS_DIR "tls"
#define RESULTS_TLS_CA "ca.pem"
#define RESULTS_TLS_CLIENT_CERT "client.pem"
#define RESULTS_TLS_CLIENT_KEY "client.key"
#define RESULTS_TLS_SERVICES_DIR "services"

/* buf = "DIR/NAME"; 0, or -1 when it does not fit in len. */
int results_path(char *buf, size_t len, const char *dir, const char *name);

#endif
