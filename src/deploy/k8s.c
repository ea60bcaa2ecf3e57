/* k8s.c -- see k8s.h.
 *
 * DESIGN: manifests are written as YAML by hand, every string through
 * json_write_string() (a JSON string is a YAML double-quoted scalar), so a
 * value such as "10" stays a string where Knative wants one and no name or
 * argument can break the document. Every check runs before the first file
 * is created: a refused scenario leaves nothing behind. */
#include "deploy/k8s.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "scenario/sweep.h"
#include "util/file.h"
#include "util/json.h"
#include "util/log.h"
#include "util/version.h"
#include "util/xalloc.h"


/* -- writing -- */

struct gen {
	const struct k8s_config *c;
	const struct scenario *s;
	char ns[64];
	bool podman;                /* writing podman/play.yaml */
	bool route;                 /* expanding a route's text (a node's forwards) */
	FILE *f;
};

static void q(FILE *f, const char *s)
{
	json_write_string(f, s);
}

static int port_of(const struct gen *g, const struct scenario_service *svc)
{
	return g->c->port + (int)(svc - g->s->services);
}

/* A Knative Service is reached through its route, on port 80. */
static bool knative(const struct gen *g, const struct scenario_service *svc)
{
	return svc->serverless.set && !g->podman;
}

static const char *svc_addr(const struct scenario_service *svc, int i, void *arg)
{
	struct gen *g = arg;
	static char buf[192];

	if (i > 0)
		return NULL; /* one Service stands for every replica */
	/* A Knative Service's cluster-local name: its ingress routes by it (Host). */
	if (knative(g, svc))
		snprintf(buf, sizeof buf, "%s.%s.svc.cluster.local:80", svc->name, g->ns);
	/* A node's forward to meshwalk's protocol names the Service with tcp://,
	 * so the name travels and the node resolves it when it connects (the
	 * DNS name of a Service created after the pod still works); HTTP
	 * services get their scheme from scenario_expand(). */
	else if (g->route && scenario_scheme(g->s, svc)[0] == '\0')
		snprintf(buf, sizeof buf, "tcp://%s:%d", svc->name, port_of(g, svc));
	else
		snprintf(buf, sizeof buf, "%s:%d", svc->name, port_of(g, svc));
	return buf;
}

static char *expand(struct gen *g, const char *text, bool bare)
{
	struct err e;
	char *x = scenario_expand(g->s, text, bare, svc_addr, g, &e), *p;

	if (x == NULL)
		return xstrdup(text); /* validated at load: cannot fail */
	/* "ssl://{svc}" in a route: the scheme written wins over tcp:// */
	while ((p = strstr(x, "://tcp://")) != NULL)
		memmove(p + 3, p + 9, strlen(p + 9) + 1);
	return x;
}

static void labels(struct gen *g, const char *indent, const char *key, const char *val)
{
	fprintf(g->f, "%slabels:\n%s  app.kubernetes.io/part-of: meshwalk\n%s  meshwalk/scenario: ",
		indent, indent, indent);
	q(g->f, g->s->name);
	fprintf(g->f, "\n%s  %s: ", indent, key);
	q(g->f, val);
	fputc('\n', g->f);
}

static void meta(struct gen *g, const char *kind, const char *api, const char *name,
		 const char *key, const char *val)
{
	fprintf(g->f, "---\napiVersion: %s\nkind: %s\nmetadata:\n  name: ", api, kind);
	q(g->f, name);
	fprintf(g->f, "\n  namespace: ");
	q(g->f, g->ns);
	fputc('\n', g->f);
	labels(g, "  ", key, val);
}

static void arg_list(struct gen *g, const char *indent, const struct scenario_argv *a)
{
	fprintf(g->f, "%sargs:\n", indent);
	for (size_t i = 0; i < a->n; i++) {
		fprintf(g->f, "%s  - ", indent);
		q(g->f, a->v[i]);
		fputc('\n', g->f);
	}
}

