/* pacer.c -- see pacer.h. */
#include "client/pacer.h"

#include <math.h>

#include "util/clock.h"

/* Rates at or below this are treated as "send nothing during this step". */
#define MIN_RATE 1e-9

static double step_rate(const struct pacer *p, struct rng *rng, uint64_t step)
{
	return spec_sample(p->spec, rng, step);
}

void pacer_init(struct pacer *p, enum pacer_mode mode, const struct spec *spec, double step_secs,
		int64_t start, struct rng *rng)
{
	p->mode = mode;
	p->spec = spec;
	p->step_ns = (int64_t)(step_secs * NSEC_PER_SEC);
	p->start = start;
	p->next = start;
	p->i = 0;
	p->step = 0;
	p->step_rate = mode == PACER_RATE_STEPS ? step_rate(p, rng, 0) : 0;
}

int64_t pacer_next(struct pacer *p, struct rng *rng, int64_t now)
{
	int64_t t = p->next;
	double gap_ns;

	switch (p->mode) {
	case PACER_CLOSED:
		p->i++;
		/* Not before the common start: 't' is never negative, and the
		 * threads of a closed-loop run begin together. */
		return now > p->start ? now : p->start;
	case PACER_PERIOD:
		gap_ns = spec_sample(p->spec, rng, p->i) * NSEC_PER_USEC;
		break;
	case PACER_RATE: {
		double r = spec_sample(p->spec, rng, p->i);

		gap_ns = r > MIN_RATE ? NSEC_PER_SEC / r : NSEC_PER_SEC;
		break;
	}
	case PACER_RATE_STEPS:
	default:
		/* A step with no rate sends nothing: jump to the next step. */
		while (p->step_rate <= MIN_RATE) {
			p->step++;
			t = p->start + (int64_t)p->step * p->step_ns;
			p->step_rate = step_rate(p, rng, p->step);
		}
		gap_ns = NSEC_PER_SEC / p->step_rate;
		break;
	}
	if (!(gap_ns >= 0))
		gap_ns = 0;
	p->next = t + (int64_t)llround(gap_ns);
	p->i++;
	if (p->mode == PACER_RATE_STEPS) {
		uint64_t step = (uint64_t)((p->next - p->start) / p->step_ns);

		if (step != p->step) {
			/* Crossing into a new step: its first request is at the step's
			 * start or one gap of the new rate after the last one, whichever
			 * is later, so a ramp never bunches requests at the boundary. */
			p->step = step;
			p->step_rate = step_rate(p, rng, step);
			int64_t boundary = p->start + (int64_t)step * p->step_ns;
			if (p->step_rate > MIN_RATE) {
				int64_t alt = t + (int64_t)llround(NSEC_PER_SEC / p->step_rate);
				p->next = alt > boundary ? alt : boundary;
			} else {
				p->next = boundary;
			}
		}
	}
	return t;
}

uint64_t pacer_auto_count(enum pacer_mode mode, const struct spec *spec, double step_secs)
{
	uint64_t len = spec ? spec_length(spec) : 0;

	if (len == 0)
		return 0;
	if (mode != PACER_RATE_STEPS)
		return len;
	/* One step per element: rate * duration requests each (sequences and
	 * files are deterministic, so no rng is needed). */
	double total = 0;
	struct rng unused;

	rng_seed(&unused, 0, 0);
	for (uint64_t k = 0; k < len; k++) {
		double r = spec_sample(spec, &unused, k);

		if (r > 0)
			total += floor(r * step_secs + 0.5);
	}
	return (uint64_t)total;
}
