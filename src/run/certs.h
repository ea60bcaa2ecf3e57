/* certs.h -- throwaway X.509 certificates for a run's TLS services
 * (OpenSSL): a certificate authority made in memory and certificates it
 * signs, written as PEM files (docs/tls.md, "Scenarios").
 *
 * Contract: certs_ca_new() makes a CA: an EC P-256 key, which is never
 * written anywhere (nothing can be signed with it once the run is over),
 * and a self-signed certificate (CN as given; basicConstraints critical
 * CA:TRUE, pathlen 0; keyUsage critical keyCertSign, cRLSign; a
 * subjectKeyIdentifier). certs_issue() makes a fresh P-256 key and a
 * certificate the CA signs: subject CN as given, subjectAltName one entry
 * per name (an IPv4 or IPv6 address as an IP entry, anything else as a DNS
 * one), basicConstraints CA:FALSE, keyUsage critical digitalSignature,
 * extendedKeyUsage serverAuth and clientAuth (a node's certificate is also
 * its client certificate towards the nodes it forwards to: mutual TLS), the
 * CA's key identifier. Every certificate has a random 127-bit serial, is
 * signed with ECDSA over SHA-256 and is valid from an hour before it was
 * made (clocks a little apart) for CERTS_VALID_S seconds. certs_issue()
 * writes the certificate (PEM, mode 0644) and its key (PKCS#8 PEM, mode
 * 0600) into files it creates: an existing file is an error, never
 * overwritten. certs_write_ca() writes the CA's certificate (PEM) to f;
 * certs_copy_cas() appends every certificate of a PEM file to f.
 * Ownership: certs_ca_free() releases a CA (and its key).
 * Threads: a CA is used by one thread at a time.
 * Errors: 0, or -EINVAL / -errno with e naming the file or OpenSSL's
 * reason. */
#ifndef MW_RUN_CERTS_H
#define MW_RUN_CERTS_H

#include <stddef.h>
#include <stdio.h>

#include "util/err.h"

#define CERTS_VALID_S (7L * 86400) /* a week: longer than any run, shorter than anything kept */

struct certs_ca;

int certs_ca_new(struct certs_ca **out, const char *cn, struct err *e);
void certs_ca_free(struct certs_ca *ca);
int certs_issue(const struct certs_ca *ca, const char *cn, const char *const *names, size_t nnames,
		const char *cert_path, const char *key_path, struct err *e);
int certs_write_ca(const struct certs_ca *ca, FILE *f, struct err *e);
int certs_copy_cas(FILE *f, const char *path, struct err *e);

#endif
