/** The core pipeline with fake dependencies: routing, auth, limits, errors and the per-request record. */
import { expect } from 'chai';
import { loadConfig } from '../../../app/config/config.ts';
import { accessDenied } from '../../../app/core/errors.ts';
import { createGateway } from '../../../app/gateway/pipeline.ts';
import type { GatewayRequest } from '../../../app/core/request.ts';
import type { GatewayResponse } from '../../../app/core/response.ts';
import { ModelCatalog } from '../../../app/models/catalog.ts';
import { createModelResolver } from '../../../app/models/resolve.ts';
import type { RequestRecord } from '../../../app/observability/requestRecord.ts';
import { noTracing, type Tracing } from '../../../app/observability/tracing.ts';
import type { Caller } from '../../../app/core/caller.ts';
import type { GatewayDeps } from '../../../app/operations/context.ts';
import type { Upstream } from '../../../app/upstream/upstream.ts';
import { fakeUpstream } from '../../helpers/fakes.ts';
import { chatChunk } from '../../helpers/chunks.ts';

const encoder = new TextEncoder();

function setup(upstream: Partial<Upstream> = {}, options: { authorized?: boolean; maxBody?: string; caller?: Caller; tracing?: Tracing } = {}) {
  const records: RequestRecord[] = [];
  const config = loadConfig({ MAX_BODY_BYTES: options.maxBody ?? '2048' });
  const fullUpstream = fakeUpstream(upstream);
  const deps: GatewayDeps = {
    config,
    upstream: fullUpstream,
    catalog: new ModelCatalog({ modelMap: {}, listUpstream: () => fullUpstream.listModels(), cacheSeconds: 0, region: 'us-east-1' }),
    resolveModel: createModelResolver({}),
    tracing: options.tracing ?? noTracing,
    health: { deep: async () => ({ secrets: 'ok', upstream: 'ok' }) },
  };
  let authCalls = 0;
  const gateway = createGateway({
    deps,
    auth: {
      async authenticate() {
        authCalls++;
        if (options.authorized === false) throw accessDenied();
        return options.caller ?? { name: 'test-caller', method: 'api-key' };
      },
    },
    telemetry: { record: (record) => records.push({ ...record }) },
  });
  return { gateway, records, authCalls: () => authCalls };
}

function request(method: string, path: string, body: unknown = undefined, extra: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method,
    path,
    query: {},
    headers: {},
    body: body === undefined ? new Uint8Array(0) : encoder.encode(typeof body === 'string' ? body : JSON.stringify(body)),
    ...extra,
  };
}

const json = (response: GatewayResponse) => {
  if (response.kind !== 'buffered') throw new Error('expected a buffered response');
  return JSON.parse(new TextDecoder().decode(response.body));
};

const converseBody = { messages: [{ role: 'user', content: [{ text: 'hi' }] }] };

