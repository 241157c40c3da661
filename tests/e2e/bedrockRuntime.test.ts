/**
 * End to end: the real local server, driven by the unmodified AWS SDK for JavaScript v3
 * (default HTTP/2 handler and NodeHttpHandler), against the loopback fake upstream.
 */
import { expect } from 'chai';
import {
  AccessDeniedException,
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ModelStreamErrorException,
  ThrottlingException,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { BedrockClient, GetFoundationModelCommand, ListFoundationModelsCommand } from '@aws-sdk/client-bedrock';
import { TEST_KEY } from '../helpers/gateway.ts';
import { runtimeClient, TRANSPORTS, useHarness } from './harness.ts';

const CLAUDE = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const user = (text: string) => [{ role: 'user' as const, content: [{ text }] }];

async function collect(stream: AsyncIterable<ConverseStreamOutput> | undefined) {
  const events: Array<{ type: string; value: any; at: number }> = [];
  for await (const event of stream ?? []) {
    const [type, value] = Object.entries(event).find(([, v]) => v !== undefined)!;
    events.push({ type, value, at: performance.now() });
  }
  return events;
}

describe('E2E: BedrockRuntimeClient against the local server', function () {
  this.timeout(30_000);
  const harnessOf = useHarness();

  for (const [transport, label] of TRANSPORTS) {
    describe(`over ${label}`, () => {
      it('Converse returns the model text, stop reason and usage', async () => {
        // Prepare
        const client = runtimeClient(harnessOf().url, transport);
        // Act
        const out = await client.send(new ConverseCommand({ modelId: CLAUDE, messages: user('hello gateway') }));
        // Assess
        expect(out.output?.message?.content?.[0]?.text).to.equal('Echo: hello gateway');
        expect(out.stopReason).to.equal('end_turn');
        expect(out.usage?.inputTokens).to.be.greaterThan(0);
        expect(out.metrics?.latencyMs).to.be.a('number');
        expect(out.$metadata.requestId).to.be.a('string').and.not.empty;
        client.destroy();
      });

      it('ConverseStream streams text events in Bedrock order', async () => {
        // Prepare
        const client = runtimeClient(harnessOf().url, transport);
        // Act
        const out = await client.send(new ConverseStreamCommand({ modelId: 'gpt-4o-mini', messages: user('stream me please') }));
        const events = await collect(out.stream);
        // Assess
        const types = events.map((e) => e.type);
        expect(types[0]).to.equal('messageStart');
        expect(types.slice(-3)).to.deep.equal(['contentBlockStop', 'messageStop', 'metadata']);
        const text = events.filter((e) => e.type === 'contentBlockDelta').map((e) => e.value.delta.text).join('');
        expect(text).to.equal('Echo: stream me please');
        expect(events.at(-1)!.value.usage.outputTokens).to.be.greaterThan(0);
        client.destroy();
      });

      it('ConverseStream assembles parallel tool calls on distinct block indexes', async () => {
        // Prepare
        const client = runtimeClient(harnessOf().url, transport);
        const toolConfig = {
          tools: ['get_weather', 'get_time'].map((name) => ({
            toolSpec: { name, description: name, inputSchema: { json: { type: 'object', properties: { query: { type: 'string' } } } } },
          })),
        };
        // Act
        const out = await client.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: user('[tools:2] Paris'), toolConfig }));
        const events = await collect(out.stream);
        // Assess
        const starts = events.filter((e) => e.type === 'contentBlockStart');
        expect(starts.map((e) => [e.value.contentBlockIndex, e.value.start.toolUse.name])).to.deep.equal([
          [0, 'get_weather'],
          [1, 'get_time'],
        ]);
        for (const index of [0, 1]) {
          const input = events
            .filter((e) => e.type === 'contentBlockDelta' && e.value.contentBlockIndex === index)
            .map((e) => e.value.delta.toolUse.input)
            .join('');
          expect(JSON.parse(input)).to.deep.equal({ query: 'Paris' });
          expect(events.filter((e) => e.type === 'contentBlockStop' && e.value.contentBlockIndex === index)).to.have.length(1);
        }
        expect(events.find((e) => e.type === 'messageStop')!.value.stopReason).to.equal('tool_use');
        client.destroy();
      });

      it('ConverseStream surfaces an upstream cut as a stream exception', async () => {
        // Prepare
        const client = runtimeClient(harnessOf().url, transport);
        // Act
        const out = await client.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: user('[cut] this will break') }));
        let caught: unknown;
        const seen: string[] = [];
        try {
          for (const event of await collect(out.stream)) seen.push(event.type);
        } catch (error) {
          caught = error;
        }
        // Assess
        expect(caught).to.be.instanceOf(ModelStreamErrorException);
        client.destroy();
      });

      it('ConverseStream sends the first event before a slow upstream has finished', async () => {
        // Prepare: the fake upstream waits 150 ms between SSE chunks (about 8 chunks).
        const client = runtimeClient(harnessOf().url, transport);
        const started = performance.now();
        // Act
        const out = await client.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: user('[slow:150] one two three four') }));
        const events = await collect(out.stream);
        const finished = performance.now();
        // Assess
        const firstDelta = events.find((e) => e.type === 'contentBlockDelta')!;
        expect(firstDelta.at - started).to.be.lessThan((finished - started) / 2);
        expect(finished - firstDelta.at).to.be.greaterThan(500);
        client.destroy();
      });
    });
  }

  it('an unmodified client configured only by AWS_BEARER_TOKEN_BEDROCK and an endpoint works (default HTTP/2)', async () => {
    // Prepare: exactly what a newcomer does: the env var and the endpoint, nothing else.
    const saved = { token: process.env.AWS_BEARER_TOKEN_BEDROCK, id: process.env.AWS_ACCESS_KEY_ID };
    process.env.AWS_BEARER_TOKEN_BEDROCK = TEST_KEY;
    delete process.env.AWS_ACCESS_KEY_ID;
    const client = new BedrockRuntimeClient({ region: 'us-east-1', endpoint: harnessOf().url });
    try {
      // Act
      const out = await client.send(new ConverseCommand({ modelId: CLAUDE, messages: user('env token') }));
      // Assess
      expect(out.output?.message?.content?.[0]?.text).to.equal('Echo: env token');
    } finally {
      client.destroy();
      if (saved.token === undefined) delete process.env.AWS_BEARER_TOKEN_BEDROCK;
      else process.env.AWS_BEARER_TOKEN_BEDROCK = saved.token;
      if (saved.id !== undefined) process.env.AWS_ACCESS_KEY_ID = saved.id;
    }
  });

  it('InvokeModel serves an Anthropic Messages body with token headers', async () => {
    // Prepare
    const client = runtimeClient(harnessOf().url, 'h2');
    const body = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, messages: [{ role: 'user', content: 'hi claude' }] };
    // Act
    const out = await client.send(new InvokeModelCommand({ modelId: CLAUDE, body: JSON.stringify(body) }));
    // Assess
    const json = JSON.parse(new TextDecoder().decode(out.body));
    expect(json).to.include({ type: 'message', role: 'assistant', stop_reason: 'end_turn' });
    expect(json.content).to.deep.equal([{ type: 'text', text: 'Echo: hi claude' }]);
    expect(out.contentType).to.equal('application/json');
    client.destroy();
  });

  it('InvokeModelWithResponseStream streams Anthropic events ending with invocation metrics', async () => {
    // Prepare
    const client = runtimeClient(harnessOf().url, 'h1');
    const body = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 100, messages: [{ role: 'user', content: [{ type: 'text', text: 'stream claude' }] }] };
    // Act
    const out = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: CLAUDE, body: JSON.stringify(body) }));
    const chunks: any[] = [];
    for await (const event of out.body ?? []) chunks.push(JSON.parse(new TextDecoder().decode(event.chunk!.bytes)));
    // Assess
    expect(chunks[0].type).to.equal('message_start');
    expect(chunks.at(-1).type).to.equal('message_stop');
    expect(chunks.at(-1)['amazon-bedrock-invocationMetrics']).to.have.keys(['inputTokenCount', 'outputTokenCount', 'invocationLatency', 'firstByteLatency']);
    const text = chunks.filter((c) => c.type === 'content_block_delta').map((c) => c.delta.text).join('');
    expect(text).to.equal('Echo: stream claude');
    client.destroy();
  });

  it('InvokeModel serves a Titan embeddings body', async () => {
    // Prepare
    const client = runtimeClient(harnessOf().url, 'h2');
    // Act
    const out = await client.send(
      new InvokeModelCommand({ modelId: 'amazon.titan-embed-text-v2:0', body: JSON.stringify({ inputText: 'embed me', dimensions: 256 }) }),
    );
    // Assess
    const json = JSON.parse(new TextDecoder().decode(out.body));
    expect(json.embedding).to.have.length(256);
    expect(json.inputTextTokenCount).to.be.greaterThan(0);
    client.destroy();
  });

  it('CountTokens answers offline', async () => {
    // Prepare
    const client = runtimeClient(harnessOf().url, 'h2');
    const before = harnessOf().upstream.stats.requests;
    // Act
    const out = await client.send(new CountTokensCommand({ modelId: CLAUDE, input: { converse: { messages: user('hello world') } } }));
    // Assess
    expect(out.inputTokens).to.be.greaterThan(2);
    expect(harnessOf().upstream.stats.requests).to.equal(before);
    client.destroy();
  });

  it('a wrong key raises AccessDeniedException', async () => {
    // Prepare
    const client = runtimeClient(harnessOf().url, 'h2', 'wrong-key');
    // Act
    const error = await client.send(new ConverseCommand({ modelId: CLAUDE, messages: user('hi') })).catch((e: unknown) => e);
    // Assess
    expect(error).to.be.instanceOf(AccessDeniedException);
    client.destroy();
  });

  it('an upstream 429 raises ThrottlingException', async () => {
    // Prepare
    const client = runtimeClient(harnessOf().url, 'h1');
    // Act
    const error = await client.send(new ConverseCommand({ modelId: CLAUDE, messages: user('[error:429]') })).catch((e: unknown) => e);
    // Assess
    expect(error).to.be.instanceOf(ThrottlingException);
    expect((error as ThrottlingException).$metadata.httpStatusCode).to.equal(429);
    client.destroy();
  });

  it('a client that disconnects mid-stream aborts the upstream request', async () => {
    // Prepare
    const client = runtimeClient(harnessOf().url, 'h1');
    const abort = new AbortController();
    const closedBefore = harnessOf().upstream.stats.closedEarly;
    // Act
    const out = await client.send(new ConverseStreamCommand({ modelId: CLAUDE, messages: user('[slow:200] a b c d e f g h') }), {
      abortSignal: abort.signal,
    });
    const iterator = out.stream![Symbol.asyncIterator]();
    await iterator.next();
    abort.abort();
    await iterator.next().catch(() => undefined);
    // Assess: the upstream sees its connection closed well before the answer would have ended.
    const deadline = Date.now() + 1500;
    while (harnessOf().upstream.stats.closedEarly === closedBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(harnessOf().upstream.stats.closedEarly).to.equal(closedBefore + 1);
    client.destroy();
  });
});

