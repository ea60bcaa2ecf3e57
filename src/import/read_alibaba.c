/* read_alibaba.c -- the Alibaba cluster-trace microservices call graphs, CSV
 * with a header: v2021 MS_CallGraph (traceid, timestamp, rpcid, um, rpctype,
 * dm, interface, rt; often after an unnamed index column) and v2022
 * CallGraph (timestamp, traceid, service, rpc_id, um, uminstanceid, rpctype,
 * interface, dm, dminstanceid, rt). Columns are found by name.
 *
 * One row is one side of one call: rt > 0 (or 0) is the caller's (um) record,
 * the time from sending to the reply; rt < 0 is the callee's (dm) record,
 * -rt its own time (the published column definitions). So a row becomes a
 * client span of um (a producer for rpctype mq; peer dm) or a server span of
 * dm (a consumer for mq), both named after the interface, with id = rpcid:
 * the import pairs the two sides of a call as it pairs Zipkin's shared spans
 * (client -> server), and a call's parent is the rpcid without its last
 * component ("0.1.2" -> "0.1"), whose server side it runs in when that side
 * was recorded. Times are ms (timestamp since the trace set's start, rt), so
 * a call under 1 ms has rt 0. Rows stream: one line in memory at a time. */
#include <errno.h>
#include <stdio.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/reader.h"
#include "util/xalloc.h"

#define LINE_MAX_BYTES (1u << 20)
#define MAX_COLS 64
#define CSV_READ (64 * 1024)

enum col { C_TRACE, C_TS, C_RPCID, C_UM, C_DM, C_TYPE, C_IFACE, C_RT, C_N };

static const char *const col_names[C_N][2] = {
	[C_TRACE] = { "traceid", "trace_id" }, [C_TS] = { "timestamp", "ts" },
	[C_RPCID] = { "rpcid", "rpc_id" },     [C_UM] = { "um", "um" },
	[C_DM] = { "dm", "dm" },               [C_TYPE] = { "rpctype", "rpc_type" },
	[C_IFACE] = { "interface", "interface" }, [C_RT] = { "rt", "rt" },
};

struct csv {
	struct src *s;
	char *buf;
	size_t len, cap, off; /* bytes in buf; the next line starts at off */
	bool eof;
	uint64_t line;
};

/* The next line (without its end) in *out, NUL-terminated in place; 0 at the
 * end of the file, < 0 on error. */
static int next_line(struct csv *c, char **out, struct err *e)
{
	for (;;) {
		char *nl = memchr(c->buf + c->off, '\n', c->len - c->off);

		if (nl || (c->eof && c->off < c->len)) {
			char *start = c->buf + c->off;
			char *stop = nl ? nl : c->buf + c->len;

			if ((size_t)(stop - start) > LINE_MAX_BYTES)
				return err_set(e, "%s:%llu: a line longer than %u bytes", c->s->path,
					       (unsigned long long)c->line + 1, LINE_MAX_BYTES);
			c->off = (size_t)(stop - c->buf) + (nl != NULL);
			if (stop > start && stop[-1] == '\r')
				stop--;
			*stop = '\0';
			c->line++;
			*out = start;
			return 1;
		}
		if (c->eof)
			return 0;
		if (c->len - c->off >= LINE_MAX_BYTES)
			return err_set(e, "%s:%llu: a line longer than %u bytes", c->s->path,
				       (unsigned long long)c->line + 1, LINE_MAX_BYTES);
		memmove(c->buf, c->buf + c->off, c->len - c->off);
		c->len -= c->off;
		c->off = 0;
		if (c->len + CSV_READ + 1 > c->cap) /* a long line: room for it and a read */
			c->buf = xgrow(c->buf, &c->cap, c->len + CSV_READ + 1, CSV_READ + 1);
		ssize_t r = src_read(c->s, c->buf + c->len, CSV_READ, e);
		if (r < 0)
			return (int)r;
		if (r == 0) {
			c->eof = true;
			/* room for the NUL after a last line without '\n' */
			c->buf[c->len] = '\0';
		}
		c->len += (size_t)r;
	}
}

/* Splits a CSV line at commas (fields may be "quoted", no commas inside). */
static int split(char *line, char **f, int max)
{
	int n = 0;

	for (char *p = line;; p++) {
		char *comma = strchr(p, ',');

		if (n == max)
			return -1;
		if (comma)
			*comma = '\0';
		size_t l = strlen(p);
		if (l >= 2 && p[0] == '"' && p[l - 1] == '"') {
			p[l - 1] = '\0';
			p++;
		}
		while (*p == ' ')
			p++;
		f[n++] = p;
		if (comma == NULL)
			return n;
		p = comma;
	}
}

