/* engine.c -- see engine.h.
 *
 * DESIGN: a task per request in progress, in a table indexed by slot with a
 * free list (slots are never freed, so ids stay checkable). A task is in one
 * of three waits: a forward (waiting), storage (in_storage), or nothing (it
 * is running, or free). A forward's state is two bitmasks over its targets
 * (acked, failed) for the current attempt; the attempt's window ends at
 * attempt_end, where one timer decides between retry and timeout. When the
 * quorum becomes impossible before that, the task only marks retry_pending
 * and lets the same timer start the next attempt: no path sends from inside
 * a failure handler, so nothing recurses and a target that refuses at once
 * is tried once per window, not thousands of times a second. */
#include "exec/engine.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec/engine_cost.h"
#include "exec/engine_trace.h"
#include "net/sock.h"
#include "proto/ops.h"
#include "util/counter.h"
#include "util/xalloc.h"

#define MAX_TASKS (1u << 20)
#define MAX_BRANCH 64
#define NSEC_PER_USEC_ 1000ull

struct engine_task {
	uint32_t slot;
	uint32_t gen;                  /* bumped on free */
	bool busy;
	bool waiting;                  /* parked on a forward */
	bool retry_pending;            /* quorum impossible: retry at attempt_end */
	bool in_storage;               /* sreq is with storage */
	bool sleeping;                 /* parked on a SLEEP timer */
	struct engine_origin origin;
	uint64_t req_id;
	uint8_t *prog;                 /* copy of the program */
	uint32_t prog_len, prog_cap;
	struct exec_cursor cur;
	struct wire_budget budget;     /* what this request was granted */
	struct wire_budget share;      /* slack each forwarded request gets on top of its own cost */
	struct wire_forward fwd;       /* the forward being waited for */
	uint8_t fwd_seq;               /* attempt number, part of ids and timer keys */
	uint32_t attempts;             /* retries used */
	int64_t attempt_end;           /* the current attempt's window ends here */
	uint64_t acked, failed;        /* per target, this attempt */
	void *peers[MAX_BRANCH];       /* where each target's frame went */
	uint64_t msgs[MAX_BRANCH];     /* and its handle there, for cancel */
	uint16_t err_status;           /* first failure of the attempt */
	char err[200];
	struct storage_req sreq;
	struct engine_task *next_free;
	bool traced;                   /* tr holds this request's trace context */
	struct etrace *tr;             /* allocated on the slot's first traced request */
};

struct engine {
	const struct engine_config *cfg;
	const struct engine_io *io;
	struct rng *rng;
	struct engine_stats *st;
	struct engine_task **tasks;
	uint32_t ntasks, active;
	struct engine_task *free_tasks;
	struct trace_ring *ring;       /* spans of sampled requests go here; NULL: none */
};

static void continue_task(struct engine *e, struct engine_task *t);

/* -- tasks -- */

static struct engine_task *task_alloc(struct engine *e)
{
	struct engine_task *t = e->free_tasks;

	if (t != NULL) {
		e->free_tasks = t->next_free;
	} else {
		if (e->ntasks >= MAX_TASKS)
			return NULL;
		if ((e->ntasks & (e->ntasks - 1)) == 0) /* grow at powers of two */
			e->tasks = xrealloc(e->tasks, (e->ntasks ? e->ntasks * 2 : 16) * sizeof *e->tasks);
		t = xcalloc(1, sizeof *t);
		t->slot = e->ntasks;
		e->tasks[e->ntasks++] = t;
	}
	t->busy = true;
	t->waiting = t->retry_pending = t->in_storage = t->sleeping = false;
	t->attempts = 0;
	t->err[0] = '\0';
	t->traced = false;
	e->active++;
	return t;
}

static void task_free(struct engine *e, struct engine_task *t)
{
	t->busy = false;
	t->waiting = false;
	t->gen++;
	t->next_free = e->free_tasks;
	e->free_tasks = t;
	e->active--;
}

/* Forward ids: slot(32) | gen(16) | attempt(8) | branch(8). */
static uint64_t fwd_id(const struct engine_task *t, uint32_t branch)
{
	return ((uint64_t)t->slot << 32) | ((uint64_t)(t->gen & 0xffff) << 16) |
	       ((uint64_t)t->fwd_seq << 8) | branch;
}

