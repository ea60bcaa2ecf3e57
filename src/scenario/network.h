/* network.h -- a scenario's emulated network: per-service links and
 * per-pair links (docs/network.md).
 *
 * Contract: network_load() reads the top-level `network` key
 *   network:
 *     mode: auto              # auto | namespaces | loopback
 *     links:
 *       - between: [front, back]
 *         delay: 1ms          # a duration or a duration value spec
 *         jitter: 200us       # optional: delay is then uniform on delay +- jitter
 * and network_load_link() a service's `link` key
 *   link: { delay: 2ms, jitter: 500us, rate: 100mbit }
 * A service's link shapes everything its replicas send (delay and rate);
 * a pair link adds its delay to messages between the two
 * services, in both directions. Delays become the nodes' --net-delay rules
 * (the node holds its own output: no netem needed); rates become tbf
 * qdiscs on the replicas' veth pairs, which needs network namespaces.
 * network_resolve() checks service names once every service is loaded.
 * network_delay_spec() is the value spec text a link's delay stands for.
 * Ownership: network_free() releases what the loaders allocate.
 * Threads: not thread-safe, like the scenario.
 * Errors: 0 or -EINVAL with a message and the position in the file. */
#ifndef MW_SCENARIO_NETWORK_H
#define MW_SCENARIO_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "util/err.h"

/* Service k's replicas get the /24 prefix k + 1 of the run's address space. */
#define NETWORK_MAX_SERVICES 250

enum network_mode {
	NETWORK_AUTO = 0,       /* namespaces when root, else loopback (with a warning) */
	NETWORK_NAMESPACES,     /* one network namespace per node; fail without root */
	NETWORK_LOOPBACK,       /* one loopback address per node */
};

struct scenario_link {
	bool set;               /* the key was given */
	char *delay;            /* value spec text for --net-delay, or NULL */
	uint64_t rate_bps;      /* bits per second, 0 = not limited */
	int line;
};

struct scenario_pair_link {
	char *between[2];       /* service names */
	size_t svc[2];          /* their indexes, after network_resolve() */
	struct scenario_link link;
};

struct scenario_network {
	bool set;               /* the key was given */
	enum network_mode mode;
	struct scenario_pair_link *links;
	size_t nlinks;
	int line;
};

struct scenario;

int network_load(yaml_document_t *doc, yaml_node_t *n, struct scenario_network *out, struct err *e);
/* A service's `link` value; what names the service in messages. */
int network_load_link(yaml_document_t *doc, yaml_node_t *n, const char *what,
		      struct scenario_link *out, struct err *e);
/* Pair links name services of nodes (not balancers), two different ones, each pair once. */
int network_resolve(struct scenario *s, struct err *e);
/* Whether the scenario asks for any emulation (then every node gets an address of its own). */
bool network_used(const struct scenario *s);
/* "auto", "namespaces" or "loopback". */
const char *network_mode_name(enum network_mode m);
/* Parses a rate: 100mbit, 1gbit, 512kbit, 10mbps (bytes/s: x8), a bare number is bit/s. */
int network_parse_rate(const char *text, uint64_t *bps, struct err *e);

void network_free(struct scenario_network *n);
void network_link_free(struct scenario_link *l);

#endif
