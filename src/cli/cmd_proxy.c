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
	  "Time to wait for one backend to accept before trying the next (default 2s)." },
	{ "delay", 'd', OPT_REQUIRED, 'd', "MSEC",
	  "Hold every chunk of bytes a client sends for MSEC milliseconds (a fraction or a "
	  "unit such as 500us also works) before relaying it: one added delay per request "
	  "round trip, as dw_proxy's -d; replies are not held." },
	{ "frag", 'f', OPT_REQUIRED, 'f', "SIZE",
	  "Relay in send()s of at most SIZE bytes (dw_proxy's -f): each becomes its own TCP "
	  "segment, so the receiver sees messages arrive in fragments." },
	{ "port-file", 0, OPT_REQUIRED, O_PORT_FILE, "FILE",
	  "Write the bound port number to FILE once listening." },
	{ "stats-file", 0, OPT_REQUIRED, O_STATS_FILE, "FILE",
	  "On exit, write counters as JSON to FILE: accepted, no_backend, and per backend "
	  "connections, failures, bytes_up, bytes_down." },
	{ "quiet", 'q', OPT_NONE, 'q', NULL, "Do not print the start and stop lines." },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit." },
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

int cmd_proxy(int argc, char **argv)
{
	struct proxy_config c;
	struct opt_parser p;
	struct err e;
	int opt, rc = 0;
	double d;

	log_set_name("meshwalk proxy");
	memset(&c, 0, sizeof c);
	sock_addr_parse("127.0.0.1:7890", "127.0.0.1", 7890, true, &c.bind, &e);
	c.connect_timeout_us = 2000000;
	opt_build(proxy_opts, &p);
	optind = 1;
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			if (sock_addr_parse(optarg, "127.0.0.1", 7890, true, &c.bind, &e) < 0) {
				log_msg("--bind-addr: %s", e.msg);
				rc = 2;
			} else if (c.bind.proto != SOCK_TCP) {
				log_msg("--bind-addr: the proxy relays TCP only");
				rc = 2;
			}
			break;
		case O_TO:
			if (add_backends(&c, optarg) < 0)
				rc = 2;
			break;
		case O_POLICY:
			if (proxy_policy_parse(optarg, &c.policy) < 0) {
				log_msg("--policy: expected roundrobin, leastconn or first, got '%s'", optarg);
				rc = 2;
			}
			break;
		case O_CONNECT_TIMEOUT:
			if (units_parse(optarg, SPEC_TIME, &d, &e) < 0 || d < 1 || d > 3.6e9) {
				log_msg("--connect-timeout: expected a duration from 1us to 1h, got '%s'",
					optarg);
				rc = 2;
			} else {
				c.connect_timeout_us = (uint64_t)d;
			}
			break;
		case 'd':
			/* dw_proxy takes milliseconds; units are accepted too. */
			if (units_parse(optarg, SPEC_COUNT, &d, &e) == 0)
				d *= 1000;
			else if (units_parse(optarg, SPEC_TIME, &d, &e) < 0)
				d = -1;
			if (d < 0 || d > 3.6e9) {
				log_msg("--delay: expected milliseconds up to 1h, got '%s'", optarg);
				rc = 2;
			} else {
				c.delay_us = (uint64_t)d;
			}
			break;
		case 'f':
			if (units_parse(optarg, SPEC_SIZE, &d, &e) < 0 || d < 1 || d > 65536) {
				log_msg("--frag: expected a size from 1 to 64k, got '%s'", optarg);
				rc = 2;
			} else {
				c.frag = (size_t)d;
			}
			break;
		case O_PORT_FILE:
			c.port_file = optarg;
			break;
		case O_STATS_FILE:
			c.stats_file = optarg;
			break;
		case 'q':
			c.quiet = true;
			break;
		case 'h':
			opt_print_help(stdout, proxy_usage, proxy_intro, proxy_opts);
			opt_free(&p);
			return 0;
		default: /* ':' or '?' */
			rc = opt_bad(proxy_opts, opt, argv[optind - 1], "proxy");
			break;
		}
	}
	if (rc == 0 && optind < argc) {
		log_msg("unexpected argument '%s' (see meshwalk proxy --help)", argv[optind]);
		rc = 2;
	}
	if (rc == 0 && c.nbackends == 0) {
		log_msg("no backend: give --to ADDR[,ADDR...]");
		rc = 2;
	}
	opt_free(&p);
	if (rc == 0 && proxy_run(&c, &e) < 0) {
		log_msg("%s", e.msg);
		rc = 1;
	}
	return rc;
}
