/* writer.c -- see writer.h. */
#include "import/writer_int.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "prog/prog_parse.h"
#include "proto/wire.h"
#include "spec/units.h"
#include "stats/sample.h"
#include "util/xalloc.h"

void writer_opts_init(struct writer_opts *o)
{
	memset(o, 0, sizeof *o);
	o->requests = 1000;
	o->cpu = 1.0;
	o->leaf_cpu = 0.0;
	o->emp_values = 100;
	o->max_plans = 8;
	o->net_auto = true;
}

/* ---- text of one program ------------------------------------------------------ */

void writer_tput(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int w;

	for (;;) {
		va_start(ap, fmt);
		w = vsnprintf(t->p ? t->p + t->n : NULL, t->p ? t->cap - t->n : 0, fmt, ap);
		va_end(ap);
		if (w >= 0 && t->p && t->n + (size_t)w < t->cap)
			break;
		t->cap = (t->cap + (size_t)(w > 0 ? w : 0)) * 2 + 256;
		t->p = xrealloc(t->p, t->cap);
	}
	t->n += (size_t)w;
}

static const struct writer_self *self_of(const struct model *m, const struct writer_opts *o,
					 uint32_t svc)
{
	const char *name = model_name(m, svc);

	for (int i = 0; i < o->nself; i++)
		if (strcmp(o->self[i].service, name) == 0)
			return &o->self[i];
	return NULL;
}

/* A per-service choice wins; otherwise traced services take the defaults and
 * leaves (known only from client spans) run off CPU with no working set. */
static struct self_emu self_emu_of(const struct model *m, const struct writer_opts *o,
				   const struct model_route *r)
{
	const struct writer_self *s = self_of(m, o, r->svc);
	struct self_emu how = { r->leaf ? o->leaf_cpu : o->cpu, r->leaf ? 0 : o->wset };

	if (s && s->has_cpu)
		how.cpu = s->cpu;
	if (s && s->wset)
		how.wset = s->wset;
	else if (!o->wset && r->wset)
		how.wset = r->wset; /* meshwalk's own spans said which */
	return how;
}

/* Plans of a route by count, most frequent first (ties: first seen first). */
static const struct model_route *sort_route;

static int by_count(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
	uint64_t ca = sort_route->plans[a].count, cb = sort_route->plans[b].count;

	if (ca != cb)
		return ca > cb ? -1 : 1;
	return a < b ? -1 : a > b;
}

static uint32_t *plan_order(const struct model_route *r)
{
	uint32_t *ord = xmalloc((r->nplans ? r->nplans : 1) * sizeof *ord);

	for (uint32_t i = 0; i < r->nplans; i++)
		ord[i] = i;
	sort_route = r;
	qsort(ord, r->nplans, sizeof *ord, by_count);
	return ord;
}

static void plan_ops(struct text *t, const struct model *m, const struct writer_names *nm,
		     const struct writer_opts *o, const struct model_plan *pl, uint32_t from,
		     struct self_emu how)
{
	const uint32_t *c = pl->calls;
	const bool *detached = pl->detached;
	bool prev_branch = false;

