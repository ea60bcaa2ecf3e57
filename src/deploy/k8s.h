/* k8s.h -- `meshwalk deploy k8s`: Kubernetes (and Knative) manifests from a
 * scenario (docs/kubernetes.md).
 *
 * Contract: k8s_check() says, before anything is written, whether the
 * scenario can be deployed: names that are DNS labels (Kubernetes object
 * names), a sweep only with a cell chosen, no pair links or link rates (they need the network
 * namespaces of `meshwalk run`), no {svc[i]} beyond replica 0 (a Deployment's
 * replicas share one Service), and serverless services that speak one
 * protocol (no udp:// listener) and have no balancer, and no -b/--bind-addr
 * among node options (deploy sets the listen address), no TLS services
 * (their certificates would need Secrets, not made yet). Its errors carry the
 * position in the scenario. A scenario with a sweep deploys one cell of its
 * grid (cell >= 0: the swept group's arguments are that cell's, as
 * `meshwalk run` gives them). k8s_write() then writes into out_dir (which must
 * not exist yet):
 *   manifests/00-namespace.yaml      the Namespace
 *   manifests/01-scenario.yaml       a ConfigMap holding the scenario file
 *   manifests/10-service-SVC.yaml    per service: Deployment + Service, or a
 *                                    Knative Service when serverless
 *   manifests/20-balancer-LB.yaml    per balancer: a Service (haproxy: kube-
 *                                    proxy balances), or a meshwalk proxy
 *                                    Deployment + Service (meshwalk)
 *   manifests/30-client-GROUP.yaml   per client group: a Job running
 *                                    `meshwalk deploy job` (deploy/job.h)
 *   podman/play.yaml                 with podman_host: the same for
 *                                    `podman kube play`: Jobs as Pods,
 *                                    Knative Services as Deployments, every
 *                                    balancer a meshwalk proxy, one replica
 *                                    per service (warned on stderr), every
 *                                    service name mapped to podman_host by
 *                                    hostAliases
 *   scenario.yaml, deploy.json       the scenario as given; what was generated
 *   collect.list                     "GROUP NAMESPACE JOB" per line, for collect
 * {svc} becomes the Service's name and port (SVC:PORT; a Knative service's
 * SVC:80), service k listening on port + k, so no two services share a port
 * (podman kube play publishes container ports on the host).
 * Ownership: borrows everything. Threads: single-threaded.
 * Errors: 0, or -EINVAL with a message (and e->line/col for scenario
 * positions), or -errno when a file cannot be written. */
#ifndef MW_DEPLOY_K8S_H
#define MW_DEPLOY_K8S_H

#include <stdbool.h>
#include <stdint.h>

#include "scenario/scenario.h"
#include "util/err.h"

struct k8s_config {
	const char *out_dir;
	const char *image;          /* e.g. localhost/meshwalk:latest */
	const char *ns;             /* NULL: "meshwalk-" + the scenario's name, as a DNS label */
	int port;                   /* service k listens on port + k */
	bool anti_affinity;         /* spread each service's replicas over hosts */
	const char *podman_host;    /* NULL, or the address where podman publishes ports */
	uint64_t seed;              /* client group i gets seed + i */
	long cell;                  /* the sweep cell to deploy, or -1 */
	char *const *overrides;     /* the --set values, recorded in deploy.json */
	size_t noverrides;
};

int k8s_check(const struct k8s_config *c, const struct scenario *s, struct err *e);
int k8s_write(const struct k8s_config *c, const struct scenario *s, struct err *e);

/* Whether name is a DNS label: 1 to 63 of [a-z0-9-], not starting or ending with '-'. */
bool k8s_dns_label(const char *name);

#endif