static void push(struct scenario_argv *a, const char *w)
{
	a->v = xrealloc(a->v, (a->n + 2) * sizeof *a->v);
	a->v[a->n++] = xstrdup(w);
	a->v[a->n] = NULL;
}

/* The pod spec's common tail: hostAliases for podman, the scenario volume. */
static void pod_extras(struct gen *g, const char *in)
{
	if (g->podman) {
		fprintf(g->f, "%shostAliases:\n%s  - ip: ", in, in);
		q(g->f, g->c->podman_host);
		fprintf(g->f, "\n%s    hostnames:\n", in);
		for (size_t i = 0; i < g->s->nservices; i++) {
			fprintf(g->f, "%s      - ", in);
			q(g->f, g->s->services[i].name);
			fputc('\n', g->f);
		}
	}
	fprintf(g->f, "%ssecurityContext:\n%s  runAsNonRoot: true\n%s  runAsUser: 65532\n", in, in, in);
	fprintf(g->f, "%svolumes:\n%s  - name: scenario\n%s    configMap:\n%s      name: scenario\n", in,
		in, in, in);
}

static void container_head(struct gen *g, const char *in, const char *name,
			   const struct scenario_argv *args)
{
	fprintf(g->f, "%scontainers:\n%s  - name: %s\n%s    image: ", in, in, name, in);
	q(g->f, g->c->image);
	fprintf(g->f, "\n%s    imagePullPolicy: IfNotPresent\n", in);
	char sub[64];
	snprintf(sub, sizeof sub, "%s    ", in);
	arg_list(g, sub, args);
	fprintf(g->f, "%s    volumeMounts:\n%s      - name: scenario\n%s        mountPath: /etc/meshwalk\n"
		"%s        readOnly: true\n", in, in, in, in);
}

static void resources(struct gen *g, const char *in, const struct scenario_resources *r)
{
	if (r->cpu == NULL && r->memory == NULL)
		return;
	/* requests = limits: the Guaranteed class, so the node's CPU is its own. */
	fprintf(g->f, "%sresources:\n", in);
	for (int k = 0; k < 2; k++) {
		fprintf(g->f, "%s  %s:\n", in, k ? "limits" : "requests");
		if (r->cpu) {
			fprintf(g->f, "%s    cpu: ", in);
			q(g->f, r->cpu);
			fputc('\n', g->f);
		}
		if (r->memory) {
			fprintf(g->f, "%s    memory: ", in);
			q(g->f, r->memory);
			fputc('\n', g->f);
		}
	}
}

/* "localhost,*.svc.cluster.local,SVC,...": every service's Service name
 * (the caller frees it). */
static char *allowed_names(const struct gen *g)
{
	size_t n = sizeof "localhost,*.svc.cluster.local";
	char *list, *end;

	for (size_t k = 0; k < g->s->nservices; k++)
		n += strlen(g->s->services[k].name) + 1;
	end = stpcpy(list = xmalloc(n), "localhost,*.svc.cluster.local");
	for (size_t k = 0; k < g->s->nservices; k++)
		end = stpcpy(stpcpy(end, ","), g->s->services[k].name);
	return list;
}

/* Whether svc's nodes are several replicas of one Deployment template,
 * which get per-pod seeds. Not under podman (one replica a service there,
 * service_objects()) nor Knative (its pods see the Downward API's fields
 * only behind a feature flag of the cluster's). */
static bool salted_replicas(const struct gen *g, const struct scenario_service *svc)
{
	return svc->replicas > 1 && !g->podman && !knative(g, svc);
}