	for (uint32_t g = 0; g < pl->ngroups; c += pl->gsize[g], detached += pl->gsize[g], g++) {
		uint32_t n = 0, i = 0;

		for (uint32_t j = 0; j < pl->gsize[g]; j++)
			n += !writer_call_cut(nm, from, m->routes[c[j]].svc);
		bool branch = n > 1;

		if (writer_segment_ops(t, pl, g, how, o->emp_values))
			prev_branch = false;
		if (branch && prev_branch)
			writer_tput(t, " -C 0"); /* else the two branch groups would join */
		for (uint32_t j = 0; j < pl->gsize[g]; j++) {
			const struct model_route *callee = &m->routes[c[j]];

			if (writer_call_cut(nm, from, callee->svc))
				continue;
			/* a branch group holds at most PROG_MAX_TARGETS: a wider
			 * fan-out goes out in successive groups of that many */
			if (i > 0 && i % PROG_MAX_TARGETS == 0)
				writer_tput(t, " -C 0");
			/* a detached call is a group of its own: never a branch */
			writer_tput(t, "%s-F {%s},route=%s%s%s", t->n ? " " : "",
			     writer_service_name(nm, callee->svc), writer_route_name(nm, c[j]),
			     branch ? ",branch" : "", detached[j] ? ",nowait" : "");
			if (callee->req.n > 0 && (!branch || i % PROG_MAX_TARGETS == 0)) {
				uint32_t ns;
				double *x = reservoir_sorted(&callee->req, &ns);

				/* -F splits its value at ',': the spec's values take ':' */
				writer_tput(t, ",ps=");
				writer_emp_text_sep(t, x, ns, 1, SPEC_SIZE, o->emp_values, ':');
				free(x);
			}
			i++;
		}
		if (n > 0)
			prev_branch = branch;
	}
	writer_segment_ops(t, pl, pl->ngroups, how, o->emp_values);
}

/* A leaf's time: its client spans' durations, less the clone's own hop
 * on calls to it (net_base's leaf edges, import/netbase.h). */
static void leaf_ops(struct text *t, const struct writer_names *nm, const struct writer_opts *o,
		     const struct model_route *r, struct self_emu how)
{
	double bm = 0, bv = 0;
	uint32_t n;
	double *x, *y;
	struct reservoir less = { 0 };

	if (o->net_base != NULL)
		netbase_leaf(o->net_base, writer_service_name(nm, r->svc), &bm, &bv);
	if (bm == 0 && bv == 0) {
		writer_self_ops(t, &r->leaf_dur, how, false, o->emp_values);
		return;
	}
	x = reservoir_sorted(&r->leaf_dur, &n);
	y = xcalloc(n ? n : 1, sizeof *y); /* all 0 when the hop leaves nothing */
	netbase_leaf_time(x, n, bm, bv, y);
	less.v = y;
	less.n = n;
	less.seen = n;
	writer_self_ops(t, &less, how, false, o->emp_values);
	free(x);
	free(y);
}

/* The program of route ri with its k most frequent plans. */
static char *route_program(const struct model *m, const struct writer_names *nm,
			   const struct writer_opts *o, uint32_t ri, uint32_t k)
{
	const struct model_route *r = &m->routes[ri];
	struct self_emu how = self_emu_of(m, o, r);
	struct text t = { 0 };

	if (r->leaf) {
		leaf_ops(&t, nm, o, r, how);
	} else {
		uint32_t *ord = plan_order(r);

		for (uint32_t i = 0; i < k; i++) {
			if (k > 1)
				writer_tput(&t, "%s--choice %llu", t.n ? " " : "",
				     (unsigned long long)r->plans[ord[i]].count);
			plan_ops(&t, m, nm, o, &r->plans[ord[i]], r->svc, how);
		}
		if (k > 1)
			writer_tput(&t, " --choice-end");
		free(ord);
	}
	if (r->resp.n > 0) {
		uint32_t n;
		double *x = reservoir_sorted(&r->resp, &n);

		writer_tput(&t, "%s-R ", t.n ? " " : "");
		writer_emp_text(&t, x, n, 1, SPEC_SIZE, o->emp_values);
		free(x);
	}
	if (t.n == 0)
		writer_tput(&t, "-C 0"); /* nothing observed to emulate: answer at once */
	return t.p;
}

/* Whether a node would take the program: parsed as meshwalk run parses
 * routes, with a placeholder address for each {svc}. */