describe('Pipeline', () => {
  it('answers /health without asking the caller for a key', async () => {
    // Prepare
    const { gateway, authCalls, records } = setup({}, { authorized: false });
    // Act
    const response = await gateway(request('GET', '/health'));
    // Assess
    expect(response.status).to.equal(200);
    expect(json(response)).to.deep.equal({ status: 'ok' });
    expect(authCalls()).to.equal(0);
    expect(records[0]).to.include({ operation: 'Health', status: 200 });
  });

  it('authorizes every model route before running it', async () => {
    // Prepare
    let called = false;
    const { gateway } = setup({ chat: async () => ((called = true), {} as never) }, { authorized: false });
    // Act
    const response = await gateway(request('POST', '/model/gpt-4o/converse', converseBody));
    // Assess
    expect(response.status).to.equal(403);
    expect(response.headers['x-amzn-ErrorType']).to.equal('AccessDeniedException');
    expect(called).to.equal(false);
  });

  it('rejects a body over the limit with 413 ValidationException', async () => {
    // Prepare
    const { gateway, records } = setup({}, { maxBody: '1024' });
    // Act
    const response = await gateway(request('POST', '/model/gpt-4o/converse', 'x'.repeat(1025)));
    // Assess
    expect(response.status).to.equal(413);
    expect(response.headers['x-amzn-ErrorType']).to.equal('ValidationException');
    expect(records[0]).to.include({ status: 413, exception: 'ValidationException' });
  });

  it('counts a text body (a Lambda plain body) in UTF-8 bytes against the limit', async () => {
    // Prepare: 600 two-byte characters, 1,200 bytes, 600 string units
    const { gateway } = setup({}, { maxBody: '1024' });
    // Act
    const response = await gateway(request('POST', '/model/gpt-4o/converse', undefined, { body: 'é'.repeat(600) }));
    // Assess
    expect(response.status).to.equal(413);
  });

  it('parses a text body as it is (no byte round trip) and hands it to the operation', async () => {
    // Prepare
    let sent: unknown;
    const { gateway } = setup({ chat: async (params) => ((sent = params.messages), { choices: [{ message: { content: 'ok' }, finish_reason: 'stop' }] } as never) });
    // Act
    const response = await gateway(request('POST', '/model/gpt-4o/converse', undefined, { body: JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'héllo' }] }] }) }));
    // Assess
    expect(response.status).to.equal(200);
    expect(sent).to.deep.equal([{ role: 'user', content: [{ type: 'text', text: 'héllo' }] }]);
  });

  it('reads a pending body once, after authorizing, with the configured limit', async () => {
    // Prepare
    const reads: number[] = [];
    const { gateway } = setup({}, { authorized: false });
    const reader = async (limit: number) => (reads.push(limit), { body: new Uint8Array(0), byteLength: 0 });
    // Act
    const refused = await gateway(request('POST', '/model/gpt-4o/converse', undefined, { body: reader }));
    const health = await gateway(request('GET', '/health', undefined, { body: reader }));
    // Assess: the unauthenticated call never read its body
    expect(refused.status).to.equal(403);
    expect(health.status).to.equal(200);
    expect(reads).to.deep.equal([2048]);
  });

  it('uses the adapter request id in the header and the record, or makes one', async () => {
    // Prepare
    const { gateway, records } = setup();
    // Act
    const given = await gateway(request('GET', '/health', undefined, { requestId: 'req-123' }));
    const made = await gateway(request('GET', '/health'));
    // Assess
    expect(given.headers['x-amzn-RequestId']).to.equal('req-123');
    expect(records[0]!.requestId).to.equal('req-123');
    expect(made.headers['x-amzn-RequestId']).to.match(/^[0-9a-f-]{36}$/);
  });

  it('turns an unexpected failure into a generic InternalServerException, keeping only name and redacted message for the log', async () => {
    // Prepare
    const { gateway, records } = setup({
      chat: async () => {
        throw new TypeError('cannot read sk-abcdefghijklmnop of undefined');
      },
    });
    // Act
    const response = await gateway(request('POST', '/model/gpt-4o/converse', converseBody));
    // Assess
    expect(response.status).to.equal(500);
    const body = json(response);
    expect(body.message).to.not.include('TypeError');
    expect(records[0]!.internalError).to.equal('TypeError: cannot read [redacted] of undefined');
    expect(records[0]!.internalError).to.not.include(' at ');
  });

  it('records a streamed response once, when its body has been consumed', async () => {
    // Prepare
    const chunk = chatChunk;
    const { gateway, records } = setup({
      chatStream: async () =>
        (async function* () {
          yield chunk({ content: 'Hi' }) as never;
          yield chunk({}, 'stop') as never;
        })(),
    });
    // Act
    const response = await gateway(request('POST', '/model/gpt-4o/converse-stream', converseBody));
    const recordedBeforeBody = records.length;
    if (response.kind !== 'stream') throw new Error('expected a stream');
    const frames: Uint8Array[] = [];
    for await (const frame of response.body) frames.push(frame);
    // Assess
    expect(frames).to.not.be.empty;
    for (const frame of frames) expect(frame.byteLength).to.be.greaterThan(0);
    expect(recordedBeforeBody).to.equal(0);
    expect(records).to.have.length(1);
    expect(records[0]).to.include({ operation: 'ConverseStream', status: 200, streamed: true });
    expect(response.headers['content-type']).to.equal('application/vnd.amazon.eventstream');
  });

  it('routes unknown paths and wrong methods to Bedrock-shaped errors', async () => {
    // Prepare
    const { gateway } = setup();
    // Act
    const unknown = await gateway(request('GET', '/nope'));
    const wrongMethod = await gateway(request('GET', '/model/gpt-4o/converse'));
    // Assess
    expect([unknown.status, unknown.headers['x-amzn-ErrorType']]).to.deep.equal([404, 'ResourceNotFoundException']);
    expect([wrongMethod.status, wrongMethod.headers['x-amzn-ErrorType']]).to.deep.equal([405, 'ValidationException']);
    expect(json(unknown)).to.have.keys(['message']);
  });

  it('attributes the request to its caller: on the record, and on a trace span around the operation', async () => {
    // Prepare
    const spans: Array<[string, unknown]> = [];
    const tracing: Tracing = { span: (name, work, annotations) => (spans.push([name, annotations]), work()) };
    const { gateway, records } = setup({}, { caller: { name: 'alice', method: 'jwt' }, tracing });
    // Act
    await gateway(request('GET', '/foundation-models'));
    // Assess
    expect(records[0]).to.include({ caller: 'alice', authMethod: 'jwt', status: 200 });
    expect(spans).to.deep.equal([['gateway.ListFoundationModels', { caller: 'alice', authMethod: 'jwt' }]]);
  });

  it('names no caller on a refused request or on the health check', async () => {
    // Prepare
    const refused = setup({}, { authorized: false });
    const open = setup();
    // Act
    await refused.gateway(request('GET', '/foundation-models'));
    await open.gateway(request('GET', '/health'));
    // Assess
    expect(refused.records[0]).to.not.have.property('caller');
    expect(open.records[0]).to.not.have.property('caller');
  });

  it("refuses a model outside the caller's allow-list with Bedrock's wording, before any upstream call", async () => {
    // Prepare
    let called = false;
    const { gateway, records } = setup({ chat: async () => ((called = true), {} as never) }, { caller: { name: 'limited', method: 'api-key', allowedModels: ['gpt-4o-mini'] } });
    // Act
    const response = await gateway(request('POST', '/model/gpt-4o/converse', converseBody));
    // Assess
    expect(response.status).to.equal(403);
    expect(response.headers['x-amzn-ErrorType']).to.equal('AccessDeniedException');
    expect(json(response).message).to.equal("You don't have access to the model with the specified model ID.");
    expect(called).to.equal(false);
    expect(records[0]).to.include({ caller: 'limited', status: 403 });
  });

  for (const action of ['converse-stream', 'invoke', 'invoke-with-response-stream', 'count-tokens']) {
    it(`enforces the allow-list on ${action} too`, async () => {
      // Prepare
      const { gateway } = setup({}, { caller: { name: 'limited', method: 'api-key', allowedModels: ['gpt-4o-mini'] } });
      // Act
      const response = await gateway(request('POST', `/model/gpt-4o/${action}`, converseBody));
      // Assess
      expect(response.status).to.equal(403);
      expect(response.headers['x-amzn-ErrorType']).to.equal('AccessDeniedException');
    });
  }

  it('lists and gets only the models a caller may use', async () => {
    // Prepare
    const models = ['gpt-4o', 'gpt-4o-mini', 'o3'].map((id) => ({ id, object: 'model' as const, created: 0, owned_by: 'openai' }));
    const { gateway } = setup({ listModels: async () => models }, { caller: { name: 'limited', method: 'api-key', allowedModels: ['gpt-4o*'] } });
    // Act
    const list = await gateway(request('GET', '/foundation-models'));
    const allowed = await gateway(request('GET', '/foundation-models/gpt-4o-mini'));
    const refused = await gateway(request('GET', '/foundation-models/o3'));
    // Assess
    expect(json(list).modelSummaries.map((m: { modelId: string }) => m.modelId)).to.deep.equal(['gpt-4o', 'gpt-4o-mini']);
    expect(allowed.status).to.equal(200);
    expect(refused.status).to.equal(403);
    expect(refused.headers['x-amzn-ErrorType']).to.equal('AccessDeniedException');
  });
});