/* The node's command line for service svc. */
static void node_args(struct gen *g, const struct scenario_service *svc, struct scenario_argv *a)
{
	char bind[64];

	push(a, "node");
	snprintf(bind, sizeof bind, "%s0.0.0.0:%d", scenario_proto_scheme(svc->proto), port_of(g, svc));
	push(a, "--bind-addr");
	push(a, bind);
	/* The scenario's services are Service addresses in the cluster's
	 * private ranges (or the podman host): a node's default allow-list is
	 * loopback only. A service's own --allow-forward adds to this. */
	push(a, "--allow-forward");
	push(a, "loopback,private");
	/* Forwards name Services (tcp://SVC:PORT) and Knative routes
	 * (SVC.NS.svc.cluster.local): the names a node may look up. */
	char *names = allowed_names(g);

	push(a, "--allow-names");
	push(a, names);
	free(names);
	/* the seed meshwalk run gives the service's first node; the replicas
	 * of a Deployment share their template, so each salts it with its own
	 * pod name (POD_NAME: the Downward API, deployment()), and they draw
	 * different numbers */
	char seed[32];

	snprintf(seed, sizeof seed, "%" PRIu64,
		 scenario_node_seed(g->s, g->c->seed, (size_t)(svc - g->s->services), 0));
	push(a, "--seed");
	push(a, seed);
	if (salted_replicas(g, svc)) {
		push(a, "--seed-salt");
		push(a, "$(POD_NAME)"); /* Kubernetes expands it from the container's env */
	}
	if (svc->link.delay) {
		push(a, "--net-delay");
		push(a, svc->link.delay);
	}
	for (size_t k = 0; k < svc->nroutes; k++) {
		g->route = true;
		char *x = expand(g, svc->routes[k].text, false);
		g->route = false;
		size_t n = strlen(svc->routes[k].name) + strlen(x) + 2;
		char *r = xmalloc(n);

		snprintf(r, n, "%s=%s", svc->routes[k].name, x);
		push(a, "--route");
		push(a, r);
		free(r);
		free(x);
	}
	for (size_t k = 0; k < svc->node.n; k++)
		push(a, svc->node.v[k]);
}

static void deployment(struct gen *g, const struct scenario_service *svc, const char *cname,
		       const struct scenario_argv *args, int replicas)
{
	int port = port_of(g, svc);

	meta(g, "Deployment", "apps/v1", svc->name, "meshwalk/service", svc->name);
	fprintf(g->f, "spec:\n  replicas: %d\n  selector:\n    matchLabels:\n      meshwalk/service: ",
		replicas);
	q(g->f, svc->name);
	fprintf(g->f, "\n  template:\n    metadata:\n");
	labels(g, "      ", "meshwalk/service", svc->name);
	fprintf(g->f, "    spec:\n");
	if (g->c->anti_affinity) {
		/* Preferred, not required: a cluster with fewer hosts than
		 * replicas still runs them all. */
		fprintf(g->f, "      affinity:\n        podAntiAffinity:\n"
			"          preferredDuringSchedulingIgnoredDuringExecution:\n"
			"            - weight: 100\n              podAffinityTerm:\n"
			"                topologyKey: kubernetes.io/hostname\n"
			"                labelSelector:\n                  matchLabels:\n"
			"                    meshwalk/service: ");
		q(g->f, svc->name);
		fputc('\n', g->f);
	}
	pod_extras(g, "      ");
	container_head(g, "      ", cname, args);
	if (replicas > 1 && salted_replicas(g, svc)) /* the node's --seed-salt $(POD_NAME) */
		fprintf(g->f, "          env:\n            - name: POD_NAME\n              valueFrom:\n"
			"                fieldRef:\n                  fieldPath: metadata.name\n");
	fprintf(g->f, "          ports:\n            - name: meshwalk\n              containerPort: %d\n"
		"              protocol: TCP\n", port);
	fprintf(g->f, "          readinessProbe:\n            tcpSocket:\n              port: %d\n"
		"            periodSeconds: 2\n", port);
	resources(g, "          ", &svc->resources);
	meta(g, "Service", "v1", svc->name, "meshwalk/service", svc->name);
	fprintf(g->f, "spec:\n  selector:\n    meshwalk/service: ");
	q(g->f, svc->name);
	fprintf(g->f, "\n  ports:\n    - name: meshwalk\n      port: %d\n      targetPort: %d\n"
		"      protocol: TCP\n", port, port);
}

