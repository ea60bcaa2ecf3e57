/* log.h -- diagnostic lines on stderr, rate limited.
 *
 * Contract: log_msg() writes one line "meshwalk <who>: <message>" to stderr
 * with a single write(2), so lines from several threads never interleave.
 * Each thread may emit at most LOG_BURST lines per second; beyond that lines
 * are counted and a "N messages suppressed" line follows when the limit
 * resets, so a flood of bad clients cannot turn the node into a log writer.
 * log_set_name() sets <who> ("node", "client") once at start-up.
 * Threads: safe from any thread (rate state is thread-local). */
#ifndef MW_UTIL_LOG_H
#define MW_UTIL_LOG_H

#define LOG_BURST 20

void log_set_name(const char *who);
void log_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
