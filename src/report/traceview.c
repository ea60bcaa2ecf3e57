/* traceview.c -- see traceview.h. */
#include "report/traceview.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "import/spans.h"
#include "report/critpath.h"
#include "report/html.h"
#include "util/xalloc.h"

#define GANTT_W 1100       /* whole chart */
#define GANTT_LABEL_W 330  /* the name column */
#define GANTT_RIGHT_W 150  /* room for a duration label after the longest bar */
#define GANTT_ROW_H 18
#define GANTT_TOP 28       /* the time axis */
#define SCATTER_W 700
#define SCATTER_H 220
#define SCATTER_MAX_POINTS 3000
#define CRIT_ROWS 15       /* operations listed per entry; the rest summed */

static const char *const palette[] = { "#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2",
				       "#edc948", "#e15759", "#9c755f", "#ff9da7", "#bab0ac" };

static void fmt_ns(char *buf, size_t len, double ns)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3g µs", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3g s", ns / 1e9);
}

static unsigned color_of(const char *service)
{
	unsigned h = 5381;

	for (const char *c = service; *c; c++)
		h = h * 33 + (unsigned char)*c;
	return h % (sizeof palette / sizeof palette[0]);
}

/* A nice step for about n ticks over [0, span]. */
static double tick_step(double span, int n)
{
	double raw = span / n, p = pow(10, floor(log10(raw))), m = raw / p;

	return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

/* ---- tables --------------------------------------------------------------- */

static void csv_field(FILE *f, const char *s)
{
	if (strpbrk(s, ",\"\n\r") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static double shape_share(const struct traceset *ts, uint32_t shape)
{
	return shape == TV_NONE ? NAN : 100.0 * (double)ts->shapes[shape].count / (double)ts->nrows;
}

static void write_exemplars(FILE *f, const struct traceset *ts)
{
	fprintf(f, "pick,trace_id,request_id,latency_us,spans,shape_share_pct\n");
	for (uint32_t i = 0; i < ts->npicked; i++) {
		const struct tv_trace *t = &ts->picked[i];
		uint32_t shape = t->row < ts->nrows ? ts->rows[t->row].shape : TV_NONE;

		csv_field(f, t->label);
		fputc(',', f);
		csv_field(f, t->id);
		if (t->request_id >= 0)
			fprintf(f, ",%" PRId64, t->request_id);
		else
			fputc(',', f);
		fprintf(f, ",%.3f,%u,%.2f\n", (double)t->dur_ns / 1e3, t->n, shape_share(ts, shape));
	}
}

static void write_crit(FILE *f, const struct traceset *ts)
{
	static const char *const band[2] = { "p50", "p99" };

	fprintf(f, "entry_service,entry_operation,band,traces,service,operation,mean_us,share_pct\n");
	for (uint32_t ei = 0; ei < ts->nentries; ei++) {
		const struct tv_entry *en = &ts->entries[ei];

		for (int b = 0; b < 2; b++) {
			double total = 0;

			for (uint32_t k = 0; k < en->ncrit[b]; k++)
				total += en->crit[b][k].mean_ns;
			for (uint32_t k = 0; k < en->ncrit[b]; k++) {
				const struct tv_op *o = &ts->ops[en->crit[b][k].op];

				csv_field(f, ts->ops[en->op].service);
				fputc(',', f);
				csv_field(f, ts->ops[en->op].name);
				fprintf(f, ",%s,%" PRIu64 ",", band[b], en->band_n[b]);
				csv_field(f, o->service);
				fputc(',', f);
				csv_field(f, o->name);
				fprintf(f, ",%.3f,%.2f\n", en->crit[b][k].mean_ns / 1e3,
					total > 0 ? 100.0 * en->crit[b][k].mean_ns / total : 0.0);
			}
		}
	}
}

/* The clock offsets between hosts measured from the calls between them,
 * which the trace view applied (host.name of each span's resource; import/clockalign). */
static void write_clocks(FILE *f, const struct traceset *ts)
{
	fprintf(f, "from_host,to_host,calls,samples,offset_us,min_us,max_us\n");
	for (uint32_t i = 0; i < ts->clocks.npairs; i++) {
		const struct clock_pair *c = &ts->clocks.pairs[i];

		csv_field(f, c->from);
		fputc(',', f);
		csv_field(f, c->to);
		fprintf(f, ",%llu,%u,%.3f,%.3f,%.3f\n", (unsigned long long)c->calls, c->n,
			(double)c->offset_ns / 1e3, (double)c->min_ns / 1e3, (double)c->max_ns / 1e3);
	}
}

int traceview_tables(const char *dir, const struct traceset *ts, struct err *e)
{
	static const char *const names[3] = { "trace-exemplars.csv", "critical-path.csv",
					       "clock-offsets.csv" };

	for (int i = 0; i < 3; i++) {
		char path[1100];
		FILE *f;
		int bad;

		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if ((f = fopen(path, "w")) == NULL)
			return err_set(e, "%s: %s", path, strerror(errno));
		if (i == 0)
			write_exemplars(f, ts);
		else if (i == 1)
			write_crit(f, ts);
		else
			write_clocks(f, ts);
		bad = ferror(f);
		if (fclose(f) != 0 || bad)
			return err_set(e, "%s: write error", path);
	}
	return 0;
}

/* ---- the Gantt chart ------------------------------------------------------ */

/* Span indexes by start time (qsort_r: the spans in arg), then index. */
static int by_start(const void *a, const void *b, void *arg)
{
	const struct tv_span *sp = arg;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	if (sp[x].start_ns != sp[y].start_ns)
		return sp[x].start_ns < sp[y].start_ns ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Rows in call order: depth-first from the entry, children by start time,
 * then every other root's subtree (orphans, the rest of a split trace). */
static uint32_t call_order(const struct tv_trace *t, uint32_t *order, uint32_t *depth)
{
	uint32_t n = t->n, *kids = xmalloc((n + 1) * sizeof *kids), *first = xcalloc(n + 2, sizeof *first);
	uint32_t *stack = xmalloc((n + 1) * sizeof *stack), top = 0, out = 0;
	bool *done = xcalloc(n + 1, sizeof *done);

	/* counting sort of children by parent; within a parent by start */
	for (uint32_t i = 0; i < n; i++)
		if (t->spans[i].parent != TV_NONE)
			first[t->spans[i].parent + 1]++;
	for (uint32_t p = 0; p < n; p++)
		first[p + 1] += first[p];
	{
		uint32_t *fill = xmalloc((n + 1) * sizeof *fill);

		memcpy(fill, first, (n + 1) * sizeof *fill);
		for (uint32_t i = 0; i < n; i++)
			if (t->spans[i].parent != TV_NONE)
				kids[fill[t->spans[i].parent]++] = i;
		free(fill);
	}
	for (uint32_t p = 0; p < n; p++)
		if (first[p + 1] - first[p] > 1)
			qsort_r(kids + first[p], first[p + 1] - first[p], sizeof *kids, by_start,
				(void *)t->spans);
	for (uint32_t r = 0; r <= n && out < n; r++) {
		uint32_t root = r == 0 ? t->entry : r - 1;

		if (root >= n || done[root] || (r > 0 && t->spans[root].parent != TV_NONE))
			continue;
		stack[top++] = root;
		depth[root] = 0;
		while (top > 0) {
			uint32_t s = stack[--top];

			if (done[s])
				continue;
			done[s] = true;
			order[out++] = s;
			/* pushed in reverse so the earliest child comes out first */
			for (uint32_t k = first[s + 1]; k-- > first[s];)
				if (!done[kids[k]] && top < n) {
					depth[kids[k]] = depth[s] + 1;
					stack[top++] = kids[k];
				}
		}
	}
	/* a span whose parent chain was cut off by the span bound */
	for (uint32_t i = 0; i < n && out < n; i++)
		if (!done[i]) {
			depth[i] = 0;
			order[out++] = i;
		}
	free(kids);
	free(first);
	free(stack);
	free(done);
	return out;
}

static void gantt(FILE *f, const struct traceset *ts, const struct tv_trace *t, uint32_t idx)
{
	uint32_t *order = xmalloc((t->n + 1) * sizeof *order), *depth = xcalloc(t->n + 1, sizeof *depth);
	int64_t *on_path = xcalloc(t->n + 1, sizeof *on_path), end = 1;
	uint32_t rows = call_order(t, order, depth);
	double plot_w = GANTT_W - GANTT_LABEL_W - GANTT_RIGHT_W, scale, step;
	int h = GANTT_TOP + (int)rows * GANTT_ROW_H + 10;
	char buf[64], buf2[64];

	critpath(t->spans, t->n, t->entry, on_path);
	for (uint32_t i = 0; i < t->n; i++)
		if (t->spans[i].start_ns + t->spans[i].dur_ns > end)
			end = t->spans[i].start_ns + t->spans[i].dur_ns;
	scale = plot_w / (double)end;
	fprintf(f, "<svg class=\"gantt\" id=\"gantt-%u\" xmlns=\"http://www.w3.org/2000/svg\" "
		   "width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" "
		   "font-size=\"11\">\n", idx, GANTT_W, h, GANTT_W, h);
	/* time axis */
	step = tick_step((double)end, 8);
	for (double x = 0; x <= (double)end * 1.0001 && step > 0; x += step) {
		double px = GANTT_LABEL_W + x * scale;

		fmt_ns(buf, sizeof buf, x);
		fprintf(f, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#ddd\"/>"
			   "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" fill=\"#555\">%s</text>\n",
			px, GANTT_TOP - 6, px, h - 8, px, GANTT_TOP - 10, buf);
	}
	for (uint32_t r = 0; r < rows; r++) {
		uint32_t i = order[r];
		const struct tv_span *s = &t->spans[i];
		const struct tv_op *o = &ts->ops[s->op];
		double y = GANTT_TOP + r * GANTT_ROW_H, x = GANTT_LABEL_W + (double)s->start_ns * scale;
		double w = fmax((double)s->dur_ns * scale, 1.0), rank = traceset_rank(ts, s->op, s->dur_ns);
		int64_t p5 = traceset_op_pct(ts, s->op, 5), p50 = traceset_op_pct(ts, s->op, 50),
			p95 = traceset_op_pct(ts, s->op, 95);
		uint32_t indent = depth[i] > 12 ? 12 : depth[i];

		if (r % 2)
			fprintf(f, "<rect x=\"0\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#f6f6f6\"/>\n",
				y, GANTT_W, GANTT_ROW_H);
		fprintf(f, "<text x=\"%u\" y=\"%.1f\" fill=\"#222\"><tspan font-weight=\"bold\">",
			4 + indent * 10, y + 13);
		html_escape(f, o->service);
		fprintf(f, "</tspan> ");
		{
			char name[48];

			snprintf(name, sizeof name, "%s", o->name);
			if (strlen(o->name) >= sizeof name)
				memcpy(name + sizeof name - 4, "...", 4);
			html_escape(f, name);
		}
		fprintf(f, "</text>\n");
		if (p5 >= 0 && p95 >= p5) /* metric context: the operation's usual durations */
			fprintf(f, "<rect class=\"span-band\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
				   "height=\"%d\" fill=\"#000\" fill-opacity=\"0.10\"/>"
				   "<line class=\"span-p50\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
				   "stroke=\"#000\" stroke-opacity=\"0.45\"/>\n",
				x + (double)p5 * scale, y + 2, fmax((double)(p95 - p5) * scale, 1.0),
				GANTT_ROW_H - 4, x + (double)p50 * scale, y + 1, x + (double)p50 * scale,
				y + GANTT_ROW_H - 1);
		fmt_ns(buf, sizeof buf, (double)s->dur_ns);
		fprintf(f, "<rect class=\"span-bar%s\" data-span=\"%u\" x=\"%.1f\" y=\"%.1f\" "
			   "width=\"%.1f\" height=\"%d\" fill=\"%s\"%s><title>",
			on_path[i] > 0 ? " crit" : "", i, x, y + 4, w, GANTT_ROW_H - 8,
			palette[color_of(o->service)],
			s->status == SPAN_STATUS_ERROR ? " stroke=\"#c00\" stroke-width=\"2\""
			: on_path[i] > 0	       ? " stroke=\"#111\" stroke-width=\"1.2\""
						       : "");
		html_escape(f, o->service);
		fputs(" ", f);
		html_escape(f, o->name);
		fprintf(f, "&#10;%s (%s)", buf, span_kind_name((enum span_kind)s->kind));
		if (rank >= 0)
			fprintf(f, ", p%.0f of this operation's spans", rank);
		if (on_path[i] > 0) {
			fmt_ns(buf2, sizeof buf2, (double)on_path[i]);
			fprintf(f, "&#10;%s on the critical path", buf2);
		}
		if (s->status == SPAN_STATUS_ERROR)
			fputs("&#10;status: error", f);
		fprintf(f, "</title></rect>\n");
		fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" fill=\"#333\">%s", x + w + 4, y + 13, buf);
		if (rank >= 0)
			fprintf(f, " · p%.0f", rank);
		fprintf(f, "</text>\n");
	}
	fprintf(f, "</svg>\n");
	free(order);
	free(depth);
	free(on_path);
}

/* Temporal context: every trace's latency at its start time, this one marked. */
static void scatter(FILE *f, const struct traceset *ts, const struct tv_trace *t, uint32_t idx)
{
	const double left = 70, bottom = 30, top = 10, right = 20;
	double pw = SCATTER_W - left - right, ph = SCATTER_H - top - bottom;
	double span = (double)(ts->last_ns - ts->first_ns), lo = INFINITY, hi = 0;
	size_t stride = ts->nrows / SCATTER_MAX_POINTS + 1;
	bool logy;
	char buf[64];

	for (size_t r = 0; r < ts->nrows; r++) {
		double d = (double)ts->rows[r].dur_ns;

		if (d > 0 && d < lo)
			lo = d;
		if (d > hi)
			hi = d;
	}
	if (!(lo < INFINITY))
		lo = 1;
	if (hi <= lo)
		hi = lo * 2;
	logy = hi / lo >= 10;
	if (span <= 0)
		span = 1;
#define SX(ns) (left + (double)((ns) - ts->first_ns) / span * pw)
#define SY(d) (top + ph - (logy ? (log((d) > lo ? (d) : lo) - log(lo)) / (log(hi) - log(lo)) \
				: ((d) - 0) / hi) * ph)
	fprintf(f, "<svg class=\"trace-timeline\" id=\"timeline-%u\" xmlns=\"http://www.w3.org/2000/svg\" "
		   "width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"11\">\n"
		   "<rect x=\"%.0f\" y=\"%.0f\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" stroke=\"#999\"/>\n",
		idx, SCATTER_W, SCATTER_H, left, top, pw, ph);
	fmt_ns(buf, sizeof buf, hi);
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%s</text>\n", left - 4, top + 8, buf);
	fmt_ns(buf, sizeof buf, logy ? lo : 0);
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%s</text>\n", left - 4, top + ph, buf);
	fmt_ns(buf, sizeof buf, span);
	fprintf(f, "<text x=\"%.0f\" y=\"%d\">0</text><text x=\"%.0f\" y=\"%d\" text-anchor=\"end\">"
		   "%s (trace start)</text>\n", left, SCATTER_H - 8, left + pw, SCATTER_H - 8, buf);
	fprintf(f, "<g fill=\"#4e79a7\" fill-opacity=\"0.5\">\n");
	for (size_t r = 0; r < ts->nrows; r += stride)
		fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"1.6\"/>", SX(ts->rows[r].start_ns),
			SY((double)ts->rows[r].dur_ns));
	fprintf(f, "\n</g>\n");
	if (t->row < ts->nrows)
		fprintf(f, "<circle class=\"this-trace\" cx=\"%.1f\" cy=\"%.1f\" r=\"5\" fill=\"none\" "
			   "stroke=\"#e15759\" stroke-width=\"2\"/>\n",
			SX(ts->rows[t->row].start_ns), SY((double)ts->rows[t->row].dur_ns));
	fprintf(f, "</svg>\n");
#undef SX
#undef SY
}

