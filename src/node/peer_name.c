/* peer_name.c -- see worker_int.h: forward connections to targets that name
 * their host, resolved when the connection opens (net/resolve.h: off the
 * loop, cached), then checked against the allow-list and connected as a
 * target given by address. */
#include "node/worker_int.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "net/resolve.h"
#include "util/log.h"
#include "util/xalloc.h"

void peer_name_entry(struct conn *p, const struct engine_send *s)
{
	p->host = xmalloc(s->host_len + 1);
	memcpy(p->host, s->host, s->host_len);
	p->host[s->host_len] = '\0';
	p->host_port = s->port;
	memset(&p->addr, 0, sizeof p->addr); /* AF_UNSPEC until resolved */
	p->addrlen = 0;
	p->delay_mask = 0;
	/* its name (p->name, the Host / :authority HTTP sends) is peer_name()'s */
}

/* p's name resolved to ss (port 0): checked and connected. 0; -1 when the
 * connect failed at once (*status, why filled); -2 when the allow-list
 * refuses the address (why: the reason alone). */
static int resolved(struct worker *w, struct conn *p, const struct sockaddr_storage *ss,
		    socklen_t len, int *status, char *why, size_t why_len)
{
	char a[SOCK_ADDR_STRLEN];

	memcpy(&p->addr, ss, len);
	p->addrlen = len;
	if (p->addr.ss_family == AF_INET)
		((struct sockaddr_in *)&p->addr)->sin_port = htons(p->host_port);
	else
		((struct sockaddr_in6 *)&p->addr)->sin6_port = htons(p->host_port);
	if (!allowlist_allows(w->ecfg.allow, (const struct sockaddr *)&p->addr)) {
		sock_addr_str((const struct sockaddr *)&p->addr, a, sizeof a);
		*status = WIRE_ERR_REFUSED;
		snprintf(why, why_len, "%s is %s, not in %s", p->host, a, w->ecfg.allow_name);
		return -2;
	}
	p->delay_mask = netdelay_match(&w->cfg->net_delay, (const struct sockaddr *)&p->addr);
	return peer_connect(w, p, status, why, why_len);
}

struct conn *peer_open_named(struct worker *w, struct conn *p, int *status, char *why,
			     size_t why_len)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char reason[CONN_NAME_LEN + 160];

	/* the query itself is refused, not only its answer (net/namelist.h) */
	if (!namelist_allows(&w->cfg->allow_names, p->host, strlen(p->host))) {
		w->st.names_refused++;
		*status = WIRE_ERR_REFUSED;
		snprintf(why, why_len, "forward to %s refused: host name %s not in %s", p->name,
			 p->host, w->cfg->names_is_default ? "the default --allow-names (localhost only)"
							   : "--allow-names");
		return NULL;
	}
	if (w->resolver == NULL)
		w->resolver = resolver_new(w->wake_fd);
	switch (resolver_lookup(w->resolver, p->host, &ss, &len, reason, sizeof reason)) {
	case RESOLVE_PENDING:
		w->st.name_lookups++;
		p->resolving = true; /* its output waits; peer_name_drain() goes on */
		return p;
	case RESOLVE_OK:
		switch (resolved(w, p, &ss, len, status, why, why_len)) {
		case 0:
			return p;
		case -2:
			snprintf(reason, sizeof reason, "%s", why);
			snprintf(why, why_len, "forward to %s refused: %s", p->name, reason);
			break;
		}
		return NULL;
	case RESOLVE_FAILED:
		break;
	}
	*status = WIRE_ERR_FORWARD;
	log_msg("forward to %s failed: host name does not resolve: %s", p->name, reason);
	snprintf(why, why_len, "forward to %s failed: host name does not resolve: %s", p->name,
		 reason);
	return NULL;
}

/* A lookup ended: every peer waiting for that name connects or fails. */
static void on_resolved(void *ctx, const char *name)
{
	struct worker *w = ctx;

	for (size_t i = 0; i < w->npeers; i++) {
		struct conn *p = w->peers[i];
		struct sockaddr_storage ss;
		socklen_t len = 0;
		char reason[CONN_NAME_LEN + 160], why[CONN_NAME_LEN + 200];
		int status = WIRE_ERR_FORWARD;
		enum resolve_state st;

		if (!p->resolving || strcmp(p->host, name) != 0)
			continue;
		st = resolver_lookup(w->resolver, name, &ss, &len, reason, sizeof reason);
		if (st == RESOLVE_PENDING)
			continue; /* a newer lookup of the name runs */
		p->resolving = false;
		if (st == RESOLVE_FAILED) {
			snprintf(why, sizeof why, "host name does not resolve: %s", reason);
			peer_fail_status(w, p, WIRE_ERR_FORWARD, why, true);
			continue;
		}
		switch (resolved(w, p, &ss, len, &status, why, sizeof why)) {
		case 0:
			/* What was queued leaves once connected, held for --net-delay
			 * from now when a rule matches the address (unknown before). */
			if (conn_queued(p) > 0)
				conn_frame_queued(w, p);
			break;
		case -2: {
			char msg[sizeof why + 16];

			snprintf(msg, sizeof msg, "refused: %s", why);
			peer_fail_status(w, p, WIRE_ERR_REFUSED, msg, true);
			break;
		}
		default: /* the connect failed: logged, and "unreachable" to the requester */
			peer_fail_status(w, p, (uint16_t)status, NULL, false);
			break;
		}
	}
}

void peer_name_drain(struct worker *w)
{
	if (w->resolver != NULL)
		resolver_drain(w->resolver, on_resolved, w);
}

void peer_name_release(struct worker *w)
{
	resolver_free(w->resolver);
	w->resolver = NULL;
}
