/* source.h -- an input file of an import: plain or gzip (zlib reads both the
 * same way), with the first bytes kept for format sniffing, and positions for
 * error messages.
 *
 * Contract: src_open() opens PATH ("-" is standard input) and reads up to
 * SRC_HEAD bytes ahead; src_head() shows them without consuming them.
 * src_read() then returns the whole stream from its first byte. The reader
 * that consumes the stream records positions in it (src_pos_of()).
 * Ownership: src_close() releases everything. Threads: one thread.
 * Errors: -errno or -EINVAL with "PATH: reason" in *e (gzip data corrupt). */
#ifndef MW_IMPORT_SOURCE_H
#define MW_IMPORT_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/err.h"

#define SRC_HEAD 4096

struct src {
	const char *path;
	void *gz; /* gzFile */
	unsigned char head[SRC_HEAD];
	size_t head_len, head_off;
	uint64_t consumed; /* bytes handed out by src_read() */
};

int src_open(struct src *s, const char *path, struct err *e);
/* The same on an open fd, which the source then owns; path names it in
 * messages. */
int src_open_fd(struct src *s, int fd, const char *path, struct err *e);
void src_close(struct src *s);
const unsigned char *src_head(const struct src *s, size_t *len);
/* Up to n bytes: > 0, 0 at the end, < 0 on error (message in *e). */
ssize_t src_read(struct src *s, void *buf, size_t n, struct err *e);

#endif
