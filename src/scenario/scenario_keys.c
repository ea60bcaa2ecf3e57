/* scenario_keys.c -- see scenario_keys.h.
 *
 * DESIGN: a key's function gets its value either as the file's YAML node
 * (with its position, for the message) or as --set's text, and checks it the
 * same way for both; the loader's walk and apply_set() only find the key in
 * its object's table. Messages name the key as the file gives it ("service S:
 * replicas: ...") or as --set does ("--set replicas: ..."). */
#include "scenario/scenario_keys.h"
#include "scenario/values.h"
#include "scenario/sweep.h"
#include "scenario/yamlerr.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spec/units.h"
#include "util/xalloc.h"

/* -- tree walking -- */

static int at(struct scenario_loader *l, yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int at(struct scenario_loader *l, yaml_node_t *n, const char *fmt, ...)
{
	char msg[sizeof l->e->msg]; /* callers pass l->e->msg itself as an argument */
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	memcpy(l->e->msg, msg, sizeof msg);
	if (n) {
		l->e->line = (int)n->start_mark.line + 1;
		l->e->col = (int)n->start_mark.column + 1;
	}
	return -EINVAL;
}

static const char *kind_name(yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE: return "a scalar";
	case YAML_SEQUENCE_NODE: return "a list";
	case YAML_MAPPING_NODE: return "a mapping";
	default: return "nothing";
	}
}

static const char *scalar(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static int want_scalar(struct scenario_loader *l, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE)
		return at(l, n, "%s: expected a single value, got %s", what, kind_name(n));
	return 0;
}

/* A string (split like a shell) or a list of strings. */
static int load_words(struct scenario_loader *l, yaml_node_t *n, struct scenario_argv *out, const char *what)
{
	if (n->type == YAML_SCALAR_NODE) {
		if (scenario_split(scalar(n), out, l->e) < 0)
			return at(l, n, "%s: %s", what, l->e->msg);
		return 0;
	}
	if (n->type != YAML_SEQUENCE_NODE)
		return at(l, n, "%s: expected a string or a list of strings, got %s", what, kind_name(n));
	for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *v = yaml_document_get_node(l->doc, *it);

		if (v->type != YAML_SCALAR_NODE)
			return at(l, v, "%s: list items must be strings, got %s", what, kind_name(v));
		scenario_argv_push(out, xstrdup(scalar(v)));
	}
	return 0;
}

/* libyaml accepts a key twice in one mapping; a scenario does not: the
 * second would silently replace or extend the first. */
static int check_unique_keys(struct scenario_loader *l, yaml_node_t *map, const char *where)
{
	return yaml_unique_keys(l->doc, map, where, l->e);
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

static struct scenario_route *add_route(struct scenario_service *svc, const char *name)
{
	struct scenario_route *r;

	svc->routes = xrealloc(svc->routes, (svc->nroutes + 1) * sizeof *svc->routes);
	r = &svc->routes[svc->nroutes++];
	memset(r, 0, sizeof *r);
	r->name = xstrdup(name);
	return r;
}

/* routes: { NAME: "program text", ... } */
static int load_routes(struct scenario_loader *l, yaml_node_t *v, struct scenario_service *svc)
{
	char where[96];

	snprintf(where, sizeof where, "service %s: routes", svc->name);
	if (v->type != YAML_MAPPING_NODE)
		return at(l, v, "%s: expected a mapping of route names to programs, got %s", where,
			  kind_name(v));
	if (check_unique_keys(l, v, where) < 0)
		return -EINVAL;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(l->doc, p->value);
		struct scenario_route *r;

		if (!valid_name(scalar(k)))
			return at(l, k, "%s: route name '%s': use 1 to 64 letters, digits, '-', '_' and '.'",
				  where, scalar(k));
		if (val->type != YAML_SCALAR_NODE)
			return at(l, val, "%s: route %s: expected the program as one string, got %s", where,
				  scalar(k), kind_name(val));
		r = add_route(svc, scalar(k));
		r->text = xstrdup(scalar(val));
		r->line = (int)val->start_mark.line + 1;
		r->col = (int)val->start_mark.column + 1;
	}
	return 0;
}

/* -- one table of keys per object -- */

/* A value for one key: the file's node (l set) or --set's text. */
struct key_val {
	struct scenario_loader *l; /* NULL: from --set */
	yaml_node_t *node;         /* the file's value */
	const char *text;          /* a scalar's text; NULL for the file's list or mapping */
	const char *label;         /* "service S: replicas" (file) or "--set replicas" */
	int line, col;             /* where the file's value is; 0 for --set */
};

