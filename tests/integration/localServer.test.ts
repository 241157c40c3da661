/** The local adapter: one port for HTTP/1.1 and cleartext HTTP/2, bounded body reads, and the pipeline's answers for bodies. */
import { once } from 'node:events';
import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { expect } from 'chai';
import type { Gateway } from '../../app/gateway/pipeline.ts';
import { jsonResponse } from '../../app/core/response.ts';
import { startLocalServer, type LocalServer } from '../../app/local/server.ts';
import { TEST_KEY, useTestGateway } from '../helpers/gateway.ts';
import { sleep, waitFor } from '../helpers/wait.ts';

function h1(url: string, method: string, path: string, body?: Buffer, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function h2(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url);
    session.on('error', reject);
    const stream = session.request({ ':method': 'GET', ':path': path });
    let status = 0;
    let text = '';
    stream.on('response', (headers) => (status = Number(headers[':status'])));
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (text += chunk));
    stream.on('end', () => {
      session.close();
      resolve({ status, body: text });
    });
  });
}

describe('Local server: HTTP/1.1 and h2c on one port', () => {
  const LIMIT = 1024;
  let server: LocalServer;
  const seen: Array<{ method: string; path: string; buffered: number; byteLength: number; query: Record<string, string> }> = [];
  // The edge alone: this stand-in reads the body as the pipeline does and notes what the reader gave it.
  const gateway: Gateway = async (request) => {
    if (typeof request.body !== 'function') throw new Error('the local server hands the pipeline a reader');
    const received = await request.body(LIMIT);
    const buffered = typeof received.body === 'string' ? received.body.length : received.body.byteLength;
    seen.push({ method: request.method, path: request.path, buffered, byteLength: received.byteLength, query: { ...request.query } });
    return jsonResponse(200, { ok: true, path: request.path });
  };

  before(async () => {
    server = await startLocalServer({ gateway, host: '127.0.0.1', port: 0 });
  });
  after(async () => server.close());
  beforeEach(() => (seen.length = 0));

  it('serves HTTP/1.1, passing path, query and body to the core', async () => {
    // Act
    const response = await h1(server.url, 'POST', '/prod/model/x/converse?a=1&a=2&b=3', Buffer.from('{"messages":[]}'));
    // Assess
    expect(response.status).to.equal(200);
    expect(seen).to.deep.equal([{ method: 'POST', path: '/prod/model/x/converse', buffered: 15, byteLength: 15, query: { a: '1', b: '3' } }]);
  });

  it('serves cleartext HTTP/2 with prior knowledge on the same port', async () => {
    // Act
    const response = await h2(server.url, '/health');
    // Assess
    expect(response.status).to.equal(200);
    expect(JSON.parse(response.body)).to.deep.equal({ ok: true, path: '/health' });
  });

  it('buffers nothing of a body whose declared length is over the limit, and reports that length', async () => {
    // Act
    const response = await h1(server.url, 'POST', '/model/x/converse', Buffer.alloc(4096, 0x61));
    // Assess
    expect(response.status).to.equal(200);
    expect(seen).to.deep.equal([{ method: 'POST', path: '/model/x/converse', buffered: 0, byteLength: 4096, query: {} }]);
  });

  it('stops buffering a chunked body (no content-length) once it passes the limit', async () => {
    // Prepare
    const big = Buffer.alloc(4096, 0x62);
    // Act
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${server.url}/model/x/converse`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write(big.subarray(0, 2048));
      req.end(big.subarray(2048));
    });
    // Assess
    expect(status).to.equal(200);
    expect(seen).to.have.length(1);
    expect(seen[0]!.buffered).to.equal(0);
    expect(seen[0]!.byteLength).to.be.greaterThan(LIMIT);
  });
});

describe('Local server + pipeline: one body path', () => {
  const gateway = useTestGateway({ MAX_BODY_BYTES: '1024' }, 'local');
  let server: LocalServer;
  before(async () => {
    server = await startLocalServer({ gateway: gateway().gateway, host: '127.0.0.1', port: 0 });
  });
  after(async () => server.close());
  beforeEach(() => (gateway().records.length = 0));

  for (const [label, headers] of [
    ['with a declared length', {}],
    ['chunked', { 'transfer-encoding': 'chunked' }],
  ] as const) {
    it(`answers a body over MAX_BODY_BYTES ${label} with 413 ValidationException, recorded once under the answer's request id`, async () => {
      // Act
      const response = await h1(server.url, 'POST', '/model/gpt-4o/converse', Buffer.alloc(4096, 0x61), { ...headers, authorization: `Bearer ${TEST_KEY}` });
      // Assess
      expect(response.status).to.equal(413);
      expect(response.headers['x-amzn-errortype']).to.equal('ValidationException');
      expect(JSON.parse(response.body).message).to.include('1024-byte limit');
      expect(gateway().records.map((r) => [r.requestId, r.status, r.exception])).to.deep.equal([[response.headers['x-amzn-requestid'], 413, 'ValidationException']]);
    });
  }

  it('reads no body before the caller is authenticated', async () => {
    // Act
    const response = await h1(server.url, 'POST', '/model/gpt-4o/converse', Buffer.alloc(4096, 0x61), { authorization: 'Bearer wrong' });
    // Assess: the refusal is for the key, not the size
    expect(response.status).to.equal(403);
    expect(response.headers['x-amzn-errortype']).to.equal('AccessDeniedException');
  });

  it('records a caller that goes away mid-body as ClientDisconnected, with nothing sent upstream', async () => {
    // Prepare
    const socket = net.connect(server.port, '127.0.0.1');
    await once(socket, 'connect');
    // Act: headers and half of the announced body, then the caller hangs up
    socket.write(`POST /model/gpt-4o/converse HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TEST_KEY}\r\nContent-Length: 100\r\n\r\n{"messages":`);
    await sleep(50);
    socket.destroy();
    await waitFor(() => gateway().records.length === 1);
    // Assess
    expect(gateway().records[0]).to.include({ operation: 'Converse', exception: 'ClientDisconnected', status: 499 });
  });
});
