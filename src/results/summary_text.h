/* summary_text.h -- the client's summary for people ("--- meshwalk client
 * summary: ..." and its lines, docs/results.md), printed from a client's
 * summary.json document (results/summary_json.h).
 *
 * Contract: summary_text_print() writes the lines of document d. The client
 * prints its own summary with summary_text_print_client(), which reads back
 * the summary.json text of s (the bytes --json writes) and prints that, and
 * `meshwalk run` prints each group's with summary_text_print_file() from the
 * group's summary.json: the two are the same function on the same numbers,
 * so they never differ, and neither is taken from another command's stdout.
 * Figures are the file's (microseconds with three decimals) shown with one.
 * sent_pkts: DistWalk's "Sent pkts" lines were printed before (the client
 * without -q), which the requests line then mentions when requests were
 * lost or unsent.
 * Ownership: borrows everything. Threads: no shared state.
 * Errors: the two wrappers print nothing and return -EINVAL with e filled
 * when the document cannot be read (summary_json_parse_client()). */
#ifndef MW_RESULTS_SUMMARY_TEXT_H
#define MW_RESULTS_SUMMARY_TEXT_H

#include <stdbool.h>
#include <stdio.h>

#include "results/summary_json.h"
#include "util/err.h"

void summary_text_print(FILE *f, const struct summary_json_doc *d, bool sent_pkts);

int summary_text_print_client(FILE *f, const struct summary_json_client *s, bool sent_pkts,
			      struct err *e);

int summary_text_print_file(FILE *f, const char *path, struct err *e);

#endif