static int bad(struct err *e, const struct csv *c, const char *fmt, const char *what)
{
	char w[ERR_MSG_LEN];

	snprintf(w, sizeof w, "%s", what ? what : ""); /* what may be e->msg */
	err_set(e, "%s:%llu: %s%s", c->s->path, (unsigned long long)c->line, fmt, w);
	e->line = c->line > INT32_MAX ? INT32_MAX : (int)c->line;
	return -EINVAL;
}

static int row(struct import *im, struct csv *c, char **f, const int *col, struct err *e)
{
	struct span_in in;
	char parent[256];
	const char *rpcid = f[col[C_RPCID]], *type = col[C_TYPE] >= 0 ? f[col[C_TYPE]] : "";
	uint64_t ts;
	char *end;
	double rt;

	span_in_init(&in);
	in.pos = c->line;
	if (parse_u64(f[col[C_TS]], &ts) < 0 || scale_ns(ts, 1000000, &in.start_ns) < 0)
		return bad(e, c, "timestamp is not a whole number of ms: ", f[col[C_TS]]);
	if (*rpcid == '\0' || strlen(rpcid) >= sizeof parent)
		return bad(e, c, "empty or too long rpcid", NULL);
	rt = strtod(f[col[C_RT]], &end);
	/* An rt that is not a number ("", "NAN") is a row without a duration:
	 * kept, as a span without timestamps. */
	bool have_rt = end != f[col[C_RT]] && *end == '\0' && isfinite(rt) && fabs(rt) < 1e12;
	if (!have_rt)
		rt = 0;
	in.has_time = have_rt;
	in.dur_ns = (int64_t)(fabs(rt) * 1e6);
	bool server = rt < 0 || (rt == 0 && signbit(rt)); /* "-0": the callee's */
	bool mq = strcasecmp(type, "mq") == 0;
	in.trace_id = f[col[C_TRACE]];
	in.id = rpcid;
	in.operation = col[C_IFACE] >= 0 && *f[col[C_IFACE]] ? f[col[C_IFACE]] : type;
	if (server) {
		in.service = f[col[C_DM]];
		in.kind = mq ? SPAN_KIND_CONSUMER : SPAN_KIND_SERVER;
	} else {
		in.service = f[col[C_UM]];
		in.peer_service = f[col[C_DM]];
		in.kind = mq ? SPAN_KIND_PRODUCER : SPAN_KIND_CLIENT;
	}
	const char *dot = strrchr(rpcid, '.');
	if (dot) {
		memcpy(parent, rpcid, (size_t)(dot - rpcid));
		parent[dot - rpcid] = '\0';
		in.parent_id = parent;
	}
	if (import_add(im, &in, e) < 0)
		return bad(e, c, "", e->msg);
	return 0;
}

static int alibaba_read(struct import *im, struct src *s, struct err *e)
{
	struct csv c = { .s = s, .cap = CSV_READ + 1 };
	int col[C_N], ncols, rc;
	char *line, *f[MAX_COLS];

	c.buf = xmalloc(c.cap);
	rc = next_line(&c, &line, e);
	if (rc <= 0) {
		free(c.buf);
		return rc < 0 ? rc : err_set(e, "%s: empty file (expected a CSV header)", s->path);
	}
	if (line[0] == '\xef' && line[1] == '\xbb' && line[2] == '\xbf')
		line += 3;
	ncols = split(line, f, MAX_COLS);
	for (int k = 0; k < C_N; k++) {
		col[k] = -1;
		for (int i = 0; i < ncols && col[k] < 0; i++)
			if (strcasecmp(f[i], col_names[k][0]) == 0 || strcasecmp(f[i], col_names[k][1]) == 0)
				col[k] = i;
		if (col[k] < 0 && k != C_TYPE && k != C_IFACE) {
			rc = bad(e, &c, "the header has no column ", col_names[k][0]);
			free(c.buf);
			return rc;
		}
	}
	while ((rc = next_line(&c, &line, e)) > 0) {
		int n;

		if (*line == '\0')
			continue;
		n = split(line, f, MAX_COLS);
		if (n != ncols) {
			char what[64];

			snprintf(what, sizeof what, "%d fields, the header has %d", n < 0 ? MAX_COLS : n,
				 ncols);
			rc = bad(e, &c, "", what);
			break;
		}
		if ((rc = row(im, &c, f, col, e)) < 0)
			break;
	}
	free(c.buf);
	return rc < 0 ? rc : 0;
}

static int alibaba_sniff(const unsigned char *head, size_t len)
{
	const unsigned char *nl = memchr(head, '\n', len);
	size_t n = nl ? (size_t)(nl - head) : len;

	if (head_has(head, n, "traceid") && (head_has(head, n, "rpcid") || head_has(head, n, "rpc_id")) &&
	    head_has(head, n, ","))
		return 90;
	return 0;
}

const struct import_reader reader_alibaba = {
	.name = "alibaba",
	.what = "Alibaba cluster-trace microservices call graph CSV (v2021, v2022)",
	.sniff = alibaba_sniff,
	.read = alibaba_read,
};