static int program_ok(const char *text, struct err *e)
{
	struct text t = { 0 };
	struct prog *p;
	int rc;

	for (const char *c = text; *c;) {
		const char *close = *c == '{' ? strchr(c, '}') : NULL;

		if (close) {
			writer_tput(&t, "127.0.0.1:1");
			c = close + 1;
		} else {
			writer_tput(&t, "%c", *c++);
		}
	}
	rc = prog_parse_text(t.p ? t.p : "", &p, e);
	prog_destroy(p);
	free(t.p);
	return rc;
}

uint32_t writer_plans_kept(const struct model *m, const struct writer_names *nm,
			   const struct writer_opts *o, uint32_t ri, char **prog, struct err *e)
{
	const struct model_route *r = &m->routes[ri];
	uint32_t k = r->nplans < o->max_plans ? r->nplans : o->max_plans;

	/* fewer plans until the program fits a node's limits (ops, targets) */
	for (;; k--) {
		char *text = route_program(m, nm, o, ri, k);

		if (program_ok(text, e) == 0) {
			if (prog)
				*prog = text;
			else
				free(text);
			return k;
		}
		free(text);
		if (k <= 1)
			break;
	}
	err_prefix(e, "service %s: route %s: even its most frequent plan does not make a "
		      "program a node runs", writer_service_name(nm, r->svc), writer_route_name(nm, ri));
	return UINT32_MAX;
}

/* ---- comments ------------------------------------------------------------------ */

static void us(char *buf, size_t len, double ns)
{
	units_format(round(ns / 100) / 10, SPEC_TIME, buf, len);
}

/* What leaf_ops() took off a leaf's time. */
static void leaf_comment(FILE *f, const struct writer_names *nm, const struct writer_opts *o,
			 const struct model_route *r)
{
	double bm = 0, bv = 0;
	char a[32], b[32];

	if (o->net_base != NULL)
		netbase_leaf(o->net_base, writer_service_name(nm, r->svc), &bm, &bv);
	if (bm == 0 && bv == 0)
		return;
	us(a, sizeof a, bm);
	us(b, sizeof b, sqrt(fabs(bv)));
	fprintf(f, "      #   less the clone's own hop on calls to it (--net-baseline: mean %s, "
		   "sd %s%s)\n", a, bv < 0 ? "-" : "", b);
}

static void dist_comment(FILE *f, const char *indent, const char *what, const struct reservoir *r)
{
	uint32_t n;
	double *x = reservoir_sorted(r, &n);
	char a[32], b[32], c[32];

	if (n > 0) {
		us(a, sizeof a, sample_percentile(x, n, 50));
		us(b, sizeof b, sample_percentile(x, n, 99));
		us(c, sizeof c, r->sum / (double)r->seen);
		fprintf(f, "%s%s: p50 %s, p99 %s, mean %s (%llu samples)\n", indent, what, a, b, c,
			(unsigned long long)r->seen);
	}
	free(x);
}

/* Per callee of a route: in how many timed executions it is called, and how
 * often per execution that calls it. */
static void call_comments(FILE *f, const struct model *m, const struct writer_names *nm,
			  const struct model_route *r)
{
	uint64_t timed = 0;
	uint32_t *seen = xcalloc(m->nroutes ? m->nroutes : 1, sizeof *seen);
	uint64_t *with = xcalloc(m->nroutes ? m->nroutes : 1, sizeof *with);
	uint64_t *total = xcalloc(m->nroutes ? m->nroutes : 1, sizeof *total);

	for (uint32_t p = 0; p < r->nplans; p++) {
		const struct model_plan *pl = &r->plans[p];

		timed += pl->count;
		for (uint32_t i = 0; i < pl->ncalls; i++) {
			uint32_t c = pl->calls[i];

			if (seen[c] != p + 1)
				with[c] += pl->count;
			seen[c] = p + 1;
			total[c] += pl->count;
		}
	}
	for (uint32_t k = 0; k < m->nroutes && timed > 0; k++) {
		uint32_t c = nm->route_order[k];

		if (with[c] == 0)
			continue;
		fprintf(f, "      #   calls %s.%s: probability %.3f, %.2f times when called%s\n",
			writer_service_name(nm, m->routes[c].svc), writer_route_name(nm, c),
			(double)with[c] / (double)timed, (double)total[c] / (double)with[c],
			writer_call_cut(nm, r->svc, m->routes[c].svc) ? " (left out: closes a cycle)"
								      : "");
	}
	free(seen);
	free(with);
	free(total);
}