/* A plain Service in front of another service's pods: a balancer of kind
 * haproxy under Kubernetes (kube-proxy spreads connections). */
static void balancer_service(struct gen *g, const struct scenario_service *lb)
{
	const struct scenario_service *be = &g->s->services[lb->backend];

	meta(g, "Service", "v1", lb->name, "meshwalk/balancer", lb->name);
	fprintf(g->f, "  annotations:\n    meshwalk/policy: ");
	q(g->f, lb->policy);
	fprintf(g->f, "\nspec:\n  selector:\n    meshwalk/service: ");
	q(g->f, be->name);
	fprintf(g->f, "\n  ports:\n    - name: meshwalk\n      port: %d\n      targetPort: %d\n"
		"      protocol: TCP\n", port_of(g, lb), port_of(g, be));
}

static void knative_service(struct gen *g, const struct scenario_service *svc,
			    const struct scenario_argv *args)
{
	const struct scenario_serverless *sl = &svc->serverless;
	char num[64];

	meta(g, "Service", "serving.knative.dev/v1", svc->name, "meshwalk/service", svc->name);
	fprintf(g->f, "spec:\n  template:\n    metadata:\n");
	labels(g, "      ", "meshwalk/service", svc->name);
	/* Knative reads every annotation value as a string. */
	fprintf(g->f, "      annotations:\n        autoscaling.knative.dev/class: ");
	q(g->f, kube_class_name(sl->cls));
	fprintf(g->f, "\n        autoscaling.knative.dev/metric: ");
	q(g->f, kube_metric_name(sl->metric));
	fputc('\n', g->f);
	if (sl->target > 0) {
		snprintf(num, sizeof num, "%.9g", sl->target);
		fprintf(g->f, "        autoscaling.knative.dev/target: ");
		q(g->f, num);
		fputc('\n', g->f);
	}
	if (sl->min_scale >= 0) {
		snprintf(num, sizeof num, "%ld", sl->min_scale);
		fprintf(g->f, "        autoscaling.knative.dev/min-scale: ");
		q(g->f, num);
		fputc('\n', g->f);
	}
	if (sl->max_scale >= 0) {
		snprintf(num, sizeof num, "%ld", sl->max_scale);
		fprintf(g->f, "        autoscaling.knative.dev/max-scale: ");
		q(g->f, num);
		fputc('\n', g->f);
	}
	fprintf(g->f, "    spec:\n");
	if (sl->container_concurrency >= 0)
		fprintf(g->f, "      containerConcurrency: %ld\n", sl->container_concurrency);
	/* Knative allows one container port; its name says which protocol
	 * the route speaks to it: h2c (gRPC) or http1. */
	container_head(g, "      ", "node", args);
	fprintf(g->f, "          ports:\n            - name: %s\n              containerPort: %d\n",
		sl->protocol, port_of(g, svc));
	resources(g, "          ", &svc->resources);
	fprintf(g->f, "      volumes:\n        - name: scenario\n          configMap:\n"
		"            name: scenario\n");
}

