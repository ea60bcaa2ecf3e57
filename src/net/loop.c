/* loop.c -- see loop.h: back end selection and dispatch. */
#include "net/loop.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "net/loop_backend.h"

static const char *const names[] = {
	[LOOP_EPOLL] = "epoll",
	[LOOP_POLL] = "poll",
	[LOOP_SELECT] = "select",
	[LOOP_URING] = "io_uring",
	[LOOP_URING_POLL] = "io_uring-poll",
};

const char *loop_backend_name(enum loop_backend b)
{
	return (unsigned)b < sizeof names / sizeof names[0] ? names[b] : "?";
}

int loop_backend_parse(const char *s, enum loop_backend *out)
{
	for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum loop_backend)i;
			return 0;
		}
	return -EINVAL;
}

int loop_create(struct loop **out, enum loop_backend b, struct err *e)
{
	switch (b) {
	case LOOP_EPOLL:
		return loop_epoll_create(out, e);
	case LOOP_POLL:
		return loop_poll_create(out, e);
	case LOOP_SELECT:
		return loop_select_create(out, e);
	case LOOP_URING:
		return loop_uring_create(out, true, e);
	case LOOP_URING_POLL:
		return loop_uring_create(out, false, e);
	}
	err_set(e, "unknown event loop back end %d", (int)b);
	return -EINVAL;
}

void loop_destroy(struct loop *l)
{
	if (l != NULL)
		l->ops->destroy(l);
}

int loop_max_fd(const struct loop *l)
{
	return l->max_fd;
}

int loop_add(struct loop *l, int fd, unsigned events, void *ptr)
{
	if (fd < 0)
		return -EBADF;
	if (fd > l->max_fd)
		return -ERANGE;
	if ((events & LOOP_RECV) && !l->io)
		return -EOPNOTSUPP;
	return l->ops->add(l, fd, events, ptr);
}

int loop_mod(struct loop *l, int fd, unsigned events, void *ptr)
{
	if (fd < 0 || fd > l->max_fd)
		return -EBADF; /* never added */
	if ((events & LOOP_RECV) && !l->io)
		return -EOPNOTSUPP;
	return l->ops->mod(l, fd, events, ptr);
}

int loop_del(struct loop *l, int fd)
{
	if (fd < 0 || fd > l->max_fd)
		return -EBADF;
	return l->ops->del(l, fd);
}

bool loop_has_io(const struct loop *l)
{
	return l->io;
}

int loop_send(struct loop *l, int fd, const void *p, size_t len, void *block)
{
	if (!l->io)
		return -EOPNOTSUPP;
	if (fd < 0 || fd > l->max_fd)
		return -ENOENT;
	return l->ops->send(l, fd, p, len, block);
}

int loop_wait(struct loop *l, struct loop_event *ev, int max, int64_t timeout_ns)
{
	return l->ops->wait(l, ev, max, timeout_ns);
}
