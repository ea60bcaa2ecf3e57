/* hist.c -- see hist.h.
 *
 * DESIGN
 *
 * Bucket layout. A value v is mapped to a bucket index with one clz and two
 * shifts, and no branch other than the range check:
 *
 *	shift = msb(v | 255) - 7           (0 for v < 256, else msb(v) - 7)
 *	index = shift * 128 + (v >> shift)
 *
 * For v < 256, shift is 0 and the index is v itself: one bucket per value.
 * For v in [2^e, 2^(e+1)) with e >= 8, shift is e - 7 and v >> shift lies in
 * [128, 256), so that power-of-two range gets indexes
 * [(e - 6) * 128, (e - 5) * 128): 128 buckets of width 2^(e-7) = 2^e / 128.
 * The ranges tile without gaps: [0, 256) for the linear part, then 128 more
 * indexes per power of two. A bucket's width is at most lo / 128, which is
 * where the 1/128 relative error bound comes from.
 *
 * Representative value. Percentiles report the bucket's highest value, hi - 1,
 * like HdrHistogram's "highest equivalent value": the exact nearest-rank
 * value x lies in [lo, hi - 1], so the result is >= x and exceeds it by at
 * most width - 1 < lo / 128 <= x / 128. Reporting the midpoint would halve
 * the error but could report a tail percentile below the real one, and a
 * latency tool should err on the pessimistic side.
 *
 * Exact moments. Beside the buckets we keep the exact sum (128 bits, all
 * samples) and the exact sum of squares of the binned samples (v < 2^43, so
 * v^2 < 2^86 and 2^42 samples of the largest value are needed to wrap).
 * Overflow samples can be up to 2^64 - 1, whose square alone fills 128 bits,
 * so they go into the sum but not the sum of squares; their own sum is kept
 * on the side (off the hot path) so the binned mean can be recovered for the
 * standard deviation. See hist_stddev() for how the variance is extracted
 * without cancellation. */
#include "stats/hist.h"

#include <inttypes.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/xalloc.h"

#define HIST_SUB_BITS 7                        /* log2 of the sub-buckets per power of two */
#define HIST_SUB (1u << HIST_SUB_BITS)         /* 128 */
#define HIST_VALUE_BITS 43                     /* binned values are < 2^43 */
/* Largest shift is HIST_VALUE_BITS - 1 - HIST_SUB_BITS; its top index is
 * shift * 128 + 255, so the table holds (shift + 2) * 128 buckets. */
#define HIST_NBUCKETS ((HIST_VALUE_BITS - HIST_SUB_BITS + 1) * HIST_SUB)

_Static_assert(HIST_MAX_VALUE == (UINT64_C(1) << HIST_VALUE_BITS) - 1,
	       "HIST_MAX_VALUE in hist.h must match HIST_VALUE_BITS");

struct hist {
	uint64_t count;                   /* samples recorded, overflow included */
	uint64_t overflow;                /* samples above HIST_MAX_VALUE */
	uint64_t min;                     /* smallest sample; UINT64_MAX while empty */
	uint64_t max;                     /* largest sample; 0 while empty */
	unsigned __int128 sum;            /* sum of all samples */
	unsigned __int128 sum_overflow;   /* sum of the overflow samples only */
	unsigned __int128 sumsq;          /* sum of squares of the binned samples */
	uint64_t counts[HIST_NBUCKETS];   /* samples per bucket, indexed by hist_index() */
};

/* Bucket index of v; v must be <= HIST_MAX_VALUE. v | 255 keeps the clz
 * argument non-zero and makes every v < 256 share shift 0. */
static inline unsigned hist_index(uint64_t v)
{
	unsigned shift = 63 - HIST_SUB_BITS - (unsigned)__builtin_clzll(v | (2 * HIST_SUB - 1));

	return (shift << HIST_SUB_BITS) + (unsigned)(v >> shift);
}

/* Bounds [*lo, *hi) of bucket i; the inverse of hist_index(). */
static void hist_bounds(unsigned i, uint64_t *lo, uint64_t *hi)
{
	unsigned shift;
	uint64_t q;

	if (i < 2 * HIST_SUB) {
		*lo = i;
		*hi = (uint64_t)i + 1;
		return;
	}
	shift = (i >> HIST_SUB_BITS) - 1;
	q = (i & (HIST_SUB - 1)) + HIST_SUB;
	*lo = q << shift;
	*hi = (q + 1) << shift;
}

int hist_create(struct hist **out)
{
	struct hist *h = xmalloc(sizeof(*h));

	hist_reset(h);
	*out = h;
	return 0;
}

void hist_destroy(struct hist *h)
{
	free(h);
}

void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

/* Kept out of line so the hot path stays small; overflow should be rare
 * (a sample above two hours, or a clock gone wrong). */
static __attribute__((noinline, cold)) bool hist_record_overflow(struct hist *h, uint64_t v, uint64_t n)
{
	h->count += n;
	h->overflow += n;
	h->sum += (unsigned __int128)v * n;
	h->sum_overflow += (unsigned __int128)v * n;
	h->min = v < h->min ? v : h->min;
	h->max = v > h->max ? v : h->max;
	return false;
}

/* The common body of hist_record() and hist_record_n(); n must be > 0,
 * otherwise min and max would move without a sample. */
