/* file.h -- a whole file into memory.
 *
 * Contract: file_read_all() returns the file's bytes in a new buffer with a
 * NUL after them (free() it) and their count in *len (may be NULL), or NULL
 * with errno set when the file cannot be opened or read. Binary-safe.
 * Threads: stateless. */
#ifndef MW_UTIL_FILE_H
#define MW_UTIL_FILE_H

#include <stddef.h>

char *file_read_all(const char *path, size_t *len);

#endif
