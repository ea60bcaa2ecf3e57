/* cmd_node.c -- `meshwalk node`: options (dw_node's and ours) -> node_run(). */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cmd.h"
#include "cli/opt.h"
#include "node/node.h"
#include "spec/rng.h"
#include "spec/units.h"
#include "trace/export.h"
#include "util/log.h"

enum {
	O_NT = 256,
	O_BACKLOG,
	O_NODELAY,
	O_PORT_FILE,
	O_STATS_FILE,
	O_FWD_TIMEOUT,
	O_SEED,
	O_SEED_SALT,
	O_MAX_FRAME,
	O_MAX_PROG,
	O_QUIET,
	O_SCHED,
	O_WAIT_SPIN,
	O_LOOPS,
	O_ODIRECT,
	O_SYNC,
	O_MAX_IO,
	O_ALLOW_FWD,
	O_ALLOW_NAMES,
	O_MAX_COMPUTE,
	O_MAX_WSET,
	O_MAX_DEPTH,
	O_MAX_FANOUT,
	O_MAX_CONNS,
	O_AUTH_KEY,
	O_NET_DELAY,
	O_ROUTE,
	O_ROUTES_FILE,
	O_MAX_RETRIES,
	O_BUDGET_COMPUTE,
	O_BUDGET_FORWARDS,
	O_BUDGET_BYTES,
	O_MAX_HOPS,
	O_MAX_PEER_QUEUE,
	O_MAX_QUEUED,
	O_MAX_PEERS,
	O_FRAME_TIMEOUT,
	O_UDP_AMPLIFY,
	O_NO_DEFRAG,
	O_SSL_CERT,
	O_SSL_KEY,
	O_SSL_CA,
	O_SSL_CA_PATH,
	O_SSL_CIPHERS,
	O_SSL_VERIFY,
	O_USAGE,
	O_TRACE_OUT,
	O_OTLP_ENDPOINT,
	O_SERVICE_NAME,
};

/* What the parse fills: the config, and what the options count. */
struct node_args {
	struct node_config c;
	int nbinds_given; /* the first -b replaces the default address */
	const char *seed_salt; /* --seed-salt TEXT, or NULL */
};

#define AT(field) OPT_AT(struct node_args, c.field)

