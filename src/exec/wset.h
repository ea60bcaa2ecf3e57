/* wset.h -- the working set a COMPUTE walks (-C 1ms,ws=4m): a buffer per
 * thread whose cache lines the executor touches in sequence while it
 * computes, so a clone puts the pressure on the caches and memory that the
 * emulated code did (Ditto's memory model), not just on the core.
 *
 * Contract: wset_reserve(bytes) makes the calling thread's buffer at least
 * `bytes` long (capped at WIRE_WSET_MAX): allocated on first use, replaced by
 * a larger one when a request asks for more, never shrunk; every page is
 * written when it is allocated, so its memory is really resident (the
 * node's RSS shows it). wset_walk() touches lines of the first `bytes` of
 * the buffer, one per 64-byte line, a read and a write each (the compiler
 * cannot drop them), continuing where the thread's previous walk stopped
 * and wrapping at `bytes`: consecutive requests sweep the whole set.
 * Ownership: the buffer belongs to its thread and is unmapped when the
 * thread exits. Threads: thread-local; no locks.
 * Errors: wset_reserve() returns false when the memory cannot be had; the
 * caller then computes without walking (the request still runs). */
#ifndef MW_EXEC_WSET_H
#define MW_EXEC_WSET_H

#include <stdbool.h>
#include <stdint.h>

#define WSET_LINE 64

bool wset_reserve(uint64_t bytes);

/* Touches n lines of the first `bytes` of the thread's buffer (reserved
 * first with wset_reserve(bytes)). */
void wset_walk(uint64_t bytes, uint64_t n);

/* The calling thread's buffer size in bytes (0: none yet). */
uint64_t wset_size(void);

#endif
