/* netlab.c -- see netlab.h. The network is built with iproute2's commands
 * rather than netlink messages of our own: they are what a user would type
 * to reproduce or inspect the set-up, and the log shows exactly that. */
#include "run/netlab.h"

#include <errno.h>
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/xalloc.h"

#define MAX_WORDS 24

/* Runs one command (words separated by single blanks, none quoted), its
 * output appended to the log (log_path NULL: the caller's stdout and
 * stderr). 0, or -EINVAL with e naming the command. */
static int cmd_log(const char *log_path, struct err *e, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int cmd_log(const char *log_path, struct err *e, const char *fmt, ...)
{
	char line[512], copy[512], *argv[MAX_WORDS + 1];
	int argc = 0, status;
	va_list ap;
	pid_t pid;

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	memcpy(copy, line, sizeof copy);
	for (char *w = strtok(copy, " "); w && argc < MAX_WORDS; w = strtok(NULL, " "))
		argv[argc++] = w;
	argv[argc] = NULL;
	FILE *log = log_path ? fopen(log_path, "a") : stdout;
	if (log) {
		fprintf(log, "$ %s\n", line);
		log == stdout ? fflush(log) : fclose(log);
	}
	pid = fork();
	if (pid < 0)
		return err_set(e, "cannot run '%s': %s", line, strerror(errno));
	if (pid == 0) {
		int fd = log_path ? open(log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644) : -1;

		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execvp(argv[0], argv);
		dprintf(2, "cannot execute %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return err_set(e, "'%s': %s", line, strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(e, "'%s' failed (see %s)", line, log_path ? log_path : "above");
	return 0;
}

/* cmd_log() into the lab's log. */
#define cmd(lab, e, ...) cmd_log((lab)->log_path, e, __VA_ARGS__)

static bool on_path(const char *name)
{
	const char *path = getenv("PATH");
	char buf[512];

	if (path == NULL)
		path = "/usr/sbin:/usr/bin:/sbin:/bin";
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(buf, sizeof buf, "%.*s/%s", (int)n, p, name);
		if (access(buf, X_OK) == 0)
			return true;
		p += n + (p[n] == ':');
	}
	return false;
}

bool netlab_possible(void)
{
	return geteuid() == 0 && on_path("ip") && on_path("tc");
}

/* Whether a route of this namespace lies inside 10.x.0.0/16 (/proc/net/route
 * lists destinations and masks as little-endian hex). */
static bool routed(int x)
{
	FILE *f = fopen("/proc/net/route", "r");
	char line[256];
	bool hit = false;

	if (f == NULL)
		return false;
	while (!hit && fgets(line, sizeof line, f)) {
		char ifname[32];
		unsigned dst, gw, flags, refcnt, use, metric, mask;

		if (sscanf(line, "%31s %x %x %x %u %u %u %x", ifname, &dst, &gw, &flags, &refcnt, &use,
			   &metric, &mask) != 8 || mask == 0)
			continue; /* the header, or the default route */
		/* A wider route (10/8) is harmless: our /16 is more specific. */
		unsigned ours = 10u | ((unsigned)x << 8);

		hit = (mask & 0xffffu) == 0xffffu && (dst & 0xffffu) == ours;
	}
	fclose(f);
	return hit;
}

int netlab_open(struct netlab *lab, const char *log_path, struct err *e)
{
	int x;

	memset(lab, 0, sizeof *lab);
	snprintf(lab->log_path, sizeof lab->log_path, "%s", log_path);
	for (x = 200; x <= 254 && routed(x); x++)
		;
	if (x > 254)
		return err_set(e, "no free address space for the emulated network: 10.200.0.0/16 to "
			       "10.254.0.0/16 are all routed on this machine");
	snprintf(lab->bridge, sizeof lab->bridge, "mwbr%d", (int)(getpid() % 10000000));
	if (cmd(lab, e, "ip link add %s type bridge", lab->bridge) < 0)
		return -EINVAL;
	lab->bridge_made = true;
	lab->subnet = x;
	if (cmd(lab, e, "ip addr add 10.%d.0.1/16 dev %s", x, lab->bridge) < 0 ||
	    cmd(lab, e, "ip link set %s up", lab->bridge) < 0) {
		netlab_close(lab);
		return -EINVAL;
	}
	return 0;
}

void netlab_addr(const struct netlab *lab, int a, int b, char *buf, size_t len)
{
	snprintf(buf, len, "10.%d.%d.%d", lab->subnet, a, b);
}

/* tbf on dev in namespace ns. The bucket holds at least one 64 KiB GSO
 * segment, else veth's large segments would never pass. */
static int shape(struct netlab *lab, const char *ns, const char *dev, uint64_t bps, struct err *e)
{
	uint64_t burst = bps / 8 / 250;

	if (burst < 70000)
		burst = 70000;
	return cmd(lab, e, "ip netns exec %s tc qdisc add dev %s root tbf rate %llubit burst %llu "
		   "latency 100ms", ns, dev, (unsigned long long)bps, (unsigned long long)burst);
}

int netlab_add_host(struct netlab *lab, const char *addr, uint64_t rate_bps, struct err *e)
{
	int pid = (int)(getpid() % 10000000);
	size_t i = lab->nhosts;
	struct netlab_host *h;
	char path[64];

	if (i >= 999)
		return err_set(e, "at most 999 emulated hosts");
	lab->hosts = xrealloc(lab->hosts, (i + 1) * sizeof *lab->hosts);
	h = &lab->hosts[i];
	memset(h, 0, sizeof *h);
	h->ns_fd = -1;
	snprintf(h->ns, sizeof h->ns, "mw%d-%zu", pid, i);
	snprintf(h->outer, sizeof h->outer, "mw%dv%zu", pid, i);
	snprintf(h->inner, sizeof h->inner, "mw%dp%zu", pid, i);
	snprintf(h->addr, sizeof h->addr, "%s", addr);
	if (cmd(lab, e, "ip netns add %s", h->ns) < 0)
		return -EINVAL;
	lab->nhosts++; /* from here on, netlab_close() deletes it */
	if (cmd(lab, e, "ip link add %s type veth peer name %s netns %s", h->outer, h->inner, h->ns) < 0 ||
	    cmd(lab, e, "ip link set %s master %s up", h->outer, lab->bridge) < 0 ||
	    cmd(lab, e, "ip -n %s addr add %s/16 dev %s", h->ns, addr, h->inner) < 0 ||
	    cmd(lab, e, "ip -n %s link set %s up", h->ns, h->inner) < 0 ||
	    cmd(lab, e, "ip -n %s link set lo up", h->ns) < 0)
		return -EINVAL;
	if (rate_bps && shape(lab, h->ns, h->inner, rate_bps, e) < 0)
		return -EINVAL;
	snprintf(path, sizeof path, "/run/netns/%s", h->ns);
	h->ns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (h->ns_fd < 0)
		return err_set(e, "cannot open %s: %s", path, strerror(errno));
	return (int)i;
}

int netlab_enter(const struct netlab *lab, size_t i)
{
	if (i >= lab->nhosts || lab->hosts[i].ns_fd < 0)
		return -EINVAL;
	return setns(lab->hosts[i].ns_fd, CLONE_NEWNET) < 0 ? -errno : 0;
}

void netlab_close(struct netlab *lab)
{
	struct err e;

	for (size_t i = 0; i < lab->nhosts; i++) {
		if (lab->hosts[i].ns_fd >= 0)
			close(lab->hosts[i].ns_fd);
		cmd(lab, &e, "ip netns del %s", lab->hosts[i].ns);
	}
	free(lab->hosts);
	lab->hosts = NULL;
	lab->nhosts = 0;
	if (lab->bridge_made)
		cmd(lab, &e, "ip link del %s", lab->bridge);
	lab->bridge_made = false;
}

/* The digits at *p as a number (at most 9 of them, no sign), advancing *p;
 * -1 when there are none. */
static long digits(const char **p)
{
	long v = 0;
	int n = 0;

	while (isdigit((unsigned char)**p) && n < 9) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n == 0 || isdigit((unsigned char)**p) ? -1 : v;
}

/* The run pid in a name a lab gives: namespaces mw<PID>-<N>, links mwbr<PID>,
 * mw<PID>v<N> and mw<PID>p<N>; -1 for any other name. */
static long owner(enum netlab_kind kind, const char *name)
{
	const char *p = name;
	long pid;

	if (strncmp(p, "mw", 2) != 0)
		return -1;
	p += 2;
	if (kind == NETLAB_LINK && strncmp(p, "br", 2) == 0) {
		p += 2;
		pid = digits(&p);
		return *p == '\0' ? pid : -1;
	}
	pid = digits(&p);
	if (pid < 0 || (kind == NETLAB_NETNS ? *p != '-' : *p != 'v' && *p != 'p'))
		return -1;
	p++;
	return digits(&p) >= 0 && *p == '\0' ? pid : -1;
}

void netlab_find_all(void (*fn)(enum netlab_kind kind, const char *name, long pid, void *arg),
		     void *arg)
{
	static const char *const dirs[] = { "/run/netns", "/sys/class/net" };

	for (int k = 0; k < 2; k++) {
		enum netlab_kind kind = k == 0 ? NETLAB_NETNS : NETLAB_LINK;
		DIR *d = opendir(dirs[k]);
		struct dirent *de;

		if (d == NULL)
			continue;
		while ((de = readdir(d)) != NULL) {
			long pid = owner(kind, de->d_name);

			if (pid > 0)
				fn(kind, de->d_name, pid, arg);
		}
		closedir(d);
	}
}

int netlab_delete(enum netlab_kind kind, const char *name, const char *log_path, struct err *e)
{
	if (owner(kind, name) <= 0) /* never anything but a lab's own names */
		return err_set(e, "'%s' is not a name meshwalk run gives", name);
	return kind == NETLAB_NETNS ? cmd_log(log_path, e, "ip netns del %s", name)
				    : cmd_log(log_path, e, "ip link del %s", name);
}
