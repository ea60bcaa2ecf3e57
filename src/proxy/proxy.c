/* proxy.c -- see proxy.h.
 *
 * DESIGN: a relay is a pair of sockets and one buffer per direction. Each
 * side's interest is recomputed after every event from the relay's state: read
 * a side only while its outgoing buffer is empty (so a slow reader slows its
 * writer instead of growing memory), write a side while bytes for it wait.
 * A side that reached EOF has its peer's sending side shut down once the
 * bytes before the EOF are delivered; when both directions are done, or on
 * any error, the relay is closed. Backend connects are non-blocking; pending
 * ones are on a list checked for their deadline on every loop pass. */
#include "proxy/proxy.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/loop.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/log.h"
#include "util/xalloc.h"

#define BUF_LEN (64 * 1024)
#define MAX_EVENTS 128

enum end_kind { END_LISTEN, END_SIGNAL, END_CLIENT, END_BACKEND };

struct relay;

struct end {
	enum end_kind kind;
	struct relay *r;
};

struct dir {            /* bytes read from one side, waiting for the other */
	uint8_t *buf;
	size_t len, off;
	bool eof;           /* the reading side reached EOF */
	bool shut;          /* EOF passed on (shutdown of the writing side) */
	int64_t release;    /* --delay: not sent before this time (ns) */
};

struct relay {
	struct end cend, bend;
	int cfd, bfd;
	int backend;        /* index, -1 before the first attempt */
	uint64_t tried;     /* backends attempted, bitmask */
	bool connecting;
	int64_t deadline;   /* connect deadline (ns) */
	struct dir up;      /* client -> backend */
	struct dir down;    /* backend -> client */
	struct relay *next_connecting;
	struct relay *prev, *next;   /* every open relay, or the dead list */
	bool dead;                   /* closed; freed after the event batch */
	char name[SOCK_ADDR_STRLEN];
};

struct backend_stats {
	uint64_t connections, failures, active, bytes_up, bytes_down;
};

struct proxy {
	const struct proxy_config *cfg;
	struct loop *loop;
	int rr_next;
	struct relay *connecting;
	struct relay *all;          /* open relays */
	struct relay *dead;         /* closed in this batch, freed after it */
	struct backend_stats bs[PROXY_MAX_BACKENDS];
	uint64_t accepted, no_backend, open;
	bool stop;
};

int proxy_policy_parse(const char *s, enum proxy_policy *out)
{
	if (strcmp(s, "roundrobin") == 0 || strcmp(s, "rr") == 0)
		*out = PROXY_ROUNDROBIN;
	else if (strcmp(s, "leastconn") == 0 || strcmp(s, "lc") == 0)
		*out = PROXY_LEASTCONN;
	else if (strcmp(s, "first") == 0)
		*out = PROXY_FIRST;
	else
		return -EINVAL;
	return 0;
}

static void relay_close(struct proxy *p, struct relay *r, const char *why)
{
	if (why != NULL && !p->cfg->quiet)
		log_msg("%s: %s", r->name, why);
	loop_del(p->loop, r->cfd);
	close(r->cfd);
	if (r->bfd >= 0) {
		loop_del(p->loop, r->bfd);
		close(r->bfd);
	}
	if (r->backend >= 0 && !r->connecting)
		p->bs[r->backend].active--;
	if (r->connecting) { /* unlink from the pending connects */
		for (struct relay **q = &p->connecting; *q; q = &(*q)->next_connecting)
			if (*q == r) {
				*q = r->next_connecting;
				break;
			}
	}
	p->open--;
	if (r->prev)
		r->prev->next = r->next;
	else
		p->all = r->next;
	if (r->next)
		r->next->prev = r->prev;
	/* Events of this batch may still point at r: free it after the batch. */
	r->dead = true;
	r->next = p->dead;
	p->dead = r;
}

static void free_dead(struct proxy *p)
{
	while (p->dead != NULL) {
		struct relay *r = p->dead;

		p->dead = r->next;
		free(r->up.buf);
		free(r->down.buf);
		free(r);
	}
}

