/* cmd_client.c -- `meshwalk client`: DistWalk's dw_client command line (and
 * meshwalk's extensions) -> a program template and a client_config.
 *
 * Ops (-C, -L, -S, -F, -R, -s) are appended to the program in the order they appear,
 * which is why script files are expanded in place before getopt runs. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "client/client.h"
#include "client/h2client.h"
#include "client/httpclient.h"
#include "prog/prog_parse.h"
#include "spec/units.h"
#include "trace/export.h"
#include "util/log.h"
#include "util/xalloc.h"

enum {
	O_TO = 256,
	O_NT,
	O_NS,
	O_RSS,
	O_PS,
	O_SEED,
	O_WS,
	O_RETRY_NUM,
	O_RETRY_PERIOD,
	O_TIMEOUT,
	O_NODELAY,
	O_CSV,
	O_JSON,
	O_QUIET,
	O_NO_SUMMARY,
	O_STRICT_RATE,
	O_SPIN_MARGIN,
	O_BUSY_POLL,
	O_NANO,
	O_PSO,
	O_STAG_SEND,
	O_CONN_TIMES,
	O_LOAD_OFFSET,
	O_STORE_OFFSET,
	O_AUTH_KEY,
	O_ROUTE,
	O_USAGE,
	O_DPDK,
	O_SSL_CA,
	O_SSL_CA_PATH,
	O_SSL_CERT,
	O_SSL_CIPHERS,
	O_SSL_KEY,
	O_SSL_VERIFY,
	O_SCRIPT, /* never seen by getopt: expanded before */
	O_CLOSED_LOOP,
	O_TRACE_SAMPLE,
	O_TRACE_OUT,
	O_OTLP_ENDPOINT,
	O_SERVICE_NAME,
	O_STREAMS,
};

/* DistWalk's pacing when neither -r nor -p is given: open loop at this many
 * requests per second per thread (dw_client 9b00acc: rate=10, period=100000us). */
#define DEFAULT_RATE "10"

