/* namelist.h -- which host names a node may look up for a forward.
 *
 * Contract: a list of name rules, each an exact DNS name (`catalog`,
 * `db.example.net`) or a suffix pattern (`*.svc.cluster.local`: any name
 * with at least one label before that suffix), or the word `any`. Names
 * match case-insensitively, a final dot ignored. A forward that names its
 * target's host (wire.h's named targets) is looked up only when the name
 * matches: the query itself is what a hostile request could abuse (names
 * that carry data out through the resolver, queries for the node to make on
 * its behalf), so the address allow-list, applied to the answer, is not
 * enough on its own. namelist_default() is what a node uses without
 * --allow-names: `localhost` and `*.localhost` (RFC 6761: loopback).
 * Ownership: the list owns its patterns. Threads: read-only after parsing.
 * Errors: namelist_add() returns -EINVAL with e saying which part is wrong. */
#ifndef MW_NET_NAMELIST_H
#define MW_NET_NAMELIST_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

struct namelist {
	char **pat;  /* lower case; "*.suffix" kept as ".suffix" */
	size_t n;
	bool any;
};

void namelist_init(struct namelist *l);
void namelist_free(struct namelist *l);
/* Adds the rules of a comma-separated list ("catalog,*.svc.cluster.local"). */
int namelist_add(struct namelist *l, const char *text, struct err *e);
void namelist_default(struct namelist *l);
bool namelist_allows(const struct namelist *l, const char *name, size_t len);

#endif
