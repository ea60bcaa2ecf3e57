/* xalloc.h -- allocation that never returns NULL.
 *
 * Contract: xmalloc/xcalloc/xrealloc/xstrdup/xstrndup behave like their libc namesakes
 * but print "meshwalk: out of memory" and abort() instead of returning NULL, so
 * callers never check. xmalloc(0) returns a unique non-NULL pointer.
 * xgrow() is the one growth policy of the growable buffers (net/iobuf,
 * proto/wire_buf): capacity doubles from `initial` until it holds `need`.
 * Threads: safe from any thread. */
#ifndef MW_UTIL_XALLOC_H
#define MW_UTIL_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* p (of *cap bytes) grown to at least need bytes; *cap updated. */
void *xgrow(void *p, size_t *cap, size_t need, size_t initial);

#endif