const struct opt_def client_opts[] = {
	{ "to", 0, OPT_REQUIRED, O_TO, "ADDR",
	  "The node to send requests to: [tcp://|udp://|ssl://|http://|https://|h2c://|grpc://|grpcs://][host][:port], host "
	  "defaults to 127.0.0.1 and port to 7891. With udp:// every request and reply is one "
	  "datagram of at most 65507 bytes (a larger request counts as an error and is not sent); "
	  "a lost one is a --timeout. ssl:// (also ssl:HOST:PORT, as DistWalk writes it) speaks "
	  "TLS (--ssl-* options): each session's handshake is part of its connect, done before "
	  "the schedule starts and included in --conn-times. http://HOST:PORT[/NAME] drives a "
	  "node's HTTP/1.1 front end (node -b http://) over keep-alive, pipelined connections: "
	  "/NAME runs the node's route NAME (as --route NAME), else the ops go in an "
	  "x-meshwalk-program field, sampled by the node; a response counts as ok when its "
	  "status is 2xx and its body has the REPLY's size (when that is a constant), else as an "
	  "error (docs/http.md). h2c://HOST:PORT[/NAME] sends the same requests as HTTP/2 streams "
	  "(prior knowledge; node -b h2c://), several at once on each connection (--streams); "
	  "https://HOST:PORT[/NAME] sends them over TLS (--ssl-* options), as HTTP/2 when the "
	  "node chooses h2 by ALPN, else HTTP/1.1; "
	  "grpc://HOST:PORT calls meshwalk.v1.Walk/Run with the route or the ops, --ps bytes of "
	  "payload, and counts grpc-status 0 with a payload of the REPLY's size as ok; grpcs:// "
	  "the same over TLS (ALPN h2) (docs/grpc.md)." },
	{ "streams", 0, OPT_REQUIRED, O_STREAMS, "N",
	  "h2c:// and grpc://: HTTP/2 streams open at once on each connection (1 to 65536, "
	  "default 100); a request sent while N are open waits for one to close, and its "
	  "latency counts from its intended send time." },
	{ "bind-addr", 'b', OPT_REQUIRED, 'b', "ADDR",
	  "Local address (and optional port) to connect from." },
	{ "num-pkts", 'n', OPT_REQUIRED, 'n', "N|auto",
	  "Requests per thread, across all its sessions (default 1). 'auto' takes the count "
	  "from a finite -p/-r sequence or file (with --rss: the sum of rate x step length)." },
	{ "nt", 0, OPT_REQUIRED, O_NT, "N",
	  "Number of client threads, each with its own connection and "
	  "its own -n, -r and -p (default 1)." },
	{ "num-threads", 0, OPT_REQUIRED, O_NT, "N", NULL },
	{ "ns", 0, OPT_REQUIRED, O_NS, "N",
	  "Sessions per thread: the thread's requests are split evenly over N consecutive "
	  "connections, each closed once all its replies are in (default 1)." },
	{ "num-sessions", 0, OPT_REQUIRED, O_NS, "N", NULL },
	{ "rate", 'r', OPT_REQUIRED, 'r', "SPEC",
	  "Open loop at this many requests per second per thread. A distribution is sampled "
	  "per request; with --rss, once per step (e.g. -r aseq:min=2,max=100,step=2 --rss 1 "
	  "ramps up)." },
	{ "period", 'p', OPT_REQUIRED, 'p', "SPEC",
	  "Open loop with this inter-arrival time per thread (default unit us; e.g. -p 10ms, "
	  "-p exp:1ms for Poisson arrivals). Without -r, -p or --closed-loop: open loop at "
	  "10 requests per second per thread, as DistWalk." },
	{ "closed-loop", 0, OPT_NONE, O_CLOSED_LOOP, NULL,
	  "Closed loop: each thread sends its next request as soon as the previous reply is "
	  "in (one request in flight per thread; meshwalk's own, not with -r or -p)." },
	{ "rate-step-secs", 0, OPT_REQUIRED, O_RSS, "SECONDS",
	  "Length of each rate step for -r (a bare number is seconds; 500ms also works)." },
	{ "rss", 0, OPT_REQUIRED, O_RSS, "SECONDS", NULL },
	{ "ps", 0, OPT_REQUIRED, O_PS, "SIZE_SPEC",
	  "Size of each request frame in bytes (padded with zeros; never smaller than the "
	  "program it carries). Over http:// the request is a POST with a zero body of this "
	  "size (at most 1m, a node's body limit)." },
	{ "comp-time", 'C', OPT_REQUIRED, 'C', "TIME_SPEC",
	  "Add a COMPUTE op: busy CPU for that long on the node running this part of the "
	  "program (default unit us: -C 100, -C 10ms, -C unif:min=1k,max=10k)." },
	{ "forward", 'F', OPT_REQUIRED, 'F', "ADDR[,ADDR...][,OPTS]",
	  "Add a FORWARD op: the ops that follow, up to the matching -R, run on the target "
	  "node(s) in parallel. OPTS: nack=N (replies to wait for, default all), timeout=TIME "
	  "(per attempt), retry=N (extra attempts), branch (consecutive -F ...,branch ... -R "
	  "groups send a different sub-program to each target, in parallel), nowait (fire and "
	  "forget: the request goes on at once and the replies are ignored; not with nack=, "
	  "timeout=, retry= or branch), ps=SIZE (forwarded "
	  "frame size), route=NAME (the targets run the route NAME they installed with node "
	  "--route; such a forward opens no scope: the ops after it run here, once the replies "
	  "are in). A target http://HOST:PORT/NAME (or http://HOST:PORT with route=NAME) is a "
	  "node's HTTP/1.1 front end, reached over pooled keep-alive connections: it runs route "
	  "NAME (docs/http.md). h2c://HOST:PORT/NAME and grpc://HOST:PORT/NAME are a node's "
	  "HTTP/2 and gRPC front ends (or any HTTP/2 server, any meshwalk.v1.Walk service): "
	  "every forward to the target is a stream of one connection (docs/grpc.md)." },
	{ "route", 0, OPT_REQUIRED, O_ROUTE, "NAME",
	  "Send requests that name the route NAME instead of carrying a program: the node runs "
	  "the program it installed with --route NAME=PROGRAM (sampled per request by the node). "
	  "No op may then be given, nor --load-offset or --store-offset. A node without that "
	  "route answers each request with status 10 (no such route)." },
	{ "rs", 'R', OPT_OPTIONAL, 'R', "[dev=0,][sendfile,]SIZE_SPEC",
	  "Add a REPLY: closes the innermost -F scope, whose reply then has this size; at the "
	  "top level, sets the size of the reply the client receives (once: a second top-level "
	  "-R is an error). Without -R, scopes are "
	  "closed implicitly at the end. sendfile,SIZE: the reply carries SIZE bytes of the "
	  "node's storage (read at --load-offset), sent with sendfile(): LOAD and REPLY in one." },
	{ "load-data", 'L', OPT_REQUIRED, 'L', "SIZE_SPEC|size=SPEC[,offset=SPEC][,dev=0]",
	  "Add a LOAD op: read that many bytes from the node's storage (-s on the node), at "
	  "offset= if given, else at --load-offset, else where the node's previous LOAD/STORE "
	  "ended (sequential access). Offsets and sizes are 64-bit (e.g. offset=40g). "
	  "DistWalk's size=[SPEC], offset=[SPEC] and dev=0 (the node's one storage) work too." },
	{ "store-data", 'S', OPT_REQUIRED, 'S', "SIZE_SPEC[,offset=SPEC][,sync|nosync|psync][,dev=0]",
	  "Add a STORE op: write that many bytes to the node's storage; offsets as for -L with "
	  "--store-offset. sync (default, as DistWalk's): fsync() before the reply; psync: "
	  "the node fsync()s every --sync ms; nosync: reply once written." },
	{ "load-offset", 0, OPT_REQUIRED, O_LOAD_OFFSET, "SPEC",
	  "Offset of every LOAD (and sendfile reply) without offset=, wherever it appears "
	  "(e.g. 0 to re-read a file's start, unif:min=0,max=32g for random reads)." },
	{ "store-offset", 0, OPT_REQUIRED, O_STORE_OFFSET, "SPEC",
	  "Offset of every STORE without offset= (e.g. unif:min=0,max=32g for random writes)." },
	{ "skip", 's', OPT_REQUIRED, 's', "N[,prob=P][,every=M]",
	  "Add a SKIP: the node skips the next N ops with probability P (default 1), on one "
	  "request in every M (default 1)." },
	{ "sleep", 0, OPT_REQUIRED, PROG_OP_SLEEP, "TIME_SPEC",
	  "Add a SLEEP op: the node waits that long off the CPU (a timer; it serves other "
	  "requests meanwhile), e.g. time spent waiting on a disk or a lock." },
	{ "choice", 0, OPT_REQUIRED, PROG_OP_CHOICE, "WEIGHT",
	  "Start an alternative of a choice group: exactly one alternative runs per request, "
	  "each with probability WEIGHT / (sum of the group's weights), drawn by the node. The "
	  "first --choice opens the group, each later one starts the next alternative, "
	  "--choice-end closes it (--choice 0.7 -C 1ms --choice 0.3 -F ADDR,route=x "
	  "--choice-end). Built from SKIP ops." },
	{ "choice-end", 0, OPT_NONE, PROG_OP_CHOICE_END, NULL,
	  "Close the open --choice group." },
	{ "seed", 0, OPT_REQUIRED, O_SEED, "N",
	  "Seed of all random choices (default: from the clock, printed in the summary). Each "
	  "thread and session draws from its own stream, so a seed reproduces the run." },
	{ "wait-spin", 0, OPT_NONE, O_WS, NULL,
	  "Busy-wait until each send time instead of sleeping (one core per thread). "
	  "--non-block is DistWalk's spelling of the same: meshwalk's sockets never block "
	  "a send anyway." },
	{ "ws", 0, OPT_NONE, O_WS, NULL, NULL },
	{ "non-block", 0, OPT_NONE, O_WS, NULL, NULL },
	{ "retry-num", 0, OPT_REQUIRED, O_RETRY_NUM, "N",
	  "Connection attempts to repeat per session when connect fails (default 0)." },
	{ "retry-period", 0, OPT_REQUIRED, O_RETRY_PERIOD, "MSEC",
	  "Milliseconds between connection attempts (default 200, as DistWalk)." },
	{ "timeout", 0, OPT_REQUIRED, O_TIMEOUT, "DURATION",
	  "Response timeout per request (default 10s; bare numbers are us). A request without "
	  "a reply by then counts as a timeout." },
	{ "no-delay", 0, OPT_REQUIRED, O_NODELAY, "0|1", "Set TCP_NODELAY (default 1)." },
	{ "nd", 0, OPT_REQUIRED, O_NODELAY, "0|1", NULL },
	{ "script-filename", 'f', OPT_REQUIRED, O_SCRIPT, "FILE",
	  "Read options and ops from FILE as if written here on the command line ('#' starts "
	  "a comment)." },
	{ "csv", 0, OPT_REQUIRED, O_CSV, "FILE",
	  "Write one CSV row per request (also failed ones) to FILE, as the run goes "
	  "(columns in docs/results.md)." },
	{ "output", 'o', OPT_REQUIRED, 'o', "FILE[,sep=C][,header=0|1]",
	  "Write DistWalk's result file: the per-request lines go to FILE instead of stdout, "
	  "as rows of t, elapsed, req_id, thr_id, sess_id (FILE.csv: values separated by C, "
	  "default ','; header=1 adds a first line naming the columns) or as FILE.txt lines "
	  "'t:N,elapsed:N,req_id:N,thr_id:N,sess_id:N'. Times in us (ns with --nano)." },
	{ "output-file", 0, OPT_REQUIRED, 'o', "FILE[,sep=C][,header=0|1]", NULL },
	{ "json", 0, OPT_REQUIRED, O_JSON, "FILE",
	  "Write the summary as JSON to FILE (keys in docs/results.md)." },
	{ "trace-sample", 0, OPT_REQUIRED, O_TRACE_SAMPLE, "P",
	  "Trace this share of the requests (0 to 1, e.g. 0.01; default 0: none): the decision "
	  "is made here, per request, and carried with it as a W3C trace context, so every "
	  "node it reaches records its spans (node --trace-out) and a trace is whole or absent. "
	  "Sampling draws from its own generator: the workload's values do not change. See "
	  "docs/tracing.md." },
	{ "trace-out", 0, OPT_REQUIRED, O_TRACE_OUT, "FILE",
	  "Write the sampled requests' CLIENT spans (the roots of their traces) to FILE as "
	  "OTLP JSON, one ExportTraceServiceRequest per line." },
	{ "otlp-endpoint", 0, OPT_REQUIRED, O_OTLP_ENDPOINT, "URL",
	  "Also (or instead) POST them to an OTLP/HTTP collector, URL http://HOST:PORT/v1/traces, "
	  "from a background thread; spans that find the buffers full, or batches the "
	  "collector refuses, are counted in the summary, never waited for." },
	{ "service-name", 0, OPT_REQUIRED, O_SERVICE_NAME, "NAME",
	  "The service.name of the client spans (default meshwalk-client)." },
	{ "quiet", 'q', OPT_NONE, 'q', NULL,
	  "Do not print the Configuration block, the per-request lines and the per-thread "
	  "totals (the summary stays)." },
	{ "no-summary", 0, OPT_NONE, O_NO_SUMMARY, NULL,
	  "Do not print meshwalk's summary: only DistWalk's lines remain (with meshwalk's "
	  "values; README \"Differences from DistWalk\" lists where they differ)." },
	{ "strict-rate", 0, OPT_NONE, O_STRICT_RATE, NULL,
	  "Exit 1 when the achieved rate misses the target by more than 0.5%." },
	{ "spin-margin", 0, OPT_REQUIRED, O_SPIN_MARGIN, "DURATION",
	  "Least time before each send at which the thread stops sleeping and spins (default "
	  "20us). The margin adapts upwards, up to 2ms, to the wake-up latency the thread "
	  "observes, but never beyond a quarter of the time to the send, so sends stay on time "
	  "without spinning between them; 0 = sleep only." },
	{ "busy-poll", 0, OPT_REQUIRED, O_BUSY_POLL, "DURATION",
	  "After each send, poll for the reply without sleeping for up to DURATION (default "
	  "0: sleep at once). Costs CPU; on virtual machines, where waking a sleeping thread "
	  "costs more than a loopback round trip, it brings the measured round trip down to "
	  "the floor." },
	{ "per-session-output", 0, OPT_NONE, O_PSO, NULL,
	  "Print each session's per-request lines together when the session ends (default: "
	  "lines are written as replies come, in 60 KB batches)." },
	{ "pso", 0, OPT_NONE, O_PSO, NULL, NULL },
	{ "interactive-pso", 'i', OPT_NONE, 'i', NULL,
	  "Print each per-request line the moment its reply arrives (a write per line: for "
	  "watching a run, not for high rates)." },
	{ "nano", 0, OPT_NONE, O_NANO, NULL,
	  "Print the per-request lines (and --conn-times lines) in nanoseconds: "
	  "'t: <ns> ns, elapsed: <ns> ns, ...'." },
	{ "stag-send", 0, OPT_NONE, O_STAG_SEND, NULL,
	  "Stagger the threads: thread i starts its schedule i/nt of a mean inter-arrival time "
	  "late, so the threads' requests interleave instead of hitting the node together." },
	{ "conn-times", 0, OPT_NONE, O_CONN_TIMES, NULL,
	  "Report connect() times: DistWalk's line 'conn_time: <us> us, req_id: N, thr_id: N, "
	  "sess_id: N' per session (unless -q) and a connect() row in the summary and a "
	  "\"connect\" object in the JSON." },
	{ "auth-key-file", 0, OPT_REQUIRED, O_AUTH_KEY, "FILE",
	  "Shared secret of nodes started with the same option (16 to 1024 bytes, mode 600): "
	  "every request carries an HMAC-SHA256 tag, and a reply without the right tag breaks "
	  "the session (counted as lost, never as a success)." },
	{ "dpdk-rx-cpu", 0, OPT_REQUIRED, O_DPDK, "N",
	  "DistWalk's DPDK options (also --dpdk-tx-cpu and dpdk:// addresses) are refused: "
	  "meshwalk has no DPDK transport." },
	{ "dpdk-tx-cpu", 0, OPT_REQUIRED, O_DPDK, "N", NULL },
	{ "ssl-ca", 0, OPT_REQUIRED, O_SSL_CA, "FILE",
	  "Trusted CA certificates (PEM) for --ssl-verify with an ssl:// target. Every --ssl-* "
	  "file is read before the run starts: a missing or bad one exits 1, naming it." },
	{ "ssl-ca-path", 0, OPT_REQUIRED, O_SSL_CA_PATH, "DIR",
	  "A directory of trusted CA certificates (hashed names, openssl rehash)." },
	{ "ssl-cert", 0, OPT_REQUIRED, O_SSL_CERT, "FILE",
	  "Client certificate (PEM) for nodes that verify their clients (node --ssl-verify)." },
	{ "ssl-ciphers", 0, OPT_REQUIRED, O_SSL_CIPHERS, "CIPHERS",
	  "Allowed ciphers: an OpenSSL cipher list for TLS 1.2 or TLS 1.3 suites." },
	{ "ssl-key", 0, OPT_REQUIRED, O_SSL_KEY, "FILE",
	  "The private key of --ssl-cert (PEM; default: the --ssl-cert file)." },
	{ "ssl-verify", 0, OPT_NONE, O_SSL_VERIFY, NULL,
	  "Verify the node's certificate against --ssl-ca / --ssl-ca-path (else the system's "
	  "store) and the host name or address of --to; a failed verification fails the "
	  "connect (exit 1, the reason printed)." },
	{ "usage", 0, OPT_NONE, O_USAGE, NULL, "Print a short usage line and exit." },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit." },
	{ 0 },
};