static inline bool hist_record_core(struct hist *h, uint64_t v, uint64_t n)
{
	if (__builtin_expect(v > HIST_MAX_VALUE, 0))
		return hist_record_overflow(h, v, n);
	h->counts[hist_index(v)] += n;
	h->count += n;
	h->sum += (unsigned __int128)v * n;
	h->sumsq += (unsigned __int128)v * v * n;
	/* Conditional moves, not branches: latencies arrive in random order. */
	h->min = v < h->min ? v : h->min;
	h->max = v > h->max ? v : h->max;
	return true;
}

bool hist_record(struct hist *h, uint64_t v)
{
	return hist_record_core(h, v, 1);
}

bool hist_record_n(struct hist *h, uint64_t v, uint64_t n)
{
	if (n == 0)
		return v <= HIST_MAX_VALUE;
	return hist_record_core(h, v, n);
}

void hist_add(struct hist *dst, const struct hist *src)
{
	for (unsigned i = 0; i < HIST_NBUCKETS; i++)
		dst->counts[i] += src->counts[i];
	dst->count += src->count;
	dst->overflow += src->overflow;
	dst->sum += src->sum;
	dst->sum_overflow += src->sum_overflow;
	dst->sumsq += src->sumsq;
	/* An empty src has min UINT64_MAX and max 0, which leave dst alone. */
	dst->min = src->min < dst->min ? src->min : dst->min;
	dst->max = src->max > dst->max ? src->max : dst->max;
}

uint64_t hist_count(const struct hist *h)
{
	return h->count;
}

uint64_t hist_overflow(const struct hist *h)
{
	return h->overflow;
}

uint64_t hist_min(const struct hist *h)
{
	return h->count ? h->min : 0;
}

uint64_t hist_max(const struct hist *h)
{
	return h->max;
}

double hist_mean(const struct hist *h)
{
	if (h->count == 0)
		return 0;
	return (double)((long double)h->sum / h->count);
}

/* The textbook sumsq / N - mean^2 loses everything to cancellation when the
 * spread is small next to the mean (identical samples of 1 ms would show a
 * spread of nanoseconds). Instead, with m = floor(mean) and r = S1 mod N:
 *
 *	sum (v - m)^2    = S2 - 2 m S1 + N m^2          (exact in 128 bits)
 *	sum (v - mean)^2 = sum (v - m)^2 - r^2 / N       (since mean - m = r / N)
 *
 * Every term of the first line is <= S2 (Cauchy-Schwarz), and the result is
 * too, so unsigned 128-bit arithmetic gives it exactly even though it wraps
 * in between. Only the last subtraction and the division are rounded. */
double hist_stddev(const struct hist *h)
{
	uint64_t n = h->count - h->overflow;
	unsigned __int128 s1 = h->sum - h->sum_overflow;
	unsigned __int128 m, r, dev;
	long double var;

	if (n == 0)
		return 0;
	m = s1 / n;
	r = s1 % n;
	dev = h->sumsq - 2 * m * s1 + (unsigned __int128)n * m * m;
	var = ((long double)dev - (long double)r * (long double)r / n) / n;
	return var > 0 ? (double)sqrtl(var) : 0;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	long double x;
	uint64_t rank, seen = 0;

	if (h->count == 0)
		return 0;
	if (!(p > 0)) /* also catches NaN */
		return h->min;
	if (p >= 100)
		return h->max;

	/* rank = ceil(p / 100 * N). A p such as 99.9 is not exact in binary and
	 * lands a hair above the integer it means (99.9% of 200000 is
	 * 199800.00000000001), so forgive a relative 1e-14 before rounding up;
	 * that is 100 times the error of a double and far below one sample for
	 * any realistic N. */
	x = (long double)p / 100 * h->count;
	x -= x * 1e-14L;
	rank = (uint64_t)ceill(x);
	if (rank < 1)
		rank = 1;
	if (rank > h->count)
		rank = h->count;

	for (unsigned i = 0; i < HIST_NBUCKETS; i++) {
		uint64_t lo, hi, v;

		seen += h->counts[i];
		if (seen < rank)
			continue;
		hist_bounds(i, &lo, &hi);
		v = hi - 1;
		if (v > h->max)
			v = h->max;
		if (v < h->min)
			v = h->min;
		return v;
	}
	/* The rank falls among the overflow samples, all above the range. */
	return h->max;
}

void hist_foreach(const struct hist *h, hist_bucket_fn *fn, void *arg)
{
	for (unsigned i = 0; i < HIST_NBUCKETS; i++) {
		uint64_t lo, hi;

		if (h->counts[i] == 0)
			continue;
		hist_bounds(i, &lo, &hi);
		fn(lo, hi, h->counts[i], arg);
	}
}

void hist_write_json(const struct hist *h, FILE *f, double scale)
{
	fprintf(f,
		"{\"count\": %" PRIu64 ", \"min\": %.3f, \"mean\": %.3f, \"stddev\": %.3f, "
		"\"p50\": %.3f, \"p90\": %.3f, \"p99\": %.3f, \"p99_9\": %.3f, \"max\": %.3f}",
		hist_count(h), hist_min(h) / scale, hist_mean(h) / scale, hist_stddev(h) / scale,
		hist_percentile(h, 50) / scale, hist_percentile(h, 90) / scale,
		hist_percentile(h, 99) / scale, hist_percentile(h, 99.9) / scale, hist_max(h) / scale);
}

size_t hist_memory(void)
{
	return sizeof(struct hist);
}
