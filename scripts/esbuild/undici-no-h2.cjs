// Stands in for undici's lib/dispatcher/client-h2.js in the bundle: the gateway's Agent is
// HTTP/1.1 only (allowH2: false in app/upstream/openaiClient.ts), so undici's HTTP/2 client
// (about 18 KB of the handler bundle) would never run. Should it ever be reached, it says so.
'use strict';
module.exports = function connectH2() {
  throw new Error('HTTP/2 to the upstream is not built into this bundle (the Agent is created with allowH2: false)');
};
