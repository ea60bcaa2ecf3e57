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

#include "cli/client_to.h"
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

/* What the parse fills: the config, and what the options build towards it. */
struct client_args {
	struct client_config c;
	struct prog_builder b;
	struct spec *pace, *req_size, *load_offset, *store_offset;
	bool n_auto, have_rate, have_period, have_seed, have_ops, closed_loop;
	char *to_route;       /* --to http://HOST:PORT/NAME */
	struct wire_buf words; /* the ops as text, for http:// */
};

#define AT(field) OPT_AT(struct client_args, c.field)

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
	  "h2c://, https:// over HTTP/2, grpc:// and grpcs://: HTTP/2 streams open at once on each "
	  "connection (1 to 65536, default 100); a request sent while N are open waits for one to "
	  "close, and its latency counts from its intended send time.",
	  .kind = OPT_K_UINT, AT(h2_streams), .min = 1, .max = H2CL_STREAMS_MAX },
	{ "bind-addr", 'b', OPT_REQUIRED, 'b', "ADDR",
	  "Local address (and optional port) to connect from." },
	{ "num-pkts", 'n', OPT_REQUIRED, 'n', "N|auto",
	  "Requests per thread, across all its sessions (default 1). 'auto' takes the count "
	  "from a finite -p/-r sequence or file (with --rss: the sum of rate x step length)." },
	{ "nt", 0, OPT_REQUIRED, O_NT, "N",
	  "Number of client threads, each with its own connection and "
	  "its own -n, -r and -p (default 1).",
	  .kind = OPT_K_UINT, AT(threads), .min = 1, .max = 4096 },
	{ "num-threads", 0, OPT_REQUIRED, O_NT, "N", NULL },
	{ "ns", 0, OPT_REQUIRED, O_NS, "N",
	  "Sessions per thread: the thread's requests are split evenly over N consecutive "
	  "connections, each closed once all its replies are in (default 1).",
	  .kind = OPT_K_UINT, AT(sessions), .min = 1, .max = UINT64_MAX / 2 },
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
	  "in (one request in flight per thread; meshwalk's own, not with -r or -p).",
	  .kind = OPT_K_FLAG, OPT_AT(struct client_args, closed_loop) },
	{ "rate-step-secs", 0, OPT_REQUIRED, O_RSS, "SECONDS",
	  "Length of each rate step for -r (a bare number is seconds; 500ms also works)." },
	{ "rss", 0, OPT_REQUIRED, O_RSS, "SECONDS", NULL },
	{ "ps", 0, OPT_REQUIRED, O_PS, "SIZE_SPEC",
	  "Size of each request frame in bytes (padded with zeros; never smaller than the "
	  "program it carries). Over http:// the request is a POST with a zero body of this "
	  "size (at most 1m, a node's body limit)." },
	{ "comp-time", 'C', OPT_REQUIRED, 'C', "TIME_SPEC[,ws=SIZE]",
	  "Add a COMPUTE op: busy CPU for that long on the node running this part of the "
	  "program (default unit us: -C 100, -C 10ms, -C unif:min=1k,max=10k). ws=SIZE (a "
	  "constant, 64 to 1gi bytes): meanwhile the node walks a buffer of SIZE bytes a cache "
	  "line at a time, so caches and memory feel the load too (-C 1ms,ws=4m)." },
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
	  "every forward to the target is a stream of one connection (docs/grpc.md). Over TLS, "
	  "with the forwarding node's --ssl-*: https://HOST:PORT/NAME speaks HTTP/2 or HTTP/1.1 "
	  "as the target's ALPN chooses, grpcs://HOST:PORT/NAME gRPC (ALPN h2) (docs/tls.md). "
	  "With a scheme (tcp://, ssl://, http://, https://, h2c://, grpc://, grpcs://), a HOST "
	  "that is not a numeric address is carried as a name and resolved by the forwarding node "
	  "when it connects (HTTP sends it as Host / :authority: docs/protocol.md, named targets); "
	  "without one (HOST:PORT, as DistWalk writes it) it is resolved here." },
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
	  "a send anyway.",
	  .kind = OPT_K_FLAG, AT(wait_spin) },
	{ "ws", 0, OPT_NONE, O_WS, NULL, NULL },
	{ "non-block", 0, OPT_NONE, O_WS, NULL, NULL },
	{ "retry-num", 0, OPT_REQUIRED, O_RETRY_NUM, "N",
	  "Connection attempts to repeat per session when connect fails (default 0).",
	  .kind = OPT_K_UINT, AT(retry_num), .min = 0, .max = 1000000 },
	{ "retry-period", 0, OPT_REQUIRED, O_RETRY_PERIOD, "MSEC",
	  "Milliseconds between connection attempts (default 200, as DistWalk).",
	  .kind = OPT_K_UINT, AT(retry_period_ms), .min = 0, .max = 3600000 },
	{ "timeout", 0, OPT_REQUIRED, O_TIMEOUT, "DURATION",
	  "Response timeout per request (default 10s; bare numbers are us). A request without "
	  "a reply by then counts as a timeout.",
	  .kind = OPT_K_TIME, AT(timeout_us), .min = 1, .max = 3.6e9 },
	{ "no-delay", 0, OPT_REQUIRED, O_NODELAY, "0|1", "Set TCP_NODELAY (default 1).",
	  .kind = OPT_K_UINT, AT(nodelay), .min = 0, .max = 1 },
	{ "nd", 0, OPT_REQUIRED, O_NODELAY, "0|1", NULL },
	{ "script-filename", 'f', OPT_REQUIRED, O_SCRIPT, "FILE",
	  "Read options and ops from FILE as if written here on the command line ('#' starts "
	  "a comment)." },
	{ "csv", 0, OPT_REQUIRED, O_CSV, "FILE",
	  "Write one CSV row per request (also failed ones) to FILE, as the run goes "
	  "(columns in docs/results.md).",
	  .kind = OPT_K_COPY, AT(csv_path) },
	{ "output", 'o', OPT_REQUIRED, 'o', "FILE[,sep=C][,header=0|1]",
	  "Write DistWalk's result file: the per-request lines go to FILE instead of stdout, "
	  "as rows of t, elapsed, req_id, thr_id, sess_id (FILE.csv: values separated by C, "
	  "default ','; header=1 adds a first line naming the columns) or as FILE.txt lines "
	  "'t:N,elapsed:N,req_id:N,thr_id:N,sess_id:N'. Times in us (ns with --nano)." },
	{ "output-file", 0, OPT_REQUIRED, 'o', "FILE[,sep=C][,header=0|1]", NULL },
	{ "json", 0, OPT_REQUIRED, O_JSON, "FILE",
	  "Write the summary as JSON to FILE (keys in docs/results.md).",
	  .kind = OPT_K_COPY, AT(json_path) },
	{ "trace-sample", 0, OPT_REQUIRED, O_TRACE_SAMPLE, "P",
	  "Trace this share of the requests (0 to 1, e.g. 0.01; default 0: none): the decision "
	  "is made here, per request, and carried with it as a W3C trace context, so every "
	  "node it reaches records its spans (node --trace-out) and a trace is whole or absent. "
	  "Sampling draws from its own generator: the workload's values do not change. See "
	  "docs/tracing.md." },
	{ "trace-out", 0, OPT_REQUIRED, O_TRACE_OUT, "FILE",
	  "Write the sampled requests' CLIENT spans (the roots of their traces) to FILE as "
	  "OTLP JSON, one ExportTraceServiceRequest per line.",
	  .kind = OPT_K_COPY, AT(trace_out) },
	{ "otlp-endpoint", 0, OPT_REQUIRED, O_OTLP_ENDPOINT, "URL",
	  "Also (or instead) POST them to an OTLP/HTTP collector, URL http://HOST:PORT/v1/traces, "
	  "from a background thread; spans that find the buffers full, or batches the "
	  "collector refuses, are counted in the summary, never waited for." },
	{ "service-name", 0, OPT_REQUIRED, O_SERVICE_NAME, "NAME",
	  "The service.name of the client spans (default meshwalk-client).",
	  .kind = OPT_K_COPY, AT(service_name), .max = 128 },
	{ "quiet", 'q', OPT_NONE, 'q', NULL,
	  "Do not print the Configuration block, the per-request lines and the per-thread "
	  "totals (the summary stays).",
	  .kind = OPT_K_OFF, AT(per_request_text) },
	{ "no-summary", 0, OPT_NONE, O_NO_SUMMARY, NULL,
	  "Do not print meshwalk's summary: only DistWalk's lines remain (with meshwalk's "
	  "values; README \"Differences from DistWalk\" lists where they differ).",
	  .kind = OPT_K_OFF, AT(summary) },
	{ "strict-rate", 0, OPT_NONE, O_STRICT_RATE, NULL,
	  "Exit 1 when the achieved rate misses the target by more than 0.5%.",
	  .kind = OPT_K_FLAG, AT(strict_rate) },
	{ "spin-margin", 0, OPT_REQUIRED, O_SPIN_MARGIN, "DURATION",
	  "Least time before each send at which the thread stops sleeping and spins (default "
	  "20us). The margin adapts upwards, up to 2ms, to the wake-up latency the thread "
	  "observes, but never beyond a quarter of the time to the send, so sends stay on time "
	  "without spinning between them; 0 = sleep only.",
	  .kind = OPT_K_TIME, AT(spin_ns), .min = 0, .max = 1e6, .scale = 1000 },
	{ "busy-poll", 0, OPT_REQUIRED, O_BUSY_POLL, "DURATION",
	  "After each send, poll for the reply without sleeping for up to DURATION (default "
	  "0: sleep at once). Costs CPU; on virtual machines, where waking a sleeping thread "
	  "costs more than a loopback round trip, it brings the measured round trip down to "
	  "the floor.",
	  .kind = OPT_K_TIME, AT(busy_poll_ns), .min = 0, .max = 1e6, .scale = 1000 },
	{ "per-session-output", 0, OPT_NONE, O_PSO, NULL,
	  "Print each session's per-request lines together when the session ends (default: "
	  "lines are written as replies come, in 60 KB batches).",
	  .kind = OPT_K_FLAG, AT(per_session_output) },
	{ "pso", 0, OPT_NONE, O_PSO, NULL, NULL },
	{ "interactive-pso", 'i', OPT_NONE, 'i', NULL,
	  "Print each per-request line the moment its reply arrives (a write per line: for "
	  "watching a run, not for high rates).",
	  .kind = OPT_K_FLAG, AT(interactive_output) },
	{ "nano", 0, OPT_NONE, O_NANO, NULL,
	  "Print the per-request lines (and --conn-times lines) in nanoseconds: "
	  "'t: <ns> ns, elapsed: <ns> ns, ...'.",
	  .kind = OPT_K_FLAG, AT(nano) },
	{ "stag-send", 0, OPT_NONE, O_STAG_SEND, NULL,
	  "Stagger the threads: thread i starts its schedule i/nt of a mean inter-arrival time "
	  "late, so the threads' requests interleave instead of hitting the node together.",
	  .kind = OPT_K_FLAG, AT(stag_send) },
	{ "conn-times", 0, OPT_NONE, O_CONN_TIMES, NULL,
	  "Report connect() times: DistWalk's line 'conn_time: <us> us, req_id: N, thr_id: N, "
	  "sess_id: N' per session (unless -q) and a connect() row in the summary and a "
	  "\"connect\" object in the JSON.",
	  .kind = OPT_K_FLAG, AT(conn_times) },
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
	  "file is read before the run starts: a missing or bad one exits 1, naming it.",
	  .kind = OPT_K_COPY, AT(tls.ca) },
	{ "ssl-ca-path", 0, OPT_REQUIRED, O_SSL_CA_PATH, "DIR",
	  "A directory of trusted CA certificates (hashed names, openssl rehash).",
	  .kind = OPT_K_COPY, AT(tls.ca_path) },
	{ "ssl-cert", 0, OPT_REQUIRED, O_SSL_CERT, "FILE",
	  "Client certificate (PEM) for nodes that verify their clients (node --ssl-verify).",
	  .kind = OPT_K_COPY, AT(tls.cert) },
	{ "ssl-ciphers", 0, OPT_REQUIRED, O_SSL_CIPHERS, "CIPHERS",
	  "Allowed ciphers: an OpenSSL cipher list for TLS 1.2 or TLS 1.3 suites.",
	  .kind = OPT_K_COPY, AT(tls.ciphers) },
	{ "ssl-key", 0, OPT_REQUIRED, O_SSL_KEY, "FILE",
	  "The private key of --ssl-cert (PEM; default: the --ssl-cert file).",
	  .kind = OPT_K_COPY, AT(tls.key) },
	{ "ssl-verify", 0, OPT_NONE, O_SSL_VERIFY, NULL,
	  "Verify the node's certificate against --ssl-ca / --ssl-ca-path (else the system's "
	  "store) and the host name or address of --to; a failed verification fails the "
	  "connect (exit 1, the reason printed).",
	  .kind = OPT_K_FLAG, AT(tls.verify) },
	{ "usage", 0, OPT_NONE, O_USAGE, NULL, "Print a short usage line and exit.",
	  .kind = OPT_K_USAGE },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit.",
	  .kind = OPT_K_HELP },
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

