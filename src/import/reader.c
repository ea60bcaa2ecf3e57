/* reader.c -- see reader.h: the table, sniffing, and the shared helpers. */
#include "import/reader.h"

#include <errno.h>
#include <stdio.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct import_reader *const readers[] = {
	&reader_jaeger, &reader_zipkin, &reader_otlp, &reader_alibaba, NULL,
};

const struct import_reader *const *import_readers(void)
{
	return readers;
}

const struct import_reader *import_reader_find(const char *name)
{
	for (size_t i = 0; readers[i]; i++)
		if (strcmp(readers[i]->name, name) == 0)
			return readers[i];
	return NULL;
}

const struct import_reader *import_sniff(const unsigned char *head, size_t len)
{
	const struct import_reader *best = NULL;
	int score = 0;

	for (size_t i = 0; readers[i]; i++) {
		int sc = readers[i]->sniff(head, len);

		if (sc > score) {
			score = sc;
			best = readers[i];
		}
	}
	return best;
}

int import_file(struct import *im, const char *path, const char *format, const char **used,
		struct err *e)
{
	const struct import_reader *r = NULL;
	struct src s;
	int rc;

	if (format && strcmp(format, "auto") != 0) {
		r = import_reader_find(format);
		if (r == NULL)
			return err_set(e, "unknown format '%s' (auto, jaeger, zipkin, otlp, alibaba)",
				       format);
	}
	rc = src_open(&s, path, e);
	if (rc < 0)
		return rc;
	if (r == NULL) {
		size_t len;
		const unsigned char *head = src_head(&s, &len);

		r = import_sniff(head, len);
		if (r == NULL) {
			src_close(&s);
			return err_set(e, "%s: not a trace file meshwalk knows (%s); name the format "
					  "with --format",
				       path, len ? "no Jaeger, Zipkin, OTLP or Alibaba marks" : "empty");
		}
	}
	if (used)
		*used = r->name;
	im->st.files++;
	rc = r->read(im, &s, e);
	src_close(&s);
	im->file++;
	return rc;
}

/* --- helpers ---------------------------------------------------------------- */

bool head_starts(const unsigned char *head, size_t len, char c)
{
	size_t i = 0;

	if (len >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf)
		i = 3; /* a UTF-8 byte order mark */
	while (i < len && isspace(head[i]))
		i++;
	return i < len && head[i] == (unsigned char)c;
}

bool head_has(const unsigned char *head, size_t len, const char *s)
{
	return memmem(head, len, s, strlen(s)) != NULL;
}

int parse_u64(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	if (*p) { /* "1.5e3", "12.0": whole values written as floating point */
		char *end;
		double d = strtod(s, &end);

		if (*end || !isfinite(d) || d < 0 || d >= 1.8e19 || d != floor(d))
			return -EINVAL;
		v = (uint64_t)d;
	}
	*out = v;
	return 0;
}

int scale_ns(uint64_t v, uint64_t mul, int64_t *out)
{
	if (v > (uint64_t)INT64_MAX / mul)
		return -ERANGE;
	*out = (int64_t)(v * mul);
	return 0;
}

int norm_id(const char *s, char *buf, size_t cap)
{
	size_t n = strlen(s);
	bool hex = n > 0, zero = true;

	if (n + 1 > cap)
		return -ERANGE;
	for (size_t i = 0; i < n; i++) {
		if (!isxdigit((unsigned char)s[i]))
			hex = false;
		if (s[i] != '0')
			zero = false;
	}
	if (hex && zero) {
		buf[0] = '\0';
		return 0;
	}
	for (size_t i = 0; i < n; i++)
		buf[i] = hex ? (char)tolower((unsigned char)s[i]) : s[i];
	buf[n] = '\0';
	return 0;
}

int size_attr(const char *key)
{
	static const char *const req[] = {
		"http.request_content_length", "http.request.body.size", "http.request.size",
		"http.request.header.content-length", "rpc.request.size", "request_size",
		"messaging.message.body.size", "messaging.message_payload_size_bytes", NULL,
	};
	static const char *const resp[] = {
		"http.response_content_length", "http.response.body.size", "http.response.size",
		"http.response.header.content-length", "rpc.response.size", "response_size", NULL,
	};

	for (size_t i = 0; req[i]; i++)
		if (strcasecmp(key, req[i]) == 0)
			return 1;
	for (size_t i = 0; resp[i]; i++)
		if (strcasecmp(key, resp[i]) == 0)
			return 2;
	return 0;
}

bool truthy(const char *s)
{
	return s && (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0);
}

void span_tag(struct span_in *in, const char *key, const char *val)
{
	uint64_t n;
	int which;

	if (val == NULL)
		return;
	if (strcmp(key, "span.kind") == 0) {
		if (in->kind == SPAN_KIND_UNSET)
			in->kind = span_kind_parse(val);
	} else if (strcmp(key, "error") == 0) {
		if (truthy(val))
			in->status = SPAN_STATUS_ERROR;
	} else if (strcmp(key, "otel.status_code") == 0) {
		if (strcasecmp(val, "ERROR") == 0)
			in->status = SPAN_STATUS_ERROR;
		else if (strcasecmp(val, "OK") == 0 && in->status == SPAN_STATUS_UNSET)
			in->status = SPAN_STATUS_OK;
	} else if (strcmp(key, "peer.service") == 0) {
		in->peer_service = val;
	} else if (strcmp(key, SPAN_REQUEST_ID_ATTR) == 0) {
		if (parse_u64(val, &n) == 0 && n <= INT64_MAX)
			in->request_id = (int64_t)n;
	} else if (strcmp(key, SPAN_ASKED_ATTR) == 0) {
		if (parse_u64(val, &n) == 0 && n <= INT64_MAX)
			in->asked_ns = (int64_t)n;
	} else if (strcmp(key, SPAN_WSET_ATTR) == 0) {
		/* a node's limit is 1 GiB: a larger value is not meshwalk's */
		if (parse_u64(val, &n) == 0 && n <= (1u << 30))
			in->wset = (uint32_t)n;
	} else if (strcmp(key, SPAN_OFFSET_ATTR) == 0) {
		if (strcmp(val, "-1") == 0)
			in->op_offset = -1;
		else if (parse_u64(val, &n) == 0 && n <= INT64_MAX)
			in->op_offset = (int64_t)n;
	} else if (strcmp(key, SPAN_SIZE_ATTR) == 0) {
		if (parse_u64(val, &n) == 0 && n <= INT64_MAX)
			in->op_size = (int64_t)n;
	} else if (strcmp(key, SPAN_SYNC_ATTR) == 0) {
		if (parse_u64(val, &n) == 0 && n <= 2)
			in->op_sync = (int8_t)n;
	} else if ((which = size_attr(key)) != 0 && parse_u64(val, &n) == 0 && n <= INT64_MAX) {
		if (which == 1)
			in->req_bytes = (int64_t)n;
		else
			in->resp_bytes = (int64_t)n;
	}
}

const char *js_scalar(const struct js_val *v)
{
	if (v == NULL)
		return NULL;
	if (v->type == JS_BOOL)
		return v->b ? "true" : "false";
	return js_text(v);
}

int span_fail(struct err *e, uint64_t line, const char *id, const char *msg)
{
	char m[ERR_MSG_LEN];

	snprintf(m, sizeof m, "%s", msg); /* msg may be e->msg */
	err_set(e, "span %s: %s", id ? id : "?", m);
	e->line = line > INT32_MAX ? INT32_MAX : (int)line;
	return -EINVAL;
}
