/* allowlist.h -- which addresses a node may forward to.
 *
 * Contract: a list of rules, each an address prefix (CIDR: 10.0.0.0/8,
 * fd00::/8, a bare address = one host) optionally tied to one port
 * (127.0.0.1:7892, [::1]:7892), or a word: `any`, `loopback` (127.0.0.0/8,
 * ::1), `private` (RFC 1918: 10/8, 172.16/12, 192.168/16; IPv6 unique-local
 * fc00::/7). An address is allowed when some rule matches it. IPv4-mapped
 * IPv6 addresses (::ffff:a.b.c.d) are matched as the IPv4 address they
 * carry, so a mapped address cannot slip past an IPv4 rule.
 * Special addresses -- link-local (169.254.0.0/16, fe80::/10) and the cloud
 * metadata services outside it (allowlist_is_special(), docs/security.md),
 * also inside IPv4-mapped and NAT64 (64:ff9b::/96) addresses -- match only a
 * rule naming that very address (a bare address, with or without a port),
 * never a prefix, `private` or `any`: they are the classic target of a
 * relayed request. A list used to match peers rather than to permit them
 * (--net-delay) clears `guarded` to match them like any other address.
 * allowlist_default() is what a node uses when --allow-forward is not given:
 * `loopback` alone. Private ranges are an explicit choice (`private`), and
 * `meshwalk run` gives its nodes the addresses the scenario made.
 * Ownership: the list owns its rules. Threads: read-only after parsing, so
 * any number of workers may match concurrently.
 * Errors: allowlist_add() returns -EINVAL with e saying which part is wrong. */
#ifndef MW_NET_ALLOWLIST_H
#define MW_NET_ALLOWLIST_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util/err.h"

struct allow_rule {
	uint8_t addr[16];  /* IPv4 as ::ffff:a.b.c.d */
	uint8_t prefix;    /* bits of addr that must match, 0..128 */
	uint16_t port;     /* 0 = any port */
};

struct allowlist {
	struct allow_rule *rules;
	size_t n;
	bool any;          /* `any`: everything allowed (special addresses aside) */
	bool guarded;      /* special addresses only when named exactly; set by init */
};

void allowlist_init(struct allowlist *l);
void allowlist_free(struct allowlist *l);
/* Adds the rules of a comma-separated list ("10.0.0.0/8,[::1]:7892,private"). */
int allowlist_add(struct allowlist *l, const char *text, struct err *e);
/* The default rules, described above. */
void allowlist_default(struct allowlist *l);
bool allowlist_allows(const struct allowlist *l, const struct sockaddr *sa);
/* Whether sa is a special address (link-local or cloud metadata), which a
 * guarded list allows only when a rule names it exactly. */
bool allowlist_is_special(const struct sockaddr *sa);

#endif
