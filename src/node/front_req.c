/* front_req.c -- see front_req.h. */
#include "node/front_req.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "prog/prog_parse.h"
#include "spec/units.h"

static const struct {
	uint16_t wire;
	int http;
} status_map[] = {
	{ WIRE_ERR_MALFORMED, 400 }, { WIRE_ERR_VERSION, 400 },   { WIRE_ERR_LIMIT, 413 },
	{ WIRE_ERR_UNSUPPORTED, 501 }, { WIRE_ERR_FORWARD, 502 }, { WIRE_ERR_TIMEOUT, 504 },
	{ WIRE_ERR_STORAGE, 500 },   { WIRE_ERR_REFUSED, 403 },   { WIRE_ERR_INTERNAL, 500 },
	{ WIRE_ERR_NO_ROUTE, 404 },  { WIRE_ERR_BUSY, 503 },
};

int front_http_status(uint16_t wire)
{
	if (wire == WIRE_OK)
		return 200; /* every answered request asks: before the table */
	for (size_t i = 0; i < sizeof status_map / sizeof status_map[0]; i++)
		if (status_map[i].wire == wire)
			return status_map[i].http;
	return wire == WIRE_OK ? 200 : 500;
}

uint16_t front_wire_status(int http)
{
	return http == 404 ? WIRE_ERR_NO_ROUTE
	       : http == 413 || http == 431 ? WIRE_ERR_LIMIT
	       : http == 403 ? WIRE_ERR_REFUSED
	       : WIRE_ERR_MALFORMED;
}

void front_refuse(struct front_decision *d, int status, const char *fmt, ...)
{
	va_list ap;

	d->http_status = status;
	va_start(ap, fmt);
	vsnprintf(d->text, sizeof d->text, fmt, ap);
	va_end(ap);
}

int front_program_text(struct worker *w, const char *text, struct wire_buf *prog,
		       struct front_decision *d)
{
	struct prog *p;
	struct err e;

	if (prog_parse_text(text, &p, &e) < 0) {
		front_refuse(d, 400, "node %s: program: %s", w->self, e.msg);
		return 400;
	}
	prog->len = 0;
	prog_encode(p, &w->rng, w->st.eng.requests, prog);
	prog_destroy(p);
	return 0;
}

void front_compute_program(struct wire_buf *prog, uint64_t ns)
{
	prog->len = 0;
	size_t at = wire_put_op(prog, OP_COMPUTE, 0, 0);
	wire_buf_put_u64(prog, ns);
	wire_end_op(prog, at);
	at = wire_put_op(prog, OP_REPLY, 0, 0);
	wire_buf_put_u64(prog, 0);
	wire_end_op(prog, at);
}

/* seed 003's worker: COMPUTE for ?duration= (Go's units: 100ms, 1.5s, 250us). */
static void worker_program(struct worker *w, struct http1_span query, struct wire_buf *prog,
			   struct front_decision *d)
{
	char text[64];
	double us = 100000;
	struct err e;
	int rc = http1_query_param(query, "duration", text, sizeof text, NULL);

	if (rc == 0 && (units_parse(text, SPEC_TIME, &us, &e) < 0 || us < 0)) {
		front_refuse(d, 400, "node %s: duration '%s': %s", w->self, text, e.msg);
		return;
	}
	if (rc < 0 && rc != -ENOENT) {
		front_refuse(d, 400, "node %s: duration: bad query encoding", w->self);
		return;
	}
	front_compute_program(prog, (uint64_t)(us * 1000));
	d->worker = true;
}

int front_check_program(struct worker *w, const struct wire_buf *prog, struct front_decision *d)
{
	struct err e;
	int rc = wire_prog_check(prog->data, (uint32_t)prog->len, &w->cfg->limits, &e);

	if (rc < 0)
		front_refuse(d, front_http_status((uint16_t)-rc), "node %s: %s", w->self, e.msg);
	return d->http_status;
}

void front_decide(struct worker *w, struct http1_span path, struct http1_span query,
		  struct http1_span prog_hdr, struct wire_buf *prog, struct front_decision *d)
{
	char *text = w->http_text;
	struct err e;
	int rc;

	d->worker = false; /* the text is written with a refusal, read only then */
	d->http_status = 0;
	rc = http1_query_param(query, "program", text, HTTP_PROG_MAX + 1, NULL);
	if (rc == -ENOENT && prog_hdr.p != NULL) {
		rc = prog_hdr.len > HTTP_PROG_MAX ? -ENOSPC : 0;
		if (rc == 0) {
			memcpy(text, prog_hdr.p, prog_hdr.len);
			text[prog_hdr.len] = '\0';
		}
	}
	if (rc == -ENOSPC) {
		front_refuse(d, 413, "node %s: program longer than %d bytes", w->self, HTTP_PROG_MAX);
	} else if (rc == -EINVAL) {
		front_refuse(d, 400, "node %s: program: bad percent-encoding", w->self);
	} else if (rc == 0) {
		front_program_text(w, text, prog, d);
	} else if (path.len == 7 && memcmp(path.p, "/worker", 7) == 0) {
		worker_program(w, query, prog, d);
	} else if (path.len <= 1) {
		/* "/", a load tool's target: the same empty REPLY every time,
		 * encoded and checked against the limits once per worker */
		if (!w->root_ok) {
			w->root_prog.len = 0;
			size_t at = wire_put_op(&w->root_prog, OP_REPLY, 0, 0);
			wire_buf_put_u64(&w->root_prog, 0);
			wire_end_op(&w->root_prog, at);
			w->root_ok = front_check_program(w, &w->root_prog, d) == 0;
			if (!w->root_ok)
				return;
		}
		prog->len = 0;
		wire_buf_put(prog, w->root_prog.data, w->root_prog.len);
		return;
	} else {
		rc = front_encode_route(w, (const uint8_t *)path.p + 1, (uint32_t)path.len - 1, prog,
					&e);
		if (rc < 0)
			front_refuse(d, front_http_status((uint16_t)-rc), "node %s: %s", w->self,
				     e.msg);
	}
	if (d->http_status == 0)
		front_check_program(w, prog, d);
}
