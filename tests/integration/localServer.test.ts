/** The local adapter on its own: one port for HTTP/1.1 and cleartext HTTP/2, bounded bodies, JSON errors. */
import http from 'node:http';
import http2 from 'node:http2';
import { expect } from 'chai';
import type { Gateway } from '../../app/gateway/pipeline.ts';
import { jsonResponse } from '../../app/core/response.ts';
import { startLocalServer, type LocalServer } from '../../app/local/server.ts';

function h1(url: string, method: string, path: string, body?: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method }, (res) => {
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
  let server: LocalServer;
  const seen: Array<{ method: string; path: string; bytes: number; query: Record<string, string> }> = [];
  const gateway: Gateway = async (request) => {
    seen.push({ method: request.method, path: request.path, bytes: request.body.byteLength, query: { ...request.query } });
    return jsonResponse(200, { ok: true, path: request.path });
  };

  before(async () => {
    server = await startLocalServer({ gateway, host: '127.0.0.1', port: 0, maxBodyBytes: 1024 });
  });
  after(async () => server.close());
  beforeEach(() => (seen.length = 0));

  it('serves HTTP/1.1, passing path, query and body to the core', async () => {
    // Act
    const response = await h1(server.url, 'POST', '/prod/model/x/converse?a=1&a=2&b=3', Buffer.from('{"messages":[]}'));
    // Assess
    expect(response.status).to.equal(200);
    expect(seen).to.deep.equal([{ method: 'POST', path: '/prod/model/x/converse', bytes: 15, query: { a: '1', b: '3' } }]);
  });

  it('serves cleartext HTTP/2 with prior knowledge on the same port', async () => {
    // Act
    const response = await h2(server.url, '/health');
    // Assess
    expect(response.status).to.equal(200);
    expect(JSON.parse(response.body)).to.deep.equal({ ok: true, path: '/health' });
  });

  it('refuses a body over the limit with 413 ValidationException before it reaches the core', async () => {
    // Act
    const response = await h1(server.url, 'POST', '/model/x/converse', Buffer.alloc(4096, 0x61));
    // Assess
    expect(response.status).to.equal(413);
    expect(response.headers['x-amzn-errortype']).to.equal('ValidationException');
    expect(JSON.parse(response.body).message).to.include('1024-byte limit');
    expect(seen).to.have.length(0);
  });

  it('refuses a chunked body over the limit too (no content-length)', async () => {
    // Prepare
    const big = Buffer.alloc(4096, 0x62);
    // Act
    const response = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${server.url}/model/x/converse`, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.write(big.subarray(0, 2048));
      req.end(big.subarray(2048));
    });
    // Assess
    expect(response).to.equal(413);
    expect(seen).to.have.length(0);
  });
});
