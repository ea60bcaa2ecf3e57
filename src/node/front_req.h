/* front_req.h -- what an HTTP request runs, for every HTTP front end
 * (HTTP/1.1, HTTP/2, gRPC): one place for docs/http.md's table and for
 * meshwalk statuses as HTTP ones (private to src/node).
 *
 * Contract: front_decide() encodes the program a request runs into prog and
 * says in d whether it is seed 003's worker, or the HTTP status and text
 * that refuse it (then prog is not to be run). Everything a request can
 * name is checked here (wire_prog_check() and the node's limits).
 * Threads: the worker's. */
#ifndef MW_NODE_FRONT_REQ_H
#define MW_NODE_FRONT_REQ_H

#include <stdbool.h>
#include <stdint.h>

#include "node/worker_int.h"
#include "proto/http1.h"

#define HTTP_PROG_MAX 4096  /* bytes of an inline program, decoded */

struct front_decision {
	bool worker;        /* seed 003's worker: answer its JSON */
	int http_status;    /* 0: run prog; else refuse with this status and text */
	char text[200];
};

/* path ("/NAME", without the query), query (p NULL: none), the
 * x-meshwalk-program field (p NULL: none). */
void front_decide(struct worker *w, struct http1_span path, struct http1_span query,
		  struct http1_span prog_hdr, struct wire_buf *prog, struct front_decision *d);
/* Op words (NUL-terminated) into prog; 0, or 400 with d filled. */
int front_program_text(struct worker *w, const char *text, struct wire_buf *prog,
		       struct front_decision *d);
/* COMPUTE for ns, then an empty REPLY (seed 003's worker, both forms). */
void front_compute_program(struct wire_buf *prog, uint64_t ns);
/* Checks prog against the node's limits; 0, or the status with d filled. */
int front_check_program(struct worker *w, const struct wire_buf *prog, struct front_decision *d);

void front_refuse(struct front_decision *d, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The HTTP status that stands for a meshwalk status, and back (the meshwalk
 * status that a front end's own refusal stands for). */
int front_http_status(uint16_t wire);
uint16_t front_wire_status(int http);

#endif
