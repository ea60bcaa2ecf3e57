/* writer_int.h -- what import/writer.c and import/writer_names.c share:
 * the names of a model's scenario (writer.h's struct writer_names, opaque
 * outside them) and the growing text both build lines in.
 * Threads: one, as writer.h. */
#ifndef MW_IMPORT_WRITER_INT_H
#define MW_IMPORT_WRITER_INT_H

#include <stddef.h>
#include <stdint.h>

#include "import/strmap.h"
#include "import/writer.h"

#define NAME_MAX_LEN 64

struct writer_names {
	const struct model *m;
	char **svc;    /* by service name id (NULL: no route) */
	char **route;  /* by route index */
	char **group;  /* by route index (entry routes) */
	uint32_t *svc_order; /* service name ids by traced name */
	uint32_t nsvc;
	uint32_t *route_order; /* route indexes by service order, then operation */
	struct strmap cut;     /* (from, to) service pairs whose calls are left out */
	char **cut_text;       /* why, one line each */
	uint32_t ncut;
};

/* Text that grows as it is written; p is NUL-terminated (free() it). */
struct text {
	char *p;
	size_t n, cap;
};

/* Appends to t like printf. */
__attribute__((format(printf, 2, 3))) void writer_tput(struct text *t, const char *fmt, ...);

#endif
