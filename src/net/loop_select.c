/* loop_select.c -- the select back end of net/loop (see loop.h).
 *
 * Two fd_sets hold what is watched; pselect gets copies. An fd_set is a
 * fixed bitmap of FD_SETSIZE bits and FD_SET() does not check its argument,
 * so loop.c refuses fds above max_fd (-ERANGE) before they reach here: a
 * busy node under select fails to watch its 1024th descriptor loudly instead
 * of writing past the bitmap. select has no error set: a socket error or
 * hang-up shows up as readable (and writable), which the handlers treat the
 * same way. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#include "net/loop_backend.h"
#include "util/xalloc.h"

struct loop_select {
	struct loop base;
	fd_set rd, wr;              /* what is watched */
	fd_set in;                  /* registered at all (a del'd fd is in none) */
	void *ptr[FD_SETSIZE];
	int maxfd;                  /* highest registered fd, or -1 */
	int next;                   /* where the next scan starts */
};

static void set(struct loop_select *p, int fd, unsigned events, void *ptr)
{
	FD_CLR(fd, &p->rd);
	FD_CLR(fd, &p->wr);
	if (events & LOOP_READ)
		FD_SET(fd, &p->rd);
	if (events & LOOP_WRITE)
		FD_SET(fd, &p->wr);
	p->ptr[fd] = ptr;
}

static int sl_add(struct loop *l, int fd, unsigned events, void *ptr)
{
	struct loop_select *p = (struct loop_select *)l;

	if (FD_ISSET(fd, &p->in))
		return -EEXIST;
	FD_SET(fd, &p->in);
	set(p, fd, events, ptr);
	if (fd > p->maxfd)
		p->maxfd = fd;
	return 0;
}

static int sl_mod(struct loop *l, int fd, unsigned events, void *ptr)
{
	struct loop_select *p = (struct loop_select *)l;

	if (!FD_ISSET(fd, &p->in))
		return -ENOENT;
	set(p, fd, events, ptr);
	return 0;
}

static int sl_del(struct loop *l, int fd)
{
	struct loop_select *p = (struct loop_select *)l;

	if (!FD_ISSET(fd, &p->in))
		return -ENOENT;
	set(p, fd, 0, NULL);
	FD_CLR(fd, &p->in);
	while (p->maxfd >= 0 && !FD_ISSET(p->maxfd, &p->in))
		p->maxfd--;
	return 0;
}

static int sl_wait(struct loop *l, struct loop_event *ev, int max, int64_t timeout_ns)
{
	struct loop_select *p = (struct loop_select *)l;
	fd_set rd = p->rd, wr = p->wr;
	struct timespec ts;
	int ready, k = 0, n = p->maxfd + 1;

	ready = pselect(n, &rd, &wr, NULL, loop_timespec(timeout_ns, &ts), NULL);
	if (ready == -1)
		return errno == EINTR ? 0 : -errno;
	if (p->next >= n)
		p->next = 0;
	for (int j = 0; j < n && ready > 0; j++) {
		int fd = (p->next + j) % n;
		unsigned e = (FD_ISSET(fd, &rd) ? LOOP_READ : 0) | (FD_ISSET(fd, &wr) ? LOOP_WRITE : 0);

		if (e == 0)
			continue;
		if (k == max) {
			p->next = fd;
			return k;
		}
		/* pselect counts an fd once per set it is in. */
		ready -= (e & LOOP_READ ? 1 : 0) + (e & LOOP_WRITE ? 1 : 0);
		ev[k].ptr = p->ptr[fd];
		ev[k].events = e;
		k++;
	}
	return k;
}

static void sl_destroy(struct loop *l)
{
	free(l);
}

static const struct loop_ops select_ops = {
	.add = sl_add, .mod = sl_mod, .del = sl_del, .wait = sl_wait, .destroy = sl_destroy,
};

int loop_select_create(struct loop **out, struct err *e)
{
	struct loop_select *p = xcalloc(1, sizeof *p);

	(void)e;
	FD_ZERO(&p->rd);
	FD_ZERO(&p->wr);
	FD_ZERO(&p->in);
	p->maxfd = -1;
	p->base.ops = &select_ops;
	p->base.max_fd = FD_SETSIZE - 1;
	*out = &p->base;
	return 0;
}
