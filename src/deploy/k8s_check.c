/* k8s_check.c -- see k8s.h: k8s_check() and k8s_dns_label(), every check a
 * scenario passes before meshwalk deploy writes its first file (so a refused
 * scenario leaves nothing behind); the writer is k8s.c. */
#include "deploy/k8s.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scenario/sweep.h"
#include "util/err.h"

bool k8s_dns_label(const char *n)
{
	size_t len = strlen(n);

	if (len == 0 || len > 63 || n[0] == '-' || n[len - 1] == '-')
		return false;
	for (; *n; n++)
		if (!(islower((unsigned char)*n) || isdigit((unsigned char)*n) || *n == '-'))
			return false;
	return true;
}

static int at(struct err *e, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int at(struct err *e, int line, int col, const char *fmt, ...)
{
	char msg[ERR_MSG_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	err_set(e, "%s", msg);
	e->line = line;
	e->col = col;
	return -EINVAL;
}

/* {svc[i]} with i > 0 in text: the first one, or NULL. */
static const char *replica_ref(const char *text)
{
	for (const char *p = strchr(text, '{'); p; p = strchr(p + 1, '{')) {
		const char *close = strchr(p, '}'), *br = strchr(p, '[');

		if (close && br && br < close && !(br[1] == '0' && br[2] == ']'))
			return p;
	}
	return NULL;
}

/* Whether svc's nodes speak what Knative routes to its one port: HTTP/1.1
 * to an http1 port, HTTP/2 (plain or gRPC) to an h2c one. */
static bool knative_speaks(const struct scenario_service *svc)
{
	if (strcmp(svc->serverless.protocol, "http1") == 0)
		return svc->proto == SCENARIO_HTTP;
	return svc->proto == SCENARIO_H2C || svc->proto == SCENARIO_GRPC;
}


static bool udp_listener(const struct scenario_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		if (strstr(a->v[i], "udp://"))
			return true;
	return false;
}

/* -b / --bind-addr among a service's node options. */
static bool bind_option(const struct scenario_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], "-b") == 0 || strncmp(a->v[i], "--bind-addr", 11) == 0 ||
		    (strncmp(a->v[i], "-b", 2) == 0 && a->v[i][2] != '\0'))
			return true;
	return false;
}

