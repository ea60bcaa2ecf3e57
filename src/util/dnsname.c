/* dnsname.c -- see dnsname.h. */
#include "util/dnsname.h"

#include <string.h>
#include <strings.h>

static bool label_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
}

int dns_name_check(const char *name, size_t len, struct err *e)
{
	size_t start = 0;
	bool digits = true; /* the current label is all digits so far */

	if (len == 0)
		return err_set(e, "empty host name");
	if (len > DNS_NAME_MAX)
		return err_set(e, "host name of %zu bytes, at most %d allowed", len, DNS_NAME_MAX);
	for (size_t i = 0; i <= len; i++) {
		if (i == len || name[i] == '.') {
			if (i == start)
				return err_set(e, "host name '%.*s' has an empty label at byte %zu%s",
					       (int)len, name, i,
					       i == len ? " (no trailing dot)" : "");
			if (i - start > DNS_LABEL_MAX)
				return err_set(e, "host name '%.*s': label of %zu bytes, at most %d",
					       (int)len, name, i - start, DNS_LABEL_MAX);
			if (name[start] == '-' || name[i - 1] == '-')
				return err_set(e, "host name '%.*s': a label starts or ends with '-'",
					       (int)len, name);
			if (i == len && digits)
				return err_set(e, "host name '%.*s' ends in an all-digit label: not a "
					       "name, and not an IPv4 address", (int)len, name);
			start = i + 1;
			digits = true;
			continue;
		}
		if (!label_char(name[i]))
			return err_set(e, "host name '%.*s' has byte 0x%02x at %zu (expected letters, "
				       "digits, '-' and '.')", (int)i, name, (unsigned char)name[i], i);
		if (name[i] < '0' || name[i] > '9')
			digits = false;
	}
	return 0;
}

bool dns_name_reserved_invalid(const char *name, size_t len)
{
	static const char tld[] = "invalid";
	size_t n = sizeof tld - 1;

	if (len < n || strncasecmp(name + len - n, tld, n) != 0)
		return false;
	return len == n || name[len - n - 1] == '.';
}