struct key_def {
	const char *name;
	bool scalar;   /* the file must give one value */
	bool settable; /* --set may give it (as text) */
	int (*apply)(void *obj, const struct key_val *v, struct err *e);
};

/* e's message, placed at the file's value when there is one. */
static int key_err(const struct key_val *v, struct err *e)
{
	return v->l ? at(v->l, v->node, "%s", e->msg) : -EINVAL;
}

static int bad(const struct key_val *v, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(const struct key_val *v, struct err *e, const char *fmt, ...)
{
	char msg[sizeof e->msg];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	err_set(e, "%s: %s", v->label, msg);
	return key_err(v, e);
}

/* node and args: a string split like a shell, or (the file's) a list. */
static int apply_words(const struct key_val *v, struct scenario_argv *out, struct err *e)
{
	scenario_argv_free(out);
	if (v->l)
		return load_words(v->l, v->node, out, v->label);
	if (scenario_split(v->text, out, e) < 0)
		return err_prefix(e, "%s", v->label);
	return 0;
}

static int svc_replicas(void *obj, const struct key_val *v, struct err *e)
{
	long r = 0;

	if (scenario_parse_int(v->text, 1, SCENARIO_MAX_REPLICAS, &r, e, v->label) < 0)
		return key_err(v, e);
	((struct scenario_service *)obj)->replicas = (int)r;
	return 0;
}

static int svc_node(void *obj, const struct key_val *v, struct err *e)
{
	struct scenario_service *svc = obj;

	svc->node_line = v->line;
	svc->node_col = v->col;
	return apply_words(v, &svc->node, e);
}

static int svc_link(void *obj, const struct key_val *v, struct err *e)
{
	return network_load_link(v->l->doc, v->node, v->label,
				 &((struct scenario_service *)obj)->link, e);
}

static int svc_routes(void *obj, const struct key_val *v, struct err *e)
{
	(void)e;
	return load_routes(v->l, v->node, obj);
}

static int svc_route_prefix(void *obj, const struct key_val *v, struct err *e)
{
	struct scenario_service *svc = obj;

	(void)e; /* checked by scenario.c once the overrides are applied */
	free(svc->route_prefix);
	svc->route_prefix = xstrdup(v->text);
	svc->prefix_line = v->line;
	svc->prefix_col = v->col;
	return 0;
}

static int svc_protocol(void *obj, const struct key_val *v, struct err *e)
{
	struct scenario_service *svc = obj;
	int i = 0;

	while (i < SCENARIO_PROTO_MAX_ && strcmp(v->text, scenario_proto_name(i)) != 0)
		i++;
	if (i == SCENARIO_PROTO_MAX_)
		return bad(v, e, "expected tcp, http, h2c, grpc, ssl, https or grpcs, got '%s'", v->text);
	svc->proto = (enum scenario_proto)i;
	svc->protocol_line = v->l ? v->line : -1; /* -1: set, but by --set */
	svc->protocol_col = v->l ? v->col : -1;
	return 0;
}

static int svc_resources(void *obj, const struct key_val *v, struct err *e)
{
	return kube_load_resources(v->l->doc, v->node, v->label,
				   &((struct scenario_service *)obj)->resources, e);
}

static int svc_serverless(void *obj, const struct key_val *v, struct err *e)
{
	return kube_load_serverless(v->l->doc, v->node, v->label,
				    &((struct scenario_service *)obj)->serverless, e);
}

static int svc_tls(void *obj, const struct key_val *v, struct err *e)
{
	return tlsconf_load(v->l->doc, v->node, v->label, &((struct scenario_service *)obj)->tls, e);
}

static const struct key_def service_keys[] = {
	{ "replicas", true, true, svc_replicas },
	{ "node", false, true, svc_node },
	{ "routes", false, false, svc_routes },
	{ "route_prefix", true, true, svc_route_prefix },
	{ "protocol", true, true, svc_protocol },
	{ "link", false, false, svc_link },
	{ "resources", false, false, svc_resources },
	{ "serverless", false, false, svc_serverless },
	{ "tls", false, false, svc_tls },
	{ 0 },
};

static int client_name(void *obj, const struct key_val *v, struct err *e)
{
	struct scenario_client *c = obj;

	(void)e;
	free(c->name);
	c->name = xstrdup(v->text);
	if (!valid_name(c->name))
		return at(v->l, v->node, "client name '%s': use letters, digits, '-', '_' and '.'",
			  c->name);
	return 0;
}

static int client_to(void *obj, const struct key_val *v, struct err *e)
{
	struct scenario_client *c = obj;

	(void)e;
	free(c->to);
	c->to = xstrdup(v->text);
	return 0;
}

static int client_args(void *obj, const struct key_val *v, struct err *e)
{
	struct scenario_client *c = obj;

	c->args_line = v->line;
	c->args_col = v->col;
	return apply_words(v, &c->args, e);
}

static int client_delay(void *obj, const struct key_val *v, struct err *e)
{
	if (scenario_parse_delay(v->text, &((struct scenario_client *)obj)->delay_ns, e) < 0)
		return key_err(v, e);
	return 0;
}

static int client_route(void *obj, const struct key_val *v, struct err *e)
{
	struct scenario_client *c = obj;

	if (!valid_name(v->text)) {
		err_set(e, "%s '%s': use 1 to 64 letters, digits, '-', '_' and '.'", v->label, v->text);
		return key_err(v, e);
	}
	free(c->route);
	c->route = xstrdup(v->text);
	c->route_line = v->line;
	c->route_col = v->col;
	return 0;
}

static int client_trace_sample(void *obj, const struct key_val *v, struct err *e)
{
	struct scenario_client *c = obj;

	c->has_trace_sample = true;
	if (scenario_parse_share(v->text, &c->trace_sample, e) < 0)
		return key_err(v, e);
	return 0;
}

static const struct key_def client_keys[] = {
	{ "name", true, false, client_name },
	{ "to", true, true, client_to },
	{ "args", false, true, client_args },
	{ "delay", true, true, client_delay },
	{ "route", true, true, client_route },
	{ "trace_sample", true, true, client_trace_sample },
	{ 0 },
};

static int root_name(void *obj, const struct key_val *v, struct err *e)
{
	struct scenario *s = obj;

	/* One check; the file's and --set's words as they always were. */
	if (!valid_name(v->text) && v->l)
		return at(v->l, v->node, "name '%s': use letters, digits, '-', '_' and '.'", v->text);
	if (!valid_name(v->text))
		return err_set(e, "--set name: '%s' is not a valid name", v->text);
	free(s->name);
	s->name = xstrdup(v->text);
	return 0;
}

static int root_seed(void *obj, const struct key_val *v, struct err *e)
{
	struct scenario *s = obj;

	s->has_seed = true;
	if (scenario_parse_u64(v->text, &s->seed, e, v->label) < 0)
		return key_err(v, e);
	return 0;
}

static int root_trace_sample(void *obj, const struct key_val *v, struct err *e)
{
	if (scenario_parse_share(v->text, &((struct scenario *)obj)->trace_sample, e) < 0)
		return key_err(v, e);
	return 0;
}

static int load_services(struct scenario_loader *l, yaml_node_t *v, struct scenario *s);
static int load_balancers(struct scenario_loader *l, yaml_node_t *v);
static int load_clients(struct scenario_loader *l, yaml_node_t *v, struct scenario *s);

static int root_services(void *obj, const struct key_val *v, struct err *e)
{
	(void)e;
	return load_services(v->l, v->node, obj);
}

static int root_balancers(void *obj, const struct key_val *v, struct err *e)
{
	(void)obj;
	(void)e;
	return load_balancers(v->l, v->node);
}

static int root_clients(void *obj, const struct key_val *v, struct err *e)
{
	(void)e;
	return load_clients(v->l, v->node, obj);
}

static int root_sweep(void *obj, const struct key_val *v, struct err *e)
{
	return sweep_load(v->l->doc, v->node, &((struct scenario *)obj)->sweep, e);
}

static int root_network(void *obj, const struct key_val *v, struct err *e)
{
	return network_load(v->l->doc, v->node, &((struct scenario *)obj)->network, e);
}

static int root_tls(void *obj, const struct key_val *v, struct err *e)
{
	return tlsconf_load(v->l->doc, v->node, v->label, &((struct scenario *)obj)->tls, e);
}

static const struct key_def root_keys[] = {
	{ "name", true, true, root_name },
	{ "seed", true, true, root_seed },
	{ "services", false, false, root_services },
	{ "balancers", false, false, root_balancers },
	{ "clients", false, false, root_clients },
	{ "sweep", false, false, root_sweep },
	{ "network", false, false, root_network },
	{ "trace_sample", true, true, root_trace_sample },
	{ "tls", false, false, root_tls },
	{ 0 },
};

static const struct key_def *find_key(const struct key_def *keys, const char *name)
{
	for (; keys->name; keys++)
		if (strcmp(keys->name, name) == 0)
			return keys;
	return NULL;
}

/* The keys' names, "a, b or c" (settable only: "a, b, c"), into buf. */
static const char *key_list(const struct key_def *keys, bool settable, char *buf, size_t len)
{
	size_t used = 0, n = 0, i = 0;

	for (const struct key_def *k = keys; k->name; k++)
		n += !settable || k->settable;
	buf[0] = '\0';
	for (const struct key_def *k = keys; k->name && used < len; k++) {
		if (settable && !k->settable)
			continue;
		i++;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i == 1 ? "" : !settable && i == n ? " or " : ", ", k->name);
	}
	return buf;
}

