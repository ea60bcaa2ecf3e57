/* strmap.h -- a hash map from byte strings to 64-bit values, and the string
 * table of an import (service and operation names as small integers).
 *
 * Contract: keys are copied into the map; lookups never allocate. The hash
 * is FNV-1a, salted per map so hostile ids cannot be precomputed to collide
 * (collisions only cost time: chains are compared byte by byte).
 * strtab_intern() gives every distinct string one id, 0, 1, 2...; ids are
 * stable for the table's life and strtab_str() returns the text.
 * Ownership: strmap_free()/strtab_free() release keys and strings.
 * Threads: one thread at a time. Errors: none (allocation aborts). */
#ifndef MW_IMPORT_STRMAP_H
#define MW_IMPORT_STRMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct strmap_ent {
	struct strmap_ent *next;
	uint64_t hash;
	uint64_t val;
	size_t len;
	char key[]; /* NUL-terminated copy */
};

struct strmap {
	struct strmap_ent **b;
	size_t nb, n;
	uint64_t salt;
};

void strmap_init(struct strmap *m);
void strmap_free(struct strmap *m);
/* The value of key, or NULL when absent. */
uint64_t *strmap_get(const struct strmap *m, const void *key, size_t len);
/* The value of key, inserted as `val` when absent (*added tells which). The
 * entry's copy of the key is at *keyout when keyout is not NULL. */
uint64_t *strmap_put(struct strmap *m, const void *key, size_t len, uint64_t val, bool *added,
		     const char **keyout);
/* Removes key; returns whether it was there. */
bool strmap_del(struct strmap *m, const void *key, size_t len);
/* Calls fn for every entry, in no particular order. */
void strmap_each(const struct strmap *m, void (*fn)(void *arg, const char *key, size_t len,
						    uint64_t val),
		 void *arg);

struct strtab {
	struct strmap map;
	const char **s; /* s[id]: the entry's key */
	uint32_t n, cap;
};

void strtab_init(struct strtab *t);
void strtab_free(struct strtab *t);
uint32_t strtab_intern(struct strtab *t, const char *s, size_t len);
const char *strtab_str(const struct strtab *t, uint32_t id);

#endif
