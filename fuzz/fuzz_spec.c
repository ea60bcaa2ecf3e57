/* fuzz_spec.c -- the value-spec parser (constants, distributions, sequences,
 * file columns) in each unit, then sampling: every input is either a clean
 * error or a spec that samples, formats and reports its length. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "spec/rng.h"
#include "spec/spec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum spec_unit units[] = { SPEC_TIME, SPEC_SIZE, SPEC_COUNT };
	char *text;

	if (size < 1 || size > 4096)
		return 0;
	text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
		struct spec *s;
		struct err e;

		if (spec_parse(text, units[(data[0] + u) % 3], &s, &e) < 0)
			continue;
		struct rng r;
		char buf[256];

		rng_seed(&r, data[0], u);
		for (uint64_t i = 0; i < 16; i++) {
			volatile double v = spec_sample(s, &r, i * 7919);
			(void)v;
		}
		spec_format(s, buf, sizeof buf);
		(void)spec_length(s);
		spec_destroy(s);
	}
	free(text);
	return 0;
}
