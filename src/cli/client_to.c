/* client_to.c -- see client_to.h. */
#include "cli/client_to.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/wire.h"
#include "util/xalloc.h"

/* The Host field of --to http://AUTHORITY: the name as written (a platform
 * such as Knative routes by it), with the port unless it is HTTP's 80. */
static char *http_host(const char *authority, const struct sock_addr *to)
{
	const char *close = strrchr(authority, ']'), *colon = strrchr(authority, ':');
	size_t n = strlen(authority) + 8;
	char *h = xmalloc(n);
	int port = sock_addr_port((const struct sockaddr *)&to->ss);

	if (colon && close && colon < close)
		colon = NULL; /* a colon inside [v6] */
	if (colon && strchr(authority, ':') != colon && !close)
		colon = NULL; /* a bare IPv6 address */
	snprintf(h, n, "%.*s", (int)(colon ? (size_t)(colon - authority) : strlen(authority)),
		 authority);
	if (port != 80)
		snprintf(h + strlen(h), n - strlen(h), ":%d", port);
	return h;
}

int client_to_parse(const char *arg, struct sock_addr *to, char **route, char **hostf,
		     struct err *e)
{
	size_t scheme = strncmp(arg, "http://", 7) == 0    ? 7
			: strncmp(arg, "https://", 8) == 0 ? 8
			: strncmp(arg, "h2c://", 6) == 0   ? 6
							   : 0;
	const char *slash = scheme ? strchr(arg + scheme, '/') : NULL;
	char *host = xstrdup(arg);
	int rc;

	free(*route);
	free(*hostf);
	*route = *hostf = NULL;
	if (slash) {
		host[slash - arg] = '\0';
		if (slash[1] && wire_route_check((const uint8_t *)slash + 1,
						 (uint32_t)strlen(slash + 1), e) < 0) {
			free(host);
			return -EINVAL;
		}
		if (slash[1])
			*route = xstrdup(slash + 1);
	}
	rc = sock_addr_parse(host, "127.0.0.1", SOCK_DEFAULT_PORT, false, to, e);
	if (rc == 0 && (to->proto == SOCK_HTTP || to->proto == SOCK_HTTPS || to->proto == SOCK_H2C))
		*hostf = http_host(host + scheme, to);
	else if (rc == 0 && (to->proto == SOCK_GRPC || to->proto == SOCK_GRPCS))
		*hostf = http_host(host + (to->proto == SOCK_GRPC ? 7 : 8), to);
	free(host);
	return rc;
}
