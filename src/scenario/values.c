/* values.c -- see values.h. */
#include "scenario/values.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "spec/units.h"

int scenario_parse_int(const char *text, long min, long max, long *out, struct err *e, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max)
		return err_set(e, "%s: expected a whole number from %ld to %ld, got '%s'", what, min,
			       max, text);
	*out = v;
	return 0;
}

int scenario_parse_u64(const char *text, uint64_t *out, struct err *e, const char *what)
{
	char *end;

	errno = 0;
	if (strchr(text, '-'))
		return err_set(e, "%s: expected a non-negative number, got '%s'", what, text);
	*out = strtoull(text, &end, 0);
	if (errno || end == text || *end)
		return err_set(e, "%s: expected a number, got '%s'", what, text);
	return 0;
}

int scenario_parse_share(const char *text, double *out, struct err *e)
{
	char *end;

	errno = 0;
	*out = strtod(text, &end);
	if (errno || end == text || *end || !(*out >= 0 && *out <= 1))
		return err_set(e, "trace_sample: expected a share from 0 to 1, got '%s'", text);
	return 0;
}

int scenario_parse_delay(const char *text, int64_t *ns, struct err *e)
{
	double us;

	if (units_parse(text, SPEC_TIME, &us, e) < 0 || us < 0 || us > 86400e6)
		return err_set(e, "delay: expected a duration such as 500ms, got '%s'", text);
	*ns = (int64_t)(us * 1000);
	return 0;
}
