/* wset_bench.c -- what a COMPUTE's working set does to it (-C TIME,ws=SIZE):
 * cache lines touched per microsecond on the clock, for a working set that
 * fits the L1 cache (32 KiB), one past most last-level caches (64 MiB) and
 * a larger one (256 MiB), at the same duration, after one warm-up COMPUTE
 * each (the buffer's allocation is outside the timed run). Prints
 * "wset_lines_per_us_SIZE N" per size and the 32k/64m ratio. One run each:
 * a figure, not a verdict.
 * Usage: wset_bench [DURATION_US] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "exec/exec.h"

int main(int argc, char **argv)
{
	uint64_t us = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
	static const struct { const char *name; uint64_t bytes; } sizes[] = {
		{ "32k", 32 << 10 }, { "64m", 64ULL << 20 }, { "256m", 256ULL << 20 },
	};
	double rate[3];

	if (us == 0)
		return 1;
	for (int i = 0; i < 3; i++) {
		uint64_t lines;
		int64_t ns;

		exec_compute_ws(1000 * 1000, sizes[i].bytes, &lines); /* allocate, warm */
		ns = exec_compute_ws(us * 1000, sizes[i].bytes, &lines);
		rate[i] = ns > 0 ? (double)lines * 1000.0 / (double)ns : 0;
		printf("wset_lines_per_us_%s %.1f\n", sizes[i].name, rate[i]);
	}
	printf("wset_ratio_32k_over_64m %.2f\n", rate[1] > 0 ? rate[0] / rate[1] : 0);
	return 0;
}
