/* schedpol.c -- see schedpol.h. */
#include "util/schedpol.h"

#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif

/* The kernel's struct sched_attr, first version (48 bytes). Ours, under our
 * own name, so it never clashes with a C library that has one. */
struct mw_sched_attr {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;  /* ns */
	uint64_t sched_deadline; /* ns */
	uint64_t sched_period;   /* ns */
};

/* A whole decimal number in [min, max] that ends at one of `ends`. */
static int number(const char **p, long long min, long long max, const char *ends, long long *out)
{
	char *end;
	long long v;

	if (**p == '\0' || **p == ' ' || **p == '+')
		return -1;
	errno = 0;
	v = strtoll(*p, &end, 10);
	if (end == *p || errno != 0 || strchr(ends, *end) == NULL || v < min || v > max)
		return -1;
	*p = end;
	*out = v;
	return 0;
}

int schedpol_parse(const char *s, struct schedpol *out, struct err *e)
{
	const char *p;
	long long a, b, c;

	memset(out, 0, sizeof *out);
	if (strcmp(s, "other") == 0) {
		out->kind = SCHEDPOL_OTHER;
		return 0;
	}
	if (strncmp(s, "other:", 6) == 0) {
		p = s + 6;
		if (number(&p, -20, 19, "", &a) < 0)
			return err_set(e, "--sched-policy '%s': nice must be a whole number in -20..19",
				       s);
		out->kind = SCHEDPOL_OTHER;
		out->has_nice = 1;
		out->nice = (int)a;
		return 0;
	}
	if (strncmp(s, "rr:", 3) == 0 || strncmp(s, "fifo:", 5) == 0) {
		out->kind = s[0] == 'r' ? SCHEDPOL_RR : SCHEDPOL_FIFO;
		p = strchr(s, ':') + 1;
		if (number(&p, 1, 99, "", &a) < 0)
			return err_set(e, "--sched-policy '%s': priority must be a whole number in 1..99",
				       s);
		out->prio = (int)a;
		return 0;
	}
	if (strncmp(s, "dl:", 3) == 0) {
		const long long max = 4000000000LL; /* beyond the kernel's 4 s period limit */

		p = s + 3;
		if (number(&p, 0, max, ",", &a) < 0 || *p++ != ',' ||
		    number(&p, 0, max, ",", &b) < 0)
			return err_set(e, "--sched-policy '%s': expected dl:RUNTIME,DEADLINE[,PERIOD] "
				       "in microseconds", s);
		c = b;
		if (*p == ',') {
			p++;
			if (number(&p, 0, max, "", &c) < 0)
				return err_set(e, "--sched-policy '%s': PERIOD must be a whole number "
					       "of microseconds", s);
		}
		if (a < 2)
			return err_set(e, "--sched-policy '%s': RUNTIME must be at least 2us (the "
				       "kernel's least is 1024 ns)", s);
		if (!(a <= b && b <= c))
			return err_set(e, "--sched-policy '%s': need RUNTIME <= DEADLINE <= PERIOD", s);
		out->kind = SCHEDPOL_DL;
		out->runtime_us = (uint64_t)a;
		out->deadline_us = (uint64_t)b;
		out->period_us = (uint64_t)c;
		return 0;
	}
	return err_set(e, "--sched-policy '%s': expected other[:NICE], rr:PRIO, fifo:PRIO or "
		       "dl:RUNTIME,DEADLINE[,PERIOD]", s);
}

void schedpol_str(const struct schedpol *p, char *buf, size_t len)
{
	switch (p->kind) {
	case SCHEDPOL_NONE:
		snprintf(buf, len, "inherited");
		break;
	case SCHEDPOL_OTHER:
		if (p->has_nice)
			snprintf(buf, len, "other:%d", p->nice);
		else
			snprintf(buf, len, "other");
		break;
	case SCHEDPOL_RR:
	case SCHEDPOL_FIFO:
		snprintf(buf, len, "%s:%d", p->kind == SCHEDPOL_RR ? "rr" : "fifo", p->prio);
		break;
	case SCHEDPOL_DL:
		snprintf(buf, len, "dl:%llu,%llu,%llu", (unsigned long long)p->runtime_us,
			 (unsigned long long)p->deadline_us, (unsigned long long)p->period_us);
		break;
	}
}

/* Why the kernel said no, for the user. */
static void explain(const struct schedpol *p, int err, const char *what, struct err *e)
{
	const char *why = "";

	if (err == EPERM) {
		switch (p->kind) {
		case SCHEDPOL_OTHER:
			why = " (a lower nice needs CAP_SYS_NICE or RLIMIT_NICE >= 20 - nice, "
			      "ulimit -e)";
			break;
		case SCHEDPOL_RR:
		case SCHEDPOL_FIFO:
			why = " (needs CAP_SYS_NICE or RLIMIT_RTPRIO >= the priority, ulimit -r; "
			      "or the cgroup has no real-time budget)";
			break;
		case SCHEDPOL_DL:
			why = " (needs CAP_SYS_NICE, and a thread not pinned to a subset of its "
			      "root domain: no --thread-affinity outside an exclusive cpuset)";
			break;
		case SCHEDPOL_NONE:
			break;
		}
	} else if (err == EBUSY && p->kind == SCHEDPOL_DL) {
		why = " (admission control: the threads ask for more than the real-time "
		      "bandwidth, kernel.sched_rt_runtime_us per sched_rt_period_us)";
	} else if (err == EINVAL && p->kind == SCHEDPOL_DL) {
		why = " (period outside kernel.sched_deadline_period_{min,max}_us?)";
	} else if (err == ENOSYS) {
		why = " (this kernel has no sched_setattr)";
	}
	err_set(e, "cannot set scheduling policy %s: %s%s", what, strerror(err), why);
}

int schedpol_apply(const struct schedpol *p, struct err *e)
{
	struct mw_sched_attr a;
	char what[64];

	if (p->kind == SCHEDPOL_NONE)
		return 0;
	memset(&a, 0, sizeof a);
	a.size = sizeof a;
	switch (p->kind) {
	case SCHEDPOL_OTHER:
		a.sched_policy = SCHED_OTHER;
		if (p->has_nice) {
			a.sched_nice = p->nice;
		} else {
			/* sched_setattr always sets nice: keep the thread's own. */
			errno = 0;
			int cur = getpriority(PRIO_PROCESS, (id_t)gettid());
			a.sched_nice = errno == 0 ? cur : 0;
		}
		break;
	case SCHEDPOL_RR:
	case SCHEDPOL_FIFO:
		a.sched_policy = p->kind == SCHEDPOL_RR ? SCHED_RR : SCHED_FIFO;
		a.sched_priority = (uint32_t)p->prio;
		break;
	case SCHEDPOL_DL:
		a.sched_policy = SCHED_DEADLINE;
		a.sched_runtime = p->runtime_us * 1000;
		a.sched_deadline = p->deadline_us * 1000;
		a.sched_period = p->period_us * 1000;
		break;
	case SCHEDPOL_NONE:
		return 0;
	}
	if (syscall(SYS_sched_setattr, 0, &a, 0) != 0) {
		int err = errno;

		schedpol_str(p, what, sizeof what);
		explain(p, err, what, e);
		return -err;
	}
	return 0;
}
