/* test_tls.c -- TLS over non-blocking sockets (src/net/tls.c): a server and
 * a client over a socketpair, with a key and certificates the test makes
 * with OpenSSL (a CA and a server certificate for 127.0.0.1): the handshake
 * driven by hand as an event loop would, data both ways including a
 * write far larger than the output queue (taken in parts, never retried
 * with the same bytes), end of stream, verification failures, and the
 * start-up errors that name the option and file; a client context made on
 * first use (tls_lazy). Also the ssl:// and
 * https:// address forms. (ALPN is checked end to end with openssl s_client:
 * tests/e2e/48_tls.sh.) */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "net/sock.h"
#include "net/tls.h"

static char dir[64];
static char ca_pem[128], srv_pem[128], srv_key[128], other_pem[128], other_key[128];

static EVP_PKEY *new_key(void)
{
	EVP_PKEY *k = EVP_EC_gen("P-256");

	assert_non_null(k);
	return k;
}

/* A certificate for key, signed by (issuer, ikey), or self-signed when
 * issuer is NULL; with an IP:127.0.0.1 subjectAltName when san. */
static X509 *new_cert(EVP_PKEY *key, const char *cn, X509 *issuer, EVP_PKEY *ikey, bool ca, bool san)
{
	X509 *x = X509_new();
	X509V3_CTX ctx;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), (long)(random() & 0xffffff));
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_set_pubkey(x, key);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
				   (const unsigned char *)cn, -1, -1, 0);
	X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : X509_get_subject_name(x));
	X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
	if (ca) {
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_basic_constraints, "critical,CA:TRUE");

		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	if (san) {
		X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &ctx, NID_subject_alt_name, "IP:127.0.0.1");

		X509_add_ext(x, e, -1);
		X509_EXTENSION_free(e);
	}
	assert_true(X509_sign(x, ikey ? ikey : key, EVP_sha256()) > 0);
	return x;
}

static void write_pem(const char *path, X509 *x, EVP_PKEY *k)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	if (x)
		PEM_write_X509(f, x);
	if (k)
		PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof dir, "/tmp/meshwalk-tls.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(ca_pem, sizeof ca_pem, "%s/ca.pem", dir);
	snprintf(srv_pem, sizeof srv_pem, "%s/srv.pem", dir);
	snprintf(srv_key, sizeof srv_key, "%s/srv.key", dir);
	snprintf(other_pem, sizeof other_pem, "%s/other.pem", dir);
	snprintf(other_key, sizeof other_key, "%s/other.key", dir);
	EVP_PKEY *cak = new_key(), *sk = new_key(), *ok = new_key();
	X509 *ca = new_cert(cak, "test-ca", NULL, NULL, true, false);
	X509 *srv = new_cert(sk, "server", ca, cak, false, true);
	X509 *other = new_cert(ok, "other", NULL, NULL, false, true);
	write_pem(ca_pem, ca, NULL);
	write_pem(srv_pem, srv, NULL);
	write_pem(srv_key, NULL, sk);
	write_pem(other_pem, other, NULL);
	write_pem(other_key, NULL, ok);
	X509_free(ca), X509_free(srv), X509_free(other);
	EVP_PKEY_free(cak), EVP_PKEY_free(sk), EVP_PKEY_free(ok);
	return 0;
}

static int teardown(void **state)
{
	const char *files[] = { ca_pem, srv_pem, srv_key, other_pem, other_key };

	(void)state;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
		unlink(files[i]);
	rmdir(dir);
	return 0;
}

struct pair {
	int fd[2];
	struct tls_ctx *sctx, *cctx;
	struct tls *s, *c;
};

static void pair_open(struct pair *p, const struct tls_config *sc, const struct tls_config *cc,
		      const char *host)
{
	const char *alpn[] = { "h2", "http/1.1" };
	struct err e;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, p->fd), 0);
	assert_int_equal(tls_ctx_server(&p->sctx, sc, alpn, 2, &e), 0);
	assert_int_equal(tls_ctx_client(&p->cctx, cc, &e), 0);
	p->s = tls_new_server(p->sctx, p->fd[0]);
	p->c = tls_new_client(p->cctx, p->fd[1], host);
}

static void pair_close(struct pair *p)
{
	tls_free(p->s), tls_free(p->c);
	tls_ctx_free(p->sctx), tls_ctx_free(p->cctx);
	close(p->fd[0]), close(p->fd[1]);
}

/* Both sides' handshakes, stepped as two event loops would: 1 when both are
 * done, else the first failure (either side). */
static int handshake(struct pair *p)
{
	for (int i = 0; i < 50; i++) {
		int c = tls_handshake(p->c), s = tls_handshake(p->s);

		if (c < 0 || s < 0)
			return c < 0 ? c : s;
		if (c == 1 && s == 1)
			return 1;
	}
	return 0;
}

