/* strmap.c -- see strmap.h. */
#include "import/strmap.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/xalloc.h"

static uint64_t hash(uint64_t salt, const void *key, size_t len)
{
	const unsigned char *p = key;
	uint64_t h = 1469598103934665603ULL ^ salt;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	/* FNV's low bits mix poorly: fold the high half in (the index uses the
	 * low bits). */
	return h ^ (h >> 29);
}

void strmap_init(struct strmap *m)
{
	struct timespec ts;

	memset(m, 0, sizeof *m);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	m->salt = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)(uintptr_t)m;
}

void strmap_free(struct strmap *m)
{
	for (size_t i = 0; i < m->nb; i++) {
		struct strmap_ent *e = m->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(m->b);
	m->b = NULL;
	m->nb = m->n = 0;
}

static struct strmap_ent *find(const struct strmap *m, uint64_t h, const void *key, size_t len)
{
	if (m->nb == 0)
		return NULL;
	for (struct strmap_ent *e = m->b[h & (m->nb - 1)]; e; e = e->next)
		if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0)
			return e;
	return NULL;
}

uint64_t *strmap_get(const struct strmap *m, const void *key, size_t len)
{
	struct strmap_ent *e = find(m, hash(m->salt, key, len), key, len);

	return e ? &e->val : NULL;
}

static void grow(struct strmap *m)
{
	size_t nb = m->nb ? m->nb * 2 : 64;
	struct strmap_ent **b = xcalloc(nb, sizeof *b);

	for (size_t i = 0; i < m->nb; i++) {
		struct strmap_ent *e = m->b[i], *next;

		for (; e; e = next) {
			next = e->next;
			e->next = b[e->hash & (nb - 1)];
			b[e->hash & (nb - 1)] = e;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
}

uint64_t *strmap_put(struct strmap *m, const void *key, size_t len, uint64_t val, bool *added,
		     const char **keyout)
{
	uint64_t h = hash(m->salt, key, len);
	struct strmap_ent *e = find(m, h, key, len);

	if (added)
		*added = e == NULL;
	if (e == NULL) {
		if (m->n >= m->nb)
			grow(m);
		e = xmalloc(sizeof *e + len + 1);
		e->hash = h;
		e->val = val;
		e->len = len;
		memcpy(e->key, key, len);
		e->key[len] = '\0';
		e->next = m->b[h & (m->nb - 1)];
		m->b[h & (m->nb - 1)] = e;
		m->n++;
	}
	if (keyout)
		*keyout = e->key;
	return &e->val;
}

bool strmap_del(struct strmap *m, const void *key, size_t len)
{
	uint64_t h = hash(m->salt, key, len);

	if (m->nb == 0)
		return false;
	for (struct strmap_ent **pp = &m->b[h & (m->nb - 1)]; *pp; pp = &(*pp)->next) {
		struct strmap_ent *e = *pp;

		if (e->hash == h && e->len == len && memcmp(e->key, key, len) == 0) {
			*pp = e->next;
			free(e);
			m->n--;
			return true;
		}
	}
	return false;
}

void strmap_each(const struct strmap *m,
		 void (*fn)(void *arg, const char *key, size_t len, uint64_t val), void *arg)
{
	for (size_t i = 0; i < m->nb; i++)
		for (struct strmap_ent *e = m->b[i]; e; e = e->next)
			fn(arg, e->key, e->len, e->val);
}

void strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof *t);
	strmap_init(&t->map);
}

void strtab_free(struct strtab *t)
{
	strmap_free(&t->map);
	free(t->s);
	t->s = NULL;
	t->n = t->cap = 0;
}

uint32_t strtab_intern(struct strtab *t, const char *s, size_t len)
{
	bool added;
	const char *key;
	uint64_t *v = strmap_put(&t->map, s, len, t->n, &added, &key);

	if (added) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 64;
			t->s = xrealloc(t->s, t->cap * sizeof *t->s);
		}
		t->s[t->n++] = key;
	}
	return (uint32_t)*v;
}

const char *strtab_str(const struct strtab *t, uint32_t id)
{
	return id < t->n ? t->s[id] : "";
}
