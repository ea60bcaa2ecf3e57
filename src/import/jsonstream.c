/* jsonstream.c -- see jsonstream.h. yajl (Debian's libyajl) parses; this
 * file keeps the path and builds the captured trees. */
#include "import/jsonstream.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "util/xalloc.h"

#define CHUNK (64 * 1024)

struct js {
	yajl_handle h;
	const struct js_ops *ops;
	void *arg;
	struct err *e;
	int rc; /* a callback's error */
	struct js_path path;
	/* the value being captured */
	struct js_val *stack[JS_MAX_DEPTH];
	int cdepth;
	struct js_val *root;
	char *key; /* the key of the next member, in a captured object */
	size_t nodes, bytes;
	/* positions: lines counted up to scan_off of the current chunk */
	const unsigned char *chunk;
	size_t chunk_len, scan_off;
	uint64_t line, col; /* at scan_off */
};

bool js_at_key(const struct js_path *p, int i, const char *k)
{
	return i >= 0 && i < p->depth && p->f[i].obj && strcmp(p->f[i].key, k) == 0;
}

bool js_at_arr(const struct js_path *p, int i)
{
	return i >= 0 && i < p->depth && !p->f[i].obj;
}

void js_free(struct js_val *v)
{
	if (v == NULL)
		return;
	for (size_t i = 0; i < v->n; i++) {
		js_free(v->items[i]);
		if (v->keys)
			free(v->keys[i]);
	}
	free(v->items);
	free(v->keys);
	free(v->str);
	free(v);
}

const struct js_val *js_get(const struct js_val *v, const char *key)
{
	if (v == NULL || v->type != JS_OBJ)
		return NULL;
	for (size_t i = 0; i < v->n; i++)
		if (strcmp(v->keys[i], key) == 0)
			return v->items[i];
	return NULL;
}

const struct js_val *js_at(const struct js_val *v, size_t i)
{
	return v && v->type == JS_ARR && i < v->n ? v->items[i] : NULL;
}

const char *js_text(const struct js_val *v)
{
	return v && (v->type == JS_STR || v->type == JS_NUM) ? v->str : NULL;
}

static struct js_pos pos_now(struct js *j)
{
	size_t off = yajl_get_bytes_consumed(j->h);

	if (off > j->chunk_len)
		off = j->chunk_len;
	for (; j->scan_off < off; j->scan_off++) {
		if (j->chunk[j->scan_off] == '\n') {
			j->line++;
			j->col = 1;
		} else {
			j->col++;
		}
	}
	return (struct js_pos){ j->line, j->col };
}

static int fail(struct js *j, int rc)
{
	j->rc = rc;
	return 0; /* yajl: cancel */
}

/* A value completed at the path level: the enclosing array moves on. */
static void advance(struct js *j)
{
	if (j->path.depth > 0 && !j->path.f[j->path.depth - 1].obj)
		j->path.f[j->path.depth - 1].index++;
}

static int deliver(struct js *j)
{
	struct js_val *v = j->root;
	int rc;

	j->root = NULL;
	j->nodes = j->bytes = 0;
	rc = j->ops->value(j->arg, &j->path, &v, pos_now(j), j->e);
	js_free(v);
	advance(j);
	return rc < 0 ? fail(j, rc) : 1;
}

/* Adds a node to the captured value; starts a capture when none is under
 * way and the reader wants this value. Returns 0 (not captured), 1 (added)
 * or -1 (error, j->rc set). */
static int add(struct js *j, enum js_type type, const void *text, size_t len, bool b)
{
	struct js_val *v, *parent;

	if (j->cdepth == 0 && j->root == NULL) {
		if (!j->ops->want(j->arg, &j->path, type))
			return 0;
	}
	if (++j->nodes > JS_MAX_NODES || (j->bytes += len + 16) > JS_MAX_BYTES) {
		err_set(j->e, "a single span or object over %u values or %u MiB", JS_MAX_NODES,
			JS_MAX_BYTES >> 20);
		j->rc = -EINVAL;
		return -1;
	}
	v = xcalloc(1, sizeof *v);
	v->type = type;
	v->b = b;
	if (type == JS_STR || type == JS_NUM) {
		v->str = xmalloc(len + 1);
		memcpy(v->str, text, len);
		v->str[len] = '\0';
		v->len = len;
	}
	parent = j->cdepth ? j->stack[j->cdepth - 1] : NULL;
	if (parent == NULL) {
		j->root = v;
	} else {
		if (parent->n == parent->cap) {
			parent->cap = parent->cap ? parent->cap * 2 : 4;
			parent->items = xrealloc(parent->items, parent->cap * sizeof *parent->items);
			if (parent->type == JS_OBJ)
				parent->keys = xrealloc(parent->keys, parent->cap * sizeof *parent->keys);
		}
		if (parent->type == JS_OBJ) {
			parent->keys[parent->n] = j->key ? j->key : xstrdup("");
			j->key = NULL;
		}
		parent->items[parent->n++] = v;
	}
	if (type == JS_ARR || type == JS_OBJ) {
		if (j->cdepth >= JS_MAX_DEPTH) {
			err_set(j->e, "JSON nested deeper than %d levels", JS_MAX_DEPTH);
			j->rc = -EINVAL;
			return -1;
		}
		j->stack[j->cdepth++] = v;
	}
	return 1;
}

static int scalar(struct js *j, enum js_type type, const void *text, size_t len, bool b)
{
	bool top = j->cdepth == 0;
	int r = add(j, type, text, len, b);

	if (r < 0)
		return 0;
	if (r == 0) {
		advance(j);
		return 1;
	}
	return top ? deliver(j) : 1;
}

