/* err.c -- see err.h. */
#include "util/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct err *e)
{
	if (e == NULL)
		return;
	e->msg[0] = '\0';
	e->line = 0;
	e->col = 0;
}

int err_set(struct err *e, const char *fmt, ...)
{
	va_list ap;

	if (e == NULL)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int err_prefix(struct err *e, const char *fmt, ...)
{
	char head[ERR_MSG_LEN];
	char old[ERR_MSG_LEN];
	va_list ap;

	if (e == NULL)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(old, e->msg, sizeof old);
	/* The message itself is what the user acts on: when context and message
	 * do not both fit, the context goes, never the message's tail. */
	size_t m = strnlen(old, sizeof old - 1);
	size_t n = strnlen(head, sizeof head - 1);
	if (n + 2 + m > sizeof e->msg - 1)
		return -EINVAL;
	memcpy(e->msg, head, n);
	memcpy(e->msg + n, ": ", 2);
	n += 2;
	memcpy(e->msg + n, old, m);
	e->msg[n + m] = '\0';
	return -EINVAL;
}

const char *errstr(int rc)
{
	/* strerrordesc_np is thread-safe and never allocates (glibc >= 2.32). */
	const char *s = strerrordesc_np(rc < 0 ? -rc : rc);
	return s ? s : "unknown error";
}
