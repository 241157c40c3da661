/**
 * Timeouts and retries with the production client (openai SDK over the pooled undici Agent)
 * against loopback servers: a silent upstream becomes ModelTimeoutException, a 429 with
 * Retry-After is retried after the wait, and a reset socket is retried once.
 */
import http from 'node:http';
import { getEventListeners, once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { buildGateway } from '../../app/gateway/composition.ts';
import { loadConfig } from '../../app/config/config.ts';
import { chatChunk } from '../helpers/chunks.ts';
import { sse } from '../helpers/nockUpstream.ts';
import { waitFor } from '../helpers/wait.ts';

const encoder = new TextEncoder();
const converse = {
  method: 'POST',
  path: '/model/gpt-4o/converse',
  query: {},
  headers: {},
  body: encoder.encode(JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] })),
};
const completion = JSON.stringify({
  id: 'c1', object: 'chat.completion', created: 1, model: 'gpt-4o',
  choices: [{ index: 0, message: { role: 'assistant', content: 'ok', refusal: null }, finish_reason: 'stop', logprobs: null }],
  usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
});

async function serve(handler: (req: http.IncomingMessage, res: http.ServerResponse, n: number) => void) {
  let n = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res, ++n));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    server,
    baseURL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    calls: () => n,
    /** Closes the server, cutting the connections a silent handler left open. */
    stop: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function gateway(baseURL: string, env: Record<string, string>) {
  return buildGateway({
    config: loadConfig({ OPENAI_BASE_URL: baseURL, OPENAI_API_KEY: 'sk-x', ...env }),
    mode: 'local',
    telemetry: { record: () => undefined },
  });
}

