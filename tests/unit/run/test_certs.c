/* test_certs.c -- the run's certificate maker (src/run/certs.c): a CA and a
 * certificate it signs, written to files and parsed back with OpenSSL: the
 * CA's profile, the subjectAltName (DNS and IP entries, nothing else
 * matches), the key (P-256, matching the certificate, mode 0600), the CA's
 * signature and a chain that verifies for both purposes (server and
 * client), the validity window; the trust file's copy of other CAs; files
 * never overwritten, errors naming the file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "run/certs.h"

static char dir[64];

static void path(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/mw-certs-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

/* The first certificate (or private key) of the PEM file name. */
static void *read_pem(const char *name, bool key)
{
	char p[128];
	void *v;
	FILE *f;

	path(p, sizeof p, name);
	f = fopen(p, "r");
	assert_non_null(f);
	v = key ? (void *)PEM_read_PrivateKey(f, NULL, NULL, NULL) : (void *)PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	assert_non_null(v);
	return v;
}

static X509 *read_cert(const char *name)
{
	return read_pem(name, false);
}

/* The CA's certificate through certs_write_ca(), into name. */
static X509 *write_ca(const struct certs_ca *ca, const char *name)
{
	char p[128];
	struct err e;
	FILE *f;

	path(p, sizeof p, name);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(certs_write_ca(ca, f, &e), 0);
	fclose(f);
	return read_cert(name);
}

/* A certificate ca signs for cn and names, into CN.pem and CN.key: read back. */
static X509 *issue(const struct certs_ca *ca, const char *cn, const char *const *names, size_t n)
{
	char cp[128], kp[128], name[64];
	struct err e;

	snprintf(name, sizeof name, "%s.pem", cn);
	path(cp, sizeof cp, name);
	snprintf(name, sizeof name, "%s.key", cn);
	path(kp, sizeof kp, name);
	assert_int_equal(certs_issue(ca, cn, names, n, cp, kp, &e), 0);
	snprintf(name, sizeof name, "%s.pem", cn);
	return read_cert(name);
}

/* x verifies against ca for purpose (X509_PURPOSE_SSL_SERVER, _CLIENT). */
static bool chain_ok(X509 *x, X509 *ca, int purpose)
{
	X509_STORE *store = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	bool ok;

	assert_int_equal(X509_STORE_add_cert(store, ca), 1);
	assert_int_equal(X509_STORE_CTX_init(ctx, store, x, NULL), 1);
	X509_STORE_CTX_set_purpose(ctx, purpose);
	ok = X509_verify_cert(ctx) == 1;
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok;
}

