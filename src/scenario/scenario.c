/* scenario.c -- see scenario.h.
 *
 * DESIGN: libyaml's document API gives a tree whose nodes carry their start
 * marks, so every error can name the line and column it is about. The tree is
 * walked once into plain structs; overrides are applied to those structs
 * (they are scalars), and validation runs last, so a value from --set is
 * checked exactly like one from the file. */
#include "scenario/scenario.h"
#include "scenario/sweep.h"
#include "scenario/yamlerr.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#include "prog/prog_parse.h"
#include "spec/units.h"
#include "util/xalloc.h"

/* -- argv -- */

static void argv_push(struct scenario_argv *a, char *word)
{
	a->v = xrealloc(a->v, (a->n + 2) * sizeof *a->v);
	a->v[a->n++] = word;
	a->v[a->n] = NULL;
}

void scenario_argv_free(struct scenario_argv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

int scenario_split(const char *text, struct scenario_argv *out, struct err *e)
{
	size_t len = strlen(text);
	char *word = xmalloc(len + 1);
	size_t w = 0;
	bool in_word = false;

	for (const char *p = text; *p; p++) {
		if (isspace((unsigned char)*p)) {
			if (in_word) {
				word[w] = '\0';
				argv_push(out, xstrdup(word));
				w = 0;
				in_word = false;
			}
			continue;
		}
		in_word = true;
		if (*p == '\'' || *p == '"') {
			char q = *p++;

			while (*p && *p != q) {
				if (q == '"' && *p == '\\' && p[1])
					p++;
				word[w++] = *p++;
			}
			if (*p != q) {
				free(word);
				return err_set(e, "unterminated %c quote in '%s'", q, text);
			}
			continue;
		}
		if (*p == '\\' && p[1])
			p++;
		word[w++] = *p;
	}
	if (in_word) {
		word[w] = '\0';
		argv_push(out, xstrdup(word));
	}
	free(word);
	return 0;
}

/* -- tree walking -- */

struct loader {
	yaml_document_t *doc;
	struct err *e;
	struct scenario_service *lbs; /* balancers, appended to the services after loading */
	size_t nlbs;
};

static int at(struct loader *l, yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int at(struct loader *l, yaml_node_t *n, const char *fmt, ...)
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

static int want_scalar(struct loader *l, yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SCALAR_NODE)
		return at(l, n, "%s: expected a single value, got %s", what, kind_name(n));
	return 0;
}

/* Scalar parsers shared by the file and --set. */
static int parse_int(const char *text, long min, long max, long *out, struct err *e, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || end == text || *end || v < min || v > max)
		return err_set(e, "%s: expected a whole number from %ld to %ld, got '%s'", what, min,
			       max, text);
	*out = v;
	return 0;
}

static int parse_u64(const char *text, uint64_t *out, struct err *e, const char *what)
{
	char *end;

	errno = 0;
	if (strchr(text, '-'))
		return err_set(e, "%s: expected a non-negative number, got '%s'", what, text);
	*out = strtoull(text, &end, 0);
	if (errno || end == text || *end)
		return err_set(e, "%s: expected a number, got '%s'", what, text);
	return 0;
}

static int parse_share(const char *text, double *out, struct err *e)
{
	char *end;

	errno = 0;
	*out = strtod(text, &end);
	if (errno || end == text || *end || !(*out >= 0 && *out <= 1))
		return err_set(e, "trace_sample: expected a share from 0 to 1, got '%s'", text);
	return 0;
}

double scenario_trace_sample(const struct scenario *s, size_t g)
{
	return s->clients[g].has_trace_sample ? s->clients[g].trace_sample : s->trace_sample;
}

bool scenario_traced(const struct scenario *s)
{
	for (size_t g = 0; g < s->nclients; g++)
		if (scenario_trace_sample(s, g) > 0)
			return true;
	return false;
}

static int parse_delay(const char *text, int64_t *ns, struct err *e)
{
	double us;

	if (units_parse(text, SPEC_TIME, &us, e) < 0 || us < 0 || us > 86400e6)
		return err_set(e, "delay: expected a duration such as 500ms, got '%s'", text);
	*ns = (int64_t)(us * 1000);
	return 0;
}

