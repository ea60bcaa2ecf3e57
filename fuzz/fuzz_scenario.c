/* fuzz_scenario.c -- the scenario loader (YAML via libyaml, then meshwalk's
 * keys, {svc} expansion and validation) on arbitrary files. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "scenario/scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/meshwalk-fuzz-scenario-XXXXXX";
	struct scenario s;
	struct err e;
	int fd;

	if (size > 65536)
		return 0;
	fd = mkstemp(path);
	if (fd < 0 || write(fd, data, size) != (ssize_t)size)
		abort();
	close(fd);
	scenario_load(path, NULL, 0, &s, &e);
	scenario_free(&s); /* the contract: also after a failed load */
	unlink(path);
	return 0;
}
