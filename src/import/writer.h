/* writer.h -- the scenario `meshwalk import -o FILE` writes from a fitted
 * model (import/model.h): one service per traced service (and per leaf
 * service known only from client spans), one route per operation, a client
 * group per entry operation with its share of the observed arrival rate, and
 * network links between services with the observed network time.
 *
 * A route's program: its plans, most frequent first (at most max_plans; the
 * executions of the others are left out, counted in a comment and a
 * warning), as one --choice group weighted by their counts when there are
 * several; each plan is its stages in order: a compute segment as -C (CPU),
 * --sleep (off CPU) or both (a CPU fraction), with an emp: distribution of
 * the observed segment times (at most emp_values quantiles); a group of one
 * call as -F {svc},route=OP, of several as branch forwards (concurrent, all
 * awaited); request sizes as ps=, the route's reply size as -R, both emp:.
 * Network time per service pair (client span - server span) becomes a
 * link's delay each way: of half its mean and half its variance, less the
 * clone's own hop (net_base), by import/netbase.h's rule. Names are made safe for scenarios
 * (letters, digits, '-', '_', '.'; at most 64 characters; unique), sorted,
 * and every number comes with a comment saying where it came from. Output
 * is deterministic: the same input writes the same file.
 * Services that call each other in a cycle cannot start (each starts after
 * the services it calls): the calls that close a cycle are left out, with a
 * warning naming them (writer_call_cut()).
 * Ownership: the caller's. Threads: one. Errors: -EINVAL with a message
 * when the model cannot be written as a scenario (nothing imported; a route
 * whose most frequent plan alone exceeds what a node runs). */
#ifndef MW_IMPORT_WRITER_H
#define MW_IMPORT_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "import/model.h"
#include "import/netbase.h"
#include "import/spans.h"
#include "util/err.h"

/* A service's own emulation choices: the CPU fraction of its compute
 * segments (1: -C only, 0: --sleep only) when has_cpu, and the working set of
 * its -C ops (ws=, bytes) when wset is not 0. */
struct writer_self {
	const char *service; /* the traced name */
	double cpu;
	bool has_cpu;
	uint64_t wset;
};

struct writer_opts {
	const char *const *files;   /* the inputs, for the header */
	const char *const *formats; /* the reader each used */
	int nfiles;
	double rate;       /* total req/s; 0: the observed rate */
	uint64_t requests; /* total requests of the client groups */
	double cpu;        /* default CPU fraction of traced services (1) */
	double leaf_cpu;   /* of leaf services (0) */
	uint64_t wset;     /* working set of traced services' -C ops (ws=); 0: none */
	const struct writer_self *self; /* per-service overrides */
	int nself;
	uint32_t emp_values; /* most values of an emp: spec */
	/* what the clone's own hop adds to a call's network time, per edge
	 * (import/netbase.h: taken off the links by its rule); NULL: nothing */
	const struct netbase *net_base;
	bool net_auto; /* no link between services whose calls meshwalk recorded */
	uint32_t max_plans;  /* most plans per route */
};

void writer_opts_init(struct writer_opts *o);

/* The scenario's service (or route) name for a traced name: safe characters
 * only, at most 64 of them. */
void writer_safe_name(const char *in, char *out, size_t cap);

/* Writes the scenario. */
int writer_write(const struct model *m, const struct import *im, const struct writer_opts *o,
		 FILE *f, struct err *e);

/* How many of route ri's plans the writer keeps: the max_plans most
 * frequent, fewer when the program would exceed what a node runs (4096 ops
 * per program); with prog, the program text too (the caller frees it).
 * UINT32_MAX with a message when not even one plan fits. */
struct writer_names;
uint32_t writer_plans_kept(const struct model *m, const struct writer_names *nm,
			   const struct writer_opts *o, uint32_t ri, char **prog, struct err *e);

/* The client group name the writer gives entry route r (its service and
 * route names joined by '.'), into out: validate matches results by it. */
struct writer_names *writer_names_new(const struct model *m);
const char *writer_service_name(const struct writer_names *n, uint32_t svc);
const char *writer_route_name(const struct writer_names *n, uint32_t route);
const char *writer_group_name(const struct writer_names *n, uint32_t route);
void writer_names_free(struct writer_names *n);
/* Whether calls from one service to another are left out because they
 * close a cycle of services (see writer.c: a depth-first search in name
 * order finds them; the header names each). */
bool writer_call_cut(const struct writer_names *n, uint32_t from_svc, uint32_t to_svc);

#endif
