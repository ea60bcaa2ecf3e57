/* validate.h -- how faithful a clone is: the fidelity report of `meshwalk
 * validate`, comparing a model fitted to the original traces with what the
 * scenario written from it did when run.
 *
 * Per entry operation (a client group of the written scenario, matched by
 * name: writer_group_name()): the original end-to-end latencies (the trace
 * roots' durations, a reservoir of the model) against the clone's, timed
 * where the original's were: where a load generator's client span timed
 * the roots, the group's successful requests (from their actual send, as
 * a client span is); where the roots are the entry's own spans (nothing
 * traced called it), the clone's entry spans when its run left spans (its
 * clients' figures would add the hop to the entry, which those roots do
 * not hold), else the group's requests with a note. Several runs pooled:
 * cli/validate_pool.h. The
 * Kolmogorov-Smirnov distance, p50, p90
 * and p99 of both and their relative errors, and the Wasserstein-1 distance
 * relative to the original median. Per service (topology): the requests its
 * nodes served against what the model predicts for the requests the clone's
 * groups completed (each plan's calls, weighted as the written --choice
 * groups weight them, followed down the call graph).
 * Checks and tolerances (validate_opts, docs/import.md): KS <= max_ks;
 * |p50|, |p90| relative errors <= max_err, |p99| <= 2 * max_err; each
 * service's requests within max(count_err * expected, 3 * sqrt(expected)) of
 * the expectation (3 standard deviations of a Poisson count). Per operation
 * (self time, validate_self.c; when the clone's spans are there): each
 * route's self time per execution (its compute segments summed) in the
 * traces against the same route's in the clone's spans fitted alike: p50
 * and p90 relative errors and the KS distance, reported, not checked (the
 * clone's nodes add their own cost); without spans the section says so.
 * Latency checks
 * need at least VALIDATE_MIN_SAMPLES on each side, else they are reported as
 * skipped. The verdict passes when every check that ran passed.
 * Ownership: the caller's. Threads: one. Errors: none (an entry without a
 * clone group fails its check). */
#ifndef MW_IMPORT_VALIDATE_H
#define MW_IMPORT_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "import/model.h"

#define VALIDATE_MIN_SAMPLES 20

struct validate_opts {
	double max_ks;    /* default 0.1 */
	double max_err;   /* relative, default 0.1 */
	double count_err; /* relative, default 0.1 */
	uint32_t max_plans; /* as written by the import (default 8) */
};

/* What the clone's run (or runs, pooled) left: per client group its
 * successful requests' latencies (us) and the requests it sent (whatever their answer: a request
 * that timed out at the client was still served); per service its nodes'
 * request counts (NAN: unknown). */
struct validate_clone {
	size_t ngroups;
	const char **group;
	double **lat;
	size_t *nlat;
	size_t *nsent;
	size_t nsvc;
	const char **svc;
	double *requests;
	/* the model fitted to the clone's own spans (a traced run's
	 * traces.otlp.jsonl), NULL when the run left none (spans_path: where
	 * they were looked for) */
	const struct model *spans;
	const char *spans_path;
	/* the clone's runs pooled (results directories: every group's
	 * latencies and sent requests, every service's requests and the
	 * spans of the traced ones together), nruns of them (0: one, not
	 * named), span_runs of them traced */
	const char *const *runs;
	size_t nruns, span_runs;
};

void validate_opts_init(struct validate_opts *o);

/* The clone's route of service svc and operation op (scenario names: the
 * clone's spans carry them) in the model fitted to its spans, or NULL. */
const struct model_route *validate_clone_route(const struct model *c, const char *svc,
						const char *op);

/* The per-operation self-time section (text, and the JSON object
 * "self_time" when json is not NULL). */
struct writer_names;
void validate_self_report(const struct model *m, const struct writer_names *nm,
			  const struct validate_clone *c, FILE *out, FILE *json);

/* The network time per call edge (text, and the JSON object "network"
 * when json is not NULL): each traced edge's client span - server span in
 * the traces and in the clone's spans (median, and the mean and variance
 * of import/netbase.h), and what the clone adds per edge (its own
 * transport and link holds: what import's --net-baseline takes off the
 * links) with the median over edges. Nothing without the clone's spans. */
void validate_net_report(const struct model *m, const struct writer_names *nm,
			 const struct validate_clone *c, FILE *out, FILE *json);
/* The same of the clone's model cl (NULL: none); out and json may be NULL.
 * With base, sets each edge measured (at least 10 calls each side, not fire
 * and forget in the clone) to the clone's extra (netbase.h: mean and
 * variance of its network time minus the original's) and base's default to
 * the median over them (left as it is when none was measured). */
struct netbase;
void validate_net(const struct model *m, const struct writer_names *nm, const struct model *cl,
		  struct netbase *base, FILE *out, FILE *json);

/* Writes the report (and, with json != NULL, the same as JSON); returns 1
 * when every check that ran passed, else 0. */
int validate_report(const struct model *m, const struct validate_clone *c,
		    const struct validate_opts *o, FILE *out, FILE *json);

#endif
