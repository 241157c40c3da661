/**
 * End to end, one row per InvokeModel body family: the real local server, driven by the
 * unmodified AWS SDK for JavaScript v3 (default HTTP/2 handler and NodeHttpHandler), against the
 * loopback fake upstream, which answers `Echo: <last user text>` and obeys `[tool:NAME]`.
 *
 * Each row checks that the answer arrives in the family's own field, that the token headers agree
 * with the body, and that the stream chunks follow the family's sequence and end with
 * `amazon-bedrock-invocationMetrics`.
 */
import { expect } from 'chai';
import {
  BedrockRuntimeClient,
  CountTokensCommand,
  InvokeModelCommand,
  InvokeModelWithResponseStreamCommand,
  ModelStreamErrorException,
  ValidationException,
} from '@aws-sdk/client-bedrock-runtime';
import type { HttpResponse } from '@smithy/types';
import { runtimeClient as baseRuntimeClient, TRANSPORTS, useHarness, type Transport } from './harness.ts';
type Json = Record<string, any>;

const CLAUDE = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const LLAMA = 'meta.llama3-70b-instruct-v1:0';
const METRICS_KEY = 'amazon-bedrock-invocationMetrics';
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

const toBytes = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const fromBytes = (bytes: Uint8Array | undefined): Json => JSON.parse(new TextDecoder().decode(bytes));
/** The fake upstream counts ceil(characters / 4) completion tokens for its answer. */
const fakeCompletionTokens = (answer: string): number => Math.ceil(answer.length / 4);
const l2Norm = (vector: readonly number[]): number => Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0));

const llamaPrompt = (user: string): string =>
  '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>' +
  `<|start_header_id|>user<|end_header_id|>\n\n${user}<|eot_id|>` +
  '<|start_header_id|>assistant<|end_header_id|>\n\n';

const weatherTool = {
  name: 'get_weather',
  description: 'Weather by city',
  schema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
};

interface Tokens {
  input: number;
  output: number;
}

interface Captured {
  headers: Record<string, string>;
}

/** A runtime client whose raw response headers land in `captured` (the SDK does not expose them otherwise). */
function runtimeClient(url: string, transport: Transport, captured: Captured = { headers: {} }): BedrockRuntimeClient {
  const client = baseRuntimeClient(url, transport);
  client.middlewareStack.add(
    (next) => async (args) => {
      const result = await next(args);
      captured.headers = (result.response as HttpResponse).headers;
      return result;
    },
    { step: 'deserialize', name: 'captureResponseHeaders' },
  );
  return client;
}

interface Invoked {
  json: Json;
  headers: Record<string, string>;
  contentType: string | undefined;
}

async function invoke(url: string, transport: Transport, modelId: string, body: unknown): Promise<Invoked> {
  const captured: Captured = { headers: {} };
  const client = runtimeClient(url, transport, captured);
  try {
    const out = await client.send(new InvokeModelCommand({ modelId, body: toBytes(body) }));
    return { json: fromBytes(out.body), headers: captured.headers, contentType: out.contentType };
  } finally {
    client.destroy();
  }
}

interface Streamed {
  chunks: Json[];
  contentType: string | undefined;
}

async function invokeStream(url: string, transport: Transport, modelId: string, body: unknown): Promise<Streamed> {
  const client = runtimeClient(url, transport);
  try {
    const out = await client.send(new InvokeModelWithResponseStreamCommand({ modelId, body: toBytes(body) }));
    const chunks: Json[] = [];
    for await (const event of out.body ?? []) {
      expect(event.chunk, `a stream event other than chunk: ${Object.keys(event).join(',')}`).to.not.equal(undefined);
      chunks.push(fromBytes(event.chunk?.bytes));
    }
    return { chunks, contentType: out.contentType };
  } finally {
    client.destroy();
  }
}

