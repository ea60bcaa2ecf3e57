/* tls.c -- see tls.h.
 *
 * DESIGN: the read side is OpenSSL's socket BIO (no read-ahead: it takes
 * one record's bytes from the kernel at a time, so what has not been read
 * stays in the socket, where the event loop sees it). The write side is a
 * BIO of our own that appends to an iobuf: SSL_write() then always takes
 * all it is given, and never asks to be called again with the same bytes
 * (OpenSSL's rule after SSL_ERROR_WANT_WRITE), which a node's output stream,
 * with its cancellable frames and by-reference segments, could not promise.
 * The price is that queue (bounded by TLS_OUT_HIGH before writes wait) and
 * nothing else: records are sent straight from it with send(). */
#include "net/tls.h"

#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "net/iobuf.h"
#include "util/xalloc.h"

struct tls_ctx {
	SSL_CTX *ssl;
	bool server;
	bool verify;
	unsigned char alpn[TLS_ALPN_MAX * 256]; /* wire format: length-prefixed names */
	unsigned alpn_len;
};

struct tls {
	SSL *ssl;
	int fd;
	bool done;            /* handshake complete */
	bool notified;        /* close_notify queued */
	struct iobuf out;     /* encrypted bytes not yet sent */
	char err[200];
};

/* -- the output BIO -- */

/* OpenSSL failed to allocate: as xalloc does, stop rather than limp on. */
static void oom(void)
{
	fputs("meshwalk: out of memory (OpenSSL)\n", stderr);
	abort();
}

static BIO_METHOD *out_method;
static pthread_once_t out_once = PTHREAD_ONCE_INIT;

static int out_write(BIO *b, const char *p, int n)
{
	struct tls *t = BIO_get_data(b);

	if (n > 0)
		iobuf_append(&t->out, p, (size_t)n);
	return n;
}

static long out_ctrl(BIO *b, int cmd, long num, void *ptr)
{
	(void)b, (void)num, (void)ptr;
	return cmd == BIO_CTRL_FLUSH ? 1 : 0;
}

static int out_create(BIO *b)
{
	BIO_set_init(b, 1);
	return 1;
}

static void out_method_init(void)
{
	out_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "meshwalk output");
	if (out_method == NULL ||
	    !BIO_meth_set_write(out_method, out_write) ||
	    !BIO_meth_set_ctrl(out_method, out_ctrl) ||
	    !BIO_meth_set_create(out_method, out_create))
		oom();
}

/* -- errors -- */

/* OpenSSL's queued reasons, most recent last, into buf. */
static const char *ssl_reasons(char *buf, size_t len)
{
	unsigned long code;
	size_t n = 0;

	buf[0] = '\0';
	while ((code = ERR_get_error()) != 0 && n + 2 < len) {
		const char *r = ERR_reason_error_string(code);
		char tmp[128];

		if (r == NULL) {
			ERR_error_string_n(code, tmp, sizeof tmp);
			r = tmp;
		}
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "; " : "", r);
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "unknown TLS error");
	return buf;
}

/* -- contexts -- */

static int file_error(const char *opt, const char *path, struct err *e)
{
	return err_set(e, "cannot read %s %s: %s", opt, path, strerror(errno));
}

/* The certificate chain and key of c into ctx (key defaults to the
 * certificate's file, which may hold both). */
static int load_identity(SSL_CTX *ctx, const struct tls_config *c, struct err *e)
{
	const char *key = c->key ? c->key : c->cert;
	char why[200];

	if (c->key && !c->cert)
		return err_set(e, "--ssl-key %s needs --ssl-cert (the certificate it belongs to)", c->key);
	if (access(c->cert, R_OK) != 0)
		return file_error("--ssl-cert", c->cert, e);
	if (SSL_CTX_use_certificate_chain_file(ctx, c->cert) != 1)
		return err_set(e, "--ssl-cert %s: not a PEM certificate (%s)", c->cert,
			       ssl_reasons(why, sizeof why));
	if (access(key, R_OK) != 0)
		return file_error("--ssl-key", key, e);
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
			return err_set(e, "--ssl-key %s does not match --ssl-cert %s (%s)", key,
				       c->cert, ssl_reasons(why, sizeof why));
		return err_set(e, "--ssl-key %s: not a PEM private key%s (%s)", key,
			       c->key ? "" : " (give it with --ssl-key)", ssl_reasons(why, sizeof why));
	}
	if (SSL_CTX_check_private_key(ctx) != 1)
		return err_set(e, "--ssl-key %s does not match --ssl-cert %s (%s)", key, c->cert,
			       ssl_reasons(why, sizeof why));
	return 0;
}

