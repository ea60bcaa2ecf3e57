/* kube.h -- a service's keys for running on Kubernetes: `resources` and
 * `serverless` (docs/scenario.md, "Kubernetes keys"; docs/kubernetes.md).
 *
 * Contract: kube_load_resources() reads
 *   resources: { cpu: 500m, memory: 256Mi }
 * (Kubernetes quantities, kept as text; each optional, at least one), which
 * `meshwalk deploy k8s` makes the container's requests and limits (equal:
 * the Guaranteed class, so a node's CPU is not shared behind its back).
 * kube_load_serverless() reads
 *   serverless:
 *     class: kpa            # kpa (default) | hpa
 *     metric: concurrency   # concurrency (default) | rps (kpa) | cpu (hpa)
 *     target: 10            # > 0: per-replica concurrency, req/s or CPU %
 *     min-scale: 0          # 0.. (default 0: scale to zero)
 *     max-scale: 10         # 0 = no limit (default), else >= min-scale
 *     container-concurrency: 0   # requests one replica takes at once; 0 = no limit
 *     protocol: http1       # http1 (default) | h2c (gRPC): the one port Knative routes
 * The service then becomes a Knative Service under `meshwalk deploy`;
 * `meshwalk run` ignores both keys (it runs `replicas` nodes as always).
 * Knative routes one container port, so `protocol` names exactly one: a
 * list of two is an error at the list.
 * Ownership: kube_free() releases what the loaders allocate.
 * Threads: not thread-safe, like the scenario.
 * Errors: 0 or -EINVAL with a message naming `what` and the position in the
 * file. */
#ifndef MW_SCENARIO_KUBE_H
#define MW_SCENARIO_KUBE_H

#include <stdbool.h>
#include <yaml.h>

#include "util/err.h"

struct scenario_resources {
	char *cpu;              /* Kubernetes quantity text, or NULL */
	char *memory;
};

enum kube_class { KUBE_KPA = 0, KUBE_HPA };
enum kube_metric { KUBE_CONCURRENCY = 0, KUBE_RPS, KUBE_CPU };

struct scenario_serverless {
	bool set;               /* the key was given */
	enum kube_class cls;
	enum kube_metric metric;
	double target;          /* 0: not given (Knative's default applies) */
	long min_scale;         /* -1: not given */
	long max_scale;         /* -1: not given; 0 = no limit */
	long container_concurrency; /* -1: not given */
	char *protocol;         /* "h2c" or "http1" */
	int line, col;          /* where the key's value starts */
};

int kube_load_resources(yaml_document_t *doc, yaml_node_t *n, const char *what,
			struct scenario_resources *out, struct err *e);
int kube_load_serverless(yaml_document_t *doc, yaml_node_t *n, const char *what,
			 struct scenario_serverless *out, struct err *e);

/* Knative's annotation values: "kpa.autoscaling.knative.dev", "concurrency", ... */
const char *kube_class_name(enum kube_class c);
const char *kube_metric_name(enum kube_metric m);

void kube_free(struct scenario_resources *r, struct scenario_serverless *s);

#endif