/* The next backend to try for r, or -1 when every one has been tried. */
static int pick(struct proxy *p, const struct relay *r)
{
	int n = p->cfg->nbackends, best = -1;

	for (int k = 0; k < n; k++) {
		int i = p->cfg->policy == PROXY_ROUNDROBIN ? (p->rr_next + k) % n : k;

		if (r->tried & (1ull << i))
			continue;
		if (p->cfg->policy != PROXY_LEASTCONN)
			return i;
		if (best < 0 || p->bs[i].active < p->bs[best].active)
			best = i;
	}
	return best;
}

static void update_interest(struct proxy *p, struct relay *r);

/* Starts a connect to the next backend; closes r when none is left. */
static void try_backend(struct proxy *p, struct relay *r)
{
	for (;;) {
		int i = pick(p, r);

		if (i < 0) {
			p->no_backend++;
			relay_close(p, r, "no backend accepted the connection");
			return;
		}
		r->tried |= 1ull << i;
		if (p->cfg->policy == PROXY_ROUNDROBIN && r->tried == (1ull << i))
			p->rr_next = (i + 1) % p->cfg->nbackends; /* rotate once per client */
		r->backend = i;
		const struct sock_addr *a = &p->cfg->backends[i];
		int fd = sock_connect((const struct sockaddr *)&a->ss, a->len, true);

		if (fd < 0) {
			p->bs[i].failures++;
			continue;
		}
		sock_set_nodelay(fd, true);
		r->bfd = fd;
		r->connecting = true;
		r->deadline = clock_now_ns() + (int64_t)p->cfg->connect_timeout_us * NSEC_PER_USEC;
		r->next_connecting = p->connecting;
		p->connecting = r;
		if (loop_add(p->loop, fd, LOOP_WRITE, &r->bend) < 0) {
			relay_close(p, r, "cannot watch the backend socket");
			return;
		}
		return;
	}
}

/* A connect failed or timed out: forget that socket, try the next backend. */
static void backend_failed(struct proxy *p, struct relay *r)
{
	for (struct relay **q = &p->connecting; *q; q = &(*q)->next_connecting)
		if (*q == r) {
			*q = r->next_connecting;
			break;
		}
	r->connecting = false;
	p->bs[r->backend].failures++;
	loop_del(p->loop, r->bfd);
	close(r->bfd);
	r->bfd = -1;
	r->backend = -1;
	try_backend(p, r);
}

static void connected(struct proxy *p, struct relay *r)
{
	for (struct relay **q = &p->connecting; *q; q = &(*q)->next_connecting)
		if (*q == r) {
			*q = r->next_connecting;
			break;
		}
	r->connecting = false;
	p->bs[r->backend].connections++;
	p->bs[r->backend].active++;
	r->up.buf = xmalloc(BUF_LEN);
	r->down.buf = xmalloc(BUF_LEN);
	update_interest(p, r);
}

static void update_interest(struct proxy *p, struct relay *r)
{
	unsigned c = 0, b = 0;

	if (!r->up.eof && r->up.len == 0)
		c |= LOOP_READ;
	if (r->down.len > 0)
		c |= LOOP_WRITE;
	if (!r->down.eof && r->down.len == 0)
		b |= LOOP_READ;
	if (r->up.len > 0 && r->up.release <= clock_now_ns())
		b |= LOOP_WRITE; /* held bytes wait for the timer, not for POLLOUT */
	loop_mod(p->loop, r->cfd, c, &r->cend);
	loop_mod(p->loop, r->bfd, b, &r->bend);
}

/* Moves bytes from fd `from` into d, then from d to fd `to`: after `delay`
 * ns (dw_proxy's --delay), in send()s of at most `frag` bytes (--frag; 0 =
 * as many as fit). Returns -errno on a socket error, else 0. */
static int pump(struct dir *d, int from, int to, uint64_t *bytes, bool readable, int64_t delay,
		size_t frag)
{
	if (readable && d->len == 0 && !d->eof) {
		ssize_t n = recv(from, d->buf, BUF_LEN, MSG_DONTWAIT);

		if (n > 0) {
			d->len = (size_t)n;
			d->off = 0;
			d->release = delay > 0 ? clock_now_ns() + delay : 0;
			*bytes += (uint64_t)n;
		} else if (n == 0) {
			d->eof = true;
		} else if (errno != EAGAIN && errno != EINTR) {
			return -errno;
		}
	}
	if (d->len > 0 && d->release > clock_now_ns())
		return 0; /* held: the main loop's timeout comes back for it */
	while (d->len > 0) {
		size_t want = frag && d->len > frag ? frag : d->len;
		ssize_t n = send(to, d->buf + d->off, want, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			return -errno;
		}
		d->off += (size_t)n;
		d->len -= (size_t)n;
	}
	if (d->eof && !d->shut) {
		shutdown(to, SHUT_WR);
		d->shut = true;
	}
	return 0;
}

