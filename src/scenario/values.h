/* values.h -- the scalar values of scenario keys, read the same way from the
 * file and from --set (scenario_keys.c): whole numbers in a range,
 * non-negative 64-bit numbers, a share from 0 to 1 (trace_sample) and a
 * delay (a duration up to a day).
 * Contract: each returns 0 with *out set, or -EINVAL with e naming `what`
 * (the key) and the text. Threads: any. */
#ifndef MW_SCENARIO_VALUES_H
#define MW_SCENARIO_VALUES_H

#include <stdint.h>

#include "util/err.h"

int scenario_parse_int(const char *text, long min, long max, long *out, struct err *e,
		       const char *what);
int scenario_parse_u64(const char *text, uint64_t *out, struct err *e, const char *what);
int scenario_parse_share(const char *text, double *out, struct err *e);
int scenario_parse_delay(const char *text, int64_t *ns, struct err *e);

#endif
