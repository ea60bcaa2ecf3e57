/* prog_parse.c -- see prog_parse.h. */
#include "prog/prog_parse.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/ops.h"
#include "spec/units.h"
#include "util/xalloc.h"

/* Splits "a,b:c" style parameter lists: DistWalk accepts both separators, but
 * ':' also appears inside addresses, so callers say which ones apply. */
static char *next_token(char **s, const char *seps)
{
	char *t = *s;

	if (t == NULL)
		return NULL;
	size_t n = strcspn(t, seps);
	if (t[n] == '\0')
		*s = NULL;
	else {
		t[n] = '\0';
		*s = t + n + 1;
	}
	return t;
}

static int parse_uint(const char *what, const char *v, uint64_t min, uint64_t max, uint64_t *out,
		      struct err *e)
{
	double d;

	if (units_parse(v, SPEC_COUNT, &d, e) < 0 || d < (double)min || d > (double)max ||
	    d != (double)(uint64_t)d)
		return err_set(e, "%s: expected a whole number in %" PRIu64 "..%" PRIu64 ", got '%s'",
			       what, min, max, v);
	*out = (uint64_t)d;
	return 0;
}

static int parse_spec(const char *what, const char *v, enum spec_unit unit, struct spec **out,
		      struct err *e)
{
	if (spec_parse(v, unit, out, e) < 0)
		return err_prefix(e, "%s", what);
	return 0;
}

/* A target address. Written with a scheme (tcp://, ssl://, http://, h2c://,
 * grpc://, https://, grpcs://), a host that is not a numeric address stays a
 * name: the forwarding node resolves it when it connects, and HTTP targets
 * send it as Host / :authority (Knative routes by it). Written as DistWalk
 * does (HOST:PORT, ssl:HOST:PORT), it is resolved here, as dw_client does. */
static int parse_target(const char *tok, struct sock_addr *out, struct err *e)
{
	if (strstr(tok, "://") != NULL)
		return sock_addr_parse_named(tok, "127.0.0.1", SOCK_DEFAULT_PORT, false, out, e);
	return sock_addr_parse(tok, "127.0.0.1", SOCK_DEFAULT_PORT, false, out, e);
}

/* The length of tok's scheme and "://" when it names an HTTP transport, else 0. */
static size_t http_scheme_len(const char *tok)
{
	static const char *const schemes[] = { "http://", "https://", "h2c://", "grpc://", "grpcs://" };

	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (strncmp(tok, schemes[i], strlen(schemes[i])) == 0)
			return strlen(schemes[i]);
	return 0;
}

/* http://HOST:PORT/NAME (https://, h2c://, grpc://, grpcs:// likewise): the
 * target, reached over HTTP/1.1 (over TLS: h2 or http/1.1 as ALPN picks;
 * HTTP/2; gRPC; gRPC over TLS), runs route NAME (the same as
 * http://HOST:PORT,route=NAME; every target of a forward runs the same
 * route). scheme: the length of the scheme and its "://". */
static int http_target(char *tok, size_t scheme, struct prog_fwd_opts *o, struct err *e)
{
	char *slash = strchr(tok + scheme, '/');
	const char *name = slash + 1;

	*slash = '\0';
	if (parse_target(tok, &o->targets[o->ntargets], e) < 0)
		return err_prefix(e, "-F");
	if (wire_route_check((const uint8_t *)name, (uint32_t)strlen(name), e) < 0)
		return err_prefix(e, "-F %s/%s", tok, name);
	if (o->route[0] && strcmp(o->route, name) != 0)
		return err_set(e, "-F: targets name routes '%s' and '%s': one forward runs one route "
			       "(use branch forwards for several)", o->route, name);
	snprintf(o->route, sizeof o->route, "%s", name);
	o->ntargets++;
	return 0;
}

