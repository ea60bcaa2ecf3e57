// service.js -- one service of the reference application (README.md has the
// topology): an HTTP server on 127.0.0.1 (port 0, written to PORT_FILE) whose
// routes run the steps below, instrumented by hand with the OpenTelemetry API
// the way an application is: a SERVER span per request joining the caller's
// trace (W3C traceparent), a CLIENT span per outgoing call, the database only
// as CLIENT spans (it is not instrumented).
//   node service.js NAME PORT_FILE OTLP_URL PEERS_JSON [STATS_FILE]
// PEERS_JSON maps service names to ports. On SIGTERM the service stops
// accepting, flushes its spans and writes STATS_FILE (requests served, calls
// made per callee) so a test can compare the import with what happened; a
// warm-up request (warmup.js) counts in neither.
// REFAPP_EXTRA_CPU_MS (default 0, at most 1000): CPU milliseconds the service
// spends at the start of every request it serves, before its route's own
// steps: the original's side of a what-if ("this service needs 1 ms more"),
// as `route_prefix: -C 1ms` is the clone's. REFAPP_EXTRA_SHARE (default 1):
// the share of requests that do, drawn per request (a seeded generator of
// its own); their server spans carry refapp.extra_cpu_ms, so one run holds
// both sides of the what-if.
'use strict';
const http = require('http');
const fs = require('fs');
const { start, api } = require('./tracing');
const warmup = require('./warmup');

const [name, portFile, otlpUrl, peersJson, statsFile] = process.argv.slice(2);
const peers = JSON.parse(peersJson || '{}');
const extraMs = Number(process.env.REFAPP_EXTRA_CPU_MS || 0);
if (!(extraMs >= 0 && extraMs <= 1000)) {
  console.error(`service.js ${name}: REFAPP_EXTRA_CPU_MS '${process.env.REFAPP_EXTRA_CPU_MS}': `
    + 'expected milliseconds from 0 to 1000');
  process.exit(2);
}
const extraShare = Number(process.env.REFAPP_EXTRA_SHARE || 1);
if (!(extraShare > 0 && extraShare <= 1)) {
  console.error(`service.js ${name}: REFAPP_EXTRA_SHARE '${process.env.REFAPP_EXTRA_SHARE}': `
    + 'expected a share above 0, at most 1');
  process.exit(2);
}
const { tracer, provider } = start(name, otlpUrl);
const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
const stats = { requests: 0, calls: {} };

// mulberry32: seeded generators, so a run's probabilistic calls repeat; the
// what-if's share draws from its own, so the calls draw as without it
function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = mulberry32(0x5eed);
const extraRand = mulberry32(0xe7a);

function cpu(ms) { // self time on the CPU, as a handler's own work
  const end = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
  while (process.hrtime.bigint() < end);
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Counted unless a warm-up request's (warmup.js).
function counted(span) { return !warmup.isWarmup(span.spanContext().traceId); }
function count(span, key) {
  if (counted(span)) stats.calls[key] = (stats.calls[key] || 0) + 1;
}

// One outgoing HTTP call in a CLIENT span; resolves when the answer is read.
function call(service, method, path) {
  const port = peers[service];
  return tracer.startActiveSpan(`${method} ${path}`, {
    kind: api.SpanKind.CLIENT,
    attributes: { 'peer.service': service, 'http.request.method': method, 'url.path': path },
  }, (span) => new Promise((resolve) => {
    count(span, `${service} ${method} ${path}`);
    const headers = {};
    api.propagation.inject(api.context.active(), headers);
    const req = http.request({ host: '127.0.0.1', port, method, path, headers, agent }, (res) => {
      res.resume();
      res.on('end', () => {
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: api.SpanStatusCode.ERROR });
        span.end();
        resolve();
      });
    });
    req.on('error', (err) => {
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: err.message });
      span.end();
      resolve();
    });
    req.end();
  }));
}

// The database: known only from its callers' CLIENT spans (no server side).
function query(statement, ms) {
  return tracer.startActiveSpan(statement, {
    kind: api.SpanKind.CLIENT, attributes: { 'peer.service': 'db', 'db.system.name': 'postgresql' },
  }, async (span) => {
    count(span, `db ${statement}`);
    await sleep(ms); // I/O: the caller waits off the CPU
    span.end();
  });
}

// What each route does, in order. The topology README.md describes.
const routes = {
  frontend: {
    'GET /home': async () => {
      cpu(1);
      await call('auth', 'POST', '/check');
      await Promise.all([call('catalog', 'GET', '/list'), call('recs', 'GET', '/top')]);
      if (rand() < 0.3) await call('cart', 'GET', '/view');
      for (let i = 0; i < 3; i++) await call('inventory', 'GET', '/stock');
      call('audit', 'POST', '/log'); // fire and forget: not awaited
      cpu(0.5);
    },
  },
  auth: { 'POST /check': async () => cpu(0.3) },
  catalog: { 'GET /list': async () => { cpu(0.5); await query('SELECT items', 3); } },
  recs: { 'GET /top': async () => cpu(1) },
  cart: { 'GET /view': async () => cpu(0.2) },
  inventory: { 'GET /stock': async () => cpu(0.2) },
  audit: { 'POST /log': async () => sleep(5) }, // an I/O-bound leaf
};

const server = http.createServer((req, res) => {
  const route = `${req.method} ${req.url.split('?')[0]}`;
  const handler = (routes[name] || {})[route];
  const parent = api.propagation.extract(api.ROOT_CONTEXT, req.headers);
  req.resume();
  if (!handler) {
    res.writeHead(404).end();
    return;
  }
  tracer.startActiveSpan(route, { kind: api.SpanKind.SERVER }, parent, async (span) => {
    if (counted(span)) stats.requests++;
    try {
      if (extraMs > 0 && (extraShare === 1 || extraRand() < extraShare)) {
        span.setAttribute('refapp.extra_cpu_ms', extraMs); // which requests had it
        cpu(extraMs);
      }
      await handler();
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    } catch (err) {
      span.setStatus({ code: api.SpanStatusCode.ERROR, message: String(err) });
      res.writeHead(500).end();
    }
    span.end();
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => fs.writeFileSync(portFile, String(server.address().port)));

process.on('SIGTERM', async () => {
  server.close();
  await sleep(50); // fire-and-forget calls under way end first
  await provider.shutdown();
  if (statsFile) fs.writeFileSync(statsFile, JSON.stringify({ ...stats, extra_cpu_ms: extraMs }));
  process.exit(0);
});