/* A traced name or a path as comment text: printable ASCII as is, any other
 * byte as \xNN, so a name can neither end the comment (a newline would make
 * the rest YAML) nor put a control character into the file (YAML refuses
 * it); long text is cut with "...". */
static const char *comment_text(const char *in, char *buf, size_t cap)
{
	size_t n = 0;

	for (; *in && n + 8 < cap; in++) {
		unsigned char ch = (unsigned char)*in;

		if (ch >= 0x20 && ch < 0x7f && ch != '\\')
			buf[n++] = (char)ch;
		else
			n += (size_t)snprintf(buf + n, cap - n, "\\x%02x", ch);
	}
	if (*in)
		n += (size_t)snprintf(buf + n, cap - n, "...");
	buf[n] = '\0';
	return buf;
}

/* A route meshwalk recorded: its op spans' time per execution, and what
 * became of the rest. */
static void wait_comment(FILE *f, const struct model_route *r)
{
	double w = 0, cpu = 0, self = 0;
	uint64_t n = 0;
	char a[32], b[32], c[32];

	for (uint32_t p = 0; p < r->nplans; p++) {
		n += r->plans[p].wait[0].seen; /* one per execution with known ops */
		for (uint32_t g = 0; g <= r->plans[p].ngroups; g++) {
			w += r->plans[p].wait[g].sum;
			cpu += r->plans[p].seg[g].sum;
		}
	}
	if (n == 0)
		return;
	self = r->self.seen ? r->self.sum / (double)r->self.seen : 0;
	us(a, sizeof a, cpu / (double)n);
	us(b, sizeof b, w / (double)n);
	us(c, sizeof c, self - (cpu + w) / (double)n);
	fprintf(f, "      #   self time per execution (mean) in meshwalk's op spans: COMPUTE %s, "
		   "waits %s (SLEEP, READ: --sleep; LOAD, STORE: the ops, or --sleep where "
		   "they varied); the other %s is meshwalk's own, paid again by the clone\n",
		a, b, c);
}

static void route_comments(FILE *f, const struct model *m, const struct writer_names *nm,
			   const struct writer_opts *o, uint32_t ri, uint32_t k)
{
	const struct model_route *r = &m->routes[ri];
	struct self_emu how = self_emu_of(m, o, r);
	double cpu = how.cpu;
	char txt[256];

	fprintf(f, "      # \"%s\": %llu executions",
		comment_text(model_name(m, r->op), txt, sizeof txt),
		(unsigned long long)r->execs);
	if (r->untimed)
		fprintf(f, " (%llu without timestamps)", (unsigned long long)r->untimed);
	fprintf(f, ", errors %.2f%%", r->execs ? 100.0 * (double)r->errors / (double)r->execs : 0);
	fprintf(f, ", self time %s", cpu >= 1 ? "CPU (-C)" : cpu <= 0 ? "off CPU (--sleep)" : "split");
	if (how.wset && cpu > 0)
		fprintf(f, " over a working set of %llu bytes",
			(unsigned long long)how.wset);
	fprintf(f, "\n");
	if (r->leaf) {
		fprintf(f, "      #   known only from client spans (no traced service answered)\n");
		dist_comment(f, "      #   ", "client span duration", &r->leaf_dur);
		leaf_comment(f, nm, o, r);
	} else {
		uint32_t *ord = plan_order(r);
		uint64_t timed = model_route_timed(r), left = r->other;

		for (uint32_t i = k; i < r->nplans; i++)
			left += r->plans[ord[i]].count;
		for (uint32_t i = 0; i < k; i++) {
			const struct model_plan *pl = &r->plans[ord[i]];
			char name[32];

			fprintf(f, "      #   plan %u: %llu executions (%.1f%%), %u sequential group%s of "
				   "calls\n", i + 1, (unsigned long long)pl->count,
				timed ? 100.0 * (double)pl->count / (double)timed : 0, pl->ngroups,
				pl->ngroups == 1 ? "" : "s");
			snprintf(name, sizeof name, "plan %u duration", i + 1);
			dist_comment(f, "      #     ", name, &pl->dur);
		}
		if (left)
			fprintf(f, "      #   left out: %llu executions of rarer plans\n",
				(unsigned long long)left);
		wait_comment(f, r);
		call_comments(f, m, nm, r);
		free(ord);
	}
	if (r->req.n)
		fprintf(f, "      #   request sizes from %llu spans\n", (unsigned long long)r->req.seen);
	if (r->resp.n)
		fprintf(f, "      #   reply sizes from %llu spans\n", (unsigned long long)r->resp.seen);
	if (r->late_calls)
		fprintf(f, "      #   %llu calls ended after the execution: fire and forget, sent "
			   "with nowait\n", (unsigned long long)r->late_calls);
}

