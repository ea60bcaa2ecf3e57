/* tls.h -- TLS over non-blocking sockets (OpenSSL), for event loops.
 *
 * Contract: a tls_ctx holds what DistWalk's --ssl-* options name: a
 * certificate chain and its key (a server's identity, or a client's for
 * mutual TLS), trusted CAs (a file and/or a hashed directory; without
 * either, the system's store), the allowed TLS 1.2 cipher list and/or TLS 1.3
 * suites, whether the peer's certificate is verified, and for a server the
 * ALPN protocols it accepts, in its order of preference. TLS 1.2 is the
 * oldest version spoken.
 * A struct tls is one connection's TLS state over a connected non-blocking
 * socket. It reads from the socket itself (OpenSSL reads exactly one record
 * at a time: no plaintext is ever held back where a level-triggered loop
 * would not see it, as long as every tls_read() offers room for a whole
 * record, TLS_RECORD_MAX bytes). What it writes, handshake and records
 * alike, is encrypted into its own output queue at once and sent by
 * tls_flush(): so tls_write() never needs to be retried with the same bytes,
 * and bytes it accepted have left the caller for good (they may be dropped
 * from the caller's queue, counted as sent). tls_write() refuses more
 * (-EAGAIN) while the queue is above TLS_OUT_HIGH after a flush: the
 * socket is full, wait for it to be writable.
 * Ownership: a tls_ctx is shared, read-only, by every thread once made; a
 * struct tls belongs to one thread and does not own its socket.
 * Errors: set-up functions fill a struct err naming the option and file at
 * fault; I/O returns -errno (-EAGAIN: wait; -EPROTO: a TLS failure, its
 * reason from tls_error()). */
#ifndef MW_NET_TLS_H
#define MW_NET_TLS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "util/err.h"

#define TLS_RECORD_MAX 16384           /* largest plaintext of one record */
#define TLS_OUT_HIGH (256 * 1024)      /* encrypted bytes queued before tls_write() waits */
#define TLS_ALPN_MAX 8                 /* protocols one server context accepts */

/* DistWalk's option names (--ssl-cert, --ssl-key, --ssl-ca, --ssl-ca-path,
 * --ssl-ciphers, --ssl-verify); NULL: not given. */
struct tls_config {
	const char *cert;
	const char *key;
	const char *ca;
	const char *ca_path;
	const char *ciphers;
	bool verify;
};

static inline bool tls_config_any(const struct tls_config *c)
{
	return c->cert || c->key || c->ca || c->ca_path || c->ciphers || c->verify;
}

struct tls_ctx;
struct tls;

/* A server context: needs cert and key. verify asks every client for a
 * certificate signed by the CAs and refuses one without. alpn: protocol
 * names the server accepts (n of them, most preferred first); a client that
 * offers none of them still connects, with no protocol selected. */
int tls_ctx_server(struct tls_ctx **out, const struct tls_config *c, const char *const *alpn,
		   int nalpn, struct err *e);
/* A client context: cert and key are optional (mutual TLS); verify checks
 * the server's chain (and the host name given to tls_new_client()). */
int tls_ctx_client(struct tls_ctx **out, const struct tls_config *c, struct err *e);
/* A client context offers these protocols by ALPN (n of them, most
 * preferred first); tls_alpn() says which the server chose. */
void tls_ctx_offer_alpn(struct tls_ctx *ctx, const char *const *alpn, int nalpn);
void tls_ctx_free(struct tls_ctx *ctx);

/* A client context made on first use, shared by threads: a node's forwards
 * over TLS (ssl://, https://, grpcs://) use one, made by whichever worker
 * needs it first while the others wait, so a node that never forwards over
 * TLS never pays for one (an SSL_CTX costs about ten million instructions).
 * c is copied (its strings borrowed: they outlive l). made: a context
 * already made from c to hand out (taken over), or NULL. The options are
 * the caller's to check at start-up (tls_ctx_client() fails on the same
 * files and ciphers as a server context from them): a context that cannot
 * be made here (memory, files changed since) fails every call alike. */
struct tls_lazy;
struct tls_lazy *tls_lazy_new(const struct tls_config *c, struct tls_ctx *made);
/* The context, made now if need be; NULL with e filled when it cannot be. */
struct tls_ctx *tls_lazy_get(struct tls_lazy *l, struct err *e);
/* Contexts made so far: 0 or 1. */
unsigned tls_lazy_made(const struct tls_lazy *l);
void tls_lazy_free(struct tls_lazy *l);

/* A connection on fd: the accepting side, or the connecting side (host:
 * the name or address the user wrote, sent as SNI when it is a name and,
 * with verify, matched against the certificate; NULL: neither). */
struct tls *tls_new_server(struct tls_ctx *ctx, int fd);
struct tls *tls_new_client(struct tls_ctx *ctx, int fd, const char *host);
void tls_free(struct tls *t);
/* A connecting side offers these protocols by ALPN, whatever its context
 * offers (call before the handshake): one context serves targets that
 * want different lists. */
void tls_offer_alpn(struct tls *t, const char *const *alpn, int nalpn);

/* Drives the handshake: 1 when done, 0 when it waits for the peer (call
 * again once readable; flush what tls_pending_out() holds), -EPROTO (or
 * -errno) when it failed: tls_error() says why. */
int tls_handshake(struct tls *t);
bool tls_handshake_done(const struct tls *t);
/* Plaintext into buf (len >= TLS_RECORD_MAX keeps the contract above):
 * bytes read, 0 at the end of the stream (close_notify or EOF), -EAGAIN,
 * or -errno / -EPROTO. */
ssize_t tls_read(struct tls *t, void *buf, size_t len);
/* Encrypts up to len bytes of p: bytes taken (all of them, or a part of a
 * large write), -EAGAIN (the output queue is full and the socket too), or
 * -errno / -EPROTO. */
ssize_t tls_write(struct tls *t, const void *p, size_t len);
/* Sends queued encrypted bytes: 0 when none is left, -EAGAIN when the
 * socket is full, -errno. */
int tls_flush(struct tls *t);
size_t tls_pending_out(const struct tls *t);
/* Queues a close_notify alert (once) and tries to send it. */
void tls_close_notify(struct tls *t);
/* The protocol ALPN selected (not NUL-terminated), or NULL with *len 0. */
const char *tls_alpn(const struct tls *t, size_t *len);
/* Why the last operation failed: OpenSSL's reason, the certificate
 * verification result, or the socket's error. */
const char *tls_error(const struct tls *t);
/* "TLSv1.3 TLS_AES_256_GCM_SHA384": the negotiated version and cipher. */
const char *tls_describe(const struct tls *t, char *buf, size_t len);

#endif
