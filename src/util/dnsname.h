/* dnsname.h -- host names as forward targets carry them (RFC 1123).
 *
 * Contract: dns_name_check() accepts what a forward may name and a resolver
 * will look up: 1..DNS_NAME_MAX bytes of dot-separated labels, each 1..63
 * letters, digits and '-', neither starting nor ending with '-'; the last
 * label is not all digits (so "10.1.2" is never taken for a name: RFC 3696
 * section 2), and there is no trailing dot (the name travels into Host and
 * :authority as written). dns_name_reserved_invalid() says whether a name is
 * under the TLD "invalid", which RFC 6761 reserves: resolvers answer it
 * "no such name" without a query.
 * Threads: pure functions.
 * Errors: dns_name_check() returns 0 or -EINVAL with e filled (the name is
 * quoted only as far as it is printable). */
#ifndef MW_UTIL_DNSNAME_H
#define MW_UTIL_DNSNAME_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"

#define DNS_NAME_MAX 253  /* longest name in text form (RFC 1035's 255 on the wire) */
#define DNS_LABEL_MAX 63

int dns_name_check(const char *name, size_t len, struct err *e);
bool dns_name_reserved_invalid(const char *name, size_t len);

#endif