/* Structure context: how common the shape is, and what the most common shape
 * has that this one lacks (and the other way round). */
static void structure(FILE *f, const struct traceset *ts, const struct tv_trace *t)
{
	uint32_t shape = t->row < ts->nrows ? ts->rows[t->row].shape : TV_NONE, top = 0, rank = 1;

	if (shape == TV_NONE || ts->nshapes == 0) {
		fprintf(f, "<p class=\"structure\">Call-graph shape: one of the rare shapes beyond the "
			   "first %d counted.</p>\n", TRACESET_MAX_SHAPES);
		return;
	}
	for (uint32_t s = 0; s < ts->nshapes; s++) {
		if (ts->shapes[s].count > ts->shapes[top].count)
			top = s;
		if (ts->shapes[s].count > ts->shapes[shape].count)
			rank++;
	}
	fprintf(f, "<p class=\"structure\">Call-graph shape: seen in %" PRIu64 " of %zu traces "
		   "(%.1f%%), ", ts->shapes[shape].count, ts->nrows, shape_share(ts, shape));
	if (rank == 1)
		fprintf(f, "the most common of %u shapes.", ts->nshapes);
	else
		fprintf(f, "number %u of %u shapes by how often they occur.", rank, ts->nshapes);
	if (shape == top) {
		fprintf(f, "</p>\n");
		return;
	}
	if (ts->shapes[shape].edges == NULL || ts->shapes[top].edges == NULL) {
		fprintf(f, " (Not compared with the most common shape: the call graphs kept for "
			   "that were over their memory budget.)</p>\n");
		return;
	}
	fprintf(f, " Against the most common shape (%.1f%% of traces):</p>\n<ul class=\"shape-diff\">\n",
		shape_share(ts, top));
	{
		const struct tv_shape *a = &ts->shapes[shape], *b = &ts->shapes[top];
		uint32_t i = 0, j = 0, shown = 0;

		/* both edge lists are sorted: merge them */
		while ((i < a->nedges || j < b->nedges) && shown < 20) {
			int c = i >= a->nedges ? 1 : j >= b->nedges ? -1
				: a->edges[i].from != b->edges[j].from
					? (a->edges[i].from < b->edges[j].from ? -1 : 1)
				: a->edges[i].to != b->edges[j].to ? (a->edges[i].to < b->edges[j].to ? -1 : 1)
								   : 0;
			const struct tv_edge *ed = c <= 0 ? &a->edges[i] : &b->edges[j];
			long diff = c < 0 ? (long)a->edges[i].n : c > 0 ? -(long)b->edges[j].n
				  : (long)a->edges[i].n - (long)b->edges[j].n;

			if (diff != 0) {
				fprintf(f, "<li>%s%ld call%s ", diff > 0 ? "+" : "−", labs(diff),
					labs(diff) == 1 ? "" : "s");
				if (ed->from != TV_NONE) {
					html_escape(f, ts->ops[ed->from].service);
					fputs(" ", f);
					html_escape(f, ts->ops[ed->from].name);
					fputs(" → ", f);
				} else {
					fputs("entry ", f);
				}
				html_escape(f, ts->ops[ed->to].service);
				fputs(" ", f);
				html_escape(f, ts->ops[ed->to].name);
				fprintf(f, "</li>\n");
				shown++;
			}
			if (c <= 0)
				i++;
			if (c >= 0)
				j++;
		}
	}
	fprintf(f, "</ul>\n");
}

