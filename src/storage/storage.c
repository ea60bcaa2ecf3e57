/* storage.c -- see storage.h.
 *
 * DESIGN: a mutex-protected FIFO and a condition variable; the storage thread
 * waits on the condition with a deadline when PSYNC data is unsynced, so the
 * periodic fsync() needs no timer thread of its own. Transfers go through two
 * reusable buffers (stores write from one, loads read into the other, so
 * stored bytes stay random), block-aligned for O_DIRECT and grown on demand up
 * to max_op_size; the store buffer is filled with random bytes as it grows. */
#include "storage/storage.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/log.h"
#include "util/xalloc.h"

#define LOG_LINES_PER_SEC 5

struct xfer_buf {
	uint8_t *p;                /* aligned for O_DIRECT */
	uint64_t len;
};

struct storage {
	struct storage_config cfg;
	int fd;                    /* the file, O_DIRECT when asked */
	/* The same file without O_DIRECT (== fd otherwise). Written by the
	 * storage thread when it opens the file on first use, read by workers
	 * at every flush (storage_sendfile_fd()): atomic. */
	int buffered_fd;
	uint64_t max_size;         /* effective (block-rounded with O_DIRECT) */
	uint64_t block;            /* O_DIRECT alignment, 1 without it */
	uint64_t file_size;        /* regular file: its size, grown on demand */
	bool regular;              /* a regular file (not a block device) */
	char name[320];            /* for messages */
	uint64_t cursor;           /* where STORAGE_OFFSET_NEXT starts */
	struct xfer_buf wbuf;      /* what stores write: pseudo-random bytes */
	struct xfer_buf rbuf;      /* where loads land */
	uint64_t rng;              /* xorshift state for the buffer's bytes */
	bool dirty;                /* PSYNC stores since the last fsync */
	int64_t sync_due;          /* when the periodic fsync runs (dirty only) */
	int64_t log_second;        /* rate limit of error lines */
	int log_count;
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;      /* guards head, tail, stop */
	pthread_cond_t cond;
	struct storage_req *head, *tail;
	bool stop;
	struct storage_stats st;   /* storage thread only */
};

static uint64_t round_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) / a * a;
}

static void fill_random(struct storage *s, uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		s->rng ^= s->rng << 13;
		s->rng ^= s->rng >> 7;
		s->rng ^= s->rng << 17;
		p[i] = (uint8_t)(s->rng >> 24);
	}
}

/* Makes b at least n bytes; a store buffer gets random bytes. 0 or -ENOMEM. */
static int ensure_buf(struct storage *s, struct xfer_buf *b, uint64_t n, bool random)
{
	uint64_t align = s->block > 4096 ? s->block : 4096;
	uint64_t want = round_up(n ? n : 1, align);
	void *p;

	if (want <= b->len)
		return 0;
	if (posix_memalign(&p, align, want) != 0)
		return -ENOMEM;
	if (random) {
		if (b->len)
			memcpy(p, b->p, b->len);
		fill_random(s, (uint8_t *)p + b->len, want - b->len);
	}
	free(b->p);
	b->p = p;
	b->len = want;
	return 0;
}

static int open_anonymous(int flags, char *name, size_t name_len)
{
	const char *dir = getenv("TMPDIR");
	int fd;

	if (dir == NULL || *dir == '\0')
		dir = "/var/tmp";
	snprintf(name, name_len, "anonymous file in %s", dir);
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC | flags, 0600);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR))
		return fd;
	/* A file system without O_TMPFILE: create and unlink at once. */
	char tmpl[300];

	snprintf(tmpl, sizeof tmpl, "%s/meshwalk-storage-XXXXXX", dir);
	fd = mkostemp(tmpl, O_CLOEXEC | flags);
	if (fd >= 0)
		unlink(tmpl);
	return fd;
}

/* Sizes the file (or reads the device's size) and sets max_size and block.
 * For an anonymous file opened by the first request they keep the values
 * storage_open() set (no O_DIRECT, not a device), and are not written again:
 * workers read max_size. */
