/**
 * CORS on real answers, not only on the preflight: the local server (the same pipeline as the Lambda)
 * driven with the exact requests a browser sends from another origin. An allowed origin gets CORS
 * headers on a 200 JSON answer, a streamed answer and an error; another origin gets none.
 */
import { expect } from 'chai';
import { loadConfig } from '../../app/config/config.ts';
import { startFakeUpstream, type FakeUpstream } from '../../app/dev/fakeUpstream.ts';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS } from '../../app/gateway/cors.ts';
import { createStreamingHandler } from '../../app/lambda/handlers.ts';
import type { LambdaHttpEvent } from '../../app/lambda/event.ts';
import { runLocalGateway, type RunningGateway } from '../../app/local/main.ts';
import { browserFetch, browserPreflight, corsHeaders } from '../helpers/browserRequests.ts';
import { eventsOf } from '../helpers/eventStream.ts';
import { testGateway } from '../helpers/gateway.ts';
import { CapturedResponseStream } from '../helpers/responseStream.ts';
import type { Context } from 'aws-lambda';
import { readFileSync } from 'node:fs';

const ALLOWED = 'http://127.0.0.1:5173';
const OTHER = 'http://127.0.0.1:6006';
const KEY = 'cors-test-key';
const converseBody = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hello' }] }] });

async function startGateway(upstream: FakeUpstream, env: Record<string, string>): Promise<RunningGateway> {
  const config = loadConfig({ OPENAI_BASE_URL: upstream.baseURL, OPENAI_API_KEY: 'sk-fake', PROXY_API_KEYS: KEY, PORT: '0', LOG_LEVEL: 'SILENT', ...env });
  return runLocalGateway(config);
}

