// load.js -- an open-loop load generator for the reference application:
// request i is sent at start + i / RATE whatever the answers do, each with a
// 10 s timeout; prints "sent N ok K failed F" and exits 1 if any failed.
//   node load.js URL N RATE
'use strict';
const http = require('http');
const [url, nArg, rateArg] = process.argv.slice(2);
const n = Number(nArg), rate = Number(rateArg);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
let ok = 0, failed = 0, done = 0;
const t0 = Date.now();

function finish() {
  if (++done < n) return;
  console.log(`sent ${n} ok ${ok} failed ${failed}`);
  process.exit(failed ? 1 : 0);
}
for (let i = 0; i < n; i++) {
  setTimeout(() => {
    const req = http.get(url, { agent, timeout: 10000 }, (res) => {
      res.resume();
      res.on('end', () => { if (res.statusCode === 200) ok++; else failed++; finish(); });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => { failed++; finish(); });
  }, Math.max(0, t0 + (i * 1000) / rate - Date.now()));
}
