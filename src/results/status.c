/* status.c -- see status.h. */
#include "results/status.h"

#include <string.h>

static const char *const words[RESULTS_NSTATUS] = { "ok", "error", "timeout", "lost", "unsent" };

const char *results_status_word(enum results_status s)
{
	return (unsigned)s < RESULTS_NSTATUS ? words[s] : "?";
}

int results_status_parse(const char *word)
{
	for (int s = 0; s < RESULTS_NSTATUS; s++)
		if (strcmp(word, words[s]) == 0)
			return s;
	return -1;
}

const char *results_run_status(int interrupted, int rc)
{
	return interrupted ? "interrupted" : rc == 0 ? "ok" : "failed";
}