const struct opt_def node_opts[] = {
	{ "bind-addr", 'b', OPT_REQUIRED, 'b', "ADDR",
	  "Address to listen on: [tcp://|udp://|ssl://|http://|https://|h2c://|grpc://|grpcs://]"
	  "[host][:port]. host defaults to 127.0.0.1 "
	  "(meshwalk never listens on all interfaces unless told, e.g. -b 0.0.0.0:7891), port "
	  "to 7891; port 0 lets the kernel pick one (see --port-file). udp:// serves datagrams "
	  "(one request per datagram, replies of at most 65507 bytes, larger ones become an "
	  "error reply) and TCP on the same port, since forwards between nodes are TCP. ssl:// "
	  "serves meshwalk's protocol over TLS (DistWalk's ssl://, also written ssl:HOST:PORT), "
	  "https:// the HTTP front end over TLS (ALPN h2 or http/1.1), grpcs:// gRPC over "
	  "TLS (ALPN h2); they need --ssl-cert and "
	  "--ssl-key, and a handshake must complete within --frame-timeout. A node "
	  "never shares its address: when anything already listens there (another node "
	  "included), it exits 1 with \"address in use\". http:// serves HTTP/1.1 (curl, wrk, "
	  "meshwalk client --to http://, other nodes' -F http://HOST:PORT/NAME; and its "
	  "Upgrade: h2c); h2c:// serves HTTP/2 with prior knowledge and gRPC; grpc:// is the "
	  "same, named for gRPC (docs/http.md, docs/grpc.md)." },
	{ "nt", 0, OPT_REQUIRED, O_NT, "N", "Number of worker threads (default 1).",
	  .kind = OPT_K_UINT, AT(threads), .min = 1, .max = 1024 },
	{ "num-threads", 0, OPT_REQUIRED, O_NT, "N", NULL },
	{ "accept-mode", 'a', OPT_REQUIRED, 'a', "MODE",
	  "How connections are accepted: child (default; one SO_REUSEPORT listener per worker), "
	  "shared (all workers accept from one listener), or parent (the main thread accepts "
	  "and hands connections to workers round-robin).",
	  .kind = OPT_K_ENUM, AT(accept_mode), .names = "child|shared|parent",
	  .min = NODE_ACCEPT_CHILD },
	{ "am", 0, OPT_REQUIRED, 'a', "MODE", NULL },
	{ "backlog-length", 0, OPT_REQUIRED, O_BACKLOG, "N",
	  "listen() backlog of each listener (default 1024).",
	  .kind = OPT_K_UINT, AT(backlog), .min = 1, .max = 1 << 20 },
	{ "bl", 0, OPT_REQUIRED, O_BACKLOG, "N", NULL },
	{ "no-delay", 0, OPT_REQUIRED, O_NODELAY, "0|1",
	  "Set TCP_NODELAY on every connection, client and forward (default 1).",
	  .kind = OPT_K_UINT, AT(nodelay), .min = 0, .max = 1 },
	{ "nd", 0, OPT_REQUIRED, O_NODELAY, "0|1", NULL },
	{ "forward-timeout", 0, OPT_REQUIRED, O_FWD_TIMEOUT, "DURATION",
	  "Per-attempt timeout of a FORWARD whose request gives none (default 10s). A forward "
	  "that gets too few replies in time becomes an error reply, never a hang.",
	  .kind = OPT_K_TIME, AT(forward_timeout_us), .min = 1, .max = 4e9 },
	{ "seed", 0, OPT_REQUIRED, O_SEED, "N",
	  "Seed of the node's random numbers (used by SKIP probabilities and the value specs "
	  "of --route programs; default 1).",
	  .kind = OPT_K_UINT, AT(seed), .min = 0, .max = 0x1p64 },
	{ "seed-salt", 0, OPT_REQUIRED, O_SEED_SALT, "TEXT",
	  "Derive the seed from --seed and TEXT (a 64-bit hash of both): nodes started from "
	  "one command line, such as the replicas of a Kubernetes Deployment, draw different "
	  "numbers; the same pair always gives the same seed. meshwalk deploy k8s passes each "
	  "replica's pod name. The seed used is printed at start.",
	  .kind = OPT_K_STR, OPT_AT(struct node_args, seed_salt) },
	{ "max-frame-size", 0, OPT_REQUIRED, O_MAX_FRAME, "SIZE",
	  "Largest request frame accepted, padding included (default 64m). Larger frames close "
	  "the connection, logged and counted.",
	  .kind = OPT_K_SIZE, AT(limits.max_frame), .min = 1000, .max = 2e9 },
	{ "max-prog-size", 0, OPT_REQUIRED, O_MAX_PROG, "SIZE",
	  "Largest program a request may carry (default 64k).",
	  .kind = OPT_K_SIZE, AT(limits.max_prog), .min = 64, .max = 16e6 },
	{ "max-compute", 0, OPT_REQUIRED, O_MAX_COMPUTE, "DURATION",
	  "Longest single COMPUTE a request may ask of this node (default 10s; the DistWalk "
	  "paper's longest is 5s). A longer one gets a 'node limit exceeded' error reply, "
	  "counted in limit_violations; the connection stays open.",
	  .kind = OPT_K_TIME, AT(limits.max_compute_ns), .min = 1, .max = 3.6e9,
	  .scale = 1000 },
	{ "max-working-set", 0, OPT_REQUIRED, O_MAX_WSET, "SIZE",
	  "Largest working set (COMPUTE's ws=) a request may ask of this node (default 64m, "
	  "at most 1g). Each worker thread keeps one buffer as large as the largest working "
	  "set it ran, allocated and written on first use; a larger one gets a 'node limit "
	  "exceeded' error reply, counted in limit_violations.",
	  .kind = OPT_K_SIZE, AT(limits.max_wset), .min = 64, .max = 1073741824 },
	{ "max-depth", 0, OPT_REQUIRED, O_MAX_DEPTH, "N",
	  "Deepest nesting of forwards a request may carry (default 16, at most 64).",
	  .kind = OPT_K_UINT, AT(limits.max_depth), .min = 1, .max = 64 },
	{ "max-fanout", 0, OPT_REQUIRED, O_MAX_FANOUT, "N",
	  "Most targets one FORWARD may name (default 64, at most 64).",
	  .kind = OPT_K_UINT, AT(limits.max_fanout), .min = 1, .max = 64 },
	{ "max-conns", 0, OPT_REQUIRED, O_MAX_CONNS, "N",
	  "Client connections open at once (default 100000); connections beyond it are "
	  "closed at once and counted in refused_conns.",
	  .kind = OPT_K_UINT, AT(max_conns), .min = 1, .max = 1e8 },
	{ "max-retries", 0, OPT_REQUIRED, O_MAX_RETRIES, "N",
	  "Most retries one FORWARD may ask for (retry=N; default 8, at most 255). A request "
	  "asking more gets a 'node limit exceeded' reply. Attempts are spaced by their "
	  "timeout: the next starts when the previous one's window ends, never at once.",
	  .kind = OPT_K_UINT, AT(max_retries), .min = 0, .max = 255 },
	{ "budget-compute", 0, OPT_REQUIRED, O_BUDGET_COMPUTE, "DURATION",
	  "Request budget: the COMPUTE time one client request may cause, summed over every "
	  "node it reaches, every forward and every retry (default 60s). A request whose "
	  "program could cost more is refused before it runs ('request over budget', counted "
	  "in over_budget); forwards carry what is left, so the next node enforces it too. "
	  "See docs/security.md.",
	  .kind = OPT_K_TIME, AT(budget.compute_ns), .min = 1, .max = 8.64e10,
	  .scale = 1000 },
	{ "budget-forwards", 0, OPT_REQUIRED, O_BUDGET_FORWARDS, "N",
	  "Request budget: the forwarded requests one client request may cause, all levels "
	  "and attempts (nested fan-outs multiply; default 10000).",
	  .kind = OPT_K_UINT, AT(budget.requests), .min = 0, .max = 1e9 },
	{ "budget-bytes", 0, OPT_REQUIRED, O_BUDGET_BYTES, "SIZE",
	  "Request budget: the bytes one client request may make nodes send, replies and "
	  "forwarded frames, all levels and attempts (default 1g).",
	  .kind = OPT_K_SIZE, AT(budget.bytes), .min = 1024, .max = 1e15 },
	{ "max-hops", 0, OPT_REQUIRED, O_MAX_HOPS, "N",
	  "Request budget: how many forwards deep a request may go, route forwards included, "
	  "so a cycle of routes ends (default 32, at most 255).",
	  .kind = OPT_K_UINT, AT(budget.hops), .min = 1, .max = 255 },
	{ "max-peer-queue", 0, OPT_REQUIRED, O_MAX_PEER_QUEUE, "SIZE",
	  "Bytes this node may queue to one forward target that does not read fast enough "
	  "(default 16m). Beyond it a forward fails at once with 'forward queue full' (status "
	  "11), counted in forward_busy; frames of timed-out or retried attempts are dropped "
	  "before they leave.",
	  .kind = OPT_K_SIZE, AT(max_peer_queue), .min = 64 * 1024, .max = 1e12 },
	{ "max-queued", 0, OPT_REQUIRED, O_MAX_QUEUED, "SIZE",
	  "Bytes this node may queue to all forward targets together (default 256m); beyond it "
	  "forwards fail as with --max-peer-queue.",
	  .kind = OPT_K_SIZE, AT(max_queued), .min = 64 * 1024, .max = 1e12 },
	{ "max-peers", 0, OPT_REQUIRED, O_MAX_PEERS, "N",
	  "Forward connections per worker (default 4096): at the limit an idle one is closed "
	  "for a new target (counted in peer_evictions); when none is idle the forward fails "
	  "with 'forward queue full'.",
	  .kind = OPT_K_UINT, AT(max_peers), .min = 1, .max = 1e6 },
	{ "frame-timeout", 0, OPT_REQUIRED, O_FRAME_TIMEOUT, "DURATION",
	  "A request frame that has begun to arrive must complete within this (default 30s), "
	  "padding included; otherwise the connection is closed, logged and counted in "
	  "frame_timeouts. A request starts only once its whole frame has arrived. A TLS "
	  "handshake (ssl://, https://) must complete within it too.",
	  .kind = OPT_K_TIME, AT(frame_timeout_ms), .min = 1000, .max = 3.6e9,
	  .scale = 0.001 },
	{ "udp-amplify", 0, OPT_NONE, O_UDP_AMPLIFY, NULL,
	  "Let UDP replies be larger than their request without --auth-key-file. By default "
	  "such a reply becomes a 'node limit exceeded' error cut to the request's size "
	  "(counted in udp_amplification_refused), so a forged source address cannot turn "
	  "the node into an amplifier.",
	  .kind = OPT_K_FLAG, AT(udp_amplify) },
	{ "allow-forward", 0, OPT_REQUIRED, O_ALLOW_FWD, "LIST",
	  "Forward only to these targets: comma-separated CIDR prefixes (10.0.0.0/8, "
	  "fd00::/8), addresses, ADDR:PORT or [V6ADDR]:PORT, 'loopback' (127/8, ::1), "
	  "'private' (10/8, 172.16/12, 192.168/16, fc00::/7) or 'any'; repeatable, the first "
	  "replaces the default. Default: loopback only (meshwalk run adds its scenario's "
	  "addresses). Link-local (169.254/16, fe80::/10) and cloud metadata addresses "
	  "(169.254.169.254, fd00:ec2::254, fd20:ce::254, ...) are allowed only when named "
	  "exactly, never by a prefix, 'private' or 'any'. A refused forward gets a 'refused' "
	  "error reply saying which target. See docs/security.md." },
	{ "allow-names", 0, OPT_REQUIRED, O_ALLOW_NAMES, "LIST",
	  "Host names a forward may look up (-F tcp://NAME:PORT, http://NAME:PORT/R, ...): "
	  "comma-separated names (catalog, db.example.net), *.SUFFIX patterns "
	  "(*.svc.cluster.local: any name under it) or 'any'; repeatable, the first replaces the "
	  "default. Default: localhost and *.localhost. A name not in the list is never queried: "
	  "the forward fails as refused. The address it resolves to must still pass "
	  "--allow-forward. See docs/security.md." },
	{ "auth-key-file", 0, OPT_REQUIRED, O_AUTH_KEY, "FILE",
	  "Shared secret (16 to 1024 bytes, file mode 600): every request must carry an "
	  "HMAC-SHA256 tag made with it, and every reply and forward this node sends carries "
	  "one. Requests without the right tag get a 'refused' reply and the connection is "
	  "closed (UDP: dropped); counted in auth_failures. See docs/security.md." },
	{ "net-delay", 0, OPT_REQUIRED, O_NET_DELAY, "[PEERS=]SPEC",
	  "Emulate link delay in user space (for kernels without netem): hold every TCP message "
	  "this node sends (replies and forwards) for a sample of SPEC, a duration value spec "
	  "such as 2ms or unif:min=1.5ms,max=2.5ms, before it goes on the wire. With PEERS (as "
	  "in --allow-forward: prefixes, addresses, ADDR:PORT), only messages to those peers "
	  "are held. Repeatable, at most 64: the delays of every rule that applies to a peer "
	  "add up. Messages on one connection stay in order: jitter delays, never reorders. "
	  "UDP replies are not delayed. See docs/network.md." },
	{ "route", 0, OPT_REQUIRED, O_ROUTE, "NAME=PROGRAM",
	  "Install a route (repeatable): a request that names NAME (client --route NAME, or a "
	  "forward -F ADDR,route=NAME) runs PROGRAM, written in the client's op words (-C, -L, "
	  "-S, -F ... -R, -s, --load-offset, --store-offset) separated by blanks, e.g. "
	  "checkout='-C 200us -F 127.0.0.1:7892,route=pay -R 1k'. PROGRAM is parsed once at "
	  "start-up; its value specs (-C exp:1ms) are sampled by the node for each request, "
	  "from --seed. NAME: 1 to 64 letters, digits, '_', '.' or '-'. A request naming a "
	  "route the node lacks gets a 'no such route' error reply (status 10); the connection "
	  "stays open." },
	{ "routes-file", 0, OPT_REQUIRED, O_ROUTES_FILE, "FILE",
	  "Install the routes of FILE: one 'NAME PROGRAM...' per line, '#' starts a comment "
	  "(repeatable; names must be unique across all --route and --routes-file)." },
	{ "poll-mode", 'p', OPT_REQUIRED, 'p', "MODE",
	  "Event loop of the workers: epoll (default), poll, select (cannot watch fds of "
	  "FD_SETSIZE=1024 and above: such connections are refused and logged), io_uring "
	  "(a meshwalk extension: one-shot poll requests, all changes submitted in one system "
	  "call per wait, and the reads and writes of plain TCP client connections done by "
	  "the ring too, submitted with that wait; Linux 5.19 or later for the reads and "
	  "writes, else readiness only), or io_uring-poll (the same, readiness only: "
	  "connections read and write with system calls of their own). If the kernel or a "
	  "seccomp filter refuses io_uring the node exits with status 1, never falling "
	  "back. See docs/node-tuning.md." },
	{ "wait-spin", 0, OPT_NONE, O_WAIT_SPIN, NULL,
	  "Workers busy-poll their event loop instead of sleeping in it: lower and steadier "
	  "wake-up latency, at the cost of one CPU at 100% per worker, even when idle.",
	  .kind = OPT_K_FLAG, AT(wait_spin) },
	{ "ws", 0, OPT_NONE, O_WAIT_SPIN, NULL, NULL },
	{ "wss", 0, OPT_NONE, O_WAIT_SPIN, NULL, NULL },
	{ "wait-spin-storage", 0, OPT_NONE, O_WAIT_SPIN, NULL, NULL },
	{ "no-defrag", 0, OPT_NONE, O_NO_DEFRAG, NULL,
	  "Accepted for dw_node's command lines; no effect: a meshwalk worker reads each "
	  "frame where it lies in the connection's buffer and never copies it to defragment." },
	{ "thread-affinity", 'c', OPT_REQUIRED, 'c', "auto|LIST",
	  "Pin worker i to the i-th core of LIST (e.g. 2-18 or 0,2,4-8:2), reusing the list "
	  "from its start when there are more workers than cores; auto = the first --nt "
	  "cores this process may use (0..nt-1 on an unrestricted machine). Cores that do not "
	  "exist or are outside the process's allowed set stop the node (status 1)." },
	{ "sched-policy", 0, OPT_REQUIRED, O_SCHED, "POLICY",
	  "Scheduling policy of the worker threads: other[:NICE] (NICE -20..19), rr:PRIO or "
	  "fifo:PRIO (PRIO 1..99), dl:RUNTIME,DEADLINE[,PERIOD] (SCHED_DEADLINE, microseconds, "
	  "RUNTIME <= DEADLINE <= PERIOD). Needs CAP_SYS_NICE or the matching RLIMIT for "
	  "anything but a higher nice; when refused the node says what is missing and exits "
	  "with status 1." },
	{ "loops-per-usec", 0, OPT_REQUIRED, O_LOOPS, "N",
	  "COMPUTE runs N iterations of a fixed arithmetic loop per microsecond (DistWalk's "
	  "calibrated loop: a fixed amount of work, which takes longer when the CPU is shared "
	  "or slowed) instead of spinning on the clock until the requested time has passed "
	  "(the default, exact in wall time). Without it the node prints this CPU's measured "
	  "value at start-up, for reference.",
	  .kind = OPT_K_UINT, AT(loops_per_usec), .min = 1, .max = 1e6 },
	{ "storage", 's', OPT_REQUIRED, 's', "PATH|file=PATH[,size=N][,sync=MSEC][,odirect][,wait-spin][,count=1]",
	  "Storage file (or block device) for LOAD, STORE and sendfile replies; created "
	  "(mode 0600) if missing. Any offset below --max-storage-size can be read: a read "
	  "past the end extends the file, sparsely, first (it is not extended up front). "
	  "Default: an anonymous temporary file in $TMPDIR or /var/tmp, created by the first "
	  "request that needs it and removed when the node exits. A path that cannot be "
	  "opened stops the node (status 1). dw_node's form is read too: size= is -m, sync= is --sync, odirect is "
	  "--odirect, wait-spin is --wait-spin; count= must be 1 (one storage per node)." },
	{ "max-storage-size", 'm', OPT_REQUIRED, 'm', "SIZE",
	  "Size of the storage (default 1g; a block device caps it at its own size). Offsets "
	  "wrap around at it, and an op that would cross it starts at offset 0.",
	  .kind = OPT_K_SIZE, AT(storage_max_size), .min = 4096, .max = 9e18 },
	{ "odirect", 0, OPT_NONE, O_ODIRECT, NULL,
	  "Open the storage with O_DIRECT, bypassing the page cache; transfers are widened "
	  "to whole blocks of the file system's block size. Fails at start-up (status 1) "
	  "where the file system does not support it.",
	  .kind = OPT_K_FLAG, AT(storage_odirect) },
	{ "sync", 0, OPT_REQUIRED, O_SYNC, "MSEC",
	  "Period of the fsync() that psync stores wait for (default 100, MongoDB's): a "
	  "psync store is answered once written, and the storage thread fsync()s every MSEC "
	  "milliseconds while psync data is unsynced.",
	  .kind = OPT_K_UINT, AT(storage_sync_ms), .min = 1, .max = 3600000 },
	{ "max-io-size", 0, OPT_REQUIRED, O_MAX_IO, "SIZE",
	  "Largest single LOAD, STORE or sendfile reply (default 16m); larger ones get a "
	  "storage error reply.",
	  .kind = OPT_K_SIZE, AT(max_io_size), .min = 1, .max = 1e12 },
	{ "port-file", 0, OPT_REQUIRED, O_PORT_FILE, "FILE",
	  "Write the bound port number to FILE once the node accepts connections (useful "
	  "with port 0).",
	  .kind = OPT_K_STR, AT(port_file) },
	{ "stats-file", 0, OPT_REQUIRED, O_STATS_FILE, "FILE",
	  "On exit, write the node's counters as JSON to FILE (see docs/results.md).",
	  .kind = OPT_K_STR, AT(stats_file) },
	{ "quiet", 'q', OPT_NONE, 'q', NULL, "Do not print the start and stop lines.",
	  .kind = OPT_K_FLAG, AT(quiet) },
	{ "trace-out", 0, OPT_REQUIRED, O_TRACE_OUT, "FILE",
	  "Record spans of the sampled requests this node serves (the requests that carry a "
	  "sampled W3C trace context: client --trace-sample, an instrumented HTTP caller's "
	  "traceparent) and write them to FILE as OTLP JSON, one ExportTraceServiceRequest "
	  "per line. Without it the node records nothing but still passes every trace context "
	  "on to its forwards. Spans that find a worker's buffer full are dropped and counted "
	  "(stop line, --stats-file, SIGUSR1 STATS). See docs/tracing.md.",
	  .kind = OPT_K_STR, AT(trace_out) },
	{ "otlp-endpoint", 0, OPT_REQUIRED, O_OTLP_ENDPOINT, "URL",
	  "Also (or instead) send the spans to an OTLP/HTTP collector: URL is "
	  "http://HOST:PORT/v1/traces; batches are POSTed as JSON by a background thread, and "
	  "batches it does not accept are counted, never retried." },
	{ "service-name", 0, OPT_REQUIRED, O_SERVICE_NAME, "NAME",
	  "The service.name of this node's spans (default node-ADDRESS:PORT; meshwalk run "
	  "passes the scenario's service name).",
	  .kind = OPT_K_STR, AT(service_name), .max = 128 },
	{ "ssl-cert", 0, OPT_REQUIRED, O_SSL_CERT, "FILE",
	  "The node's TLS certificate (PEM, chain allowed) for ssl:// and https:// addresses, "
	  "and its client certificate towards ssl:// forward targets. Every --ssl-* file is "
	  "read at start-up: a missing or bad one stops the node (exit 1, the file named).",
	  .kind = OPT_K_STR, AT(tls.cert) },
	{ "ssl-key", 0, OPT_REQUIRED, O_SSL_KEY, "FILE",
	  "The private key of --ssl-cert (PEM; default: the --ssl-cert file).",
	  .kind = OPT_K_STR, AT(tls.key) },
	{ "ssl-ca", 0, OPT_REQUIRED, O_SSL_CA, "FILE",
	  "Trusted CA certificates (PEM) for --ssl-verify.",
	  .kind = OPT_K_STR, AT(tls.ca) },
	{ "ssl-ca-path", 0, OPT_REQUIRED, O_SSL_CA_PATH, "DIR",
	  "A directory of trusted CA certificates (hashed names, openssl rehash).",
	  .kind = OPT_K_STR, AT(tls.ca_path) },
	{ "ssl-ciphers", 0, OPT_REQUIRED, O_SSL_CIPHERS, "CIPHERS",
	  "Allowed ciphers: an OpenSSL cipher list for TLS 1.2 (HIGH:!aNULL) or TLS 1.3 "
	  "suites (TLS_AES_128_GCM_SHA256); TLS 1.2 is the oldest version spoken.",
	  .kind = OPT_K_STR, AT(tls.ciphers) },
	{ "ssl-verify", 0, OPT_NONE, O_SSL_VERIFY, NULL,
	  "Verify peers' certificates against --ssl-ca / --ssl-ca-path (else the system's "
	  "store): TLS clients must present one (mutual TLS), and ssl:// forward targets' "
	  "certificates must verify.",
	  .kind = OPT_K_FLAG, AT(tls.verify) },
	{ "usage", 0, OPT_NONE, O_USAGE, NULL, "Print a short usage line and exit.",
	  .kind = OPT_K_USAGE },
	{ "help", 'h', OPT_NONE, 'h', NULL, "Print this help and exit.",
	  .kind = OPT_K_HELP },
	{ 0 },
};

