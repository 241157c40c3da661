// The handler uses one thing from undici: the pooled Agent, sending with Agent.request()
// (app/upstream/undiciFetch.ts). undici's index.js loads everything (fetch, mocks, cache,
// WebSocket, EventSource...); the build points `undici` here instead. As index.js does, the
// request API is attached to the Dispatcher prototype.
'use strict';
const Dispatcher = require('undici/lib/dispatcher/dispatcher.js');
const api = require('undici/lib/api/index.js');

Object.assign(Dispatcher.prototype, api);
module.exports = { Agent: require('undici/lib/dispatcher/agent.js') };