describe('E2E: BedrockClient (control plane) against the local server', function () {
  this.timeout(30_000);
  const harnessOf = useHarness();

  it('ListFoundationModels lists MODEL_MAP aliases and upstream models', async () => {
    // Prepare
    const client = new BedrockClient({ region: 'us-east-1', endpoint: harnessOf().url, token: { token: TEST_KEY }, authSchemePreference: ['httpBearerAuth'] });
    // Act
    const out = await client.send(new ListFoundationModelsCommand({}));
    // Assess
    const ids = out.modelSummaries?.map((m) => m.modelId);
    expect(ids).to.include.members([CLAUDE, 'gpt-4o', 'gpt-4o-mini']);
    const claude = out.modelSummaries!.find((m) => m.modelId === CLAUDE)!;
    expect(claude).to.include({ providerName: 'Anthropic', modelName: 'gpt-4o', responseStreamingSupported: true });
    expect(claude.modelLifecycle?.status).to.equal('ACTIVE');
    client.destroy();
  });

  it('ListFoundationModels filters by provider, and GetFoundationModel finds one', async () => {
    // Prepare
    const client = new BedrockClient({ region: 'us-east-1', endpoint: harnessOf().url, token: { token: TEST_KEY }, authSchemePreference: ['httpBearerAuth'] });
    // Act
    const filtered = await client.send(new ListFoundationModelsCommand({ byProvider: 'Anthropic' }));
    const one = await client.send(new GetFoundationModelCommand({ modelIdentifier: 'gpt-4o-mini' }));
    // Assess
    expect(filtered.modelSummaries?.map((m) => m.modelId)).to.deep.equal([CLAUDE]);
    expect(one.modelDetails?.modelId).to.equal('gpt-4o-mini');
    client.destroy();
  });
});
