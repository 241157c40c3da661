// The handler uses one thing from undici: the pooled Agent, sending with Agent.request()
// (app/upstream/undiciFetch.ts). undici's index.js loads everything (fetch, mocks, cache,
// WebSocket, EventSource...); the build points `undici` here instead. As index.js does, the
// request API is attached to the Dispatcher prototype.
'use strict';
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js');

// Only request(): stream(), pipeline(), upgrade() and connect() are never called.
Dispatcher.prototype.request = require('undici/lib/api/api-request.js');
module.exports = { Agent: require('undici/lib/dispatcher/agent.js') };