/* ---- the file ------------------------------------------------------------------- */

/* The hosts' clocks the fit aligned (import/clockalign.h), and what moved. */
static void clock_notes(FILE *f, const struct model *m)
{
	if (m->clocks != NULL)
		clockalign_print(m->clocks, "#   ", f);
	if (m->aligned_calls)
		fprintf(f, "#   %llu calls whose callee's clock was moved onto its caller's (by up to "
			   "%.3f ms)\n",
			(unsigned long long)m->aligned_calls, (double)m->aligned_max_ns / 1e6);
	if (m->clocks_unaligned)
		fprintf(f, "#   hosts' clocks differ (see --summary), but standard input is read "
			   "once: their offsets were not applied\n");
}

static void header(FILE *f, const struct model *m, const struct import *im,
		   const struct writer_opts *o, const struct writer_names *nm)
{
	const struct import_stats *st = &im->st;
	uint64_t plans = 0;

	for (uint32_t i = 0; i < m->nroutes; i++)
		plans += m->routes[i].nplans;
	fprintf(f, "# Written by meshwalk import: a scenario fitted to distributed traces\n"
		   "# (docs/import.md explains every number). Run it with meshwalk run.\n");
	for (int i = 0; i < o->nfiles; i++) {
		char txt[1024];

		fprintf(f, "# input: %s (%s)\n", comment_text(o->files[i], txt, sizeof txt),
			o->formats[i]);
	}
	fprintf(f, "# traces %llu, spans %llu, trace roots %llu, executions %llu (%llu without "
		   "timestamps), routes %u, plans %llu\n",
		(unsigned long long)st->traces, (unsigned long long)st->spans,
		(unsigned long long)st->roots, (unsigned long long)m->execs,
		(unsigned long long)m->untimed, m->nroutes, (unsigned long long)plans);
	uint64_t n, span;

	model_entry_times(m, &n, &span);
	if (n >= 2)
		fprintf(f, "# %s' start times span %.3f s\n",
			model_entries_are_fragments(m) ? "fragments" : "roots", (double)span / 1e9);
	fprintf(f, "# warnings:\n");
#define W(n, what)                                                                    \
	do {                                                                          \
		if (n)                                                                \
			fprintf(f, "#   %llu %s\n", (unsigned long long)(n), what); \
	} while (0)
	W(st->orphans, "orphan spans: parent id not in the trace (kept as roots)");
	W(st->early, "spans starting before their parent (clock skew; clipped to it)");
	W(st->late_end, "spans ending after their parent (clock skew, or calls outliving it)");
	W(st->no_time, "spans without timestamps");
	W(st->dup_ids, "repeated span ids (children attach to the first)");
	W(st->cycles, "parent chains that loop (cut)");
	W(st->split, "traces split by --max-open-spans");
	W(m->untimed, "executions without timestamps (left out of the plans)");
	W(m->other, "executions of plans beyond the 32 tracked per operation (left out)");
	W(m->late_calls, "calls ending after their caller: fire and forget, sent with nowait");
	W(m->stor_mixed, "plan segments whose LOAD/STORE ops varied between executions (their "
			 "time waited with --sleep)");
	W(m->coarse_execs, "executions timed by millisecond start stamps: their compute segments "
			   "fitted for the mean, the stamps' rounding (1/6 ms^2) taken out of "
			   "the spread");
	W(m->negative_net, "client spans shorter than their server span (skew: network time 0)");
	W(m->external_roots, "root client spans of a caller outside the application (a load "
			     "generator): its callees are the entries, the client groups replace it");
#undef W
	clock_notes(f, m);
	for (uint32_t i = 0; i < nm->ncut; i++)
		fprintf(f, "#   %s\n", nm->cut_text[i]);
	if (model_entries_are_fragments(m))
		fprintf(f, "#   no trace has a root (every span names a parent): the roots of the "
			   "fragments (orphans) are the entry operations\n");
	if (n < 2 || span == 0)
		fprintf(f, "#   too few timed trace roots to measure the arrival rate: %g req/s "
			   "assumed\n", o->rate > 0 ? o->rate : 10.0);
}