static const char node_usage[] = "meshwalk node [OPTIONS]";
static const char node_intro[] =
	"Runs a meshwalk node: a generic server that executes the program each request\n"
	"carries (COMPUTE, LOAD and STORE on its storage, FORWARD to other nodes with a\n"
	"quorum, SKIP, REPLY), or the program it installed under the route a request\n"
	"names (--route), and serves until SIGINT or SIGTERM. Accepts dw_node's\n"
	"options where they apply.";

void cmd_node_man(FILE *f)
{
	opt_print_man(f, "meshwalk-node", "run a meshwalk node (workload server)", node_usage,
		      node_intro, node_opts,
		      ".SH SIGNALS\nSIGINT or SIGTERM stop the node: it finishes the current "
		      "event, prints its counters and exits 0. SIGUSR1 prints DistWalk's STATS "
		      "lines on stdout ('[time][dwn_conn_0] STATS worker\\-id: N, "
		      "active\\-conns: N, active\\-reqs: N', then the totals) and the node "
		      "runs on. Threads carry DistWalk's names: workers dwn_conn_N, the "
		      "storage thread dwn_stor_0 (the parent accept mode's acceptor: mw\\-accept).\n"
		      ".SH EXIT STATUS\n0 after a clean stop, 1 when the node cannot start "
		      "(address in use, cores this process may not use, a scheduling policy or "
		      "io_uring the system refuses, a storage file it cannot open or size), 2 on a usage error.\n.SH SEE ALSO\nmeshwalk\\-client(1)\n");
}