/* Timer keys: kind(1) << 48 | slot(20) << 24 | gen(16) << 8 | attempt(8);
 * below 2^49, so the worker has the high bits for its own timers. */
#define TIMER_SLEEP (1ull << 48)

static uint64_t timer_key(const struct engine_task *t)
{
	return ((uint64_t)t->slot << 24) | ((uint64_t)(t->gen & 0xffff) << 8) | t->fwd_seq;
}

static struct engine_task *waiting_task(struct engine *e, uint32_t slot, uint32_t gen16,
					uint32_t seq)
{
	struct engine_task *t;

	if (slot >= e->ntasks)
		return NULL;
	t = e->tasks[slot];
	if (!t->busy || !t->waiting || (t->gen & 0xffff) != gen16 || t->fwd_seq != seq)
		return NULL;
	return t;
}

/* -- answering -- */

static void trace_fwd_abandon(struct engine *e, struct engine_task *t, int status,
			      const char *why);

static void finish(struct engine *e, struct engine_task *t, uint16_t status, const char *text,
		   uint64_t size)
{
	const struct engine_front *f = t->origin.front;
	int64_t reply_start = t->traced ? e->io->now(e->io->ctx) : 0;

	f->reply(f->ctx, &t->origin, t->req_id, status, text, text ? (uint32_t)strlen(text) : 0,
		 size);
	if (t->traced) {
		trace_fwd_abandon(e, t, -1, NULL);
		if (t->tr->wait_start)
			etrace_wait_end(t->tr, e->ring, t->fwd.ntargets, t->fwd.nack,
					(uint32_t)__builtin_popcountll(t->acked), false, reply_start);
		etrace_end(t->tr, e->ring, status, text, size, reply_start, e->io->now(e->io->ctx));
	}
	task_free(e, t);
}

static void finish_error(struct engine *e, struct engine_task *t, uint16_t status,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void finish_error(struct engine *e, struct engine_task *t, uint16_t status,
			 const char *fmt, ...)
{
	char msg[320];
	va_list ap;
	int n = snprintf(msg, sizeof msg, "node %s: ", e->cfg->self);

	if (n < 0 || (size_t)n >= sizeof msg)
		n = 0;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof msg - (size_t)n, fmt, ap);
	va_end(ap);
	t->waiting = false;
	finish(e, t, status, msg, 0);
}

/* -- forwards -- */

static int popcount64(uint64_t v)
{
	return __builtin_popcountll(v);
}

/* Target i for messages: its address, or NAME:PORT for a named target. */
#define TARGET_STRLEN (WIRE_NAME_MAX + sizeof ":65535")
static const char *target_str(const struct wire_forward *f, uint32_t i, char *buf, size_t len)
{
	const uint8_t *name;
	uint32_t n = wire_target_name(f, i, &name);
	struct sockaddr_storage ss;
	socklen_t sl;

	if (n > 0)
		snprintf(buf, len, "%.*s:%u", (int)n, (const char *)name, wire_target_port(f, i));
	else if (wire_target_addr(f, i, &ss, &sl) == 0)
		sock_addr_str((struct sockaddr *)&ss, buf, len);
	else
		snprintf(buf, len, "target %u", i);
	return buf;
}

static void record_failure(struct engine_task *t, uint32_t branch, uint16_t status,
			   const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void record_failure(struct engine_task *t, uint32_t branch, uint16_t status,
			   const char *fmt, ...)
{
	va_list ap;

	t->failed |= 1ull << branch;
	if (t->err[0] != '\0')
		return; /* keep the first reason: it is usually the root cause */
	t->err_status = status;
	va_start(ap, fmt);
	vsnprintf(t->err, sizeof t->err, fmt, ap);
	va_end(ap);
}

/* Target i's CLIENT span of a traced request ends (status < 0: cancelled). */
static void trace_fwd_end(struct engine *e, struct engine_task *t, uint32_t i, int status,
			  const char *text, uint32_t text_len)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (!t->tr->rec)
		return;
	if (wire_target_addr(&t->fwd, i, &ss, &len) != 0)
		ss.ss_family = AF_UNSPEC;
	etrace_fwd_end(t->tr, e->ring, i, ss.ss_family == AF_UNSPEC ? NULL : (struct sockaddr *)&ss,
		       t->attempts, status, text, text_len, e->io->now(e->io->ctx));
}

