/* clock.h -- monotonic time in nanoseconds and precise waiting.
 *
 * Contract: all times are CLOCK_MONOTONIC nanoseconds as int64_t (good for 292
 * years). clock_spin_until() busy-waits to a deadline; a clock_waiter says
 * when to stop sleeping before one, which trades a little CPU for a send that
 * is microseconds, not tens of microseconds, late.
 * clock_lower_timer_slack() asks the kernel for 1 ns timer slack for the calling
 * thread (PR_SET_TIMERSLACK), so sleeps end when asked, not up to 50 us later.
 * Threads: all functions are thread-safe. */
#ifndef MW_UTIL_CLOCK_H
#define MW_UTIL_CLOCK_H

#include <stdint.h>
#include <time.h>

#define NSEC_PER_USEC 1000LL
#define NSEC_PER_MSEC 1000000LL
#define NSEC_PER_SEC 1000000000LL

static inline int64_t clock_now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * NSEC_PER_SEC + t.tv_nsec;
}

/* Busy-waits until clock_now_ns() >= deadline;
 * returns the time at which it stopped. */
int64_t clock_spin_until(int64_t deadline);

/* An adaptive sleep-then-spin waiter. It learns how late this thread's
 * sleeps end (wake-up latency, high on idle VMs) and stops sleeping that much
 * before each deadline, then spins, so sends are on time without spinning
 * between them. The margin never exceeds a quarter of the time left when the
 * wait starts: a thread that must not be late still sleeps three quarters of
 * every gap (on a small machine a spinning client steals the CPU the system
 * under test needs, which costs more latency than it saves).
 * `min_spin_ns` is the least margin; `max_spin_ns` caps the CPU cost.
 * The caller sleeps (in whatever wait also serves its other events) until
 * clock_waiter_wake(), calls clock_waiter_learn() after each sleep that ended
 * by its timeout, and spins the rest with clock_spin_until(). */
struct clock_waiter {
	int64_t min_spin_ns; /* margin floor */
	int64_t max_spin_ns; /* margin ceiling */
	int64_t margin_ns;   /* current margin */
	double late_ewma;    /* smoothed lateness of sleeps, ns */
};

void clock_waiter_init(struct clock_waiter *w, int64_t min_spin_ns, int64_t max_spin_ns);

/* When to stop sleeping for deadline, with now the current time. */
int64_t clock_waiter_wake(const struct clock_waiter *w, int64_t deadline, int64_t now);

/* Records that a sleep meant to end at wake ended at now. */
void clock_waiter_learn(struct clock_waiter *w, int64_t wake, int64_t now);

/* A timer lead: how much earlier than a deadline a thread that sleeps for it
 * should ask to wake, so that it usually wakes just before the deadline and
 * spins the rest: the mean lateness of the sleeps that ended by their timeout
 * (each sample clamped at CLOCK_LEAD_SAMPLE_MAX_NS, so one preemption stall
 * does not move it far), never more than CLOCK_LEAD_MAX_NS. Unlike a
 * clock_waiter's margin (twice the lateness: a client's send must not be
 * late), it spins about as often as it is late, a little either way: an
 * event loop on a small machine shares the CPUs with the system it emulates.
 * On an idle VM a sleep ends tens of microseconds late; a link hold, a SLEEP
 * op or a deadline would otherwise all be that much longer than drawn. */
#define CLOCK_LEAD_MAX_NS (200 * NSEC_PER_USEC)
#define CLOCK_LEAD_SAMPLE_MAX_NS (1000 * NSEC_PER_USEC)

struct clock_lead {
	int64_t late_ns; /* smoothed lateness of timed-out sleeps */
};

static inline void clock_lead_init(struct clock_lead *l)
{
	l->late_ns = 0;
}

/* The lead to take off a sleep of gap_ns (> 0): at most the gap itself. */
int64_t clock_lead_ns(const struct clock_lead *l, int64_t gap_ns);

/* Records that a sleep asked to end at wake ended at now. */
void clock_lead_learn(struct clock_lead *l, int64_t wake, int64_t now);

/* Sets this thread's timer slack to 1 ns; returns 0 or -errno. */
int clock_lower_timer_slack(void);

#endif
