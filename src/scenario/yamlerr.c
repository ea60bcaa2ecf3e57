/* yamlerr.c -- see yamlerr.h. */
#include "scenario/yamlerr.h"

#include <errno.h>
#include <stdio.h>

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
