/* files.c -- see files.h. */
#include "results/files.h"

#include <stdio.h>

int results_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}
