/* leftovers.c -- see leftovers.h.
 *
 * DESIGN: network objects are found by their names, which carry the run's
 * pid (run/netlab.h), so leftovers of runs that wrote no state file (an
 * older meshwalk, a directory that could not be written) are found too.
 * Processes cannot be told apart by name, so only those a state file lists
 * are ever signalled, and only while their start time is the recorded one.
 * Whether a run is dead is decided once per pid, before anything is
 * removed. */
#include "run/leftovers.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "run/netlab.h"
#include "util/clock.h"
#include "util/xalloc.h"

#define STOP_GRACE_NS (5 * NSEC_PER_SEC)

/* The start time of process pid (clock ticks since boot, proc(5) field 22),
 * or 0 when there is no such process or it is a zombie (it has exited). */
static uint64_t start_time(long pid)
{
	char path[64], buf[1024], *p;
	unsigned long long t;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* the command name may hold blanks and parentheses */
	if (p == NULL || p[1] != ' ' || p[2] == 'Z' || p[2] == 'X')
		return 0;
	p += 2;
	for (int field = 3; field < 22; field++) { /* p is at field 3, the state */
		p = strchr(p, ' ');
		if (p == NULL)
			return 0;
		p++;
	}
	return sscanf(p, "%llu", &t) == 1 ? (uint64_t)t : 0;
}

static bool dir_ok(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) == -1 && errno != EEXIST)
		return false;
	/* lstat: a symbolic link planted in /tmp must not redirect the file. */
	return lstat(dir, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == geteuid() &&
	       (st.st_mode & 022) == 0;
}

/* This user's state directory into buf; false when it cannot be used. */
static bool state_dir(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (geteuid() == 0)
		snprintf(buf, len, "/run/meshwalk");
	else if (xdg && *xdg == '/' && strlen(xdg) < len - 10)
		snprintf(buf, len, "%s/meshwalk", xdg);
	else
		snprintf(buf, len, "/tmp/meshwalk-%u", (unsigned)geteuid());
	return dir_ok(buf);
}

int leftovers_open(struct leftovers *l, const char *results_dir, struct err *e)
{
	char dir[256];
	int fd;

	l->path[0] = '\0';
	l->f = NULL;
	if (!state_dir(dir, sizeof dir))
		return err_set(e, "cannot use %s for the run's state file: %s", dir,
			       errno ? strerror(errno) : "not a directory of mode 700 of this user");
	snprintf(l->path, sizeof l->path, "%s/run-%ld.state", dir, (long)getpid());
	fd = open(l->path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || (l->f = fdopen(fd, "w")) == NULL) {
		int rc = -errno;

		if (fd >= 0)
			close(fd);
		err_set(e, "cannot write %s: %s", l->path, strerror(-rc));
		l->path[0] = '\0';
		return rc;
	}
	fprintf(l->f, "meshwalk run state 1\nrun %ld %" PRIu64 "\nresults %s\n", (long)getpid(),
		start_time(getpid()), results_dir);
	fflush(l->f);
	return 0;
}

void leftovers_add_proc(struct leftovers *l, pid_t pid)
{
	if (l->f == NULL)
		return;
	fprintf(l->f, "proc %ld %" PRIu64 "\n", (long)pid, start_time(pid));
	fflush(l->f);
}

void leftovers_close(struct leftovers *l)
{
	if (l->f)
		fclose(l->f);
	l->f = NULL;
	if (l->path[0])
		unlink(l->path);
	l->path[0] = '\0';
}

/* -- cleaning -- */

struct proc {
	long pid;
	uint64_t start;
};

/* One owner pid met in a state file or in a name. */
struct owner {
	long pid;
	bool dead;
	bool has_state;
	char state[600];     /* its state file, "" without one */
	char results[600];   /* results directory from the state file */
	struct proc *procs;
	size_t nprocs;
	unsigned objects;    /* network objects named after it */
};

struct scan {
	struct owner *o;
	size_t n;
	struct netobj {
		enum netlab_kind kind;
		char name[64];
		long pid;
	} *obj;
	size_t nobj;
};

static struct owner *owner_of(struct scan *s, long pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->o[i].pid == pid)
			return &s->o[i];
	s->o = xrealloc(s->o, (s->n + 1) * sizeof *s->o);
	memset(&s->o[s->n], 0, sizeof *s->o);
	s->o[s->n].pid = pid;
	/* Without a state file: dead when no process has the pid. */
	s->o[s->n].dead = pid == (long)getpid() || start_time(pid) == 0;
	return &s->o[s->n++];
}

/* Reads a state file into its owner. */
static void read_state(struct scan *s, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[600];
	struct owner *o = NULL;
	unsigned long long t;
	long pid;

	if (f == NULL)
		return;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (o == NULL && sscanf(line, "run %ld %llu", &pid, &t) == 2 && pid > 0) {
			o = owner_of(s, pid);
			o->has_state = true;
			snprintf(o->state, sizeof o->state, "%s", path);
			/* t is 0 when the run could not read its own. */
			o->dead = pid == (long)getpid() || (t ? start_time(pid) != t : start_time(pid) == 0);
		} else if (o && strncmp(line, "results ", 8) == 0) {
			snprintf(o->results, sizeof o->results, "%s", line + 8);
		} else if (o && sscanf(line, "proc %ld %llu", &pid, &t) == 2 && pid > 0 && t > 0) {
			o->procs = xrealloc(o->procs, (o->nprocs + 1) * sizeof *o->procs);
			o->procs[o->nprocs++] = (struct proc){ pid, (uint64_t)t };
		}
	}
	fclose(f);
}