static void crit_table(FILE *f, const struct traceset *ts, const struct tv_entry *en)
{
	uint32_t *ops = xmalloc((ts->nops + 1) * sizeof *ops), n = 0;
	double tot[2] = { 0, 0 };
	char b0[64], b1[64];

	for (int b = 0; b < 2; b++)
		for (uint32_t k = 0; k < en->ncrit[b]; k++)
			tot[b] += en->crit[b][k].mean_ns;
	/* the p99 band's order, then what only the p50 band has */
	for (int b = 1; b >= 0; b--)
		for (uint32_t k = 0; k < en->ncrit[b]; k++) {
			uint32_t op = en->crit[b][k].op, q;

			for (q = 0; q < n && ops[q] != op; q++)
				;
			if (q == n)
				ops[n++] = op;
		}
	fprintf(f, "<h3>Entry ");
	html_escape(f, ts->ops[en->op].service);
	fputs(" ", f);
	html_escape(f, ts->ops[en->op].name);
	fmt_ns(b0, sizeof b0, (double)en->p50_ns);
	fmt_ns(b1, sizeof b1, (double)en->p99_ns);
	fprintf(f, "</h3>\n<p>%" PRIu64 " traces; p50 %s, p99 %s. Mean time on the critical path per "
		   "trace, over the traces between the 45th and 55th percentile (%" PRIu64 ") and "
		   "between the 98.5th and 99.5th (%" PRIu64 ").</p>\n"
		   "<table class=\"crit\"><tr><th>service</th><th>operation</th><th>p50 band</th>"
		   "<th>share</th><th>p99 band</th><th>share</th></tr>\n",
		en->traces, b0, b1, en->band_n[0], en->band_n[1]);
	for (uint32_t q = 0; q < n; q++) {
		double v[2] = { 0, 0 };

		for (int b = 0; b < 2; b++)
			for (uint32_t k = 0; k < en->ncrit[b]; k++)
				if (en->crit[b][k].op == ops[q])
					v[b] = en->crit[b][k].mean_ns;
		if (q == CRIT_ROWS) {
			double rest[2] = { 0, 0 };

			for (uint32_t r = q; r < n; r++)
				for (int b = 0; b < 2; b++)
					for (uint32_t k = 0; k < en->ncrit[b]; k++)
						if (en->crit[b][k].op == ops[r])
							rest[b] += en->crit[b][k].mean_ns;
			fmt_ns(b0, sizeof b0, rest[0]);
			fmt_ns(b1, sizeof b1, rest[1]);
			fprintf(f, "<tr><td colspan=\"2\">%u others</td><td>%s</td><td>%.1f%%</td>"
				   "<td>%s</td><td>%.1f%%</td></tr>\n", n - q, b0,
				tot[0] > 0 ? 100 * rest[0] / tot[0] : 0, b1,
				tot[1] > 0 ? 100 * rest[1] / tot[1] : 0);
			break;
		}
		fprintf(f, "<tr><td>");
		html_escape(f, ts->ops[ops[q]].service);
		fprintf(f, "</td><td>");
		html_escape(f, ts->ops[ops[q]].name);
		fmt_ns(b0, sizeof b0, v[0]);
		fmt_ns(b1, sizeof b1, v[1]);
		fprintf(f, "</td><td>%s</td><td>%.1f%%</td><td>%s</td><td>%.1f%%</td></tr>\n", b0,
			tot[0] > 0 ? 100 * v[0] / tot[0] : 0, b1, tot[1] > 0 ? 100 * v[1] / tot[1] : 0);
	}
	fprintf(f, "</table>\n");
	free(ops);
}