/* One part of -F's value: an option or a target address. */
static int forward_part(char *tok, struct prog_fwd_opts *o, struct err *e)
{
	uint64_t v;
	double d;
	int rc = 0;

	if (strncmp(tok, "nack=", 5) == 0) {
		rc = parse_uint("-F nack", tok + 5, 1, PROG_MAX_TARGETS, &v, e);
		o->nack = (uint32_t)v;
	} else if (strncmp(tok, "timeout=", 8) == 0) {
		if (units_parse(tok + 8, SPEC_TIME, &d, e) < 0 || d < 1 || d > 4e9)
			return err_set(e, "-F timeout: expected a duration from 1us to ~66 min, got '%s'",
				       tok + 8);
		o->timeout_us = (uint32_t)d;
	} else if (strncmp(tok, "retry=", 6) == 0) {
		rc = parse_uint("-F retry", tok + 6, 0, 1000, &v, e);
		o->retries = (uint32_t)v;
	} else if (strcmp(tok, "branch") == 0) {
		o->branch = true;
	} else if (strcmp(tok, "nowait") == 0) {
		o->nowait = true;
	} else if (strncmp(tok, "ps=", 3) == 0) {
		spec_destroy(o->frame_size);
		o->frame_size = NULL;
		rc = parse_spec("-F ps", tok + 3, SPEC_SIZE, &o->frame_size, e);
	} else if (strncmp(tok, "route=", 6) == 0) {
		if (wire_route_check((const uint8_t *)tok + 6, (uint32_t)strlen(tok + 6), e) < 0)
			return err_prefix(e, "-F route");
		if (o->route[0] && strcmp(o->route, tok + 6) != 0)
			return err_set(e, "-F: routes '%s' and '%s' named: one forward runs one route "
				       "(use branch forwards for several)", o->route, tok + 6);
		snprintf(o->route, sizeof o->route, "%s", tok + 6);
	} else if (strchr(tok, '=') != NULL) {
		return err_set(e, "-F: unknown option '%s' (expected nack=, timeout=, retry=, branch, nowait, "
				  "ps=, route=)", tok);
	} else if (o->ntargets == PROG_MAX_TARGETS) {
		return err_set(e, "-F: more than %d targets", PROG_MAX_TARGETS);
	} else if (http_scheme_len(tok) > 0 && strchr(tok + http_scheme_len(tok), '/') != NULL) {
		return http_target(tok, http_scheme_len(tok), o, e);
	} else if (parse_target(tok, &o->targets[o->ntargets], e) < 0) {
		return err_prefix(e, "-F");
	} else {
		o->ntargets++;
	}
	return rc;
}

/* An HTTP target runs a route, so it needs one: from its path or route=. */
static int check_http_targets(const char *arg, const struct prog_fwd_opts *o, struct err *e)
{
	for (uint32_t i = 0; i < o->ntargets; i++)
		if (sock_is_http(o->targets[i].proto) && o->route[0] == '\0') {
			enum sock_proto p = o->targets[i].proto;
			const char *scheme = p == SOCK_HTTP    ? "http"
					     : p == SOCK_HTTPS ? "https"
					     : p == SOCK_H2C   ? "h2c"
					     : p == SOCK_GRPC  ? "grpc"
							       : "grpcs";

			return err_set(e, "-F '%s': an %s:// target runs a route: write "
				       "%s://HOST:PORT/NAME or add route=NAME", arg, scheme, scheme);
		}
	return 0;
}

int prog_parse_forward(const char *arg, struct prog_fwd_opts *o, struct err *e)
{
	char *copy = xstrdup(arg), *rest = copy, *tok;
	int rc = 0;

	memset(o, 0, sizeof *o);
	while (rc == 0 && (tok = next_token(&rest, ",")) != NULL)
		if (*tok != '\0')
			rc = forward_part(tok, o, e);
	free(copy);
	if (rc == 0 && o->ntargets == 0)
		rc = err_set(e, "-F '%s': no target address", arg);
	if (rc == 0 && o->nowait && (o->nack || o->retries || o->timeout_us || o->branch))
		rc = err_set(e, "-F '%s': nowait waits for no reply, so nack=, retry=, timeout= and "
				"branch do not go with it", arg);
	if (rc == 0)
		rc = check_http_targets(arg, o, e);
	/* nack= above the target count is clamped, with a warning, once the
	 * forward (or its branch group) is complete: prog_finish(). */
	if (rc < 0) {
		spec_destroy(o->frame_size);
		o->frame_size = NULL;
	}
	return rc;
}