describe('Upstream timeouts and retries (openai SDK over the undici Agent)', function () {
  this.timeout(15_000);

  it('answers ModelTimeoutException 408 when the upstream stays silent past OPENAI_TIMEOUT_MS', async () => {
    // Prepare: a server that never answers.
    const upstream = await serve(() => undefined);
    const built = gateway(upstream.baseURL, { OPENAI_TIMEOUT_MS: '300', OPENAI_MAX_RETRIES: '0' });
    const started = performance.now();
    try {
      // Act
      const response = await built.gateway(converse);
      // Assess
      expect(response.status).to.equal(408);
      expect(response.headers['x-amzn-ErrorType']).to.equal('ModelTimeoutException');
      expect(performance.now() - started).to.be.within(250, 3000);
    } finally {
      await built.close();
      upstream.stop();
    }
  });

  it('cancels the upstream call when the caller goes away, and does not retry it', async () => {
    // Prepare: a server that never answers and notes when the gateway closes the connection.
    let closedAt = 0;
    const upstream = await serve((_req, res) => res.once('close', () => (closedAt = performance.now())));
    const built = gateway(upstream.baseURL, { OPENAI_MAX_RETRIES: '2' });
    const caller = new AbortController();
    try {
      // Act: the caller gives up after 100 ms.
      setTimeout(() => caller.abort(), 100);
      const started = performance.now();
      const response = await built.gateway({ ...converse, signal: caller.signal });
      const answeredAt = performance.now();
      await waitFor(() => closedAt > 0);

      // Assess: answered at once as a caller abort, the upstream connection closed, one call only.
      expect(response.status).to.equal(499);
      expect(JSON.parse(Buffer.from(response.kind === 'buffered' ? response.body : []).toString()).message).to.equal('The request was aborted by the caller.');
      expect(answeredAt - started).to.be.within(80, 1000);
      expect(closedAt, 'upstream connection closed').to.be.greaterThan(0);
      await new Promise((r) => setTimeout(r, 300));
      expect(upstream.calls()).to.equal(1);
    } finally {
      await built.close();
      upstream.stop();
    }
  });

  it('bounds a call queued behind a full pool by OPENAI_TIMEOUT_MS', async () => {
    // Prepare: one upstream connection, held by a first call the server never answers.
    const upstream = await serve(() => undefined);
    const built = gateway(upstream.baseURL, { OPENAI_TIMEOUT_MS: '400', OPENAI_MAX_RETRIES: '0', OPENAI_MAX_CONNECTIONS: '1' });
    try {
      const first = built.gateway(converse);
      await new Promise((r) => setTimeout(r, 50));
      // Act: the second call waits for the only connection.
      const started = performance.now();
      const second = await built.gateway(converse);
      const waited = performance.now() - started;
      // Assess: it times out on the SDK's clock, not after the first call's socket times out.
      expect(second.status).to.equal(408);
      // Well under the ~2 s the first call's socket takes to give up (what an unbounded wait measures).
      expect(waited).to.be.within(300, 1500);
      expect((await first).status).to.equal(408);
    } finally {
      await built.close();
      upstream.stop();
    }
  });

  const firstAttempts: ReadonlyArray<readonly [string, (req: http.IncomingMessage, res: http.ServerResponse) => void]> = [
    ['answered 500', (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"try again"}}');
    }],
    ['a reset socket', (req) => req.socket.destroy()],
  ];
  for (const [label, failFirst] of firstAttempts) {
    it(`leaves no listener on the caller's signal once a call retried after ${label} has answered`, async () => {
      // Prepare: the first attempt fails (the SDK retries it), the second answers.
      const upstream = await serve((req, res, n) => {
        if (n === 1) return failFirst(req, res);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(completion);
      });
      const built = gateway(upstream.baseURL, { OPENAI_MAX_RETRIES: '2' });
      const caller = new AbortController();
      try {
        // Act
        const response = await built.gateway({ ...converse, signal: caller.signal });
        // Assess
        expect(response.status).to.equal(200);
        expect(upstream.calls()).to.equal(2);
        expect(getEventListeners(caller.signal, 'abort')).to.have.length(0);
      } finally {
        await built.close();
        upstream.stop();
      }
    });
  }

  it('cancels a streamed upstream call when the caller goes away mid-stream', async () => {
    // Prepare: an SSE answer that sends one chunk and then stalls; the server notes when its connection closes.
    let closed = false;
    const upstream = await serve((_req, res) => {
      res.once('close', () => (closed = true));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(sse([chatChunk({ role: 'assistant', content: 'Hel' })], false));
    });
    const built = gateway(upstream.baseURL, { OPENAI_MAX_RETRIES: '0' });
    const caller = new AbortController();
    try {
      const response = await built.gateway({ ...converse, path: '/model/gpt-4o/converse-stream', signal: caller.signal });
      expect(response.kind).to.equal('stream');
      const frames = (response as { body: AsyncIterable<Uint8Array> }).body[Symbol.asyncIterator]();
      await frames.next();
      // Act: the caller goes away; nobody calls return() on the body.
      caller.abort();
      await waitFor(() => closed);
      // Assess
      expect(closed, 'upstream connection closed').to.equal(true);
      await frames.next().catch(() => undefined);
    } finally {
      caller.abort();
      upstream.server.closeAllConnections();
      await built.close();
      upstream.stop();
    }
  });

  it('retries a 429 after its Retry-After, then succeeds', async () => {
    // Prepare
    const upstream = await serve((_req, res, n) => {
      if (n === 1) {
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after-ms': '200' });
        res.end('{"error":{"message":"slow down"}}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion);
    });
    const built = gateway(upstream.baseURL, { OPENAI_MAX_RETRIES: '2' });
    const started = performance.now();
    try {
      // Act
      const response = await built.gateway(converse);
      // Assess
      expect(response.status).to.equal(200);
      expect(upstream.calls()).to.equal(2);
      expect(performance.now() - started).to.be.greaterThan(180);
    } finally {
      await built.close();
      upstream.stop();
    }
  });

  it('retries a reset socket once even with SDK retries off', async () => {
    // Prepare: the first request's connection is destroyed without an answer.
    const upstream = await serve((req, res, n) => {
      if (n === 1) {
        req.socket.destroy();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(completion);
    });
    const built = gateway(upstream.baseURL, { OPENAI_MAX_RETRIES: '0' });
    try {
      // Act
      const response = await built.gateway(converse);
      // Assess
      expect(response.status).to.equal(200);
      expect(upstream.calls()).to.equal(2);
    } finally {
      await built.close();
      upstream.stop();
    }
  });
});
