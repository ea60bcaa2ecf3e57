/* resolve.c -- see resolve.h. */
#include "net/resolve.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/dnsname.h"
#include "util/xalloc.h"

/* One lookup, on its own thread. */
struct lookup {
	struct addrinfo hints;
	struct addrinfo *result;  /* getaddrinfo()'s, or NULL */
	int rc;                   /* getaddrinfo()'s return */
	struct resolver *r;
	struct lookup *next;      /* the finished queue */
	char name[DNS_NAME_MAX + 1];
};

struct entry {
	char name[DNS_NAME_MAX + 1];
	enum resolve_state state;
	int64_t expires;          /* RESOLVE_OK / RESOLVE_FAILED: when the answer is stale */
	struct sockaddr_storage ss;
	socklen_t len;
	char why[96];
};

struct resolver {
	pthread_mutex_t lock;     /* guards closed, pending, done */
	bool closed;              /* resolver_free() ran: abandon what finishes */
	uint32_t pending;         /* lookups whose threads run */
	struct lookup *done;      /* finished, newest first */
	int wake_fd;
	struct entry *cache;      /* owner thread only */
	size_t ncache;
};

struct resolver *resolver_new(int wake_fd)
{
	struct resolver *r = xcalloc(1, sizeof *r);

	pthread_mutex_init(&r->lock, NULL);
	r->wake_fd = wake_fd;
	return r;
}

static void lookup_free(struct lookup *l)
{
	if (l->result != NULL)
		freeaddrinfo(l->result);
	free(l);
}

static void resolver_destroy(struct resolver *r)
{
	while (r->done != NULL) {
		struct lookup *l = r->done;

		r->done = l->next;
		lookup_free(l);
	}
	pthread_mutex_destroy(&r->lock);
	free(r);
}

void resolver_free(struct resolver *r)
{
	bool last;

	if (r == NULL)
		return;
	free(r->cache);
	r->cache = NULL;
	pthread_mutex_lock(&r->lock);
	r->closed = true;
	last = r->pending == 0;
	pthread_mutex_unlock(&r->lock);
	if (last)
		resolver_destroy(r);
}

/* On the lookup's thread: it is over. */
static void notify(struct lookup *l)
{
	struct resolver *r = l->r;
	uint64_t one = 1;
	bool gone;

	pthread_mutex_lock(&r->lock);
	r->pending--;
	gone = r->closed;
	if (!gone) {
		l->next = r->done;
		r->done = l;
		if (write(r->wake_fd, &one, sizeof one) < 0) {
			/* the eventfd's counter cannot overflow from these */
		}
	}
	bool last = gone && r->pending == 0;
	pthread_mutex_unlock(&r->lock);
	if (gone) {
		lookup_free(l);
		if (last)
			resolver_destroy(r);
	}
}

static struct entry *find(struct resolver *r, const char *name)
{
	for (size_t i = 0; i < r->ncache; i++)
		if (strcmp(r->cache[i].name, name) == 0)
			return &r->cache[i];
	return NULL;
}

/* A cache slot for a new name: a free one, or the one that expires first;
 * NULL when every one has a lookup running. */
static struct entry *slot(struct resolver *r)
{
	struct entry *best = NULL;

	if (r->cache == NULL)
		r->cache = xcalloc(RESOLVE_MAX_NAMES, sizeof *r->cache);
	if (r->ncache < RESOLVE_MAX_NAMES)
		return &r->cache[r->ncache++];
	for (size_t i = 0; i < r->ncache; i++)
		if (r->cache[i].state != RESOLVE_PENDING &&
		    (best == NULL || r->cache[i].expires < best->expires))
			best = &r->cache[i];
	return best;
}

static void fail(struct entry *en, const char *why)
{
	en->state = RESOLVE_FAILED;
	en->expires = clock_now_ns() + RESOLVE_TTL_FAIL_S * NSEC_PER_SEC;
	snprintf(en->why, sizeof en->why, "%s", why);
}

/* A lookup's thread: getaddrinfo() blocks here, never on the owner's loop.
 * (Not getaddrinfo_a(): glibc starts its threads internally, where a
 * sanitizer's thread interceptors cannot see them, and ThreadSanitizer then
 * crashes in the first malloc of such a thread.) */
static void *lookup_thread(void *arg)
{
	struct lookup *l = arg;

	l->rc = getaddrinfo(l->name, NULL, &l->hints, &l->result);
	notify(l);
	return NULL;
}

