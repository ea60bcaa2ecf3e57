// load.js -- an open-loop load generator for the reference application:
// request i is sent at start + i / RATE whatever the answers do, each with a
// 30 s timeout; prints "sent N ok K failed F" and exits 1 if any failed.
//   node load.js URL N RATE
'use strict';
const http = require('http');
const [url, nArg, rateArg] = process.argv.slice(2);
const n = Number(nArg), rate = Number(rateArg);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let ok = 0, failed = 0, done = 0;
const why = {}; // failure reasons, printed when there are any
function fail(reason) { why[reason] = (why[reason] || 0) + 1; failed++; finish(); }
const t0 = Date.now();

function finish() {
  if (++done < n) return;
  console.log(`sent ${n} ok ${ok} failed ${failed}`);
  if (failed) console.error('failures:', JSON.stringify(why));
  process.exit(failed ? 1 : 0);
}
for (let i = 0; i < n; i++) {
  setTimeout(() => {
    const req = http.get(url, { agent, timeout: 30000 }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode === 200) { ok++; finish(); } else fail(`status ${res.statusCode}`);
      });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => fail(err.code || err.message));
  }, Math.max(0, t0 + (i * 1000) / rate - Date.now()));
}