static const char client_usage[] = "meshwalk client [OPTIONS] [OPS]";
static const char client_intro[] =
	"Sends requests to a meshwalk node and measures their latency. Each request carries\n"
	"a program built from the ops on the command line, in order (-C, -L, -S, -F ... -R,\n"
	"-s); with no op, a request is a plain ping. Accepts dw_client's command lines;\n"
	"every option takes '--opt value' or '--opt=value'; spec parameters may be\n"
	"separated by ',' or ':'. Output: DistWalk's Configuration block, per-request lines\n"
	"and per-thread totals, then meshwalk's summary. Exit status: 0 when every request\n"
	"succeeded, 1 otherwise, 2 on bad usage, 130 when interrupted by SIGINT or SIGTERM\n"
	"(it stops at once and writes every output; the requests not sent yet are one\n"
	"count, unsent_interrupted, without CSV rows).";

void cmd_client_man(FILE *f)
{
	opt_print_man(f, "meshwalk-client", "meshwalk load generator", client_usage, client_intro,
		      client_opts,
		      ".SH SPECS\nEvery number may be a constant with units (10ms, 1.5k, 32g), a "
		      "distribution (unif, exp, norm, lognorm, gamma, weibull, pareto, with optional "
		      "min=/max=), a sequence (aseq, gseq) or a CSV column (file:path,col=N). See "
		      "docs/specs.md.\n"
		      ".SH OUTPUT\nFirst DistWalk's Configuration: block (its keys, meshwalk's values, "
		      "the request template in DistWalk's notation). Per request: t: <intended send, "
		      "us since start> us, elapsed: "
		      "<intended send to reply, us> us, req_id: N, thr_id: N, sess_id: N. Per thread: "
		      "Sent pkts \\- success: N, error: N, timeout: N, thr_id: N. Then the summary: "
		      "counts, achieved vs target rate, and latency percentiles from a fixed-memory "
		      "histogram (<1% error).\n"
		      ".SH EXIT STATUS\n0 when every request got a successful reply; 1 when any "
		      "failed, timed out or was not sent (or the rate was missed with "
		      "\\-\\-strict\\-rate); 2 on a usage error.\n.SH SEE ALSO\nmeshwalk\\-node(1)\n");
}

