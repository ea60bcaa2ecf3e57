/* dw_output.c -- see dw_output.h. */
#include "client/dw_output.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "client/client.h"
#include "proto/ops.h"
#include "proto/wire.h"
#include "util/xalloc.h"

/* sep=C, sep='C' or sep="C". */
static int parse_sep(const char *v, size_t n, char *sep, struct err *e)
{
	if (n == 3 && (v[0] == '\'' || v[0] == '"') && v[2] == v[0])
		v++, n = 1;
	if (n != 1)
		return err_set(e, "-o: sep= takes one character (sep=';'), got '%.*s'", (int)n, v);
	*sep = v[0];
	return 0;
}

int dw_outfile_parse(const char *arg, struct dw_outfile *o, struct err *e)
{
	const char *p, *ext;
	size_t plen;
	bool header_given = false;

	memset(o, 0, sizeof *o);
	o->sep = ',';
	p = strchr(arg, ',');
	plen = p ? (size_t)(p - arg) : strlen(arg);
	ext = plen >= 4 ? arg + plen - 4 : "";
	if (strncmp(ext, ".csv", 4) == 0)
		o->format = DW_FMT_CSV;
	else if (strncmp(ext, ".txt", 4) == 0)
		o->format = DW_FMT_TXT;
	else
		return err_set(e, "-o: '%.*s': the result file must end in .csv or .txt", (int)plen,
			       arg);
	while (p && *p == ',') {
		const char *opt = p + 1, *end;
		size_t n;

		/* A quoted separator may be the comma itself: sep=','. */
		end = strncmp(opt, "sep=", 4) == 0 && (opt[4] == '\'' || opt[4] == '"') &&
				      strlen(opt) >= 7
			      ? opt + 7
			      : strchr(opt, ',');
		n = end ? (size_t)(end - opt) : strlen(opt);
		if (n > 4 && strncmp(opt, "sep=", 4) == 0) {
			if (parse_sep(opt + 4, n - 4, &o->sep, e) < 0)
				return -EINVAL;
		} else if (n == 8 && strncmp(opt, "header=", 7) == 0 && (opt[7] == '0' || opt[7] == '1')) {
			o->header = opt[7] == '1';
			header_given = true;
		} else {
			return err_set(e, "-o: unknown option '%.*s' (expected sep=C or header=0|1)",
				       (int)n, opt);
		}
		p = end;
	}
	if (p && *p != '\0')
		return err_set(e, "-o: unexpected '%s'", p);
	if (header_given && o->format != DW_FMT_CSV)
		return err_set(e, "-o: header= is only for .csv result files");
	o->path = xmalloc(plen + 1);
	memcpy(o->path, arg, plen);
	o->path[plen] = '\0';
	return 0;
}

void dw_outfile_free(struct dw_outfile *o)
{
	free(o->path);
	o->path = NULL;
}

void dw_outfile_header(const struct dw_outfile *o, bool nano, char *buf, size_t len)
{
	const char *u = nano ? "ns" : "us";

	if (o->format == DW_FMT_CSV && o->header)
		snprintf(buf, len, "t(%s)%celapsed(%s)%creq_id%cthr_id%csess_id\n", u, o->sep, u,
			 o->sep, o->sep, o->sep);
	else if (len)
		buf[0] = '\0';
}

int dw_format_req(char *buf, size_t len, enum dw_format fmt, char sep, bool nano, int64_t t_ns,
		  int64_t elapsed_ns, uint64_t req_id, int thr_id, uint64_t sess_id)
{
	int64_t div = nano ? 1 : 1000;
	const char *u = nano ? "ns" : "us";

	switch (fmt) {
	case DW_FMT_CSV:
		return snprintf(buf, len, "%" PRId64 "%c%" PRId64 "%c%" PRIu64 "%c%d%c%" PRIu64 "\n",
				t_ns / div, sep, elapsed_ns / div, sep, req_id, sep, thr_id, sep, sess_id);
	case DW_FMT_TXT:
		return snprintf(buf, len,
				"t:%" PRId64 "%celapsed:%" PRId64 "%creq_id:%" PRIu64 "%cthr_id:%d%csess_id:%" PRIu64
				"\n",
				t_ns / div, sep, elapsed_ns / div, sep, req_id, sep, thr_id, sep, sess_id);
	case DW_FMT_TEXT:
		break;
	}
	return snprintf(buf, len,
			"t: %" PRId64 " %s, elapsed: %" PRId64 " %s, req_id: %" PRIu64 ", thr_id: %d, "
			"sess_id: %" PRIu64 "\n",
			t_ns / div, u, elapsed_ns / div, u, req_id, thr_id, sess_id);
}

int dw_format_conn(char *buf, size_t len, bool nano, int64_t conn_ns, uint64_t req_id, int thr_id,
		   uint64_t sess_id)
{
	return snprintf(buf, len,
			"conn_time: %" PRId64 " %s, req_id: %" PRIu64 ", thr_id: %d, sess_id: %" PRIu64 "\n",
			nano ? conn_ns : conn_ns / 1000, nano ? "ns" : "us", req_id, thr_id, sess_id);
}

/* The frame size of requests: --ps when given and larger, else the header
 * and program of request 0 (DistWalk prints its fixed default, 1024). */
