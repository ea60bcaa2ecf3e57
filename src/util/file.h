/* file.h -- the small file-system chores several commands share: a whole
 * file into memory, a port file written atomically, mkdir -p.
 *
 * Contract: file_read_all() returns the file's bytes in a new buffer with a
 * NUL after them (free() it) and their count in *len (may be NULL), or NULL
 * with errno set when the file cannot be opened or read. Binary-safe.
 * file_write_ports() writes ports, one a line, to PATH.tmp and renames it to
 * path, so whoever polls for path (meshwalk run, the tests) never reads it
 * half written: node's and proxy's --port-file. file_mkdirs() creates path
 * and its missing parents (0755); an existing directory is fine, anything
 * else in the way is an error. Both return 0, or a negative errno value with
 * e filled ("cannot write PATH: ...", "DIR: cannot create the directory:
 * ..."). Threads: stateless. */
#ifndef MW_UTIL_FILE_H
#define MW_UTIL_FILE_H

#include <stddef.h>

#include "util/err.h"

char *file_read_all(const char *path, size_t *len);
int file_write_ports(const char *path, const int *ports, int n, struct err *e);
int file_mkdirs(const char *path, struct err *e);
/* One directory (its parent exists): 0 if made or already a directory, else
 * -errno (-ENOTDIR: a file is in the way) with e filled. */
int file_mkdir(const char *dir, struct err *e);

#endif
