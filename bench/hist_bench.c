/* hist_bench.c -- cost of recording one latency sample, in ns.
 *
 * Records N values spread like latencies (log-uniform from 1 us to 100 ms,
 * drawn beforehand so the draw is not timed) into one histogram and prints
 * "hist_record_ns <mean ns per sample>". Also times the percentile query.
 * Usage: hist_bench [N] */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "spec/rng.h"
#include "stats/hist.h"
#include "util/clock.h"
#include "util/xalloc.h"

int main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000;
	uint64_t *vals = xmalloc(n * sizeof *vals), sink = 0;
	struct hist *h;
	struct rng r;
	int64_t t0, t1;

	if (n == 0 || hist_create(&h) < 0)
		return 1;
	rng_seed(&r, 1, 0);
	for (size_t i = 0; i < n; i++)
		vals[i] = (uint64_t)(1e3 * pow(1e5, rng_uniform(&r)));
	t0 = clock_now_ns();
	for (size_t i = 0; i < n; i++)
		hist_record(h, vals[i]);
	t1 = clock_now_ns();
	printf("hist_record_ns %.2f\n", (double)(t1 - t0) / (double)n);
	t0 = clock_now_ns();
	for (int i = 0; i < 1000; i++)
		sink += hist_percentile(h, 99.0 + i * 0.0009);
	t1 = clock_now_ns();
	printf("hist_percentile_us %.2f\n", (double)(t1 - t0) / 1000 / 1e3);
	printf("hist_memory_bytes %zu\n", hist_memory());
	hist_destroy(h);
	free(vals);
	return sink == 0; /* keep the queries from being optimised away */
}