/* A string (split like a shell) or a list of strings. */
static int load_words(struct loader *l, yaml_node_t *n, struct scenario_argv *out, const char *what)
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
		argv_push(out, xstrdup(scalar(v)));
	}
	return 0;
}

/* libyaml accepts a key twice in one mapping; a scenario does not: the
 * second would silently replace or extend the first. */
static int check_unique_keys(struct loader *l, yaml_node_t *map, const char *where)
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
static int load_routes(struct loader *l, yaml_node_t *v, struct scenario_service *svc)
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

static int load_service(struct loader *l, yaml_node_t *key, yaml_node_t *v, struct scenario_service *svc)
{
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
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(l->doc, p->value);
		const char *name = k->type == YAML_SCALAR_NODE ? scalar(k) : "";

		if (strcmp(name, "replicas") == 0) {
			long r;

			if (want_scalar(l, val, "replicas") < 0)
				return -EINVAL;
			if (parse_int(scalar(val), 1, SCENARIO_MAX_REPLICAS, &r, l->e, "replicas") < 0)
				return at(l, val, "service %s: %s", svc->name, l->e->msg);
			svc->replicas = (int)r;
		} else if (strcmp(name, "node") == 0) {
			if (load_words(l, val, &svc->node, "node") < 0)
				return -EINVAL;
			svc->node_line = (int)val->start_mark.line + 1;
			svc->node_col = (int)val->start_mark.column + 1;
		} else if (strcmp(name, "link") == 0) {
			char what[96];

			snprintf(what, sizeof what, "service %s: link", svc->name);
			if (network_load_link(l->doc, val, what, &svc->link, l->e) < 0)
				return -EINVAL;
		} else if (strcmp(name, "routes") == 0) {
			if (load_routes(l, val, svc) < 0)
				return -EINVAL;
		} else if (strcmp(name, "protocol") == 0) {
			if (want_scalar(l, val, "protocol") < 0)
				return -EINVAL;
			if (strcmp(scalar(val), "http") != 0 && strcmp(scalar(val), "tcp") != 0)
				return at(l, val, "service %s: protocol: expected tcp or http, got '%s'",
					  svc->name, scalar(val));
			svc->http = scalar(val)[0] == 'h';
			svc->protocol_line = (int)val->start_mark.line + 1;
			svc->protocol_col = (int)val->start_mark.column + 1;
		} else if (strcmp(name, "resources") == 0 || strcmp(name, "serverless") == 0) {
			char what[96];

			snprintf(what, sizeof what, "service %s: %s", svc->name, name);
			if ((name[0] == 'r' ? kube_load_resources(l->doc, val, what, &svc->resources, l->e)
					    : kube_load_serverless(l->doc, val, what, &svc->serverless,
								   l->e)) < 0)
				return -EINVAL;
		} else {
			return at(l, k, "service %s: unknown key '%s' (expected replicas, node, routes, "
				  "protocol, link, resources or serverless)",
				  svc->name, name);
		}
	}
	/* Knative routes HTTP/1.1 to an http1 port: the service speaks it. */
	if (svc->protocol_line == 0 && svc->serverless.set && svc->serverless.protocol &&
	    strcmp(svc->serverless.protocol, "http1") == 0)
		svc->http = true;
	return 0;
}

