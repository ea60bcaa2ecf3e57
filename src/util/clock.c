/* clock.c -- see clock.h. */
#include "util/clock.h"

#include <errno.h>
#include <sys/prctl.h>

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

int64_t clock_spin_until(int64_t deadline)
{
	int64_t now;

	while ((now = clock_now_ns()) < deadline)
		cpu_relax();
	return now;
}

int clock_lower_timer_slack(void)
{
	if (prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL) == -1)
		return -errno;
	return 0;
}

void clock_waiter_init(struct clock_waiter *w, int64_t min_spin_ns, int64_t max_spin_ns)
{
	w->min_spin_ns = min_spin_ns;
	w->max_spin_ns = max_spin_ns > min_spin_ns ? max_spin_ns : min_spin_ns;
	w->margin_ns = min_spin_ns;
	w->late_ewma = 0;
}

int64_t clock_waiter_wake(const struct clock_waiter *w, int64_t deadline, int64_t now)
{
	int64_t margin = w->margin_ns;
	int64_t quarter = (deadline - now) / 4;

	if (margin > quarter)
		margin = quarter > w->min_spin_ns ? quarter : w->min_spin_ns;
	return deadline - margin;
}

void clock_waiter_learn(struct clock_waiter *w, int64_t wake, int64_t now)
{
	/* Fast up, slow down, so a single slow wake-up raises the margin at
	 * once and a calm spell lowers it gradually. */
	double late = (double)(now > wake ? now - wake : 0);
	int64_t m;

	w->late_ewma = late > w->late_ewma ? 0.5 * w->late_ewma + 0.5 * late
					   : 0.98 * w->late_ewma + 0.02 * late;
	m = (int64_t)(2 * w->late_ewma) + 5 * NSEC_PER_USEC;
	w->margin_ns = m < w->min_spin_ns ? w->min_spin_ns : m > w->max_spin_ns ? w->max_spin_ns : m;
}

int64_t clock_lead_ns(const struct clock_lead *l, int64_t gap_ns)
{
	int64_t lead = l->late_ns < CLOCK_LEAD_MAX_NS ? l->late_ns : CLOCK_LEAD_MAX_NS;

	return gap_ns < lead ? (gap_ns > 0 ? gap_ns : 0) : lead;
}

void clock_lead_learn(struct clock_lead *l, int64_t wake, int64_t now)
{
	int64_t late = now > wake ? now - wake : 0;

	if (late > CLOCK_LEAD_SAMPLE_MAX_NS)
		late = CLOCK_LEAD_SAMPLE_MAX_NS;
	/* A mean over about the last 16 sleeps: the lead is to be right on
	 * average, and wake-ups vary by tens of microseconds one to the next. */
	l->late_ns += (late - l->late_ns) / 16;
}