void traceview_html(FILE *f, const struct traceset *ts)
{
	char buf[64];

	fprintf(f, "<h2 id=\"traces\">Traces</h2>\n<p>From <code>");
	html_escape(f, ts->path);
	fprintf(f, "</code>: %zu traces, %" PRIu64 " spans, %u operations, %u call-graph shapes",
		ts->nrows, ts->spans, ts->nops, ts->nshapes);
	if (ts->flagged)
		fprintf(f, "; %" PRIu64 " spans flagged by the import's messy-input rules (meshwalk "
			   "import --summary lists them)", ts->flagged);
	fprintf(f, ". Each bar is a span; the grey band behind it is its operation's 5th to "
		   "95th percentile duration (tick: median) and the label gives its percentile rank "
		   "(operations with at least %d spans); "
		   "outlined bars are on the critical path.</p>\n", TRACESET_MIN_CONTEXT);
	for (uint32_t i = 0; i < ts->npicked; i++) {
		const struct tv_trace *t = &ts->picked[i];

		fmt_ns(buf, sizeof buf, (double)t->dur_ns);
		fprintf(f, "<figure class=\"trace\" id=\"trace-%u\">\n<h3>", i);
		html_escape(f, t->label);
		fprintf(f, ": trace <code>");
		html_escape(f, t->id);
		fprintf(f, "</code>");
		if (t->request_id >= 0)
			fprintf(f, ", request %" PRId64, t->request_id);
		fprintf(f, ", latency %s, %u spans%s</h3>\n", buf, t->n,
			t->truncated ? " (only the first ones drawn)" : "");
		gantt(f, ts, t, i);
		fprintf(f, "<p>Latency of every trace over time; the circled point is this one.</p>\n");
		scatter(f, ts, t, i);
		structure(f, ts, t);
		fprintf(f, "</figure>\n");
	}
	fprintf(f, "<h2 id=\"critical-path\">Critical path</h2>\n");
	for (uint32_t ei = 0; ei < ts->nentries; ei++)
		crit_table(f, ts, &ts->entries[ei]);
}