static void free_trace_opts(struct client_config *c)
{
	free((char *)c->trace_out);
	free((char *)c->otlp_endpoint);
	free((char *)c->service_name);
	c->trace_out = c->otlp_endpoint = c->service_name = NULL;
}

static int parse_uint(const char *what, const char *v, uint64_t min, uint64_t max, uint64_t *out)
{
	struct err e;
	double d;

	if (units_parse(v, SPEC_COUNT, &d, &e) < 0 || d < (double)min || d > (double)max ||
	    d != (double)(uint64_t)d) {
		log_msg("%s: expected a whole number in %" PRIu64 "..%" PRIu64 ", got '%s'", what, min,
			max, v);
		return -1;
	}
	*out = (uint64_t)d;
	return 0;
}

static int parse_spec(const char *what, const char *v, enum spec_unit unit, struct spec **out)
{
	struct err e;

	if (spec_parse(v, unit, out, &e) < 0) {
		log_msg("%s: %s", what, e.msg);
		return -1;
	}
	return 0;
}

static uint64_t default_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ((uint64_t)ts.tv_sec * 1000003u) ^ (uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32);
}

/* Appends one op word and its value to the program's text (sent as op
 * words over http://). */
static void words_add(struct wire_buf *w, const char *opt, const char *arg)
{
	if (w->len)
		wire_buf_put(w, " ", 1);
	wire_buf_put(w, opt, strlen(opt));
	if (arg) {
		wire_buf_put(w, " ", 1);
		wire_buf_put(w, arg, strlen(arg));
	}
}

