/* exec.h -- the program executor: runs one request's ops on a node.
 *
 * Contract: the executor walks a program that passed wire_prog_check(). It
 * runs the ops that need nothing but the CPU (COMPUTE, SKIP) inline and stops
 * at the first op that needs the node's I/O: a FORWARD (the node sends the
 * sub-programs and calls exec_next() again once enough replies are in), a
 * LOAD or STORE (the node hands it to its storage thread and resumes the walk
 * when it completes), or the REPLY that ends the program. It knows nothing of sockets, so the same walk
 * serves source-routed requests and, later, routes installed on a node.
 * What each op does is the run kind of its op table row (proto/ops.h).
 * A SLEEP stops the walk too (EXEC_SLEEP): the caller parks the request on a
 * timer, off the CPU. Op codes this build does not know stop the walk with
 * EXEC_UNSUPPORTED so the node answers with an error reply.
 * COMPUTE is a busy loop on CLOCK_MONOTONIC by default: it holds the worker's
 * CPU for the requested wall time, as a CPU-bound handler would, exactly even
 * when the thread is preempted in between (the wall time still passes).
 * exec_set_loops_per_usec(N) switches it to DistWalk's way: N * us iterations
 * of a fixed arithmetic loop, a fixed amount of work whose wall time grows
 * when the CPU is shared, slowed or throttled (which is what some experiments
 * want to see). exec_calibrate_loops_per_usec() measures N for this CPU.
 * Ownership: a task borrows its program bytes; they must outlive the task.
 * Threads: a task is used by one worker thread at a time;
 * exec_set_loops_per_usec() is called before the workers start. */
#ifndef MW_EXEC_EXEC_H
#define MW_EXEC_EXEC_H

#include <stdbool.h>
#include <stdint.h>

#include "proto/wire.h"
#include "spec/rng.h"

enum exec_step {
	EXEC_REPLY = 1,       /* op is the final REPLY */
	EXEC_FORWARD = 2,     /* op is a FORWARD; the walk resumes after it */
	EXEC_UNSUPPORTED = 3, /* op cannot run on this node */
	EXEC_STORAGE = 4,     /* op is a LOAD or STORE; the walk resumes after it */
	EXEC_ABORTED = 5,     /* exec_abort_all() was called: the node is stopping */
	EXEC_SLEEP = 6,       /* op is a SLEEP; the walk resumes after it, once its time has passed */
	EXEC_COMPUTED = 7,    /* op is a COMPUTE that has run (only with report_compute) */
};

struct exec_cursor {
	const uint8_t *prog; /* program bytes (borrowed) */
	uint32_t len;        /* program length */
	uint32_t pc;         /* offset of the next op */
	bool report_compute; /* stop after each COMPUTE (EXEC_COMPUTED): a traced request times each */
};

/* Per-worker counters the executor adds to. */
struct exec_stats {
	uint64_t computes;   /* COMPUTE ops run */
	uint64_t compute_ns; /* wall time spent in them */
	uint64_t skipped;    /* ops skipped by SKIP */
};

void exec_start(struct exec_cursor *c, const uint8_t *prog, uint32_t len);

/* Runs ops until one needs the node; stores it in *op and returns what kind. */
enum exec_step exec_next(struct exec_cursor *c, struct rng *rng, struct exec_stats *st,
			 struct wire_op *op);

/* Busy-waits for ns nanoseconds (or runs the calibrated loop for that long);
 * returns the nanoseconds actually spent. */
int64_t exec_compute(uint64_t ns);

/* exec_compute() walking a working set of ws bytes (exec/wset.h) a cache
 * line at a time meanwhile: on the clock, lines back to back until ns have
 * passed; with the calibrated loop, one line per 64 iterations. The
 * thread's buffer is allocated (or grown) first, outside the time. ws 0, or
 * no memory for it: exec_compute(ns). *lines (NULL: not wanted) gets the
 * lines touched. */
int64_t exec_compute_ws(uint64_t ns, uint64_t ws, uint64_t *lines);

/* Makes every COMPUTE in progress, on any thread, end within about a
 * millisecond, and every later exec_next() return EXEC_ABORTED: a node
 * stops within a second whatever its requests asked for. Process-wide,
 * async-signal-safe, not undone. */
void exec_abort_all(void);

/* 0 (default): COMPUTE spins on the clock; N: COMPUTE runs N iterations of
 * the calibrated loop per microsecond. Process-wide. */
void exec_set_loops_per_usec(uint64_t n);

/* Measures the loop's iterations per microsecond on the calling thread's CPU
 * (the best of a few ~10 ms runs; takes about 50 ms). */
uint64_t exec_calibrate_loops_per_usec(void);

#endif
