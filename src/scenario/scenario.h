/* scenario.h -- a whole experiment in one YAML file: services and client groups.
 *
 * Contract: scenario_load() reads a scenario file (docs/scenario.md is the
 * reference) into a struct scenario:
 *   name: chain            # optional, names the results directory
 *   seed: 42               # optional; client group i runs with seed + i
 *   services:              # mapping, in file order
 *     front: { replicas: 1, node: "--nt 2" }
 *     shop:                # routes: installed on every replica (node --route)
 *       routes: { checkout: "-C 200us -F {pay},route=charge -R 1k" }
 *   balancers:             # optional: load balancers in front of a service
 *     web-lb: { service: web, policy: leastconn, kind: haproxy }
 *   clients:               # sequence, in file order
 *     - name: main
 *       to: front          # a service (its first replica), svc[i], or host:port
 *       args: "-C 200us -F {back} -R 1k -n 1000 -r 200"
 *       delay: 500ms       # start after the run starts (optional)
 *       route: checkout    # optional: requests name this route of `to`
 *   trace_sample: 0.01     # optional: share of requests traced (clients may
 *                          # set their own); docs/tracing.md
 *   network: { mode: auto, links: [...] }   # optional (scenario/network.h);
 *                          # services may have link: { delay, jitter, rate }
 * Services may also have resources: and serverless: (scenario/kube.h), used
 * by `meshwalk deploy` only, and services and the top level tls: (the files
 * of TLS services, scenario/tlsconf.h).
 * `node` and `args` are a string (split like a shell: blanks separate words,
 * '...' and "..." quote, \ escapes) or a sequence of strings. In client args and
 * `to`, {svc} becomes the comma-joined addresses of all replicas of svc and
 * {svc[i]} the address of replica i: substitution happens at run time, once
 * the nodes' ports are known (scenario_expand()). Route texts may hold the
 * same references; a service whose routes reference another service starts
 * after it (scenario_service.level), so references between routes must not
 * form a cycle, and may not name a balancer. Route texts are parsed at load
 * time (with placeholder addresses), so a bad route is a load error.
 * A service's route_prefix (op words that ops may follow: no open -F scope
 * or --choice group, no top-level -R) is put in front of each of its routes'
 * texts after the overrides and before the routes are checked; a prefix on a
 * service without routes is an error.
 * Overrides: scenario_set() applies "key=value" before validation, for the
 * keys name, seed, services.<svc>.<key> and clients.<group>.<key>.
 * Ownership: scenario_load() allocates; scenario_free() releases everything.
 * Threads: not thread-safe; one thread loads and uses a scenario.
 * Errors: scenario_load() returns 0, or -EINVAL with a message in e and
 * e->line/e->col set to the position in the file (1-based) when known.
 * Unknown keys, wrong types, duplicate names, references to services that do
 * not exist and replicas out of range are errors, never ignored. */
#ifndef MW_SCENARIO_SCENARIO_H
#define MW_SCENARIO_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scenario/kube.h"
#include "scenario/network.h"
#include "scenario/tlsconf.h"
#include "util/err.h"

#define SCENARIO_MAX_REPLICAS 64

struct scenario_sweep;

struct scenario_argv {
	char **v;     /* NULL-terminated */
	size_t n;
};

struct scenario_route {
	char *name;                 /* route name (1..64 of [A-Za-z0-9_.-]) */
	char *text;                 /* unexpanded program text */
	int line, col;              /* where the program text is */
};

/* What a service's nodes serve (`protocol:`); the last three over TLS. */
enum scenario_proto {
	SCENARIO_TCP = 0, SCENARIO_HTTP, SCENARIO_H2C, SCENARIO_GRPC,
	SCENARIO_SSL, SCENARIO_HTTPS, SCENARIO_GRPCS, SCENARIO_PROTO_MAX_
};

struct scenario_service {
	char *name;
	int replicas;               /* 1..SCENARIO_MAX_REPLICAS (a balancer: 1) */
	struct scenario_argv node;  /* extra `meshwalk node` options */
	int node_line, node_col;    /* where node is; 0 when set by --set or absent */
	int line, col;              /* where it was defined (its name) */
	/* A load balancer (from `balancers:`) is a service of one "replica"
	 * whose address is the balancer's: clients reach it as {name}. */
	char *balance;              /* the service it fronts; NULL for nodes */
	size_t backend;             /* index of that service (after loading) */
	char *policy;               /* roundrobin, leastconn or first */
	char *lb_kind;              /* haproxy or meshwalk */
	struct scenario_link link;  /* the service's own emulated link (network.h) */
	struct scenario_resources resources; /* Kubernetes requests = limits (kube.h) */
	struct scenario_serverless serverless; /* a Knative Service under deploy (kube.h) */
	struct scenario_route *routes; /* nroutes installed routes, in file order */
	size_t nroutes;
	/* `route_prefix`: op words run at the start of every one of the
	 * service's routes (a what-if: "-C 1ms" more work per request). Once the
	 * overrides are applied, scenario_load() puts it in front of each
	 * routes[].text, so whatever reads the routes runs it. NULL: none. */
	char *route_prefix;
	int prefix_line, prefix_col; /* where route_prefix is; 0 when set by --set */
	/* Start wave (after loading): 0 for a service whose routes reference no
	 * service, else 1 + the highest level of the services they reference.
	 * meshwalk run starts wave 0, waits until it listens, then wave 1... */
	int level;
	/* `protocol: http`, `h2c` or `grpc` (or a serverless service's Knative
	 * port: http1 is http, h2c is h2c, unless `protocol:` says otherwise):
	 * its nodes serve that front end (node -b http://, h2c://, grpc://) and
	 * {svc} references to it expand to SCHEME://ADDR, so its callers speak
	 * it (forwards to it name a route). A balancer speaks what the service
	 * it fronts speaks. */
	enum scenario_proto proto;
	int protocol_line, protocol_col; /* where protocol is; 0 when absent, -1 by --set */
	/* `protocol: ssl`, `https` or `grpcs`: the same over TLS (-b ssl://,
	 * https://, grpcs://), with the certificate `tls` names (tlsconf.h) or
	 * one meshwalk run makes; {svc} becomes ssl://, https://, grpcs://. */
	struct scenario_tls tls;
};

