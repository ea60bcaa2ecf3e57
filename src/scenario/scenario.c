/* scenario.c -- see scenario.h.
 *
 * DESIGN: libyaml's document API gives a tree whose nodes carry their start
 * marks, so every error can name the line and column it is about. The tree is
 * walked once into plain structs; overrides are applied to those structs
 * (they are scalars), and validation runs last, so a value from --set is
 * checked exactly like one from the file. The walk and the overrides, with
 * each object's keys, are in scenario_keys.c. */
#include "scenario/scenario.h"
#include "scenario/scenario_keys.h"
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

void scenario_argv_push(struct scenario_argv *a, char *word)
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
				scenario_argv_push(out, xstrdup(word));
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
		scenario_argv_push(out, xstrdup(word));
	}
	free(word);
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

uint64_t scenario_node_seed(const struct scenario *s, uint64_t seed, size_t i, int r)
{
	uint64_t idx = (uint64_t)r;

	for (size_t k = 0; k < i && k < s->nservices; k++)
		idx += (uint64_t)s->services[k].replicas;
	return seed + 1000 + idx;
}

/* -- lookups -- */

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

/* -- expansion -- */

static const char *const proto_names[SCENARIO_PROTO_MAX_] = {
	[SCENARIO_TCP] = "tcp", [SCENARIO_HTTP] = "http", [SCENARIO_H2C] = "h2c",
	[SCENARIO_GRPC] = "grpc", [SCENARIO_SSL] = "ssl", [SCENARIO_HTTPS] = "https",
	[SCENARIO_GRPCS] = "grpcs",
};

const char *scenario_proto_name(enum scenario_proto p)
{
	return (unsigned)p < SCENARIO_PROTO_MAX_ ? proto_names[p] : "?";
}

const char *scenario_proto_scheme(enum scenario_proto p)
{
	static const char *const schemes[SCENARIO_PROTO_MAX_] = {
		[SCENARIO_TCP] = "", [SCENARIO_HTTP] = "http://", [SCENARIO_H2C] = "h2c://",
		[SCENARIO_GRPC] = "grpc://", [SCENARIO_SSL] = "ssl://", [SCENARIO_HTTPS] = "https://",
		[SCENARIO_GRPCS] = "grpcs://",
	};

	return (unsigned)p < SCENARIO_PROTO_MAX_ ? schemes[p] : "";
}

bool scenario_proto_tls(enum scenario_proto p)
{
	return p == SCENARIO_SSL || p == SCENARIO_HTTPS || p == SCENARIO_GRPCS;
}

bool scenario_has_tls(const struct scenario *s)
{
	for (size_t i = 0; i < s->nservices; i++)
		if (s->services[i].balance == NULL && scenario_proto_tls(s->services[i].proto))
			return true;
	return false;
}

const char *scenario_scheme(const struct scenario *s, const struct scenario_service *svc)
{
	if (svc->balance) {
		const struct scenario_service *b = scenario_service(s, svc->balance);

		return b != NULL ? scenario_proto_scheme(b->proto) : "";
	}
	return scenario_proto_scheme(svc->proto);
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
		const char *scheme = scenario_scheme(s, svc);

		append(&out, &len, &cap, scheme, strlen(scheme));
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

			/* NULL: replica 0's address stands for every replica */
			if (a == NULL && idx < 0)
				continue;
			if (a == NULL)
				a = addr(svc, 0, arg);
			if (len && out[len - 1] != ',' && idx < 0 && i > 0)
				append(&out, &len, &cap, ",", 1);
			const char *scheme = scenario_scheme(s, svc);

			append(&out, &len, &cap, scheme, strlen(scheme));
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

/* Each service's route_prefix, checked on its own (its references resolve,
 * it is a part of a program that ops may follow), put in front of each of
 * its routes' texts. */
static int apply_prefixes(struct scenario *s, struct err *e)
{
	for (size_t i = 0; i < s->nservices; i++) {
		struct scenario_service *svc = &s->services[i];
		char *x;

		if (svc->route_prefix == NULL)
			continue;
		e->line = svc->prefix_line;
		e->col = svc->prefix_col;
		if (svc->nroutes == 0)
			return err_set(e, "service %s: route_prefix: the service has no routes (the "
					  "prefix runs at the start of each of its routes)", svc->name);
		x = scenario_expand(s, svc->route_prefix, false, dummy_addr, NULL, e);
		if (x == NULL || prog_parse_prefix(x, e) < 0) {
			free(x);
			e->line = svc->prefix_line;
			e->col = svc->prefix_col;
			return err_prefix(e, "service %s: route_prefix '%s'", svc->name,
					  svc->route_prefix);
		}
		free(x);
		for (size_t k = 0; k < svc->nroutes; k++) {
			struct scenario_route *rt = &svc->routes[k];
			char *t = xmalloc(strlen(svc->route_prefix) + strlen(rt->text) + 2);

			sprintf(t, "%s%s%s", svc->route_prefix, rt->text[0] ? " " : "", rt->text);
			free(rt->text);
			rt->text = t;
		}
	}
	e->line = e->col = 0;
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
	if (apply_prefixes(s, e) < 0 || validate_routes(s, e) < 0)
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
	struct scenario_loader l = { .doc = &doc, .e = e };
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
	rc = scenario_load_root(&l, yaml_document_get_root_node(&doc), s);
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
		if (scenario_apply_set(s, overrides[i], e) < 0)
			return -EINVAL;
	if (tlsconf_resolve(s, e) < 0)
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
		tlsconf_free(&s->services[i].tls);
		for (size_t k = 0; k < s->services[i].nroutes; k++) {
			free(s->services[i].routes[k].name);
			free(s->services[i].routes[k].text);
		}
		free(s->services[i].routes);
		free(s->services[i].route_prefix);
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
	tlsconf_free(&s->tls);
	free(s->name);
	free(s->path);
	memset(s, 0, sizeof *s);
}