/* -s N[,prob=P][,every=M] (',' or ':' between parts) */
static int parse_skip(const char *arg, uint32_t *n, double *prob, uint32_t *every, struct err *e)
{
	char *copy = xstrdup(arg), *rest = copy, *tok;
	int rc = 0;
	uint64_t v;
	bool first = true;

	*n = 1;
	*prob = 1.0;
	*every = 1;
	while (rc == 0 && (tok = next_token(&rest, ",:")) != NULL) {
		if (strncmp(tok, "prob=", 5) == 0) {
			if (units_parse(tok + 5, SPEC_COUNT, prob, e) < 0 || *prob < 0 || *prob > 1)
				rc = err_set(e, "-s prob: expected a probability in [0, 1], got '%s'",
					     tok + 5);
		} else if (strncmp(tok, "every=", 6) == 0) {
			rc = parse_uint("-s every", tok + 6, 1, UINT32_MAX, &v, e);
			*every = (uint32_t)v;
		} else if (first) {
			rc = parse_uint("-s", tok, 1, 4096, &v, e);
			*n = (uint32_t)v;
		} else {
			rc = err_set(e, "-s: unknown part '%s' (expected N, prob=P, every=M)", tok);
		}
		first = false;
	}
	free(copy);
	return rc;
}

/* DistWalk's dev=N: meshwalk nodes have one storage, device 0. */
static int parse_dev(char opt, const char *v, struct err *e)
{
	uint64_t dev = 0;

	if (parse_uint("dev", v, 0, UINT32_MAX, &dev, e) < 0)
		return err_prefix(e, "-%c", opt);
	if (dev != 0)
		return err_set(e, "-%c dev=%s: a meshwalk node has one storage device, dev=0", opt, v);
	return 0;
}

/* DistWalk's bracket form, size=[SPEC] / offset=[SPEC]: the SPEC inside. */
static char *unbracket(char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && v[0] == '[' && v[n - 1] == ']') {
		v[n - 1] = '\0';
		return v + 1;
	}
	return v;
}

/* -L/-S: SIZE[,offset=SPEC][,sync|nosync|psync][,dev=0] or size=SPEC[,...];
 * size=[SPEC] and offset=[SPEC] as DistWalk writes them. Specs contain ','
 * themselves (unif:min=0,max=32g), so a NAME=VALUE part that is neither key
 * continues the spec before it. A STORE syncs unless told nosync or psync, as
 * DistWalk's does. */
static int parse_storage(char opt, const char *arg, struct spec **size, struct spec **offset,
			 enum wire_sync *sync, struct err *e)
{
	char *copy = xstrdup(arg), *rest = copy, *tok;
	char *field[2] = { NULL, NULL }; /* size, offset texts */
	int cur = -1, rc = 0;
	char what[16];

	*size = *offset = NULL;
	*sync = opt == 'S' ? WIRE_SYNC : WIRE_NOSYNC;
	while (rc == 0 && (tok = next_token(&rest, ",")) != NULL) {
		int key = strncmp(tok, "size=", 5) == 0 ? 0 : strncmp(tok, "offset=", 7) == 0 ? 1 : -1;

		if (opt == 'S' && (strcmp(tok, "sync") == 0 || strcmp(tok, "nosync") == 0 ||
				   strcmp(tok, "psync") == 0)) {
			*sync = tok[0] == 's' ? WIRE_SYNC : tok[0] == 'p' ? WIRE_PSYNC : WIRE_NOSYNC;
			cur = -1;
		} else if (strncmp(tok, "dev=", 4) == 0) {
			rc = parse_dev(opt, tok + 4, e);
			cur = -1;
		} else if (key >= 0) {
			if (field[key] != NULL)
				rc = err_set(e, "-%c '%s': %s given twice", opt, arg,
					     key ? "offset=" : "size=");
			field[key] = tok + (key ? 7 : 5);
			cur = key;
		} else if (cur >= 0 && strchr(tok, '=') != NULL) {
			tok[-1] = ','; /* rejoin the spec's own parameter (max=32g) */
		} else if (field[0] == NULL) {
			field[0] = tok;
			cur = 0;
		} else {
			rc = err_set(e, "-%c '%s': unexpected '%s' (expected SIZE, size=, offset=%s)", opt,
				     arg, tok, opt == 'S' ? ", sync, nosync or psync" : "");
		}
	}
	if (rc == 0 && field[0] == NULL)
		rc = err_set(e, "-%c '%s': no size", opt, arg);
	snprintf(what, sizeof what, "-%c size", opt);
	if (rc == 0 && parse_spec(what, unbracket(field[0]), SPEC_SIZE, size, e) < 0)
		rc = -EINVAL;
	snprintf(what, sizeof what, "-%c offset", opt);
	if (rc == 0 && field[1] != NULL &&
	    parse_spec(what, unbracket(field[1]), SPEC_SIZE, offset, e) < 0)
		rc = -EINVAL;
	if (rc < 0) {
		spec_destroy(*size);
		spec_destroy(*offset);
		*size = *offset = NULL;
	}
	free(copy);
	return rc;
}