/* Starts the lookup of en's name; false (en failed) when no thread starts,
 * or RESOLVE_MAX_INFLIGHT lookups run already. */
static bool start(struct resolver *r, struct entry *en)
{
	struct lookup *l;
	pthread_attr_t attr;
	pthread_t tid;
	sigset_t all, old;
	int rc;

	pthread_mutex_lock(&r->lock);
	bool full = r->pending >= RESOLVE_MAX_INFLIGHT;
	if (!full)
		r->pending++;
	pthread_mutex_unlock(&r->lock);
	if (full) {
		fail(en, "too many host names being resolved at once");
		return false;
	}
	l = xcalloc(1, sizeof *l);
	snprintf(l->name, sizeof l->name, "%s", en->name);
	l->r = r;
	l->hints.ai_family = AF_UNSPEC;
	l->hints.ai_socktype = SOCK_STREAM;
	/* The thread takes no signal: the node's own threads handle them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&tid, &attr, lookup_thread, l);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		return true;
	pthread_mutex_lock(&r->lock);
	r->pending--;
	pthread_mutex_unlock(&r->lock);
	free(l);
	fail(en, strerror(rc));
	return false;
}

static enum resolve_state answer(const struct entry *en, struct sockaddr_storage *ss,
				 socklen_t *len, char *why, size_t why_len)
{
	if (en->state == RESOLVE_OK) {
		memcpy(ss, &en->ss, sizeof *ss);
		*len = en->len;
	} else if (en->state == RESOLVE_FAILED) {
		snprintf(why, why_len, "%s", en->why);
	}
	return en->state;
}

enum resolve_state resolver_lookup(struct resolver *r, const char *name,
				   struct sockaddr_storage *ss, socklen_t *len, char *why,
				   size_t why_len)
{
	struct entry *en = find(r, name);

	if (en != NULL && (en->state == RESOLVE_PENDING || en->expires > clock_now_ns()))
		return answer(en, ss, len, why, why_len);
	if (en == NULL)
		en = slot(r);
	if (en == NULL) {
		snprintf(why, why_len, "%d names are being resolved already", RESOLVE_MAX_NAMES);
		return RESOLVE_FAILED;
	}
	snprintf(en->name, sizeof en->name, "%s", name);
	en->state = RESOLVE_PENDING;
	if (dns_name_reserved_invalid(name, strlen(name)))
		fail(en, "no such name (the TLD \"invalid\" is reserved: RFC 6761)");
	else
		start(r, en);
	return answer(en, ss, len, why, why_len);
}

/* A finished lookup into its cache entry. */
static void file(struct resolver *r, struct lookup *l)
{
	struct entry *en = find(r, l->name);
	const struct addrinfo *pick = NULL;
	int rc = l->rc;

	if (en == NULL || en->state != RESOLVE_PENDING)
		return;
	for (const struct addrinfo *ai = rc == 0 ? l->result : NULL; ai; ai = ai->ai_next) {
		if (ai->ai_family == AF_INET) {
			pick = ai;
			break;
		}
		if (ai->ai_family == AF_INET6 && pick == NULL)
			pick = ai;
	}
	if (pick == NULL || pick->ai_addrlen > sizeof en->ss) {
		fail(en, rc == EAI_NONAME ? "no such name"
			 : rc != 0	  ? gai_strerror(rc)
					  : "no IPv4 or IPv6 address");
		return;
	}
	memset(&en->ss, 0, sizeof en->ss);
	memcpy(&en->ss, pick->ai_addr, pick->ai_addrlen);
	en->len = (socklen_t)pick->ai_addrlen;
	en->state = RESOLVE_OK;
	en->expires = clock_now_ns() + RESOLVE_TTL_OK_S * NSEC_PER_SEC;
}

void resolver_drain(struct resolver *r, void (*done)(void *ctx, const char *name), void *ctx)
{
	struct lookup *list;

	pthread_mutex_lock(&r->lock);
	list = r->done;
	r->done = NULL;
	pthread_mutex_unlock(&r->lock);
	for (struct lookup *l = list; l != NULL; l = l->next)
		file(r, l);
	while (list != NULL) {
		struct lookup *l = list;

		list = l->next;
		done(ctx, l->name);
		lookup_free(l);
	}
}