static void test_round_trip(void **state)
{
	struct tls_config sc = { .cert = srv_pem, .key = srv_key };
	struct tls_config cc = { .ca = ca_pem, .verify = true };
	struct pair p;
	char buf[TLS_RECORD_MAX], desc[64];
	size_t alen;

	(void)state;
	pair_open(&p, &sc, &cc, "127.0.0.1");
	assert_int_equal(handshake(&p), 1);
	assert_true(tls_handshake_done(p.s));
	assert_null(tls_alpn(p.s, &alen)); /* the client offered none */
	assert_int_equal(alen, 0);
	assert_non_null(strstr(tls_describe(p.c, desc, sizeof desc), "TLSv1."));
	assert_int_equal(tls_read(p.s, buf, sizeof buf), -EAGAIN);
	assert_int_equal(tls_write(p.c, "hello", 5), 5);
	assert_int_equal(tls_flush(p.c), 0);
	assert_int_equal(tls_pending_out(p.c), 0);
	assert_int_equal(tls_read(p.s, buf, sizeof buf), 5);
	assert_memory_equal(buf, "hello", 5);
	/* end of stream: close_notify reads as 0 */
	tls_close_notify(p.c);
	assert_int_equal(tls_read(p.s, buf, sizeof buf), 0);
	pair_close(&p);
}

/* A write much larger than the socket and the queue: taken in parts while
 * the queue has room, -EAGAIN once it is full and the socket too, and every
 * byte arrives in order once the reader drains. */
static void test_large_write(void **state)
{
	struct tls_config sc = { .cert = srv_pem, .key = srv_key };
	struct tls_config cc = { 0 };
	struct pair p;
	size_t total = 4u << 20, sent = 0, got = 0;
	uint8_t *out = malloc(total), *in = malloc(total);
	bool blocked = false;

	(void)state;
	for (size_t i = 0; i < total; i++)
		out[i] = (uint8_t)(i * 7 + (i >> 13));
	pair_open(&p, &sc, &cc, NULL);
	assert_int_equal(handshake(&p), 1);
	while (got < total) {
		while (sent < total) {
			ssize_t n = tls_write(p.s, out + sent, total - sent);

			if (n == -EAGAIN) {
				blocked = true;
				assert_true(tls_pending_out(p.s) >= TLS_OUT_HIGH);
				break;
			}
			assert_true(n > 0 && (size_t)n <= TLS_OUT_HIGH);
			sent += (size_t)n;
		}
		tls_flush(p.s);
		for (;;) {
			ssize_t n = tls_read(p.c, in + got, total - got);

			if (n == -EAGAIN)
				break;
			assert_true(n > 0 && n <= TLS_RECORD_MAX);
			got += (size_t)n;
		}
	}
	assert_true(blocked);
	assert_memory_equal(in, out, total);
	pair_close(&p);
	free(out), free(in);
}

static void test_verify_failures(void **state)
{
	struct tls_config sc = { .cert = other_pem, .key = other_key };
	struct tls_config cc = { .ca = ca_pem, .verify = true };
	struct pair p;

	(void)state;
	/* a certificate the CA did not sign */
	pair_open(&p, &sc, &cc, "127.0.0.1");
	assert_int_equal(handshake(&p), -EPROTO);
	assert_non_null(strstr(tls_error(p.c), "certificate verify failed"));
	pair_close(&p);
	/* the CA's certificate, but for another address */
	sc = (struct tls_config){ .cert = srv_pem, .key = srv_key };
	pair_open(&p, &sc, &cc, "127.0.0.2");
	assert_int_equal(handshake(&p), -EPROTO);
	assert_non_null(strstr(tls_error(p.c), "IP address mismatch"));
	pair_close(&p);
	/* mutual TLS: the server wants a client certificate */
	sc = (struct tls_config){ .cert = srv_pem, .key = srv_key, .ca = ca_pem, .verify = true };
	cc = (struct tls_config){ 0 };
	pair_open(&p, &sc, &cc, NULL);
	int rc = handshake(&p);
	/* TLS 1.3: the client may finish first; the server refuses either way */
	assert_true(rc == -EPROTO || !tls_handshake_done(p.s));
	assert_false(tls_handshake_done(p.s));
	pair_close(&p);
}