static int size_file(struct storage *s, struct err *e)
{
	struct stat st;
	uint64_t block = 1, max = s->cfg.max_size;

	if (fstat(s->fd, &st) < 0)
		return err_set(e, "storage %s: fstat: %s", s->name, strerror(errno)), -errno;
	if (s->cfg.odirect)
		block = st.st_blksize >= 512 ? (uint64_t)st.st_blksize : 4096;
	if (S_ISBLK(st.st_mode)) {
		uint64_t dev = 0;
		int sector = 512;

		if (ioctl(s->fd, BLKGETSIZE64, &dev) < 0)
			return err_set(e, "storage %s: cannot read the device size: %s", s->name,
				       strerror(errno)),
			       -errno;
		if (s->cfg.odirect && ioctl(s->fd, BLKSSZGET, &sector) == 0 && sector > 0)
			block = (uint64_t)sector;
		if (dev < max)
			max = dev;
	} else if (!S_ISREG(st.st_mode)) {
		return err_set(e, "storage %s: not a regular file or a block device", s->name),
		       -EINVAL;
	}
	max = max / block * block;
	if (max == 0)
		return err_set(e, "storage %s: --max-storage-size is smaller than one block (%llu bytes)",
			       s->name, (unsigned long long)block),
		       -EINVAL;
	if (s->block != block)
		s->block = block;
	if (s->max_size != max)
		s->max_size = max;
	/* Not extended to max_size up front: a read of a range nobody wrote
	 * extends the file (sparsely) first (run_req). */
	s->regular = S_ISREG(st.st_mode);
	s->file_size = s->regular ? (uint64_t)st.st_size : s->max_size;
	return 0;
}

/* Opens the file and its buffered twin, sized (storage_open() or, for an
 * anonymous file, the first request). */
static int open_file(struct storage *s, struct err *e)
{
	const struct storage_config *c = &s->cfg;
	int flags = c->odirect ? O_DIRECT : 0;
	int rc;

	if (c->path == NULL) {
		s->fd = open_anonymous(flags, s->name, sizeof s->name);
	} else {
		snprintf(s->name, sizeof s->name, "%s", c->path);
		s->fd = open(c->path, O_RDWR | O_CREAT | O_CLOEXEC | flags, 0600);
	}
	if (s->fd < 0) {
		rc = -errno;
		if (c->odirect && rc == -EINVAL)
			return err_set(e, "storage %s: the file system does not support O_DIRECT "
					  "(--odirect)", s->name);
		return err_set(e, "cannot open storage %s: %s", s->name, errstr(rc)), rc;
	}
	rc = size_file(s, e);
	if (rc < 0)
		return rc;
	int bfd = s->fd;

	if (c->odirect) {
		char proc[64];

		/* Works for anonymous files too, which have no path to reopen. */
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", s->fd);
		bfd = open(proc, O_RDONLY | O_CLOEXEC);
		if (bfd < 0) {
			rc = -errno;
			return err_set(e, "storage %s: cannot reopen it without O_DIRECT: %s", s->name,
				       errstr(rc)),
			       rc;
		}
	}
	__atomic_store_n(&s->buffered_fd, bfd, __ATOMIC_RELEASE);
	return 0;
}

int storage_open(const struct storage_config *c, struct storage **out, struct err *e)
{
	struct storage *s = xcalloc(1, sizeof *s);
	int rc;

	s->cfg = *c;
	s->fd = s->buffered_fd = -1;
	s->rng = 0x9e3779b97f4a7c15ull;
	s->block = 1;
	s->max_size = c->max_size;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	/* A file named by -s is opened now (a bad path stops the node); without
	 * one, no file exists until a request needs it, except with O_DIRECT,
	 * whose support is checked at start-up. */
	if (c->path != NULL || c->odirect) {
		rc = open_file(s, e);
		if (rc < 0)
			goto fail;
	} else {
		const char *dir = getenv("TMPDIR");

		snprintf(s->name, sizeof s->name, "anonymous file in %s, created on first use",
			 dir && *dir ? dir : "/var/tmp");
	}
	if (ensure_buf(s, &s->wbuf, 64 * 1024, true) < 0) {
		rc = err_set(e, "storage: out of memory");
		goto fail;
	}
	if (!c->quiet)
		log_msg("storage: %s, %llu bytes%s, periodic sync every %u ms", s->name,
			(unsigned long long)s->max_size, c->odirect ? ", O_DIRECT" : "",
			c->sync_period_ms);
	*out = s;
	return 0;
fail:
	storage_close(s);
	return rc;
}

/* -- the storage thread -- */

static void log_failure(struct storage *s, const char *msg)
{
	int64_t sec = clock_now_ns() / NSEC_PER_SEC;

	if (sec != s->log_second) {
		if (s->log_count > LOG_LINES_PER_SEC)
			log_msg("storage: %d more errors in the last second not shown",
				s->log_count - LOG_LINES_PER_SEC);
		s->log_second = sec;
		s->log_count = 0;
	}
	if (s->log_count++ < LOG_LINES_PER_SEC)
		log_msg("%s", msg);
}

