/** The SDK's fetch over the pooled undici Agent, against a loopback server that records what it sees. */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { Agent } from 'undici';
import { createAgentFetch } from '../../app/upstream/undiciFetch.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

describe('undiciFetch: the SDK fetch over Agent.request', () => {
  let server: http.Server;
  let base: string;
  let handler: Handler;
  let agent: Agent;
  let connections: number;

  before(async () => {
    server = http.createServer(async (req, res) => {
      const parts: Buffer[] = [];
      for await (const part of req) parts.push(part as Buffer);
      handler(req, res, Buffer.concat(parts).toString('utf8'));
    });
    server.on('connection', () => connections++);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    connections = 0;
    agent = new Agent({ connections: 2 });
  });
  afterEach(async () => agent.close());
  after(() => server.close());

  it('sends method, path, query, headers and body, and returns status, headers and a JSON body', async () => {
    // Prepare
    let seen: { method?: string; url?: string; auth?: string; body?: string } = {};
    handler = (req, res, body) => {
      seen = { method: req.method, url: req.url, auth: req.headers.authorization, body };
      res.writeHead(201, { 'content-type': 'application/json', 'x-request-id': 'req_1' });
      res.end('{"ok":true}');
    };
    const fetch = createAgentFetch(agent);
    // Act
    const response = await fetch(`${base}/v1/chat/completions?x=1`, {
      method: 'POST',
      headers: new Headers({ authorization: 'Bearer sk-test', 'content-type': 'application/json' }),
      body: '{"model":"m"}',
    });
    // Assess
    expect(seen).to.deep.equal({ method: 'POST', url: '/v1/chat/completions?x=1', auth: 'Bearer sk-test', body: '{"model":"m"}' });
    expect(response.status).to.equal(201);
    expect(response.ok).to.equal(true);
    expect(response.headers.get('x-request-id')).to.equal('req_1');
    expect(await response.json()).to.deep.equal({ ok: true });
  });

  it('streams an SSE body: the first chunk is readable before the server has finished', async () => {
    // Prepare
    let finish: () => void = () => undefined;
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"n":1}\n\n');
      finish = () => res.end('data: [DONE]\n\n');
    };
    const fetch = createAgentFetch(agent);
    // Act
    const response = await fetch(`${base}/sse`, { method: 'POST', body: '{}' });
    const iterator = (response.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    const first = await iterator.next();
    finish();
    let rest = '';
    for (let chunk = await iterator.next(); !chunk.done; chunk = await iterator.next()) rest += Buffer.from(chunk.value).toString();
    // Assess
    expect(response.headers.get('Content-Type')).to.equal('text/event-stream');
    expect(Buffer.from(first.value!).toString()).to.equal('data: {"n":1}\n\n');
    expect(rest).to.equal('data: [DONE]\n\n');
  });

  it('gives the SDK what it reads: ok, url, text(), and headers by any case, iterable', async () => {
    // Prepare
    handler = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '2', 'set-cookie': ['a=1', 'b=2'] });
      res.end('{"error":{"message":"slow down"}}');
    };
    const fetch = createAgentFetch(agent);
    // Act
    const response = await fetch(`${base}/limited`);
    // Assess
    expect([response.status, response.ok, response.url]).to.deep.equal([429, false, `${base}/limited`]);
    expect(response.headers.get('Retry-After')).to.equal('2');
    expect(response.headers.get('set-cookie')).to.equal('a=1, b=2');
    expect([...response.headers.entries()].map(([name]) => name)).to.include('retry-after');
    expect(await response.text()).to.equal('{"error":{"message":"slow down"}}');
  });

  it('reuses pooled keep-alive connections, never more than the pool size', async () => {
    // Prepare
    handler = (_req, res) => res.end('{}');
    const fetch = createAgentFetch(agent);
    // Act
    for (let i = 0; i < 20; i++) await (await fetch(`${base}/x`)).text();
    await Promise.all(Array.from({ length: 20 }, async () => (await fetch(`${base}/y`)).text()));
    // Assess: the Agent allows 2 connections per origin.
    expect(connections).to.be.within(1, 2);
  });

  it('rejects on abort', async () => {
    // Prepare
    handler = () => undefined; // never answers
    const fetch = createAgentFetch(agent);
    const aborter = new AbortController();
    // Act
    const pending = fetch(`${base}/hang`, { signal: aborter.signal });
    aborter.abort();
    const error = await pending.catch((e: unknown) => e);
    // Assess
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).name).to.match(/Abort/);
  });

  it('rejects with the socket error code when the connection fails', async () => {
    // Prepare: a port nobody listens on.
    const closed = http.createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const port = (closed.address() as AddressInfo).port;
    closed.close();
    const fetch = createAgentFetch(agent);
    // Act
    const error = await fetch(`http://127.0.0.1:${port}/`).catch((e: unknown) => e);
    // Assess
    expect((error as { code?: string }).code).to.equal('ECONNREFUSED');
  });

  it('returns a body-less response for 204', async () => {
    // Prepare
    handler = (_req, res) => {
      res.writeHead(204);
      res.end();
    };
    const fetch = createAgentFetch(agent);
    // Act
    const response = await fetch(`${base}/empty`, { method: 'DELETE' });
    // Assess
    expect(response.status).to.equal(204);
    expect(response.body).to.equal(null);
  });
});