static const struct opt_cmd node_cmd;

/* -s PATH, or dw_node's -s file=PATH[,size=N][,sync=MSEC][,odirect][,wait-spin]
 * [,count=N]: its parts are the rows of -m, --sync, --odirect and --wait-spin.
 * The path points into argv, which outlives the node. */
static int parse_storage_opt(char *arg, struct node_args *a)
{
	static const char *const keys[] = { "file=", "size=", "sync=", "count=", "odirect",
					    "wait-spin" };
	bool dw_form = false;
	char *tok, *save = NULL;
	uint64_t v;
	int rc = 0;

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		dw_form |= strncmp(arg, keys[i], strlen(keys[i])) == 0;
	if (!dw_form) {
		a->c.storage_path = arg;
		return 0;
	}
	for (tok = strtok_r(arg, ",", &save); tok && rc == 0; tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, "file=", 5) == 0)
			a->c.storage_path = tok + 5;
		else if (strncmp(tok, "size=", 5) == 0)
			rc = opt_set(&node_cmd, 'm', tok + 5, a);
		else if (strncmp(tok, "sync=", 5) == 0)
			rc = opt_set(&node_cmd, O_SYNC, tok + 5, a);
		else if (strncmp(tok, "count=", 6) == 0)
			rc = opt_uint("-s count", tok + 6, 1, 1, &v) < 0 ? 2 : 0; /* one storage (dev=0) */
		else if (strcmp(tok, "odirect") == 0)
			rc = opt_set(&node_cmd, O_ODIRECT, NULL, a);
		else if (strcmp(tok, "wait-spin") == 0)
			rc = opt_set(&node_cmd, O_WAIT_SPIN, NULL, a);
		else {
			log_msg("-s: unknown part '%s' (expected file=, size=, sync=, odirect, wait-spin, "
				"count=)", tok);
			rc = 2;
		}
	}
	return rc;
}