/* Every key of the mapping map through keys into obj. prefix names the
 * object in a value's message ("service S: "), who in an unknown key's. */
static int load_keys(struct scenario_loader *l, yaml_node_t *map, const struct key_def *keys,
		     void *obj, const char *prefix, const char *who)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(l->doc, p->value);
		const char *name = k->type == YAML_SCALAR_NODE ? scalar(k) : "";
		const struct key_def *d = find_key(keys, name);
		char label[160], list[200];

		if (d == NULL)
			return at(l, k, "%sunknown key '%s' (expected %s)", who, name,
				  key_list(keys, false, list, sizeof list));
		if (d->scalar && want_scalar(l, val, name) < 0)
			return -EINVAL;
		snprintf(label, sizeof label, "%s%s", prefix, name);
		struct key_val v = { l, val, val->type == YAML_SCALAR_NODE ? scalar(val) : NULL, label,
				     (int)val->start_mark.line + 1, (int)val->start_mark.column + 1 };

		if (d->apply(obj, &v, l->e) < 0)
			return -EINVAL;
	}
	return 0;
}

/* --set KEY=VAL of one object: 0, -EINVAL, or 1 when keys has no such key
 * that --set may give. */
static int set_key(const struct key_def *keys, void *obj, const char *name, const char *val,
		   struct err *e)
{
	const struct key_def *d = find_key(keys, name);
	char label[160];

