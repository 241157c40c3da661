/**
 * The Lambda adapters driven by every sample event in events/, through the real core,
 * with the upstream mocked by nock.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { expect } from 'chai';
import nock from 'nock';
import { createBufferedHandler, createStreamingHandler } from '../../app/lambda/handlers.ts';
import type { LambdaHttpEvent } from '../../app/lambda/event.ts';
import { eventsOf } from '../helpers/eventStream.ts';
import { SAMPLE_AUTH_ENV, SAMPLE_AUTH_OPTIONS, testGateway } from '../helpers/gateway.ts';
import { echoChat, embeddings, failWith, models, sse, textChunks, upstream, upstreamPath } from '../helpers/nockUpstream.ts';
import { CapturedResponseStream } from '../helpers/responseStream.ts';
import type { Context } from 'aws-lambda';

const EVENTS_DIR = new URL('../../events/', import.meta.url);
const eventFiles = readdirSync(EVENTS_DIR).filter((f) => f.endsWith('.json')).sort();
const loadEvent = (file: string): LambdaHttpEvent => JSON.parse(readFileSync(new URL(file, EVENTS_DIR), 'utf8'));
const context = {} as Context;

/** Mocks whatever upstream call the sample needs. */
/** The gateway every sample authenticates against: the test key, and the sample SigV4 credential and JWT issuer. */
const sampleGateway = () => testGateway(SAMPLE_AUTH_ENV, 'lambda', SAMPLE_AUTH_OPTIONS);

function mockFor(file: string) {
  if (file.includes('titan-embed')) return embeddings(256);
  if (file.includes('foundation-model') || file.includes('health-deep')) return models();
  if (file.includes('converse') || file.includes('invoke')) return echoChat();
  return undefined;
}

function assertBody(file: string, contentType: string, body: Buffer) {
  if (file.includes('stream')) {
    expect(contentType).to.equal('application/vnd.amazon.eventstream');
    const events = eventsOf(body);
    expect(events.length).to.be.greaterThan(2);
    expect(events.some(([type]) => type.startsWith('!'))).to.equal(false);
    return;
  }
  const json = JSON.parse(body.toString('utf8'));
  if (file.includes('-converse')) expect(json.output.message.content[0].text).to.equal('Hello there');
  else if (file.includes('invoke-anthropic')) expect(json.content[0]).to.deep.equal({ type: 'text', text: 'Hello there' });
  else if (file.includes('titan-embed')) expect(json.embedding).to.have.length(256);
  else if (file.includes('count-tokens')) expect(json.inputTokens).to.be.a('number').greaterThan(0);
  else if (file.includes('list-foundation-models')) expect(json.modelSummaries.map((m: { modelId: string }) => m.modelId)).to.include('gpt-4o-mini');
  else if (file.includes('get-foundation-model')) expect(json.modelDetails.modelName).to.equal('gpt-4o');
  else if (file.includes('health-deep')) expect(json).to.deep.equal({ status: 'ok', checks: { secrets: 'ok', upstream: 'ok' } });
  else if (file.includes('health')) expect(json).to.deep.equal({ status: 'ok' });
  else throw new Error(`no assertion for ${file}`);
}

describe('Lambda handlers: every sample event', () => {
  afterEach(() => nock.cleanAll());

  for (const file of eventFiles) {
    it(`streaming handler serves ${file}`, async () => {
      // Prepare
      const gw = sampleGateway();
      const scope = mockFor(file);
      const stream = new CapturedResponseStream();
      // Act
      await createStreamingHandler(gw.gateway)(loadEvent(file), stream.responseStream, context);
      // Assess
      const { statusCode, headers, body } = stream.http;
      expect(statusCode, body.toString()).to.equal(200);
      expect(headers['x-amzn-RequestId']).to.match(/^(rest|url)-/);
      assertBody(file, headers['content-type'] ?? '', body);
      scope?.done();
      expect(stream.writableEnded).to.equal(true);
      expect(gw.records).to.have.length(1);
      const method = file.includes('sigv4') ? 'sigv4' : file.includes('jwt') ? 'jwt' : file.includes('health') ? undefined : 'api-key';
      expect(gw.records[0]?.authMethod).to.equal(method);
    });

    it(`buffered (sam local) handler serves ${file}`, async () => {
      // Prepare
      const gw = sampleGateway();
      const scope = mockFor(file);
      // Act
      const result = await createBufferedHandler(gw.gateway)(loadEvent(file));
      // Assess
      expect(result.statusCode, result.body).to.equal(200);
      const body = Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
      expect(result.isBase64Encoded).to.equal(file.includes('stream'));
      assertBody(file, String(result.headers?.['content-type']), body);
      scope?.done();
    });
  }
});

