/* netbase.h -- the network baseline of a clone: what its own hop adds to a
 * call's network time (client span - server span) on top of the link that
 * emulates the original's, per call edge as a mean and a variance; and the
 * rule by which `meshwalk import` takes it off the observed network times
 * when it writes a link's delay (docs/import.md, "Links").
 *
 * The rule. A call of the clone spends, between its client and server
 * spans, its link's delay each way plus the clone's own transport and the
 * links' holds (the overhead O), which do not depend on the delay drawn.
 * For the clone's network time to have the original's mean m and variance
 * v, the link's round trip needs mean m - mean(O) and variance v - var(O)
 * (variances of independent parts add); the link draws each way apart, so
 * each way gets half of both. Each way's samples are the original's,
 * rescaled around their mean: a + s (x - m) with s = sqrt((v - var O) /
 * (2 v)) (0 when var O >= v), clipped at 0, and a chosen so that the
 * clipped samples keep the mean (m - mean O) / 2: the shape (skew, tail) is
 * the original's, the spread what is left for the link. When m <= mean O
 * there is nothing left: no link. Subtracting one figure from every sample
 * instead clips the shortest times at 0 and narrows the spread; drawing
 * half of each sample each way halves the variance.
 *
 * The baseline is measured by validate (validate_net(), validate.h): per
 * edge, the clone's mean and variance of network time minus the
 * original's. For a clone fitted with baseline B that is what remains of O
 * beyond B, so baselines add (netbase_add()): B plus the measured residual
 * is the next fit's (import --tune, or --net-baseline FILE repeated).
 * Moments are taken with the lowest and highest 1 % of samples clamped to
 * the 1st and 99th percentiles (netbase_moments()): one stall of a few ms
 * among hundreds of calls would otherwise make the variance of O exceed the
 * original's and take the link's whole spread away.
 * A baseline is applied as at least 0, mean and variance alike (a sum
 * can be negative: a residual): the clone's hop costs time, and an edge
 * where the clone's network time fell short of the original's (its emp:
 * list cut a heavy tail; the machine's load dropped between runs) is not
 * made up for by stretching every sample, which on a loaded machine's
 * traces (a network time of mean 19 ms, median 2 ms) made every call of
 * the clone wait 17 ms longer.
 * Edges are named by the scenario's service names (the clone's spans carry
 * them); an edge a baseline does not list gets its `mean_ns`/`var_ns2`
 * (the median over the edges measured).
 * Leaf edges: a call to a service known only from client spans (a
 * database) has no network time in the traces, its client span is the
 * leaf's whole time, which the clone's leaf waits (--sleep), and the clone
 * adds its hop to that with no link to take it off. A leaf edge's baseline
 * is the clone's call time minus the original's (mean, variance), taken
 * off the leaf's time by the same rule in one part (netbase_leaf_time());
 * leaf edges have no default (0 when not listed) and do not count in it.
 * Ownership: netbase_free() releases the edges and their names. Threads:
 * one. Errors: netbase_load(): -EINVAL or -errno with a message. */
#ifndef MW_IMPORT_NETBASE_H
#define MW_IMPORT_NETBASE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "util/err.h"

struct netbase_edge {
	char *from, *to; /* scenario service names */
	double mean_ns;  /* the clone's extra network time per call, mean */
	double var_ns2;  /* and variance (may be negative: a residual) */
	bool leaf;       /* a call to a leaf: the call's whole time (above) */
};

struct netbase {
	struct netbase_edge *e;
	uint32_t n;
	double mean_ns, var_ns2; /* for edges not listed */
};

void netbase_init(struct netbase *b);
void netbase_free(struct netbase *b);
/* Sets edge from -> to (added, or replaced). */
void netbase_set(struct netbase *b, const char *from, const char *to, double mean_ns,
		 double var_ns2);
/* The same of leaf edge from -> to. */
void netbase_set_leaf(struct netbase *b, const char *from, const char *to, double mean_ns,
		      double var_ns2);
/* The baseline of leaf service to: the mean of its leaf edges' (0, 0 when
 * none is listed). */
void netbase_leaf(const struct netbase *b, const char *to, double *mean_ns, double *var_ns2);
/* Edge from -> to's baseline, or the default for edges not listed. */
void netbase_get(const struct netbase *b, const char *from, const char *to, double *mean_ns,
		 double *var_ns2);
/* acc += src, edge by edge (an edge listed in one only takes the other's
 * default), defaults too. */
void netbase_add(struct netbase *acc, const struct netbase *src);
/* The "network" member of a `meshwalk validate --json` file: each edge's
 * extra_mean_us and extra_var_us2 (older files: extra_us, variance 0) and
 * leaf flag, the
 * default from the member's own (or median_extra_us). Added to b. */
int netbase_load(const char *path, struct netbase *b, struct err *e);
/* b as that member, in a JSON object netbase_load() reads back. */
void netbase_write(FILE *f, const struct netbase *b);

/* Mean and variance of sorted x[0..n) with the lowest and highest 1 %
 * clamped to the 1st and 99th percentiles (0 and 0 when n is 0). */
void netbase_moments(const double *x, uint32_t n, double *mean, double *var);
/* The rule above: of sorted round-trip network times x[0..n) (ns) and a
 * baseline (mean_ns, var_ns2), the link's delay samples each way into y
 * (n of them, sorted); returns n, or 0 when nothing is left for the link. */
uint32_t netbase_link(const double *x, uint32_t n, double mean_ns, double var_ns2, double *y);
/* The same in one part: of sorted leaf call times x[0..n), the leaf's own
 * time samples into y (n, sorted), or 0 when the hop leaves nothing. */
uint32_t netbase_leaf_time(const double *x, uint32_t n, double mean_ns, double var_ns2, double *y);

#endif
