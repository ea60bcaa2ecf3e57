/* allowlist.c -- see allowlist.h. Rules are few (a handful of lab prefixes),
 * so a linear scan is both the simplest and the fastest match. */
#include "net/allowlist.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

void allowlist_init(struct allowlist *l)
{
	memset(l, 0, sizeof *l);
}

void allowlist_free(struct allowlist *l)
{
	free(l->rules);
	allowlist_init(l);
}

static void push(struct allowlist *l, const uint8_t addr[16], unsigned prefix, uint16_t port)
{
	struct allow_rule *r;

	l->rules = xrealloc(l->rules, (l->n + 1) * sizeof *l->rules);
	r = &l->rules[l->n++];
	memcpy(r->addr, addr, 16);
	r->prefix = (uint8_t)prefix;
	r->port = port;
}

static void v4_mapped(uint8_t out[16], const void *v4)
{
	memset(out, 0, 10);
	out[10] = out[11] = 0xff;
	memcpy(out + 12, v4, 4);
}

/* One rule: ADDR[/BITS], ADDR:PORT, [V6ADDR]:PORT or [V6ADDR/BITS]. */
static int add_one(struct allowlist *l, char *tok, struct err *e)
{
	char *addr = tok, *bits = NULL, *port = NULL;
	uint8_t a[16];
	unsigned max, prefix;
	unsigned long p = 0;
	bool v6;

	if (strcmp(tok, "any") == 0) {
		l->any = true;
		return 0;
	}
	if (*tok == '[') {
		char *close = strchr(tok, ']');

		if (close == NULL)
			return err_set(e, "'%s': missing ']'", tok);
		*close = '\0';
		addr = tok + 1;
		if (close[1] == ':')
			port = close + 2;
		else if (close[1] != '\0')
			return err_set(e, "'%s]%s': expected :PORT after ']'", tok, close + 1);
	} else if (strchr(tok, ':') == strrchr(tok, ':') && strchr(tok, ':') != NULL) {
		port = strchr(tok, ':'); /* exactly one ':': IPv4 with a port */
		*port++ = '\0';
	}
	bits = strchr(addr, '/');
	if (bits)
		*bits++ = '\0';
	v6 = strchr(addr, ':') != NULL;
	if (v6) {
		if (inet_pton(AF_INET6, addr, a) != 1)
			return err_set(e, "'%s' is not an IPv6 address", addr);
		max = 128;
	} else {
		struct in_addr v4;

		if (inet_pton(AF_INET, addr, &v4) != 1)
			return err_set(e, "'%s' is not an IPv4 address (names are not resolved here)",
				       addr);
		v4_mapped(a, &v4);
		max = 32;
	}
	prefix = max;
	if (bits) {
		char *end;
		unsigned long b = strtoul(bits, &end, 10);

		if (*bits == '\0' || *end != '\0' || b > max)
			return err_set(e, "'/%s': expected a prefix length from 0 to %u", bits, max);
		prefix = (unsigned)b;
	}
	if (port) {
		char *end;

		p = strtoul(port, &end, 10);
		if (*port == '\0' || *end != '\0' || p == 0 || p > 65535)
			return err_set(e, "'%s': expected a port from 1 to 65535", port);
	}
	push(l, a, v6 ? prefix : prefix + 96, (uint16_t)p);
	return 0;
}

int allowlist_add(struct allowlist *l, const char *text, struct err *e)
{
	char *copy = xstrdup(text), *rest = copy, *tok;
	int rc = 0;

	while (rc == 0 && (tok = strsep(&rest, ",")) != NULL) {
		if (*tok == '\0')
			continue;
		rc = add_one(l, tok, e);
	}
	free(copy);
	return rc < 0 ? -EINVAL : 0;
}

void allowlist_default(struct allowlist *l)
{
	static const char *const lab[] = {
		"127.0.0.0/8", "::1", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
		"fc00::/7", "fe80::/10",
	};
	struct err e;

	for (size_t i = 0; i < sizeof lab / sizeof lab[0]; i++)
		allowlist_add(l, lab[i], &e); /* constants: cannot fail */
}

static bool prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits)
{
	unsigned bytes = bits / 8, rem = bits % 8;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (rem == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rem));
	return (a[bytes] & mask) == (b[bytes] & mask);
}

bool allowlist_allows(const struct allowlist *l, const struct sockaddr *sa)
{
	uint8_t a[16];
	uint16_t port;

	if (l->any)
		return true;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)sa;

		v4_mapped(a, &s->sin_addr);
		port = ntohs(s->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;

		memcpy(a, &s->sin6_addr, 16);
		port = ntohs(s->sin6_port);
	} else {
		return false;
	}
	for (size_t i = 0; i < l->n; i++)
		if (prefix_match(a, l->rules[i].addr, l->rules[i].prefix) &&
		    (l->rules[i].port == 0 || l->rules[i].port == port))
			return true;
	return false;
}