/* Rate and period values, and -n. */
static int pace_opt(struct client_args *a, int opt, const char *arg)
{
	struct client_config *c = &a->c;
	struct err e;
	double d;

	switch (opt) {
	case 'n':
		if (strcmp(arg, "auto") == 0) {
			a->n_auto = true;
			return 0;
		}
		if (opt_uint("-n", arg, 0, UINT64_MAX / 2, &c->requests) < 0)
			return 2;
		a->n_auto = false;
		return 0;
	case 'r':
	case 'p':
		spec_destroy(a->pace);
		a->pace = NULL;
		a->have_rate |= opt == 'r';
		a->have_period |= opt == 'p';
		return parse_spec(opt == 'r' ? "-r" : "-p", arg, opt == 'r' ? SPEC_COUNT : SPEC_TIME,
				  &a->pace) < 0 ? 2 : 0;
	case O_RSS:
		/* DistWalk takes seconds; accept units too ("500ms"). */
		if (units_parse(arg, SPEC_COUNT, &d, &e) == 0)
			c->rate_step_secs = d;
		else if (units_parse(arg, SPEC_TIME, &d, &e) == 0)
			c->rate_step_secs = d / 1e6;
		else
			c->rate_step_secs = -1;
		if (!(c->rate_step_secs > 0)) {
			log_msg("--rss: expected a positive number of seconds, got '%s'", arg);
			return 2;
		}
		return 0;
	case O_PS:
		spec_destroy(a->req_size);
		a->req_size = NULL;
		return parse_spec("--ps", arg, SPEC_SIZE, &a->req_size) < 0 ? 2 : 0;
	}
	return 2;
}

