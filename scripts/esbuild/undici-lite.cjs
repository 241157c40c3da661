// The handler uses two things from undici: the pooled Agent and the fetch that goes with it.
// undici's index.js loads everything (mocks, cache, WebSocket, EventSource...); the build points
// `undici` here instead, so the bundle carries only these two, the same classes at run time.
'use strict';
const Agent = require('undici/lib/dispatcher/agent.js');
const { fetch: fetchImpl } = require('undici/lib/web/fetch/index.js');

module.exports = {
  Agent,
  fetch: (input, init = undefined) => fetchImpl(input, init),
};
