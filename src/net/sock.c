/* sock.c -- see sock.h. */
#include "net/sock.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/dnsname.h"

static int parse(const char *text, const char *default_host, int default_port, bool allow_port0,
		 bool keep_names, struct sock_addr *out, struct err *e)
{
	char host[256];
	const char *p = text, *port_str = NULL;
	size_t hlen;
	long port = default_port;
	struct in6_addr numeric;
	struct addrinfo hints = { 0 }, *res = NULL;
	int rc;

	memset(out, 0, sizeof *out);
	out->proto = SOCK_TCP;
	if (strncmp(p, "tcp://", 6) == 0) {
		p += 6;
	} else if (strncmp(p, "udp://", 6) == 0) {
		out->proto = SOCK_UDP;
		p += 6;
	} else if (strncmp(p, "http://", 7) == 0) {
		out->proto = SOCK_HTTP;
		p += 7;
	} else if (strncmp(p, "https://", 8) == 0) {
		out->proto = SOCK_HTTPS;
		p += 8;
	} else if (strncmp(p, "ssl:", 4) == 0) {
		/* DistWalk writes "ssl:[//]": both forms */
		out->proto = SOCK_SSL;
		p += strncmp(p, "ssl://", 6) == 0 ? 6 : 4;
	} else if (strncmp(p, "h2c://", 6) == 0) {
		out->proto = SOCK_H2C;
		p += 6;
	} else if (strncmp(p, "grpc://", 7) == 0) {
		out->proto = SOCK_GRPC;
		p += 7;
	} else if (strncmp(p, "grpcs://", 8) == 0) {
		out->proto = SOCK_GRPCS;
		p += 8;
	} else if (strstr(p, "://") != NULL) {
		return err_set(e, "unsupported protocol in '%s' (expected tcp://, udp://, ssl://, "
			       "http://, https://, h2c://, grpc:// or grpcs://)", text);
	}
	if (*p == '[') {
		const char *close = strchr(p, ']');

		if (close == NULL)
			return err_set(e, "missing ']' in IPv6 address '%s'", text);
		hlen = (size_t)(close - p - 1);
		if (hlen >= sizeof host)
			return err_set(e, "host name too long in '%s'", text);
		memcpy(host, p + 1, hlen);
		host[hlen] = '\0';
		if (close[1] == ':')
			port_str = close + 2;
		else if (close[1] != '\0')
			return err_set(e, "unexpected text after ']' in '%s'", text);
	} else {
		const char *colon = strrchr(p, ':');

		/* More than one ':' without brackets is a bare IPv6 address. */
		if (colon != NULL && strchr(p, ':') != colon)
			colon = NULL;
		hlen = colon ? (size_t)(colon - p) : strlen(p);
		if (hlen >= sizeof host)
			return err_set(e, "host name too long in '%s'", text);
		memcpy(host, p, hlen);
		host[hlen] = '\0';
		if (colon)
			port_str = colon + 1;
	}
	if (port_str != NULL) {
		char *end;

		errno = 0;
		port = strtol(port_str, &end, 10);
		if (*port_str == '\0' || *end != '\0' || errno || port < 0 || port > 65535)
			return err_set(e, "bad port '%s' in '%s' (expected 0..65535)", port_str, text);
	}
	if (port == 0 && !allow_port0)
		return err_set(e, "port 0 is not allowed in '%s'", text);
	if (host[0] == '\0')
		snprintf(host, sizeof host, "%s", default_host);
	snprintf(out->host, sizeof out->host, "%s", host);
	out->port = (uint16_t)port;
	if (keep_names && inet_pton(AF_INET, host, &numeric) != 1 &&
	    inet_pton(AF_INET6, host, &numeric) != 1) {
		out->named = true;
		out->ss.ss_family = AF_UNSPEC;
		if (dns_name_check(host, strlen(host), e) < 0)
			return err_prefix(e, "'%s'", text);
		return 0;
	}
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = out->proto == SOCK_UDP ? SOCK_DGRAM : SOCK_STREAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0)
		return err_set(e, "cannot resolve '%s': %s", host, gai_strerror(rc));
	/* Prefer IPv4 for names like "localhost" that resolve to both, as DistWalk
	 * does, so a node bound to 127.0.0.1 is reachable by name. */
	struct addrinfo *pick = res;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next)
		if (ai->ai_family == AF_INET) {
			pick = ai;
			break;
		}
	if (pick == NULL || pick->ai_addrlen > sizeof out->ss) {
		freeaddrinfo(res);
		return err_set(e, "cannot resolve '%s': no usable address", host);
	}
	memcpy(&out->ss, pick->ai_addr, pick->ai_addrlen);
	out->len = pick->ai_addrlen;
	freeaddrinfo(res);
	if (out->ss.ss_family == AF_INET)
		((struct sockaddr_in *)&out->ss)->sin_port = htons((uint16_t)port);
	else if (out->ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&out->ss)->sin6_port = htons((uint16_t)port);
	else
		return err_set(e, "'%s' is not an IPv4 or IPv6 address", text);
	return 0;
}