/* The ops (in order, into the program and its text) and the offsets. */
static int op_opt(struct client_args *a, int opt, const char *arg)
{
	struct err e;

	a->have_ops = true;
	if (opt == O_LOAD_OFFSET || opt == O_STORE_OFFSET) {
		const char *name = opt == O_LOAD_OFFSET ? "--load-offset" : "--store-offset";
		struct spec **slot = opt == O_LOAD_OFFSET ? &a->load_offset : &a->store_offset;

		spec_destroy(*slot);
		*slot = NULL;
		words_add(&a->words, name, arg);
		return parse_spec(name, arg, SPEC_SIZE, slot) < 0 ? 2 : 0;
	}
	if (opt == PROG_OP_CHOICE_END)
		arg = NULL;
	words_add(&a->words, op_word(opt), arg);
	if (prog_parse_op(&a->b, opt, arg, &e) < 0) {
		log_msg("%s", e.msg);
		return 2;
	}
	return 0;
}

/* The options opt_parse() cannot apply by their row alone. */
static int client_opt(void *cfg, int opt, const char *arg)
{
	static struct auth_key key; /* 1 KiB: not on the stack */
	struct client_args *a = cfg;
	struct client_config *c = &a->c;
	struct err e;
	char *end;

	switch (opt) {
	case O_TO:
		if (client_to_parse(arg, &c->to, &a->to_route, (char **)&c->http_host, &e) < 0) {
			log_msg("--to: %s", e.msg);
			return 2;
		}
		return 0;
	case 'b':
		c->has_bind = true;
		if (sock_addr_parse(arg, "0.0.0.0", 0, true, &c->bind, &e) < 0) {
			log_msg("--bind-addr: %s", e.msg);
			return 2;
		}
		return 0;
	case 'n':
	case 'r':
	case 'p':
	case O_RSS:
	case O_PS:
		return pace_opt(a, opt, arg);
	case 'C':
	case 'F':
	case 'R':
	case 'L':
	case 'S':
	case 's':
	case PROG_OP_SLEEP:
	case PROG_OP_CHOICE:
	case PROG_OP_CHOICE_END:
	case O_LOAD_OFFSET:
	case O_STORE_OFFSET:
		return op_opt(a, opt, arg);
	case O_ROUTE:
		free((char *)c->route);
		c->route = xstrdup(arg);
		if (wire_route_check((const uint8_t *)arg, (uint32_t)strlen(arg), &e) < 0) {
			log_msg("--route: %s", e.msg);
			return 2;
		}
		return 0;
	case O_AUTH_KEY:
		c->auth = &key;
		if (auth_key_load(arg, &key, &e) < 0) {
			log_msg("--auth-key-file: %s", e.msg);
			return 2;
		}
		return 0;
	case O_SEED:
		a->have_seed = true;
		return opt_uint("--seed", arg, 0, UINT64_MAX, &c->seed) < 0 ? 2 : 0;
	case O_TRACE_SAMPLE:
		errno = 0;
		c->trace_sample = strtod(arg, &end);
		if (errno || end == arg || *end || !(c->trace_sample >= 0 && c->trace_sample <= 1)) {
			log_msg("--trace-sample: expected a share from 0 to 1, got '%s'", arg);
			return 2;
		}
		return 0;
	case O_OTLP_ENDPOINT:
		free((char *)c->otlp_endpoint);
		c->otlp_endpoint = xstrdup(arg);
		if (trace_endpoint_check(arg, &e) < 0) {
			log_msg("--otlp-endpoint: %s", e.msg);
			return 2;
		}
		return 0;
	case 'o':
		dw_outfile_free(&c->dw_out);
		if (dw_outfile_parse(arg, &c->dw_out, &e) < 0) {
			log_msg("%s", e.msg);
			return 2;
		}
		return 0;
	case O_DPDK:
		log_msg("--dpdk-rx-cpu, --dpdk-tx-cpu: meshwalk has no DPDK transport");
		return 2;
	}
	log_msg("internal error: option %d has no rule", opt); /* -f: expanded before */
	return 2;
}