	if (d == NULL || !d->settable)
		return 1;
	snprintf(label, sizeof label, "--set %s", name);
	struct key_val v = { NULL, NULL, val, label, 0, 0 };

	return d->apply(obj, &v, e);
}

/* -- objects -- */

static int load_service(struct scenario_loader *l, yaml_node_t *key, yaml_node_t *v, struct scenario_service *svc)
{
	char prefix[96];

	svc->name = xstrdup(scalar(key));
	svc->replicas = 1;
	svc->line = (int)key->start_mark.line + 1;
	svc->col = (int)key->start_mark.column + 1;
	if (!valid_name(svc->name))
		return at(l, key, "service name '%s': use letters, digits, '-', '_' and '.'", svc->name);
	if (v->type == YAML_SCALAR_NODE && scalar(v)[0] == '\0')
		return 0; /* "back:" with nothing: one replica, default options */
	if (v->type != YAML_MAPPING_NODE)
		return at(l, v, "service %s: expected a mapping (replicas, node, routes), got %s",
			  svc->name, kind_name(v));
	if (check_unique_keys(l, v, svc->name) < 0)
		return -EINVAL;
	snprintf(prefix, sizeof prefix, "service %s: ", svc->name);
	if (load_keys(l, v, service_keys, svc, prefix, prefix) < 0)
		return -EINVAL;
	/* Knative routes HTTP/1.1 to an http1 port, HTTP/2 to an h2c one: the
	 * service speaks it. */
	if (svc->protocol_line == 0 && svc->serverless.set && svc->serverless.protocol)
		svc->proto = strcmp(svc->serverless.protocol, "h2c") == 0 ? SCENARIO_H2C : SCENARIO_HTTP;
	return 0;
}