static const char *op_name(uint8_t op)
{
	return op == STORAGE_STORE ? "STORE" : op == STORAGE_LOAD ? "LOAD" : "sendfile reply read";
}

static int fail(struct storage_req *r, int rc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct storage_req *r, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->err, sizeof r->err, fmt, ap);
	va_end(ap);
	r->status = rc;
	return rc;
}

/* Transfers [off, off + len) with pread/pwrite until done; a read that ends
 * early (the file shrank under us, or a device is shorter) is an error. */
static int transfer(struct storage *s, struct storage_req *r, int fd, uint64_t off, uint64_t len)
{
	uint8_t *buf = r->op == STORAGE_STORE ? s->wbuf.p : s->rbuf.p;
	uint64_t done = 0;

	while (done < len) {
		ssize_t n = r->op == STORAGE_STORE
				    ? pwrite(fd, buf + done, len - done, (off_t)(off + done))
				    : pread(fd, buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail(r, -errno, "%s of %llu bytes at offset %llu failed: %s", op_name(r->op),
				    (unsigned long long)r->size, (unsigned long long)off,
				    strerror(errno));
		if (n == 0)
			return fail(r, -ENODATA,
				    "%s of %llu bytes at offset %llu: short read, the storage file ends at "
				    "byte %llu",
				    op_name(r->op), (unsigned long long)r->size, (unsigned long long)off,
				    (unsigned long long)(off + done));
		done += (uint64_t)n;
	}
	return 0;
}

static int do_sync(struct storage *s, struct storage_req *r)
{
	if (fsync(s->fd) == 0)
		return 0;
	if (r == NULL) {
		char msg[160];

		snprintf(msg, sizeof msg, "storage: periodic fsync failed: %s", strerror(errno));
		log_failure(s, msg);
		return -errno;
	}
	return fail(r, -errno, "fsync after STORE failed: %s", strerror(errno));
}

static void run_req(struct storage *s, struct storage_req *r)
{
	uint64_t off = r->offset == STORAGE_OFFSET_NEXT ? s->cursor : r->offset;
	uint64_t start, end;
	int fd;

	r->status = 0;
	r->err[0] = '\0';
	if (s->fd < 0) { /* the anonymous file, created by the first request */
		struct err e;
		const char *dir = getenv("TMPDIR");

		snprintf(s->name, sizeof s->name, "anonymous file in %s",
			 dir && *dir ? dir : "/var/tmp");
		if (open_file(s, &e) < 0) {
			if (s->fd >= 0)
				close(s->fd);
			s->fd = -1;
			__atomic_store_n(&s->buffered_fd, -1, __ATOMIC_RELEASE);
			fail(r, -EIO, "%s", e.msg);
			return;
		}
	}
	if (r->size > s->max_size || r->size > s->cfg.max_op_size) {
		fail(r, -EFBIG, "%s of %llu bytes: larger than %s (%llu bytes)", op_name(r->op),
		     (unsigned long long)r->size,
		     r->size > s->max_size ? "the storage (--max-storage-size)" : "--max-io-size",
		     (unsigned long long)(r->size > s->max_size ? s->max_size : s->cfg.max_op_size));
		return;
	}
	off %= s->max_size;
	if (off + r->size > s->max_size)
		off = 0; /* wrap around, as a file pointer reaching the end would */
	r->used_offset = off;
	start = off / s->block * s->block;
	end = round_up(off + r->size, s->block);
	if (ensure_buf(s, r->op == STORAGE_STORE ? &s->wbuf : &s->rbuf, end - start,
		       r->op == STORAGE_STORE) < 0) {
		fail(r, -ENOMEM, "%s of %llu bytes: out of memory", op_name(r->op),
		     (unsigned long long)r->size);
		return;
	}
	fd = r->op == STORAGE_PREFETCH ? s->buffered_fd : s->fd;
	if (r->op == STORAGE_PREFETCH) {
		start = off;
		end = off + r->size;
	}
	/* A read of a range past the end of a regular file: extend it first
	 * (sparsely), so it reads zeros, as if the file had its full size. */
	if (r->op != STORAGE_STORE && s->regular && end > s->file_size) {
		if (ftruncate(s->fd, (off_t)end) < 0) {
			fail(r, -errno, "%s: cannot extend the storage file to %llu bytes: %s",
			     op_name(r->op), (unsigned long long)end, strerror(errno));
			return;
		}
		s->file_size = end;
	}
	if (transfer(s, r, fd, start, end - start) < 0)
		return;
	if (end > s->file_size)
		s->file_size = end;
	s->cursor = off + r->size;
	switch (r->op) {
	case STORAGE_LOAD:
		s->st.loads++;
		s->st.bytes_loaded += r->size;
		break;
	case STORAGE_PREFETCH:
		s->st.prefetches++;
		s->st.bytes_loaded += r->size;
		break;
	case STORAGE_STORE:
		s->st.stores++;
		s->st.bytes_stored += r->size;
		if (r->sync == STORAGE_SYNC) {
			if (do_sync(s, r) < 0)
				return;
			s->st.syncs++;
		} else if (r->sync == STORAGE_PSYNC && !s->dirty) {
			s->dirty = true;
			s->sync_due = clock_now_ns() + (int64_t)s->cfg.sync_period_ms * 1000000;
		}
		break;
	}
}

static void periodic_sync(struct storage *s)
{
	s->dirty = false;
	if (do_sync(s, NULL) == 0)
		s->st.periodic_syncs++;
}

static void *storage_thread(void *arg)
{
	struct storage *s = arg;

	pthread_setname_np(pthread_self(), "dwn_stor_0"); /* DistWalk's name */
	pthread_mutex_lock(&s->lock);
	while (!s->stop) {
		struct storage_req *r = s->head;

		if (s->dirty && clock_now_ns() >= s->sync_due) {
			pthread_mutex_unlock(&s->lock);
			int64_t t0 = clock_now_ns();
			periodic_sync(s);
			s->st.busy_ns += (uint64_t)(clock_now_ns() - t0);
			pthread_mutex_lock(&s->lock);
			continue;
		}
		if (r == NULL) {
			if (s->dirty) {
				struct timespec ts;
				int64_t wait = s->sync_due - clock_now_ns();

				/* The condition variable uses CLOCK_REALTIME. */
				clock_gettime(CLOCK_REALTIME, &ts);
				wait += ts.tv_nsec;
				ts.tv_sec += wait / NSEC_PER_SEC;
				ts.tv_nsec = wait % NSEC_PER_SEC;
				pthread_cond_timedwait(&s->cond, &s->lock, &ts);
			} else {
				pthread_cond_wait(&s->cond, &s->lock);
			}
			continue;
		}
		s->head = r->next;
		if (s->head == NULL)
			s->tail = NULL;
		pthread_mutex_unlock(&s->lock);
		int64_t t0 = clock_now_ns();
		run_req(s, r);
		s->st.busy_ns += (uint64_t)(clock_now_ns() - t0);
		if (r->status < 0) {
			s->st.errors++;
			char msg[sizeof r->err + 32];

			snprintf(msg, sizeof msg, "storage: %s", r->err);
			log_failure(s, msg);
		}
		r->done(r);
		pthread_mutex_lock(&s->lock);
	}
	pthread_mutex_unlock(&s->lock);
	if (s->dirty)
		periodic_sync(s); /* what PSYNC promised, before the node exits */
	return NULL;
}

int storage_start(struct storage *s, struct err *e)
{
	int rc = -pthread_create(&s->thread, NULL, storage_thread, s);

	if (rc < 0)
		return err_set(e, "cannot start the storage thread: %s", errstr(rc)), rc;
	s->started = true;
	return 0;
}

void storage_submit(struct storage *s, struct storage_req *r)
{
	r->next = NULL;
	pthread_mutex_lock(&s->lock);
	if (s->tail)
		s->tail->next = r;
	else
		s->head = r;
	s->tail = r;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
}

void storage_stop(struct storage *s)
{
	if (s == NULL || !s->started)
		return;
	pthread_mutex_lock(&s->lock);
	s->stop = true;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->thread, NULL);
	s->started = false;
}

void storage_close(struct storage *s)
{
	if (s == NULL)
		return;
	storage_stop(s);
	if (s->buffered_fd >= 0 && s->buffered_fd != s->fd)
		close(s->buffered_fd);
	if (s->fd >= 0)
		close(s->fd);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->cond);
	free(s->wbuf.p);
	free(s->rbuf.p);
	free(s);
}

int storage_sendfile_fd(const struct storage *s)
{
	return __atomic_load_n(&s->buffered_fd, __ATOMIC_ACQUIRE);
}

uint64_t storage_max_size(const struct storage *s)
{
	return s->max_size;
}

const char *storage_name(const struct storage *s)
{
	return s->name;
}

void storage_get_stats(const struct storage *s, struct storage_stats *out)
{
	*out = s->st;
}