static const struct opt_cmd client_cmd = { "client", client_opts, client_usage, client_intro,
					   client_opt };

/* How the client paces its requests, from -r, -p, --rss, --closed-loop and
 * -n auto: 0 or 2. */
static int finish_pacing(struct client_args *a)
{
	struct client_config *c = &a->c;

	if (a->have_rate && a->have_period) {
		log_msg("-r and -p both given: use one of them");
		return 2;
	}
	if (a->closed_loop && (a->have_rate || a->have_period)) {
		log_msg("--closed-loop with %s: use one of them", a->have_rate ? "-r" : "-p");
		return 2;
	}
	if (a->have_rate && spec_is_const(a->pace) && !(spec_mean(a->pace) > 0)) {
		log_msg("-r: a rate must be above 0 (--closed-loop: one request in flight per "
			"thread)");
		return 2;
	}
	if (a->have_period) {
		c->pacing = PACER_PERIOD;
	} else if (a->have_rate) {
		c->pacing = c->rate_step_secs > 0 ? PACER_RATE_STEPS : PACER_RATE;
	} else if (c->rate_step_secs > 0) {
		log_msg("--rss needs -r");
		return 2;
	} else if (!a->closed_loop && !a->n_auto) {
		/* DistWalk's default pacing (the README promises its meaning). */
		if (parse_spec("-r", DEFAULT_RATE, SPEC_COUNT, &a->pace) < 0)
			return 2;
		c->pacing = PACER_RATE;
	}
	if (!a->n_auto)
		return 0;
	if (c->pacing == PACER_RATE_STEPS && a->pace && spec_length(a->pace) > 10000000) {
		/* Each step is summed one by one: refuse rather than hang. */
		log_msg("-n auto: the rate sequence has %llu steps (more than 10^7); give -n",
			(unsigned long long)spec_length(a->pace));
		return 2;
	}
	c->requests = pacer_auto_count(c->pacing, a->pace, c->rate_step_secs);
	if (c->requests == 0) {
		log_msg("-n auto needs -p or -r with a finite sequence or file spec");
		return 2;
	}
	return 0;
}

