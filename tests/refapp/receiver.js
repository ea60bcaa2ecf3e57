// receiver.js -- a local OTLP/HTTP receiver: every POST to /v1/traces (an
// ExportTraceServiceRequest in JSON, as the exporter sends it) is appended to
// OUT as one line, which is the OTLP file exporter's format and what meshwalk
// import reads, less the spans of warm-up requests (warmup.js). Listens on 127.0.0.1, port 0; the port goes to PORT_FILE.
//   node receiver.js OUT PORT_FILE
'use strict';
const http = require('http');
const fs = require('fs');
const [out, portFile] = process.argv.slice(2);
const fd = fs.openSync(out, 'a');
const warmup = require('./warmup');
let received = 0, dropped = 0;

const server = http.createServer((req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size <= 64 * 1024 * 1024) chunks.push(c);
  });
  req.on('end', () => {
    if (req.method !== 'POST' || req.url !== '/v1/traces' || size > 64 * 1024 * 1024) {
      res.writeHead(400).end();
      return;
    }
    let request;
    try {
      request = JSON.parse(Buffer.concat(chunks).toString('utf8')); // only whole, valid requests
    } catch (e) {
      res.writeHead(400).end();
      return;
    }
    // the warm-up requests' spans are dropped (warmup.js), as a collector's
    // filter would; a request left without spans is not written
    let kept = 0;
    for (const rs of request.resourceSpans || []) {
      for (const ss of rs.scopeSpans || []) {
        ss.spans = (ss.spans || []).filter((s) => !warmup.isWarmup(s.traceId));
        kept += ss.spans.length;
      }
    }
    if (kept) {
      fs.writeSync(fd, JSON.stringify(request) + '\n');
      received++;
    } else dropped++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => fs.writeFileSync(portFile, String(server.address().port)));
process.on('SIGTERM', () => {
  server.close(() => {
    fs.closeSync(fd);
    console.error(`receiver: ${received} export requests kept, ${dropped} of warm-up spans only`);
    process.exit(0);
  });
});
