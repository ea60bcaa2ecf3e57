// warmup.js -- the reference application's warm-up requests, told apart by
// their trace id: load.js sends them first with a W3C traceparent whose trace
// id starts with 16 zeros (valid: only an all-zero id is not) and "sampled",
// so every service traces them the whole way (the SDK's recording and export
// paths warm up with the rest: the first export of a process opens its
// connection and compiles its code, tens of ms on the request in flight);
// the services do not count them and the receiver drops their spans, as a
// collector's filter would. Traces collected from a service that has been
// running hold no such start.
'use strict';
const crypto = require('crypto');

const PREFIX = '0000000000000000';

module.exports = {
  // a traceparent header value for one warm-up request
  traceparent: () => `00-${PREFIX}${crypto.randomBytes(8).toString('hex')}-`
    + `${crypto.randomBytes(8).toString('hex')}-01`,
  // whether a span (or a hex trace id) belongs to a warm-up request
  isWarmup: (traceId) => typeof traceId === 'string' && traceId.startsWith(PREFIX),
};