/* The checks across options once all are in: 0 or 2. */
static int finish(struct client_args *a, int argc, char **argv)
{
	struct client_config *c = &a->c;
	struct err e;
	int rc;

	if (optind < argc) {
		log_msg("unexpected argument '%s' (see meshwalk client --help)", argv[optind]);
		return 2;
	}
	if (a->to_route) {
		if (c->route && strcmp(c->route, a->to_route) != 0) {
			log_msg("--to names route %s and --route %s: give one", a->to_route, c->route);
			return 2;
		}
		free((char *)c->route);
		c->route = a->to_route;
		a->to_route = NULL;
	}
	if (c->route && a->have_ops) {
		log_msg("--route %s: the node runs its installed route, so ops (-C, -L, -S, -F, -R, "
			"-s, --load-offset, --store-offset) cannot be given with it", c->route);
		return 2;
	}
	rc = finish_pacing(a);
	if (rc)
		return rc;
	prog_set_default_offsets(&a->b, a->load_offset, a->store_offset);
	a->load_offset = a->store_offset = NULL;
	if (sock_is_http(c->to.proto)) {
		wire_buf_put(&a->words, "", 1);
		c->prog_text = xstrdup((const char *)a->words.data);
		if (httpc_check(c, &e) < 0) {
			log_msg("--to %s: %s", c->to.proto == SOCK_HTTP ? "http://"
					       : c->to.proto == SOCK_HTTPS ? "https://"
					       : c->to.proto == SOCK_H2C ? "h2c://"
					       : c->to.proto == SOCK_GRPC ? "grpc://" : "grpcs://", e.msg);
			free((char *)c->prog_text);
			c->prog_text = NULL;
			return 2;
		}
	}
	if ((c->trace_out || c->otlp_endpoint) && c->trace_sample == 0)
		log_msg("warning: --trace-out and --otlp-endpoint record nothing without --trace-sample");
	return 0;
}

