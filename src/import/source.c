/* source.c -- see source.h. */
#include "import/source.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static ssize_t gz_read(struct src *s, void *buf, size_t n, struct err *e)
{
	int errnum;
	int r;

	if (n > (1u << 30))
		n = 1u << 30;
	r = gzread((gzFile)s->gz, buf, (unsigned)n);
	if (r >= 0)
		return r;
	const char *msg = gzerror((gzFile)s->gz, &errnum);
	if (errnum == Z_ERRNO) {
		int rc = errno ? -errno : -EIO;
		err_set(e, "%s: %s", s->path, strerror(-rc));
		return rc;
	}
	err_set(e, "%s: gzip data corrupt: %s", s->path, msg ? msg : "?");
	return -EINVAL;
}

int src_open(struct src *s, const char *path, struct err *e)
{
	int fd = strcmp(path, "-") == 0 ? dup(0) : open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		int rc = -errno;

		memset(s, 0, sizeof *s);
		err_set(e, "%s: %s", path, strerror(errno));
		return rc;
	}
	return src_open_fd(s, fd, path, e);
}

int src_open_fd(struct src *s, int fd, const char *path, struct err *e)
{
	ssize_t r;

	memset(s, 0, sizeof *s);
	s->path = path;
	s->gz = gzdopen(fd, "rb");
	if (s->gz == NULL) {
		close(fd);
		err_set(e, "%s: cannot read (out of memory)", path);
		return -ENOMEM;
	}
	gzbuffer((gzFile)s->gz, 128 * 1024);
	while (s->head_len < SRC_HEAD) {
		r = gz_read(s, s->head + s->head_len, SRC_HEAD - s->head_len, e);
		if (r < 0) {
			src_close(s);
			return (int)r;
		}
		if (r == 0)
			break;
		s->head_len += (size_t)r;
	}
	return 0;
}

void src_close(struct src *s)
{
	if (s->gz)
		gzclose((gzFile)s->gz);
	s->gz = NULL;
}

const unsigned char *src_head(const struct src *s, size_t *len)
{
	*len = s->head_len;
	return s->head;
}

ssize_t src_read(struct src *s, void *buf, size_t n, struct err *e)
{
	ssize_t r;

	if (s->head_off < s->head_len) {
		size_t k = s->head_len - s->head_off;

		if (k > n)
			k = n;
		memcpy(buf, s->head + s->head_off, k);
		s->head_off += k;
		s->consumed += k;
		return (ssize_t)k;
	}
	r = gz_read(s, buf, n, e);
	if (r > 0)
		s->consumed += (uint64_t)r;
	return r;
}