/* The n-th -b (0: replaces the default address). Refuses a repeated
 * address and more than NODE_MAX_BINDS. */
static int add_bind(struct node_config *c, const struct sock_addr *a, int n, const char *text)
{
	if (n == 0)
		c->nbinds = 0;
	for (int i = 0; i < c->nbinds; i++)
		if (c->binds[i].proto == a->proto && sock_addr_port((const struct sockaddr *)&a->ss) != 0 &&
		    sock_addr_equal((const struct sockaddr *)&c->binds[i].ss,
				    (const struct sockaddr *)&a->ss)) {
			log_msg("--bind-addr: '%s' is given twice", text);
			return -1;
		}
	if (c->nbinds == NODE_MAX_BINDS) {
		log_msg("--bind-addr: at most %d addresses", NODE_MAX_BINDS);
		return -1;
	}
	c->binds[c->nbinds++] = *a;
	c->bind = c->binds[0];
	return 0;
}

/* The options opt_parse() cannot apply by their row alone. */
static int node_opt(void *cfg, int opt, const char *arg)
{
	struct node_args *a = cfg;
	struct node_config *c = &a->c;
	struct sock_addr addr;
	struct err e;
	int rc = 0;

	switch (opt) {
	case 'b':
		if (sock_addr_parse(arg, "127.0.0.1", SOCK_DEFAULT_PORT, true, &addr, &e) < 0) {
			log_msg("--bind-addr: %s", e.msg);
			return 2;
		}
		return add_bind(c, &addr, a->nbinds_given++, arg) < 0 ? 2 : 0;
	case 'p':
		if (loop_backend_parse(arg, &c->poll_mode) < 0) {
			log_msg("--poll-mode: expected epoll, poll, select, io_uring or io_uring-poll, got '%s'", arg);
			return 2;
		}
		return 0;
	case 'c':
		c->affinity_auto = strcmp(arg, "auto") == 0;
		if (!c->affinity_auto && cpulist_parse(arg, &c->affinity, &e) < 0) {
			log_msg("--thread-affinity: %s", e.msg);
			return 2;
		}
		return 0;
	case O_SCHED:
		rc = schedpol_parse(arg, &c->sched, &e);
		break;
	case 's':
		return parse_storage_opt((char *)arg, a);
	case O_NO_DEFRAG:
		return 0;
	case O_ALLOW_FWD:
		if (c->allow_is_default) { /* the first rule replaces the default */
			allowlist_free(&c->allow);
			c->allow_is_default = false;
		}
		rc = allowlist_add(&c->allow, arg, &e);
		break;
	case O_ALLOW_NAMES:
		if (c->names_is_default) { /* the first rule replaces the default */
			namelist_free(&c->allow_names);
			c->names_is_default = false;
		}
		rc = namelist_add(&c->allow_names, arg, &e);
		break;
	case O_NET_DELAY:
		rc = netdelay_add(&c->net_delay, arg, &e);
		break;
	case O_AUTH_KEY:
		rc = auth_key_load(arg, &c->auth, &e);
		break;
	case O_ROUTE:
		rc = route_table_add_def(&c->routes, arg, &e);
		break;
	case O_ROUTES_FILE:
		rc = route_table_load_file(&c->routes, arg, &e);
		break;
	case O_OTLP_ENDPOINT:
		c->otlp_endpoint = arg;
		rc = trace_endpoint_check(arg, &e);
		break;
	}
	if (rc < 0) {
		const struct opt_def *d = opt_find(node_opts, opt);

		/* sched-policy's messages name the option already */
		if (opt == O_SCHED)
			log_msg("%s", e.msg);
		else
			log_msg("--%s: %s", d->lng, e.msg);
		return 2;
	}
	return 0;
}