/* What the options took (after a usage error, and in cmd_client_free()). */
static void free_taken(struct client_config *c)
{
	free((char *)c->csv_path);
	free((char *)c->json_path);
	free((char *)c->route);
	free((char *)c->prog_text);
	free((char *)c->http_host);
	free_trace_opts(c);
	dw_outfile_free(&c->dw_out);
}

int cmd_client_parse(int argc0, char **argv0, struct client_config *out)
{
	struct client_args a = { .n_auto = false };
	struct client_config *c = &a.c;
	struct prog *prog = NULL;
	struct err e;
	int argc, rc;
	char **argv;

	client_config_defaults(c);
	if (opt_expand_scripts(argc0, argv0, &argc, &argv, &e) < 0) {
		log_msg("%s", e.msg);
		return 2;
	}
	prog_builder_init(&a.b);
	wire_buf_init(&a.words);
	rc = opt_parse(&client_cmd, argc, argv, &a);
	if (rc == 0)
		rc = finish(&a, argc, argv);
	if (rc == 0 && prog_finish(&a.b, &prog, &e) < 0) {
		log_msg("%s", e.msg);
		rc = 2;
		/* The builder is consumed either way; what the options took is not
		 * (found by fuzz_client_args: a --csv path leaked with a program over
		 * a node's limits). */
		free_taken(c);
	} else if (rc == 0) {
		c->prog = prog;
		c->pace = a.pace;
		c->req_size = a.req_size;
		prog = NULL;
		a.pace = a.req_size = NULL; /* now the config's */
		if (!a.have_seed)
			c->seed = default_seed();
		c->command_line = opt_join(argc0, argv0);
		*out = *c;
	} else {
		if (a.b.root)
			prog_builder_abort(&a.b);
		free_taken(c);
	}
	free(a.to_route);
	wire_buf_free(&a.words);
	prog_destroy(prog);
	spec_destroy(a.pace);
	spec_destroy(a.req_size);
	spec_destroy(a.load_offset);
	spec_destroy(a.store_offset);
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
	free_taken(c);
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
