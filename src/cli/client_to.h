/* client_to.h -- the client's --to ADDR: the address, and for
 * http://HOST:PORT/NAME the route name and the Host field.
 *
 * Contract: client_to_parse() frees what *route and *hostf held, then sets
 * *route to NAME (or NULL) and, for http://, *hostf to the Host field: the
 * name as written (a platform such as Knative routes by it), with the port
 * unless it is HTTP's 80; both are the caller's to free. https:// is refused
 * (the client does not speak it). Returns 0 or -EINVAL with e filled.
 * Threads: any. */
#ifndef MW_CLI_CLIENT_TO_H
#define MW_CLI_CLIENT_TO_H

#include "net/sock.h"
#include "util/err.h"

int client_to_parse(const char *arg, struct sock_addr *to, char **route, char **hostf,
		    struct err *e);

#endif
