/**
 * The bundled dist/handler.mjs under the real AWS Lambda runtime client (aws-lambda-ric, the client
 * of the nodejs:24 image) against a loopback Runtime API (ric/runtimeApi.ts): every sample event,
 * REST and Function URL, plain and streamed. For each: what the runtime posts (streaming mode,
 * chunked, the HTTP-integration content type), the JSON prelude and the 8-NUL delimiter, the body
 * (JSON, or event-stream frames decoded), chunks arriving as they are produced, and the runtime
 * asking for the next event. Also a mid-stream cut, an empty body (a 204 preflight), the Runtime API
 * dropping a stream's connection, the buffered mode of `sam local` and the init time.
 * Skipped with one line until `npm run setup:lambda-runtime` has built the client; CI builds it.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { splitStreamedBody, type Invocation } from '../../ric/runtimeApi.ts';
import { startRuntimeClient, type RunningRuntimeClient } from '../../ric/runtimeClient.ts';
import { bundle } from '../../scripts/build.ts';
import { startFakeUpstream, type FakeUpstream } from '../../app/dev/fakeUpstream.ts';
import { eventsOf } from '../helpers/eventStream.ts';
import { requireTool, RUNTIME_CLIENT_TOOL } from '../helpers/externalTools.ts';
import { TEST_KEY, TEST_MODEL_MAP } from '../helpers/gateway.ts';

const EVENTS_DIR = new URL('../../events/', import.meta.url);
const INTEGRATION = 'application/vnd.awslambda.http-integration-response';
const ORIGIN = 'https://app.example.com';
/** Milliseconds the fake upstream waits between stream chunks, so arrival times can show streaming. */
const PACE_MS = 40;

type LambdaEvent = { body?: string | null; isBase64Encoded?: boolean; headers?: Record<string, string>; requestContext: { requestId: string; http?: { method: string } }; httpMethod?: string };

const loadEvent = async (file: string): Promise<LambdaEvent> => JSON.parse(await readFile(new URL(file, EVENTS_DIR), 'utf8')) as LambdaEvent;

/** The event with a fake-upstream directive appended to its user text (`[slow:40]`, `[cut]`). */
function withDirective(event: LambdaEvent, directive: string): LambdaEvent {
  const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
  const changed = text.replace(/Say hello( in five words)?\./, (sentence) => `${sentence} ${directive}`);
  if (changed === text) throw new Error(`no user text to direct in ${text.slice(0, 80)}`);
  return { ...event, body: event.isBase64Encoded ? Buffer.from(changed).toString('base64') : changed };
}

function assertStreamedPost(result: Invocation): void {
  expect(result.kind).to.equal('response');
  expect(result.headers['lambda-runtime-function-response-mode']).to.equal('streaming');
  expect(result.headers['transfer-encoding']).to.equal('chunked');
  expect(result.headers['content-type']).to.equal(INTEGRATION);
  expect(result.trailers['lambda-runtime-function-error-type'], 'no error trailers').to.equal(undefined);
}

/** Every route, as the events/ samples name them. */
const ROUTES = ['converse', 'converse-stream', 'count-tokens', 'get-foundation-model', 'health', 'health-deep', 'invoke-anthropic', 'invoke-stream-anthropic', 'invoke-titan-embed', 'list-foundation-models'];

const figures: string[] = [];