static int load_balancer(struct scenario_loader *l, yaml_node_t *key, yaml_node_t *v,
			 struct scenario_service *b)
{
	b->name = xstrdup(scalar(key));
	b->replicas = 1;
	b->line = (int)key->start_mark.line + 1;
	b->col = (int)key->start_mark.column + 1;
	b->policy = xstrdup("roundrobin");
	b->lb_kind = xstrdup("haproxy");
	if (!valid_name(b->name))
		return at(l, key, "balancer name '%s': use letters, digits, '-', '_' and '.'", b->name);
	if (v->type != YAML_MAPPING_NODE)
		return at(l, v, "balancer %s: expected a mapping (service, policy, kind), got %s",
			  b->name, kind_name(v));
	if (check_unique_keys(l, v, b->name) < 0)
		return -EINVAL;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(l->doc, p->value);
		const char *name = k->type == YAML_SCALAR_NODE ? scalar(k) : "";
		char **field = strcmp(name, "service") == 0  ? &b->balance
			       : strcmp(name, "policy") == 0 ? &b->policy
			       : strcmp(name, "kind") == 0   ? &b->lb_kind
							     : NULL;

		if (field == NULL)
			return at(l, k, "balancer %s: unknown key '%s' (expected service, policy or kind)",
				  b->name, name);
		if (want_scalar(l, val, name) < 0)
			return -EINVAL;
		free(*field);
		*field = xstrdup(scalar(val));
		if (field == &b->policy && strcmp(b->policy, "roundrobin") != 0 &&
		    strcmp(b->policy, "leastconn") != 0 && strcmp(b->policy, "first") != 0)
			return at(l, val, "balancer %s: policy '%s' (expected roundrobin, leastconn or first)",
				  b->name, b->policy);
		if (field == &b->lb_kind && strcmp(b->lb_kind, "haproxy") != 0 &&
		    strcmp(b->lb_kind, "meshwalk") != 0)
			return at(l, val, "balancer %s: kind '%s' (expected haproxy or meshwalk)", b->name,
				  b->lb_kind);
	}
	if (b->balance == NULL)
		return at(l, v, "balancer %s: missing service (the service it balances)", b->name);
	return 0;
}

static int load_client(struct scenario_loader *l, yaml_node_t *v, struct scenario_client *c)
{
	c->line = (int)v->start_mark.line + 1;
	c->col = (int)v->start_mark.column + 1;
	if (v->type != YAML_MAPPING_NODE)
		return at(l, v, "clients: each item must be a mapping (name, to, args, delay, route), "
			     "got %s", kind_name(v));
	if (check_unique_keys(l, v, "client") < 0)
		return -EINVAL;
	if (load_keys(l, v, client_keys, c, "", "client: ") < 0)
		return -EINVAL;
	if (c->name == NULL)
		return at(l, v, "client: missing name");
	if (c->to == NULL)
		return at(l, v, "client %s: missing to (a service or host:port)", c->name);
	return 0;
}

static int load_services(struct scenario_loader *l, yaml_node_t *v, struct scenario *s)
{
	if (v->type != YAML_MAPPING_NODE)
		return at(l, v, "services: expected a mapping of service names, got %s", kind_name(v));
	if (check_unique_keys(l, v, "services") < 0)
		return -EINVAL;
	size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
	s->services = xcalloc(n ? n : 1, sizeof *s->services);
	for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
		yaml_node_t *sk = yaml_document_get_node(l->doc, q->key);
		yaml_node_t *sv = yaml_document_get_node(l->doc, q->value);

		if (sk->type != YAML_SCALAR_NODE)
			return at(l, sk, "services: names must be plain words");
		/* Unique: check_unique_keys() saw to it. */
		if (load_service(l, sk, sv, &s->services[s->nservices++]) < 0)
			return -EINVAL;
	}
	return 0;
}

static int load_balancers(struct scenario_loader *l, yaml_node_t *v)
{
	if (v->type != YAML_MAPPING_NODE)
		return at(l, v, "balancers: expected a mapping of balancer names, got %s", kind_name(v));
	if (check_unique_keys(l, v, "balancers") < 0)
		return -EINVAL;
	size_t n = (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
	l->lbs = xcalloc(n ? n : 1, sizeof *l->lbs);
	for (yaml_node_pair_t *q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
		yaml_node_t *bk = yaml_document_get_node(l->doc, q->key);
		yaml_node_t *bv = yaml_document_get_node(l->doc, q->value);

		if (bk->type != YAML_SCALAR_NODE)
			return at(l, bk, "balancers: names must be plain words");
		if (load_balancer(l, bk, bv, &l->lbs[l->nlbs++]) < 0)
			return -EINVAL;
	}
	return 0;
}

static int load_clients(struct scenario_loader *l, yaml_node_t *v, struct scenario *s)
{
	if (v->type != YAML_SEQUENCE_NODE)
		return at(l, v, "clients: expected a list of client groups, got %s", kind_name(v));
	size_t n = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	s->clients = xcalloc(n ? n : 1, sizeof *s->clients);
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *cv = yaml_document_get_node(l->doc, *it);
		struct scenario_client *c = &s->clients[s->nclients++];

		if (load_client(l, cv, c) < 0)
			return -EINVAL;
		for (size_t i = 0; i + 1 < s->nclients; i++)
			if (strcmp(s->clients[i].name, c->name) == 0)
				return at(l, cv, "client %s is defined twice", c->name);
	}
	return 0;
}