static int load_balancer(struct loader *l, yaml_node_t *key, yaml_node_t *v,
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

static int load_client(struct loader *l, yaml_node_t *v, struct scenario_client *c)
{
	c->line = (int)v->start_mark.line + 1;
	c->col = (int)v->start_mark.column + 1;
	if (v->type != YAML_MAPPING_NODE)
		return at(l, v, "clients: each item must be a mapping (name, to, args, delay, route), "
			     "got %s", kind_name(v));
	if (check_unique_keys(l, v, "client") < 0)
		return -EINVAL;
	for (yaml_node_pair_t *p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *val = yaml_document_get_node(l->doc, p->value);
		const char *name = k->type == YAML_SCALAR_NODE ? scalar(k) : "";

		if (strcmp(name, "name") == 0) {
			if (want_scalar(l, val, "name") < 0)
				return -EINVAL;
			free(c->name);
			c->name = xstrdup(scalar(val));
			if (!valid_name(c->name))
				return at(l, val, "client name '%s': use letters, digits, '-', '_' and '.'",
					  c->name);
		} else if (strcmp(name, "to") == 0) {
			if (want_scalar(l, val, "to") < 0)
				return -EINVAL;
			free(c->to);
			c->to = xstrdup(scalar(val));
		} else if (strcmp(name, "args") == 0) {
			if (load_words(l, val, &c->args, "args") < 0)
				return -EINVAL;
			c->args_line = (int)val->start_mark.line + 1;
			c->args_col = (int)val->start_mark.column + 1;
		} else if (strcmp(name, "delay") == 0) {
			if (want_scalar(l, val, "delay") < 0)
				return -EINVAL;
			if (parse_delay(scalar(val), &c->delay_ns, l->e) < 0)
				return at(l, val, "%s", l->e->msg);
		} else if (strcmp(name, "route") == 0) {
			if (want_scalar(l, val, "route") < 0)
				return -EINVAL;
			if (!valid_name(scalar(val)))
				return at(l, val, "route '%s': use 1 to 64 letters, digits, '-', '_' and '.'",
					  scalar(val));
			free(c->route);
			c->route = xstrdup(scalar(val));
			c->route_line = (int)val->start_mark.line + 1;
			c->route_col = (int)val->start_mark.column + 1;
		} else if (strcmp(name, "trace_sample") == 0) {
			if (want_scalar(l, val, "trace_sample") < 0)
				return -EINVAL;
			if (parse_share(scalar(val), &c->trace_sample, l->e) < 0)
				return at(l, val, "%s", l->e->msg);
			c->has_trace_sample = true;
		} else {
			return at(l, k, "client: unknown key '%s' (expected name, to, args, delay, route or "
				  "trace_sample)", name);
		}
	}
	if (c->name == NULL)
		return at(l, v, "client: missing name");
	if (c->to == NULL)
		return at(l, v, "client %s: missing to (a service or host:port)", c->name);
	return 0;
}

static int load_root(struct loader *l, yaml_node_t *root, struct scenario *s)
{
	if (root == NULL)
		return at(l, NULL, "the file is empty");
	if (root->type != YAML_MAPPING_NODE)
		return at(l, root, "expected a mapping at the top (name, seed, services, clients), got %s",
			  kind_name(root));
	if (check_unique_keys(l, root, "top level") < 0)
		return -EINVAL;
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(l->doc, p->key);
		yaml_node_t *v = yaml_document_get_node(l->doc, p->value);
		const char *name = k->type == YAML_SCALAR_NODE ? scalar(k) : "";

		if (strcmp(name, "name") == 0) {
			if (want_scalar(l, v, "name") < 0)
				return -EINVAL;
			free(s->name);
			s->name = xstrdup(scalar(v));
			if (!valid_name(s->name))
				return at(l, v, "name '%s': use letters, digits, '-', '_' and '.'", s->name);
		} else if (strcmp(name, "seed") == 0) {
			if (want_scalar(l, v, "seed") < 0)
				return -EINVAL;
			if (parse_u64(scalar(v), &s->seed, l->e, "seed") < 0)
				return at(l, v, "%s", l->e->msg);
			s->has_seed = true;
		} else if (strcmp(name, "services") == 0) {
			if (v->type != YAML_MAPPING_NODE)
				return at(l, v, "services: expected a mapping of service names, got %s",
					  kind_name(v));
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
		} else if (strcmp(name, "balancers") == 0) {
			if (v->type != YAML_MAPPING_NODE)
				return at(l, v, "balancers: expected a mapping of balancer names, got %s",
					  kind_name(v));
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
		} else if (strcmp(name, "clients") == 0) {
			if (v->type != YAML_SEQUENCE_NODE)
				return at(l, v, "clients: expected a list of client groups, got %s",
					  kind_name(v));
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
		} else if (strcmp(name, "sweep") == 0) {
			if (sweep_load(l->doc, v, &s->sweep, l->e) < 0)
				return -EINVAL;
		} else if (strcmp(name, "network") == 0) {
			if (network_load(l->doc, v, &s->network, l->e) < 0)
				return -EINVAL;
		} else if (strcmp(name, "trace_sample") == 0) {
			if (want_scalar(l, v, "trace_sample") < 0)
				return -EINVAL;
			if (parse_share(scalar(v), &s->trace_sample, l->e) < 0)
				return at(l, v, "%s", l->e->msg);
		} else {
			return at(l, k,
				  "unknown key '%s' (expected name, seed, services, balancers, clients, "
				  "sweep, network or trace_sample)",
				  name);
		}
	}
	return 0;
}

