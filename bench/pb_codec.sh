#!/usr/bin/env bash
# bench/pb_codec.sh -- protobuf-c against meshwalk's hand codec (proto/pb,
# proto/grpc) for seed 003's messages: decode a MyRequest and encode a
# MyResponse, N times each (BENCH_PB_N, default 2000000), ns per message.
# Needs protobuf-c-compiler and libprotobuf-c-dev (not in scripts/deps.sh:
# only this measurement uses them); builds in a temporary directory.
# Usage: make (first), then bench/pb_codec.sh. docs/grpc.md has the result.
set -eu
cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build/default}
N=${BENCH_PB_N:-2000000}
command -v protoc-c >/dev/null && [ -f /usr/include/protobuf-c/protobuf-c.h ] || {
	echo "bench/pb_codec.sh: needs protobuf-c-compiler and libprotobuf-c-dev" >&2; exit 77; }
[ -f "$BUILD/libmeshwalk.a" ] || { echo "bench/pb_codec.sh: run make first" >&2; exit 1; }
T=$(mktemp -d /tmp/meshwalk-pb.XXXXXX)
trap 'rm -rf "$T"' EXIT
protoc-c -I"$ROOT/docs" --c_out="$T" seed003.proto
cat >"$T/main.c" <<'C'
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto/grpc.h"
#include "seed003.pb-c.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long n = atol(argv[1]);
	uint8_t req[64], out[128];
	volatile size_t sink = 0;
	Myproject__MyRequest r = MYPROJECT__MY_REQUEST__INIT;

	r.name = "LoadTest";
	r.duration_seconds = 5;
	size_t rlen = myproject__my_request__pack(&r, req);
	double t0 = now();
	for (long i = 0; i < n; i++) {
		Myproject__MyRequest *d = myproject__my_request__unpack(NULL, rlen, req);
		Myproject__MyResponse m = MYPROJECT__MY_RESPONSE__INIT;
		char msg[64];

		snprintf(msg, sizeof msg, "Processed %s", d->name);
		m.message = msg;
		m.end_to_end_latency_ms = 5000 + (i & 7);
		m.worker_id = "127.0.0.1:50052";
		sink += myproject__my_response__pack(&m, out) + (size_t)d->duration_seconds;
		myproject__my_request__free_unpacked(d, NULL);
	}
	double t1 = now();
	for (long i = 0; i < n; i++) {
		struct grpc_seed_req d;
		char msg[64];

		grpc_seed_req_decode(req, rlen, &d);
		int k = snprintf(msg, sizeof msg, "Processed %.*s", (int)d.name.len, d.name.p);
		sink += grpc_seed_resp_encode(out, sizeof out, (struct http1_span){ msg, (size_t)k },
					      5000 + (i & 7), "127.0.0.1:50052") + (size_t)d.duration_seconds;
	}
	double t2 = now();
	printf("decode MyRequest + encode MyResponse, %ld times (ns per pair):\n", n);
	printf("  protobuf-c %8.1f ns (allocates the decoded message)\n", (t1 - t0) / n);
	printf("  hand codec %8.1f ns (no allocation)\n", (t2 - t1) / n);
	printf("  ratio      %8.2fx\n", (t1 - t0) / (t2 - t1));
	return sink == 0;
}
C
cc -O2 -std=gnu11 -I"$ROOT/src" -I"$T" -D_GNU_SOURCE -o "$T/pb" "$T/main.c" "$T/seed003.pb-c.c" \
	"$BUILD/libmeshwalk.a" -lprotobuf-c
taskset -c 0 "$T/pb" "$N" 2>/dev/null || "$T/pb" "$N"