static int cb_null(void *ctx)
{
	return scalar(ctx, JS_NULL, NULL, 0, false);
}

static int cb_bool(void *ctx, int b)
{
	return scalar(ctx, JS_BOOL, NULL, 0, b != 0);
}

static int cb_number(void *ctx, const char *s, size_t len)
{
	return scalar(ctx, JS_NUM, s, len, false);
}

static int cb_string(void *ctx, const unsigned char *s, size_t len)
{
	return scalar(ctx, JS_STR, s, len, false);
}

static int start(struct js *j, bool obj)
{
	int r = add(j, obj ? JS_OBJ : JS_ARR, NULL, 0, false);

	if (r < 0)
		return 0;
	if (r > 0)
		return 1;
	if (j->path.depth >= JS_MAX_DEPTH) {
		err_set(j->e, "JSON nested deeper than %d levels", JS_MAX_DEPTH);
		return fail(j, -EINVAL);
	}
	struct js_frame *f = &j->path.f[j->path.depth++];
	f->obj = obj;
	f->key[0] = '\0';
	f->index = 0;
	return 1;
}

static int end(struct js *j)
{
	if (j->cdepth > 0) {
		j->cdepth--;
		return j->cdepth == 0 ? deliver(j) : 1;
	}
	int rc = j->ops->end ? j->ops->end(j->arg, &j->path, pos_now(j), j->e) : 0;
	j->path.depth--;
	advance(j);
	return rc < 0 ? fail(j, rc) : 1;
}

static int cb_start_map(void *ctx)
{
	return start(ctx, true);
}

static int cb_start_array(void *ctx)
{
	return start(ctx, false);
}

static int cb_end(void *ctx)
{
	return end(ctx);
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t len)
{
	struct js *j = ctx;

	if (j->cdepth > 0) {
		if ((j->bytes += len + 16) > JS_MAX_BYTES) {
			err_set(j->e, "a single span or object over %u MiB", JS_MAX_BYTES >> 20);
			return fail(j, -EINVAL);
		}
		free(j->key);
		j->key = xmalloc(len + 1);
		memcpy(j->key, s, len);
		j->key[len] = '\0';
		return 1;
	}
	struct js_frame *f = &j->path.f[j->path.depth - 1];
	if (len > JS_KEY_MAX) { /* never matches a key a reader looks for */
		memcpy(f->key, "\x01", 2);
		return 1;
	}
	memcpy(f->key, s, len);
	f->key[len] = '\0';
	return 1;
}

static const yajl_callbacks callbacks = {
	.yajl_null = cb_null,
	.yajl_boolean = cb_bool,
	.yajl_number = cb_number,
	.yajl_string = cb_string,
	.yajl_start_map = cb_start_map,
	.yajl_map_key = cb_map_key,
	.yajl_end_map = cb_end,
	.yajl_start_array = cb_start_array,
	.yajl_end_array = cb_end,
};

static int report(struct js *j, struct src *s, yajl_status st, const unsigned char *buf, size_t len)
{
	struct js_pos p = pos_now(j);
	char msg[ERR_MSG_LEN];

	if (st == yajl_status_client_canceled && j->rc < 0) {
		snprintf(msg, sizeof msg, "%s", j->e->msg);
		if (j->e->line > 0) { /* the callback's own line: a span's start */
			err_set(j->e, "%s:%d: %s", s->path, j->e->line, msg);
			return -EINVAL;
		}
	} else {
		unsigned char *yerr = yajl_get_error(j->h, 0, buf, len);
		const char *m = (const char *)yerr;

		if (m && strncmp(m, "parse error: ", 13) == 0)
			m += 13;
		snprintf(msg, sizeof msg, "malformed JSON: %s", m ? m : "?");
		msg[strcspn(msg, "\n")] = '\0';
		if (yerr)
			yajl_free_error(j->h, yerr);
	}
	err_set(j->e, "%s:%llu:%llu: %s", s->path, (unsigned long long)p.line,
		(unsigned long long)p.col, msg);
	j->e->line = p.line > INT32_MAX ? INT32_MAX : (int)p.line;
	j->e->col = p.col > INT32_MAX ? INT32_MAX : (int)p.col;
	return -EINVAL;
}

int js_run(struct src *s, const struct js_ops *ops, void *arg, struct err *e)
{
	struct js j = { .ops = ops, .arg = arg, .e = e, .line = 1, .col = 1 };
	unsigned char *buf = xmalloc(CHUNK);
	yajl_status st = yajl_status_ok;
	ssize_t r;
	int rc = 0;

	err_clear(e);
	j.h = yajl_alloc(&callbacks, NULL, &j);
	yajl_config(j.h, yajl_allow_multiple_values, 1);
	while ((r = src_read(s, buf, CHUNK, e)) > 0) {
		j.chunk = buf;
		j.chunk_len = (size_t)r;
		j.scan_off = 0;
		st = yajl_parse(j.h, buf, (size_t)r);
		if (st != yajl_status_ok) {
			rc = report(&j, s, st, buf, (size_t)r);
			break;
		}
		for (; j.scan_off < (size_t)r; j.scan_off++) { /* the rest of the chunk's lines */
			if (buf[j.scan_off] == '\n') {
				j.line++;
				j.col = 1;
			} else {
				j.col++;
			}
		}
		j.chunk_len = 0;
	}
	if (r < 0)
		rc = (int)r;
	if (rc == 0) {
		j.chunk_len = 0;
		st = yajl_complete_parse(j.h);
		if (st != yajl_status_ok)
			rc = report(&j, s, st, NULL, 0);
	}
	if (j.root)
		js_free(j.root);
	free(j.key);
	yajl_free(j.h);
	free(buf);
	return rc;
}