static void test_setup_errors(void **state)
{
	struct tls_ctx *ctx = NULL;
	struct err e;
	struct tls_config c = { .cert = srv_pem, .key = "/nonexistent/k.pem" };

	(void)state;
	assert_true(tls_ctx_server(&ctx, &c, NULL, 0, &e) < 0);
	assert_string_equal(e.msg, "cannot read --ssl-key /nonexistent/k.pem: No such file or directory");
	c.key = other_key;
	assert_true(tls_ctx_server(&ctx, &c, NULL, 0, &e) < 0);
	assert_non_null(strstr(e.msg, "does not match --ssl-cert"));
	c = (struct tls_config){ .cert = srv_key, .key = srv_key };
	assert_true(tls_ctx_server(&ctx, &c, NULL, 0, &e) < 0);
	assert_non_null(strstr(e.msg, "not a PEM certificate"));
	c = (struct tls_config){ 0 };
	assert_true(tls_ctx_server(&ctx, &c, NULL, 0, &e) < 0);
	assert_non_null(strstr(e.msg, "need --ssl-cert"));
	c = (struct tls_config){ .ciphers = "NOPE" };
	assert_true(tls_ctx_client(&ctx, &c, &e) < 0);
	assert_non_null(strstr(e.msg, "--ssl-ciphers 'NOPE'"));
	c = (struct tls_config){ .ciphers = "TLS_AES_128_GCM_SHA256" }; /* TLS 1.3 suites */
	assert_int_equal(tls_ctx_client(&ctx, &c, &e), 0);
	tls_ctx_free(ctx);
	c = (struct tls_config){ .ca = "/nonexistent/ca.pem" };
	assert_true(tls_ctx_client(&ctx, &c, &e) < 0);
	assert_string_equal(e.msg, "cannot read --ssl-ca /nonexistent/ca.pem: No such file or directory");
	c = (struct tls_config){ .key = srv_key };
	assert_true(tls_ctx_client(&ctx, &c, &e) < 0);
	assert_non_null(strstr(e.msg, "needs --ssl-cert"));
}

/* tls_lazy: nothing made until asked; then one context, the same for every
 * call; a context that cannot be made fails every call with the reason. */
static void test_lazy_client(void **state)
{
	struct tls_config c = { 0 };
	struct tls_lazy *l = tls_lazy_new(&c, NULL);
	struct tls_ctx *ctx, *made;
	struct err e;

	(void)state;
	assert_int_equal(tls_lazy_made(l), 0);
	ctx = tls_lazy_get(l, &e);
	assert_non_null(ctx);
	assert_int_equal(tls_lazy_made(l), 1);
	assert_ptr_equal(tls_lazy_get(l, &e), ctx);
	tls_lazy_free(l);

	assert_int_equal(tls_ctx_client(&made, &c, &e), 0); /* made at start: handed out */
	l = tls_lazy_new(&c, made);
	assert_int_equal(tls_lazy_made(l), 1);
	assert_ptr_equal(tls_lazy_get(l, &e), made);
	tls_lazy_free(l);

	c.ca = "/nonexistent/ca.pem"; /* a file gone since start-up */
	l = tls_lazy_new(&c, NULL);
	for (int i = 0; i < 2; i++) {
		assert_null(tls_lazy_get(l, &e));
		assert_non_null(strstr(e.msg, "TLS client context: cannot read --ssl-ca /nonexistent/ca.pem"));
	}
	assert_int_equal(tls_lazy_made(l), 0);
	tls_lazy_free(l);
}

static void test_addresses(void **state)
{
	struct sock_addr a;
	struct err e;

	(void)state;
	assert_int_equal(sock_addr_parse("ssl://127.0.0.1:9", "127.0.0.1", 7891, false, &a, &e), 0);
	assert_int_equal(a.proto, SOCK_SSL);
	assert_int_equal(sock_addr_port((struct sockaddr *)&a.ss), 9);
	assert_int_equal(sock_addr_parse("ssl:localhost:9", "127.0.0.1", 7891, false, &a, &e), 0);
	assert_int_equal(a.proto, SOCK_SSL);
	assert_string_equal(a.host, "localhost");
	assert_int_equal(sock_addr_parse("https://:8443", "127.0.0.1", 7891, false, &a, &e), 0);
	assert_int_equal(a.proto, SOCK_HTTPS);
	assert_string_equal(a.host, "127.0.0.1");
	assert_true(sock_proto_tls(SOCK_HTTPS) && sock_proto_tls(SOCK_SSL) && !sock_proto_tls(SOCK_TCP));
	assert_true(sock_addr_parse("tls://127.0.0.1:9", "127.0.0.1", 7891, false, &a, &e) < 0);
	assert_non_null(strstr(e.msg, "ssl://"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_large_write),
		cmocka_unit_test(test_verify_failures),
		cmocka_unit_test(test_setup_errors),
		cmocka_unit_test(test_lazy_client),
		cmocka_unit_test(test_addresses),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