static double total_rate(const struct model *m, const struct writer_opts *o)
{
	if (o->rate > 0)
		return o->rate;
	uint64_t n, span;

	model_entry_times(m, &n, &span);
	if (n < 2 || span == 0)
		return 10.0;
	return (double)(n - 1) / ((double)span / 1e9);
}

/* The baseline of the pair a, b: its edges' (either way), weighted by
 * their calls. */
static void pair_base(const struct model *m, const struct writer_names *nm,
		      const struct writer_opts *o, uint32_t a, uint32_t b, double *mean, double *var)
{
	double w = 0, sm = 0, sv = 0;

	*mean = *var = 0;
	if (o->net_base == NULL)
		return;
	for (uint32_t i = 0; i < m->nedges; i++) {
		const struct model_edge *ed = &m->edges[i];
		double em, ev;

		if (!((ed->from == a && ed->to == b) || (ed->from == b && ed->to == a)))
			continue;
		netbase_get(o->net_base, writer_service_name(nm, ed->from),
			    writer_service_name(nm, ed->to), &em, &ev);
		w += (double)ed->calls;
		sm += (double)ed->calls * em;
		sv += (double)ed->calls * ev;
	}
	if (w > 0) {
		*mean = sm / w;
		*var = sv / w;
	}
}

/* The link between a and b of the pair's samples x[0..n) (sorted, ns). */
static void link_of(FILE *f, const struct model *m, const struct writer_names *nm,
		    const struct writer_opts *o, uint32_t a, uint32_t b, const double *x,
		    uint32_t n, uint64_t calls, bool *any)
{
	double bm, bv, xm, xv, ym, yv;
	double *y = xmalloc((n ? n : 1) * sizeof *y);
	struct text t = { 0 };
	char a50[32], bms[32], bsd[32], yms[32], ysd[32];

	pair_base(m, nm, o, a, b, &bm, &bv);
	/* a link only where the network takes at least 1 us each way */
	if (netbase_link(x, n, bm, bv, y) == 0 || writer_median(y, n) < 1000) {
		free(y);
		return;
	}
	if (!*any)
		fprintf(f, "network:\n  mode: loopback\n  links:\n");
	*any = true;
	netbase_moments(x, n, &xm, &xv);
	netbase_moments(y, n, &ym, &yv);
	us(a50, sizeof a50, writer_median(x, n));
	us(bms, sizeof bms, xm);
	us(bsd, sizeof bsd, sqrt(xv));
	writer_emp_text(&t, y, n, 1 / 1000.0, SPEC_TIME, o->emp_values);
	fprintf(f, "    # %s <-> %s: network time (client span - server span) of %llu calls, "
		   "median %s, mean %s, sd %s round trip", writer_service_name(nm, a),
		writer_service_name(nm, b), (unsigned long long)calls, a50, bms, bsd);
	if (bm != 0 || bv != 0) {
		us(bms, sizeof bms, bm);
		us(bsd, sizeof bsd, sqrt(fabs(bv)));
		fprintf(f, "; less the clone's own hop (--net-baseline: mean %s, sd %s%s)", bms,
			bv < 0 ? "-" : "", bsd);
	}
	us(yms, sizeof yms, ym);
	us(ysd, sizeof ysd, sqrt(yv));
	fprintf(f, "; each way: mean %s, sd %s\n", yms, ysd);
	fprintf(f, "    - between: [%s, %s]\n      delay: \"%s\"\n", writer_service_name(nm, a),
		writer_service_name(nm, b), t.p);
	free(t.p);
	free(y);
}

