/* err.h -- user-facing error messages without allocation.
 *
 * Contract: anything that parses user input (specs, programs, options, wire
 * messages) takes a `struct err *` and, on failure, fills it with one line the
 * user can act on ("expected a duration such as 10ms, got 'x'"), optionally with
 * the line and column of a file being parsed. Filling never allocates and never
 * fails: text longer than the buffer is truncated.
 * Ownership: the caller owns the struct, usually on its stack.
 * Threads: a struct err is used by one thread at a time.
 * Errors: err_set() returns -EINVAL so parsers can write `return err_set(...)`. */
#ifndef MW_UTIL_ERR_H
#define MW_UTIL_ERR_H

#include <stddef.h>

#define ERR_MSG_LEN 256

struct err {
	char msg[ERR_MSG_LEN]; /* NUL-terminated message, "" when no error */
	int line;              /* 1-based line in a file, 0 when not from a file */
	int col;               /* 1-based column, 0 when unknown */
};

/* Clears the message and position. */
void err_clear(struct err *e);

/* Formats a message into e (printf-style) and returns -EINVAL. e may be NULL,
 * in which case nothing is stored. */
int err_set(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prefixes the existing message with "context: " (keeps it when too long).
 * Returns -EINVAL. */
int err_prefix(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Text for a negative errno return value (like strerror(-rc)), thread-safe. */
const char *errstr(int rc);

#endif