/* -- overrides -- */

static struct scenario_service *find_service(struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->nservices; i++)
		if (strcmp(s->services[i].name, name) == 0)
			return &s->services[i];
	return NULL;
}

const struct scenario_service *scenario_service(const struct scenario *s, const char *name)
{
	return find_service((struct scenario *)s, name);
}

static struct scenario_client *find_client(struct scenario *s, const char *name)
{
	for (size_t i = 0; i < s->nclients; i++)
		if (strcmp(s->clients[i].name, name) == 0)
			return &s->clients[i];
	return NULL;
}

static int apply_set(struct scenario *s, const char *kv, struct err *e)
{
	const char *eq = strchr(kv, '=');
	char key[256], *dot1, *dot2;
	const char *val;

	if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof key)
		return err_set(e, "--set '%s': expected key=value", kv);
	memcpy(key, kv, (size_t)(eq - kv));
	key[eq - kv] = '\0';
	val = eq + 1;
	if (strcmp(key, "name") == 0) {
		if (!valid_name(val))
			return err_set(e, "--set name: '%s' is not a valid name", val);
		free(s->name);
		s->name = xstrdup(val);
		return 0;
	}
	if (strcmp(key, "seed") == 0) {
		s->has_seed = true;
		return parse_u64(val, &s->seed, e, "--set seed");
	}
	if (strcmp(key, "trace_sample") == 0)
		return parse_share(val, &s->trace_sample, e);
	dot1 = strchr(key, '.');
	dot2 = dot1 ? strrchr(key, '.') : NULL;
	if (dot1 == NULL || dot2 == dot1)
		return err_set(e, "--set %s: expected name, seed, services.NAME.KEY or clients.NAME.KEY",
			       key);
	*dot1 = '\0';
	*dot2 = '\0';
	const char *group = dot1 + 1, *field = dot2 + 1;

	if (strcmp(key, "services") == 0) {
		struct scenario_service *svc = find_service(s, group);
		size_t glen = strlen(group);
		long r;

		/* services.SVC.routes.NAME: the last '.' separates the route name */
		if (svc == NULL && glen > 7 && strcmp(group + glen - 7, ".routes") == 0) {
			char sname[256];

			snprintf(sname, sizeof sname, "%.*s", (int)(glen - 7), group);
			svc = find_service(s, sname);
			if (svc != NULL && svc->balance == NULL) {
				struct scenario_route *rt = NULL;

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
		}
		if (svc == NULL || svc->balance != NULL)
			return err_set(e, "--set: no service called '%s'", group);
		if (strcmp(field, "replicas") == 0) {
			if (parse_int(val, 1, SCENARIO_MAX_REPLICAS, &r, e, "--set replicas") < 0)
				return -EINVAL;
			svc->replicas = (int)r;
			return 0;
		}
		if (strcmp(field, "node") == 0) {
			svc->node_line = svc->node_col = 0;
			scenario_argv_free(&svc->node);
			return scenario_split(val, &svc->node, e);
		}
		if (strcmp(field, "protocol") == 0) {
			if (strcmp(val, "http") != 0 && strcmp(val, "tcp") != 0)
				return err_set(e, "--set: protocol: expected tcp or http, got '%s'", val);
			svc->http = val[0] == 'h';
			svc->protocol_line = svc->protocol_col = -1; /* set, but by --set */
			return 0;
		}
		return err_set(e, "--set: services have no key '%s' (replicas, node, protocol, "
			       "routes.NAME)", field);
	}
	if (strcmp(key, "clients") == 0) {
		struct scenario_client *c = find_client(s, group);

		if (c == NULL)
			return err_set(e, "--set: no client group called '%s'", group);
		if (strcmp(field, "to") == 0) {
			free(c->to);
			c->to = xstrdup(val);
			return 0;
		}
		if (strcmp(field, "args") == 0) {
			c->args_line = c->args_col = 0;
			scenario_argv_free(&c->args);
			return scenario_split(val, &c->args, e);
		}
		if (strcmp(field, "delay") == 0)
			return parse_delay(val, &c->delay_ns, e);
		if (strcmp(field, "trace_sample") == 0) {
			c->has_trace_sample = true;
			return parse_share(val, &c->trace_sample, e);
		}
		if (strcmp(field, "route") == 0) {
			if (!valid_name(val))
				return err_set(e, "--set: route '%s': use 1 to 64 letters, digits, '-', '_' "
						  "and '.'", val);
			free(c->route);
			c->route = xstrdup(val);
			c->route_line = c->route_col = 0;
			return 0;
		}
		return err_set(e, "--set: clients have no key '%s' (to, args, delay, route)", field);
	}
	return err_set(e, "--set %s: expected name, seed, services.NAME.KEY or clients.NAME.KEY", key);
}

