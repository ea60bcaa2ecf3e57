/* tlsconf.h -- a scenario's TLS files: the `tls` key of a service and of
 * the top level (docs/scenario.md, "TLS services"; docs/tls.md).
 *
 * Contract: tlsconf_load() reads
 *   tls: { cert: node.pem, key: node.key, ca: ca.pem }
 * (each a file path, relative to the scenario file's directory; `key`
 * defaults to the `cert` file, which may hold both). A service's `tls`
 * names the certificate its nodes serve and the CA that signed it; the top
 * level's is the default of every TLS service (`protocol: ssl`, `https`,
 * `grpcs`) without one, and its `ca` alone adds a CA the run trusts.
 * Without either, `meshwalk run` makes the service's certificate itself
 * (run/certs.h). tlsconf_resolve(), once the scenario is loaded and --set
 * applied, makes the paths absolute and checks them: a file that cannot be
 * read, a `key` without `cert`, a certificate without a CA (its own or the
 * top level's: callers verify against it), `tls` on a service that does not
 * speak TLS, or a top-level `tls` in a scenario without a TLS service, are
 * errors at their position in the file. tlsconf_of() is the files a
 * service's nodes serve: its own, else the top level's, else NULL (made
 * by the run).
 * Ownership: tlsconf_free() releases what tlsconf_load() allocates.
 * Threads: not thread-safe, like the scenario.
 * Errors: 0 or -EINVAL with a message naming the key and the position. */
#ifndef MW_SCENARIO_TLSCONF_H
#define MW_SCENARIO_TLSCONF_H

#include <stdbool.h>
#include <yaml.h>

#include "util/err.h"

struct scenario;
struct scenario_service;

struct scenario_tls_file {
	char *path;                 /* NULL: not given */
	int line, col;              /* where the value is */
};

struct scenario_tls {
	bool set;                   /* the key is there */
	int line, col;              /* where its mapping is */
	struct scenario_tls_file cert, key, ca;
};

int tlsconf_load(yaml_document_t *doc, yaml_node_t *n, const char *what,
		 struct scenario_tls *out, struct err *e);
int tlsconf_resolve(struct scenario *s, struct err *e);
const struct scenario_tls *tlsconf_of(const struct scenario *s, const struct scenario_service *svc);
void tlsconf_free(struct scenario_tls *t);

#endif
