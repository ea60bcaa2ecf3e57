// load.js -- an open-loop load generator for the reference application:
// request i is sent at start + i / RATE whatever the answers do, each with a
// 30 s timeout; prints "sent N ok K failed F" and exits 1 if any failed.
//   node load.js URL N RATE [WARMUP_S]
// WARMUP_S (default 0): the first WARMUP_S seconds' requests (RATE * WARMUP_S
// of them, on the same schedule, before the N) are warm-up requests
// (warmup.js: traced, but neither counted by the services nor kept by the
// receiver): the application's first seconds (first connections, the JIT,
// the heap growing, the first span exports) are not its steady state. Their
// answers are counted on a line of their own.
'use strict';
const http = require('http');
const warmup = require('./warmup');
const [url, nArg, rateArg, warmArg] = process.argv.slice(2);
const n = Number(nArg), rate = Number(rateArg), warmupS = Number(warmArg || 0);
if (!(n >= 1 && rate > 0 && warmupS >= 0 && warmupS <= 600)) {
  console.error('usage: node load.js URL N RATE [WARMUP_S] (N >= 1, RATE > 0, WARMUP_S 0 to 600)');
  process.exit(2);
}
const w = Math.round(rate * warmupS);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let ok = 0, failed = 0, done = 0, warmOk = 0;
const why = {}; // failure reasons, printed when there are any
function fail(reason) { why[reason] = (why[reason] || 0) + 1; failed++; finish(); }
const t0 = Date.now();

function finish() {
  if (++done < n + w) return;
  console.log(`sent ${n} ok ${ok} failed ${failed - (w - warmOk)}`);
  if (w) console.log(`warm-up (not kept): sent ${w} ok ${warmOk}`);
  if (failed) console.error('failures:', JSON.stringify(why));
  process.exit(failed ? 1 : 0);
}
for (let i = 0; i < n + w; i++) {
  const warm = i < w;
  const headers = warm ? { traceparent: warmup.traceparent() } : {};
  setTimeout(() => {
    const req = http.get(url, { agent, timeout: 30000, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) fail(`status ${res.statusCode}`);
        else { if (warm) warmOk++; else ok++; finish(); }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => fail(err.code || err.message));
  }, Math.max(0, t0 + (i * 1000) / rate - Date.now()));
}
