/* engine_trace.c -- see engine_trace.h. */
#include "exec/engine_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/sock.h"
#include "proto/ops.h"

/* An op's span name from the op table (its step's, or with part its
 * part's), or NULL when the op leaves none. */
static const char *span_name(unsigned code, bool part)
{
	const struct ops_def *d = ops_find(code);

	return d == NULL ? NULL : part ? d->span_part : d->span;
}

static struct trace_span *child(struct etrace *t, struct trace_ring *r, uint8_t kind,
				const char *name, int64_t start, int64_t end)
{
	struct trace_span *s;

	if (name == NULL || (s = trace_ring_claim(r)) == NULL)
		return NULL;
	memcpy(s->trace_id, t->trace_id, 16);
	trace_new_id(r, s->span_id, 8);
	memcpy(s->parent_id, t->server_id, 8);
	s->kind = kind;
	s->start_ns = start;
	s->end_ns = end;
	trace_name(s, name, strlen(name));
	return s;
}

void etrace_begin(struct etrace *t, struct trace_ring *r, const struct wire_trace *ctx,
		  const char *route, uint32_t route_len, uint64_t req_bytes, int64_t now)
{
	t->rec = r != NULL && (ctx->flags & 1);
	memcpy(t->trace_id, ctx->trace_id, 16);
	memcpy(t->parent_id, ctx->parent_id, 8);
	t->flags = ctx->flags;
	t->state_len = ctx->state_len;
	if (ctx->state_len)
		memcpy(t->state, ctx->state, ctx->state_len);
	t->route = route != NULL;
	if (route != NULL) {
		uint32_t n = route_len < sizeof t->name - 1 ? route_len : sizeof t->name - 1;

		memcpy(t->name, route, n);
		t->name[n] = '\0';
	} else {
		strcpy(t->name, "request");
	}
	t->start = now;
	t->req_bytes = req_bytes;
	t->wait_start = 0;
	t->fwd_open = 0;
	if (t->rec)
		trace_new_id(r, t->server_id, 8);
}

void etrace_end(struct etrace *t, struct trace_ring *r, uint16_t status, const char *text,
		uint64_t size, int64_t reply_start, int64_t now)
{
	struct trace_span *s;

	if (!t->rec)
		return;
	for (uint32_t i = 0; t->fwd_open && i < ETRACE_MAX_BRANCH; i++)
		if (t->fwd_open & (1ull << i))
			etrace_fwd_end(t, r, i, NULL, 0, -1, NULL, 0, now);
	if (t->wait_start)
		etrace_wait_end(t, r, 0, 0, 0, false, now);
	if (status == WIRE_OK && (s = child(t, r, TRACE_INTERNAL, span_name(OP_REPLY, false), reply_start,
					     now))) {
		trace_attr(s, TA_SIZE, (int64_t)size);
		trace_ring_commit(r);
	}
	if ((s = trace_ring_claim(r)) == NULL)
		return;
	memcpy(s->trace_id, t->trace_id, 16);
	memcpy(s->span_id, t->server_id, 8);
	memcpy(s->parent_id, t->parent_id, 8);
	s->kind = TRACE_SERVER;
	s->start_ns = t->start;
	s->end_ns = now;
	trace_name(s, t->name, strlen(t->name));
	if (t->route)
		trace_str(s, TS_ROUTE, t->name, strlen(t->name));
	trace_span_state(r, s, t->state, t->state_len); /* as the caller sent it */
	trace_attr(s, TA_REQ_SIZE, (int64_t)t->req_bytes);
	trace_attr(s, TA_WIRE_STATUS, status);
	if (status == WIRE_OK) {
		trace_attr(s, TA_RESP_SIZE, (int64_t)size);
		s->status = TRACE_OK;
	} else {
		trace_error(s, text ? text : wire_status_name(status),
			    text ? strlen(text) : strlen(wire_status_name(status)));
	}
	trace_ring_commit(r);
}

void etrace_compute(struct etrace *t, struct trace_ring *r, uint8_t code, uint64_t asked,
		    uint64_t wset, uint64_t spent, int64_t now)
{
	struct trace_span *s;

	if (t->rec && (s = child(t, r, TRACE_INTERNAL, span_name(code, false), now - (int64_t)spent,
				 now))) {
		trace_attr(s, TA_NS, (int64_t)asked);
		if (wset)
			trace_attr(s, TA_WSET, (int64_t)wset);
		trace_ring_commit(r);
	}
}

void etrace_op_start(struct etrace *t, uint8_t code, uint8_t flags, uint64_t a, uint64_t b,
		     int64_t now)
{
	t->op_code = code;
	t->op_flags = flags;
	t->op_a = a;
	t->op_b = b;
	t->op_start = now;
}

