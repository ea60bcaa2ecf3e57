/* schedpol.h -- a thread's scheduling policy, as DistWalk's --sched-policy.
 *
 * Contract: the text is one of
 *   other[:NICE]                  SCHED_OTHER, NICE in -20..19 (default: keep)
 *   rr:PRIO | fifo:PRIO           SCHED_RR / SCHED_FIFO, PRIO in 1..99
 *   dl:RUNTIME,DEADLINE[,PERIOD]  SCHED_DEADLINE, microseconds, with
 *                                 2 <= RUNTIME <= DEADLINE <= PERIOD
 *                                 (PERIOD defaults to DEADLINE)
 * schedpol_parse() checks syntax and ranges; schedpol_apply() sets the
 * policy of the calling thread with the sched_setattr system call (struct
 * sched_attr is defined here, as older C libraries lack it) and, when the
 * kernel refuses, says what is missing: the capability (CAP_SYS_NICE), the
 * resource limit (RLIMIT_RTPRIO, RLIMIT_NICE), or the deadline admission test.
 * Ownership: a struct schedpol is a plain value. Threads: thread-safe;
 * apply affects only the calling thread. Errors: -EINVAL (parse) or -errno
 * (apply) with `e` filled. */
#ifndef MW_UTIL_SCHEDPOL_H
#define MW_UTIL_SCHEDPOL_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

enum schedpol_kind {
	SCHEDPOL_NONE = 0,  /* leave the inherited policy alone */
	SCHEDPOL_OTHER,
	SCHEDPOL_RR,
	SCHEDPOL_FIFO,
	SCHEDPOL_DL,
};

struct schedpol {
	enum schedpol_kind kind;
	int has_nice;         /* OTHER: nice was given */
	int nice;             /* OTHER: -20..19 */
	int prio;             /* RR, FIFO: 1..99 */
	uint64_t runtime_us;  /* DL */
	uint64_t deadline_us; /* DL */
	uint64_t period_us;   /* DL */
};

int schedpol_parse(const char *s, struct schedpol *out, struct err *e);

/* Applies p to the calling thread (SCHEDPOL_NONE: nothing). */
int schedpol_apply(const struct schedpol *p, struct err *e);

/* The policy as text, in the syntax schedpol_parse() reads. */
void schedpol_str(const struct schedpol *p, char *buf, size_t len);

#endif