static int load_trust(SSL_CTX *ctx, const struct tls_config *c, struct err *e)
{
	char why[200];

	if (c->ca && access(c->ca, R_OK) != 0)
		return file_error("--ssl-ca", c->ca, e);
	if (c->ca_path && access(c->ca_path, R_OK | X_OK) != 0)
		return file_error("--ssl-ca-path", c->ca_path, e);
	if (c->ca || c->ca_path) {
		if (SSL_CTX_load_verify_locations(ctx, c->ca, c->ca_path) != 1)
			return err_set(e, "%s %s: no usable CA certificate (%s)",
				       c->ca ? "--ssl-ca" : "--ssl-ca-path", c->ca ? c->ca : c->ca_path,
				       ssl_reasons(why, sizeof why));
	} else if (c->verify) {
		SSL_CTX_set_default_verify_paths(ctx);
	}
	return 0;
}

/* --ssl-ciphers: an OpenSSL cipher list (TLS 1.2) or TLS 1.3 suites; either
 * must be accepted whole. */
static int set_ciphers(SSL_CTX *ctx, const char *ciphers, struct err *e)
{
	if (ciphers == NULL)
		return 0;
	if (SSL_CTX_set_cipher_list(ctx, ciphers) == 1)
		return 0;
	ERR_clear_error();
	if (SSL_CTX_set_ciphersuites(ctx, ciphers) == 1)
		return 0;
	ERR_clear_error();
	return err_set(e, "--ssl-ciphers '%s': no cipher OpenSSL knows (an OpenSSL cipher list "
		       "such as HIGH:!aNULL, or TLS 1.3 suites such as TLS_AES_128_GCM_SHA256)",
		       ciphers);
}

static int alpn_select(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		       const unsigned char *in, unsigned inlen, void *arg)
{
	struct tls_ctx *c = arg;
	unsigned char *sel;

	(void)ssl;
	/* The server's preference first: the first of ours the client offers. */
	if (SSL_select_next_proto(&sel, outlen, c->alpn, c->alpn_len, in, inlen) !=
	    OPENSSL_NPN_NEGOTIATED)
		return SSL_TLSEXT_ERR_NOACK;
	*out = sel;
	return SSL_TLSEXT_ERR_OK;
}

static int ctx_new(struct tls_ctx **out, const struct tls_config *c, bool server,
		   struct err *e)
{
	struct tls_ctx *t = xcalloc(1, sizeof *t);
	int rc;

	pthread_once(&out_once, out_method_init);
	t->server = server;
	t->verify = c->verify;
	t->ssl = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
	if (t->ssl == NULL) {
		char why[200];

		err_set(e, "cannot create a TLS context: %s", ssl_reasons(why, sizeof why));
		free(t);
		return -ENOMEM;
	}
	SSL_CTX_set_min_proto_version(t->ssl, TLS1_2_VERSION);
	/* A peer that closes TCP without close_notify ends the stream, as wrk
	 * and curl do: not an error (truncation cannot hurt a request that
	 * is framed, and a node never relies on EOF for a length). */
	SSL_CTX_set_options(t->ssl, SSL_OP_IGNORE_UNEXPECTED_EOF);
	SSL_CTX_set_mode(t->ssl, SSL_MODE_RELEASE_BUFFERS);
	rc = set_ciphers(t->ssl, c->ciphers, e);
	if (rc == 0 && c->cert)
		rc = load_identity(t->ssl, c, e);
	else if (rc == 0 && c->key)
		rc = err_set(e, "--ssl-key %s needs --ssl-cert (the certificate it belongs to)", c->key);
	if (rc == 0)
		rc = load_trust(t->ssl, c, e);
	if (rc < 0) {
		tls_ctx_free(t);
		return rc;
	}
	if (server && c->verify) {
		SSL_CTX_set_verify(t->ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, NULL);
		if (c->ca) {
			STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(c->ca);

			if (names != NULL)
				SSL_CTX_set_client_CA_list(t->ssl, names);
		}
	} else {
		SSL_CTX_set_verify(t->ssl, c->verify ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
	}
	*out = t;
	return 0;
}

/* The names in ALPN's wire format (length-prefixed), into ctx->alpn. */
static void alpn_list(struct tls_ctx *t, const char *const *alpn, int nalpn)
{
	t->alpn_len = 0;
	for (int i = 0; i < nalpn && i < TLS_ALPN_MAX; i++) {
		size_t n = strlen(alpn[i]);

		if (n == 0 || n > 255)
			continue;
		t->alpn[t->alpn_len++] = (unsigned char)n;
		memcpy(t->alpn + t->alpn_len, alpn[i], n);
		t->alpn_len += (unsigned)n;
	}
}

int tls_ctx_server(struct tls_ctx **out, const struct tls_config *c, const char *const *alpn,
		   int nalpn, struct err *e)
{
	struct tls_ctx *t;
	int rc;

	if (c->cert == NULL)
		return err_set(e, "ssl://, https:// and grpcs:// addresses need --ssl-cert FILE and "
				  "--ssl-key FILE (the node's certificate and its private key, PEM)");
	rc = ctx_new(&t, c, true, e);
	if (rc < 0)
		return rc;
	alpn_list(t, alpn, nalpn);
	if (t->alpn_len > 0)
		SSL_CTX_set_alpn_select_cb(t->ssl, alpn_select, t);
	*out = t;
	return 0;
}

int tls_ctx_client(struct tls_ctx **out, const struct tls_config *c, struct err *e)
{
	return ctx_new(out, c, false, e);
}

void tls_ctx_offer_alpn(struct tls_ctx *ctx, const char *const *alpn, int nalpn)
{
	alpn_list(ctx, alpn, nalpn);
	if (ctx->alpn_len > 0 && SSL_CTX_set_alpn_protos(ctx->ssl, ctx->alpn, ctx->alpn_len) != 0)
		oom(); /* it fails only when it cannot allocate */
}

void tls_offer_alpn(struct tls *t, const char *const *alpn, int nalpn)
{
	struct tls_ctx list; /* only its ALPN buffer is used */

	alpn_list(&list, alpn, nalpn);
	if (list.alpn_len > 0 && SSL_set_alpn_protos(t->ssl, list.alpn, list.alpn_len) != 0)
		oom(); /* it fails only when it cannot allocate */
}

void tls_ctx_free(struct tls_ctx *ctx)
{
	if (ctx == NULL)
		return;
	SSL_CTX_free(ctx->ssl);
	free(ctx);
}

/* -- a client context made on first use -- */

struct tls_lazy {
	struct tls_config cfg;
	pthread_mutex_t mu;
	struct tls_ctx *_Atomic ctx; /* set once, under mu */
	bool failed;                 /* under mu */
	char why[ERR_MSG_LEN];
};

struct tls_lazy *tls_lazy_new(const struct tls_config *c, struct tls_ctx *made)
{
	struct tls_lazy *l = xcalloc(1, sizeof *l);

