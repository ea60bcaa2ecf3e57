/* http1_int.h -- private to proto/http1*.c: the character classes of
 * HTTP/1.1's grammar, shared by the parser (http1.c), the writer
 * (http1_write.c) and percent-decoding (http1_text.c, which holds the table).
 * Threads: a constant table, read without initialisation. */
#ifndef MW_PROTO_HTTP1_INT_H
#define MW_PROTO_HTTP1_INT_H

#include <stdint.h>

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

#endif