static void print_pkt_size(FILE *f, const struct client_config *c)
{
	struct wire_buf b;
	char txt[160];

	if (c->req_size && !spec_is_const(c->req_size)) {
		spec_format_dw(c->req_size, txt, sizeof txt);
		fprintf(f, "  pkt_size=%s (+66 for headers)\n", txt);
		return;
	}
	wire_buf_init(&b);
	if (c->prog && !c->route) {
		struct rng r;

		rng_seed(&r, c->seed, 0);
		prog_encode(c->prog, &r, 0, &b);
	} else if (c->route) {
		b.len = strlen(c->route);
	}
	size_t len = WIRE_HDR_LEN + b.len + (c->auth ? WIRE_TAG_LEN : 0);
	if (c->req_size && spec_sample(c->req_size, NULL, 0) > (double)len)
		len = (size_t)spec_sample_u64(c->req_size, NULL, 0);
	wire_buf_free(&b);
	fprintf(f, "  pkt_size=%zu (+66 for headers)\n", len);
}

void dw_print_config(FILE *f, const struct client_config *c)
{
	char a[SOCK_ADDR_STRLEN], txt[4096];
	double rate = 0, period = 0;

	fprintf(f, "Configuration:\n");
	if (c->has_bind) {
		sock_addr_str((const struct sockaddr *)&c->bind.ss, a, sizeof a);
		/* DistWalk echoes a bind address without a port as given. */
		if (sock_addr_port((const struct sockaddr *)&c->bind.ss) == 0) {
			char *colon = strrchr(a, ':');

			if (colon)
				*colon = '\0';
		}
		fprintf(f, "  clienthost=%s\n", a);
	} else {
		fprintf(f, "  clienthost=0.0.0.0:0\n");
	}
	fprintf(f, "  serverhost=%s\n", sock_addr_str((const struct sockaddr *)&c->to.ss, a, sizeof a));
	fprintf(f, "  num_threads: %d\n", c->threads);
	fprintf(f, "  num_pkts=%" PRIu64 "\n", c->requests);
	/* One of period and rate is given; the other is derived from its mean. */
	if (c->pace && c->pacing != PACER_CLOSED) {
		double m = spec_mean(c->pace);

		if (c->pacing == PACER_PERIOD) {
			period = m;
			rate = m > 0 ? 1e6 / m : 0;
		} else {
			rate = m;
			period = m > 0 ? 1e6 / m : 0;
		}
	}
	if (c->pacing == PACER_PERIOD && !spec_is_const(c->pace))
		spec_format_dw(c->pace, txt, sizeof txt);
	else
		snprintf(txt, sizeof txt, "%.0fus", period);
	fprintf(f, "  period=%s\n", txt);
	fprintf(f, "  waitspin=%d\n", c->wait_spin);
	if (c->pacing != PACER_PERIOD && c->pace && !spec_is_const(c->pace))
		spec_format_dw(c->pace, txt, sizeof txt);
	else
		snprintf(txt, sizeof txt, "%.15g", rate);
	fprintf(f, "  rate=%s\n", txt);
	fprintf(f, "  rate_step_secs=%.15g\n", c->pacing == PACER_RATE_STEPS ? c->rate_step_secs : 0);
	print_pkt_size(f, c);
	/* The final reply: -R's size, or meshwalk's bare header. */
	const struct spec *reply = c->prog && !c->route ? prog_reply_size(c->prog) : NULL;
	if (reply && (!spec_is_const(reply) || spec_sample(reply, NULL, 0) > WIRE_HDR_LEN))
		spec_format_dw(reply, txt, sizeof txt);
	else
		snprintf(txt, sizeof txt, "%d", WIRE_HDR_LEN);
	fprintf(f, "  resp_size=%s (+66 with headers)\n", txt);
	fprintf(f, "  min packet size due to header: send=%d, reply=%d\n", WIRE_HDR_LEN, WIRE_HDR_LEN);
	fprintf(f, "  max packet size: %u\n", wire_default_limits.max_frame);
	fprintf(f, "  no_delay: %d\n", c->nodelay);
	fprintf(f, "  num_sessions: %" PRIu64 "\n", c->sessions);
	fprintf(f, "  use_per_session_output: %d\n", c->per_session_output);
	fprintf(f, "  num_conn_retries: %d (retry_period: %" PRIu64 " ms)\n", c->retry_num,
		c->retry_period_ms);
	fprintf(f, "  seed: %" PRIu64 "\n", c->seed);
	if (c->dw_out.path)
		fprintf(f, "  output_file: %s, format=%s, header=%d, sep='%c'\n", c->dw_out.path,
			c->dw_out.format == DW_FMT_CSV ? "csv" : "txt", c->dw_out.header, c->dw_out.sep);
	if (c->route)
		snprintf(txt, sizeof txt, "ROUTE(%s)", c->route);
	else if (c->prog)
		prog_describe_dw(c->prog, txt, sizeof txt);
	else /* a ping: the minimal REPLY, as the op table prints it */
		ops_print_dw(&(struct ops_out){ txt, sizeof txt },
			     &(struct ops_tmpl){ .code = OP_REPLY }, &(struct ops_ctx){ NULL, NULL });
	fprintf(f, "  request template: %s\n", txt);
	if (c->to.proto == SOCK_SSL) { /* DistWalk's lines, in its order */
		fprintf(f, "  SSL/TLS is enabled.\n");
		if (c->tls.ca)
			fprintf(f, "  ssl_ca: %s\n", c->tls.ca);
		if (c->tls.cert)
			fprintf(f, "  ssl_cert: %s\n", c->tls.cert);
		if (c->tls.key)
			fprintf(f, "  ssl_key: %s\n", c->tls.key);
		if (c->tls.ciphers)
			fprintf(f, "  ssl_ciphers: %s\n", c->tls.ciphers);
		if (c->tls.ca_path)
			fprintf(f, "  ssl_ca_path: %s\n", c->tls.ca_path);
	}
}