static void on_relay(struct proxy *p, struct end *end, unsigned ev)
{
	struct relay *r = end->r;
	struct backend_stats *bs;
	int rc;

	if (r->dead)
		return;
	if (r->connecting) { /* only the backend end is registered */
		int err = sock_connect_result(r->bfd);

		if (err < 0)
			backend_failed(p, r);
		else
			connected(p, r);
		return;
	}
	bs = &p->bs[r->backend];
	bool from_client = end->kind == END_CLIENT;
	bool readable = (ev & (LOOP_READ | LOOP_ERROR)) != 0;
	int64_t delay = (int64_t)p->cfg->delay_us * 1000;
	size_t frag = p->cfg->frag;
	/* The readable side feeds its direction; the writable side drains the
	 * other. Only the requests (client -> backend) are delayed: one delay
	 * per round trip, as dw_proxy adds. */
	rc = from_client ? pump(&r->up, r->cfd, r->bfd, &bs->bytes_up, readable, delay, frag)
			 : pump(&r->down, r->bfd, r->cfd, &bs->bytes_down, readable, 0, frag);
	if (rc == 0 && (ev & LOOP_WRITE))
		rc = from_client ? pump(&r->down, r->bfd, r->cfd, &bs->bytes_down, false, 0, frag)
				 : pump(&r->up, r->cfd, r->bfd, &bs->bytes_up, false, delay, frag);
	if (rc < 0) {
		char why[96];

		snprintf(why, sizeof why, "relay ended: %s", strerror(-rc));
		relay_close(p, r, why);
		return;
	}
	if (r->up.shut && r->down.shut) {
		relay_close(p, r, NULL);
		return;
	}
	update_interest(p, r);
}

static void on_accept(struct proxy *p, int lfd)
{
	for (int k = 0; k < 64; k++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof ss;
		int fd = accept4(lfd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct relay *r;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED)
				log_msg("accept failed: %s", strerror(errno));
			return;
		}
		sock_set_nodelay(fd, true);
		r = xcalloc(1, sizeof *r);
		r->cend = (struct end){ END_CLIENT, r };
		r->bend = (struct end){ END_BACKEND, r };
		r->cfd = fd;
		r->bfd = -1;
		r->backend = -1;
		sock_addr_str((struct sockaddr *)&ss, r->name, sizeof r->name);
		p->accepted++;
		if (loop_add(p->loop, fd, 0, &r->cend) < 0) {
			close(fd);
			free(r);
			continue;
		}
		p->open++;
		r->next = p->all;
		if (p->all)
			p->all->prev = r;
		p->all = r;
		try_backend(p, r);
	}
}

static void check_deadlines(struct proxy *p)
{
	int64_t now = clock_now_ns();
	struct relay *r = p->connecting;

	while (r != NULL) {
		struct relay *next = r->next_connecting;

		if (now >= r->deadline)
			backend_failed(p, r); /* may re-link r at the head: we hold next */
		r = next;
	}
}

/* --delay: sends what is due and returns the wait until the next release
 * (ns), or -1 when nothing is held. */
static int64_t release_held(struct proxy *p)
{
	int64_t now = clock_now_ns(), next = -1;

	for (struct relay *r = p->all; r != NULL; r = r->next) {
		if (r->dead || r->connecting || r->up.len == 0 || r->up.release == 0)
			continue;
		if (r->up.release <= now) {
			on_relay(p, &r->bend, LOOP_WRITE);
		} else if (next < 0 || r->up.release - now < next) {
			next = r->up.release - now;
		}
	}
	return next;
}

