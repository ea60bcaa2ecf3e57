/* sample.c -- see sample.h. */
#include "stats/sample.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void sample_sort(double *x, size_t n)
{
	if (n > 1)
		qsort(x, n, sizeof *x, cmp_double);
}

size_t sample_rank(size_t n, double p)
{
	long double r;
	size_t k;

	if (n == 0)
		return 0;
	if (!(p > 0))
		return 1;
	if (p >= 100)
		return n;
	/* The same rank as hist_percentile(): p such as 99.9 is a hair above
	 * the decimal it means, and without the forgiveness ceil() would step
	 * to the next sample whenever p * n is meant to be whole. */
	r = (long double)p / 100 * n;
	r -= r * 1e-14L;
	k = (size_t)ceill(r);
	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return k;
}

double sample_percentile(const double *sorted, size_t n, double p)
{
	return n ? sorted[sample_rank(n, p) - 1] : 0;
}

double sample_mean(const double *x, size_t n)
{
	long double s = 0;

	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	return (double)(s / n);
}

double sample_stddev(const double *x, size_t n)
{
	long double m, s = 0;

	if (n < 2)
		return 0;
	m = sample_mean(x, n);
	for (size_t i = 0; i < n; i++)
		s += (x[i] - m) * (x[i] - m);
	return (double)sqrtl(s / n);
}
