/* front_tls.c -- see worker_int.h: TLS under the node's front ends.
 *
 * DESIGN: a connection accepted on an ssl:// or https:// address starts as
 * H_TLS: the worker's loop drives its handshake (net/tls: a read that waits
 * is loop interest in READ, encrypted bytes not yet sent are interest in
 * WRITE, set by conn_flush()). The handshake has --frame-timeout to
 * complete, as a begun frame has (front_wire's frame timer, which counts a
 * handshake as a frame in progress): a client that connects and goes silent
 * holds its slot no longer than one that stalls mid-frame. Once done, the
 * connection is handed to the front end that speaks over it: the one ALPN
 * selected, from alpn_fronts[] below, else the address's own (ssl://: the
 * native protocol; https://: HTTP/1.1; grpcs://: HTTP/2). From then on the front ends do not
 * know about TLS: conn_recv() and conn_send() go through it.
 * Forward connections to ssl://, https:// and grpcs:// targets (peer.c)
 * start TLS once connect() succeeds (the node's client context is made by
 * the first of them: net/tls's tls_lazy), and their queued frames wait for the
 * handshake (https:// ones for its ALPN choice: peer_tls.c). */
#include "node/worker_int.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "net/tls.h"
#include "util/log.h"

/* A front end that can take over a TLS connection whose handshake selected
 * its ALPN protocol. take_over runs once, right after the handshake, with
 * c->h.kind still H_TLS: it sets the kind its events need and any state;
 * the worker then reads whatever has arrived (its readable handler for that
 * kind). */
struct alpn_front {
	const char *proto;                       /* the ALPN name */
	void (*take_over)(struct worker *w, struct conn *c);
};

static void take_over_http1(struct worker *w, struct conn *c)
{
	(void)w;
	c->h.kind = H_HTTP; /* its parser state comes with its first bytes */
}

static void take_over_h2(struct worker *w, struct conn *c)
{
	c->h.kind = H_H2;
	front_h2_attach(w, c); /* the server's SETTINGS go first, encrypted */
}

/* The protocols an https:// address offers, most preferred first. */
static const struct alpn_front alpn_fronts[] = {
	{ "h2", take_over_h2 },
	{ "http/1.1", take_over_http1 },
};

#define NFRONTS (sizeof alpn_fronts / sizeof alpn_fronts[0])

int worker_alpn_names(const char **names, int max)
{
	int n = 0;

	for (size_t i = 0; i < NFRONTS && n < max; i++)
		names[n++] = alpn_fronts[i].proto;
	return n;
}

void front_tls_accepted(struct worker *w, struct conn *c, struct tls_ctx *ctx)
{
	c->tls = tls_new_server(ctx, c->fd);
	c->tls_after = c->h.kind;
	c->h.kind = H_TLS;
	front_wire_arm_frame_timer(w, c);
}

bool front_tls_handshaking(const struct conn *c)
{
	return c->h.kind == H_TLS;
}

/* The readable handler of c's kind, once it has one. */
static void read_as(struct worker *w, struct conn *c)
{
	if (c->h.kind == H_HTTP)
		front_http_readable(w, c);
	else if (c->h.kind == H_H2)
		front_h2_readable(w, c);
	else if (c->h.kind == H_CLIENT)
		front_wire_readable(w, c);
}

static void take_over(struct worker *w, struct conn *c)
{
	size_t len;
	const char *proto = tls_alpn(c->tls, &len);

	c->h.kind = c->tls_after;
	if (proto == NULL) {
		if (c->h.kind == H_H2) /* grpcs:// without ALPN: HTTP/2 all the same */
			front_h2_attach(w, c);
		return;
	}
	for (size_t i = 0; i < NFRONTS; i++)
		if (strlen(alpn_fronts[i].proto) == len && memcmp(alpn_fronts[i].proto, proto, len) == 0) {
			c->h.kind = H_TLS; /* take_over sees it as the contract says */
			alpn_fronts[i].take_over(w, c);
			if (c->h.kind == H_TLS)
				c->h.kind = c->tls_after;
			return;
		}
}

void front_tls_event(struct worker *w, struct conn *c)
{
	int rc = tls_handshake(c->tls);

	if (rc < 0) {
		w->st.tls_failures++;
		log_msg("%s: TLS handshake failed: %s", c->name, tls_error(c->tls));
		conn_close(w, c, NULL);
		return;
	}
	conn_mark_dirty(w, c); /* its handshake bytes, then its interest */
	if (rc == 0)
		return;
	w->st.tls_handshakes++;
	take_over(w, c);
	if (c->fd >= 0)
		read_as(w, c); /* data may have come with the handshake's end */
}

/* "[::1]" -> "::1", in place. */
static char *unbracket(char *h)
{
	h[strlen(h) - 1] = '\0';
	return h + 1;
}

int front_tls_peer_connected(struct worker *w, struct conn *p)
{
	char host[SOCK_ADDR_STRLEN];
	struct tls_ctx *ctx;
	struct err e;

	if (!p->tls_peer)
		return 0;
	ctx = tls_lazy_get(w->tls_client, &e); /* the node's first TLS forward makes it */
	if (ctx == NULL) {
		peer_fail(w, p, e.msg, false);
		return -EPROTO;
	}
	/* With --ssl-verify, the target's certificate must name the host the
	 * forward names, or its address (an IP subjectAltName) when it names
	 * none. */
	if (p->host != NULL) {
		p->tls = tls_new_client(ctx, p->fd, p->host);
	} else {
		sock_addr_str((const struct sockaddr *)&p->addr, host, sizeof host);
		*strrchr(host, ':') = '\0';
		p->tls = tls_new_client(ctx, p->fd, host[0] == '[' ? unbracket(host) : host);
	}
	peer_tls_offer(p); /* https://, grpcs://: their ALPN lists */
	return front_tls_peer_handshake(w, p) ? 0 : -EPROTO;
}

bool front_tls_peer_handshake(struct worker *w, struct conn *p)
{
	int rc = tls_handshake(p->tls);

	if (rc < 0) {
		char why[240];

		w->st.tls_failures++;
		snprintf(why, sizeof why, "TLS handshake failed: %s", tls_error(p->tls));
		peer_fail(w, p, why, false);
		return false;
	}
	conn_mark_dirty(w, p);
	if (rc == 1) {
		w->st.tls_handshakes++;
		return peer_tls_ready(w, p); /* https://, grpcs://: what ALPN chose */
	}
	return true;
}
