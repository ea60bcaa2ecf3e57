/* http1_int.h -- private to proto/http1*.c: the character classes of
 * HTTP/1.1's grammar, shared by the parser (http1.c), the writer
 * (http1_write.c) and percent-decoding and field look-ups (http1_text.c,
 * which holds the table); and the case-insensitive comparison.
 * Threads: a constant table, read without initialisation. */
#ifndef MW_PROTO_HTTP1_INT_H
#define MW_PROTO_HTTP1_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The classes: tchar, field-vchar (with obs-text), hex digit, target byte. */
enum { C_TCHAR = 1, C_VALUE = 2, C_HEX = 4, C_TARGET = 8 };
extern const uint8_t http1_cls[256];

static inline int is(unsigned char c, int f)
{
	return http1_cls[c] & f;
}

static inline int hexval(unsigned char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/* Inlined so that b's length folds when b is a literal (the parser's field
 * names, per request). */
static inline __attribute__((always_inline)) bool ieq(const char *a, size_t alen, const char *b)
{
	size_t blen = strlen(b);

	if (alen != blen)
		return false;
	for (size_t i = 0; i < alen; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x |= 0x20;
		if (y >= 'A' && y <= 'Z')
			y |= 0x20;
		if (x != y)
			return false;
	}
	return true;
}

#endif
