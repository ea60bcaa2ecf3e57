/* peer_tls.c -- see worker_int.h: forwards to HTTP over TLS (-F
 * https://HOST:PORT/NAME, -F grpcs://HOST:PORT/NAME).
 *
 * DESIGN: such a peer is a pooled forward connection like an ssl:// one
 * (peer.c; its handshake in front_tls.c, with the node's --ssl-* client
 * context: CAs, --ssl-verify against the target's address, the node's
 * certificate for mutual TLS), offering its own ALPN list on the
 * connection. A grpcs:// peer offers h2 only and is an HTTP/2 peer from the
 * start (peer_h2.c; its streams wait in the connection's output for the
 * handshake, as ssl:// frames do); a server that selects no protocol, or
 * another, fails it. An https:// peer offers h2, then http/1.1, and speaks
 * what the server selects (none: HTTP/1.1, as a TLS server that knows no
 * ALPN is an HTTPS/1.1 one). Its requests cannot be written before that
 * choice, so the forwards that come while it connects and shakes hands are
 * held here (their route name, budget, trace context and size copied) and
 * written, in order, as HTTP/2 streams or HTTP/1.1 requests once the
 * handshake is done; these few share that connection (an HTTP/1.1 one
 * pipelines them), later ones find the pool as http:// and h2c:// peers
 * do. The choice is made again at every handshake: a reconnection may meet
 * a server that answers otherwise. A held forward whose attempt ends is
 * still written, as an HTTP one is (its late answer is ignored). */
#include "node/worker_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/tls.h"
#include "util/xalloc.h"

/* A forward waiting for the handshake: what engine_send pointed to, copied. */
struct held_fwd {
	uint64_t id;
	uint64_t frame_size;
	struct wire_budget budget;
	uint8_t route[WIRE_ROUTE_MAX];
	uint32_t route_len;
	bool traced;
	struct wire_trace trace;
	uint8_t state[WIRE_TRACESTATE_MAX];
};

struct peer_held {
	struct held_fwd *v;
	size_t n, cap;
};

bool peer_tls_holding(const struct conn *p)
{
	return p->via == WIRE_VIA_HTTPS && (p->tls == NULL || !tls_handshake_done(p->tls));
}

void peer_tls_hold(struct conn *p, const struct engine_send *s)
{
	struct peer_held *h = p->held;

	if (h == NULL)
		h = p->held = xcalloc(1, sizeof *h);
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 8;
		h->v = xrealloc(h->v, h->cap * sizeof *h->v);
	}
	struct held_fwd *f = &h->v[h->n++];
	/* The sub-program of an HTTP target is a route name (wire_prog_check). */
	f->id = s->id;
	f->frame_size = s->frame_size;
	f->budget = *s->budget;
	f->route_len = s->sub_len < WIRE_ROUTE_MAX ? s->sub_len : WIRE_ROUTE_MAX;
	memcpy(f->route, s->sub, f->route_len);
	f->traced = s->trace != NULL;
	if (f->traced) {
		f->trace = *s->trace;
		f->trace.state_len = s->trace->state_len < WIRE_TRACESTATE_MAX ? s->trace->state_len
										: WIRE_TRACESTATE_MAX;
		memcpy(f->state, s->trace->state, f->trace.state_len);
		f->trace.state = f->state;
	}
}

void peer_tls_reset(struct conn *p)
{
	if (p->held != NULL)
		p->held->n = 0;
}

void peer_tls_release(struct conn *p)
{
	if (p->held == NULL)
		return;
	free(p->held->v);
	free(p->held);
	p->held = NULL;
}

void peer_tls_offer(struct conn *p)
{
	static const char *const https[] = { "h2", "http/1.1" }, *const grpcs[] = { "h2" };

	if (p->via == WIRE_VIA_HTTPS)
		tls_offer_alpn(p->tls, https, 2);
	else if (p->via == WIRE_VIA_GRPCS)
		tls_offer_alpn(p->tls, grpcs, 1);
}

/* Writes the held forwards the way p now speaks. False when p failed. */
static bool release_held(struct worker *w, struct conn *p)
{
	struct peer_held *h = p->held;
	uint64_t before = conn_queued(p);
	char why[240] = "";
	bool ok = true;

	for (size_t i = 0; h != NULL && i < h->n && ok; i++) {
		const struct held_fwd *f = &h->v[i];
		const struct engine_send s = {
			.to = &p->addr, .to_len = p->addrlen, .id = f->id, .route = true,
			.sub = f->route, .sub_len = f->route_len, .frame_size = f->frame_size,
			.budget = &f->budget, .via = p->via, .trace = f->traced ? &f->trace : NULL,
		};

		if (p->hpeer != NULL)
			peer_http_queue(w, p, &s);
		else
			ok = peer_h2_queue(w, p, &s, why, sizeof why) == 0;
	}
	peer_tls_reset(p);
	peer_account(p, &before);
	if (!ok)
		peer_fail(w, p, why, false);
	return ok;
}

bool peer_tls_ready(struct worker *w, struct conn *p)
{
	size_t len;
	const char *proto = tls_alpn(p->tls, &len);
	bool h2 = proto != NULL && len == 2 && memcmp(proto, "h2", 2) == 0;

	if (p->via == WIRE_VIA_GRPCS && !h2) {
		char why[160];

		snprintf(why, sizeof why, "gRPC over TLS needs HTTP/2, and the target selected %s "
			 "by ALPN", proto ? "another protocol" : "no protocol");
		peer_fail(w, p, why, false);
		return false;
	}
	if (p->via != WIRE_VIA_HTTPS)
		return true;
	/* Not inside any of p's readers: the handshake completes before p reads. */
	peer_http_attach(p, !h2);
	peer_h2_attach(p, h2 ? WIRE_VIA_HTTPS : WIRE_VIA_NATIVE);
	return release_held(w, p);
}
