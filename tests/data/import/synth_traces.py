#!/usr/bin/env python3
# synth_traces.py -- a synthetic traced application, as Jaeger JSON on stdout,
# whose structure the import tests know exactly:
#   frontend "GET /home" (80% of roots): ~400 us of work, then cart.getCart
#     and catalog.list concurrently, 100 us, then recommend.suggest with
#     probability 0.3, 50 us;
#   frontend "POST /checkout" (20%): ~250 us, then exactly one of
#     payment.card (60%) or payment.paypal (40%), 100 us, cart.clear, 30 us;
#   cart.getCart: ~200 us, two sequential redis GETs (client spans only: an
#     uninstrumented leaf, peer.service redis), 50 us; cart.clear: 50 us, one
#     redis DEL, 20 us; catalog, recommend, payment: work only.
# Every call from frontend spends 100 us on the network (client span - server
# span), or, given NET_US, a skewed time of that mean (half of it, plus an
# exponential time of the other half's mean). Roots arrive as a Poisson
# process of 50 req/s.
# Usage: synth_traces.py [TRACES [SEED [NET_US]]]
import json, random, sys
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
N = int(sys.argv[1]) if len(sys.argv) > 1 else 300
traces = []
procs = {"p1": {"serviceName": "frontend", "tags": []}, "p2": {"serviceName": "cart", "tags": []},
         "p3": {"serviceName": "catalog", "tags": []}, "p4": {"serviceName": "recommend", "tags": []},
         "p5": {"serviceName": "payment", "tags": []}}
ids = [0]
def nid():
    ids[0] += 1
    return "%016x" % ids[0]
def span(tid, proc, op, start, dur, parent=None, kind="server", tags=()):
    s = {"traceID": tid, "spanID": nid(), "operationName": op, "startTime": int(start),
         "duration": max(1, int(dur)), "processID": proc,
         "tags": [{"key": "span.kind", "type": "string", "value": kind}] + list(tags),
         "references": [] if parent is None else [{"refType": "CHILD_OF", "traceID": tid, "spanID": parent["spanID"]}]}
    return s
NET = 100  # us, round trip added by the network
NET_US = float(sys.argv[3]) if len(sys.argv) > 3 else None
def call(tid, spans, parent, proc, op, start, body):
    """client span of parent's service, server span of proc running body(start) -> end"""
    net = NET if NET_US is None else NET_US / 2 + random.expovariate(2.0 / NET_US)
    c = span(tid, parent["processID"], op, start, 0, parent, "client")
    spans.append(c)
    s = span(tid, proc, op, start + net / 2, 0, c, "server")
    spans.append(s)
    end = body(s, start + net / 2)
    s["duration"] = int(end - s["startTime"])
    c["duration"] = int(end + net / 2 - start)
    return start + c["duration"]
def leaf(tid, spans, parent, op, start, dur):
    spans.append(span(tid, parent["processID"], op, start, dur, parent, "client",
                      [{"key": "peer.service", "type": "string", "value": "redis"}]))
    return start + dur
def work(mean):
    return random.expovariate(1.0 / mean)
def cart_get(tid, spans):
    def body(s, t):
        t += 150 + work(50)
        t = leaf(tid, spans, s, "GET", t, 80 + work(20))
        t = leaf(tid, spans, s, "GET", t + 5, 80 + work(20))
        return t + 50
    return body
def simple(selfmean, base=0):
    def body(s, t):
        return t + base + work(selfmean)
    return body
t0 = 1700000000000000
now = t0
for i in range(N):
    now += random.expovariate(50) * 1e6
    tid = "%032x" % (i + 1)
    spans = []
    if random.random() < 0.8:
        root = span(tid, "p1", "GET /home", now, 0)
        spans.append(root)
        t = now + 300 + work(100)
        e1 = call(tid, spans, root, "p2", "getCart", t, cart_get(tid, spans))
        e2 = call(tid, spans, root, "p3", "list", t + 10, simple(300, 200))
        t = max(e1, e2) + 100
        if random.random() < 0.3:
            t = call(tid, spans, root, "p4", "suggest", t, simple(200, 800))
        t += 50
        root["duration"] = int(t - now)
    else:
        root = span(tid, "p1", "POST /checkout", now, 0)
        spans.append(root)
        t = now + 200 + work(50)
        if random.random() < 0.6:
            t = call(tid, spans, root, "p5", "card", t, simple(100, 300))
        else:
            t = call(tid, spans, root, "p5", "paypal", t, simple(200, 700))
        t += 100
        def clear(s, tt):
            tt += 50
            tt = leaf(tid, spans, s, "DEL", tt, 60)
            return tt + 20
        t = call(tid, spans, root, "p2", "clear", t, clear)
        root["duration"] = int(t + 30 - now)
    traces.append({"traceID": tid, "spans": spans, "processes": procs})
json.dump({"data": traces}, sys.stdout)