describe('Lambda handlers: errors and streaming behaviour', () => {
  afterEach(() => nock.cleanAll());
  const converseEvent = () => loadEvent('rest-converse.json') as { headers: Record<string, string>; body: string | null };

  async function invoke(event: unknown, env: Record<string, string> = {}) {
    const gw = testGateway(env);
    const stream = new CapturedResponseStream();
    await createStreamingHandler(gw.gateway)(event as LambdaHttpEvent, stream.responseStream, context);
    return { ...stream.http, records: gw.records, stream };
  }

  const cases: Array<{ name: string; status: number; mock: () => nock.Scope; type: string; members?: Record<string, unknown> }> = [
    { name: 'upstream 429', status: 429, mock: () => failWith(429, 'Rate limit reached'), type: 'ThrottlingException' },
    { name: 'upstream 400', status: 400, mock: () => failWith(400, "Invalid 'temperature'"), type: 'ValidationException' },
    { name: 'upstream 500', status: 424, mock: () => failWith(500, 'boom'), type: 'ModelErrorException', members: { originalStatusCode: 500 } },
    { name: 'upstream 503', status: 503, mock: () => failWith(503, 'overloaded'), type: 'ServiceUnavailableException' },
    { name: 'upstream 404', status: 404, mock: () => failWith(404, 'The model `gpt-9` does not exist'), type: 'ResourceNotFoundException' },
    { name: 'upstream 401 (the gateway key)', status: 500, mock: () => failWith(401, 'Incorrect API key provided: sk-test***', 'invalid_api_key', 2), type: 'InternalServerException' },
    {
      name: 'unparseable upstream reply',
      status: 424,
      mock: () => upstream().post(upstreamPath('/chat/completions')).reply(200, '<html>oops</html>', { 'content-type': 'application/json' }),
      type: 'ModelErrorException',
    },
  ];
  for (const c of cases) {
    it(`maps ${c.name} to ${c.type} ${c.status}`, async () => {
      // Prepare
      c.mock();
      // Act
      const { statusCode, headers, body } = await invoke(converseEvent());
      // Assess
      expect(statusCode).to.equal(c.status);
      expect(headers['x-amzn-ErrorType']).to.equal(c.type);
      const json = JSON.parse(body.toString());
      expect(json).to.have.property('message').that.is.a('string');
      expect(json).to.not.have.property('code');
      expect(JSON.stringify(json)).to.not.match(/sk-test|at .*\.ts:/);
      if (c.members) expect(json).to.include(c.members);
    });
  }

  const signedCases: ReadonlyArray<readonly [string, string, (event: Record<string, any>) => void, Record<string, string>, number | undefined, string]> = [
    ['a REST event whose body changed after signing', 'rest-converse-sigv4.json', (e) => (e.body = e.body.replace('five', 'six')), SAMPLE_AUTH_ENV, undefined, 'InvalidSignatureException'],
    ['a Function URL event whose body changed after signing', 'url-converse-sigv4.json', (e) => (e.body = Buffer.from(Buffer.from(e.body, 'base64').toString().replace('five', 'six')).toString('base64')), SAMPLE_AUTH_ENV, undefined, 'InvalidSignatureException'],
    ['a REST event replayed 6 minutes later', 'rest-converse-sigv4.json', () => undefined, SAMPLE_AUTH_ENV, 6 * 60_000, 'InvalidSignatureException'],
    ['a REST event signed with a key this gateway did not issue', 'rest-converse-sigv4.json', () => undefined, { SIGV4_CREDENTIALS: JSON.stringify({ AKIDOTHERGATEWAY01: { secretAccessKey: 'x'.repeat(40) } }) }, undefined, 'UnrecognizedClientException'],
    ['a REST event retargeted to another stage', 'rest-converse-sigv4.json', (e) => (e.requestContext.path = e.requestContext.path.replace('/prod/', '/dev/'), (e.requestContext.stage = 'dev')), SAMPLE_AUTH_ENV, undefined, 'InvalidSignatureException'],
    ['the JWT sample an hour and a half after it was issued', 'rest-converse-jwt.json', () => undefined, SAMPLE_AUTH_ENV, 90 * 60_000, 'AccessDeniedException'],
  ];
  for (const [label, file, change, env, later, exception] of signedCases) {
    it(`refuses ${label} with 403 ${exception}, without calling upstream`, async () => {
      // Prepare
      const event = loadEvent(file) as unknown as Record<string, any>;
      change(event);
      const gw = testGateway(env, 'lambda', { ...SAMPLE_AUTH_OPTIONS, now: () => SAMPLE_AUTH_OPTIONS.now!() + (later ?? 0) });
      const stream = new CapturedResponseStream();
      // Act
      await createStreamingHandler(gw.gateway)(event as LambdaHttpEvent, stream.responseStream, context);
      // Assess
      expect(stream.http.statusCode).to.equal(403);
      expect(stream.http.headers['x-amzn-ErrorType']).to.equal(exception);
      expect(gw.records[0]?.caller).to.equal(undefined);
    });
  }

  it('rejects a missing key with 403 AccessDeniedException, without calling upstream', async () => {
    // Prepare
    const event = converseEvent();
    delete event.headers.authorization;
    // Act
    const { statusCode, headers } = await invoke(event);
    // Assess
    expect(statusCode).to.equal(403);
    expect(headers['x-amzn-ErrorType']).to.equal('AccessDeniedException');
  });

  it('fails closed when the Lambda has no caller keys configured', async () => {
    // Act
    const { statusCode, headers } = await invoke(converseEvent(), { PROXY_API_KEYS: '' });
    // Assess
    expect(statusCode).to.equal(403);
    expect(headers['x-amzn-ErrorType']).to.equal('AccessDeniedException');
  });

  it('turns malformed JSON into a 400 ValidationException', async () => {
    // Prepare
    const event = { ...converseEvent(), body: '{"messages": [' };
    // Act
    const { statusCode, headers, body } = await invoke(event);
    // Assess
    expect(statusCode).to.equal(400);
    expect(headers['x-amzn-ErrorType']).to.equal('ValidationException');
    expect(JSON.parse(body.toString()).message).to.match(/not valid JSON/);
  });

  it('names the field of a schema error', async () => {
    // Prepare
    const event = { ...converseEvent(), body: JSON.stringify({ messages: [{ role: 'robot', content: [{ text: 'hi' }] }] }) };
    // Act
    const { statusCode, body } = await invoke(event);
    // Assess
    expect(statusCode).to.equal(400);
    expect(JSON.parse(body.toString()).message).to.include('messages[0].role');
  });

  it('ends a stream cut by the upstream with an exception frame, not a clean end_turn', async () => {
    // Prepare
    upstream()
      .post(upstreamPath('/chat/completions'))
      .reply(200, sse(textChunks(['Hello', ' wor']).slice(0, 3), false), { 'content-type': 'text/event-stream' });
    // Act
    const { statusCode, body, records } = await invoke(loadEvent('rest-converse-stream.json'));
    // Assess
    expect(statusCode).to.equal(200);
    const events = eventsOf(body);
    const last = events.at(-1)!;
    expect(last[0]).to.equal('!modelStreamErrorException');
    expect(events.map(([t]) => t)).to.not.include('messageStop');
    expect(records[0]!.exception).to.equal('ModelStreamErrorException');
  });

  it('writes ConverseStream events in Bedrock order and records tokens after the stream', async () => {
    // Prepare
    upstream().post(upstreamPath('/chat/completions')).reply(200, sse(textChunks(['A', 'B', 'C'])), { 'content-type': 'text/event-stream' });
    // Act
    const { body, records } = await invoke(loadEvent('url-converse-stream.json'));
    // Assess
    expect(eventsOf(body).map(([type]) => type)).to.deep.equal([
      'messageStart', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockDelta', 'contentBlockStop', 'messageStop', 'metadata',
    ]);
    expect(records[0]).to.include({ operation: 'ConverseStream', status: 200, inputTokens: 9, outputTokens: 3, streamed: true });
    expect(records[0]!.timeToFirstTokenMs).to.be.a('number');
  });
});