/* -- expansion -- */

bool scenario_http(const struct scenario *s, const struct scenario_service *svc)
{
	if (svc->balance) {
		const struct scenario_service *b = scenario_service(s, svc->balance);

		return b != NULL && b->http;
	}
	return svc->http;
}

/* Parses "svc" or "svc[i]" from ref (length len). */
static int resolve(const struct scenario *s, const char *ref, size_t len,
		   const struct scenario_service **svc, int *index, struct err *e)
{
	char name[80];
	const char *br = memchr(ref, '[', len);
	size_t nlen = br ? (size_t)(br - ref) : len;

	*index = -1;
	if (nlen == 0 || nlen >= sizeof name)
		return err_set(e, "bad service reference '%.*s'", (int)len, ref);
	memcpy(name, ref, nlen);
	name[nlen] = '\0';
	*svc = scenario_service(s, name);
	if (*svc == NULL)
		return err_set(e, "no service called '%s'", name);
	if (br) {
		char *end;
		long i = strtol(br + 1, &end, 10);

		if (end == br + 1 || (size_t)(end - ref) != len - 1 || ref[len - 1] != ']')
			return err_set(e, "bad replica reference '%.*s' (expected %s[N])", (int)len, ref,
				       name);
		if (i < 0 || i >= (*svc)->replicas)
			return err_set(e, "%s has %d replica%s, there is no %s[%ld]", name,
				       (*svc)->replicas, (*svc)->replicas == 1 ? "" : "s", name, i);
		*index = (int)i;
	}
	return 0;
}

static void append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
	if (*len + n + 1 > *cap) {
		*cap = (*len + n + 1) * 2;
		*buf = xrealloc(*buf, *cap);
	}
	memcpy(*buf + *len, s, n);
	*len += n;
	(*buf)[*len] = '\0';
}

char *scenario_expand(const struct scenario *s, const char *text, bool bare_is_service,
		      scenario_addr_fn *addr, void *arg, struct err *e)
{
	size_t len = 0, cap = strlen(text) + 64;
	char *out = xmalloc(cap);
	const struct scenario_service *svc;
	int idx;

	out[0] = '\0';
	if (bare_is_service && strchr(text, '{') == NULL && strchr(text, ':') == NULL) {
		if (resolve(s, text, strlen(text), &svc, &idx, e) < 0) {
			free(out);
			return NULL;
		}
		const char *a = addr(svc, idx < 0 ? 0 : idx, arg);
		if (scenario_http(s, svc))
			append(&out, &len, &cap, "http://", 7);
		append(&out, &len, &cap, a, strlen(a));
		return out;
	}
	for (const char *p = text; *p;) {
		const char *close;

		if (*p != '{' || (close = strchr(p, '}')) == NULL) {
			append(&out, &len, &cap, p, 1);
			p++;
			continue;
		}
		if (resolve(s, p + 1, (size_t)(close - p - 1), &svc, &idx, e) < 0) {
			free(out);
			return NULL;
		}
		for (int i = 0; i < svc->replicas; i++) {
			if (idx >= 0 && i != idx)
				continue;
			const char *a = addr(svc, i, arg);

			if (len && out[len - 1] != ',' && idx < 0 && i > 0)
				append(&out, &len, &cap, ",", 1);
			if (scenario_http(s, svc))
				append(&out, &len, &cap, "http://", 7);
			append(&out, &len, &cap, a, strlen(a));
		}
		p = close + 1;
	}
	return out;
}

