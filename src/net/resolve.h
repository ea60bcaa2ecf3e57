/* resolve.h -- host names resolved off the event loop, with a cache.
 *
 * Contract: a node's forward that names its target's host (wire.h's named
 * targets) is resolved when its connection opens. resolver_lookup()
 * answers from the cache when it holds a fresh answer (an address, or a
 * failure), and otherwise starts one lookup of the name (a blocking
 * getaddrinfo() on a detached thread of its own; one at a time per name, at
 * most RESOLVE_MAX_INFLIGHT at once, beyond which the name fails for
 * RESOLVE_TTL_FAIL_S) and says RESOLVE_PENDING: the caller's thread never
 * waits for DNS. When a lookup ends, its thread queues it and writes 1 to
 * the owner's wake eventfd; the owner then calls resolver_drain() on its own
 * thread, which files the answers in the cache and reports each name.
 *
 * Answers: the first IPv4 address, else the first IPv6 one (as
 * sock_addr_parse() picks, so "localhost" is 127.0.0.1), port 0. getaddrinfo
 * does not say a record's TTL, so an address is kept RESOLVE_TTL_OK_S
 * seconds and a failure RESOLVE_TTL_FAIL_S (a name that does not resolve
 * costs one query per that many seconds, however many forwards name it).
 * Names under the TLD "invalid", reserved by RFC 6761, fail at once with no
 * query. At most RESOLVE_MAX_NAMES names are cached; a new one replaces the
 * entry that expires first (never one being looked up).
 * Threads: one owner thread calls everything; the lookup threads share only
 * the queue of finished lookups and the count of running ones, under a mutex.
 * Ownership: resolver_free() may run while lookups are in flight: they are
 * abandoned, and the last one's notification frees what is left; wake_fd
 * must stay open until resolver_free() returns (it is never written after).
 * Errors: lookups that fail are answers (RESOLVE_FAILED with the reason). */
#ifndef MW_NET_RESOLVE_H
#define MW_NET_RESOLVE_H

#include <stddef.h>
#include <sys/socket.h>

#define RESOLVE_TTL_OK_S 30
#define RESOLVE_TTL_FAIL_S 5
#define RESOLVE_MAX_NAMES 256
#define RESOLVE_MAX_INFLIGHT 16 /* lookup threads of one resolver at once */

enum resolve_state {
	RESOLVE_OK = 0,      /* *ss holds the address */
	RESOLVE_FAILED = 1,  /* why holds the reason ("no such name", ...) */
	RESOLVE_PENDING = 2, /* a lookup runs: resolver_drain() reports its end */
};

struct resolver;

struct resolver *resolver_new(int wake_fd);
void resolver_free(struct resolver *r);

/* name: a checked DNS name (util/dnsname.h), NUL-terminated. */
enum resolve_state resolver_lookup(struct resolver *r, const char *name,
				   struct sockaddr_storage *ss, socklen_t *len, char *why,
				   size_t why_len);

/* Files every finished lookup in the cache, then calls done(ctx, name) for
 * each (done may call resolver_lookup(), which now answers from the
 * cache). */
void resolver_drain(struct resolver *r, void (*done)(void *ctx, const char *name), void *ctx);

#endif
