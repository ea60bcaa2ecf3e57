/* sock.h -- socket set-up: address parsing, listen, connect, options.
 *
 * Contract: addresses are written as DistWalk does: "[tcp://][host][:port]",
 * where host is a name, an IPv4 address or a bracketed IPv6 address
 * ("[::1]:7891"); a missing host means `default_host` and a missing port means
 * `default_port`. Names are resolved once, at parse time (getaddrinfo), never
 * on a request path (sock_addr_parse_named() keeps them unresolved instead). All sockets are created close-on-exec.
 * Threads: all functions are thread-safe.
 * Errors: functions that read user input fill a struct err; the others return
 * a file descriptor or 0 on success and -errno on failure. */
#ifndef MW_NET_SOCK_H
#define MW_NET_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util/err.h"

#define SOCK_DEFAULT_PORT 7891
#define SOCK_ADDR_STRLEN 64 /* enough for "[v6]:port" */

enum sock_proto {
	SOCK_TCP = 1,
	SOCK_UDP = 2,
	SOCK_HTTP = 3, /* TCP carrying HTTP/1.1 (node -b http://): not meshwalk's protocol */
	SOCK_SSL = 4,  /* meshwalk's protocol over TLS (ssl://, DistWalk's; also "ssl:") */
	SOCK_HTTPS = 5, /* HTTP over TLS (node -b https://) */
	SOCK_H2C = 10, /* TCP carrying HTTP/2 with prior knowledge (node -b h2c://) */
	SOCK_GRPC = 11, /* the same, named for gRPC (node -b grpc://) */
	SOCK_GRPCS = 12, /* HTTP/2 over TLS, ALPN h2 only (node -b grpcs://) */
};

/* The scheme an address of this transport is written with ("h2c://"), or
 * "" for plain TCP (written bare, as DistWalk does). */
static inline const char *sock_proto_scheme(enum sock_proto p)
{
	switch (p) {
	case SOCK_UDP: return "udp://";
	case SOCK_HTTP: return "http://";
	case SOCK_SSL: return "ssl://";
	case SOCK_HTTPS: return "https://";
	case SOCK_H2C: return "h2c://";
	case SOCK_GRPC: return "grpc://";
	case SOCK_GRPCS: return "grpcs://";
	case SOCK_TCP: break;
	}
	return "";
}

/* Whether an address of this transport speaks TLS. */
static inline bool sock_proto_tls(enum sock_proto p)
{
	return p == SOCK_SSL || p == SOCK_HTTPS || p == SOCK_GRPCS;
}

/* HTTP of any version: a node front end, not meshwalk's protocol. */
static inline bool sock_is_http(enum sock_proto p)
{
	return p == SOCK_HTTP || p == SOCK_HTTPS || p == SOCK_H2C || p == SOCK_GRPC ||
	       p == SOCK_GRPCS;
}

struct sock_addr {
	struct sockaddr_storage ss; /* the resolved address */
	socklen_t len;              /* its length */
	enum sock_proto proto;      /* transport named by the prefix */
	char host[256];             /* the host as written (TLS: SNI, certificate name) */
	bool named;                 /* sock_addr_parse_named(): host is a name, not resolved
				     * (ss is AF_UNSPEC, len 0; the port is in `port`) */
	uint16_t port;              /* the port, host order (every parse) */
};

/* Parses and resolves an address. Rejects unknown prefixes, bad ports
 * (0..65535; port 0 only when allow_port0), and names that do not resolve. */
int sock_addr_parse(const char *text, const char *default_host, int default_port,
		    bool allow_port0, struct sock_addr *out, struct err *e);

/* The same, except that a host that is not a numeric address (IPv4 dotted
 * quad, IPv6 in brackets) is not resolved: it is checked as a DNS name
 * (util/dnsname.h) and kept in out->host with out->named set, for whoever
 * connects to resolve when it does (a node's forwards). */
int sock_addr_parse_named(const char *text, const char *default_host, int default_port,
			  bool allow_port0, struct sock_addr *out, struct err *e);

/* "127.0.0.1:7891" or "[::1]:7891" into buf (at least SOCK_ADDR_STRLEN). */
const char *sock_addr_str(const struct sockaddr *sa, char *buf, size_t len);

/* Port of an AF_INET/AF_INET6 address, host order. */
int sock_addr_port(const struct sockaddr *sa);

bool sock_addr_equal(const struct sockaddr *a, const struct sockaddr *b);

/* Creates a listening TCP socket (SO_REUSEADDR, SO_REUSEPORT when asked,
 * non-blocking when asked). Returns the fd or -errno. */
int sock_listen(const struct sock_addr *a, int backlog, bool reuseport, bool nonblock);

/* Whether a TCP socket other than fds[0..n) listens on a's address and
 * port (in this network namespace, per /proc/net/tcp or tcp6; a wildcard
 * address on either side overlaps). SO_REUSEPORT lets any process of the same
 * user bind a port that listeners with it share, and the kernel would then
 * split the connections between them without a word: a node checks this
 * after binding and refuses to start instead. Returns 0 when only fds
 * listen there (or /proc cannot tell), -EADDRINUSE otherwise. */
int sock_listen_check_alone(const struct sock_addr *a, const int *fds, int n);

/* Binds a probe socket without SO_REUSEPORT to a (TCP, or UDP when udp) and
 * closes it: -EADDRINUSE when any socket holds the address, whatever its
 * options, else 0 (and *port, if not NULL, the port bound: the kernel's pick
 * for port 0). */
int sock_probe_free(const struct sock_addr *a, bool udp, int *port);

/* The largest UDP payload meshwalk sends or accepts: IPv4's limit (65535 minus
 * the IP and UDP headers), used for IPv6 too so a run means the same on both. */
#define SOCK_UDP_MAX_PAYLOAD 65507

/* A bound, non-blocking UDP socket (SO_REUSEPORT when asked, so every worker
 * can have its own); returns the fd or -errno. */
int sock_bind_udp(const struct sock_addr *a, bool reuseport);
/* From a recvmsg() on such a socket: the kernel's running count of
 * datagrams it dropped for a full receive buffer (SO_RXQ_OVFL); false when
 * the message carries none. */
bool sock_udp_drops(const struct msghdr *m, uint32_t *dropped);

/* Starts a TCP connect; non-blocking sockets return the fd with the connect
 * possibly in progress (check with sock_connect_result()). */
int sock_connect(const struct sockaddr *sa, socklen_t len, bool nonblock);

/* The same, from source address src (its port ignored: the kernel picks one)
 * when src is not NULL: a node listening on its own loopback address sends
 * its forwards from it, so that its peers can tell it from other nodes. */
int sock_connect_from(const struct sockaddr *sa, socklen_t len, const struct sockaddr *src,
		      socklen_t src_len, bool nonblock);

/* True for 127.0.0.0/8 and ::1. */
bool sock_addr_is_loopback(const struct sockaddr *sa);

/* 0 when a non-blocking connect succeeded, else -errno (SO_ERROR). */
int sock_connect_result(int fd);

int sock_set_nodelay(int fd, bool on);
int sock_set_nonblock(int fd, bool on);

/* The local address of fd (e.g. the port the kernel picked for port 0). */
int sock_local_addr(int fd, struct sockaddr_storage *ss);

#endif