/* -- loading -- */

static const char *dummy_addr(const struct scenario_service *svc, int i, void *arg)
{
	(void)svc;
	(void)i;
	(void)arg;
	return "127.0.0.1:1";
}

const struct scenario_route *scenario_route(const struct scenario *s,
					    const struct scenario_service *svc, const char *name)
{
	if (svc->balance)
		svc = &s->services[svc->backend];
	for (size_t i = 0; i < svc->nroutes; i++)
		if (strcmp(svc->routes[i].name, name) == 0)
			return &svc->routes[i];
	return NULL;
}

/* scenario_expand()'s callback while validating: a placeholder address, and
 * a note of every service referenced. */
struct refs {
	const struct scenario *s;
	bool *seen;                 /* [service index] */
};

static const char *note_ref(const struct scenario_service *svc, int i, void *arg)
{
	struct refs *r = arg;

	r->seen[svc - r->s->services] = true;
	return "127.0.0.1:1";
}

/* Positions errors at a route's program text (line and column), when known. */
static int route_err(const struct scenario_route *rt, struct err *e)
{
	e->line = rt->line;
	e->col = rt->col;
	return -EINVAL;
}

/* Every route's text expands and parses; edge[i * n + j] is the route of
 * service i that references service j (NULL: none). */
static int check_routes(struct scenario *s, const struct scenario_route **edge, struct err *e)
{
	size_t n = s->nservices;
	bool *seen = xcalloc(n, sizeof *seen);
	struct refs refs = { s, seen };
	int rc = 0;

	for (size_t i = 0; i < n && rc == 0; i++) {
		const struct scenario_service *svc = &s->services[i];

		for (size_t k = 0; k < svc->nroutes && rc == 0; k++) {
			const struct scenario_route *rt = &svc->routes[k];
			struct prog *p;
			char *x;

			memset(seen, 0, n * sizeof *seen);
			x = scenario_expand(s, rt->text, false, note_ref, &refs, e);
			if (x == NULL) {
				err_prefix(e, "service %s: route %s", svc->name, rt->name);
				rc = route_err(rt, e);
				break;
			}
			if (prog_parse_text(x, &p, e) < 0) {
				err_prefix(e, "service %s: route %s", svc->name, rt->name);
				rc = route_err(rt, e);
			}
			free(x);
			if (rc < 0)
				break;
			prog_destroy(p);
			for (size_t j = 0; j < n; j++) {
				if (!seen[j])
					continue;
				if (s->services[j].balance) {
					err_set(e, "service %s: route %s references balancer %s: routes may "
						   "reference services of nodes only (balancers start after "
						   "every node)", svc->name, rt->name, s->services[j].name);
					rc = route_err(rt, e);
					break;
				}
				if (edge[i * n + j] == NULL)
					edge[i * n + j] = rt;
			}
		}
	}
	free(seen);
	return rc;
}

/* Depth-first from service i: sets levels, or fails on a cycle, naming it. */
static int route_level(struct scenario *s, const struct scenario_route **edge, size_t i,
		       int *state, size_t *path, size_t depth, struct err *e)
{
	size_t n = s->nservices;
	int level = 0;

	if (state[i] == 2)
		return 0;
	path[depth] = i;
	if (state[i] == 1) {
		size_t from = 0, used = 0;
		char chain[200];

		while (path[from] != i)
			from++;
		chain[0] = '\0';
		for (size_t k = from; k <= depth && used < sizeof chain; k++)
			used += (size_t)snprintf(chain + used, sizeof chain - used, "%s%s",
						 k > from ? " -> " : "", s->services[path[k]].name);
		err_set(e, "routes reference each other in a cycle: %s (a service starts after the "
			   "services its routes reference)", chain);
		return route_err(edge[path[depth - 1] * n + i], e);
	}
	state[i] = 1;
	for (size_t j = 0; j < n; j++) {
		if (edge[i * n + j] == NULL)
			continue;
		if (route_level(s, edge, j, state, path, depth + 1, e) < 0)
			return -EINVAL;
		if (s->services[j].level + 1 > level)
			level = s->services[j].level + 1;
	}
	state[i] = 2;
	s->services[i].level = level;
	if (level > s->max_level)
		s->max_level = level;
	return 0;
}

