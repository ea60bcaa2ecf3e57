/* front_h2.h -- what the HTTP/2 front end (front_h2.c) and its gRPC methods
 * (front_grpc.c) share (private to src/node).
 *
 * Contract: a connection speaking HTTP/2 has one struct h2_front (conn.h2):
 * its proto/h2 session and a program buffer. Each stream with a request has
 * one struct h2_task (the stream's user pointer in proto/h2), freed when the
 * stream closes. A task is answered exactly once (front_h2_answer(), or a
 * refusal before the engine): `answered` guards against the engine's late
 * answer after a deadline.
 * Threads: the worker's. */
#ifndef MW_NODE_FRONT_H2_H
#define MW_NODE_FRONT_H2_H

#include <stdbool.h>
#include <stdint.h>

#include "node/worker_int.h"
#include "proto/h2.h"

struct front_decision;

struct h2_front {
	struct worker *w;
	struct conn *c;
	struct h2_session *s;
	struct wire_buf prog;    /* the program of the request being started */
};

enum h2_kind {
	H2_PLAIN,        /* REPLY's size in zero bytes */
	H2_WORKER,       /* seed 003's JSON */
	H2_GRPC_RUN,     /* meshwalk.v1.Walk/Run */
	H2_GRPC_SEED,    /* myproject.MyService/ProcessRequest */
};

struct h2_task {
	enum h2_kind kind;
	bool head;               /* HEAD: no body */
	bool grpc;
	bool answered;
	int64_t start_ns;
	int64_t deadline_ns;     /* grpc-timeout; 0: none */
	char *name;              /* MyRequest.name (owned), or NULL */
	size_t name_len;
	struct h2_trace *trace;  /* the request's sampled or not W3C context (owned), or NULL */
	bool has_budget;         /* a forwarding node's x-meshwalk-budget (peer_h2.c) */
	struct wire_budget budget;
};

/* A stream's trace context (its traceparent and tracestate fields) and its
 * SERVER span's name (the path: a route, or a gRPC method). */
struct h2_trace {
	struct wire_trace ctx;
	uint8_t state[WIRE_TRACESTATE_MAX];
	char name[64];
};

/* front_h2.c */
void front_h2_start(struct worker *w, struct h2_front *f, int32_t id, struct h2_task *t);
void front_h2_answer(struct worker *w, struct h2_front *f, int32_t id, struct h2_task *t,
		     uint16_t status, const char *text, size_t text_len, uint64_t size);

/* front_grpc.c */
void front_grpc_request(struct worker *w, struct h2_front *f, const struct h2_req *r,
			struct h2_task *t);
void front_grpc_answer(struct worker *w, struct h2_front *f, int32_t id, struct h2_task *t,
		       uint16_t status, const char *text, size_t text_len, uint64_t size);
/* Answers DEADLINE_EXCEEDED (the deadline passed before the answer). */
void front_grpc_deadline(struct worker *w, struct h2_front *f, int32_t id, struct h2_task *t);

#endif
