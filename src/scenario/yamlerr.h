/* yamlerr.h -- error messages that point into a YAML file, for the loaders
 * of a scenario and its parts (scenario.c, sweep.c, network.c).
 *
 * Contract: yaml_err_vat() formats the message, after `prefix`, into e and
 * sets e's line and column (1-based) to where node n starts; n may be NULL
 * (no position); yaml_err_at() is the same without a prefix. sweep.c wraps
 * the first in an `at()` that supplies its key's prefix. yaml_unique_keys() checks a mapping once for keys that
 * are not plain words or are given twice, naming `where` and the line of the
 * first occurrence. Both return -EINVAL on an error, so loaders can write
 * `return at(...)`; yaml_unique_keys() returns 0 when the keys are fine.
 * Threads: as struct err. */
#ifndef MW_SCENARIO_YAMLERR_H
#define MW_SCENARIO_YAMLERR_H

#include <stdarg.h>
#include <yaml.h>

#include "util/err.h"

int yaml_err_vat(struct err *e, const yaml_node_t *n, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
/* yaml_err_vat() without a prefix. */
int yaml_err_at(struct err *e, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int yaml_unique_keys(yaml_document_t *doc, yaml_node_t *map, const char *where, struct err *e);

#endif
