/* jsonin.h -- reading the JSON files a run leaves (run.json, summary.json).
 *
 * Contract: jsonin_parse() accepts exactly RFC 8259 JSON (one value,
 * surrounded by optional whitespace) and builds a tree. Strings are decoded
 * to UTF-8 ("\u00e9", surrogate pairs); "\u0000" is refused because strings
 * are handed out NUL-terminated. Numbers follow JSON's grammar and are read
 * as doubles. Nesting is limited to JSONIN_MAX_DEPTH levels so that hostile
 * input cannot exhaust the stack. Duplicate keys are kept; jsonin_get()
 * finds the first.
 * The tree's fields are read-only for callers; the accessors below return
 * NULL / NAN for a missing key or a value of another type, so a reader of an
 * optional key needs no type checks of its own.
 * Ownership: jsonin_parse()/jsonin_load() allocate the tree; jsonin_free()
 * frees it (NULL is a no-op). Strings and sub-values are borrowed from the
 * tree until then.
 * Threads: a tree may be read from several threads; no global state.
 * Errors: 0 or -EINVAL with a message and the 1-based line and column of the
 * problem in *e; jsonin_load() also returns -errno when the file cannot be
 * read. */
#ifndef MW_UTIL_JSONIN_H
#define MW_UTIL_JSONIN_H

#include <stddef.h>

#include "util/err.h"

#define JSONIN_MAX_DEPTH 64

enum jsonin_type {
	JSONIN_NULL = 1,
	JSONIN_BOOL,
	JSONIN_NUMBER,
	JSONIN_STRING,
	JSONIN_ARRAY,
	JSONIN_OBJECT,
};

struct jsonin {
	enum jsonin_type type;
	double num;            /* NUMBER: its value; BOOL: 1 or 0 */
	char *str;             /* STRING: decoded, NUL-terminated; NUMBER: as written */
	size_t n;              /* ARRAY, OBJECT: number of items */
	char **keys;           /* OBJECT: key of each item */
	struct jsonin **items; /* ARRAY, OBJECT: the items in file order */
};

int jsonin_parse(const char *text, size_t len, struct jsonin **out, struct err *e);

/* Reads and parses the file at path. */
int jsonin_load(const char *path, struct jsonin **out, struct err *e);

void jsonin_free(struct jsonin *v);

/* The value of key in object v, or NULL (v NULL, not an object, no key). */
const struct jsonin *jsonin_get(const struct jsonin *v, const char *key);

/* Item i of array v, or NULL. */
const struct jsonin *jsonin_at(const struct jsonin *v, size_t i);

/* v's string, or NULL when v is NULL or not a string. */
const char *jsonin_str(const struct jsonin *v);

/* v's string, or a number's literal text as written (a 64-bit seed does
 * not survive the trip through a double), or NULL. */
const char *jsonin_text(const struct jsonin *v);

/* v's number, or NAN when v is NULL or not a number. */
double jsonin_num(const struct jsonin *v);

#endif
