/* yamlerr.h -- error messages that point into a YAML file.
 *
 * Contract: yaml_err_vat() formats "PREFIXmessage" into e and sets e's line
 * and column (1-based) to where node n starts; n may be NULL (no position).
 * It returns -EINVAL, so loaders can write `return at(...)`. The loaders of
 * the scenario's parts (sweep, network) wrap it in their own `at()` with the
 * prefix of their key.
 * Threads: as struct err. Errors: none of its own. */
#ifndef MW_SCENARIO_YAMLERR_H
#define MW_SCENARIO_YAMLERR_H

#include <stdarg.h>
#include <yaml.h>

#include "util/err.h"

int yaml_err_vat(struct err *e, const yaml_node_t *n, const char *prefix, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));

#endif
