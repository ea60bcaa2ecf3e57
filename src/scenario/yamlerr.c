/* yamlerr.c -- see yamlerr.h. */
#include "scenario/yamlerr.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int yaml_err_vat(struct err *e, const yaml_node_t *n, const char *prefix, const char *fmt, va_list ap)
{
	char msg[ERR_MSG_LEN];

	vsnprintf(msg, sizeof msg, fmt, ap);
	err_set(e, "%s%s", prefix, msg);
	if (e && n) {
		e->line = (int)n->start_mark.line + 1;
		e->col = (int)n->start_mark.column + 1;
	}
	return -EINVAL;
}

int yaml_err_at(struct err *e, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = yaml_err_vat(e, n, "", fmt, ap);
	va_end(ap);
	return rc;
}

int yaml_unique_keys(yaml_document_t *doc, yaml_node_t *map, const char *where, struct err *e)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);

		if (k->type != YAML_SCALAR_NODE)
			return yaml_err_at(e, k, "%s: keys must be plain words", where);
		for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
			yaml_node_t *k0 = yaml_document_get_node(doc, q->key);

			if (k0->type == YAML_SCALAR_NODE &&
			    strcmp((const char *)k0->data.scalar.value, (const char *)k->data.scalar.value) == 0)
				return yaml_err_at(e, k, "%s: '%s' is given twice (first on line %d)", where,
					  (const char *)k->data.scalar.value, (int)k0->start_mark.line + 1);
		}
	}
	return 0;
}