static void client_job(struct gen *g, size_t i)
{
	const struct scenario_client *cl = &g->s->clients[i];
	struct scenario_argv a = { 0 };
	char job[80], seed[32], delay[48];
	char *to = expand(g, cl->to, true);

	snprintf(job, sizeof job, "client-%s", cl->name);
	snprintf(seed, sizeof seed, "%" PRIu64, g->c->seed + i);
	push(&a, "deploy");
	push(&a, "job");
	push(&a, "--group");
	push(&a, cl->name);
	/* Wait for every service of nodes that runs here (a Knative service
	 * scales from zero on the first request: no waiting for it). */
	for (size_t k = 0; k < g->s->nservices; k++) {
		const struct scenario_service *svc = &g->s->services[k];

		if (!knative(g, svc)) {
			push(&a, "--wait");
			push(&a, svc_addr(svc, 0, g));
		}
	}
	if (cl->delay_ns > 0) {
		snprintf(delay, sizeof delay, "%.3fus", (double)cl->delay_ns / 1000);
		push(&a, "--delay");
		push(&a, delay);
	}
	push(&a, "--");
	push(&a, "--to");
	push(&a, to);
	push(&a, "--seed");
	push(&a, seed);
	if (cl->route) {
		push(&a, "--route");
		push(&a, cl->route);
	}
	struct scenario_argv cell = { 0 };
	const struct scenario_argv *args = &cl->args;

	if (g->s->sweep && sweep_group(g->s, g->s->sweep) == (int)i) {
		sweep_args(g->s->sweep, (size_t)g->c->cell, &cl->args, &cell);
		args = &cell;
	}
	for (size_t k = 0; k < args->n; k++) {
		char *x = expand(g, args->v[k], false);

		push(&a, x);
		free(x);
	}
	scenario_argv_free(&cell);
	if (g->podman) {
		/* podman kube play runs Pods, not Jobs: the Job's pod, as a Pod. */
		meta(g, "Pod", "v1", job, "meshwalk/client", cl->name);
		fprintf(g->f, "spec:\n  restartPolicy: Never\n");
		pod_extras(g, "  ");
		container_head(g, "  ", "client", &a);
	} else {
		meta(g, "Job", "batch/v1", job, "meshwalk/client", cl->name);
		fprintf(g->f, "spec:\n  backoffLimit: 0\n  template:\n    metadata:\n");
		labels(g, "      ", "meshwalk/client", cl->name);
		fprintf(g->f, "    spec:\n      restartPolicy: Never\n");
		pod_extras(g, "      ");
		container_head(g, "      ", "client", &a);
	}
	free(to);
	scenario_argv_free(&a);
}

static void service_objects(struct gen *g, const struct scenario_service *svc)
{
	struct scenario_argv a = { 0 };

	if (svc->balance == NULL) {
		node_args(g, svc, &a);
		if (knative(g, svc))
			knative_service(g, svc, &a);
		else if (g->podman && svc->replicas > 1) {
			/* podman publishes every pod's port on the host: a
			 * second replica could not bind it. */
			log_msg("podman/play.yaml: service %s runs 1 replica, not %d (podman "
				"publishes each pod's port on the host)", svc->name, svc->replicas);
			deployment(g, svc, "node", &a, 1);
		} else
			deployment(g, svc, "node", &a, svc->replicas);
	} else if (strcmp(svc->lb_kind, "meshwalk") == 0 || g->podman) {
		/* podman has no kube-proxy behind Services: there every
		 * balancer is a meshwalk proxy. */
		char bind[64], *to = expand(g, svc->balance, true);

		snprintf(bind, sizeof bind, "0.0.0.0:%d", port_of(g, svc));
		push(&a, "proxy");
		push(&a, "--bind-addr");
		push(&a, bind);
		push(&a, "--to");
		push(&a, to);
		push(&a, "--policy");
		push(&a, svc->policy);
		free(to);
		deployment(g, svc, "proxy", &a, 1);
	} else {
		balancer_service(g, svc);
	}
	scenario_argv_free(&a);
}

static void namespace_object(struct gen *g)
{
	fprintf(g->f, "---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: ");
	q(g->f, g->ns);
	fputc('\n', g->f);
	labels(g, "  ", "meshwalk/deploy-version", "1");
}