describe('CORS: the local server with CORS_ALLOWED_ORIGINS, browser requests', function () {
  this.timeout(20_000);
  let upstream: FakeUpstream;
  let gateway: RunningGateway;
  const url = (path: string) => `${gateway.server.url}${path}`;

  before(async () => {
    upstream = await startFakeUpstream();
    gateway = await startGateway(upstream, { CORS_ALLOWED_ORIGINS: `${ALLOWED}, https://app.example.com` });
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('answers the preflight of an allowed origin with its origin, the methods, the headers and a max age', async () => {
    // Act
    const response = await browserPreflight(url('/model/gpt-4o-mini/converse'), ALLOWED);
    // Assess
    expect(response.status).to.equal(204);
    expect(corsHeaders(response)).to.deep.equal({
      'access-control-allow-origin': ALLOWED,
      'access-control-allow-methods': 'GET,POST,OPTIONS',
      'access-control-allow-headers': CORS_ALLOWED_HEADERS.join(','),
      'access-control-max-age': '600',
    });
    expect(response.headers.vary).to.equal('Origin');
    expect(response.body.byteLength).to.equal(0);
  });

  it('gives a 200 JSON answer CORS headers a browser can read it with', async () => {
    // Act
    const response = await browserFetch(url('/model/gpt-4o-mini/converse'), ALLOWED, { method: 'POST', authorization: `Bearer ${KEY}`, body: converseBody });
    // Assess
    expect(response.status).to.equal(200);
    expect(corsHeaders(response)).to.deep.equal({
      'access-control-allow-origin': ALLOWED,
      'access-control-expose-headers': CORS_EXPOSED_HEADERS.join(','),
    });
    expect(response.headers.vary).to.equal('Origin');
    expect(JSON.parse(response.body.toString()).output.message.content[0].text).to.equal('Echo: hello');
  });

  it('gives a streamed answer the same headers', async () => {
    // Act
    const response = await browserFetch(url('/model/gpt-4o-mini/converse-stream'), ALLOWED, { method: 'POST', authorization: `Bearer ${KEY}`, body: converseBody });
    // Assess
    expect(response.status).to.equal(200);
    expect(response.headers['content-type']).to.equal('application/vnd.amazon.eventstream');
    expect(corsHeaders(response)['access-control-allow-origin']).to.equal(ALLOWED);
    expect(corsHeaders(response)['access-control-expose-headers']).to.include('x-amzn-RequestId');
    expect(eventsOf(response.body).map(([type]) => type)).to.include('messageStop');
  });

  it('gives an error the same headers, and exposes the error type the SDKs read', async () => {
    // Act
    const response = await browserFetch(url('/model/gpt-4o-mini/converse'), ALLOWED, { method: 'POST', authorization: 'Bearer wrong-key', body: converseBody });
    // Assess
    expect(response.status).to.equal(403);
    expect(response.headers['x-amzn-errortype']).to.equal('AccessDeniedException');
    expect(corsHeaders(response)['access-control-allow-origin']).to.equal(ALLOWED);
    expect(corsHeaders(response)['access-control-expose-headers']!.split(',')).to.include.members(['x-amzn-ErrorType', 'x-amzn-RequestId']);
  });

  it('exposes every X-Amzn-Bedrock-* header an InvokeModel answer carries', async () => {
    // Prepare
    const body = JSON.stringify({ anthropic_version: 'bedrock-2023-05-31', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
    // Act
    const response = await browserFetch(url('/model/anthropic.claude-3-5-sonnet-20240620-v1:0/invoke'), ALLOWED, { method: 'POST', authorization: `Bearer ${KEY}`, body });
    // Assess
    const bedrockHeaders = Object.keys(response.headers).filter((name) => name.startsWith('x-amzn-bedrock-'));
    const exposed = corsHeaders(response)['access-control-expose-headers']!.toLowerCase().split(',');
    expect(response.status).to.equal(200);
    expect(bedrockHeaders.length).to.be.greaterThan(2);
    expect(exposed).to.include.members([...bedrockHeaders, 'x-amzn-requestid', 'x-amzn-errortype']);
  });

  it('gives another origin no CORS header at all: not on the preflight, the answer, the stream or the error', async () => {
    // Act
    const responses = [
      await browserPreflight(url('/model/gpt-4o-mini/converse'), OTHER),
      await browserFetch(url('/model/gpt-4o-mini/converse'), OTHER, { method: 'POST', authorization: `Bearer ${KEY}`, body: converseBody }),
      await browserFetch(url('/model/gpt-4o-mini/converse-stream'), OTHER, { method: 'POST', authorization: `Bearer ${KEY}`, body: converseBody }),
      await browserFetch(url('/model/gpt-4o-mini/converse'), OTHER, { method: 'POST', authorization: 'Bearer wrong-key', body: converseBody }),
    ];
    // Assess
    expect(responses.map((response) => response.status)).to.deep.equal([204, 200, 200, 403]);
    for (const response of responses) {
      expect(corsHeaders(response)).to.deep.equal({});
      expect(response.headers.vary).to.equal('Origin');
    }
  });
});

describe('CORS: off by default', function () {
  this.timeout(20_000);
  let upstream: FakeUpstream;
  let gateway: RunningGateway;

  before(async () => {
    upstream = await startFakeUpstream();
    gateway = await startGateway(upstream, {});
  });
  after(async () => {
    await gateway.close();
    await upstream.close();
  });

  it('sends no CORS header, and a preflight is an ordinary request on a POST-only route (405)', async () => {
    // Act
    const preflight = await browserPreflight(`${gateway.server.url}/model/gpt-4o-mini/converse`, ALLOWED);
    const answer = await browserFetch(`${gateway.server.url}/model/gpt-4o-mini/converse`, ALLOWED, { method: 'POST', authorization: `Bearer ${KEY}`, body: converseBody });
    // Assess
    expect(preflight.status).to.equal(405);
    expect(answer.status).to.equal(200);
    for (const response of [preflight, answer]) {
      expect(corsHeaders(response)).to.deep.equal({});
      expect(response.headers.vary).to.equal(undefined);
    }
  });
});

describe('CORS: the pipeline', () => {
  it('answers a preflight without a request record (no log line, no metrics), as API Gateway\'s mocks do', async () => {
    // Prepare
    const gw = testGateway({ CORS_ALLOWED_ORIGINS: ALLOWED });
    const preflight = { method: 'OPTIONS', path: '/model/x/converse', query: {}, body: '', headers: { origin: ALLOWED, 'access-control-request-method': 'POST' } };
    // Act
    const response = await gw.gateway(preflight);
    await gw.gateway({ ...preflight, method: 'GET', path: '/health', headers: { origin: ALLOWED } });
    // Assess
    expect(response.status).to.equal(204);
    expect(gw.records.map((record) => record.operation)).to.deep.equal(['Health']);
    await gw.close();
  });

  it('echoes any origin with *, and never sends the literal *', async () => {
    // Prepare
    const gw = testGateway({ CORS_ALLOWED_ORIGINS: '*' });
    // Act
    const response = await gw.gateway({ method: 'GET', path: '/health', query: {}, body: '', headers: { origin: 'https://anywhere.example' } });
    // Assess
    expect(response.headers['Access-Control-Allow-Origin']).to.equal('https://anywhere.example');
    await gw.close();
  });
});

describe('CORS: the Lambda handler puts the headers in the streamed prelude', () => {
  it('echoes an allowed origin on a REST event', async () => {
    // Prepare
    const gw = testGateway({ CORS_ALLOWED_ORIGINS: ALLOWED });
    const event = JSON.parse(readFileSync(new URL('../../events/rest-health.json', import.meta.url), 'utf8')) as LambdaHttpEvent & { headers: Record<string, string> };
    event.headers = { ...event.headers, origin: ALLOWED };
    const stream = new CapturedResponseStream();
    // Act
    await createStreamingHandler(gw.gateway)(event, stream.responseStream, {} as Context);
    // Assess
    const { statusCode, headers } = stream.http;
    expect(statusCode).to.equal(200);
    expect(headers['Access-Control-Allow-Origin']).to.equal(ALLOWED);
    expect(headers.Vary).to.equal('Origin');
    await gw.close();
  });
});
