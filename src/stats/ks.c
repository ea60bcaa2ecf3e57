/* ks.c -- see ks.h.
 *
 * Two series for one function. The alternating series for Q(lambda) has
 * terms exp(-2 k^2 lambda^2): at lambda = 1.18 the second term is already
 * 1.5e-5 of the first and the fifth below 1e-21, but at lambda = 0.2 it needs
 * dozens of terms that cancel each other. The theta series for
 * P(K <= lambda) behaves the other way round (its terms are
 * exp(-(2k-1)^2 pi^2 / (8 lambda^2))), so each is used where it is fast and
 * exact; 1.18 is about where both need the same handful of terms. Below
 * lambda = 0.04 P is smaller than 1e-300, so Q is 1 to double precision. */
#include "stats/ks.h"

#include <math.h>

#define KS_SWITCH 1.18

double ks_q(double lambda)
{
	double sum = 0;

	if (!(lambda > 0.04))
		return 1;
	if (lambda < KS_SWITCH) {
		double c = -M_PI * M_PI / (8 * lambda * lambda);

		for (int k = 1; k < 64; k++) {
			double t = exp(c * (2 * k - 1) * (2 * k - 1));

			sum += t;
			if (t < 1e-17 * sum)
				break;
		}
		return 1 - sqrt(2 * M_PI) / lambda * sum;
	}
	for (int k = 1; k < 64; k++) {
		double t = exp(-2.0 * k * k * lambda * lambda);

		sum += (k & 1) ? t : -t;
		if (t < 1e-17 * fabs(sum))
			break;
	}
	return 2 * sum < 0 ? 0 : 2 * sum;
}

double ks_distance(const double *a, size_t na, const double *b, size_t nb, double *at)
{
	size_t i = 0, j = 0;
	double d = 0;

	if (at)
		*at = NAN;
	if (na == 0 || nb == 0)
		return 0;
	/* Walk both sorted samples in value order; after stepping over every
	 * copy of the next value in either sample, i/na and j/nb are the two
	 * empirical CDFs at that value. Once one sample is exhausted its CDF
	 * is 1 and the gap can only shrink, so the loop may stop there. */
	while (i < na && j < nb) {
		double v = a[i] < b[j] ? a[i] : b[j];
		double g;

		while (i < na && a[i] == v)
			i++;
		while (j < nb && b[j] == v)
			j++;
		g = fabs((double)i / na - (double)j / nb);
		if (g > d) {
			d = g;
			if (at)
				*at = v;
		}
	}
	return d;
}

double ks_pvalue(double d, size_t na, size_t nb)
{
	double m, s;

	if (na == 0 || nb == 0)
		return 1;
	m = (double)na * nb / ((double)na + nb);
	s = sqrt(m);
	return ks_q((s + 0.12 + 0.11 / s) * d);
}