static void config_map(struct gen *g, const char *text)
{
	meta(g, "ConfigMap", "v1", "scenario", "meshwalk/scenario-file", "1");
	fprintf(g->f, "data:\n  scenario.yaml: ");
	q(g->f, text);
	fputc('\n', g->f);
}

static int open_out(struct gen *g, const char *rel, struct err *e)
{
	char path[1024];

	snprintf(path, sizeof path, "%s/%s", g->c->out_dir, rel);
	g->f = fopen(path, "w");
	if (g->f == NULL)
		return err_set(e, "cannot write %s: %s", path, strerror(errno));
	fprintf(g->f, "# generated by meshwalk %s deploy k8s from %s\n", MESHWALK_VERSION,
		g->s->path);
	return 0;
}

static int close_out(struct gen *g, struct err *e)
{
	int bad = ferror(g->f);

	if (fclose(g->f) != 0 || bad)
		return err_set(e, "%s: write failed", g->c->out_dir);
	return 0;
}

static int write_all(struct gen *g, const char *text, struct err *e)
{
	char rel[160];

	g->podman = false;
	if (open_out(g, "manifests/00-namespace.yaml", e) < 0)
		return -EINVAL;
	namespace_object(g);
	if (close_out(g, e) < 0 || open_out(g, "manifests/01-scenario.yaml", e) < 0)
		return -EINVAL;
	config_map(g, text);
	if (close_out(g, e) < 0)
		return -EINVAL;
	for (size_t i = 0; i < g->s->nservices; i++) {
		const struct scenario_service *svc = &g->s->services[i];

		snprintf(rel, sizeof rel, "manifests/%s-%s.yaml", svc->balance ? "20-balancer" : "10-service",
			 svc->name);
		if (open_out(g, rel, e) < 0)
			return -EINVAL;
		service_objects(g, svc);
		if (close_out(g, e) < 0)
			return -EINVAL;
	}
	for (size_t i = 0; i < g->s->nclients; i++) {
		snprintf(rel, sizeof rel, "manifests/30-client-%s.yaml", g->s->clients[i].name);
		if (open_out(g, rel, e) < 0)
			return -EINVAL;
		client_job(g, i);
		if (close_out(g, e) < 0)
			return -EINVAL;
	}
	if (g->c->podman_host) {
		g->podman = true;
		if (open_out(g, "podman/play.yaml", e) < 0)
			return -EINVAL;
		/* podman kube play (4.3) has no namespaces: the ConfigMap and
		 * the pods, in the order they are started. */
		config_map(g, text);
		for (size_t i = 0; i < g->s->nservices; i++)
			service_objects(g, &g->s->services[i]);
		for (size_t i = 0; i < g->s->nclients; i++)
			client_job(g, i);
		if (close_out(g, e) < 0)
			return -EINVAL;
	}
	return 0;
}

