/* client.h -- the meshwalk load generator.
 *
 * Contract: client_run() runs `threads` independent client threads against
 * one target node. Each thread sends its `requests` requests over
 * `sessions` consecutive connections on an absolute schedule (pacer.h),
 * measures every reply three ways (intended send -> reply, actual send ->
 * reply, and the send lag between them), writes per-request output as it goes
 * (DistWalk's text lines and/or CSV), and records into per-thread histograms
 * that are merged after the threads join. Nothing is averaged across threads.
 * Requests that fail (error reply, timeout, lost connection, never sent) are
 * counted as such, never printed as latencies. SIGINT/SIGTERM stop every
 * thread at once: what is outstanding is lost, and what was not sent yet is
 * one count (unsent_interrupted), without a CSV row each.
 * Ownership: borrows the config (and its specs and program).
 * Threads: call from the main thread; it creates and joins its own threads.
 * Over ssl:// each session's TLS handshake is part of its connect: done
 * before the schedule starts (the first session) and counted in the
 * connect times (--conn-times); a handshake that fails is a failed connect.
 * Errors: returns the process exit status: 0 when every request succeeded
 * (and, with strict_rate, the rate held within 0.5%), 1 otherwise; problems
 * are reported on stderr as they happen. */
#ifndef MW_CLIENT_CLIENT_H
#define MW_CLIENT_CLIENT_H

#include <stdbool.h>
#include <stdint.h>

#include "client/dw_output.h"
#include "client/pacer.h"
#include "net/sock.h"
#include "net/tls.h"
#include "proto/auth.h"
#include "prog/prog.h"
#include "spec/spec.h"

struct client_config {
	struct sock_addr to;          /* the first node */
	struct sock_addr bind;        /* local address, if has_bind */
	bool has_bind;
	int threads;                  /* client threads, one connection each */
	uint64_t requests;            /* per thread */
	uint64_t sessions;            /* per thread, >= 1 */
	enum pacer_mode pacing;
	const struct spec *pace;      /* period (us) or rate (req/s) */
	double rate_step_secs;        /* RATE_STEPS step length */
	const struct spec *req_size;  /* request frame size, NULL = minimal */
	const struct prog *prog;      /* what every request runs (unless route) */
	const char *route;            /* requests name this node route instead, or NULL */
	uint64_t seed;
	bool wait_spin;               /* spin instead of sleeping before sends */
	int64_t spin_ns;              /* sleep-then-spin margin when not wait_spin */
	int64_t busy_poll_ns;         /* poll for a reply this long after a send */
	int retry_num;                /* connect retries per session */
	uint64_t retry_period_ms;
	uint64_t timeout_us;          /* response timeout per request */
	bool nodelay;
	bool per_request_text;        /* DistWalk's Configuration block and "t: ... elapsed: ..." lines */
	bool summary;                 /* meshwalk's summary block */
	const char *csv_path;         /* per-request CSV, or NULL */
	struct dw_outfile dw_out;     /* -o: DistWalk's result file (path NULL: none) */
	const char *json_path;        /* JSON summary, or NULL */
	bool strict_rate;             /* missing the rate by > 0.5% fails the run */
	bool nano;                    /* per-request lines in ns instead of us */
	bool per_session_output;      /* flush the lines at each session's end */
	bool interactive_output;      /* flush each line as it is written */
	bool stag_send;               /* stagger the threads' schedules */
	bool conn_times;              /* report connect() times */
	const char *command_line;     /* for the JSON summary */
	const struct auth_key *auth;  /* tag requests, check replies; NULL: off */
	const char *prog_text;        /* the program's op words (to.proto SOCK_HTTP: client/httpclient.h) */
	const char *http_host;        /* SOCK_HTTP: the Host field (the name as given), or NULL */
	uint32_t h2_streams;          /* --streams: h2c://, grpc:// streams open at once (0: 100) */
	struct tls_config tls;        /* --ssl-*: used when `to` is ssl:// */
	double trace_sample;          /* --trace-sample: share of requests traced (0: none) */
	const char *trace_out;        /* --trace-out: the client spans' OTLP JSON file, or NULL */
	const char *otlp_endpoint;    /* --otlp-endpoint, or NULL */
	const char *service_name;     /* --service-name of the client spans, or NULL */
};

void client_config_defaults(struct client_config *c);

int client_run(const struct client_config *c);

#endif