/* Every open CLIENT span of a traced request ends with status (and why). */
static void trace_fwd_abandon(struct engine *e, struct engine_task *t, int status,
			      const char *why)
{
	for (uint32_t i = 0; t->tr->fwd_open && i < t->fwd.ntargets; i++)
		if (t->tr->fwd_open & (1ull << i))
			trace_fwd_end(e, t, i, status, why, why ? (uint32_t)strlen(why) : 0);
}

/* Frames of targets that have not answered this attempt: their answer no
 * longer counts, so they should not be sent late. */
static void cancel_outstanding(struct engine *e, struct engine_task *t)
{
	if (t->traced)
		trace_fwd_abandon(e, t, -1, NULL);
	if (e->io->cancel == NULL)
		return;
	for (uint32_t i = 0; i < t->fwd.ntargets; i++)
		if (t->peers[i] != NULL && !((t->acked | t->failed) & (1ull << i)))
			e->io->cancel(e->io->ctx, t->peers[i], t->msgs[i]);
}

/* The budget forwarded request `sub` carries: its own cost and a share of
 * the slack, one hop less. */
static void sub_budget(const struct engine_task *t, const uint8_t *sub, uint32_t sub_len,
		       struct wire_budget *b)
{
	struct wire_budget c = { 0 };

	if (!t->fwd.route)
		engine_cost(sub, sub_len, &c);
	b->compute_ns = sat_add(c.compute_ns, t->share.compute_ns);
	b->requests = sat_add(c.requests, t->share.requests);
	b->bytes = sat_add(c.bytes, t->share.bytes);
	b->hops = t->budget.hops - 1; /* engine_start refused forwards at 0 hops */
}

static void send_attempt(struct engine *e, struct engine_task *t)
{
	uint64_t timeout_us = t->fwd.timeout_us ? t->fwd.timeout_us : e->cfg->forward_timeout_us;

	t->fwd_seq++;
	t->waiting = true;
	t->retry_pending = false;
	t->failed = 0;
	t->err[0] = '\0';
	t->err_status = 0;
	t->attempt_end = e->io->now(e->io->ctx) + (int64_t)(timeout_us * NSEC_PER_USEC_);
	for (uint32_t i = 0; i < t->fwd.ntargets; i++) {
		struct sockaddr_storage ss;
		struct engine_send s = { .to = &ss, .route = t->fwd.route,
					 .frame_size = t->fwd.frame_size };
		struct wire_budget b;
		struct wire_trace tc;
		char why[160];

		if (t->acked & (1ull << i))
			continue;
		if (t->traced) {
			etrace_fwd_send(t->tr, e->ring, i, &tc, e->io->now(e->io->ctx));
			s.trace = &tc;
		}
		t->peers[i] = NULL;
		if (wire_target_addr(&t->fwd, i, &ss, &s.to_len) != 0) { /* a named target */
			const uint8_t *name;

			s.host_len = wire_target_name(&t->fwd, i, &name);
			s.host = (const char *)name;
			s.port = wire_target_port(&t->fwd, i);
			s.to_len = 0;
		}
		s.via = wire_target_transport(&t->fwd, i);
		wire_forward_sub(&t->fwd, t->fwd.branch ? i : 0, &s.sub, &s.sub_len);
		sub_budget(t, s.sub, s.sub_len, &b);
		s.budget = &b;
		s.id = fwd_id(t, i);
		why[0] = '\0';
		int rc = e->io->forward(e->io->ctx, &s, &t->peers[i], &t->msgs[i], why, sizeof why);
		if (rc != 0) {
			if (rc == WIRE_ERR_BUSY)
				e->st->forward_busy++;
			else if (rc == WIRE_ERR_REFUSED) /* a named target's address */
				e->st->forward_refused++;
			else
				e->st->forward_failures++;
			record_failure(t, i, (uint16_t)rc, "%s", why);
			t->peers[i] = NULL;
			if (t->traced)
				trace_fwd_end(e, t, i, rc, why, (uint32_t)strlen(why));
			continue;
		}
		e->st->forwards++;
	}
	e->io->timer(e->io->ctx, t->attempt_end, timer_key(t));
}

/* Moves a waiting task on when its quorum is met or has become impossible;
 * never sends (a retry waits for the attempt's timer). */