static int write_meta(struct gen *g, const char *text, struct err *e)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof path, "%s/scenario.yaml", g->c->out_dir);
	f = fopen(path, "w");
	if (f == NULL || fputs(text, f) == EOF || fclose(f) != 0)
		return err_set(e, "cannot write %s: %s", path, strerror(errno));
	snprintf(path, sizeof path, "%s/collect.list", g->c->out_dir);
	f = fopen(path, "w");
	if (f == NULL)
		return err_set(e, "cannot write %s: %s", path, strerror(errno));
	for (size_t i = 0; i < g->s->nclients; i++)
		fprintf(f, "%s %s client-%s\n", g->s->clients[i].name, g->ns, g->s->clients[i].name);
	if (fclose(f) != 0)
		return err_set(e, "cannot write %s", path);
	snprintf(path, sizeof path, "%s/deploy.json", g->c->out_dir);
	f = fopen(path, "w");
	if (f == NULL)
		return err_set(e, "cannot write %s: %s", path, strerror(errno));
	fprintf(f, "{\n  \"meshwalk_deploy_version\": 1,\n  \"meshwalk_version\": \"%s\",\n  \"scenario\": ",
		MESHWALK_VERSION);
	q(f, g->s->name);
	fprintf(f, ",\n  \"scenario_file\": ");
	q(f, g->s->path);
	fprintf(f, ",\n  \"namespace\": ");
	q(f, g->ns);
	fprintf(f, ",\n  \"image\": ");
	q(f, g->c->image);
	fprintf(f, ",\n  \"seed\": %" PRIu64 ",\n  \"cell\": ", g->c->seed);
	if (g->s->sweep) {
		char *name = sweep_cell_name(g->s->sweep, (size_t)g->c->cell);

		fprintf(f, "{\"index\": %ld, \"name\": ", g->c->cell);
		q(f, name);
		fputc('}', f);
		free(name);
	} else {
		fputs("null", f);
	}
	fprintf(f, ",\n  \"overrides\": [");
	for (size_t i = 0; i < g->c->noverrides; i++) {
		fputs(i ? ", " : "", f);
		q(f, g->c->overrides[i]);
	}
	fprintf(f, "],\n  \"services\": [");
	for (size_t i = 0; i < g->s->nservices; i++) {
		const struct scenario_service *svc = &g->s->services[i];

		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		q(f, svc->name);
		fprintf(f, ", \"kind\": \"%s\", \"port\": %d}",
			svc->balance ? "balancer" : svc->serverless.set ? "knative" : "deployment",
			port_of(g, svc));
	}
	fprintf(f, "\n  ],\n  \"clients\": [");
	for (size_t i = 0; i < g->s->nclients; i++) {
		fprintf(f, "%s\n    {\"name\": ", i ? "," : "");
		q(f, g->s->clients[i].name);
		fprintf(f, ", \"job\": \"client-%s\", \"seed\": %" PRIu64 "}", g->s->clients[i].name,
			g->c->seed + i);
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) != 0)
		return err_set(e, "cannot write %s", path);
	return 0;
}

int k8s_write(const struct k8s_config *c, const struct scenario *s, struct err *e)
{
	struct gen g = { .c = c, .s = s };
	char path[1024];
	char *text;
	int rc;

	if (k8s_check(c, s, e) < 0)
		return -EINVAL;
	if (c->ns) {
		snprintf(g.ns, sizeof g.ns, "%s", c->ns);
	} else {
		/* meshwalk-NAME, lower-cased, other characters as '-'. */
		size_t n = (size_t)snprintf(g.ns, sizeof g.ns, "meshwalk-%s", s->name);

		for (char *p = g.ns; *p; p++)
			*p = isalnum((unsigned char)*p) ? (char)tolower((unsigned char)*p) : '-';
		if (n > 63)
			n = 63;
		g.ns[n] = '\0';
		while (n > 0 && g.ns[n - 1] == '-')
			g.ns[--n] = '\0';
	}
	text = file_read_all(s->path, NULL);
	if (text == NULL)
		return err_set(e, "cannot read %s: %s", s->path, strerror(errno));
	if (mkdir(c->out_dir, 0755) < 0) {
		rc = errno == EEXIST ? err_set(e, "%s exists: manifests of two scenarios are never mixed",
					       c->out_dir)
				     : err_set(e, "cannot create %s: %s", c->out_dir, strerror(errno));
		free(text);
		return rc;
	}
	snprintf(path, sizeof path, "%s/manifests", c->out_dir);
	rc = mkdir(path, 0755) < 0 ? err_set(e, "cannot create %s: %s", path, strerror(errno)) : 0;
	snprintf(path, sizeof path, "%s/podman", c->out_dir);
	if (rc == 0 && c->podman_host && mkdir(path, 0755) < 0)
		rc = err_set(e, "cannot create %s: %s", path, strerror(errno));
	if (rc == 0)
		rc = write_all(&g, text, e);
	if (rc == 0)
		rc = write_meta(&g, text, e);
	free(text);
	return rc;
}
