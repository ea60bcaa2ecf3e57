/* import_helpers.h -- shared by the import unit tests (include after
 * cmocka.h): import a string as a
 * file of some format and keep every finished span flat, with its resolved
 * parent's id, for assertions. */
#ifndef MW_TEST_IMPORT_HELPERS_H
#define MW_TEST_IMPORT_HELPERS_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "import/reader.h"
#include "import/spans.h"

#define MAXREC 64

struct rec {
	char trace[64], id[64], parent[64], service[64], op[64], peer[64];
	int kind, status;
	unsigned flags;
	long long start, dur, req, resp;
	unsigned ntrace; /* which finished trace (0, 1, ...) */
	unsigned nlinks;
	char host[64]; /* "" when unknown */
};

static struct rec recs[MAXREC];
static unsigned nrec, ntraces;

static void keep(void *arg, const struct import *im, const struct trace *t)
{
	(void)arg;
	for (uint32_t i = 0; i < t->n && nrec < MAXREC; i++) {
		const struct span *s = &t->spans[i];
		struct rec *r = &recs[nrec++];

		memset(r, 0, sizeof *r);
		snprintf(r->trace, sizeof r->trace, "%s", t->id);
		snprintf(r->id, sizeof r->id, "%s", s->id);
		snprintf(r->parent, sizeof r->parent, "%s",
			 s->parent == SPAN_NONE ? "" : t->spans[s->parent].id);
		snprintf(r->service, sizeof r->service, "%s", import_name(im, s->service));
		snprintf(r->op, sizeof r->op, "%s", import_name(im, s->operation));
		snprintf(r->peer, sizeof r->peer, "%s",
			 s->peer_service == SPAN_NONE ? "" : import_name(im, s->peer_service));
		r->kind = s->kind;
		r->status = s->status;
		r->flags = s->flags;
		r->start = s->start_ns;
		r->dur = s->dur_ns;
		r->req = s->req_bytes;
		r->resp = s->resp_bytes;
		r->ntrace = ntraces;
		r->nlinks = s->nlinks;
		snprintf(r->host, sizeof r->host, "%s",
			 s->host == SPAN_NONE ? "" : import_name(im, s->host));
	}
	ntraces++;
}

/* Imports text as FORMAT (NULL: sniffed) with the given bound; returns
 * import_file()'s result, the import's stats in *st, the message in *e. */
__attribute__((unused)) static int import_text(const char *text, const char *format, uint64_t bound,
		       struct import_stats *st, struct err *e)
{
	char path[] = "/tmp/meshwalk-import-test.XXXXXX";
	int fd = mkstemp(path);
	struct import im;
	int rc;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
	nrec = ntraces = 0;
	import_init(&im, bound, keep, NULL);
	rc = import_file(&im, path, format, NULL, e);
	import_finish(&im);
	if (st)
		*st = im.st;
	import_free(&im);
	unlink(path);
	/* the temporary name in messages, replaced so tests can compare */
	if (rc < 0) {
		char *p = strstr(e->msg, path);

		if (p) {
			memmove(p + 4, p + strlen(path), strlen(p + strlen(path)) + 1);
			memcpy(p, "FILE", 4);
		}
	}
	return rc;
}

__attribute__((unused)) static const struct rec *find(const char *id)
{
	static struct rec none;

	for (unsigned i = 0; i < nrec; i++)
		if (strcmp(recs[i].id, id) == 0)
			return &recs[i];
	fail_msg("no span '%s' was imported", id);
	return &none;
}

#endif
