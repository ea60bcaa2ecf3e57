/* scenario_keys.h -- the keys of a scenario's objects (the top level, a
 * service, a client group), each defined once, in one table per object, for
 * the loader (values from the YAML file) and for --set (values as text): the
 * same function checks and applies a value from either. scenario.c's
 * internals; nothing outside src/scenario includes it.
 *
 * Contract: scenario_load_root() walks the document's root into s (the
 * balancers into l->lbs, which the caller appends to the services);
 * scenario_apply_set() applies one --set KEY=VALUE. Both return 0 or
 * -EINVAL with e filled (with the value's line and column for the file).
 * Threads: any (no shared state). */
#ifndef MW_SCENARIO_KEYS_H
#define MW_SCENARIO_KEYS_H

#include <yaml.h>

#include "scenario/scenario.h"

struct scenario_loader {
	yaml_document_t *doc;
	struct err *e;
	struct scenario_service *lbs; /* balancers, appended to the services after loading */
	size_t nlbs;
};

int scenario_load_root(struct scenario_loader *l, yaml_node_t *root, struct scenario *s);
int scenario_apply_set(struct scenario *s, const char *kv, struct err *e);

/* scenario.c's: appends word (owned) to a. */
void scenario_argv_push(struct scenario_argv *a, char *word);

#endif