static void check_forward(struct engine *e, struct engine_task *t)
{
	uint32_t n = t->fwd.ntargets, nack = t->fwd.nack;

	if ((uint32_t)popcount64(t->acked) >= nack) {
		cancel_outstanding(e, t); /* answers beyond the quorum are not needed */
		if (t->traced)
			etrace_wait_end(t->tr, e->ring, n, nack, (uint32_t)popcount64(t->acked), true,
					e->io->now(e->io->ctx));
		t->waiting = false;
		continue_task(e, t);
		return;
	}
	if ((uint32_t)popcount64(t->failed) <= n - nack || t->retry_pending)
		return;
	if (t->attempts < t->fwd.retries) {
		cancel_outstanding(e, t);
		t->retry_pending = true; /* engine_timer() starts the next attempt */
		return;
	}
	cancel_outstanding(e, t);
	finish_error(e, t, t->err_status ? t->err_status : WIRE_ERR_FORWARD, "%s", t->err);
}

/* Starts a FORWARD; true when the task goes on at once (a fire-and-forget
 * forward, nack 0: sent, its replies never waited for). */
static bool start_forward(struct engine *e, struct engine_task *t, const struct wire_op *op)
{
	wire_forward_decode(op, &t->fwd);
	for (uint32_t i = 0; i < t->fwd.ntargets; i++) {
		struct sockaddr_storage ss;
		socklen_t len;
		char a[SOCK_ADDR_STRLEN];
		const uint8_t *name;

		if (wire_target_addr(&t->fwd, i, &ss, &len) == 0 &&
		    allowlist_allows(e->cfg->allow, (struct sockaddr *)&ss))
			continue;
		if (wire_target_name(&t->fwd, i, &name) > 0)
			continue; /* its address is checked where it is resolved (io.forward) */
		e->st->forward_refused++;
		sock_addr_str((struct sockaddr *)&ss, a, sizeof a);
		if (allowlist_is_special((struct sockaddr *)&ss))
			finish_error(e, t, WIRE_ERR_REFUSED,
				     "forward to %s refused: link-local and cloud metadata addresses "
				     "must be named exactly in --allow-forward", a);
		else
			finish_error(e, t, WIRE_ERR_REFUSED, "forward to %s refused: not in %s", a,
				     e->cfg->allow_name);
		return false;
	}
	t->acked = t->failed = 0;
	t->attempts = 0;
	memset(t->peers, 0, sizeof t->peers);
	if (t->traced)
		etrace_wait_start(t->tr, e->ring, e->io->now(e->io->ctx));
	send_attempt(e, t);
	if (t->fwd.nack == 0) {
		/* Fire and forget: what was queued leaves (never cancelled), a
		 * target that failed at once is counted and traced, and the
		 * replies that come are orphans to this task (fwd_seq moves on
		 * with its next forward; a finished task's ids are stale). */
		if (t->traced) {
			/* its CLIENT spans end at the send (OpenTelemetry's
			 * convention for a call not waited for): a later
			 * forward of the task reuses their slots */
			trace_fwd_abandon(e, t, -1, NULL);
			etrace_wait_end(t->tr, e->ring, t->fwd.ntargets, 0, 0, true,
					e->io->now(e->io->ctx));
		}
		t->waiting = false;
		return true;
	}
	if (t->failed)
		check_forward(e, t); /* targets that failed at once may decide it */
	return false;
}

void engine_forward_reply(struct engine *e, void *peer, uint64_t id, uint16_t status,
			  const char *text, uint32_t text_len)
{
	uint32_t branch = id & 0xff;
	struct engine_task *t = waiting_task(e, (uint32_t)(id >> 32), (id >> 16) & 0xffff,
					     (id >> 8) & 0xff);

	if (t == NULL || t->retry_pending || branch >= t->fwd.ntargets || t->peers[branch] != peer ||
	    ((t->acked | t->failed) & (1ull << branch)))
		return; /* late: after quorum, timeout or retry */
	if (t->traced)
		trace_fwd_end(e, t, branch, status, text, text_len);
	if (status == WIRE_OK) {
		t->acked |= 1ull << branch;
	} else {
		char a[TARGET_STRLEN];

		e->st->forward_failures++;
		record_failure(t, branch, status, "via %s: %.*s", target_str(&t->fwd, branch, a, sizeof a),
			       (int)(text_len < 160 ? text_len : 160), text);
	}
	check_forward(e, t);
}

