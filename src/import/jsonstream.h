/* jsonstream.h -- streaming JSON for the trace readers: yajl's event parser
 * with the path of the current value, and small trees of the values a reader
 * asks for (one span, one process), so that a reader works on one span at a
 * time and memory does not grow with the file.
 *
 * Contract: js_run() parses the whole source (several top-level values in a
 * row are accepted, as in JSON Lines files). Before each value starts, outside
 * a captured value, want(path) decides whether to capture it: the value is
 * then built as a tree (at most JS_MAX_NODES nodes and JS_MAX_BYTES of text)
 * and passed to value(), which may keep it by setting *v to NULL (and later
 * js_free() it). end(path) is called when a container that was not captured
 * closes (the path still includes it). Paths hold at most JS_MAX_DEPTH levels;
 * keys longer than JS_KEY_MAX are kept truncated (they never match).
 * Positions are 1-based lines and columns (bytes) of the source.
 * Errors: malformed JSON, too deep, too large, or an error from a callback:
 * -EINVAL with "PATH:LINE:COL: message" in *e (e->line, e->col set too).
 * A callback that fails sets the message, and e->line when it knows a better
 * line than the parser's (a span's own), and returns < 0. */
#ifndef MW_IMPORT_JSONSTREAM_H
#define MW_IMPORT_JSONSTREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import/source.h"
#include "util/err.h"

#define JS_MAX_DEPTH 128
#define JS_KEY_MAX 48
#define JS_MAX_NODES 200000
#define JS_MAX_BYTES (16u << 20)

enum js_type { JS_NULL, JS_BOOL, JS_NUM, JS_STR, JS_ARR, JS_OBJ };

struct js_val {
	enum js_type type;
	bool b;
	char *str; /* STR: the text; NUM: the number as written; both NUL-terminated */
	size_t len;
	size_t n, cap;
	char **keys; /* OBJ */
	struct js_val **items;
};

struct js_frame {
	bool obj;
	char key[JS_KEY_MAX + 1]; /* OBJ: the current key */
	uint64_t index;           /* ARR: the current element */
};

struct js_path {
	struct js_frame f[JS_MAX_DEPTH];
	int depth;
};

/* Whether frame i of p is an object whose current key is k, or an array. */
bool js_at_key(const struct js_path *p, int i, const char *k);
bool js_at_arr(const struct js_path *p, int i);

struct js_pos {
	uint64_t line, col;
};

struct js_ops {
	/* type: the value about to start (JS_OBJ, JS_ARR, a scalar's type) */
	bool (*want)(void *arg, const struct js_path *p, enum js_type type);
	int (*value)(void *arg, const struct js_path *p, struct js_val **v, struct js_pos pos,
		     struct err *e);
	int (*end)(void *arg, const struct js_path *p, struct js_pos pos, struct err *e);
};

int js_run(struct src *s, const struct js_ops *ops, void *arg, struct err *e);
void js_free(struct js_val *v);

/* Tree lookups; NULL for a missing key or a v that is not an object/array. */
const struct js_val *js_get(const struct js_val *v, const char *key);
const struct js_val *js_at(const struct js_val *v, size_t i);
/* The string of a STR, the text of a NUM, or NULL. */
const char *js_text(const struct js_val *v);

#endif