void etrace_op_end(struct etrace *t, struct trace_ring *r, int status, const char *err,
		   int64_t now)
{
	const struct ops_def *d = ops_find(t->op_code);
	struct trace_span *s;

	if (!t->rec || d == NULL)
		return;
	/* A REPLY waits only for its sendfile read: its part's span. */
	if ((s = child(t, r, TRACE_INTERNAL, d->run == OPS_RUN_REPLY ? d->span_part : d->span,
		       t->op_start, now)) == NULL)
		return;
	if (d->run == OPS_RUN_TIMER) {
		trace_attr(s, TA_NS, (int64_t)t->op_a);
	} else {
		trace_attr(s, TA_OFFSET, (int64_t)t->op_a); /* 2^64-1 (next) shows as -1 */
		trace_attr(s, TA_SIZE, (int64_t)t->op_b);
		if (t->op_code == OP_STORE)
			trace_attr(s, TA_SYNC, t->op_flags);
	}
	if (status < 0)
		trace_error(s, err ? err : "failed", err ? strlen(err) : 6);
	trace_ring_commit(r);
}

void etrace_wait_start(struct etrace *t, struct trace_ring *r, int64_t now)
{
	t->wait_start = now;
	if (t->rec)
		trace_new_id(r, t->wait_id, 8);
}

void etrace_wait_end(struct etrace *t, struct trace_ring *r, uint32_t targets, uint32_t nack,
		     uint32_t acked, bool ok, int64_t now)
{
	struct trace_span *s;
	int64_t start = t->wait_start;
	const char *name = span_name(OP_FORWARD, false);

	t->wait_start = 0;
	if (!t->rec || start == 0 || name == NULL || (s = trace_ring_claim(r)) == NULL)
		return;
	memcpy(s->trace_id, t->trace_id, 16);
	memcpy(s->span_id, t->wait_id, 8);
	memcpy(s->parent_id, t->server_id, 8);
	s->kind = TRACE_INTERNAL;
	s->start_ns = start;
	s->end_ns = now;
	trace_name(s, name, strlen(name));
	if (targets > 0) {
		trace_attr(s, TA_TARGETS, targets);
		trace_attr(s, TA_NACK, nack);
		trace_attr(s, TA_ACKED, acked);
	}
	if (ok)
		s->status = TRACE_OK;
	else
		trace_error(s, "quorum not reached", 18);
	trace_ring_commit(r);
}

void etrace_fwd_send(struct etrace *t, struct trace_ring *r, uint32_t i, struct wire_trace *out,
		     int64_t now)
{
	memcpy(out->trace_id, t->trace_id, 16);
	out->flags = t->flags;
	out->state_len = t->state_len;
	out->state = t->state;
	if (!t->rec || i >= ETRACE_MAX_BRANCH) {
		memcpy(out->parent_id, t->parent_id, 8);
		return;
	}
	trace_new_id(r, t->fwd_id[i], 8);
	t->fwd_start[i] = now;
	t->fwd_open |= 1ull << i;
	memcpy(out->parent_id, t->fwd_id[i], 8);
}

void etrace_fwd_end(struct etrace *t, struct trace_ring *r, uint32_t i,
		    const struct sockaddr *to, uint32_t attempt, int status, const char *text,
		    uint32_t text_len, int64_t now)
{
	struct trace_span *s;
	const char *name = span_name(OP_FORWARD, true);

	if (!t->rec || i >= ETRACE_MAX_BRANCH || !(t->fwd_open & (1ull << i)))
		return;
	t->fwd_open &= ~(1ull << i);
	if (name == NULL || (s = trace_ring_claim(r)) == NULL)
		return;
	memcpy(s->trace_id, t->trace_id, 16);
	memcpy(s->span_id, t->fwd_id[i], 8);
	memcpy(s->parent_id, t->wait_start ? t->wait_id : t->server_id, 8);
	s->kind = TRACE_CLIENT;
	s->start_ns = t->fwd_start[i];
	s->end_ns = now;
	trace_name(s, name, strlen(name));
	if (to != NULL) {
		char a[SOCK_ADDR_STRLEN];
		const char *colon;

		sock_addr_str(to, a, sizeof a);
		/* "host:port" and "[v6]:port" into server.address and server.port */
		colon = strrchr(a, ':');
		if (colon != NULL) {
			const char *h = a;
			size_t n = (size_t)(colon - a);

			if (a[0] == '[' && n >= 2 && a[n - 1] == ']') {
				h++;
				n -= 2;
			}
			trace_str(s, TS_PEER, h, n);
			trace_attr(s, TA_PEER_PORT, atoi(colon + 1));
		} else {
			trace_str(s, TS_PEER, a, strlen(a));
		}
	}
	trace_attr(s, TA_ATTEMPT, attempt);
	if (status == WIRE_OK) {
		s->status = TRACE_OK;
	} else if (status > 0) {
		trace_attr(s, TA_WIRE_STATUS, status);
		trace_error(s, text ? text : wire_status_name((unsigned)status),
			    text ? text_len : strlen(wire_status_name((unsigned)status)));
	}
	trace_ring_commit(r);
}