static void test_ca_and_certificate(void **state)
{
	const char *names[] = { "pay", "pay-lb", "127.0.0.1", "127.77.2.1", "::1" };
	struct certs_ca *ca = NULL;
	char kp[128], group[64];
	struct stat st;
	struct err e;
	X509 *cax, *x;
	EVP_PKEY *key;
	time_t now = time(NULL);

	(void)state;
	assert_int_equal(certs_ca_new(&ca, "test CA", &e), 0);
	cax = write_ca(ca, "ca.pem");
	x = issue(ca, "pay", names, 5);

	/* the CA: self-signed, CA:TRUE, signs certificates */
	assert_int_equal(X509_check_ca(cax), 1);
	assert_int_equal(X509_verify(cax, X509_get0_pubkey(cax)), 1);
	assert_int_equal(X509_check_ca(x), 0);
	/* the CA signed the certificate, which chains for server and client use */
	assert_int_equal(X509_verify(x, X509_get0_pubkey(cax)), 1);
	assert_int_equal(X509_check_issued(cax, x), X509_V_OK);
	assert_true(chain_ok(x, cax, X509_PURPOSE_SSL_SERVER));
	assert_true(chain_ok(x, cax, X509_PURPOSE_SSL_CLIENT));
	/* subjectAltName: the names as DNS entries, the addresses as IP entries */
	assert_int_equal(X509_check_host(x, "pay", 0, 0, NULL), 1);
	assert_int_equal(X509_check_host(x, "pay-lb", 0, 0, NULL), 1);
	assert_int_equal(X509_check_host(x, "other", 0, 0, NULL), 0);
	assert_int_equal(X509_check_host(x, "127.0.0.1", 0, 0, NULL), 0); /* not as a DNS name */
	assert_int_equal(X509_check_ip_asc(x, "127.0.0.1", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "127.77.2.1", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "::1", 0), 1);
	assert_int_equal(X509_check_ip_asc(x, "127.0.0.2", 0), 0);
	/* the key: P-256, matches the certificate, readable by its owner only */
	key = read_pem("pay.key", true);
	assert_int_equal(X509_check_private_key(x, key), 1);
	assert_int_equal(EVP_PKEY_get_group_name(key, group, sizeof group, NULL), 1);
	assert_string_equal(group, "prime256v1");
	path(kp, sizeof kp, "pay.key");
	assert_int_equal(stat(kp, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* valid now, from about an hour ago, for the week and not beyond */
	assert_true(X509_cmp_time(X509_get0_notBefore(x), &now) < 0);
	assert_true(X509_cmp_time(X509_get0_notAfter(x), &now) > 0);
	time_t t = now + CERTS_VALID_S - 120;
	assert_true(X509_cmp_time(X509_get0_notAfter(x), &t) > 0);
	t = now + CERTS_VALID_S + 120;
	assert_true(X509_cmp_time(X509_get0_notAfter(x), &t) < 0);
	t = now - 3600 + 120;
	assert_true(X509_cmp_time(X509_get0_notBefore(x), &t) < 0);
	/* a second certificate: another key, another serial */
	X509 *y;
	EVP_PKEY *ykey;

	y = issue(ca, "b", names, 1);
	assert_int_not_equal(ASN1_INTEGER_cmp(X509_get0_serialNumber(x), X509_get0_serialNumber(y)), 0);
	ykey = read_pem("b.key", true);
	assert_int_equal(X509_check_private_key(x, ykey), 0);
	assert_int_equal(X509_check_ip_asc(y, "127.0.0.1", 0), 0); /* only its one name */
	EVP_PKEY_free(ykey);
	X509_free(y);
	EVP_PKEY_free(key);
	X509_free(x);
	X509_free(cax);
	certs_ca_free(ca);
}

/* Another CA's certificate does not verify against this one. */
static void test_other_ca(void **state)
{
	const char *names[] = { "127.0.0.1" };
	struct certs_ca *a = NULL, *b = NULL;
	struct err e;
	X509 *ax, *x;

	(void)state;
	assert_int_equal(certs_ca_new(&a, "a", &e), 0);
	assert_int_equal(certs_ca_new(&b, "b", &e), 0);
	ax = write_ca(a, "a.pem");
	x = issue(b, "ob", names, 1);
	assert_int_not_equal(X509_verify(x, X509_get0_pubkey(ax)), 1);
	assert_false(chain_ok(x, ax, X509_PURPOSE_SSL_SERVER));
	X509_free(x);
	X509_free(ax);
	certs_ca_free(a);
	certs_ca_free(b);
}

/* certs_copy_cas(): every certificate of a file, none is an error. */
static void test_copy_cas(void **state)
{
	struct certs_ca *a = NULL, *b = NULL;
	char two[128], all[128], junk[128];
	struct err e;
	FILE *f, *out;
	int n = 0;
	X509 *x;

	(void)state;
	assert_int_equal(certs_ca_new(&a, "a", &e), 0);
	assert_int_equal(certs_ca_new(&b, "b", &e), 0);
	path(two, sizeof two, "two.pem");
	f = fopen(two, "w");
	assert_int_equal(certs_write_ca(a, f, &e), 0);
	assert_int_equal(certs_write_ca(b, f, &e), 0);
	fclose(f);
	path(all, sizeof all, "all.pem");
	out = fopen(all, "w");
	assert_int_equal(certs_copy_cas(out, two, &e), 0);
	path(junk, sizeof junk, "junk.pem");
	f = fopen(junk, "w");
	fputs("not a certificate\n", f);
	fclose(f);
	assert_int_equal(certs_copy_cas(out, junk, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "junk.pem: no PEM certificate in it"));
	assert_int_equal(certs_copy_cas(out, "/nonexistent/ca.pem", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "cannot read /nonexistent/ca.pem"));
	fclose(out);
	f = fopen(all, "r");
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		n++;
		X509_free(x);
	}
	fclose(f);
	assert_int_equal(n, 2);
	certs_ca_free(a);
	certs_ca_free(b);
}

/* Files are created, never overwritten; errors name them. */
static void test_file_errors(void **state)
{
	const char *names[] = { "x" };
	struct certs_ca *ca = NULL;
	char cp[128], kp[128];
	struct err e;

	(void)state;
	assert_int_equal(certs_ca_new(&ca, "ca", &e), 0);
	path(cp, sizeof cp, "x.pem");
	path(kp, sizeof kp, "x.key");
	assert_int_equal(certs_issue(ca, "x", names, 1, cp, kp, &e), 0);
	assert_int_equal(certs_issue(ca, "x", names, 1, cp, kp, &e), -EINVAL);
	assert_non_null(strstr(e.msg, "cannot create"));
	assert_non_null(strstr(e.msg, "x.key: File exists"));
	assert_int_equal(certs_issue(ca, "x", names, 1, "/nonexistent/x.pem", "/nonexistent/x.key", &e),
			 -EINVAL);
	assert_string_equal(e.msg, "cannot create /nonexistent/x.key: No such file or directory");
	certs_ca_free(ca);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ca_and_certificate),
		cmocka_unit_test(test_other_ca),
		cmocka_unit_test(test_copy_cas),
		cmocka_unit_test(test_file_errors),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
