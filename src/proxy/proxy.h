/* proxy.h -- `meshwalk proxy`: a layer-4 TCP forwarder and load balancer.
 *
 * Contract: proxy_run() listens on one address and relays every accepted
 * connection, byte for byte in both directions, to one backend chosen per
 * connection: round-robin, least-connections (fewest relayed connections
 * open, ties in list order), or first (the first backend that accepts). This
 * is DistWalk's dw_proxy role: put a balancer between clients and a pool of
 * nodes (client sessions, --ns, are what gets balanced), or a hop whose
 * presence itself is measured. It knows nothing of meshwalk's frames, so it
 * relays any TCP protocol (it reads no frames and does not use proto/frame:
 * under the ends' --auth-key-file, tags pass through unchecked and the client
 * and node verify them). A backend that refuses or fails to connect is
 * skipped for that connection (round-robin and first try the next one;
 * least-connections the next best); when none accepts, the client's
 * connection is closed. Half-closes are passed on (a client that shuts down
 * its sending side still receives the replies). Serves until SIGINT/SIGTERM,
 * then writes its counters (stderr line, and JSON to stats_file).
 * dw_proxy's knobs: delay_us holds every chunk a client sends for that long
 * before relaying it (one delay per round trip; replies are not held), and
 * frag cuts every relayed chunk into send()s of at most frag bytes.
 * Threads: one thread, one epoll loop; memory is two 64 KiB buffers per
 * relayed connection, allocated while it is open.
 * Errors: returns 0 after a clean stop, or -errno with e filled when it could
 * not start. */
#ifndef MW_PROXY_PROXY_H
#define MW_PROXY_PROXY_H

#include <stdbool.h>
#include <stdint.h>

#include "net/sock.h"
#include "util/err.h"

#define PROXY_MAX_BACKENDS 64

enum proxy_policy {
	PROXY_ROUNDROBIN = 0,
	PROXY_LEASTCONN = 1,
	PROXY_FIRST = 2,
};

struct proxy_config {
	struct sock_addr bind;                         /* where to listen */
	struct sock_addr backends[PROXY_MAX_BACKENDS]; /* where to relay */
	int nbackends;
	enum proxy_policy policy;
	uint64_t connect_timeout_us;                   /* per backend attempt */
	uint64_t delay_us;                             /* -d: hold requests this long */
	size_t frag;                                   /* -f: bytes per send(), 0 = any */
	const char *port_file;                         /* or NULL */
	const char *stats_file;                        /* or NULL */
	bool quiet;
};

int proxy_policy_parse(const char *s, enum proxy_policy *out);
int proxy_run(const struct proxy_config *c, struct err *e);

#endif