static void write_stats(const struct proxy *p)
{
	FILE *f;

	if (!p->cfg->quiet)
		log_msg("stopped: connections %llu, without a backend %llu",
			(unsigned long long)p->accepted, (unsigned long long)p->no_backend);
	if (p->cfg->stats_file == NULL)
		return;
	f = fopen(p->cfg->stats_file, "w");
	if (f == NULL) {
		log_msg("cannot write %s: %s", p->cfg->stats_file, strerror(errno));
		return;
	}
	fprintf(f, "{\n  \"accepted\": %llu,\n  \"no_backend\": %llu,\n  \"backends\": [",
		(unsigned long long)p->accepted, (unsigned long long)p->no_backend);
	for (int i = 0; i < p->cfg->nbackends; i++) {
		char a[SOCK_ADDR_STRLEN];
		const struct backend_stats *b = &p->bs[i];

		sock_addr_str((const struct sockaddr *)&p->cfg->backends[i].ss, a, sizeof a);
		fprintf(f,
			"%s\n    {\"address\": \"%s\", \"connections\": %llu, \"failures\": %llu, "
			"\"bytes_up\": %llu, \"bytes_down\": %llu}",
			i ? "," : "", a, (unsigned long long)b->connections,
			(unsigned long long)b->failures, (unsigned long long)b->bytes_up,
			(unsigned long long)b->bytes_down);
	}
	fprintf(f, "\n  ]\n}\n");
	if (fclose(f) != 0)
		log_msg("cannot write %s: %s", p->cfg->stats_file, strerror(errno));
}

int proxy_run(const struct proxy_config *c, struct err *e)
{
	struct proxy p = { .cfg = c };
	struct end lend = { END_LISTEN, NULL }, send_ = { END_SIGNAL, NULL };
	struct loop_event ev[MAX_EVENTS];
	struct sockaddr_storage local;
	char addr[SOCK_ADDR_STRLEN];
	int lfd = -1, sfd = -1, rc;
	sigset_t sigs;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0)
		return err_set(e, "signalfd: %s", strerror(errno)), -errno;
	rc = loop_create(&p.loop, LOOP_EPOLL, e);
	if (rc < 0)
		goto out;
	lfd = sock_listen(&c->bind, 1024, false, true);
	if (lfd < 0) {
		rc = err_set(e, "cannot listen on %s: %s",
			     sock_addr_str((const struct sockaddr *)&c->bind.ss, addr, sizeof addr),
			     errstr(lfd));
		goto out;
	}
	loop_add(p.loop, lfd, LOOP_READ, &lend);
	loop_add(p.loop, sfd, LOOP_READ, &send_);
	sock_local_addr(lfd, &local);
	if (!c->quiet)
		log_msg("relaying %s to %d backend%s (%s)",
			sock_addr_str((struct sockaddr *)&local, addr, sizeof addr), c->nbackends,
			c->nbackends == 1 ? "" : "s",
			c->policy == PROXY_ROUNDROBIN ? "roundrobin"
			: c->policy == PROXY_LEASTCONN ? "leastconn"
						       : "first");
	if (c->port_file) {
		int port = sock_addr_port((struct sockaddr *)&local);

		rc = file_write_ports(c->port_file, &port, 1, e);
		if (rc < 0)
			goto out;
	}
	while (!p.stop) {
		int64_t held = c->delay_us ? release_held(&p) : -1;
		int64_t timeout = p.connecting ? 10 * NSEC_PER_MSEC : -1;
		int n;

		if (held >= 0 && (timeout < 0 || held < timeout))
			timeout = held;
		n = loop_wait(p.loop, ev, MAX_EVENTS, timeout);

		if (n < 0) {
			rc = err_set(e, "event loop failed: %s", errstr(n));
			goto out;
		}
		for (int i = 0; i < n; i++) {
			struct end *end = ev[i].ptr;

			switch (end->kind) {
			case END_LISTEN:
				on_accept(&p, lfd);
				break;
			case END_SIGNAL:
				p.stop = true;
				break;
			default:
				on_relay(&p, end, ev[i].events);
				break;
			}
		}
		check_deadlines(&p);
		free_dead(&p);
	}
	rc = 0;
	write_stats(&p);
out:
	while (p.all != NULL)
		relay_close(&p, p.all, NULL);
	free_dead(&p);
	if (lfd >= 0)
		close(lfd);
	if (sfd >= 0)
		close(sfd);
	loop_destroy(p.loop);
	return rc;
}