void engine_peer_failed(struct engine *e, void *peer, const char *why)
{
	engine_peer_failed_status(e, peer, WIRE_ERR_FORWARD, why);
}

void engine_peer_failed_status(struct engine *e, void *peer, uint16_t status, const char *why)
{
	for (uint32_t s = 0; s < e->ntasks; s++) {
		struct engine_task *t = e->tasks[s];
		bool hit = false;

		if (!t->busy || !t->waiting || t->retry_pending)
			continue;
		for (uint32_t i = 0; i < t->fwd.ntargets; i++)
			if (t->peers[i] == peer && !((t->acked | t->failed) & (1ull << i))) {
				if (status == WIRE_ERR_REFUSED)
					e->st->forward_refused++;
				else
					e->st->forward_failures++;
				if (t->traced)
					trace_fwd_end(e, t, i, status, why, (uint32_t)strlen(why));
				record_failure(t, i, status, "%s", why);
				t->peers[i] = NULL; /* its frames went with the connection */
				hit = true;
			}
		if (hit)
			check_forward(e, t);
	}
}

/* A SLEEP's time has passed: the walk goes on. */
static void sleep_done(struct engine *e, uint64_t key)
{
	uint32_t slot = (uint32_t)((key >> 24) & 0xffffff);
	struct engine_task *t;

	if (slot >= e->ntasks)
		return;
	t = e->tasks[slot];
	if (!t->busy || !t->sleeping || (t->gen & 0xffff) != ((key >> 8) & 0xffff))
		return;
	t->sleeping = false;
	if (t->traced)
		etrace_op_end(t->tr, e->ring, 0, NULL, e->io->now(e->io->ctx));
	continue_task(e, t);
}

void engine_timer(struct engine *e, uint64_t key)
{
	if (key & TIMER_SLEEP) {
		sleep_done(e, key);
		return;
	}
	struct engine_task *t = waiting_task(e, (uint32_t)(key >> 24), (key >> 8) & 0xffff,
					     key & 0xff);

	if (t == NULL)
		return; /* answered already */
	if (!t->retry_pending) {
		e->st->forward_timeouts++;
		if (t->traced)
			trace_fwd_abandon(e, t, WIRE_ERR_TIMEOUT, "no reply within the attempt's window");
		cancel_outstanding(e, t);
	}
	if (t->attempts < t->fwd.retries) {
		t->attempts++;
		e->st->retries++;
		send_attempt(e, t);
		if (t->failed)
			check_forward(e, t);
		return;
	}
	if (t->retry_pending) {
		finish_error(e, t, t->err_status ? t->err_status : WIRE_ERR_FORWARD, "%s", t->err);
		return;
	}
	uint64_t us = t->fwd.timeout_us ? t->fwd.timeout_us : e->cfg->forward_timeout_us;
	for (uint32_t i = 0; i < t->fwd.ntargets; i++)
		if (!((t->acked | t->failed) & (1ull << i))) {
			char a[TARGET_STRLEN];

			finish_error(e, t, WIRE_ERR_TIMEOUT,
				     "forward to %s: no reply within %llu us (%u of %u replies)",
				     target_str(&t->fwd, i, a, sizeof a),
				     (unsigned long long)us, popcount64(t->acked), t->fwd.nack);
			return;
		}
	finish_error(e, t, t->err_status ? t->err_status : WIRE_ERR_TIMEOUT, "%s", t->err);
}

/* -- storage -- */

static void submit_storage(struct engine *e, struct engine_task *t, uint8_t op, uint8_t sync,
			   uint64_t offset, uint64_t size)
{
	struct storage_req *r = &t->sreq;

	r->op = op;
	r->sync = sync;
	r->offset = offset;
	r->size = size;
	t->in_storage = true;
	if (t->traced)
		etrace_op_start(t->tr, op == STORAGE_LOAD ? OP_LOAD : op == STORAGE_STORE ? OP_STORE : OP_REPLY,
				sync, offset, size, e->io->now(e->io->ctx));
	e->io->storage(e->io->ctx, r);
}

