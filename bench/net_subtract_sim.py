#!/usr/bin/env python3
"""bench/net_subtract_sim.py TRACES.jsonl BASELINE.json -- which way of taking a
clone's own hop off the links fits the data (docs/import.md, "The rule"):
per call edge of the original (client span -
server span, from the OTLP traces), the clone's network time predicted under the
additive model C = link round trip + O, O ~ Normal(mean, var) of the clone's own hop
measured by validate (extra_mean_us, extra_var_us2 of the clone as imported, whose
link was the variance-keeping split of the original's times: import --tune's
DIR/net-baseline.json after one round, or validate --json of that run), for three ways of
taking O off: (a) the rule (mean and variance, shape kept, half each way),
(b) one figure (validate's median extra over edges) off every sample, half of
each sample each way, (c) quantile-wise: X(p) - O(p) each sample, half each way.
Prints each's mean error, sd and KS distance to the original's times. A model,
not a run: the hop as a normal draw, the link as two independent draws each way
(bench/README.md, "Per edge, as a distribution")."""
import json, sys, random, math, bisect
random.seed(7)
def spans(path):
    for line in open(path):
        line = line.strip()
        if not line: continue
        d = json.loads(line)
        for rs in d.get("resourceSpans", []):
            svc = None
            for a in rs.get("resource", {}).get("attributes", []):
                if a["key"] == "service.name": svc = a["value"].get("stringValue")
            for ss in rs.get("scopeSpans", rs.get("instrumentationLibrarySpans", [])):
                for s in ss.get("spans", []):
                    yield svc, s
by = {}
for svc, s in spans(sys.argv[1]):
    by[(s["traceId"], s["spanId"])] = (svc, s)
edges = {}
for (t, i), (svc, s) in by.items():
    p = s.get("parentSpanId")
    if not p or (t, p) not in by: continue
    psvc, ps = by[(t, p)]
    if psvc == svc: continue
    kind = lambda x: x.get("kind")
    if kind(ps) not in (3, "SPAN_KIND_CLIENT"): continue
    dc = int(ps["endTimeUnixNano"]) - int(ps["startTimeUnixNano"])
    dsv = int(s["endTimeUnixNano"]) - int(s["startTimeUnixNano"])
    edges.setdefault((psvc, svc), []).append(max(0, dc - dsv) / 1000.0)
v = json.load(open(sys.argv[2]))["network"]
meas = {(e["from"], e["to"]): e for e in v["edges"] if not e.get("leaf")}
B = v.get("median_extra_us", v.get("extra_mean_us"))
def moments(x):
    x = sorted(x); n = len(x)
    lo, hi = x[max(0, math.ceil(0.01 * n) - 1)], x[max(0, math.ceil(0.99 * n) - 1)]
    c = [min(max(a, lo), hi) for a in x]
    m = sum(c) / n
    return m, sum((a - m) ** 2 for a in c) / n, lo, hi
def rule(x, bm, bv, parts):
    m, var, lo, hi = moments(x)
    tm, tv = (m - max(bm, 0)) / parts, (var - max(bv, 0)) / parts  # applied as at least 0
    if tm <= 0: return [0.0] * len(x)
    s = math.sqrt(tv / var) if var > 0 and tv > 0 else 0
    def cm(a): return sum(max(0, a + s * (min(max(q, lo), hi) - m)) for q in x) / len(x)
    a_hi, a_lo = tm, tm - s * (hi - m)
    for _ in range(60):
        mid = (a_lo + a_hi) / 2
        if cm(mid) < tm: a_lo = mid
        else: a_hi = mid
    return [max(0, a_hi + s * (q - m)) for q in x]
def ks(a, b):
    a, b = sorted(a), sorted(b); d = 0
    for z in a + b:
        d = max(d, abs(bisect.bisect_right(a, z) / len(a) - bisect.bisect_right(b, z) / len(b)))
    return d
def sim(ways, om, ov, n=4000):
    return [random.choice(ways) + random.choice(ways) + random.gauss(om, math.sqrt(max(ov, 0))) for _ in range(n)]
print("edge: original mean/sd; O mean/sd; (a) rule, (b) one figure, (c) quantile-wise: clone mean error, sd, KS")
for k, x in sorted(edges.items()):
    if k not in meas: continue
    e = meas[k]; om, ov = e["extra_mean_us"], e["extra_var_us2"]
    m, var, _, _ = moments(x)
    a = rule(x, om, ov, 2)
    b = [max(0, q - B) / 2 for q in x]
    xs = sorted(x); n = len(xs)
    osamp = sorted(random.gauss(om, math.sqrt(max(ov, 0))) for _ in range(n))
    c = [max(0, xs[i] - osamp[i]) / 2 for i in range(n)]
    out = []
    for ways in (a, b, c):
        cl = sim(ways, om, ov)
        cm = sum(cl) / len(cl); cs = math.sqrt(sum((z - cm) ** 2 for z in cl) / len(cl))
        out.append("%+.0f, %.0f, KS %.3f" % (cm - sum(x) / len(x), cs, ks(cl, x)))
    print("%s -> %s: %.0f/%.0f; O %.0f/%.0f; (a) %s; (b) %s; (c) %s" % (k[0], k[1], m, math.sqrt(var), om, math.sqrt(max(ov, 0)), *out))
