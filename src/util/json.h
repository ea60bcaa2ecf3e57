/* json.h -- the little JSON writing every output file needs.
 *
 * Contract: json_write_string() writes s as a JSON string literal, quotes
 * included, escaping '"', '\\' and control characters; bytes >= 0x80 pass
 * through unchanged (meshwalk's text is UTF-8 or ASCII).
 * Threads: stateless; safe from any thread on distinct FILEs. */
#ifndef MW_UTIL_JSON_H
#define MW_UTIL_JSON_H

#include <stdio.h>

void json_write_string(FILE *f, const char *s);

#endif