	l->cfg = *c;
	pthread_mutex_init(&l->mu, NULL);
	atomic_store_explicit(&l->ctx, made, memory_order_release);
	return l;
}

struct tls_ctx *tls_lazy_get(struct tls_lazy *l, struct err *e)
{
	struct tls_ctx *ctx = atomic_load_explicit(&l->ctx, memory_order_acquire);
	struct err made_e;

	if (ctx != NULL)
		return ctx;
	pthread_mutex_lock(&l->mu);
	ctx = atomic_load_explicit(&l->ctx, memory_order_relaxed);
	if (ctx == NULL && !l->failed) {
		err_clear(&made_e);
		if (tls_ctx_client(&ctx, &l->cfg, &made_e) == 0) {
			atomic_store_explicit(&l->ctx, ctx, memory_order_release);
		} else {
			ctx = NULL;
			l->failed = true;
			snprintf(l->why, sizeof l->why, "%s", made_e.msg);
		}
	}
	if (ctx == NULL)
		err_set(e, "cannot make the TLS client context: %s", l->why);
	pthread_mutex_unlock(&l->mu);
	return ctx;
}

unsigned tls_lazy_made(const struct tls_lazy *l)
{
	return atomic_load_explicit(&((struct tls_lazy *)l)->ctx, memory_order_acquire) != NULL;
}

void tls_lazy_free(struct tls_lazy *l)
{
	if (l == NULL)
		return;
	tls_ctx_free(atomic_load_explicit(&l->ctx, memory_order_relaxed));
	pthread_mutex_destroy(&l->mu);
	free(l);
}

/* -- connections -- */

static struct tls *tls_new(struct tls_ctx *ctx, int fd)
{
	struct tls *t = xcalloc(1, sizeof *t);
	BIO *rb, *wb;

	t->fd = fd;
	t->ssl = SSL_new(ctx->ssl);
	rb = BIO_new_socket(fd, BIO_NOCLOSE);
	wb = BIO_new(out_method);
	if (t->ssl == NULL || rb == NULL || wb == NULL)
		oom();
	BIO_set_data(wb, t);
	SSL_set_bio(t->ssl, rb, wb);
	return t;
}

struct tls *tls_new_server(struct tls_ctx *ctx, int fd)
{
	struct tls *t = tls_new(ctx, fd);

	SSL_set_accept_state(t->ssl);
	return t;
}

struct tls *tls_new_client(struct tls_ctx *ctx, int fd, const char *host)
{
	struct tls *t = tls_new(ctx, fd);
	unsigned char ip[16];
	bool is_ip = host && (inet_pton(AF_INET, host, ip) == 1 || inet_pton(AF_INET6, host, ip) == 1);