/* -R [dev=0,][sendfile,]SIZE */
static int parse_reply(struct prog_builder *b, const char *a, struct err *e)
{
	struct spec *s = NULL;
	bool sendfile = false;

	if (a && strncmp(a, "dev=", 4) == 0) {
		const char *comma = strchr(a, ',');
		char dev[32];

		snprintf(dev, sizeof dev, "%.*s", comma ? (int)(comma - a - 4) : (int)strlen(a + 4),
			 a + 4);
		if (parse_dev('R', dev, e) < 0)
			return -EINVAL;
		a = comma ? comma + 1 : NULL;
	}
	if (a && strncmp(a, "sendfile", 8) == 0 && (a[8] == '\0' || a[8] == ',')) {
		sendfile = true;
		a = a[8] ? a + 9 : NULL;
		if (a == NULL)
			return err_set(e, "-R sendfile: expected sendfile,SIZE (bytes of storage to "
					  "send)");
	}
	if (a && parse_spec("-R", a, SPEC_SIZE, &s, e) < 0)
		return -EINVAL;
	return prog_add_reply(b, s, sendfile, e);
}

#define OFFSET_LOAD 1 /* ids of the two program-level options */
#define OFFSET_STORE 2

/* The op words. A word whose op is a single TIME field (proto/ops.h) needs
 * no case of its own in prog_parse_op(): its row's `op` is enough. */
static const struct {
	int shrt;          /* op letter, or OFFSET_* / PROG_OP_* */
	const char *lng;   /* long name */
	uint8_t op;        /* the op code it makes, 0 for several or none */
} op_words[] = {
	{ 'C', "comp-time", OP_COMPUTE }, { 'L', "load-data", OP_LOAD },
	{ 'S', "store-data", OP_STORE },  { 'F', "forward", OP_FORWARD },
	{ 'R', "rs", OP_REPLY },          { 's', "skip", OP_SKIP },
	{ OFFSET_LOAD, "load-offset", 0 }, { OFFSET_STORE, "store-offset", 0 },
	{ PROG_OP_SLEEP, "sleep", OP_SLEEP },
	{ PROG_OP_CHOICE, "choice", 0 },  { PROG_OP_CHOICE_END, "choice-end", 0 },
};
#define NOP_WORDS (sizeof op_words / sizeof op_words[0])

/* A timed op's word: its spec in microseconds, named as the user wrote it
 * ("-C", "--sleep"). Returns 1 when opt is not such a word. */
static int parse_timed(struct prog_builder *b, int opt, const char *arg, struct err *e)
{
	for (size_t i = 0; i < NOP_WORDS; i++) {
		const struct ops_def *d = ops_find(op_words[i].op);
		struct spec *s;
		char what[32];

		if (op_words[i].shrt != opt || !ops_is_timed(d))
			continue;
		if (opt < 256)
			snprintf(what, sizeof what, "-%c", opt);
		else
			snprintf(what, sizeof what, "--%s", op_words[i].lng);
		if (parse_spec(what, arg, SPEC_TIME, &s, e) < 0)
			return -EINVAL;
		return prog_add_timed(b, d->code, s, e);
	}
	return 1;
}

/* -C TIME_SPEC,ws=SIZE: COMPUTE walking a working set. The time spec may
 * hold commas of its own (emp:1ms,2ms; unif:min=1ms,max=2ms), so ws= is
 * the part after the first ",ws=". Returns 1 when arg has no ws=. */
