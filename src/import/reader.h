/* reader.h -- the trace formats meshwalk import reads, behind one table.
 *
 * Contract: each format is one struct import_reader in its own file
 * (read_jaeger.c, read_zipkin.c, read_otlp.c, read_alibaba.c), listed in
 * import_readers(). sniff() scores the first bytes of a file (0: not this
 * format, up to 100: certain); read() streams the whole source into the
 * import with import_add(), never holding more than one trace object of the
 * format (Jaeger, OTLP resource) or one line (CSV) beyond the import's own
 * bound. import_file() opens a file (gzip or plain), picks the reader (by
 * name, or the best sniff for "auto"/NULL) and runs it.
 * Ownership: readers keep nothing after read() returns. Threads: one.
 * Errors: -EINVAL (or -errno) with "FILE:LINE[:COL]: message" in *e for
 * malformed input; the import keeps the spans read before the error. */
#ifndef MW_IMPORT_READER_H
#define MW_IMPORT_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "import/jsonstream.h"
#include "import/source.h"
#include "import/spans.h"
#include "util/err.h"

struct import_reader {
	const char *name; /* --format NAME */
	const char *what; /* one line for --help */
	int (*sniff)(const unsigned char *head, size_t len);
	int (*read)(struct import *im, struct src *s, struct err *e);
};

extern const struct import_reader reader_jaeger, reader_zipkin, reader_otlp, reader_alibaba;

/* The readers, NULL-terminated. */
const struct import_reader *const *import_readers(void);
const struct import_reader *import_reader_find(const char *name);
/* The best-scoring reader for these first bytes, or NULL. */
const struct import_reader *import_sniff(const unsigned char *head, size_t len);

/* Reads PATH with format NAME ("auto" or NULL: sniffed); *used gets the
 * reader's name. */
int import_file(struct import *im, const char *path, const char *format, const char **used,
		struct err *e);

/* --- helpers shared by the readers ---------------------------------------- */

/* Whether the head, after white space, starts with c. */
bool head_starts(const unsigned char *head, size_t len, char c);
/* Whether s occurs in the head. */
bool head_has(const unsigned char *head, size_t len, const char *s);
/* A non-negative decimal integer (digits only; a JSON number's text may have
 * a fraction or exponent, accepted when the value is whole). */
int parse_u64(const char *s, uint64_t *out);
/* us (or ms) * mul into ns, refusing overflow. */
int scale_ns(uint64_t v, uint64_t mul, int64_t *out);
/* An id into buf: hex digits lowercased, other text as is, only zeros ""
 * (no parent). -ERANGE when it does not fit in cap bytes. */
int norm_id(const char *s, char *buf, size_t cap);
/* 1 for an attribute naming a request size, 2 a response size, else 0. */
int size_attr(const char *key);
/* Whether a tag value means true ("true", true, 1). */
bool truthy(const char *s);


/* "span ID: msg" in *e with e->line = line (msg may be e->msg); -EINVAL. */
int span_fail(struct err *e, uint64_t line, const char *id, const char *msg);

/* One tag or attribute into the span: span.kind, error, otel.status_code,
 * peer.service, message sizes (val: the value as text; bools as "true"). */
void span_tag(struct span_in *in, const char *key, const char *val);
/* The text of a scalar value (strings, numbers, "true"/"false"), or NULL. */
const char *js_scalar(const struct js_val *v);
#endif