struct scenario_client {
	char *name;
	char *to;                   /* unexpanded */
	struct scenario_argv args;  /* unexpanded `meshwalk client` options and ops */
	int args_line, args_col;    /* where args is; 0 when set by --set or absent */
	int64_t delay_ns;
	char *route;                /* route requests name, or NULL */
	int route_line, route_col;  /* where route is */
	int line, col;              /* where the group's mapping starts */
	double trace_sample;        /* `trace_sample`: share of requests traced */
	bool has_trace_sample;      /* else the scenario's */
};

struct scenario {
	char *path;
	char *name;
	bool has_seed;
	uint64_t seed;
	struct scenario_service *services;
	size_t nservices;
	struct scenario_client *clients;
	size_t nclients;
	int max_level;              /* highest scenario_service.level */
	struct scenario_sweep *sweep; /* the `sweep` key (scenario/sweep.h), or NULL */
	struct scenario_network network; /* the `network` key (scenario/network.h) */
	double trace_sample;        /* `trace_sample`: every group's default share traced (0: off) */
	struct scenario_tls tls;    /* the top-level `tls` key (scenario/tlsconf.h) */
};

/* Loads and validates path, applying the overrides (each "key=value") first.
 * Call scenario_free(out) afterwards whether it succeeded or not: a failed
 * load may leave parts in *out. */
int scenario_load(const char *path, char *const *overrides, size_t noverrides,
		  struct scenario *out, struct err *e);

void scenario_free(struct scenario *s);

/* What svc (or the service a balancer fronts) speaks, as an address's
 * scheme: "" (meshwalk's protocol over TCP), "http://", "h2c://", "grpc://",
 * "ssl://", "https://", "grpcs://". */
const char *scenario_scheme(const struct scenario *s, const struct scenario_service *svc);
/* The scheme of a protocol (the same words). */
const char *scenario_proto_scheme(enum scenario_proto p);
/* The word `protocol:` gives for p ("tcp", "http", ... "grpcs"). */
const char *scenario_proto_name(enum scenario_proto p);
/* Whether p is spoken over TLS (ssl, https, grpcs). */
bool scenario_proto_tls(enum scenario_proto p);
/* Whether any service of s speaks TLS: its run makes and hands out
 * certificates (docs/tls.md). */
bool scenario_has_tls(const struct scenario *s);
/* The share of client group g's requests traced (docs/tracing.md): its
 * own trace_sample, else the scenario's. */
double scenario_trace_sample(const struct scenario *s, size_t g);
/* True when any group traces: every process of the run records spans. */
bool scenario_traced(const struct scenario *s);
/* The --seed of replica r of service i (services in file order, then
 * replicas; a deployment's replicas share their template: r = 0) for a
 * scenario seeded with seed: its client groups take seed + g, its nodes
 * seed + 1000 + the node's number, so that the seed moves the nodes' draws
 * (SKIP and --choice, a route's value specs) as it moves the clients'. */
uint64_t scenario_node_seed(const struct scenario *s, uint64_t seed, size_t i, int r);

/* The service called name, or NULL. */
const struct scenario_service *scenario_service(const struct scenario *s, const char *name);

/* Callback giving the address ("host:port") of replica i of service svc, or
 * NULL for i > 0 when replica 0's address stands for every replica (one
 * Kubernetes Service): {svc} then expands to that one address, {svc[i]} to it
 * too. */
typedef const char *scenario_addr_fn(const struct scenario_service *svc, int i, void *arg);

/* Expands {svc} and {svc[i]} in text into a new string (free() it); a bare
 * service name (the whole text, as in `to: front`) means its first replica.
 * Returns NULL with a message in e on an unknown service or replica. */
char *scenario_expand(const struct scenario *s, const char *text, bool bare_is_service,
		      scenario_addr_fn *addr, void *arg, struct err *e);

/* The route called name of service svc (or of the service a balancer
 * fronts), or NULL. */
const struct scenario_route *scenario_route(const struct scenario *s,
					    const struct scenario_service *svc, const char *name);

/* Splits text like a shell into *out (appending). Returns 0 or -EINVAL on an
 * unterminated quote. */
int scenario_split(const char *text, struct scenario_argv *out, struct err *e);

void scenario_argv_free(struct scenario_argv *a);

#endif