static void links(FILE *f, const struct model *m, const struct writer_names *nm,
		  const struct writer_opts *o)
{
	bool any = false;

	for (uint32_t k = 0; k < nm->nsvc; k++)
		for (uint32_t l = k + 1; l < nm->nsvc; l++) {
			uint32_t a = nm->svc_order[k], b = nm->svc_order[l];
			struct reservoir both = { 0 };
			struct rng g;
			uint64_t calls = 0, own = 0;

			rng_seed(&g, 5, 0);
			for (uint32_t i = 0; i < m->nedges; i++) {
				const struct model_edge *ed = &m->edges[i];

				if (!((ed->from == a && ed->to == b) || (ed->from == b && ed->to == a)))
					continue;
				for (uint32_t j = 0; j < ed->net.n; j++)
					reservoir_add(&both, &g, ed->net.v[j]);
				calls += ed->calls;
				own += ed->meshwalk_calls;
			}
			if (calls > 0 && own == calls && o->net_auto) {
				/* --net-baseline auto: meshwalk's own network time
				 * is its transport, which the clone pays again */
				fprintf(f, "%s# %s <-> %s: the network time of %llu calls recorded by "
					   "meshwalk itself is its own transport, which the clone "
					   "pays again: no link (--net-baseline)\n",
					any ? "    " : "", writer_service_name(nm, a),
					writer_service_name(nm, b), (unsigned long long)calls);
				reservoir_free(&both);
				continue;
			}
			uint32_t n;
			double *x = reservoir_sorted(&both, &n);

			link_of(f, m, nm, o, a, b, x, n, calls, &any);
			free(x);
			reservoir_free(&both);
		}
}

/* A per-service choice naming no traced service is a mistake to report, not
 * to ignore (it would leave that service on the defaults without a word). */
static int unknown_services(const struct model *m, const struct writer_opts *o,
			    const struct writer_names *nm, struct err *e)
{
	for (int i = 0; i < o->nself; i++) {
		uint32_t k = 0;

		while (k < nm->nsvc && strcmp(model_name(m, nm->svc_order[k]), o->self[i].service))
			k++;
		if (k == nm->nsvc)
			return err_set(e, "%s%s names service '%s', which the traces do not have (see "
				       "meshwalk import --summary)",
				       o->self[i].has_cpu ? "--self-time" : "--working-set",
				       o->self[i].has_cpu && o->self[i].wset ? " or --working-set" : "",
				       o->self[i].service);
	}
	return 0;
}

/* A working set over a node's default --max-working-set would be refused by
 * the node: the service's nodes are started with room for it. Its routes are
 * route_order[i...] while they belong to svc. */
