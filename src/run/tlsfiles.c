/* tlsfiles.c -- the TLS of a run whose scenario has TLS services (docs/tls.md,
 * "Scenarios"; run_int.h): the run's throwaway CA and the certificates it
 * signs, written under RESULTS_TLS_DIR before the first node starts, and the
 * --ssl-* options of every node and of the client groups that reach a TLS
 * service. A scenario without TLS services gets none of it: no files, no
 * options.
 *
 * DESIGN: one trust file for every process (the run's CA, then every CA the
 * scenario names), and --ssl-verify everywhere. A node's --ssl-verify also
 * makes its TLS addresses ask for a client certificate (mutual TLS), so
 * every caller has one: a TLS service's nodes present their own certificate
 * (serverAuth and clientAuth), the other nodes and the client groups the
 * run's client certificate. */
#include "run/run_int.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "results/files.h"
#include "run/certs.h"
#include "util/xalloc.h"

/* DIR/tls/name, or DIR/tls/services/name when svc. */
static void tls_path(const struct run *r, bool svc, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" RESULTS_TLS_DIR "/%s%s", r->dir, svc ? RESULTS_TLS_SERVICES_DIR "/" : "",
		 name);
}

/* The certificate and key service k's nodes present: the scenario's files
 * (`tls`), the run's certificate of a TLS service, else the client one. */
static void identity(const struct run *r, size_t k, char *cert, char *key, size_t len)
{
	const struct scenario_service *svc = &r->s->services[k];
	const struct scenario_tls *t = tlsconf_of(r->s, svc);
	char name[128];

	if (scenario_proto_tls(svc->proto) && t != NULL) {
		snprintf(cert, len, "%s", t->cert.path);
		snprintf(key, len, "%s", t->key.path ? t->key.path : t->cert.path);
	} else if (scenario_proto_tls(svc->proto)) {
		snprintf(name, sizeof name, "%s.pem", svc->name);
		tls_path(r, true, name, cert, len);
		snprintf(name, sizeof name, "%s.key", svc->name);
		tls_path(r, true, name, key, len);
	} else {
		tls_path(r, false, RESULTS_TLS_CLIENT_CERT, cert, len);
		tls_path(r, false, RESULTS_TLS_CLIENT_KEY, key, len);
	}
}

/* The trust file: the run's CA, then each CA file the scenario names (once). */
static int write_trust(struct run *r, const struct certs_ca *ca, struct err *e)
{
	const struct scenario *s = r->s;
	char path[700];
	FILE *f;
	int rc;

	tls_path(r, false, RESULTS_TLS_CA, path, sizeof path);
	f = fopen(path, "wx");
	if (f == NULL)
		return err_set(e, "cannot create %s: %s", path, strerror(errno));
	rc = certs_write_ca(ca, f, e);
	for (size_t i = 0; i <= s->nservices && rc == 0; i++) {
		const char *p = i < s->nservices ? s->services[i].tls.ca.path : s->tls.ca.path;
		bool seen = false;

		for (size_t j = 0; p && j < i && j < s->nservices; j++)
			seen |= s->services[j].tls.ca.path && strcmp(s->services[j].tls.ca.path, p) == 0;
		if (p && !seen)
			rc = certs_copy_cas(f, p, e);
	}
	if (fclose(f) != 0 && rc == 0)
		rc = err_set(e, "cannot write %s: %s", path, strerror(errno));
	return rc;
}

/* Service k's certificate: its name, the balancers in front of it,
 * 127.0.0.1 and every replica's address. */