describe('The bundled handler under the real Lambda runtime client (aws-lambda-ric)', function () {
  this.timeout(180_000);
  requireTool(RUNTIME_CLIENT_TOOL);

  let dist: string;
  let upstream: FakeUpstream;
  let runtime: RunningRuntimeClient;
  const functionEnv = (): Record<string, string> => ({
    OPENAI_BASE_URL: upstream.baseURL,
    OPENAI_API_KEY: 'sk-fake',
    PROXY_API_KEYS: TEST_KEY,
    MODEL_MAP: JSON.stringify(TEST_MODEL_MAP),
    CORS_ALLOWED_ORIGINS: ORIGIN,
    FUNCTION_TIMEOUT_SECONDS: '900',
    OPENAI_TIMEOUT_MS: '280000',
    LOG_LEVEL: 'WARN',
  });

  before(async () => {
    dist = await mkdtemp(path.join(tmpdir(), 'gateway-ric-'));
    await bundle(dist);
    upstream = await startFakeUpstream();
    runtime = await startRuntimeClient({ taskRoot: dist, env: functionEnv() });
    figures.push(`init (spawn -> first GET /next): ${runtime.initMs.toFixed(0)} ms`);
  });
  after(async () => {
    await runtime?.stop();
    await upstream?.close();
    if (dist) await rm(dist, { recursive: true, force: true });
    if (figures.length > 0) console.log(`      real runtime figures:\n${figures.map((line) => `        ${line}`).join('\n')}`);
  });

  it('starts within a cold start budget (spawn to the first GET /next)', () => {
    // Assess: about 0.3 s on a quiet 2-core machine; the bound only catches a hang or a crash loop.
    expect(runtime.initMs).to.be.a('number').and.below(10_000);
    expect(runtime.api.initErrors).to.deep.equal([]);
  });

  describe('every sample event, streamed', () => {
    let files: string[] = [];
    before(async () => {
      files = (await readdir(EVENTS_DIR)).filter((file) => file.endsWith('.json')).sort();
    });

    it('covers every route of both front doors (the JWT and SigV4 samples, signed for a fixed clock, run in the handler tests)', () => {
      const routes = ROUTES.flatMap((route) => [`rest-${route}.json`, `url-${route}.json`]);
      expect(files).to.include.members(routes);
      expect(files.filter((file) => !routes.includes(file)).every((file) => /-(jwt|sigv4)\.json$/.test(file))).to.equal(true);
    });

    for (const prefix of ['rest', 'url']) {
      for (const route of ROUTES) {
        const file = `${prefix}-${route}.json`;
        const streamed = route.includes('stream');
        it(`${file}: ${streamed ? 'event-stream frames arriving as the upstream produces them' : 'a JSON answer'}`, async () => {
          // Prepare
          const original = await loadEvent(file);
          const event = streamed ? withDirective(original, `[slow:${PACE_MS}]`) : original;
          // Act
          const result = await runtime.api.invoke(event);
          await runtime.api.whenIdle();
          // Assess: the POST
          assertStreamedPost(result);
          const { prelude, delimiter, body } = splitStreamedBody(result.body);
          expect(delimiter, '8-NUL delimiter after the prelude').to.equal(true);
          const { statusCode, headers } = prelude as { statusCode: number; headers: Record<string, string> };
          expect(statusCode, body.toString()).to.equal(200);
          expect(headers['x-amzn-RequestId']).to.equal(original.requestContext.requestId);
          figures.push(`${file}: ${(result.endedAt! - result.deliveredAt!).toFixed(1)} ms, ${result.chunks.length} chunks, ${result.body.length} bytes`);
          if (!streamed) {
            expect(headers['content-type']).to.equal('application/json');
            expect(JSON.parse(body.toString('utf8'))).to.be.an('object');
            return;
          }
          // Assess: the frames, and their arrival spread over the upstream's pace
          expect(headers['content-type']).to.equal('application/vnd.amazon.eventstream');
          const types = eventsOf(body).map(([type]) => type);
          expect(types.some((type) => type.startsWith('!')), types.join(',')).to.equal(false);
          expect(types.length).to.be.greaterThan(4);
          const delimiterAt = result.chunks.findIndex((chunk) => chunk.bytes.length === 8 && chunk.bytes.every((byte) => byte === 0));
          const frames = result.chunks.slice(delimiterAt + 1).filter((chunk) => chunk.bytes.length > 0);
          expect(frames.length, 'frames arrive as separate chunks').to.be.greaterThan(3);
          const spread = frames.at(-1)!.at - frames[0]!.at;
          expect(spread, `first to last frame, with ${PACE_MS} ms between upstream chunks`).to.be.greaterThan(PACE_MS * 3);
        });
      }
    }
  });

  it('ends a stream the upstream cuts with a modelStreamErrorException frame, not an error trailer', async () => {
    // Prepare
    const event = withDirective(await loadEvent('rest-converse-stream.json'), '[cut]');
    // Act
    const result = await runtime.api.invoke(event);
    await runtime.api.whenIdle();
    // Assess
    assertStreamedPost(result);
    const { prelude, body } = splitStreamedBody(result.body);
    expect((prelude as { statusCode: number }).statusCode).to.equal(200);
    const types = eventsOf(body).map(([type]) => type);
    expect(types.at(-1)).to.equal('!modelStreamErrorException');
    expect(types).to.not.include('messageStop');
  });

  it('sends the prelude of an empty body (a 204 CORS preflight through a Function URL)', async () => {
    // Prepare
    const health = await loadEvent('url-health.json');
    const event = {
      ...health,
      headers: { ...health.headers, origin: ORIGIN, 'access-control-request-method': 'POST' },
      requestContext: { ...health.requestContext, requestId: 'url-preflight-0001', http: { ...health.requestContext.http!, method: 'OPTIONS' } },
    };
    // Act
    const result = await runtime.api.invoke(event);
    await runtime.api.whenIdle();
    // Assess
    assertStreamedPost(result);
    const { prelude, delimiter, body } = splitStreamedBody(result.body);
    expect(delimiter).to.equal(true);
    expect(prelude).to.deep.include({ statusCode: 204 });
    expect((prelude as { headers: Record<string, string> }).headers['Access-Control-Allow-Origin']).to.equal(ORIGIN);
    expect(body.length).to.equal(0);
  });

  it('survives the Runtime API dropping a stream\'s connection, and serves the next event', async () => {
    // Prepare
    const event = withDirective(await loadEvent('rest-converse-stream.json'), '[slow:50]');
    // Act
    const dropped = await runtime.api.invoke(event, { abortPostAfterMs: 120 });
    await runtime.api.whenIdle();
    const next = await runtime.api.invoke(await loadEvent('rest-health.json'));
    // Assess
    expect(dropped.kind).to.equal('response-aborted');
    expect(runtime.child.exitCode, runtime.output().slice(-1500)).to.equal(null);
    expect(runtime.output()).to.include('unhandled rejection (process kept alive)');
    expect(runtime.output()).to.not.match(/\n\s+at .*\.m?js:\d+/);
    assertStreamedPost(next);
    expect((splitStreamedBody(next.body).prelude as { statusCode: number }).statusCode).to.equal(200);
  });

  describe('buffered mode (AWS_SAM_LOCAL=true, as under sam local)', () => {
    let buffered: RunningRuntimeClient;
    before(async () => {
      buffered = await startRuntimeClient({ taskRoot: dist, env: { ...functionEnv(), AWS_SAM_LOCAL: 'true' } });
    });
    after(async () => buffered?.stop());

    const cases: [string, number, boolean][] = [
      ['rest-converse.json', 200, false],
      ['rest-converse-stream.json', 200, true],
      ['url-invoke-stream-anthropic.json', 200, true],
      ['rest-list-foundation-models.json', 200, false],
    ];
    for (const [file, status, base64] of cases) {
      it(`${file}: one proxy result, posted whole`, async () => {
        // Act
        const result = await buffered.api.invoke(await loadEvent(file));
        await buffered.api.whenIdle();
        // Assess
        expect(result.kind).to.equal('response');
        expect(result.headers['content-type']).to.equal('application/json');
        expect(result.headers['lambda-runtime-function-response-mode']).to.equal(undefined);
        const proxy = JSON.parse(result.body.toString('utf8')) as { statusCode: number; isBase64Encoded: boolean; body: string };
        expect(proxy.statusCode).to.equal(status);
        expect(proxy.isBase64Encoded).to.equal(base64);
        if (base64) expect(eventsOf(Buffer.from(proxy.body, 'base64')).map(([type]) => type)).to.not.include.members(['!modelStreamErrorException']);
        else expect(JSON.parse(proxy.body)).to.be.an('object');
      });
    }

    it('answers a wrong key with a 403 proxy result in the Bedrock error shape', async () => {
      // Prepare
      const event = await loadEvent('rest-converse.json');
      event.headers = { ...event.headers, authorization: 'Bearer wrong' };
      // Act
      const result = await buffered.api.invoke(event);
      // Assess
      const proxy = JSON.parse(result.body.toString('utf8')) as { statusCode: number; headers: Record<string, string>; body: string };
      expect(proxy.statusCode).to.equal(403);
      expect(proxy.headers['x-amzn-ErrorType']).to.equal('AccessDeniedException');
      expect(JSON.parse(proxy.body)).to.have.property('message');
    });
  });
});
