/* cpulist.h -- CPU core lists ("2-18", "0,2,4-8:2") and pinning threads.
 *
 * Contract: a list keeps the cores in the order written (duplicates allowed),
 * because thread i runs on entry i % n: "1,0" puts the first thread on core 1.
 * Syntax: comma-separated items, each N, A-B or A-B:STRIDE with A <= B and
 * STRIDE >= 1; cores are below CPU_SETSIZE. cpulist_parse() checks syntax
 * only; cpulist_check() checks the cores against this machine (they exist)
 * and this process (they are in its allowed set, as taskset or a cgroup
 * cpuset leave it), so the two kinds of mistake get different messages.
 * Ownership: a struct cpulist is a plain value. Threads: all functions are
 * thread-safe; cpulist_pin_self() affects the calling thread only.
 * Errors: -EINVAL with `e` filled (parse, check, auto), -errno (pin). */
#ifndef MW_UTIL_CPULIST_H
#define MW_UTIL_CPULIST_H

#include <stddef.h>

#include "util/err.h"

#define CPULIST_MAX 1024

struct cpulist {
	int n;                 /* entries, 0 = no list */
	int cpu[CPULIST_MAX];  /* cores in the order given */
};

int cpulist_parse(const char *s, struct cpulist *out, struct err *e);

/* Every core exists on this machine and is allowed for this process. */
int cpulist_check(const struct cpulist *l, struct err *e);

/* The first n cores this process may run on, reused from the start when n
 * exceeds them (on an unrestricted machine: cores 0..n-1). */
int cpulist_auto(int n, struct cpulist *out, struct err *e);

/* Pins the calling thread to one core; returns 0 or -errno. */
int cpulist_pin_self(int cpu);

/* "0,1,0" -- the list as text, shortened with "..." when buf is too small. */
void cpulist_str(const struct cpulist *l, char *buf, size_t len);

#endif