/* Route texts parse, their references form no cycle (levels are set). */
static int validate_routes(struct scenario *s, struct err *e)
{
	size_t n = s->nservices;
	const struct scenario_route **edge = xcalloc(n * n, sizeof *edge);
	int *state = xcalloc(n, sizeof *state);
	size_t *path = xcalloc(n + 1, sizeof *path);
	int rc = check_routes(s, edge, e);

	s->max_level = 0;
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = route_level(s, edge, i, state, path, 0, e);
	free(edge);
	free(state);
	free(path);
	return rc;
}

/* A client group's route must be one of its `to` service's routes. */
static int check_client_route(struct scenario *s, const struct scenario_client *c, struct err *e)
{
	bool *seen = xcalloc(s->nservices, sizeof *seen);
	struct refs refs = { s, seen };
	char *x = scenario_expand(s, c->to, true, note_ref, &refs, e);
	int rc = 0;

	free(x);
	for (size_t j = 0; j < s->nservices && rc == 0; j++) {
		const struct scenario_service *svc = &s->services[j];

		if (!seen[j] || scenario_route(s, svc, c->route) != NULL)
			continue;
		const struct scenario_service *nodes = svc->balance ? &s->services[svc->backend] : svc;
		char have[160];
		size_t used = 0;

		have[0] = '\0';
		for (size_t k = 0; k < nodes->nroutes && used < sizeof have; k++)
			used += (size_t)snprintf(have + used, sizeof have - used, "%s%s", k ? ", " : "",
						 nodes->routes[k].name);
		rc = err_set(e, "client %s: route %s: service %s has no such route (%s%s)", c->name,
			     c->route, nodes->name, nodes->nroutes ? "it has: " : "it has no routes",
			     have);
		e->line = c->route_line ? c->route_line : c->line;
		e->col = c->route_col;
	}
	free(seen);
	return rc;
}

/* Every reference in `to` and in client args must resolve. */
static int validate(struct scenario *s, struct err *e)
{
	if (s->nservices == 0)
		return err_set(e, "no services: a scenario needs at least one service");
	if (s->nclients == 0)
		return err_set(e, "no clients: a scenario needs at least one client group");
	if (validate_routes(s, e) < 0)
		return -EINVAL;
	for (size_t i = 0; i < s->nclients; i++) {
		struct scenario_client *c = &s->clients[i];
		char *x;

		for (size_t k = 0; c->route && k < c->args.n; k++)
			if (prog_op_word(c->args.v[k])) {
				e->line = c->route_line ? c->route_line : c->line;
				e->col = c->route_col;
				return err_set(e, "client %s: route %s: args carry the op '%s', but a "
					       "request that names a route carries no program", c->name,
					       c->route, c->args.v[k]);
			}
		x = scenario_expand(s, c->to, true, dummy_addr, NULL, e);

		if (x == NULL) {
			e->line = c->line;
			return err_prefix(e, "client %s: to", c->name);
		}
		free(x);
		for (size_t k = 0; k < c->args.n; k++) {
			x = scenario_expand(s, c->args.v[k], false, dummy_addr, NULL, e);
			if (x == NULL) {
				e->line = c->line;
				return err_prefix(e, "client %s: args", c->name);
			}
			free(x);
		}
		if (c->route && check_client_route(s, c, e) < 0)
			return -EINVAL;
	}
	return s->sweep ? sweep_check(s, s->sweep, e) : 0;
}

