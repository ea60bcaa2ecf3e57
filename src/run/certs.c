/* certs.c -- see certs.h.
 *
 * DESIGN: OpenSSL 3's EVP_PKEY_Q_keygen() for the keys and the X509 API
 * for the certificates; the subjectAltName is built entry by entry
 * (a2i_GENERAL_NAME), not from a configuration string, so no name can be
 * read as something else. Nothing here depends on the run: a CA and its
 * certificates are plain files once written. */
#include "run/certs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "util/xalloc.h"

struct certs_ca {
	EVP_PKEY *key;
	X509 *cert;
};

/* e = "what: OpenSSL's last reason". */
static int ssl_err(struct err *e, const char *what)
{
	unsigned long code = ERR_get_error();
	const char *why = code ? ERR_reason_error_string(code) : NULL;

	ERR_clear_error();
	return err_set(e, "%s: %s", what, why ? why : "OpenSSL failed");
}

static EVP_PKEY *p256_key(void)
{
	return EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
}

/* A value of the nid extension, as in a configuration file, into x (ctx:
 * its issuer and subject). */
static bool add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
	X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
	bool ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;

	X509_EXTENSION_free(ext);
	return ok;
}

/* A certificate for key with subject CN cn: serial, validity, names. */
static X509 *new_cert(EVP_PKEY *key, const char *cn, const X509 *issuer)
{
	unsigned char serial[16];
	X509 *x = X509_new();
	BIGNUM *bn = NULL;
	bool ok;

	if (x == NULL || RAND_bytes(serial, sizeof serial) != 1) {
		X509_free(x);
		return NULL;
	}
	serial[0] &= 0x7f; /* positive, as RFC 5280 wants */
	bn = BN_bin2bn(serial, sizeof serial, NULL);
	ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL &&
	     X509_set_version(x, 2) == 1 && /* v3 */
	     X509_gmtime_adj(X509_getm_notBefore(x), -3600) != NULL &&
	     X509_gmtime_adj(X509_getm_notAfter(x), CERTS_VALID_S) != NULL &&
	     X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_UTF8,
					(const unsigned char *)cn, -1, -1, 0) == 1 &&
	     X509_set_issuer_name(x, X509_get_subject_name(issuer ? issuer : x)) == 1 &&
	     X509_set_pubkey(x, key) == 1;
	BN_free(bn);
	if (!ok) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int certs_ca_new(struct certs_ca **out, const char *cn, struct err *e)
{
	struct certs_ca *ca = xcalloc(1, sizeof *ca);
	X509V3_CTX ctx;

	ERR_clear_error();
	ca->key = p256_key();
	ca->cert = ca->key ? new_cert(ca->key, cn, NULL) : NULL;
	if (ca->cert == NULL) {
		certs_ca_free(ca);
		return ssl_err(e, "cannot make a CA certificate");
	}
	X509V3_set_ctx(&ctx, ca->cert, ca->cert, NULL, NULL, 0);
	if (!add_ext(ca->cert, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") ||
	    !add_ext(ca->cert, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign") ||
	    !add_ext(ca->cert, &ctx, NID_subject_key_identifier, "hash") ||
	    X509_sign(ca->cert, ca->key, EVP_sha256()) <= 0) {
		certs_ca_free(ca);
		return ssl_err(e, "cannot sign the CA certificate");
	}
	*out = ca;
	return 0;
}

void certs_ca_free(struct certs_ca *ca)
{
	if (ca == NULL)
		return;
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	free(ca);
}

/* subjectAltName: an IP entry per address, a DNS entry per other name. */
static bool add_names(X509 *x, const char *const *names, size_t n)
{
	GENERAL_NAMES *gens = sk_GENERAL_NAME_new_null();
	bool ok = gens != NULL;

	for (size_t i = 0; ok && i < n; i++) {
		unsigned char ip[16];
		bool is_ip = inet_pton(AF_INET, names[i], ip) == 1 || inet_pton(AF_INET6, names[i], ip) == 1;
		GENERAL_NAME *g = a2i_GENERAL_NAME(NULL, NULL, NULL, is_ip ? GEN_IPADD : GEN_DNS,
						   names[i], 0);

		ok = g != NULL && sk_GENERAL_NAME_push(gens, g) > 0;
		if (!ok)
			GENERAL_NAME_free(g);
	}
	ok = ok && X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1;
	GENERAL_NAMES_free(gens);
	return ok;
}

/* A new file (O_EXCL) of that mode, for writing. */
static FILE *create(const char *path, mode_t mode, struct err *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (f == NULL) {
		err_set(e, "cannot create %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	return f;
}

/* cert, or else key, as PEM into a new file of that mode. */
static int write_pem(const char *path, mode_t mode, X509 *cert, EVP_PKEY *key, struct err *e)
{
	FILE *f = create(path, mode, e);
	bool ok;

	if (f == NULL)
		return -EINVAL;
	ok = cert ? PEM_write_X509(f, cert) == 1
		  : PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL) == 1;
	if (fclose(f) != 0 || !ok) {
		err_set(e, "cannot write %s: %s", path, ok ? strerror(errno) : "OpenSSL failed");
		ERR_clear_error();
		return -EINVAL;
	}
	return 0;
}

int certs_issue(const struct certs_ca *ca, const char *cn, const char *const *names, size_t nnames,
		const char *cert_path, const char *key_path, struct err *e)
{
	EVP_PKEY *key;
	X509 *x = NULL;
	X509V3_CTX ctx;
	int rc;

	ERR_clear_error();
	key = p256_key();
	if (key != NULL)
		x = new_cert(key, cn, ca->cert);
	if (x != NULL) {
		X509V3_set_ctx(&ctx, ca->cert, x, NULL, NULL, 0);
		if (!add_ext(x, &ctx, NID_basic_constraints, "CA:FALSE") ||
		    !add_ext(x, &ctx, NID_key_usage, "critical,digitalSignature") ||
		    !add_ext(x, &ctx, NID_ext_key_usage, "serverAuth,clientAuth") ||
		    !add_ext(x, &ctx, NID_subject_key_identifier, "hash") ||
		    !add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") ||
		    !add_names(x, names, nnames) || X509_sign(x, ca->key, EVP_sha256()) <= 0) {
			X509_free(x);
			x = NULL;
		}
	}
	if (x == NULL) {
		EVP_PKEY_free(key);
		return ssl_err(e, cn);
	}
	rc = write_pem(key_path, 0600, NULL, key, e);
	if (rc == 0)
		rc = write_pem(cert_path, 0644, x, NULL, e);
	X509_free(x);
	EVP_PKEY_free(key);
	return rc;
}

int certs_write_ca(const struct certs_ca *ca, FILE *f, struct err *e)
{
	if (PEM_write_X509(f, ca->cert) != 1)
		return ssl_err(e, "cannot write the CA certificate");
	return 0;
}

int certs_copy_cas(FILE *f, const char *path, struct err *e)
{
	FILE *in = fopen(path, "r");
	X509 *x;
	int n = 0;

	if (in == NULL)
		return err_set(e, "cannot read %s: %s", path, strerror(errno));
	while ((x = PEM_read_X509(in, NULL, NULL, NULL)) != NULL) {
		n += PEM_write_X509(f, x) == 1;
		X509_free(x);
	}
	ERR_clear_error(); /* the end of the file reads as an error */
	fclose(in);
	if (n == 0)
		return err_set(e, "%s: no PEM certificate in it", path);
	return 0;
}
