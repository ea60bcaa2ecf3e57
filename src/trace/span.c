/* span.c -- see span.h. */
#include "trace/span.h"

#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "util/xalloc.h"

void trace_ring_init(struct trace_ring *r, uint32_t slots_pow2, uint64_t stream)
{
	uint64_t seed = 0;

	memset(r, 0, sizeof *r);
	r->slots = xcalloc(slots_pow2, sizeof *r->slots);
	r->mask = slots_pow2 - 1;
	/* Ids must differ between processes and runs: a fixed seed would give
	 * two clients of one run the same trace ids. */
	if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^ (uint64_t)getpid();
	}
	rng_seed(&r->ids, seed, stream);
}

void trace_ring_free(struct trace_ring *r)
{
	free(r->slots);
	free(r->states);
	r->slots = NULL;
	r->states = NULL;
}

void trace_span_state(struct trace_ring *r, struct trace_span *s, const uint8_t *st, size_t len)
{
	size_t slot = (size_t)(s - r->slots);

	if (len == 0 || len > TRACE_STATE_MAX)
		return;
	/* The consumer reads states[] only for spans committed after this
	 * (the commit's release store orders it). */
	if (r->states == NULL)
		r->states = xcalloc((size_t)r->mask + 1, sizeof *r->states);
	memcpy(r->states[slot], st, len);
	s->state = r->states[slot];
	s->state_len = (uint16_t)len;
}

struct trace_span *trace_ring_peek(struct trace_ring *r)
{
	uint64_t t = atomic_load_explicit(&r->tail, memory_order_relaxed);

	if (t == atomic_load_explicit(&r->head, memory_order_acquire))
		return NULL;
	return &r->slots[t & r->mask];
}

void trace_ring_done(struct trace_ring *r)
{
	atomic_store_explicit(&r->tail, atomic_load_explicit(&r->tail, memory_order_relaxed) + 1,
			      memory_order_release);
}

void trace_new_id(struct trace_ring *r, uint8_t *out, unsigned n)
{
	for (unsigned i = 0; i < n; i += 8) {
		uint64_t v;

		do
			v = rng_next(&r->ids);
		while (v == 0);
		memcpy(out + i, &v, 8);
	}
}

bool trace_sample(struct trace_ring *r, double p)
{
	return p >= 1.0 || (p > 0 && rng_uniform(&r->ids) < p);
}

static void copy_str(char *dst, size_t cap, const char *v, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, v, len);
	dst[len] = '\0';
}

void trace_str(struct trace_span *s, enum trace_str_key k, const char *v, size_t len)
{
	s->str_key = (uint8_t)k;
	copy_str(s->str, sizeof s->str, v, len);
}

void trace_name(struct trace_span *s, const char *name, size_t len)
{
	copy_str(s->name, sizeof s->name, name, len);
}

void trace_error(struct trace_span *s, const char *msg, size_t len)
{
	s->status = TRACE_ERROR;
	copy_str(s->msg, sizeof s->msg, msg, len);
}

const char *trace_attr_name(unsigned key)
{
	static const char *const names[TA_KEY_MAX_] = {
		[TA_REQ_SIZE] = "rpc.request.size",
		[TA_RESP_SIZE] = "rpc.response.size",
		[TA_WIRE_STATUS] = "meshwalk.status",
		[TA_NS] = "meshwalk.duration_ns",
		[TA_OFFSET] = "meshwalk.offset",
		[TA_SIZE] = "meshwalk.size",
		[TA_SYNC] = "meshwalk.sync",
		[TA_TARGETS] = "meshwalk.forward.targets",
		[TA_NACK] = "meshwalk.forward.acks_needed",
		[TA_ACKED] = "meshwalk.forward.acks_got",
		[TA_ATTEMPT] = "meshwalk.forward.attempt",
		[TA_REQ_ID] = "meshwalk.request_id",
		[TA_PEER_PORT] = "server.port",
		[TA_WSET] = "meshwalk.working_set",
	};
	return key < TA_KEY_MAX_ && names[key] ? names[key] : "meshwalk.unknown";
}

const char *trace_str_name(unsigned key)
{
	switch (key) {
	case TS_ROUTE:
		return "meshwalk.route";
	case TS_PEER:
		return "server.address";
	case TS_PROGRAM:
		return "meshwalk.program";
	default:
		return NULL;
	}
}

void trace_hex(const uint8_t *id, unsigned n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = digits[id[i] >> 4];
		out[2 * i + 1] = digits[id[i] & 15];
	}
	out[2 * n] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool trace_unhex(const char *s, size_t len, uint8_t *out, unsigned n)
{
	uint8_t any = 0;

	if (len != 2 * (size_t)n)
		return false;
	for (unsigned i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
		any |= out[i];
	}
	return any != 0;
}
