/* storage.h -- a node's storage: one file, one thread, one queue of requests.
 *
 * Contract: storage_open() opens (or creates) the storage file named by the
 * path; without a path the file is an anonymous temporary file (O_TMPFILE in
 * $TMPDIR, else /var/tmp), gone when the node exits, created by the first
 * request that needs it (at once with O_DIRECT, to check its support). Every
 * offset below max_size is readable, but the file is not extended up front: a
 * read of a range past its end extends it (sparsely) first, so a LOAD of a
 * range nobody stored yet reads zeros instead of failing. A block device caps
 * max_size at its own size.
 * Worker threads submit requests; the storage thread runs them one at a time,
 * in submission order, so workers never block on the disk and large writes
 * never interleave. Offsets are 64-bit: an offset at or beyond max_size wraps
 * modulo max_size, and an operation that would cross max_size starts at 0
 * instead (the file pointer wraps around, as in DistWalk). STORAGE_OFFSET_NEXT
 * continues where the previous operation ended (one cursor for the file).
 * Stores write pseudo-random bytes (so compressing or deduplicating devices
 * cannot cheat); sync policies: SYNC calls fsync() before the request
 * completes, PSYNC marks the file dirty and the storage thread fsync()s a dirty
 * file every sync_period_ms, in line with the requests (a request queued
 * behind a periodic sync waits for it, as on a real store), NOSYNC never syncs.
 * With O_DIRECT every transfer is widened to whole blocks of the file's block
 * size (so a 10k store writes 12k on 4k blocks) from a block-aligned buffer.
 * PREFETCH reads a range through the page cache and reports the offset used,
 * so that a worker can then sendfile() it from storage_sendfile_fd() without
 * touching the disk.
 * Ownership: a submitted request belongs to the storage thread until its
 * done() callback runs (on the storage thread); requests still queued when
 * storage_stop() runs are dropped without a callback.
 * Threads: storage_submit() may be called by any thread; everything else by
 * the thread that opened the storage. Counters are read after storage_stop().
 * Errors: storage_open() returns -errno with e filled; a failed request has
 * status < 0, a message in err, and is logged (at most a few lines per
 * second). */
#ifndef MW_STORAGE_STORAGE_H
#define MW_STORAGE_STORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "util/err.h"

#define STORAGE_OFFSET_NEXT UINT64_MAX

enum storage_op {
	STORAGE_LOAD = 1,
	STORAGE_STORE = 2,
	STORAGE_PREFETCH = 3, /* read into the page cache for a sendfile() reply */
};

/* Values match the STORE op's flags on the wire. */
enum storage_sync {
	STORAGE_NOSYNC = 0,
	STORAGE_SYNC = 1,
	STORAGE_PSYNC = 2,
};

struct storage_config {
	const char *path;        /* NULL: anonymous temporary file */
	uint64_t max_size;       /* offsets wrap here (> 0) */
	bool odirect;            /* open with O_DIRECT */
	uint32_t sync_period_ms; /* PSYNC period (> 0) */
	uint64_t max_op_size;    /* largest single transfer (> 0) */
	bool quiet;              /* no start-up line */
};

struct storage_req {
	uint8_t op;              /* enum storage_op */
	uint8_t sync;            /* enum storage_sync (STORE) */
	uint64_t offset;         /* or STORAGE_OFFSET_NEXT */
	uint64_t size;           /* bytes */
	void (*done)(struct storage_req *r); /* runs on the storage thread */
	void *owner;             /* for the callback */
	/* results, set before done() */
	int status;              /* 0 or -errno */
	uint64_t used_offset;    /* where the transfer happened */
	char err[200];           /* why it failed */
	struct storage_req *next; /* queue link (storage's while queued) */
};

struct storage_stats {
	uint64_t loads, stores, prefetches; /* completed requests */
	uint64_t bytes_loaded, bytes_stored; /* requested bytes (before block widening) */
	uint64_t syncs;          /* fsync() calls for SYNC stores */
	uint64_t periodic_syncs; /* fsync() calls for PSYNC */
	uint64_t errors;         /* failed requests */
	uint64_t busy_ns;        /* time spent running requests and syncs */
};

struct storage;

int storage_open(const struct storage_config *c, struct storage **out, struct err *e);
/* Starts the storage thread. */
int storage_start(struct storage *s, struct err *e);
void storage_submit(struct storage *s, struct storage_req *r);
/* Stops the thread (after the request it is running, and a last fsync when
 * PSYNC data is unsynced); queued requests are dropped. */
void storage_stop(struct storage *s);
/* Closes the file and frees everything; stops the thread first if needed. */
void storage_close(struct storage *s);

/* A buffered descriptor of the storage file, for sendfile(). */
int storage_sendfile_fd(const struct storage *s);
uint64_t storage_max_size(const struct storage *s);
/* "anonymous file in /var/tmp" or the path, for messages. */
const char *storage_name(const struct storage *s);
void storage_get_stats(const struct storage *s, struct storage_stats *out);

#endif