/* The op word of a getopt code, as prog_parse_text() reads it. */
static const char *op_word(int opt)
{
	switch (opt) {
	case 'C': return "-C";
	case 'F': return "-F";
	case 'R': return "-R";
	case 'L': return "-L";
	case 'S': return "-S";
	case 's': return "-s";
	case PROG_OP_SLEEP: return "--sleep";
	case PROG_OP_CHOICE: return "--choice";
	default: return "--choice-end";
	}
}

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

/* --to http://HOST:PORT/NAME: splits the route name off into *route; the
 * Host field into *host. */
static int parse_to(const char *arg, struct sock_addr *to, char **route, char **hostf,
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

/* A duration from 0 to 1s, into nanoseconds. */
static int parse_short_duration(const char *opt, const char *arg, int64_t *ns)
{
	struct err e;
	double us;

	if (units_parse(arg, SPEC_TIME, &us, &e) < 0 || us < 0 || us > 1e6) {
		log_msg("%s: expected a duration up to 1s, got '%s'", opt, arg);
		return -1;
	}
	*ns = (int64_t)(us * 1000);
	return 0;
}

/* A string option's value, copied (the last one given wins). */
static void set_str(const char **dst, const char *v)
{
	free((char *)*dst);
	*dst = xstrdup(v);
}

int cmd_client_parse(int argc0, char **argv0, struct client_config *out)
{
	struct client_config c;
	static struct auth_key key; /* 1 KiB: not on the stack */
	struct opt_parser p;
	struct prog_builder b;
	struct prog *prog = NULL;
	struct spec *pace = NULL, *req_size = NULL, *load_offset = NULL, *store_offset = NULL;
	struct err e;
	int argc, opt, rc = 0;
	char **argv;
	bool n_auto = false, have_rate = false, have_period = false, have_seed = false;
	bool have_ops = false, closed_loop = false;
	char *to_route = NULL; /* --to http://HOST:PORT/NAME */
	struct wire_buf words; /* the ops as text, for http:// */
	uint64_t v;
	double d;

	client_config_defaults(&c);
	if (opt_expand_scripts(argc0, argv0, &argc, &argv, &e) < 0) {
		log_msg("%s", e.msg);
		return 2;
	}
	prog_builder_init(&b);
	wire_buf_init(&words);
	opt_build(client_opts, &p);
	optind = 0; /* 0, not 1: a full reset of getopt, also after a parse that stopped midway */
	opterr = 0;
	while (rc == 0 && (opt = getopt_long(argc, argv, p.shortopts, p.longopts, NULL)) != -1) {
		switch (opt) {
		case O_TO:
			if (parse_to(optarg, &c.to, &to_route, (char **)&c.http_host, &e) < 0) {
				log_msg("--to: %s", e.msg);
				rc = 2;
			}
			break;
		case O_STREAMS:
			if (parse_uint("--streams", optarg, 1, H2CL_STREAMS_MAX, &v) < 0)
				rc = 2;
			c.h2_streams = (uint32_t)v;
			break;
		case 'b':
			if (sock_addr_parse(optarg, "0.0.0.0", 0, true, &c.bind, &e) < 0) {
				log_msg("--bind-addr: %s", e.msg);
				rc = 2;
			}
			c.has_bind = true;
			break;
		case 'n':
			if (strcmp(optarg, "auto") == 0)
				n_auto = true;
			else if (parse_uint("-n", optarg, 0, UINT64_MAX / 2, &c.requests) < 0)
				rc = 2;
			else
				n_auto = false;
			break;
		case O_NT:
			if (parse_uint("--nt", optarg, 1, 4096, &v) < 0)
				rc = 2;
			c.threads = (int)v;
			break;
		case O_NS:
			if (parse_uint("--ns", optarg, 1, UINT64_MAX / 2, &c.sessions) < 0)
				rc = 2;
			break;
		case 'r':
		case 'p':
			spec_destroy(pace);
			pace = NULL;
			if (parse_spec(opt == 'r' ? "-r" : "-p", optarg, opt == 'r' ? SPEC_COUNT : SPEC_TIME,
				       &pace) < 0)
				rc = 2;
			have_rate |= opt == 'r';
			have_period |= opt == 'p';
			break;
		case O_RSS:
			/* DistWalk takes seconds; accept units too ("500ms"). */
			if (units_parse(optarg, SPEC_COUNT, &d, &e) == 0)
				c.rate_step_secs = d;
			else if (units_parse(optarg, SPEC_TIME, &d, &e) == 0)
				c.rate_step_secs = d / 1e6;
			else
				c.rate_step_secs = -1;
			if (!(c.rate_step_secs > 0)) {
				log_msg("--rss: expected a positive number of seconds, got '%s'", optarg);
				rc = 2;
			}
			break;
		case O_PS:
			spec_destroy(req_size);
			req_size = NULL;
			if (parse_spec("--ps", optarg, SPEC_SIZE, &req_size) < 0)
				rc = 2;
			break;
		case 'C':
		case 'F':
		case 'R':
		case 'L':
		case 'S':
		case 's':
		case PROG_OP_SLEEP:
		case PROG_OP_CHOICE:
		case PROG_OP_CHOICE_END: {
			const char *arg = opt == 'R' ? opt_optional_arg(argc, argv)
					  : opt == PROG_OP_CHOICE_END ? NULL : optarg;

			if (prog_parse_op(&b, opt, arg, &e) < 0) {
				log_msg("%s", e.msg);
				rc = 2;
			}
			words_add(&words, op_word(opt), arg);
			have_ops = true;
			break;
		}
		case O_ROUTE:
			if (wire_route_check((const uint8_t *)optarg, (uint32_t)strlen(optarg), &e) < 0) {
				log_msg("--route: %s", e.msg);
				rc = 2;
			}
			free((char *)c.route);
			c.route = xstrdup(optarg);
			break;
		case O_AUTH_KEY:
			if (auth_key_load(optarg, &key, &e) < 0) {
				log_msg("--auth-key-file: %s", e.msg);
				rc = 2;
			}
			c.auth = &key;
			break;
		case O_LOAD_OFFSET:
		case O_STORE_OFFSET: {
			struct spec **slot = opt == O_LOAD_OFFSET ? &load_offset : &store_offset;

			spec_destroy(*slot);
			*slot = NULL;
			have_ops = true;
			words_add(&words, opt == O_LOAD_OFFSET ? "--load-offset" : "--store-offset", optarg);
			if (parse_spec(opt == O_LOAD_OFFSET ? "--load-offset" : "--store-offset", optarg,
				       SPEC_SIZE, slot) < 0)
				rc = 2;
			break;
		}
		case O_SEED:
			if (parse_uint("--seed", optarg, 0, UINT64_MAX, &c.seed) < 0)
				rc = 2;
			have_seed = true;
			break;
		case O_WS:
			c.wait_spin = true;
			break;
		case O_RETRY_NUM:
			if (parse_uint("--retry-num", optarg, 0, 1000000, &v) < 0)
				rc = 2;
			c.retry_num = (int)v;
			break;
		case O_RETRY_PERIOD:
			if (parse_uint("--retry-period", optarg, 0, 3600000, &c.retry_period_ms) < 0)
				rc = 2;
			break;
		case O_TIMEOUT:
			if (units_parse(optarg, SPEC_TIME, &d, &e) < 0 || d < 1 || d > 3.6e9) {
				log_msg("--timeout: expected a duration from 1us to 1h, got '%s'", optarg);
				rc = 2;
			} else {
				c.timeout_us = (uint64_t)d;
			}
			break;
		case O_NODELAY:
			if (parse_uint("--no-delay", optarg, 0, 1, &v) < 0)
				rc = 2;
			c.nodelay = v == 1;
			break;
		case O_CSV:
			free((char *)c.csv_path); /* copies: argv is freed after parsing */
			c.csv_path = xstrdup(optarg);
			break;
		case O_JSON:
			free((char *)c.json_path);
			c.json_path = xstrdup(optarg);
			break;
		case O_TRACE_SAMPLE: {
			char *end;

			errno = 0;
			c.trace_sample = strtod(optarg, &end);
			if (errno || end == optarg || *end || !(c.trace_sample >= 0 && c.trace_sample <= 1)) {
				log_msg("--trace-sample: expected a share from 0 to 1, got '%s'", optarg);
				rc = 2;
			}
			break;
		}
		case O_TRACE_OUT:
		case O_OTLP_ENDPOINT:
		case O_SERVICE_NAME: {
			const char **to = opt == O_TRACE_OUT	  ? &c.trace_out
					  : opt == O_OTLP_ENDPOINT ? &c.otlp_endpoint
								   : &c.service_name;

			if (opt == O_OTLP_ENDPOINT && trace_endpoint_check(optarg, &e) < 0) {
				log_msg("--otlp-endpoint: %s", e.msg);
				rc = 2;
			} else if (opt == O_SERVICE_NAME && (*optarg == '\0' || strlen(optarg) > 128)) {
				log_msg("--service-name: expected 1 to 128 characters, got '%s'", optarg);
				rc = 2;
			}
			free((char *)*to);
			*to = xstrdup(optarg);
			break;
		}
		case 'o':
			dw_outfile_free(&c.dw_out);
			if (dw_outfile_parse(optarg, &c.dw_out, &e) < 0) {
				log_msg("%s", e.msg);
				rc = 2;
			}
			break;
		case O_DPDK:
			log_msg("--dpdk-rx-cpu, --dpdk-tx-cpu: meshwalk has no DPDK transport");
			rc = 2;
			break;
		case O_SSL_CA:
			set_str(&c.tls.ca, optarg);
			break;
		case O_SSL_CA_PATH:
			set_str(&c.tls.ca_path, optarg);
			break;
		case O_SSL_CERT:
			set_str(&c.tls.cert, optarg);
			break;
		case O_SSL_CIPHERS:
			set_str(&c.tls.ciphers, optarg);
			break;
		case O_SSL_KEY:
			set_str(&c.tls.key, optarg);
			break;
		case O_SSL_VERIFY:
			c.tls.verify = true;
			break;
		case O_USAGE:
			printf("Usage: %s\n", client_usage);
			rc = -1;
			break;
		case 'q':
			c.per_request_text = false;
			break;
		case O_NO_SUMMARY:
			c.summary = false;
			break;
		case O_STRICT_RATE:
			c.strict_rate = true;
			break;
		case O_CLOSED_LOOP:
			closed_loop = true;
			break;
		case O_PSO:
			c.per_session_output = true;
			break;
		case 'i':
			c.interactive_output = true;
			break;
		case O_NANO:
			c.nano = true;
			break;
		case O_STAG_SEND:
			c.stag_send = true;
			break;
		case O_CONN_TIMES:
			c.conn_times = true;
			break;
		case O_BUSY_POLL:
			if (parse_short_duration("--busy-poll", optarg, &c.busy_poll_ns) < 0)
				rc = 2;
			break;
		case O_SPIN_MARGIN:
			if (parse_short_duration("--spin-margin", optarg, &c.spin_ns) < 0)
				rc = 2;
			break;
		case 'h':
			opt_print_help(stdout, client_usage, client_intro, client_opts);
			rc = -1;
			break;
		default: /* ':' or '?' */
			rc = opt_bad(client_opts, opt, argv[optind - 1], "client");
			break;
		}
	}
	if (rc == 0 && optind < argc) {
		log_msg("unexpected argument '%s' (see meshwalk client --help)", argv[optind]);
		rc = 2;
	}
	if (rc == 0 && to_route) {
		if (c.route && strcmp(c.route, to_route) != 0) {
			log_msg("--to names route %s and --route %s: give one", to_route, c.route);
			rc = 2;
		}
		free((char *)c.route);
		c.route = to_route;
		to_route = NULL;
	}
	if (rc == 0 && c.route && have_ops) {
		log_msg("--route %s: the node runs its installed route, so ops (-C, -L, -S, -F, -R, "
			"-s, --load-offset, --store-offset) cannot be given with it", c.route);
		rc = 2;
	}
	if (rc == 0 && have_rate && have_period) {
		log_msg("-r and -p both given: use one of them");
		rc = 2;
	}
	if (rc == 0 && closed_loop && (have_rate || have_period)) {
		log_msg("--closed-loop with %s: use one of them", have_rate ? "-r" : "-p");
		rc = 2;
	}
	if (rc == 0 && have_rate && spec_is_const(pace) && !(spec_mean(pace) > 0)) {
		log_msg("-r: a rate must be above 0 (--closed-loop: one request in flight per "
			"thread)");
		rc = 2;
	}
	if (rc == 0) {
		if (have_period)
			c.pacing = PACER_PERIOD;
		else if (have_rate)
			c.pacing = c.rate_step_secs > 0 ? PACER_RATE_STEPS : PACER_RATE;
		else if (c.rate_step_secs > 0) {
			log_msg("--rss needs -r");
			rc = 2;
		} else if (!closed_loop && !n_auto) {
			/* DistWalk's default pacing (the README promises its meaning). */
			if (parse_spec("-r", DEFAULT_RATE, SPEC_COUNT, &pace) < 0)
				rc = 2;
			c.pacing = PACER_RATE;
		}
	}
	if (rc == 0 && n_auto && c.pacing == PACER_RATE_STEPS && pace &&
	    spec_length(pace) > 10000000) {
		/* Each step is summed one by one: refuse rather than hang. */
		log_msg("-n auto: the rate sequence has %llu steps (more than 10^7); give -n",
			(unsigned long long)spec_length(pace));
		rc = 2;
	}
	if (rc == 0 && n_auto) {
		c.requests = pacer_auto_count(c.pacing, pace, c.rate_step_secs);
		if (c.requests == 0) {
			log_msg("-n auto needs -p or -r with a finite sequence or file spec");
			rc = 2;
		}
	}
	if (rc == 0) {
		prog_set_default_offsets(&b, load_offset, store_offset);
		load_offset = store_offset = NULL;
	}
	if (rc == 0 && sock_is_http(c.to.proto)) {
		wire_buf_put(&words, "", 1);
		c.prog_text = xstrdup((const char *)words.data);
		if (httpc_check(&c, &e) < 0) {
			log_msg("--to %s: %s", c.to.proto == SOCK_HTTP ? "http://"
					       : c.to.proto == SOCK_HTTPS ? "https://"
					       : c.to.proto == SOCK_H2C ? "h2c://"
					       : c.to.proto == SOCK_GRPC ? "grpc://" : "grpcs://", e.msg);
			rc = 2;
			free((char *)c.prog_text);
			c.prog_text = NULL;
		}
	}
	if (rc == 0 && (c.trace_out || c.otlp_endpoint) && c.trace_sample == 0)
		log_msg("warning: --trace-out and --otlp-endpoint record nothing without --trace-sample");
	if (rc == 0 && prog_finish(&b, &prog, &e) < 0) {
		log_msg("%s", e.msg);
		rc = 2;
		/* The builder is consumed either way; what the options took is not
		 * (found by fuzz_client_args: a --csv path leaked with a program over
		 * a node's limits). */
		free((char *)c.csv_path);
		free((char *)c.json_path);
		free((char *)c.prog_text);
		free((char *)c.http_host);
		free_trace_opts(&c);
		dw_outfile_free(&c.dw_out);
	} else if (rc == 0) {
		c.prog = prog;
		c.pace = pace;
		c.req_size = req_size;
		prog = NULL;
		pace = req_size = NULL; /* now the config's */
		if (!have_seed)
			c.seed = default_seed();
		c.command_line = opt_join(argc0, argv0);
		*out = c;
	} else {
		if (b.root)
			prog_builder_abort(&b);
		free((char *)c.csv_path);
		free((char *)c.json_path);
		free((char *)c.route);
		free((char *)c.http_host);
		free_trace_opts(&c);
		dw_outfile_free(&c.dw_out);
	}
	free(to_route);
	wire_buf_free(&words);
	prog_destroy(prog);
	spec_destroy(pace);
	spec_destroy(req_size);
	spec_destroy(load_offset);
	spec_destroy(store_offset);
	opt_free(&p);
	opt_free_argv(argc, argv);
	return rc;
}

void cmd_client_free(struct client_config *c)
{
	const char **tls_files[] = { &c->tls.ca, &c->tls.ca_path, &c->tls.cert, &c->tls.ciphers,
				     &c->tls.key };

	for (size_t i = 0; i < sizeof tls_files / sizeof tls_files[0]; i++) {
		free((char *)*tls_files[i]);
		*tls_files[i] = NULL;
	}
	prog_destroy((struct prog *)c->prog);
	spec_destroy((struct spec *)c->pace);
	spec_destroy((struct spec *)c->req_size);
	free((char *)c->command_line);
	free((char *)c->csv_path);
	free((char *)c->json_path);
	free((char *)c->route);
	free((char *)c->prog_text);
	free((char *)c->http_host);
	free_trace_opts(c);
	dw_outfile_free(&c->dw_out);
	c->route = NULL;
	c->prog_text = NULL;
	c->http_host = NULL;
	c->prog = NULL;
	c->pace = c->req_size = NULL;
	c->command_line = c->csv_path = c->json_path = NULL;
}

int cmd_client(int argc, char **argv)
{
	struct client_config c;
	int rc;

	/* Here, not in the parser: meshwalk run names the scenario line instead. */
	log_set_name("meshwalk client");
	rc = cmd_client_parse(argc, argv, &c);

	if (rc != 0)
		return rc < 0 ? 0 : rc; /* -1: --help was printed */
	rc = client_run(&c);
	cmd_client_free(&c);
	return rc;
}