static int parse_compute_ws(struct prog_builder *b, const char *arg, struct err *e)
{
	const char *w = strncmp(arg, "ws=", 3) == 0 ? arg : strstr(arg, ",ws=");
	struct spec *t = NULL, *ws = NULL;
	char *time;

	if (w == NULL)
		return 1;
	if (w == arg)
		return err_set(e, "-C '%s': expected TIME_SPEC,ws=SIZE (the duration first)", arg);
	time = xstrdup(arg);
	time[w - arg] = '\0';
	w += 4;
	if (parse_spec("-C", time, SPEC_TIME, &t, e) < 0 || parse_spec("-C ws", w, SPEC_SIZE, &ws, e) < 0) {
		spec_destroy(t);
		free(time);
		return -EINVAL;
	}
	free(time);
	if (prog_add_compute_ws(b, t, ws, e) < 0)
		return err_prefix(e, "-C '%s'", arg);
	return 0;
}

const char *prog_op_word_of(unsigned code)
{
	for (size_t i = 0; i < NOP_WORDS; i++)
		if (op_words[i].op == code && code != 0)
			return op_words[i].lng;
	return NULL;
}

int prog_parse_op(struct prog_builder *b, int opt, const char *arg, struct err *e)
{
	int rc;

	err_clear(e);
	if (opt == 'C' && arg && (rc = parse_compute_ws(b, arg, e)) <= 0)
		return rc;
	if ((rc = parse_timed(b, opt, arg, e)) <= 0)
		return rc;
	switch (opt) {
	case 'F': {
		struct prog_fwd_opts o;

		if (prog_parse_forward(arg, &o, e) < 0)
			return -EINVAL;
		if (prog_add_forward(b, &o, e) < 0)
			return err_prefix(e, "-F");
		return 0;
	}
	case 'R':
		return parse_reply(b, arg, e);
	case 'L':
	case 'S': {
		struct spec *size, *offset;
		enum wire_sync sync;

		if (parse_storage((char)opt, arg, &size, &offset, &sync, e) < 0)
			return -EINVAL;
		return prog_add_storage(b, opt == 'L' ? OP_LOAD : OP_STORE, size, offset, sync, e);
	}
	case 's': {
		uint32_t n, every;
		double prob;

		if (parse_skip(arg, &n, &prob, &every, e) < 0)
			return -EINVAL;
		return prog_add_skip(b, n, prob, every, e);
	}
	case PROG_OP_CHOICE: {
		double w;

		if (units_parse(arg, SPEC_COUNT, &w, e) < 0 || !(w > 0))
			return err_set(e, "--choice: expected a weight above 0 (0.7, 3, 1e-3), got '%s'",
				       arg);
		return prog_add_choice(b, w, e);
	}
	case PROG_OP_CHOICE_END:
		if (arg != NULL)
			return err_set(e, "--choice-end takes no value, got '%s'", arg);
		return prog_end_choice(b, e);
	}
	return err_set(e, "-%c is not an op", opt);
}

/* -- whole programs from text -- */

#define AMBIGUOUS (-1)

/* The op a word names ("-C", "-C10", "--comp-time", "--comp-time=10", or a
 * long name abbreviated to an unambiguous prefix, "--comp=10", as getopt
 * takes them on the command line), with any value attached to it in
 * *attached; 0 when it names none, AMBIGUOUS for a prefix of several. */
static int op_of_word(char *w, char **attached)
{
	*attached = NULL;
	if (w[0] != '-' || w[1] == '\0')
		return 0;
	if (w[1] == '-') {
		char *eq = strchr(w + 2, '=');
		size_t n = eq ? (size_t)(eq - (w + 2)) : strlen(w + 2);
		int found = 0;

		for (size_t i = 0; i < NOP_WORDS && n > 0; i++) {
			if (strncmp(op_words[i].lng, w + 2, n) != 0)
				continue;
			if (strlen(op_words[i].lng) == n) { /* exact: wins over longer names */
				found = op_words[i].shrt;
				break;
			}
			found = found ? AMBIGUOUS : op_words[i].shrt;
		}
		if (found > 0)
			*attached = eq ? eq + 1 : NULL;
		return found;
	}
	for (size_t i = 0; i < NOP_WORDS; i++)
		if (op_words[i].shrt > OFFSET_STORE && op_words[i].shrt < 256 &&
		    op_words[i].shrt == w[1]) {
			*attached = w[2] ? w + 2 : NULL;
			return w[1];
		}
	return 0;
}

