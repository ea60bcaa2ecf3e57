/* cpulist.c -- see cpulist.h. */
#include "util/cpulist.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A decimal core number at *p, advancing p; -1 when there is none. */
static long core_at(const char **p)
{
	const char *s = *p;
	long v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s++ - '0');
		if (v >= CPU_SETSIZE)
			return -2;
	}
	*p = s;
	return v;
}

int cpulist_parse(const char *s, struct cpulist *out, struct err *e)
{
	const char *p = s;

	out->n = 0;
	for (;;) {
		long a, b, stride = 1;

		a = core_at(&p);
		if (a == -2)
			return err_set(e, "core list '%s': cores go up to %d", s, CPU_SETSIZE - 1);
		if (a < 0)
			return err_set(e, "core list '%s': expected a core number at '%s' "
				       "(syntax: 2-18 or 0,2,4-8:2)", s, p);
		b = a;
		if (*p == '-') {
			p++;
			b = core_at(&p);
			if (b == -2)
				return err_set(e, "core list '%s': cores go up to %d", s, CPU_SETSIZE - 1);
			if (b < 0)
				return err_set(e, "core list '%s': expected the end of a range at '%s'", s, p);
			if (b < a)
				return err_set(e, "core list '%s': range %ld-%ld goes backwards", s, a, b);
			if (*p == ':') {
				p++;
				stride = core_at(&p);
				if (stride <= 0)
					return err_set(e, "core list '%s': expected a stride of at least 1 "
						       "after ':'", s);
			}
		}
		for (long c = a; c <= b; c += stride) {
			if (out->n == CPULIST_MAX)
				return err_set(e, "core list '%s': more than %d entries", s, CPULIST_MAX);
			out->cpu[out->n++] = (int)c;
		}
		if (*p == '\0')
			return 0;
		if (*p != ',')
			return err_set(e, "core list '%s': unexpected '%c' (syntax: 2-18 or 0,2,4-8:2)",
				       s, *p);
		p++;
	}
}

/* cpu_set_t as "0-3,6" (for messages). */
static void set_str(const cpu_set_t *set, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int c = 0; c < CPU_SETSIZE && used < len; c++) {
		int d = c;

		if (!CPU_ISSET(c, set))
			continue;
		while (d + 1 < CPU_SETSIZE && CPU_ISSET(d + 1, set))
			d++;
		if (d == c)
			used += (size_t)snprintf(buf + used, len - used, "%s%d", used ? "," : "", c);
		else
			used += (size_t)snprintf(buf + used, len - used, "%s%d-%d", used ? "," : "", c, d);
		c = d;
	}
}

int cpulist_check(const struct cpulist *l, struct err *e)
{
	long conf = sysconf(_SC_NPROCESSORS_CONF);
	cpu_set_t allowed;
	char buf[128];

	if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
		return err_set(e, "cannot read this process's allowed CPUs: %s", strerror(errno));
	set_str(&allowed, buf, sizeof buf);
	for (int i = 0; i < l->n; i++) {
		int c = l->cpu[i];

		if (conf > 0 && c >= conf)
			return err_set(e, "core %d does not exist: this machine has cores 0-%ld", c,
				       conf - 1);
		if (!CPU_ISSET(c, &allowed))
			return err_set(e, "core %d is not in this process's allowed CPUs (%s; see "
				       "taskset or the cgroup's cpuset)", c, buf);
	}
	return 0;
}

int cpulist_auto(int n, struct cpulist *out, struct err *e)
{
	cpu_set_t allowed;
	int have[CPULIST_MAX], nhave = 0;

	if (sched_getaffinity(0, sizeof allowed, &allowed) != 0)
		return err_set(e, "cannot read this process's allowed CPUs: %s", strerror(errno));
	for (int c = 0; c < CPU_SETSIZE && nhave < CPULIST_MAX && nhave < n; c++)
		if (CPU_ISSET(c, &allowed))
			have[nhave++] = c;
	if (nhave == 0)
		return err_set(e, "this process may run on no CPU");
	if (n > CPULIST_MAX)
		n = CPULIST_MAX;
	for (int i = 0; i < n; i++)
		out->cpu[i] = have[i % nhave];
	out->n = n;
	return 0;
}

int cpulist_pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

void cpulist_str(const struct cpulist *l, char *buf, size_t len)
{
	size_t used = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < l->n; i++) {
		int w = snprintf(buf + used, len - used, "%s%d", i ? "," : "", l->cpu[i]);

		if (w < 0 || (size_t)w >= len - used) {
			if (len >= 4)
				strcpy(buf + len - 4, "...");
			return;
		}
		used += (size_t)w;
	}
}
