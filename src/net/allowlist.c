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
	l->guarded = true;
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

/* The words that name sets of prefixes. */
static const struct {
	const char *word;
	const char *list;
} words[] = {
	{ "loopback", "127.0.0.0/8,::1" },
	{ "private", "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fc00::/7" },
};

/* One rule: a word, ADDR[/BITS], ADDR:PORT, [V6ADDR]:PORT or [V6ADDR/BITS]. */
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
	for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(tok, words[i].word) == 0)
			return allowlist_add(l, words[i].list, e);
	if (strpbrk(tok, "0123456789:") == NULL)
		return err_set(e, "unknown word '%s' (expected any, loopback, private or an address; "
			       "names are not resolved here)", tok);
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
	struct err e;

	allowlist_add(l, "loopback", &e); /* a constant: cannot fail */
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

/* sa as 16 bytes (IPv4 mapped) and its port; false for another family. */
static bool addr_of(const struct sockaddr *sa, uint8_t a[16], uint16_t *port)
{
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const struct sockaddr_in *)sa;

		v4_mapped(a, &s->sin_addr);
		*port = ntohs(s->sin_port);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;

		memcpy(a, &s->sin6_addr, 16);
		*port = ntohs(s->sin6_port);
		return true;
	}
	return false;
}

/* Link-local, and the metadata services that clouds document outside it:
 * Alibaba 100.100.100.200, Oracle Cloud Classic 192.0.0.192; IPv6: AWS
 * fd00:ec2::254 (and its EKS Pod Identity agent fd00:ec2::23), Google
 * fd20:ce::254, Scaleway fd00:42::42. An IPv4 address also counts inside an
 * IPv4-mapped or NAT64 (64:ff9b::/96, RFC 6052) address, which a NAT64
 * gateway would deliver to it. */
static bool special(const uint8_t a[16])
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
	static const uint8_t nat64[12] = { 0x00, 0x64, 0xff, 0x9b };
	static const uint8_t v6[][16] = {
		{ 0xfd, 0x00, 0x0e, 0xc2, [15] = 0x54, [14] = 0x02 }, /* fd00:ec2::254 */
		{ 0xfd, 0x00, 0x0e, 0xc2, [15] = 0x23 },              /* fd00:ec2::23 */
		{ 0xfd, 0x20, 0x00, 0xce, [15] = 0x54, [14] = 0x02 }, /* fd20:ce::254 */
		{ 0xfd, 0x00, 0x00, 0x42, [15] = 0x42 },              /* fd00:42::42 */
	};

	if (memcmp(a, mapped, 12) == 0 || memcmp(a, nat64, 12) == 0) {
		const uint8_t *v4 = a + 12;

		return (v4[0] == 169 && v4[1] == 254) ||
		       (v4[0] == 100 && v4[1] == 100 && v4[2] == 100 && v4[3] == 200) ||
		       (v4[0] == 192 && v4[1] == 0 && v4[2] == 0 && v4[3] == 192);
	}
	if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
		return true; /* fe80::/10 */
	for (size_t i = 0; i < sizeof v6 / sizeof v6[0]; i++)
		if (memcmp(a, v6[i], 16) == 0)
			return true;
	return false;
}

bool allowlist_is_special(const struct sockaddr *sa)
{
	uint8_t a[16];
	uint16_t port;

	return addr_of(sa, a, &port) && special(a);
}

bool allowlist_allows(const struct allowlist *l, const struct sockaddr *sa)
{
	uint8_t a[16];
	uint16_t port;

	if (!addr_of(sa, a, &port))
		return false;
	if (l->guarded && special(a)) {
		for (size_t i = 0; i < l->n; i++)
			if (l->rules[i].prefix == 128 && memcmp(a, l->rules[i].addr, 16) == 0 &&
			    (l->rules[i].port == 0 || l->rules[i].port == port))
				return true;
		return false;
	}
	if (l->any)
		return true;
	for (size_t i = 0; i < l->n; i++)
		if (prefix_match(a, l->rules[i].addr, l->rules[i].prefix) &&
		    (l->rules[i].port == 0 || l->rules[i].port == port))
			return true;
	return false;
}