void engine_storage_done(struct engine *e, struct storage_req *r)
{
	struct engine_task *t = (struct engine_task *)((char *)r - offsetof(struct engine_task, sreq));

	t->in_storage = false;
	if (t->traced)
		etrace_op_end(t->tr, e->ring, r->status, r->err, e->io->now(e->io->ctx));
	if (r->status < 0) {
		e->st->storage_errors++;
		finish_error(e, t, WIRE_ERR_STORAGE, "%s", r->err);
	} else if (r->op == STORAGE_PREFETCH) {
		const struct engine_front *f = t->origin.front;

		f->reply_file(f->ctx, &t->origin, t->req_id, r->used_offset, r->size);
		if (t->traced) {
			int64_t now = e->io->now(e->io->ctx);

			etrace_end(t->tr, e->ring, WIRE_OK, NULL, r->size, now, now);
		}
		task_free(e, t);
	} else {
		continue_task(e, t);
	}
}

/* -- running -- */

static void reply_op(struct engine *e, struct engine_task *t, const struct wire_op *op)
{
	if (!(op->flags & WIRE_REPLY_SENDFILE)) {
		finish(e, t, WIRE_OK, NULL, wire_get_u64(op->body));
		return;
	}
	uint64_t size = wire_get_u64(op->body);
	uint32_t max_frame = e->cfg->limits->max_frame;

	if (!e->cfg->has_storage) {
		finish_error(e, t, WIRE_ERR_UNSUPPORTED, "this node has no storage");
	} else if (t->origin.front->reply_file == NULL) {
		finish_error(e, t, WIRE_ERR_UNSUPPORTED,
			     "sendfile replies need a TCP connection, not %s", t->origin.front->name);
	} else if (size > max_frame - WIRE_HDR_LEN) {
		e->st->storage_errors++;
		finish_error(e, t, WIRE_ERR_STORAGE,
			     "sendfile reply of %llu bytes: larger than --max-frame-size "
			     "(%u bytes with the header)",
			     (unsigned long long)size, max_frame);
	} else {
		submit_storage(e, t, STORAGE_PREFETCH, 0, wire_get_u64(op->body + 8), size);
	}
}