async function rejection(action: () => Promise<unknown>): Promise<unknown> {
  try {
    await action();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

/** The token headers every non-stream InvokeModel answer carries, as numbers. */
function tokenHeaders(headers: Record<string, string>): Tokens & { latency: number } {
  const read = (name: string): number => {
    expect(headers, name).to.have.property(name).that.matches(/^\d+$/);
    return Number(headers[name]);
  };
  return {
    input: read('x-amzn-bedrock-input-token-count'),
    output: read('x-amzn-bedrock-output-token-count'),
    latency: read('x-amzn-bedrock-invocation-latency'),
  };
}

function expectInvocationMetrics(chunk: Json | undefined, answer: string): void {
  const metrics = chunk?.[METRICS_KEY];
  expect(metrics, 'the last chunk carries the invocation metrics').to.have.keys(['inputTokenCount', 'outputTokenCount', 'invocationLatency', 'firstByteLatency']);
  expect(metrics.inputTokenCount).to.be.greaterThan(0);
  expect(metrics.outputTokenCount).to.equal(fakeCompletionTokens(answer));
  expect(metrics.invocationLatency).to.be.at.least(metrics.firstByteLatency);
}

/** Only the last chunk of a stream may carry the invocation metrics. */
function expectMetricsOnlyLast(chunks: readonly Json[]): void {
  expect(chunks.slice(0, -1).filter((chunk) => METRICS_KEY in chunk)).to.deep.equal([]);
}

interface TextFamilyCase {
  family: string;
  modelId: string;
  /** A body whose last user text is `user`. */
  body(user: string): Json;
  /** The non-stream body: the answer in the family's own field, counts that agree with the headers. */
  assessBody(json: Json, answer: string, tokens: Tokens): void;
  /** The decoded chunks, in order; the invocation metrics are checked by the caller. */
  assessStream(chunks: Json[], answer: string): void;
  /** The stop reason of a non-stream body, and its value when the answer was cut at the token limit. */
  stopReason(json: Json): unknown;
  truncated: string;
}

const TEXT_FAMILIES: TextFamilyCase[] = [
  {
    family: 'Amazon Nova (messages-v1)',
    modelId: 'amazon.nova-pro-v1:0',
    body: (user) => ({
      schemaVersion: 'messages-v1',
      system: [{ text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ text: user }] }],
      inferenceConfig: { max_new_tokens: 200, temperature: 0.2, top_p: 0.9, top_k: 20 },
    }),
    assessBody(json, answer, tokens) {
      expect(json).to.have.keys(['output', 'stopReason', 'usage']);
      expect(json.output).to.deep.equal({ message: { role: 'assistant', content: [{ text: answer }] } });
      expect(json.stopReason).to.equal('end_turn');
      // No cache counts: the fake reports cached_tokens 0, and Nova names cache counts only when there are some.
      expect(json.usage).to.deep.equal({ inputTokens: tokens.input, outputTokens: tokens.output, totalTokens: tokens.input + tokens.output });
    },
    assessStream(chunks, answer) {
      const kinds = chunks.map((chunk) => Object.keys(chunk).find((key) => key !== METRICS_KEY));
      const deltas = chunks.filter((chunk) => 'contentBlockDelta' in chunk);
      expect(kinds).to.deep.equal(['messageStart', ...deltas.map(() => 'contentBlockDelta'), 'contentBlockStop', 'messageStop', 'metadata']);
      expect(chunks[0]).to.deep.equal({ messageStart: { role: 'assistant' } });
      expect(deltas.map((chunk) => chunk.contentBlockDelta.delta.text).join('')).to.equal(answer);
      expect(chunks.at(-2)).to.deep.equal({ messageStop: { stopReason: 'end_turn' } });
      const { usage } = chunks.at(-1)?.metadata;
      expect(usage.outputTokens).to.equal(fakeCompletionTokens(answer));
      expect(usage.totalTokens).to.equal(usage.inputTokens + usage.outputTokens);
    },
    stopReason: (json) => json.stopReason,
    truncated: 'max_tokens',
  },
  {
    family: 'Meta Llama (Llama 3 chat template)',
    modelId: LLAMA,
    body: (user) => ({ prompt: llamaPrompt(user), max_gen_len: 200, temperature: 0.5, top_p: 0.9 }),
    assessBody(json, answer, tokens) {
      expect(json).to.deep.equal({ generation: answer, prompt_token_count: tokens.input, generation_token_count: tokens.output, stop_reason: 'stop' });
    },
    assessStream(chunks, answer) {
      const last = chunks.at(-1);
      const deltas = chunks.slice(0, -1);
      expect(deltas.map((chunk) => chunk.generation_token_count)).to.deep.equal(deltas.map((_, k) => k + 1));
      for (const chunk of deltas) expect(chunk).to.include({ prompt_token_count: null, stop_reason: null });
      expect(chunks.map((chunk) => chunk.generation).join('')).to.equal(answer);
      expect(last).to.include({ generation: '', stop_reason: 'stop', generation_token_count: fakeCompletionTokens(answer) });
      expect(last?.prompt_token_count).to.equal(last?.[METRICS_KEY].inputTokenCount);
    },
    stopReason: (json) => json.stop_reason,
    truncated: 'length',
  },
  {
    family: 'Mistral text ([INST] prompt)',
    modelId: 'mistral.mistral-7b-instruct-v0:2',
    body: (user) => ({ prompt: `<s>[INST] ${user} [/INST]`, max_tokens: 200, temperature: 0.5, top_p: 0.9, top_k: 50 }),
    assessBody(json, answer) {
      expect(json).to.deep.equal({ outputs: [{ text: answer, stop_reason: 'stop' }] });
    },
    assessStream(chunks, answer) {
      for (const chunk of chunks.slice(0, -1)) expect(chunk.outputs).to.have.length(1).and.nested.property('[0].stop_reason', null);
      expect(chunks.map((chunk) => chunk.outputs[0].text).join('')).to.equal(answer);
      expect(chunks.at(-1)?.outputs).to.deep.equal([{ text: '', stop_reason: 'stop' }]);
    },
    stopReason: (json) => json.outputs[0].stop_reason,
    truncated: 'length',
  },
  {
    family: 'Mistral chat (messages)',
    modelId: 'mistral.mistral-large-2407-v1:0',
    body: (user) => ({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: user }], max_tokens: 200, temperature: 0.3 }),
    assessBody(json, answer) {
      expect(json).to.deep.equal({ choices: [{ index: 0, message: { role: 'assistant', content: answer }, stop_reason: 'stop' }] });
    },
    assessStream(chunks, answer) {
      for (const chunk of chunks.slice(0, -1)) expect(chunk.choices).to.have.length(1).and.nested.property('[0].stop_reason', null);
      expect(chunks.map((chunk) => chunk.choices[0].message.content).join('')).to.equal(answer);
      expect(chunks.at(-1)?.choices).to.deep.equal([{ index: 0, message: { role: 'assistant', content: '' }, stop_reason: 'stop' }]);
    },
    stopReason: (json) => json.choices[0].stop_reason,
    truncated: 'length',
  },
  {
    family: 'Amazon Titan Text',
    modelId: 'amazon.titan-text-express-v1',
    body: (user) => ({ inputText: user, textGenerationConfig: { maxTokenCount: 200, temperature: 0, topP: 0.9, stopSequences: [] } }),
    assessBody(json, answer, tokens) {
      expect(json).to.deep.equal({ inputTextTokenCount: tokens.input, results: [{ tokenCount: tokens.output, outputText: answer, completionReason: 'FINISH' }] });
    },
    assessStream(chunks, answer) {
      for (const chunk of chunks.slice(0, -1)) {
        expect(chunk).to.include({ index: 0, totalOutputTextTokenCount: null, completionReason: null, inputTextTokenCount: null });
      }
      expect(chunks.map((chunk) => chunk.outputText).join('')).to.equal(answer);
      const last = chunks.at(-1);
      expect(last).to.include({ outputText: '', index: 0, completionReason: 'FINISH', totalOutputTextTokenCount: fakeCompletionTokens(answer) });
      expect(last?.inputTextTokenCount).to.equal(last?.[METRICS_KEY].inputTokenCount);
    },
    stopReason: (json) => json.results[0].completionReason,
    truncated: 'LENGTH',
  },
  {
    family: 'Anthropic Messages (with an image block)',
    modelId: CLAUDE,
    // The image sits in an earlier turn: the fake echoes only the last user turn's text parts.
    body: (user) => ({
      anthropic_version: 'bedrock-2023-05-31',
      max_tokens: 200,
      system: 'Be brief.',
      messages: [
        { role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } }, { type: 'text', text: 'What is this?' }] },
        { role: 'assistant', content: 'A single pixel.' },
        { role: 'user', content: [{ type: 'text', text: user }] },
      ],
    }),
    assessBody(json, answer, tokens) {
      expect(json.id).to.match(/^msg_bdrk_/);
      expect(json).to.deep.include({
        type: 'message',
        role: 'assistant',
        content: [{ type: 'text', text: answer }],
        stop_reason: 'end_turn',
        stop_sequence: null,
      });
      expect(json.usage).to.include({ input_tokens: tokens.input, output_tokens: tokens.output });
    },
    assessStream(chunks, answer) {
      const types = chunks.map((chunk) => chunk.type);
      const deltas = chunks.filter((chunk) => chunk.type === 'content_block_delta');
      expect(types).to.deep.equal([
        'message_start',
        'content_block_start',
        ...deltas.map(() => 'content_block_delta'),
        'content_block_stop',
        'message_delta',
        'message_stop',
      ]);
      expect(deltas.map((chunk) => chunk.delta.text).join('')).to.equal(answer);
      expect(chunks.at(-2)).to.deep.nested.include({ 'delta.stop_reason': 'end_turn', 'usage.output_tokens': fakeCompletionTokens(answer) });
    },
    stopReason: (json) => json.stop_reason,
    truncated: 'max_tokens',
  },
];

