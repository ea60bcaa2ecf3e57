/* cmd_proxy.c -- `meshwalk proxy`: options -> proxy_run(). */
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "proxy/proxy.h"
#include "spec/units.h"
#include "util/log.h"
#include "util/xalloc.h"

enum {
	O_TO = 256,
	O_POLICY,
	O_CONNECT_TIMEOUT,
	O_PORT_FILE,
	O_STATS_FILE,
};

#define AT(field) OPT_AT(struct proxy_config, field)

const struct opt_def proxy_opts[] = {
	{ "bind-addr", 'b', OPT_REQUIRED, 'b', "ADDR",
	  "Address to listen on: [tcp://][host][:port] (default 127.0.0.1:7890; port 0 lets "
	  "the kernel pick, see --port-file)." },
	{ "to", 0, OPT_REQUIRED, O_TO, "ADDR[,ADDR...]",
	  "Backends to relay connections to (repeatable; up to 64)." },
	{ "policy", 0, OPT_REQUIRED, O_POLICY, "POLICY",
	  "How each new connection picks its backend: roundrobin (rr, default), leastconn "
	  "(lc: fewest relayed connections open) or first (the first backend that accepts). "
	  "A backend that refuses is skipped for that connection." },
	{ "connect-timeout", 0, OPT_REQUIRED, O_CONNECT_TIMEOUT, "DURATION",
	  "Time to wait for one backend to accept before trying the next (default 2s).",
	  .kind = OPT_K_TIME, AT(connect_timeout_us), .min = 1, .max = 3.6e9 },
	{ "delay", 'd', OPT_REQUIRED, 'd', "MSEC",
	  "Hold every chunk of bytes a client sends for MSEC milliseconds (a fraction or a "
	  "unit such as 500us also works) before relaying it: one added delay per request "
	  "round trip, as dw_proxy's -d; replies are not held." },
	{ "frag", 'f', OPT_REQUIRED, 'f', "SIZE",
	  "Relay in send()s of at most SIZE bytes (dw_proxy's -f): each becomes its own TCP "
	  "segment, so the receiver sees messages arrive in fragments.",
	  .kind = OPT_K_SIZE, AT(frag), .min = 1, .max = 65536 },
	{ "port-file", 0, OPT_REQUIRED, O_PORT_FILE, "FILE",
	  "Write the bound port number to FILE once listening.",
	  .kind = OPT_K_STR, AT(port_file) },
	{ "stats-file", 0, OPT_REQUIRED, O_STATS_FILE, "FILE",
	  "On exit, write counters as JSON to FILE: accepted, no_backend, and per backend "
	  "connections, failures, bytes_up, bytes_down.",
	  .kind = OPT_K_STR, AT(stats_file) },
	{ "quiet", 'q', OPT_NONE, 'q', NULL, "Do not print the start and stop lines.",
	  .kind = OPT_K_FLAG, AT(quiet) },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit.",
	  .kind = OPT_K_HELP },
	{ 0 },
};

static const char proxy_usage[] = "meshwalk proxy [OPTIONS] --to ADDR[,ADDR...]";
static const char proxy_intro[] =
	"Relays TCP connections to a pool of backends (DistWalk's dw_proxy): a layer-4\n"
	"load balancer between clients and nodes. Each client connection goes to one\n"
	"backend, chosen by --policy; bytes are copied unchanged both ways, so client\n"
	"sessions (--ns) are what gets balanced. Serves until SIGINT or SIGTERM.";

void cmd_proxy_man(FILE *f)
{
	opt_print_man(f, "meshwalk-proxy", "relay TCP connections to a pool of nodes",
		      proxy_usage, proxy_intro, proxy_opts,
		      ".SH EXIT STATUS\n0 after a clean stop, 1 when it cannot listen, 2 on a usage "
		      "error.\n.SH SEE ALSO\nmeshwalk\\-node(1), meshwalk\\-client(1)\n");
}

static int add_backends(struct proxy_config *c, const char *arg)
{
	char *copy = xstrdup(arg), *rest = copy, *tok;
	struct err e;
	int rc = 0;

	while (rc == 0 && (tok = strsep(&rest, ",")) != NULL) {
		if (*tok == '\0')
			continue;
		if (c->nbackends == PROXY_MAX_BACKENDS) {
			log_msg("--to: more than %d backends", PROXY_MAX_BACKENDS);
			rc = -1;
		} else if (sock_addr_parse(tok, "127.0.0.1", SOCK_DEFAULT_PORT, false,
					   &c->backends[c->nbackends], &e) < 0) {
			log_msg("--to: %s", e.msg);
			rc = -1;
		} else if (c->backends[c->nbackends].proto != SOCK_TCP) {
			log_msg("--to: the proxy relays TCP only, got '%s'", tok);
			rc = -1;
		} else {
			c->nbackends++;
		}
	}
	free(copy);
	return rc;
}

/* The options opt_parse() cannot apply by their row alone. */
static int proxy_opt(void *cfg, int opt, const char *arg)
{
	struct proxy_config *c = cfg;
	struct err e;
	double d;

	switch (opt) {
	case 'b':
		if (sock_addr_parse(arg, "127.0.0.1", 7890, true, &c->bind, &e) < 0) {
			log_msg("--bind-addr: %s", e.msg);
			return 2;
		}
		if (c->bind.proto != SOCK_TCP) {
			log_msg("--bind-addr: the proxy relays TCP only");
			return 2;
		}
		return 0;
	case O_TO:
		return add_backends(c, arg) < 0 ? 2 : 0;
	case O_POLICY:
		if (proxy_policy_parse(arg, &c->policy) < 0) {
			log_msg("--policy: expected roundrobin, leastconn or first, got '%s'", arg);
			return 2;
		}
		return 0;
	case 'd':
		/* dw_proxy takes milliseconds; units are accepted too. */
		if (units_parse(arg, SPEC_COUNT, &d, &e) == 0)
			d *= 1000;
		else if (units_parse(arg, SPEC_TIME, &d, &e) < 0)
			d = -1;
		if (d < 0 || d > 3.6e9) {
			log_msg("--delay: expected milliseconds up to 1h, got '%s'", arg);
			return 2;
		}
		c->delay_us = (uint64_t)d;
		return 0;
	}
	return 2;
}

int cmd_proxy(int argc, char **argv)
{
	static const struct opt_cmd cmd = { "proxy", proxy_opts, proxy_usage, proxy_intro,
					    proxy_opt };
	struct proxy_config c;
	struct err e;
	int rc;

	log_set_name("meshwalk proxy");
	memset(&c, 0, sizeof c);
	sock_addr_parse("127.0.0.1:7890", "127.0.0.1", 7890, true, &c.bind, &e);
	c.connect_timeout_us = 2000000;
	rc = opt_parse(&cmd, argc, argv, &c);
	if (rc < 0)
		return 0; /* --help */
	if (rc == 0 && optind < argc) {
		log_msg("unexpected argument '%s' (see meshwalk proxy --help)", argv[optind]);
		rc = 2;
	}
	if (rc == 0 && c.nbackends == 0) {
		log_msg("no backend: give --to ADDR[,ADDR...]");
		rc = 2;
	}
	if (rc == 0 && proxy_run(&c, &e) < 0) {
		log_msg("%s", e.msg);
		rc = 1;
	}
	return rc;
}