static void continue_task(struct engine *e, struct engine_task *t)
{
	struct wire_op op;
	enum exec_step step;
	uint64_t spent = e->st->exec.compute_ns;

	/* report_compute is set only for a recorded request */
	while ((step = exec_next(&t->cur, e->rng, &e->st->exec, &op)) == EXEC_COMPUTED) {
		etrace_compute(t->tr, e->ring, op.code, wire_get_u64(op.body), ops_wset(&op),
			       e->st->exec.compute_ns - spent, e->io->now(e->io->ctx));
		spent = e->st->exec.compute_ns;
	}
	switch (step) {
	case EXEC_REPLY:
		reply_op(e, t, &op);
		return;
	case EXEC_STORAGE:
		if (!e->cfg->has_storage) {
			finish_error(e, t, WIRE_ERR_UNSUPPORTED, "this node has no storage");
			return;
		}
		submit_storage(e, t, op.code == OP_LOAD ? STORAGE_LOAD : STORAGE_STORE, op.flags,
			       wire_get_u64(op.body), wire_get_u64(op.body + 8));
		return;
	case EXEC_FORWARD:
		if (start_forward(e, t, &op))
			continue_task(e, t); /* nowait: bounded by the program's ops */
		return;
	case EXEC_SLEEP:
		t->sleeping = true;
		e->st->sleeps++;
		if (t->traced)
			etrace_op_start(t->tr, op.code, 0, wire_get_u64(op.body), 0,
					e->io->now(e->io->ctx));
		e->io->timer(e->io->ctx, e->io->now(e->io->ctx) + (int64_t)wire_get_u64(op.body),
			     TIMER_SLEEP | timer_key(t));
		return;
	case EXEC_ABORTED:
		finish_error(e, t, WIRE_ERR_INTERNAL, "the node is stopping");
		return;
	case EXEC_UNSUPPORTED:
		finish_error(e, t, WIRE_ERR_UNSUPPORTED, "op %u is not supported by this node yet",
			     op.code);
		return;
	case EXEC_COMPUTED:
		return; /* consumed by the loop above */
	}
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* Refuses t (and returns false) when its program costs more than its
 * budget; else sets the slack share its forwards carry. */
static bool within_budget(struct engine *e, struct engine_task *t)
{
	struct wire_budget c = { 0 };
	struct cost_walk w = { 0 };
	const struct wire_budget *b = &t->budget;
	const char *what = NULL;
	uint64_t need = 0, have = 0;

	engine_cost_walk(t->prog, t->prog_len, &c, &w);
	if (w.max_retries > e->cfg->max_retries) {
		e->st->limit_violations++;
		finish_error(e, t, WIRE_ERR_LIMIT,
			     "a forward asks for %u retries; this node allows %u (--max-retries)",
			     w.max_retries, e->cfg->max_retries);
		return false;
	}
	if (c.compute_ns > b->compute_ns)
		what = "us of COMPUTE", need = c.compute_ns / 1000, have = b->compute_ns / 1000;
	else if (c.requests > b->requests)
		what = "forwarded requests", need = c.requests, have = b->requests;
	else if (c.bytes > b->bytes)
		what = "bytes sent", need = c.bytes, have = b->bytes;
	else if (c.hops > b->hops)
		what = "hops", need = c.hops, have = b->hops;
	if (what != NULL) {
		e->st->over_budget++;
		finish_error(e, t, WIRE_ERR_LIMIT,
			     "request over budget: its tree may cost %llu %s, the budget is %llu "
			     "(docs/security.md)",
			     (unsigned long long)need, what, (unsigned long long)have);
		return false;
	}
	uint64_t sends = w.top_sends;
	if (sends > 0) {
		t->share.compute_ns = (b->compute_ns - c.compute_ns) / sends;
		t->share.requests = (b->requests - c.requests) / sends;
		t->share.bytes = (b->bytes - c.bytes) / sends;
	}
	return true;
}

void engine_start(struct engine *e, const struct engine_origin *o, uint64_t req_id,
		  const uint8_t *prog, uint32_t prog_len, const struct wire_budget *carried)
{
	engine_start_traced(e, o, req_id, prog, prog_len, carried, NULL);
}

void engine_set_trace(struct engine *e, struct trace_ring *ring)
{
	e->ring = ring;
}

void engine_start_traced(struct engine *e, const struct engine_origin *o, uint64_t req_id,
			 const uint8_t *prog, uint32_t prog_len, const struct wire_budget *carried,
			 const struct engine_trace_in *tr)
{
	struct engine_task *t = task_alloc(e);

	if (t == NULL) {
		static const char msg[] = "too many requests in progress";

		e->st->limit_violations++;
		o->front->reply(o->front->ctx, o, req_id, WIRE_ERR_LIMIT, msg, sizeof msg - 1, 0);
		return;
	}
	counter_inc(&e->st->requests);
	t->origin = *o;
	t->req_id = req_id;
	t->budget = e->cfg->budget;
	if (carried != NULL) {
		t->budget.compute_ns = min_u64(t->budget.compute_ns, carried->compute_ns);
		t->budget.requests = min_u64(t->budget.requests, carried->requests);
		t->budget.bytes = min_u64(t->budget.bytes, carried->bytes);
		if (carried->hops < t->budget.hops)
			t->budget.hops = carried->hops;
	}
	memset(&t->share, 0, sizeof t->share);
	if (t->prog_cap < prog_len) {
		t->prog = xrealloc(t->prog, prog_len);
		t->prog_cap = prog_len;
	}
	memcpy(t->prog, prog, prog_len);
	t->prog_len = prog_len;
	if (tr != NULL && tr->ctx != NULL) {
		if (t->tr == NULL)
			t->tr = xmalloc(sizeof *t->tr);
		t->traced = true;
		etrace_begin(t->tr, e->ring, tr->ctx, tr->route, tr->route_len, o->frame_len,
			     e->io->now(e->io->ctx));
	}
	if (!within_budget(e, t))
		return;
	exec_start(&t->cur, t->prog, t->prog_len);
	t->cur.report_compute = t->traced && t->tr->rec;
	continue_task(e, t);
}

uint32_t engine_active(const struct engine *e)
{
	return e->active;
}

struct engine *engine_create(const struct engine_config *cfg, const struct engine_io *io,
			     struct rng *rng, struct engine_stats *st)
{
	struct engine *e = xcalloc(1, sizeof *e);

	e->cfg = cfg;
	e->io = io;
	e->rng = rng;
	e->st = st;
	return e;
}

void engine_destroy(struct engine *e)
{
	if (e == NULL)
		return;
	for (uint32_t i = 0; i < e->ntasks; i++) {
		free(e->tasks[i]->prog);
		free(e->tasks[i]->tr);
		free(e->tasks[i]);
	}
	free(e->tasks);
	free(e);
}