int k8s_check(const struct k8s_config *c, const struct scenario *s, struct err *e)
{
	const char *hint = "Kubernetes object names are DNS labels: 1 to 63 lower-case letters, "
			   "digits and '-', starting and ending with a letter or digit";

	err_clear(e);
	if (s->sweep && (c->cell < 0 || (size_t)c->cell >= sweep_ncells(s->sweep)))
		return at(e, s->sweep->line, 1, "sweep: meshwalk deploy runs one cell of the grid at a "
			  "time: choose it with --cell N, N from 0 to %zu (meshwalk run --check lists "
			  "them)", sweep_ncells(s->sweep) - 1);
	if (!s->sweep && c->cell >= 0)
		return err_set(e, "--cell: the scenario has no sweep");
	if (scenario_traced(s))
		return err_set(e, "trace_sample: meshwalk deploy does not collect span files yet; trace "
			       "with meshwalk run, or give the nodes and clients --otlp-endpoint in "
			       "their node and args (docs/tracing.md)");
	if (s->network.nlinks > 0)
		return at(e, s->network.links[0].link.line, 1, "network: links between services need "
			  "meshwalk run's addresses per node; under deploy give each service a link delay "
			  "instead");
	for (size_t i = 0; i < s->nservices; i++) {
		const struct scenario_service *svc = &s->services[i];

		if (!k8s_dns_label(svc->name))
			return at(e, svc->line, svc->col, "%s '%s': %s", svc->balance ? "balancer" : "service",
				  svc->name, hint);
		if (svc->link.rate_bps)
			return at(e, svc->link.line, 1, "service %s: link rate: shaping needs the network "
				  "namespaces of meshwalk run; deploy applies link delays only", svc->name);
		for (size_t k = 0; k < svc->nroutes; k++)
			if (replica_ref(svc->routes[k].text))
				return at(e, svc->routes[k].line, svc->routes[k].col, "service %s: route %s: "
					  "a single replica {svc[i]} beyond the first: the replicas of a "
					  "Deployment share one Service", svc->name, svc->routes[k].name);
		if (svc->serverless.set && udp_listener(&svc->node))
			return at(e, svc->serverless.line, svc->serverless.col, "service %s: serverless, "
				  "but its node listens on udp:// beside TCP: two protocols, and Knative "
				  "routes one container port", svc->name);
		if (bind_option(&svc->node))
			return at(e, svc->line, svc->col, "service %s: node: deploy sets the listen address "
				  "(--bind-addr 0.0.0.0:PORT, TCP) itself; leave -b/--bind-addr out (UDP "
				  "services are not deployable yet)", svc->name);
		if (!svc->balance && scenario_proto_tls(svc->proto))
			return at(e, svc->protocol_line > 0 ? svc->protocol_line : svc->line,
				  svc->protocol_line > 0 ? svc->protocol_col : svc->col, "service %s: "
				  "protocol: %s needs certificates (Kubernetes Secrets), which meshwalk "
				  "deploy does not make yet: deploy it as protocol: %s, or run it with "
				  "meshwalk run (docs/kubernetes.md)", svc->name,
				  scenario_proto_name(svc->proto),
				  svc->proto == SCENARIO_SSL ? "tcp" : svc->proto == SCENARIO_HTTPS ? "http" : "grpc");
		if (svc->serverless.set && !knative_speaks(svc))
			return at(e, svc->protocol_line > 0 ? svc->protocol_line : svc->serverless.line,
				  svc->protocol_line > 0 ? svc->protocol_col : svc->serverless.col,
				  "service %s: Knative routes %s to its port, but the node speaks %s: give "
				  "serverless protocol: %s with protocol: %s", svc->name,
				  svc->serverless.protocol,
				  svc->proto == SCENARIO_TCP ? "meshwalk's protocol"
				  : svc->proto == SCENARIO_HTTP ? "HTTP/1.1" : "HTTP/2",
				  svc->proto == SCENARIO_HTTP ? "http1" : "h2c",
				  strcmp(svc->serverless.protocol, "http1") == 0 ? "http" : "h2c or grpc");
		if (svc->balance && s->services[svc->backend].serverless.set)
			return at(e, svc->line, svc->col, "balancer %s: service %s is serverless: Knative "
				  "balances its own replicas", svc->name, svc->balance);
	}
	for (size_t i = 0; i < s->nclients; i++) {
		const struct scenario_client *cl = &s->clients[i];
		char job[80];

		snprintf(job, sizeof job, "client-%s", cl->name);
		if (!k8s_dns_label(job))
			return at(e, cl->line, cl->col, "client %s: the Job client-%s: %s", cl->name, cl->name, hint);
		for (size_t k = 0; k < cl->args.n; k++)
			if (replica_ref(cl->args.v[k]))
				return at(e, cl->line, cl->col, "client %s: args: a single replica {svc[i]} beyond "
					  "the first: the replicas of a Deployment share one Service", cl->name);
		if (replica_ref(cl->to) || strchr(cl->to, '['))
			if (strstr(cl->to, "[0]") == NULL)
				return at(e, cl->line, cl->col, "client %s: to: a single replica beyond the first: "
					  "the replicas of a Deployment share one Service", cl->name);
	}
	if (c->port + (long)s->nservices - 1 > 65535)
		return err_set(e, "--port %d: %zu services need ports up to %ld, past 65535", c->port,
			       s->nservices, c->port + (long)s->nservices - 1);
	for (size_t i = 0; i < s->nservices; i++) {
		/* Knative's queue proxy owns these ports in every revision's pod. */
		static const int reserved[] = { 8012, 8013, 8022, 9090, 9091 };
		int port = c->port + (int)i;

		for (size_t k = 0; s->services[i].serverless.set && k < 5; k++)
			if (port == reserved[k])
				return at(e, s->services[i].line, s->services[i].col, "service %s: port %d is "
					  "reserved by Knative's queue proxy: choose another --port",
					  s->services[i].name, port);
	}
	if (c->ns && !k8s_dns_label(c->ns))
		return err_set(e, "--namespace '%s': %s", c->ns, hint);
	return 0;
}