static const struct opt_cmd node_cmd = { "node", node_opts, node_usage, node_intro, node_opt };

int cmd_node_parse(int argc, char **argv, struct node_config *out)
{
	struct node_args a = { .nbinds_given = 0 };
	struct node_config *c = &a.c;
	int rc;

	node_config_defaults(c);
	rc = opt_parse(&node_cmd, argc, argv, &a);
	if (rc == 0 && optind < argc) {
		log_msg("unexpected argument '%s' (see meshwalk node --help)", argv[optind]);
		rc = 2;
	}
	if (rc != 0) {
		node_config_free(c);
		return rc;
	}
	if (c->limits.max_prog > c->limits.max_frame)
		c->limits.max_prog = c->limits.max_frame;
	if (a.seed_salt) {
		uint64_t given = c->seed;

		c->seed = rng_salted_seed(given, a.seed_salt);
		if (!c->quiet)
			log_msg("seed %" PRIu64 " (--seed %" PRIu64 " salted with '%s')", c->seed,
				given, a.seed_salt);
	}
	/* HTTP requests carry no tag: an http:// address would let anyone past
	 * the key. Refuse rather than weaken it in silence. */
	for (int i = 0; i < c->nbinds; i++)
		if (c->auth.len > 0 && sock_is_http(c->binds[i].proto)) {
			log_msg("--auth-key-file authenticates meshwalk's protocol only: an HTTP "
				"address would serve unauthenticated requests (use one or the other)");
			node_config_free(c);
			return 2;
		}
	*out = *c;
	return 0;
}

int cmd_node(int argc, char **argv)
{
	struct node_config c;
	struct err e;
	int rc;

	/* Here, not in the parser: meshwalk run names the scenario line instead. */
	log_set_name("meshwalk node");
	rc = cmd_node_parse(argc, argv, &c);
	if (rc != 0)
		return rc < 0 ? 0 : rc; /* -1: --help was printed */
	if (node_run(&c, &e) < 0) {
		log_msg("%s", e.msg);
		rc = 1;
	}
	node_config_free(&c);
	return rc;
}