static void service_node_args(FILE *f, const struct model *m, const struct writer_names *nm,
			      const struct writer_opts *o, uint32_t i, uint32_t svc)
{
	uint64_t most = 0;

	for (; i < m->nroutes && m->routes[nm->route_order[i]].svc == svc; i++) {
		struct self_emu how = self_emu_of(m, o, &m->routes[nm->route_order[i]]);

		if (how.cpu > 0 && how.wset > most)
			most = how.wset;
	}
	if (most > wire_default_limits.max_wset)
		fprintf(f, "    node: \"--max-working-set %llu\"\n", (unsigned long long)most);
}

int writer_write(const struct model *m, const struct import *im, const struct writer_opts *o,
		 FILE *f, struct err *e)
{
	struct writer_names *nm;
	uint64_t roots = 0;
	double rate = total_rate(m, o);

	for (uint32_t i = 0; i < m->nroutes; i++)
		roots += model_entries(m, &m->routes[i]);
	if (m->nroutes == 0)
		return err_set(e, "no spans were imported: nothing to write");
	if (roots == 0)
		return err_set(e, "no entry operation for the client groups: no span without a parent");
	nm = writer_names_new(m);
	if (unknown_services(m, o, nm, e) < 0) {
		writer_names_free(nm);
		return -EINVAL;
	}
	header(f, m, im, o, nm);
	fprintf(f, "seed: 1\nservices:\n");
	for (uint32_t k = 0, i = 0; k < nm->nsvc; k++) {
		uint32_t s = nm->svc_order[k];

		fprintf(f, "  %s:\n", writer_service_name(nm, s));
		if (strcmp(writer_service_name(nm, s), model_name(m, s)) != 0) {
			char txt[256];

			fprintf(f, "    # traced as \"%s\"\n",
				comment_text(model_name(m, s), txt, sizeof txt));
		}
		service_node_args(f, m, nm, o, i, s);
		fprintf(f, "    routes:\n");
		for (; i < m->nroutes && m->routes[nm->route_order[i]].svc == s; i++) {
			uint32_t r = nm->route_order[i];
			char *prog = NULL;
			uint32_t kept = writer_plans_kept(m, nm, o, r, &prog, e);

			if (kept == UINT32_MAX) {
				writer_names_free(nm);
				return -EINVAL;
			}
			route_comments(f, m, nm, o, r, kept);
			fprintf(f, "      %s: \"%s\"\n", writer_route_name(nm, r), prog);
			free(prog);
		}
	}
	links(f, m, nm, o);
	fprintf(f, "# clients: one group per entry operation (trace roots), Poisson arrivals at its "
		   "share of %.4g req/s (%s)\n", rate,
		o->rate > 0 ? "--rate" : "the roots' count over their time span");
	fprintf(f, "clients:\n");
	for (uint32_t k = 0; k < m->nroutes; k++) {
		uint32_t r = nm->route_order[k];
		const struct model_route *rt = &m->routes[r];
		uint64_t entries = model_entries(m, rt);
		double share = (double)entries / (double)roots;
		uint64_t n = (uint64_t)llround((double)o->requests * share);
		char mean[32];

		if (entries == 0)
			continue;
		units_format(round(1e7 / (rate * share)) / 10, SPEC_TIME, mean, sizeof mean);
		fprintf(f, "  # %llu of %llu trace roots (%.1f%%)\n", (unsigned long long)entries,
			(unsigned long long)roots, 100 * share);
		dist_comment(f, "  # ", "end-to-end latency in the traces", &rt->root_dur);
		fprintf(f, "  - name: %s\n    to: %s\n    route: %s\n    args: \"-n %llu -p exp:%s\"\n",
			writer_group_name(nm, r), writer_service_name(nm, rt->svc),
			writer_route_name(nm, r), (unsigned long long)(n ? n : 1), mean);
	}
	writer_names_free(nm);
	return ferror(f) ? err_set(e, "write error") : 0;
}