static void found_object(enum netlab_kind kind, const char *name, long pid, void *arg)
{
	struct scan *s = arg;

	if (strlen(name) >= sizeof s->obj->name)
		return;
	s->obj = xrealloc(s->obj, (s->nobj + 1) * sizeof *s->obj);
	s->obj[s->nobj].kind = kind;
	s->obj[s->nobj].pid = pid;
	snprintf(s->obj[s->nobj].name, sizeof s->obj->name, "%s", name);
	s->nobj++;
}

/* Stops the processes of a dead run that still run; returns how many. */
static unsigned stop_procs(struct owner *o, unsigned *failed)
{
	unsigned stopped = 0;
	int64_t end = clock_now_ns() + STOP_GRACE_NS;
	bool left = false;

	for (int sig = SIGTERM;; sig = SIGKILL) {
		for (size_t i = 0; i < o->nprocs; i++) {
			struct proc *p = &o->procs[i];

			if (p->start == 0 || start_time(p->pid) != p->start)
				continue;
			/* Each child leads its own process group (run.c's spawn). */
			kill(getpgid((pid_t)p->pid) == (pid_t)p->pid ? -(pid_t)p->pid : (pid_t)p->pid,
			     sig);
			if (sig == SIGTERM)
				stopped++;
		}
		do {
			left = false;
			for (size_t i = 0; i < o->nprocs; i++)
				left |= o->procs[i].start && start_time(o->procs[i].pid) == o->procs[i].start;
			if (left)
				nanosleep(&(struct timespec){ 0, 20 * NSEC_PER_MSEC }, NULL);
		} while (left && clock_now_ns() < end);
		if (!left || sig == SIGKILL)
			break;
		end = clock_now_ns() + NSEC_PER_SEC;
	}
	if (left)
		(*failed)++;
	return stopped;
}

/* Whether the object is still there (another cleaner may have been first). */
static bool exists(const struct netobj *x)
{
	char path[128];

	snprintf(path, sizeof path, "%s/%s", x->kind == NETLAB_NETNS ? "/run/netns" : "/sys/class/net",
		 x->name);
	return access(path, F_OK) == 0;
}

/* Deletion order: veths (their pairs go with them), namespaces, bridges. */
static int rank(const struct netobj *x)
{
	return x->kind == NETLAB_NETNS ? 1 : strncmp(x->name, "mwbr", 4) == 0 ? 2 : 0;
}

void leftovers_clean(const char *log_path, FILE *report, struct leftovers_count *n)
{
	struct scan s = { 0 };
	char dir[256];
	DIR *d;

	memset(n, 0, sizeof *n);
	if (state_dir(dir, sizeof dir) && (d = opendir(dir)) != NULL) {
		struct dirent *de;

		while ((de = readdir(d)) != NULL) {
			char path[600];

			if (strncmp(de->d_name, "run-", 4) != 0 || strstr(de->d_name, ".state") == NULL)
				continue;
			snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
			read_state(&s, path);
		}
		closedir(d);
	}
	netlab_find_all(found_object, &s);
	for (size_t i = 0; i < s.nobj; i++)
		owner_of(&s, s.obj[i].pid)->objects++;

	for (size_t i = 0; i < s.n; i++) {
		struct owner *o = &s.o[i];

		if (!o->dead) {
			n->kept += o->objects;
			if (report && o->objects)
				fprintf(report, "run %ld is running: its %u network object%s kept\n", o->pid,
					o->objects, o->objects == 1 ? "" : "s");
			continue;
		}
		n->runs++;
		if (report) {
			fprintf(report, "run %ld is gone", o->pid);
			if (o->results[0])
				fprintf(report, " (results %s)", o->results);
			fprintf(report, ": %zu process%s recorded, %u network object%s\n", o->nprocs,
				o->nprocs == 1 ? "" : "es", o->objects, o->objects == 1 ? "" : "s");
			fflush(report);
		}
		n->procs += stop_procs(o, &n->failed);
	}
	for (int r = 0; r < 3; r++)
		for (size_t i = 0; i < s.nobj; i++) {
			struct netobj *x = &s.obj[i];
			struct err e;

			if (rank(x) != r || !owner_of(&s, x->pid)->dead || !exists(x))
				continue;
			if (geteuid() != 0) {
				n->need_root++;
				continue;
			}
			if (report)
				fflush(report);
			if (netlab_delete(x->kind, x->name, log_path, &e) == 0 || !exists(x))
				(*(x->kind == NETLAB_NETNS ? &n->netns : &n->links))++;
			else
				n->failed++;
		}
	for (size_t i = 0; i < s.n; i++) {
		if (s.o[i].dead && s.o[i].has_state)
			unlink(s.o[i].state);
		free(s.o[i].procs);
	}
	free(s.o);
	free(s.obj);
}
