/* route.c -- see route.h. */
#include "prog/route.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prog/prog_parse.h"
#include "util/xalloc.h"

void route_table_init(struct route_table *t)
{
	t->v = NULL;
	t->n = 0;
}

void route_table_free(struct route_table *t)
{
	for (size_t i = 0; i < t->n; i++)
		prog_destroy(t->v[i].prog);
	free(t->v);
	route_table_init(t);
}

const struct route *route_table_find(const struct route_table *t, const uint8_t *name,
				     uint32_t len)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].len == len && memcmp(t->v[i].name, name, len) == 0)
			return &t->v[i];
	return NULL;
}

int route_table_add(struct route_table *t, const char *name, const char *program,
		    struct err *e)
{
	uint32_t len = (uint32_t)strnlen(name, WIRE_ROUTE_MAX + 1);
	struct prog *p;

	if (wire_route_check((const uint8_t *)name, len, e) < 0)
		return err_prefix(e, "route '%.*s'", WIRE_ROUTE_MAX, name);
	if (route_table_find(t, (const uint8_t *)name, len) != NULL)
		return err_set(e, "route %s defined twice", name);
	if (t->n == ROUTE_MAX)
		return err_set(e, "route %s: more than %d routes", name, ROUTE_MAX);
	if (prog_parse_text(program, &p, e) < 0)
		return err_prefix(e, "route %s", name);
	t->v = xrealloc(t->v, (t->n + 1) * sizeof *t->v);
	memcpy(t->v[t->n].name, name, len + 1);
	t->v[t->n].len = len;
	t->v[t->n].prog = p;
	t->n++;
	return 0;
}

int route_table_add_def(struct route_table *t, const char *def, struct err *e)
{
	const char *eq = strchr(def, '=');
	char name[WIRE_ROUTE_MAX + 2];

	if (eq == NULL)
		return err_set(e, "route '%.*s': expected NAME=PROGRAM", WIRE_ROUTE_MAX, def);
	snprintf(name, sizeof name, "%.*s", (int)(eq - def < WIRE_ROUTE_MAX + 1 ? eq - def
								 : WIRE_ROUTE_MAX + 1), def);
	return route_table_add(t, name, eq + 1, e);
}

int route_table_load_file(struct route_table *t, const char *path, struct err *e)
{
	FILE *f = fopen(path, "r");
	char *line = NULL;
	size_t cap = 0;
	int rc = 0, lineno = 0;

	if (f == NULL) {
		int err = errno;

		err_set(e, "cannot open %s: %s", path, strerror(err));
		return -err;
	}
	while (rc == 0 && getline(&line, &cap, f) != -1) {
		char *p = line, *name;

		lineno++;
		p[strcspn(p, "#")] = '\0';
		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			continue;
		name = p;
		p += strcspn(p, " \t\r\n");
		if (*p != '\0')
			*p++ = '\0';
		rc = route_table_add(t, name, p, e);
		if (rc < 0) {
			e->line = lineno;
			err_prefix(e, "%s:%d", path, lineno);
		}
	}
	free(line);
	fclose(f);
	return rc;
}

void route_table_names(const struct route_table *t, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	snprintf(buf, len, "%s", t->n ? "" : "none");
	for (size_t i = 0; i < t->n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", t->v[i].name);
}