describe('E2E: every InvokeModel body family through the local server and the AWS SDK', function () {
  this.timeout(30_000);
  const harnessOf = useHarness();

  for (const [transport, label] of TRANSPORTS) {
    describe(`over ${label}`, () => {
      for (const row of TEXT_FAMILIES) {
        it(`InvokeModel answers a ${row.family} body in its own shape, with token headers`, async () => {
          // Prepare
          const user = `hello ${row.modelId} over ${transport}`;
          const answer = `Echo: ${user}`;

          // Act
          const { json, headers, contentType } = await invoke(harnessOf().url, transport, row.modelId, row.body(user));

          // Assess
          const tokens = tokenHeaders(headers);
          expect(contentType).to.equal('application/json');
          expect(tokens.input).to.be.greaterThan(0);
          expect(tokens.output).to.equal(fakeCompletionTokens(answer));
          row.assessBody(json, answer, tokens);
        });

        it(`InvokeModelWithResponseStream streams a ${row.family} body as the family's chunks, metrics last`, async () => {
          // Prepare
          const user = `stream ${row.modelId} over ${transport}`;
          const answer = `Echo: ${user}`;

          // Act
          const { chunks, contentType } = await invokeStream(harnessOf().url, transport, row.modelId, row.body(user));

          // Assess
          expect(contentType).to.equal('application/json');
          expect(chunks.length).to.be.greaterThan(2);
          row.assessStream(chunks, answer);
          expectMetricsOnlyLast(chunks);
          expectInvocationMetrics(chunks.at(-1), answer);
        });
      }
    });
  }

  describe('stop reasons and stream failures', () => {
    for (const row of TEXT_FAMILIES) {
      it(`InvokeModel reports an answer cut at the token limit as ${row.family} stop reason ${row.truncated}`, async () => {
        // Prepare: [length] makes the fake finish with finish_reason "length".
        const body = row.body('[length] a long story');

        // Act
        const { json } = await invoke(harnessOf().url, 'h2', row.modelId, body);

        // Assess
        expect(row.stopReason(json)).to.equal(row.truncated);
      });
    }

    it('InvokeModelWithResponseStream surfaces an upstream cut in a Llama stream as ModelStreamErrorException', async () => {
      // Prepare
      const body = { prompt: llamaPrompt('[cut] this will break'), max_gen_len: 100 };

      // Act
      const error = await rejection(() => invokeStream(harnessOf().url, 'h1', LLAMA, body));

      // Assess
      expect(error).to.be.instanceOf(ModelStreamErrorException);
    });
  });

  describe('tool calls', () => {
    const mistralTools = [{ type: 'function', function: { name: weatherTool.name, description: weatherTool.description, parameters: weatherTool.schema } }];

    it('Mistral chat: a [tool:get_weather] turn comes back as tool_calls, and the tool result round-trips', async () => {
      // Prepare
      const first = { messages: [{ role: 'user', content: '[tool:get_weather] Paris' }], tools: mistralTools, tool_choice: 'auto' };

      // Act
      const call = await invoke(harnessOf().url, 'h2', 'mistral.mistral-large-2407-v1:0', first);
      const toolCall = call.json.choices?.[0]?.message?.tool_calls?.[0];
      const second = {
        messages: [
          ...first.messages,
          { role: 'assistant', content: '', tool_calls: [toolCall] },
          { role: 'tool', tool_call_id: toolCall?.id, content: 'Sunny, 21 C' },
        ],
        tools: mistralTools,
      };
      const reply = await invoke(harnessOf().url, 'h1', 'mistral.mistral-large-2407-v1:0', second);

      // Assess
      expect(call.json.choices).to.have.length(1);
      expect(call.json.choices[0].stop_reason).to.equal('tool_calls');
      expect(toolCall.id).to.be.a('string').and.not.empty;
      expect(toolCall.function).to.deep.equal({ name: 'get_weather', arguments: '{"query":"Paris"}' });
      expect(reply.json).to.deep.equal({ choices: [{ index: 0, message: { role: 'assistant', content: 'Echo: Sunny, 21 C' }, stop_reason: 'stop' }] });
    });

    it('Mistral chat: a streamed tool call arrives whole in one chunk, with stop_reason tool_calls last', async () => {
      // Prepare
      const body = { messages: [{ role: 'user', content: '[tool:get_weather] Lyon' }], tools: mistralTools };

      // Act
      const { chunks } = await invokeStream(harnessOf().url, 'h2', 'mistral.mistral-large-2407-v1:0', body);

      // Assess
      const withCalls = chunks.filter((chunk) => chunk.choices[0].message.tool_calls !== undefined);
      expect(withCalls).to.have.length(1);
      expect(withCalls[0]?.choices[0].message.tool_calls).to.have.length(1);
      expect(withCalls[0]?.choices[0].message.tool_calls[0].function).to.deep.equal({ name: 'get_weather', arguments: '{"query":"Lyon"}' });
      expect(chunks.at(-1)?.choices[0].stop_reason).to.equal('tool_calls');
      expect(chunks.at(-1)).to.have.property(METRICS_KEY);
    });

    it('Anthropic: a tool_use answer and its tool_result round-trip', async () => {
      // Prepare
      const tools = [{ name: weatherTool.name, description: weatherTool.description, input_schema: weatherTool.schema }];
      const question = { role: 'user', content: '[tool:get_weather] Oslo' };
      const first = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 200, tools, messages: [question] };

      // Act
      const call = await invoke(harnessOf().url, 'h2', CLAUDE, first);
      const toolUse = call.json.content?.find((block: Json) => block.type === 'tool_use');
      const second = {
        ...first,
        messages: [
          question,
          { role: 'assistant', content: call.json.content },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: toolUse?.id, content: 'Snow, -3 C' }] },
        ],
      };
      const reply = await invoke(harnessOf().url, 'h1', CLAUDE, second);

      // Assess
      expect(call.json.stop_reason).to.equal('tool_use');
      expect(toolUse).to.deep.include({ type: 'tool_use', name: 'get_weather', input: { query: 'Oslo' } });
      expect(toolUse.id).to.be.a('string').and.not.empty;
      expect(reply.json.stop_reason).to.equal('end_turn');
      expect(reply.json.content).to.deep.equal([{ type: 'text', text: 'Echo: Snow, -3 C' }]);
    });

    it('Anthropic: a streamed answer carries thinking_delta, then a tool_use block built from input_json_delta', async () => {
      // Prepare: [reason] makes the fake stream reasoning before its tool call.
      const tools = [{ name: weatherTool.name, description: weatherTool.description, input_schema: weatherTool.schema }];
      const body = { anthropic_version: 'bedrock-2023-05-31', max_tokens: 200, tools, messages: [{ role: 'user', content: '[reason] [tool:get_weather] Bergen' }] };

      // Act
      const { chunks } = await invokeStream(harnessOf().url, 'h2', CLAUDE, body);

      // Assess
      const starts = chunks.filter((chunk) => chunk.type === 'content_block_start');
      const deltasOf = (index: number) => chunks.filter((chunk) => chunk.type === 'content_block_delta' && chunk.index === index).map((chunk) => chunk.delta);
      expect(starts.map((chunk) => [chunk.index, chunk.content_block.type])).to.deep.equal([[0, 'thinking'], [1, 'tool_use']]);
      expect(starts[1]?.content_block).to.deep.include({ name: 'get_weather', input: {} });
      expect(deltasOf(0).map((d) => d.type)).to.satisfy((types: string[]) => types.length > 0 && types.every((type) => type === 'thinking_delta'));
      expect(deltasOf(0).map((d) => d.thinking).join('')).to.equal('Thinking about the request.');
      expect(deltasOf(1).map((d) => d.type)).to.satisfy((types: string[]) => types.length > 0 && types.every((type) => type === 'input_json_delta'));
      expect(JSON.parse(deltasOf(1).map((d) => d.partial_json).join(''))).to.deep.equal({ query: 'Bergen' });
      expect(chunks.filter((chunk) => chunk.type === 'content_block_stop').map((chunk) => chunk.index)).to.deep.equal([0, 1]);
      expect(chunks.at(-2)).to.deep.nested.include({ type: 'message_delta', 'delta.stop_reason': 'tool_use' });
      expect(chunks.at(-1)?.type).to.equal('message_stop');
      expectMetricsOnlyLast(chunks);
    });

    it('Anthropic: the image block reaches the upstream (it adds to the prompt tokens)', async () => {
      // Prepare
      const withImage = TEXT_FAMILIES.find((row) => row.modelId === CLAUDE)?.body('and its colour?') ?? {};
      const [first, ...rest] = withImage.messages;
      const withoutImage = { ...withImage, messages: [{ ...first, content: first.content.filter((block: Json) => block.type !== 'image') }, ...rest] };

      // Act
      const image = await invoke(harnessOf().url, 'h2', CLAUDE, withImage);
      const text = await invoke(harnessOf().url, 'h2', CLAUDE, withoutImage);

      // Assess: the fake counts the characters of the messages it receives, data URL included.
      expect(tokenHeaders(image.headers).input - tokenHeaders(text.headers).input).to.be.at.least(PNG_BASE64.length / 4);
      expect(image.json.content).to.deep.equal(text.json.content);
    });
  });

  describe('embeddings', () => {
    interface EmbeddingCase {
      name: string;
      modelId: string;
      transport: Transport;
      body: Json;
      assess(json: Json, tokens: Tokens): void;
    }
    const embeddingCases: EmbeddingCase[] = [
      {
        name: 'Titan Embeddings v1 (inputText alone), normalized by default',
        modelId: 'amazon.titan-embed-text-v1',
        transport: 'h2',
        body: { inputText: 'embed me, v1' },
        assess(json, tokens) {
          expect(json).to.have.keys(['embedding', 'inputTextTokenCount', 'embeddingsByType']);
          expect(json.inputTextTokenCount).to.equal(tokens.input);
          expect(json.embedding.length).to.be.greaterThan(0);
          expect(l2Norm(json.embedding)).to.be.closeTo(1, 1e-9);
          expect(json.embeddingsByType).to.deep.equal({ float: json.embedding });
        },
      },
      {
        name: 'Titan Embeddings v2 with dimensions 256 and normalize true',
        modelId: 'amazon.titan-embed-text-v2:0',
        transport: 'h1',
        body: { inputText: 'embed me, v2', dimensions: 256, normalize: true, embeddingTypes: ['float'] },
        assess(json, tokens) {
          expect(json.embedding).to.have.length(256);
          expect(l2Norm(json.embedding)).to.be.closeTo(1, 1e-9);
          expect(json.inputTextTokenCount).to.equal(tokens.input);
          expect(json.embeddingsByType.float).to.deep.equal(json.embedding);
        },
      },
      {
        name: 'Titan Embeddings v2 with dimensions 512 and normalize false (the raw vector)',
        modelId: 'amazon.titan-embed-text-v2:0',
        transport: 'h2',
        body: { inputText: 'embed me, raw', dimensions: 512, normalize: false },
        assess(json) {
          expect(json.embedding).to.have.length(512);
          expect(l2Norm(json.embedding)).to.not.be.closeTo(1, 0.01);
        },
      },
      {
        name: 'Cohere Embed (texts + input_type) as embeddings_floats',
        modelId: 'cohere.embed-english-v3',
        transport: 'h2',
        body: { texts: ['first text', 'second text'], input_type: 'search_document', truncate: 'END' },
        assess(json) {
          expect(json).to.have.keys(['embeddings', 'id', 'response_type', 'texts']);
          expect(json.response_type).to.equal('embeddings_floats');
          expect(json.texts).to.deep.equal(['first text', 'second text']);
          expect(json.embeddings).to.have.length(2);
          expect(json.embeddings[0]).to.not.deep.equal(json.embeddings[1]);
          expect(json.id).to.be.a('string').and.not.empty;
        },
      },
      {
        name: 'Cohere Embed with embedding_types ["float"] as embeddings_by_type',
        modelId: 'cohere.embed-english-v3',
        transport: 'h1',
        body: { texts: ['only text'], input_type: 'search_query', embedding_types: ['float'] },
        assess(json) {
          expect(json.response_type).to.equal('embeddings_by_type');
          expect(json.embeddings).to.have.keys(['float']);
          expect(json.embeddings.float).to.have.length(1);
          expect(json.embeddings.float[0].every((x: unknown) => typeof x === 'number')).to.equal(true);
        },
      },
    ];

    for (const row of embeddingCases) {
      it(`InvokeModel serves ${row.name} over ${row.transport}`, async () => {
        // Prepare / Act
        const { json, headers, contentType } = await invoke(harnessOf().url, row.transport, row.modelId, row.body);

        // Assess
        const tokens = tokenHeaders(headers);
        expect(contentType).to.equal('application/json');
        expect(tokens.input).to.be.greaterThan(0);
        expect(tokens.output).to.equal(0);
        row.assess(json, tokens);
      });
    }

    const oneRowPerModel = embeddingCases.filter((row, k, all) => all.findIndex((other) => other.modelId === row.modelId) === k);
    for (const row of oneRowPerModel) {
      it(`InvokeModelWithResponseStream refuses ${row.name} with a ValidationException`, async () => {
        // Prepare / Act
        const error = await rejection(() => invokeStream(harnessOf().url, 'h2', row.modelId, row.body));

        // Assess
        expect(error).to.be.instanceOf(ValidationException);
        expect((error as ValidationException).message).to.contain('does not support response streaming');
        expect((error as ValidationException).$metadata.httpStatusCode).to.equal(400);
      });
    }
  });

  describe('errors', () => {
    for (const command of ['InvokeModel', 'InvokeModelWithResponseStream'] as const) {
      it(`${command} rejects a body of no known family, listing the supported families`, async () => {
        // Prepare
        const call = command === 'InvokeModel' ? invoke : invokeStream;

        // Act
        const error = await rejection(() => call(harnessOf().url, 'h2', 'custom-model', { question: 'what family am I?' }));

        // Assess
        expect(error).to.be.instanceOf(ValidationException);
        const { message } = error as ValidationException;
        for (const family of ['Anthropic Messages', 'Amazon Nova', 'Meta Llama', 'Mistral', 'Amazon Titan Text', 'Titan Embeddings', 'Cohere Embed']) {
          expect(message).to.contain(family);
        }
      });
    }

    const invalid: { family: string; modelId: string; body: Json; field: string }[] = [
      { family: 'Amazon Nova', modelId: 'amazon.nova-pro-v1:0', body: { schemaVersion: 'messages-v1', messages: [{ role: 'user', content: [{ text: 'hi' }] }], inferenceConfig: { max_new_tokens: 'many' } }, field: 'inferenceConfig.max_new_tokens' },
      { family: 'Meta Llama', modelId: LLAMA, body: { prompt: llamaPrompt('hi'), max_gen_len: 1.5 }, field: 'max_gen_len' },
      { family: 'Mistral text', modelId: 'mistral.mistral-7b-instruct-v0:2', body: { prompt: '<s>[INST] hi [/INST]', stop: 'END' }, field: 'stop' },
      { family: 'Mistral chat', modelId: 'mistral.mistral-large-2407-v1:0', body: { messages: [{ role: 'tool', content: 'x' }] }, field: 'messages[0].tool_call_id' },
      { family: 'Amazon Titan Text', modelId: 'amazon.titan-text-express-v1', body: { inputText: 'hi', textGenerationConfig: { temperature: 3 } }, field: 'textGenerationConfig.temperature' },
      { family: 'Anthropic', modelId: CLAUDE, body: { anthropic_version: 'bedrock-2023-05-31', max_tokens: 0, messages: [{ role: 'user', content: 'hi' }] }, field: 'max_tokens' },
      { family: 'Titan Embeddings', modelId: 'amazon.titan-embed-text-v2:0', body: { inputText: 'hi', dimensions: 300 }, field: 'dimensions' },
      { family: 'Cohere Embed', modelId: 'cohere.embed-english-v3', body: { texts: ['hi'], input_type: 'poetry' }, field: 'input_type' },
    ];
    const embeddingFamilies = new Set(['Titan Embeddings', 'Cohere Embed']);
    const commands = (family: string) => (embeddingFamilies.has(family) ? (['InvokeModel'] as const) : (['InvokeModel', 'InvokeModelWithResponseStream'] as const));
    for (const { family, modelId, body, field } of invalid) {
      for (const command of commands(family)) {
        it(`${command} rejects an invalid ${family} body with a ValidationException naming ${field}`, async () => {
          // Prepare
          const call = command === 'InvokeModel' ? invoke : invokeStream;

          // Act
          const error = await rejection(() => call(harnessOf().url, 'h2', modelId, body));

          // Assess
          expect(error).to.be.instanceOf(ValidationException);
          expect((error as ValidationException).message).to.contain(field);
        });
      }
    }
  });

  describe('CountTokens', () => {
    it('counts a Llama InvokeModel body like the same conversation sent as Converse, offline', async () => {
      // Prepare
      const client = runtimeClient(harnessOf().url, 'h2');
      const body = { prompt: llamaPrompt('How many tokens is this?'), max_gen_len: 100 };
      const converse = { system: [{ text: 'You are terse.' }], messages: [{ role: 'user' as const, content: [{ text: 'How many tokens is this?' }] }] };
      const upstreamRequestsBefore = harnessOf().upstream.stats.requests;

      // Act
      const viaInvoke = await client.send(new CountTokensCommand({ modelId: LLAMA, input: { invokeModel: { body: toBytes(body) } } }));
      const viaConverse = await client.send(new CountTokensCommand({ modelId: LLAMA, input: { converse } }));
      client.destroy();

      // Assess
      expect(viaInvoke.inputTokens).to.be.greaterThan(5);
      expect(viaInvoke.inputTokens).to.equal(viaConverse.inputTokens);
      expect(harnessOf().upstream.stats.requests).to.equal(upstreamRequestsBefore);
    });

    it('names the decoded body when an InvokeModel body for CountTokens is invalid', async () => {
      // Prepare
      const client = runtimeClient(harnessOf().url, 'h1');
      const body = { prompt: 'x', max_gen_len: 1.5 };

      // Act
      const error = await rejection(() => client.send(new CountTokensCommand({ modelId: LLAMA, input: { invokeModel: { body: toBytes(body) } } })));
      client.destroy();

      // Assess
      expect(error).to.be.instanceOf(ValidationException);
      expect((error as ValidationException).message).to.contain('input.invokeModel.body').and.contain('max_gen_len');
    });
  });
});