int sock_addr_parse(const char *text, const char *default_host, int default_port,
		    bool allow_port0, struct sock_addr *out, struct err *e)
{
	return parse(text, default_host, default_port, allow_port0, false, out, e);
}

int sock_addr_parse_named(const char *text, const char *default_host, int default_port,
			  bool allow_port0, struct sock_addr *out, struct err *e)
{
	return parse(text, default_host, default_port, allow_port0, true, out, e);
}

const char *sock_addr_str(const struct sockaddr *sa, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
		snprintf(buf, len, "%s:%u", ip, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof ip);
		snprintf(buf, len, "[%s]:%u", ip, ntohs(sin6->sin6_port));
	} else {
		snprintf(buf, len, "(family %d)", sa->sa_family);
	}
	return buf;
}

int sock_addr_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return -1;
}

bool sock_addr_equal(const struct sockaddr *a, const struct sockaddr *b)
{
	if (a->sa_family != b->sa_family)
		return false;
	if (a->sa_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	if (a->sa_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)b;

		return x->sin6_port == y->sin6_port &&
		       memcmp(&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
	}
	return false;
}

static int fail(int fd)
{
	int rc = -errno;

	if (fd >= 0)
		close(fd);
	return rc;
}

int sock_listen(const struct sock_addr *a, int backlog, bool reuseport, bool nonblock)
{
	int one = 1;
	int fd = socket(a->ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0),
			0);

	if (fd == -1)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1)
		return fail(fd);
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == -1)
		return fail(fd);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) == -1)
		return fail(fd);
	if (listen(fd, backlog) == -1)
		return fail(fd);
	return fd;
}

int sock_probe_free(const struct sock_addr *a, bool udp, int *port)
{
	int one = 1;
	int fd = socket(a->ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	struct sockaddr_storage local;

	if (fd == -1)
		return -errno;
	/* SO_REUSEADDR: connections of an earlier run in TIME_WAIT do not count. */
	if (!udp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == -1)
		return fail(fd);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) == -1)
		return fail(fd);
	if (port != NULL && sock_local_addr(fd, &local) == 0)
		*port = sock_addr_port((struct sockaddr *)&local);
	close(fd);
	return 0;
}

/* The address as /proc/net/tcp{,6} prints it: the 32-bit words of the
 * network-order address printed as host integers, in hex. */
static void proc_addr(const struct sockaddr *sa, char *buf, size_t len)
{
	if (sa->sa_family == AF_INET) {
		snprintf(buf, len, "%08X", ((const struct sockaddr_in *)sa)->sin_addr.s_addr);
	} else {
		uint32_t w[4];

		memcpy(w, &((const struct sockaddr_in6 *)sa)->sin6_addr, sizeof w);
		snprintf(buf, len, "%08X%08X%08X%08X", w[0], w[1], w[2], w[3]);
	}
}

static bool proc_addr_wildcard(const char *hex)
{
	return strspn(hex, "0") == strlen(hex);
}