bool prog_op_word(const char *w)
{
	char *attached;

	return op_of_word((char *)w, &attached) != 0; /* reads w only */
}

static char *next_word(char **s)
{
	char *p = *s + strspn(*s, " \t\r\n"), *w;

	if (*p == '\0') {
		*s = p;
		return NULL;
	}
	w = p;
	p += strcspn(p, " \t\r\n");
	if (*p != '\0')
		*p++ = '\0';
	*s = p;
	return w;
}

/* The words of text into b, in order. offsets: where --load-offset and
 * --store-offset go (NULL: they are refused, as in a route prefix). */
static int parse_words(struct prog_builder *b, const char *text, struct spec **offsets,
		       struct err *e)
{
	char *copy = xstrdup(text), *rest = copy, *w;
	int rc = 0;

	while (rc == 0 && (w = next_word(&rest)) != NULL) {
		char *arg;
		int op = op_of_word(w, &arg);

		if (op == AMBIGUOUS) {
			char names[160] = "";
			size_t n = strcspn(w + 2, "=");

			for (size_t i = 0; i < NOP_WORDS; i++)
				if (strncmp(op_words[i].lng, w + 2, n) == 0)
					snprintf(names + strlen(names), sizeof names - strlen(names), "%s--%s",
						 names[0] ? ", " : "", op_words[i].lng);
			rc = err_set(e, "'%s' is ambiguous: %s", w, names);
			break;
		}
		if (op == 0) {
			rc = err_set(e, "'%s' is not an op (expected -C, -L, -S, -F, -R, -s, --sleep, "
					"--choice, --choice-end, --load-offset or --store-offset)", w);
			break;
		}
		if (arg == NULL && op != PROG_OP_CHOICE_END &&
		    (op != 'R' || (rest[strspn(rest, " \t\r\n")] != '-'))) {
			char *save = rest;

			arg = next_word(&rest);
			if (arg == NULL && op != 'R') {
				rc = err_set(e, "%s needs a value", w);
				break;
			}
			if (arg == NULL)
				rest = save;
		}
		if ((op == OFFSET_LOAD || op == OFFSET_STORE) && offsets == NULL) {
			rc = err_set(e, "%s sets the offsets of the whole program: not in a part of one",
				     w);
		} else if (op == OFFSET_LOAD || op == OFFSET_STORE) {
			spec_destroy(offsets[op - 1]);
			offsets[op - 1] = NULL;
			rc = parse_spec(op == OFFSET_LOAD ? "--load-offset" : "--store-offset", arg,
					SPEC_SIZE, &offsets[op - 1], e);
		} else {
			rc = prog_parse_op(b, op, arg, e);
		}
	}
	free(copy);
	return rc;
}

int prog_parse_text(const char *text, struct prog **out, struct err *e)
{
	struct spec *offsets[2] = { NULL, NULL }; /* --load-offset, --store-offset */
	struct prog_builder b;
	int rc;

	*out = NULL;
	err_clear(e);
	prog_builder_init(&b);
	rc = parse_words(&b, text, offsets, e);
	if (rc == 0) {
		prog_set_default_offsets(&b, offsets[0], offsets[1]);
		offsets[0] = offsets[1] = NULL;
		rc = prog_finish(&b, out, e);
	} else {
		prog_builder_abort(&b);
	}
	spec_destroy(offsets[0]);
	spec_destroy(offsets[1]);
	return rc;
}

int prog_parse_prefix(const char *text, struct err *e)
{
	struct prog_builder b;
	int rc;

	err_clear(e);
	prog_builder_init(&b);
	rc = parse_words(&b, text, NULL, e);
	if (rc == 0)
		rc = prog_builder_check_fragment(&b, e);
	prog_builder_abort(&b);
	return rc;
}
