/* tlsconf.c -- see tlsconf.h. Kept apart from scenario.c like kube.c: the
 * scenario hands over the node of a `tls` key, and checks the result once
 * every service is loaded and --set applied (a protocol may come from
 * --set). */
#include "scenario/tlsconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scenario/scenario.h"
#include "scenario/yamlerr.h"
#include "util/xalloc.h"

static const char *text(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

int tlsconf_load(yaml_document_t *doc, yaml_node_t *n, const char *what,
		 struct scenario_tls *out, struct err *e)
{
	if (n->type != YAML_MAPPING_NODE)
		return yaml_err_at(e, n, "%s: expected a mapping (cert, key, ca)", what);
	if (yaml_unique_keys(doc, n, what, e) < 0)
		return -EINVAL;
	tlsconf_free(out);
	out->set = true;
	out->line = (int)n->start_mark.line + 1;
	out->col = (int)n->start_mark.column + 1;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		struct scenario_tls_file *f = strcmp(text(k), "cert") == 0  ? &out->cert
					      : strcmp(text(k), "key") == 0 ? &out->key
					      : strcmp(text(k), "ca") == 0  ? &out->ca
									    : NULL;

		if (f == NULL)
			return yaml_err_at(e, k, "%s: unknown key '%s' (expected cert, key or ca)", what,
					   text(k));
		if (v->type != YAML_SCALAR_NODE || text(v)[0] == '\0')
			return yaml_err_at(e, v, "%s: %s: expected a file (PEM)", what, text(k));
		f->path = xstrdup(text(v));
		f->line = (int)v->start_mark.line + 1;
		f->col = (int)v->start_mark.column + 1;
	}
	return 0;
}

void tlsconf_free(struct scenario_tls *t)
{
	free(t->cert.path);
	free(t->key.path);
	free(t->ca.path);
	memset(t, 0, sizeof *t);
}

/* e's message placed at the file's line and column: -EINVAL. */
static int place(struct err *e, int line, int col)
{
	e->line = line;
	e->col = col;
	return -EINVAL;
}

/* f's path relative to the scenario file's directory, readable, made
 * absolute (the nodes' command lines name it whatever their directory). */
static int resolve_file(const struct scenario *s, struct scenario_tls_file *f, const char *who,
			const char *key, struct err *e)
{
	const char *slash = strrchr(s->path, '/');
	char *abs;

	if (f->path == NULL)
		return 0;
	if (f->path[0] != '/' && slash != NULL) {
		size_t dlen = (size_t)(slash - s->path) + 1;
		char *p = xmalloc(dlen + strlen(f->path) + 1);

		memcpy(p, s->path, dlen);
		strcpy(p + dlen, f->path);
		free(f->path);
		f->path = p;
	}
	if (access(f->path, R_OK) != 0 || (abs = realpath(f->path, NULL)) == NULL) {
		err_set(e, "%stls: %s: cannot read %s: %s", who, key, f->path, strerror(errno));
		return place(e, f->line, f->col);
	}
	free(f->path);
	f->path = abs;
	return 0;
}

/* One `tls` mapping: its files, and a certificate comes with a CA (its
 * own, or for a service's, the top level's). */
static int resolve_one(const struct scenario *s, struct scenario_tls *t, const char *who,
		       struct err *e)
{
	if (resolve_file(s, &t->cert, who, "cert", e) < 0 || resolve_file(s, &t->key, who, "key", e) < 0 ||
	    resolve_file(s, &t->ca, who, "ca", e) < 0)
		return -EINVAL;
	if (t->key.path && !t->cert.path) {
		err_set(e, "%stls: key needs cert (the certificate it belongs to)", who);
		return place(e, t->key.line, t->key.col);
	}
	if (t->cert.path && !t->ca.path && !(t != &s->tls && s->tls.ca.path)) {
		err_set(e, "%stls: cert needs ca (the CA that signed it, which the run's clients and "
			"nodes verify it against)%s", who, t != &s->tls ? ", here or in the top level's tls" : "");
		return place(e, t->cert.line, t->cert.col);
	}
	return 0;
}

int tlsconf_resolve(struct scenario *s, struct err *e)
{
	bool any = false;
	char who[96];

	for (size_t i = 0; i < s->nservices; i++) {
		struct scenario_service *svc = &s->services[i];

		any |= svc->balance == NULL && scenario_proto_tls(svc->proto);
		if (!svc->tls.set)
			continue;
		if (!scenario_proto_tls(svc->proto)) {
			err_set(e, "service %s: tls: the service speaks %s, not TLS: give it protocol: "
				"ssl, https or grpcs", svc->name, scenario_proto_name(svc->proto));
			return place(e, svc->tls.line, svc->tls.col);
		}
		snprintf(who, sizeof who, "service %s: ", svc->name);
		if (resolve_one(s, &svc->tls, who, e) < 0)
			return -EINVAL;
	}
	if (!s->tls.set)
		return 0;
	if (!any) {
		err_set(e, "tls: no service speaks TLS (protocol: ssl, https or grpcs), so nothing "
			"would use these files");
		return place(e, s->tls.line, s->tls.col);
	}
	/* A top-level cert needs its own ca: the services that take it may
	 * have none. */
	return resolve_one(s, &s->tls, "", e);
}

const struct scenario_tls *tlsconf_of(const struct scenario *s, const struct scenario_service *svc)
{
	if (svc->tls.cert.path)
		return &svc->tls;
	if (s->tls.cert.path)
		return &s->tls;
	return NULL;
}