int sock_listen_check_alone(const struct sock_addr *a, const int *fds, int n)
{
	const struct sockaddr *sa = (const struct sockaddr *)&a->ss;
	FILE *f = fopen(sa->sa_family == AF_INET ? "/proc/net/tcp" : "/proc/net/tcp6", "r");
	char ours[40], line[512];
	int port = sock_addr_port(sa), rc = 0;

	if (f == NULL)
		return 0;
	proc_addr(sa, ours, sizeof ours);
	while (rc == 0 && fgets(line, sizeof line, f)) {
		char addr[40];
		unsigned int p, st;
		unsigned long ino;
		bool mine = false;

		/* sl local:port remote:port st tx:rx tr:when retrnsmt uid timeout inode */
		if (sscanf(line, " %*s %39[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %*u %*u %lu", addr, &p, &st,
			   &ino) != 4 || st != 0x0A /* LISTEN */ || (int)p != port)
			continue;
		if (strcmp(addr, ours) != 0 && !proc_addr_wildcard(addr) && !proc_addr_wildcard(ours))
			continue;
		for (int i = 0; i < n && !mine; i++) {
			struct stat sb;

			mine = fstat(fds[i], &sb) == 0 && sb.st_ino == ino;
		}
		if (!mine)
			rc = -EADDRINUSE;
	}
	fclose(f);
	return rc;
}

int sock_bind_udp(const struct sock_addr *a, bool reuseport)
{
	int one = 1;
	int fd = socket(a->ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	if (fd == -1)
		return -errno;
	if (reuseport && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) == -1)
		return fail(fd);
	/* The kernel's count of datagrams dropped for a full receive buffer
	 * comes with every datagram (sock_udp_drops()). */
	if (setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one) == -1)
		return fail(fd);
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) == -1)
		return fail(fd);
	return fd;
}

bool sock_udp_drops(const struct msghdr *m, uint32_t *dropped)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR((struct msghdr *)m); c != NULL;
	     c = CMSG_NXTHDR((struct msghdr *)m, c))
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
		    c->cmsg_len >= CMSG_LEN(sizeof *dropped)) {
			memcpy(dropped, CMSG_DATA(c), sizeof *dropped);
			return true;
		}
	return false;
}

int sock_connect(const struct sockaddr *sa, socklen_t len, bool nonblock)
{
	return sock_connect_from(sa, len, NULL, 0, nonblock);
}

int sock_connect_from(const struct sockaddr *sa, socklen_t len, const struct sockaddr *src,
		      socklen_t src_len, bool nonblock)
{
	int fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);

	if (fd == -1)
		return -errno;
	if (src != NULL) {
		struct sockaddr_storage from;

		memcpy(&from, src, src_len);
		if (from.ss_family == AF_INET)
			((struct sockaddr_in *)&from)->sin_port = 0;
		else if (from.ss_family == AF_INET6)
			((struct sockaddr_in6 *)&from)->sin6_port = 0;
		if (bind(fd, (struct sockaddr *)&from, src_len) == -1)
			return fail(fd);
	}
	while (connect(fd, sa, len) == -1) {
		if (errno == EINTR)
			continue;
		if (nonblock && errno == EINPROGRESS)
			return fd;
		return fail(fd);
	}
	return fd;
}

bool sock_addr_is_loopback(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6)
		return IN6_IS_ADDR_LOOPBACK(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return false;
}

int sock_connect_result(int fd)
{
	int err = 0;
	socklen_t len = sizeof err;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
		return -errno;
	return -err;
}

int sock_set_nodelay(int fd, bool on)
{
	int v = on;

	return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &v, sizeof v) == -1 ? -errno : 0;
}

int sock_set_nonblock(int fd, bool on)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl == -1)
		return -errno;
	fl = on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK;
	return fcntl(fd, F_SETFL, fl) == -1 ? -errno : 0;
}

int sock_local_addr(int fd, struct sockaddr_storage *ss)
{
	socklen_t len = sizeof *ss;

	return getsockname(fd, (struct sockaddr *)ss, &len) == -1 ? -errno : 0;
}
