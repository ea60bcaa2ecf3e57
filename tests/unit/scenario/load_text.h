/* load_text.h -- for the scenario unit tests: a scenario from a string.
 *
 * load_text() writes text to a temporary file, frees *s, loads the file into
 * it with scenario_load() and removes the file; returns scenario_load()'s
 * result. The scenario stays in *s for the test to inspect (free it in the
 * teardown). Include after cmocka.h. */
#ifndef MW_TESTS_SCENARIO_LOAD_TEXT_H
#define MW_TESTS_SCENARIO_LOAD_TEXT_H

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario/scenario.h"

static inline int load_text(const char *text, struct scenario *s, struct err *e)
{
	char path[] = "/tmp/mw-scenario-XXXXXX";
	int fd = mkstemp(path), rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	scenario_free(s);
	rc = scenario_load(path, NULL, 0, s, e);
	unlink(path);
	return rc;
}

#endif