static int issue_service(struct run *r, const struct certs_ca *ca, size_t k, struct err *e)
{
	const struct scenario *s = r->s;
	const struct scenario_service *svc = &s->services[k];
	const char **names = xcalloc(s->nservices + 2 + (size_t)svc->replicas, sizeof *names);
	char cert[700], key[700];
	size_t n = 0;
	int rc;

	names[n++] = svc->name;
	for (size_t j = 0; j < s->nservices; j++)
		if (s->services[j].balance && s->services[j].backend == k)
			names[n++] = s->services[j].name;
	names[n++] = "127.0.0.1";
	for (int i = 0; i < svc->replicas; i++)
		if (strcmp(r->replicas[k][i].host, "127.0.0.1") != 0)
			names[n++] = r->replicas[k][i].host;
	identity(r, k, cert, key, sizeof cert);
	rc = certs_issue(ca, svc->name, names, n, cert, key, e);
	free(names);
	return rc;
}

int make_tls_files(struct run *r)
{
	const struct scenario *s = r->s;
	const char *client[] = { "meshwalk-client" };
	char dir[700], cert[700], key[700];
	struct certs_ca *ca = NULL;
	struct err e;
	int rc;

	if (!scenario_has_tls(s))
		return 0;
	tls_path(r, false, "", dir, sizeof dir);
	tls_path(r, true, "", cert, sizeof cert);
	if (mkdir(dir, 0700) < 0 || mkdir(cert, 0700) < 0) {
		run_fail(r, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof dir, "meshwalk run %s CA", s->name);
	rc = certs_ca_new(&ca, dir, &e);
	if (rc == 0)
		rc = write_trust(r, ca, &e);
	tls_path(r, false, RESULTS_TLS_CLIENT_CERT, cert, sizeof cert);
	tls_path(r, false, RESULTS_TLS_CLIENT_KEY, key, sizeof key);
	if (rc == 0)
		rc = certs_issue(ca, client[0], client, 1, cert, key, &e);
	for (size_t k = 0; k < s->nservices && rc == 0; k++)
		if (!s->services[k].balance && scenario_proto_tls(s->services[k].proto) &&
		    tlsconf_of(s, &s->services[k]) == NULL)
			rc = issue_service(r, ca, k, &e);
	certs_ca_free(ca);
	if (rc < 0) {
		run_fail(r, "cannot make the run's TLS certificates: %s", e.msg);
		return -1;
	}
	r->tls = true;
	return 0;
}

static void add_tls_args(const struct run *r, const char *cert, const char *key,
			 struct scenario_argv *av)
{
	char ca[700];

	tls_path(r, false, RESULTS_TLS_CA, ca, sizeof ca);
	add_arg(av, xstrdup("--ssl-cert"));
	add_arg(av, xstrdup(cert));
	add_arg(av, xstrdup("--ssl-key"));
	add_arg(av, xstrdup(key));
	add_arg(av, xstrdup("--ssl-ca"));
	add_arg(av, xstrdup(ca));
	add_arg(av, xstrdup("--ssl-verify"));
}

void add_node_tls_args(struct run *r, size_t k, struct scenario_argv *av)
{
	char cert[700], key[700];

	if (!r->tls)
		return;
	identity(r, k, cert, key, sizeof cert);
	add_tls_args(r, cert, key, av);
}

/* scenario_expand()'s callback: replica_addr(), noting a TLS service. */
struct tls_ref {
	struct run *r;
	bool tls;
};

static const char *note_tls(const struct scenario_service *svc, int i, void *arg)
{
	struct tls_ref *t = arg;

	t->tls |= scenario_proto_tls(svc->balance ? t->r->s->services[svc->backend].proto : svc->proto);
	return replica_addr(svc, i, t->r);
}

void add_client_tls_args(struct run *r, size_t g, struct scenario_argv *av)
{
	struct tls_ref ref = { r, false };
	char cert[700], key[700];
	struct err e;

	if (!r->tls)
		return;
	free(scenario_expand(r->s, r->s->clients[g].to, true, note_tls, &ref, &e));
	if (!ref.tls)
		return;
	tls_path(r, false, RESULTS_TLS_CLIENT_CERT, cert, sizeof cert);
	tls_path(r, false, RESULTS_TLS_CLIENT_KEY, key, sizeof key);
	add_tls_args(r, cert, key, av);
}
