#!/usr/bin/env python3
"""otlp_check.py -- strict checks of OTLP JSON trace files (docs/tracing.md).

usage: otlp_check.py PYDIR FILE... [--tolerance-us N] [--shape]

PYDIR holds the python modules protoc made from the OTLP protobuf definitions
(opentelemetry/proto/collector/trace/v1/trace_service_pb2.py ...). Every line
of every FILE must parse as an ExportTraceServiceRequest with
json_format.Parse(ignore_unknown_fields=False), after its hex ids (OTLP/JSON's
encoding) are turned into protobuf JSON's base64. Then: ids of the right length
and not zero, a known kind, start <= end, every parent in its trace, one root
per trace and it is a CLIENT span, children within their parent (plus or minus
the tolerance). Prints "spans N traces N" and, with --shape, each distinct
span tree with its count, most common first ("service:name:KIND[children]",
children ordered by name). Exits 1 with every problem listed.
"""
import base64
import collections
import json
import re
import sys

KINDS = {1: "INTERNAL", 2: "SERVER", 3: "CLIENT", 4: "PRODUCER", 5: "CONSUMER"}


def main():
    args = sys.argv[1:]
    tol_ns = 0
    shape = False
    if "--shape" in args:
        args.remove("--shape")
        shape = True
    if "--tolerance-us" in args:
        i = args.index("--tolerance-us")
        tol_ns = int(args[i + 1]) * 1000
        del args[i:i + 2]
    pydir, files = args[0], args[1:]
    sys.path.insert(0, pydir)
    from google.protobuf import json_format
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

    problems = []
    spans = {}  # (trace, span) -> record
    hexid = re.compile(r"^[0-9a-f]+$")

    def b64(where, obj, key, nbytes, required):
        v = obj.get(key)
        if v is None or v == "":
            if required:
                problems.append("%s: no %s" % (where, key))
            return
        if not isinstance(v, str) or len(v) != 2 * nbytes or not hexid.match(v):
            problems.append("%s: %s %r is not %d lowercase hex digits" % (where, key, v, 2 * nbytes))
            return
        if int(v, 16) == 0:
            problems.append("%s: %s is zero" % (where, key))
        obj[key] = base64.b64encode(bytes.fromhex(v)).decode()

    for name in files:
        with open(name) as f:
            for ln, line in enumerate(f, 1):
                where = "%s:%d" % (name, ln)
                try:
                    doc = json.loads(line)
                except ValueError as e:
                    problems.append("%s: not JSON: %s" % (where, e))
                    continue
                for rs in doc.get("resourceSpans", []):
                    for ss in rs.get("scopeSpans", []):
                        for sp in ss.get("spans", []):
                            w = "%s span %s" % (where, sp.get("spanId"))
                            b64(w, sp, "traceId", 16, True)
                            b64(w, sp, "spanId", 8, True)
                            b64(w, sp, "parentSpanId", 8, False)
                try:
                    req = json_format.Parse(json.dumps(doc), trace_service_pb2.ExportTraceServiceRequest(),
                                            ignore_unknown_fields=False)
                except json_format.ParseError as e:
                    problems.append("%s: not an ExportTraceServiceRequest: %s" % (where, e))
                    continue
                for rs in req.resource_spans:
                    svc = [a.value.string_value for a in rs.resource.attributes if a.key == "service.name"]
                    if len(svc) != 1 or not svc[0]:
                        problems.append("%s: resource without one service.name" % where)
                        svc = ["?"]
                    for ss in rs.scope_spans:
                        for s in ss.spans:
                            w = "%s span %s" % (where, s.span_id.hex())
                            if len(s.trace_id) != 16 or len(s.span_id) != 8:
                                problems.append("%s: id lengths %d/%d" % (w, len(s.trace_id), len(s.span_id)))
                            if s.parent_span_id and len(s.parent_span_id) != 8:
                                problems.append("%s: parent id of %d bytes" % (w, len(s.parent_span_id)))
                            if s.kind not in KINDS:
                                problems.append("%s: kind %d" % (w, s.kind))
                            if s.start_time_unix_nano == 0 or s.start_time_unix_nano > s.end_time_unix_nano:
                                problems.append("%s: start %d end %d" % (w, s.start_time_unix_nano,
                                                                       s.end_time_unix_nano))
                            key = (s.trace_id, s.span_id)
                            if key in spans:
                                problems.append("%s: span id repeated in its trace" % w)
                            spans[key] = dict(svc=svc[0], name=s.name, kind=KINDS.get(s.kind, "?"),
                                              parent=s.parent_span_id, start=s.start_time_unix_nano,
                                              end=s.end_time_unix_nano, children=[], where=w)
    traces = collections.defaultdict(list)
    for (tid, sid), s in spans.items():
        traces[tid].append(sid)
        if s["parent"]:
            p = spans.get((tid, s["parent"]))
            if p is None:
                problems.append("%s: parent %s not in trace %s" % (s["where"], s["parent"].hex(), tid.hex()))
                continue
            p["children"].append(s)
            if s["start"] + tol_ns < p["start"] or s["end"] > p["end"] + tol_ns:
                problems.append("%s (%s %s): [%d, %d] outside its parent %s's [%d, %d]" % (
                    s["where"], s["svc"], s["name"], s["start"], s["end"], p["name"], p["start"], p["end"]))
    shapes = collections.Counter()

    def tree(s):
        kids = sorted(tree(c) for c in s["children"])
        return "%s:%s:%s%s" % (s["svc"], s["name"], s["kind"], "[%s]" % ",".join(kids) if kids else "")

    for tid, sids in traces.items():
        roots = [spans[(tid, sid)] for sid in sids if not spans[(tid, sid)]["parent"]]
        if len(roots) != 1:
            problems.append("trace %s: %d roots" % (tid.hex(), len(roots)))
            continue
        if roots[0]["kind"] != "CLIENT":
            problems.append("trace %s: root %s is %s, not CLIENT" % (tid.hex(), roots[0]["name"], roots[0]["kind"]))
        shapes[tree(roots[0])] += 1
    print("spans %d traces %d" % (len(spans), len(traces)))
    if shape:
        for t, n in shapes.most_common():
            print("%d %s" % (n, t))
    for p in problems[:50]:
        print("PROBLEM: " + p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