	if (host != NULL && host[0] != '\0') {
		if (!is_ip)
			SSL_set_tlsext_host_name(t->ssl, host);
		if (ctx->verify) {
			if (is_ip)
				X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(t->ssl), host);
			else
				SSL_set1_host(t->ssl, host);
		}
	}
	SSL_set_connect_state(t->ssl);
	return t;
}

void tls_free(struct tls *t)
{
	if (t == NULL)
		return;
	SSL_free(t->ssl);
	iobuf_release(&t->out);
	free(t);
}

/* Maps a failed SSL call (rc <= 0) to -EAGAIN, 0 (end of stream) or an
 * error with t->err filled. */
static int ssl_fail(struct tls *t, int rc, bool reading)
{
	int err = SSL_get_error(t->ssl, rc);
	char why[160];

	switch (err) {
	case SSL_ERROR_WANT_READ:
	case SSL_ERROR_WANT_WRITE:
		return -EAGAIN;
	case SSL_ERROR_ZERO_RETURN:
		return reading ? 0 : -EPIPE;
	case SSL_ERROR_SYSCALL:
		if (errno != 0) {
			int e = errno;

			snprintf(t->err, sizeof t->err, "%s", strerror(e));
			return -e;
		}
		snprintf(t->err, sizeof t->err, "connection closed during the TLS handshake");
		return reading && t->done ? 0 : -ECONNRESET;
	default: {
		long v = SSL_get_verify_result(t->ssl);

		ssl_reasons(why, sizeof why);
		if (v != X509_V_OK)
			snprintf(t->err, sizeof t->err, "%s: %s", why, X509_verify_cert_error_string(v));
		else
			snprintf(t->err, sizeof t->err, "%s", why);
		return -EPROTO;
	}
	}
}

int tls_handshake(struct tls *t)
{
	int rc;

	if (t->done)
		return 1;
	ERR_clear_error();
	errno = 0;
	rc = SSL_do_handshake(t->ssl);
	if (rc == 1) {
		t->done = true;
	} else {
		rc = ssl_fail(t, rc, false);
		if (rc == -EAGAIN)
			rc = 0;
	}
	int f = tls_flush(t);
	if (f < 0 && f != -EAGAIN && rc >= 0) {
		snprintf(t->err, sizeof t->err, "%s", strerror(-f));
		return f;
	}
	return rc;
}

bool tls_handshake_done(const struct tls *t)
{
	return t->done;
}

ssize_t tls_read(struct tls *t, void *buf, size_t len)
{
	int n;

	ERR_clear_error();
	errno = 0;
	n = SSL_read(t->ssl, buf, len > INT32_MAX ? INT32_MAX : (int)len);
	if (n > 0)
		return n;
	return ssl_fail(t, n, true);
}

ssize_t tls_write(struct tls *t, const void *p, size_t len)
{
	int n;

	if (iobuf_len(&t->out) >= TLS_OUT_HIGH) {
		int rc = tls_flush(t);

		if (rc < 0 && rc != -EAGAIN)
			return rc;
		if (iobuf_len(&t->out) >= TLS_OUT_HIGH)
			return -EAGAIN;
	}
	if (len == 0)
		return 0;
	if (len > TLS_OUT_HIGH)
		len = TLS_OUT_HIGH;
	ERR_clear_error();
	errno = 0;
	n = SSL_write(t->ssl, p, (int)len);
	if (n > 0)
		return n;
	n = ssl_fail(t, n, false);
	return n == -EAGAIN ? -EPROTO : n; /* our BIO never blocks */
}

int tls_flush(struct tls *t)
{
	ssize_t n;

	if (iobuf_len(&t->out) == 0)
		return 0;
	n = iobuf_flush(&t->out, t->fd);
	if (n < 0)
		return (int)n;
	return iobuf_len(&t->out) > 0 ? -EAGAIN : 0;
}

size_t tls_pending_out(const struct tls *t)
{
	return iobuf_len(&t->out);
}

void tls_close_notify(struct tls *t)
{
	if (t->notified || !t->done)
		return;
	t->notified = true;
	ERR_clear_error();
	SSL_shutdown(t->ssl);
	ERR_clear_error();
	tls_flush(t);
}

const char *tls_alpn(const struct tls *t, size_t *len)
{
	const unsigned char *p = NULL;
	unsigned n = 0;

	SSL_get0_alpn_selected(t->ssl, &p, &n);
	*len = n;
	return n ? (const char *)p : NULL;
}

const char *tls_error(const struct tls *t)
{
	return t->err[0] ? t->err : "TLS error";
}

const char *tls_describe(const struct tls *t, char *buf, size_t len)
{
	snprintf(buf, len, "%s %s", SSL_get_version(t->ssl), SSL_get_cipher_name(t->ssl));
	return buf;
}
