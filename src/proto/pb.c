/* pb.c -- see pb.h. */
#include "proto/pb.h"

#include <errno.h>
#include <string.h>

static int get_varint(struct pb_reader *r, uint64_t *v)
{
	uint64_t x = 0;

	for (int i = 0; i < 10; i++) {
		if (r->p == r->end)
			return -EINVAL;
		uint8_t b = *r->p++;

		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if ((b & 0x80) == 0) {
			*v = x;
			return 0;
		}
	}
	return -EINVAL;
}

int pb_next(struct pb_reader *r, struct pb_field *f)
{
	uint64_t key;

	if (r->p == r->end)
		return 0;
	if (get_varint(r, &key) < 0 || (key >> 3) == 0 || (key >> 3) > 0x1fffffff)
		return -EINVAL;
	f->num = (uint32_t)(key >> 3);
	f->type = (enum pb_wire)(key & 7);
	f->data = NULL;
	f->len = 0;
	f->v = 0;
	switch (f->type) {
	case PB_VARINT:
		return get_varint(r, &f->v) < 0 ? -EINVAL : 1;
	case PB_I64:
	case PB_I32: {
		size_t n = f->type == PB_I64 ? 8 : 4;

		if ((size_t)(r->end - r->p) < n)
			return -EINVAL;
		for (size_t i = 0; i < n; i++)
			f->v |= (uint64_t)r->p[i] << (8 * i);
		r->p += n;
		return 1;
	}
	case PB_LEN:
		if (get_varint(r, &f->v) < 0 || f->v > (uint64_t)(r->end - r->p))
			return -EINVAL;
		f->data = r->p;
		f->len = (size_t)f->v;
		r->p += f->len;
		return 1;
	default:
		return -EINVAL; /* groups and wire types 6, 7 */
	}
}

size_t pb_varint_len(uint64_t v)
{
	size_t n = 1;

	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static void put(struct pb_writer *w, const void *data, size_t len)
{
	if (w->overflow || w->cap - w->len < len) {
		w->overflow = true;
		return;
	}
	memcpy(w->p + w->len, data, len);
	w->len += len;
}

void pb_put_varint(struct pb_writer *w, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	while (v >= 0x80) {
		b[n++] = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	b[n++] = (uint8_t)v;
	put(w, b, n);
}

void pb_put_uint(struct pb_writer *w, uint32_t num, uint64_t v)
{
	if (v == 0)
		return;
	pb_put_varint(w, (uint64_t)num << 3 | PB_VARINT);
	pb_put_varint(w, v);
}

void pb_put_len_head(struct pb_writer *w, uint32_t num, uint64_t len)
{
	pb_put_varint(w, (uint64_t)num << 3 | PB_LEN);
	pb_put_varint(w, len);
}

void pb_put_bytes(struct pb_writer *w, uint32_t num, const void *data, size_t len)
{
	if (len == 0)
		return;
	pb_put_len_head(w, num, len);
	put(w, data, len);
}