/* Each balancer's service must be a service of nodes; names are unique. */
static int resolve_balancers(struct scenario *s, struct err *e)
{
	for (size_t i = 0; i < s->nservices; i++) {
		struct scenario_service *b = &s->services[i];
		bool found = false;

		for (size_t j = 0; j < s->nservices; j++)
			if (j != i && strcmp(s->services[j].name, b->name) == 0) {
				e->line = b->line;
				return err_set(e, "%s is defined twice (services and balancers share names)",
					       b->name);
			}
		if (b->balance == NULL)
			continue;
		for (size_t j = 0; j < s->nservices; j++)
			if (s->services[j].balance == NULL && strcmp(s->services[j].name, b->balance) == 0) {
				b->backend = j;
				found = true;
			}
		if (!found) {
			e->line = b->line;
			return err_set(e, "balancer %s: no service '%s' to balance", b->name, b->balance);
		}
	}
	return 0;
}

int scenario_load(const char *path, char *const *overrides, size_t noverrides,
		  struct scenario *s, struct err *e)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct loader l = { .doc = &doc, .e = e };
	FILE *f;
	int rc;

	memset(s, 0, sizeof *s);
	err_clear(e);
	s->path = xstrdup(path);
	f = fopen(path, "r");
	if (f == NULL)
		return err_set(e, "cannot open %s: %s", path, strerror(errno));
	struct stat st;
	/* fopen() opens a directory for reading; libyaml would then report an
	 * "input error" at 1:1. */
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return err_set(e, "is a directory, not a scenario file (a YAML file, docs/scenario.md)");
	}
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		err_set(e, "YAML syntax: %s%s%s", parser.problem ? parser.problem : "error",
			parser.context ? " " : "", parser.context ? parser.context : "");
		e->line = (int)parser.problem_mark.line + 1;
		e->col = (int)parser.problem_mark.column + 1;
		yaml_parser_delete(&parser);
		fclose(f);
		return -EINVAL;
	}
	rc = load_root(&l, yaml_document_get_root_node(&doc), s);
	if (l.nlbs > 0) { /* the services own them from here, also on error */
		s->services = xrealloc(s->services, (s->nservices + l.nlbs) * sizeof *s->services);
		memcpy(s->services + s->nservices, l.lbs, l.nlbs * sizeof *l.lbs);
		s->nservices += l.nlbs;
	}
	free(l.lbs);
	if (rc == 0)
		rc = resolve_balancers(s, e);
	if (rc == 0)
		rc = network_resolve(s, e);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (rc < 0)
		return rc;
	for (size_t i = 0; i < noverrides; i++)
		if (apply_set(s, overrides[i], e) < 0)
			return -EINVAL;
	if (s->name == NULL) {
		/* The file's base name without its extension. */
		const char *b = strrchr(path, '/');
		char *dot;

		s->name = xstrdup(b ? b + 1 : path);
		dot = strrchr(s->name, '.');
		if (dot && dot != s->name)
			*dot = '\0';
		/* It names the results directory: keep it to the same characters
		 * as a name: given in the file. */
		for (char *p = s->name; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
				*p = '_';
		if (strlen(s->name) > 64)
			s->name[64] = '\0';
		if (s->name[0] == '\0') {
			free(s->name);
			s->name = xstrdup("scenario");
		}
	}
	return validate(s, e);
}

void scenario_free(struct scenario *s)
{
	for (size_t i = 0; i < s->nservices; i++) {
		free(s->services[i].name);
		scenario_argv_free(&s->services[i].node);
		free(s->services[i].balance);
		free(s->services[i].policy);
		free(s->services[i].lb_kind);
		network_link_free(&s->services[i].link);
		kube_free(&s->services[i].resources, &s->services[i].serverless);
		for (size_t k = 0; k < s->services[i].nroutes; k++) {
			free(s->services[i].routes[k].name);
			free(s->services[i].routes[k].text);
		}
		free(s->services[i].routes);
	}
	for (size_t i = 0; i < s->nclients; i++) {
		free(s->clients[i].name);
		free(s->clients[i].to);
		scenario_argv_free(&s->clients[i].args);
		free(s->clients[i].route);
	}
	free(s->services);
	free(s->clients);
	sweep_free(s->sweep);
	network_free(&s->network);
	free(s->name);
	free(s->path);
	memset(s, 0, sizeof *s);
}
