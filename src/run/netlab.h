/* netlab.h -- the emulated network of a run: one network namespace per node,
 * each joined by a veth pair to one bridge, rates shaped with tbf.
 *
 * Contract: netlab_open() picks an address space 10.X.0.0/16 that this
 * machine does not route yet (X from 200 to 254), creates the bridge
 * mwbr<pid> holding 10.X.0.1/16 in the caller's namespace, and logs every
 * command it runs to log_path. netlab_add_host() creates the namespace
 * mw<pid>-<n> with loopback up and the end mw<pid>p<n> of a veth pair
 * holding the host's address; the other end, mw<pid>v<n>, joins the bridge.
 * With a rate, the inner end gets a tbf qdisc: it shapes what the host
 * sends (egress, as a NIC's line rate would). netlab_enter() is for a
 * forked child: it moves the calling process into host n's namespace
 * before it execs the node. netlab_close() deletes every namespace (their
 * veth pairs go with them) and the bridge; it is safe to call on a
 * partly built lab, and more than once.
 * netlab_find_all() and netlab_delete() are for what a killed run left:
 * they list and delete objects by those names, whoever made them (the
 * caller decides whether their run is gone: run/leftovers.h).
 * Commands are iproute2's `ip` and `tc` (Debian package iproute2); root
 * (CAP_NET_ADMIN, CAP_SYS_ADMIN) is needed.
 * Ownership: the lab owns its names; the caller owns the struct.
 * Threads: one thread. Errors: -errno / -EINVAL with e naming the command
 * that failed and where its output went. */
#ifndef MW_RUN_NETLAB_H
#define MW_RUN_NETLAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

struct netlab_host {
	char ns[32];          /* namespace name */
	char outer[16];       /* veth end on the bridge */
	char inner[16];       /* veth end in the namespace */
	char addr[48];        /* the host's IPv4 address */
	int ns_fd;            /* open /run/netns/NAME, for setns(); -1 */
};

struct netlab {
	int subnet;           /* X of 10.X.0.0/16; 0 when not open */
	char bridge[16];
	char log_path[600];
	struct netlab_host *hosts;
	size_t nhosts;
	bool bridge_made;
};

/* Whether this process may build a lab (root, iproute2 present). */
bool netlab_possible(void);
int netlab_open(struct netlab *lab, const char *log_path, struct err *e);
/* "10.X.A.B" for host (a, b) of the address plan (a, b in 1..254). */
void netlab_addr(const struct netlab *lab, int a, int b, char *buf, size_t len);
/* Adds a host with address addr; rate_bps 0 = not shaped. Returns its index or -errno. */
int netlab_add_host(struct netlab *lab, const char *addr, uint64_t rate_bps, struct err *e);
/* In a child before exec: joins host i's namespace. 0 or -errno. */
int netlab_enter(const struct netlab *lab, size_t i);
void netlab_close(struct netlab *lab);

enum netlab_kind { NETLAB_NETNS, NETLAB_LINK };
/* Calls fn for every namespace and every link of the caller's namespace
 * named as a lab names them (mw<PID>-<N>; mwbr<PID>, mw<PID>v<N>,
 * mw<PID>p<N>), with the PID in the name. */
void netlab_find_all(void (*fn)(enum netlab_kind kind, const char *name, long pid, void *arg),
		     void *arg);
/* Deletes one such object (`ip netns del` / `ip link del`), the command and
 * its output appended to log_path (NULL: on stdout and stderr). Refuses
 * any other name. 0 or -EINVAL. */
int netlab_delete(enum netlab_kind kind, const char *name, const char *log_path, struct err *e);

#endif
