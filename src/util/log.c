/* log.c -- see log.h. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "util/clock.h"

static const char *log_name = "meshwalk";

static __thread int64_t window_start;
static __thread unsigned window_lines;
static __thread unsigned suppressed;

void log_set_name(const char *who)
{
	log_name = who;
}

static void emit(const char *line, int n)
{
	ssize_t rc = write(STDERR_FILENO, line, (size_t)n);

	(void)rc; /* nowhere left to report a failing stderr */
}

void log_msg(const char *fmt, ...)
{
	char line[512];
	int64_t now = clock_now_ns();
	int n;
	va_list ap;

	if (now - window_start >= NSEC_PER_SEC) {
		if (suppressed > 0) {
			n = snprintf(line, sizeof line, "%s: %u messages suppressed\n", log_name,
				     suppressed);
			emit(line, n < (int)sizeof line ? n : (int)sizeof line - 1);
		}
		window_start = now;
		window_lines = 0;
		suppressed = 0;
	}
	if (++window_lines > LOG_BURST) {
		suppressed++;
		return;
	}
	n = snprintf(line, sizeof line, "%s: ", log_name);
	va_start(ap, fmt);
	n += vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (n > (int)sizeof line - 2)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	emit(line, n);
}