int scenario_load_root(struct scenario_loader *l, yaml_node_t *root, struct scenario *s)
{
	if (root == NULL)
		return at(l, NULL, "the file is empty");
	if (root->type != YAML_MAPPING_NODE)
		return at(l, root, "expected a mapping at the top (name, seed, services, clients), got %s",
			  kind_name(root));
	if (check_unique_keys(l, root, "top level") < 0)
		return -EINVAL;
	return load_keys(l, root, root_keys, s, "", "");
}

/* -- overrides -- */

static struct scenario_client *find_client(struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->nclients; i++)
		if (strcmp(s->clients[i].name, name) == 0)
			return &s->clients[i];
	return NULL;
}

/* services.SVC.routes.NAME=PROGRAM (the last '.' separates the route
 * name): 0, -EINVAL, or 1 when group names no such service's routes. */
static int set_route(struct scenario *s, const char *group, const char *field, const char *val,
		     struct err *e)
{
	size_t glen = strlen(group);
	struct scenario_service *svc;
	struct scenario_route *rt = NULL;
	char sname[256];

	if (glen <= 7 || strcmp(group + glen - 7, ".routes") != 0)
		return 1;
	snprintf(sname, sizeof sname, "%.*s", (int)(glen - 7), group);
	svc = (struct scenario_service *)scenario_service(s, sname);
	if (svc == NULL || svc->balance != NULL)
		return 1;
	if (!valid_name(field))
		return err_set(e, "--set: route name '%s': use 1 to 64 letters, digits, "
				  "'-', '_' and '.'", field);
	for (size_t i = 0; i < svc->nroutes; i++)
		if (strcmp(svc->routes[i].name, field) == 0)
			rt = &svc->routes[i];
	if (rt == NULL)
		rt = add_route(svc, field);
	free(rt->text);
	rt->text = xstrdup(val);
	rt->line = rt->col = 0;
	return 0;
}

int scenario_apply_set(struct scenario *s, const char *kv, struct err *e)
{
	const char *eq = strchr(kv, '=');
	char key[256], list[200], *dot1, *dot2;
	const char *val;
	int rc;

	if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof key)
		return err_set(e, "--set '%s': expected key=value", kv);
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	val = eq + 1;
	rc = set_key(root_keys, s, key, val, e);
	if (rc <= 0)
		return rc;
	dot1 = strchr(key, '.');
	dot2 = dot1 ? strrchr(key, '.') : NULL;
	if (dot1 == NULL || dot2 == dot1)
		return err_set(e, "--set %s: expected name, seed, services.NAME.KEY or clients.NAME.KEY",
			       key);
	*dot1 = '\0';
	*dot2 = '\0';
	const char *group = dot1 + 1, *field = dot2 + 1;

	if (strcmp(key, "services") == 0) {
		struct scenario_service *svc = (struct scenario_service *)scenario_service(s, group);

		if (svc == NULL && (rc = set_route(s, group, field, val, e)) <= 0)
			return rc;
		if (svc == NULL || svc->balance != NULL)
			return err_set(e, "--set: no service called '%s'", group);
		rc = set_key(service_keys, svc, field, val, e);
		if (rc > 0)
			return err_set(e, "--set: services have no key '%s' (%s, routes.NAME)", field,
				       key_list(service_keys, true, list, sizeof list));
		return rc;
	}
	if (strcmp(key, "clients") == 0) {
		struct scenario_client *c = find_client(s, group);

		if (c == NULL)
			return err_set(e, "--set: no client group called '%s'", group);
		rc = set_key(client_keys, c, field, val, e);
		if (rc > 0)
			return err_set(e, "--set: clients have no key '%s' (%s)", field,
				       key_list(client_keys, true, list, sizeof list));
		return rc;
	}
	return err_set(e, "--set %s: expected name, seed, services.NAME.KEY or clients.NAME.KEY", key);
}
