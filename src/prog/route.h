/* route.h -- a node's installed routes: named program templates.
 *
 * Contract: a route is a name (1..WIRE_ROUTE_MAX characters of [A-Za-z0-9_.-],
 * as wire_route_check() accepts) and a program template written in the
 * client's op grammar (prog_parse.h), parsed once when it is added. A node
 * answers a request that names a route by encoding that template for the
 * request (prog_encode() with the node's own rng), so value specs are sampled
 * per request on the node. Definitions come as "NAME=PROGRAM" (node --route)
 * or as a file of "NAME PROGRAM..." lines ('#' starts a comment, blank lines
 * are skipped). Names are unique within a table; at most ROUTE_MAX routes.
 * Lookup is a linear scan that compares lengths first: tables are small and
 * the scan touches no memory but the table.
 * Ownership: the table owns its templates; route_table_free() releases them.
 * Threads: built by one thread before the node starts; read-only afterwards,
 * so every worker may look routes up concurrently.
 * Errors: adders return 0 or -EINVAL (or -errno for a file that cannot be
 * read) with e filled: the message names the route (and the file and line). */
#ifndef MW_PROG_ROUTE_H
#define MW_PROG_ROUTE_H

#include <stddef.h>
#include <stdint.h>

#include "prog/prog.h"
#include "util/err.h"

#define ROUTE_MAX 256

struct route {
	char name[WIRE_ROUTE_MAX + 1]; /* NUL-terminated */
	uint32_t len;                  /* strlen(name) */
	struct prog *prog;             /* owned template */
};

struct route_table {
	struct route *v; /* n routes, in the order added */
	size_t n;
};

void route_table_init(struct route_table *t);
void route_table_free(struct route_table *t);

/* Adds route name running program (op words, see prog_parse.h). */
int route_table_add(struct route_table *t, const char *name, const char *program,
		    struct err *e);
/* Adds "NAME=PROGRAM". */
int route_table_add_def(struct route_table *t, const char *def, struct err *e);
/* Adds every "NAME PROGRAM..." line of path. */
int route_table_load_file(struct route_table *t, const char *path, struct err *e);

/* The route called name (len bytes, not NUL-terminated), or NULL. */
const struct route *route_table_find(const struct route_table *t, const uint8_t *name,
				     uint32_t len);

/* "a, b, c" (truncated to fit), or "none" for an empty table. */
void route_table_names(const struct route_table *t, char *buf, size_t len);

#endif
