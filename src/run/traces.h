/* traces.h -- a traced run's spans as one trace set (docs/tracing.md).
 *
 * Contract: when a scenario traces (scenario_traced()), meshwalk run gives
 * every node and client group `--trace-out DIR/spans.otlp.jsonl` in its own
 * directory (nodes/SVC-i/, clients/GROUP/) and its service name.
 * run_traces_collect() then joins those files, nodes and clients in name
 * order, into RESULTS/traces.otlp.jsonl (OTLP JSON, one
 * ExportTraceServiceRequest per line: the lines are complete as they are,
 * so joining is appending) and makes RESULTS/traces.jaeger.json from it
 * with `meshwalk import --jaeger-out` run as a child process, as nodes and
 * clients are (run links neither import nor the span model).
 * One machine, one clock: every process stamps unix ns from
 * CLOCK_REALTIME's offset to CLOCK_MONOTONIC, read at its start.
 * Errors: returns 0, or -1 after saying what failed on stderr. */
#ifndef MW_RUN_TRACES_H
#define MW_RUN_TRACES_H

#include <stdbool.h>

#define RUN_SPANS_FILE "spans.otlp.jsonl"

int run_traces_collect(const char *dir, const char *exe, bool quiet);

#endif
