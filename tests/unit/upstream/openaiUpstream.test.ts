import { expect } from 'chai';
import type OpenAI from 'openai';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { BedrockError } from '../../../app/core/errors.ts';
import type { SecretSource } from '../../../app/secrets/secretSource.ts';
import { UpstreamCredentialsError } from '../../../app/upstream/errors.ts';
import { createOpenAIUpstream } from '../../../app/upstream/openaiUpstream.ts';
import type { ChatCompletion, ChatCompletionChunk, ChatParams, ChatStreamParams, Model } from '../../../app/upstream/upstream.ts';
import { rejectedBedrockError } from '../../helpers/bedrockErrors.ts';
import { chatChunk } from '../../helpers/chunks.ts';

const CHAT_PARAMS: ChatParams = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };
const STREAM_PARAMS: ChatStreamParams = { ...CHAT_PARAMS, stream: true };

const COMPLETION = {
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'gpt-4o-mini',
  choices: [{ index: 0, finish_reason: 'stop', logprobs: null, message: { role: 'assistant', content: 'hello', refusal: null } }],
} as ChatCompletion;

const CHUNK = chatChunk({ content: 'he' });

const unauthorized = () => APIError.generate(401, { error: { message: 'Incorrect API key provided: sk-old-1234567890' } }, undefined, new Headers());
const rateLimited = () => APIError.generate(429, { error: { message: 'Rate limit reached' } }, undefined, new Headers());
const badRequest = () => APIError.generate(400, { error: { message: 'bad temperature' } }, undefined, new Headers());
const socketReset = (code = 'ECONNRESET') =>
  new APIConnectionError({ cause: Object.assign(new Error('socket hang up'), { code }) });
const nestedSocketReset = () =>
  new APIConnectionError({ cause: Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }) });

/** A secret source that counts refreshes. */
function countingSecret(): SecretSource & { refreshes: number } {
  const source = {
    refreshes: 0,
    get: async () => 'sk-current',
    refresh: async () => {
      source.refreshes += 1;
      return 'sk-rotated';
    },
  };
  return source;
}

/** Each call takes the next outcome: an Error is thrown, anything else is returned. */
function scripted<T>(outcomes: readonly (T | Error)[]): { calls: unknown[][]; fn: (...args: unknown[]) => Promise<T> } {
  const calls: unknown[][] = [];
  return {
    calls,
    fn: async (...args: unknown[]) => {
      const outcome = outcomes[calls.length];
      calls.push(args);
      if (outcome === undefined) throw new Error('test: no more scripted outcomes');
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
  };
}

function fakeClient(parts: {
  create?: (...args: unknown[]) => Promise<unknown>;
  embeddings?: (...args: unknown[]) => Promise<unknown>;
  list?: (...args: unknown[]) => AsyncIterable<Model>;
}): OpenAI {
  return {
    chat: { completions: { create: parts.create } },
    embeddings: { create: parts.embeddings },
    models: { list: parts.list },
  } as unknown as OpenAI;
}

async function* chunksThenFail(chunks: readonly ChatCompletionChunk[], failure: Error): AsyncGenerator<ChatCompletionChunk> {
  for (const chunk of chunks) yield chunk;
  throw failure;
}

describe('openaiUpstream: 401 refreshes the key once', () => {
  it('refreshes once and retries once, returning the retry result', async () => {
    // Prepare
    const secret = countingSecret();
    const create = scripted<unknown>([unauthorized(), COMPLETION]);
    const upstream = createOpenAIUpstream(fakeClient({ create: create.fn }), secret, 2);
    // Act
    const result = await upstream.chat(CHAT_PARAMS);
    // Assess
    expect(result).to.equal(COMPLETION);
    expect(secret.refreshes).to.equal(1);
    expect(create.calls).to.have.length(2);
  });

  it('maps a second 401 to UpstreamCredentialsError without another refresh', async () => {
    // Prepare
    const secret = countingSecret();
    const create = scripted<unknown>([unauthorized(), unauthorized(), COMPLETION]);
    const upstream = createOpenAIUpstream(fakeClient({ create: create.fn }), secret, 2);
    // Act
    const error = await rejectedBedrockError(upstream.chat(CHAT_PARAMS));
    // Assess
    expect(error).to.be.instanceOf(UpstreamCredentialsError);
    expect(error.exception).to.equal('InternalServerException');
    expect(error.message).to.not.include('sk-old');
    expect(secret.refreshes).to.equal(1);
    expect(create.calls).to.have.length(2);
  });

  it('maps a different failure on the retry by its own row', async () => {
    // Prepare
    const secret = countingSecret();
    const create = scripted<unknown>([unauthorized(), rateLimited()]);
    const upstream = createOpenAIUpstream(fakeClient({ create: create.fn }), secret, 0);
    // Act
    const error = await rejectedBedrockError(upstream.chat(CHAT_PARAMS));
    // Assess
    expect(error.exception).to.equal('ThrottlingException');
    expect(secret.refreshes).to.equal(1);
  });

  it('refreshes and retries a 401 on chatStream before the first chunk', async () => {
    // Prepare
    const secret = countingSecret();
    const create = scripted<unknown>([unauthorized(), chunksThenFail([CHUNK], new Error('unused'))]);
    const upstream = createOpenAIUpstream(fakeClient({ create: create.fn }), secret, 2);
    // Act
    const stream = await upstream.chatStream(STREAM_PARAMS);
    const first = await stream[Symbol.asyncIterator]().next();
    // Assess
    expect(first.value).to.deep.equal(CHUNK);
    expect(secret.refreshes).to.equal(1);
    expect(create.calls).to.have.length(2);
  });

  it('refreshes and retries a 401 on listModels', async () => {
    // Prepare
    const secret = countingSecret();
    let calls = 0;
    const list = () => {
      calls += 1;
      if (calls === 1) return chunksThenFail([], unauthorized()) as unknown as AsyncIterable<Model>;
      return (async function* () {
        yield { id: 'gpt-4o', object: 'model', created: 1, owned_by: 'system' } as Model;
      })();
    };
    const upstream = createOpenAIUpstream(fakeClient({ list }), secret, 2);
    // Act
    const models = await upstream.listModels();
    // Assess
    expect(models.map((m) => m.id)).to.deep.equal(['gpt-4o']);
    expect(secret.refreshes).to.equal(1);
    expect(calls).to.equal(2);
  });

  it('does not refresh on other client errors', async () => {
    // Prepare
    const secret = countingSecret();
    const create = scripted<unknown>([badRequest(), COMPLETION]);
    const upstream = createOpenAIUpstream(fakeClient({ create: create.fn }), secret, 0);
    // Act
    const error = await rejectedBedrockError(upstream.chat(CHAT_PARAMS));
    // Assess
    expect(error.exception).to.equal('ValidationException');
    expect(error.message).to.equal('bad temperature');
    expect(secret.refreshes).to.equal(0);
    expect(create.calls).to.have.length(1);
  });
});

describe('openaiUpstream: socket resets', () => {
  const cases: readonly (readonly [string, number, readonly (unknown | Error)[], number, string | undefined])[] = [
    ['ECONNRESET, SDK retries off: retried once, succeeds', 0, [socketReset(), COMPLETION], 2, undefined],
    ['EPIPE, SDK retries off: retried once, succeeds', 0, [socketReset('EPIPE'), COMPLETION], 2, undefined],
    ['a nested UND_ERR_SOCKET cause, SDK retries off: retried once', 0, [nestedSocketReset(), COMPLETION], 2, undefined],
    ['ECONNRESET twice, SDK retries off: mapped after one retry', 0, [socketReset(), socketReset(), COMPLETION], 2, 'ServiceUnavailableException'],
    ['ECONNRESET, SDK retries on: mapped, not retried', 2, [socketReset(), COMPLETION], 1, 'ServiceUnavailableException'],
    ['a timeout, SDK retries off: mapped, not retried', 0, [new APIConnectionTimeoutError(), COMPLETION], 1, 'ModelTimeoutException'],
    ['ECONNREFUSED, SDK retries off: mapped, not retried', 0, [socketReset('ECONNREFUSED'), COMPLETION], 1, 'ServiceUnavailableException'],
    ['a connection error without a cause: mapped, not retried', 0, [new APIConnectionError({}), COMPLETION], 1, 'ServiceUnavailableException'],
  ];
  for (const [label, maxRetries, outcomes, expectedCalls, expectedException] of cases) {
    it(label, async () => {
      // Prepare
      const secret = countingSecret();
      const create = scripted<unknown>(outcomes as readonly unknown[]);
      const upstream = createOpenAIUpstream(fakeClient({ create: create.fn }), secret, maxRetries);
      // Act
      let outcome: unknown;
      try {
        outcome = await upstream.chat(CHAT_PARAMS);
      } catch (error) {
        outcome = error;
      }
      // Assess
      expect(create.calls).to.have.length(expectedCalls);
      expect(secret.refreshes).to.equal(0);
      if (expectedException === undefined) expect(outcome).to.equal(COMPLETION);
      else {
        expect(outcome).to.be.instanceOf(BedrockError);
        expect((outcome as BedrockError).exception).to.equal(expectedException);
      }
    });
  }
});

describe('openaiUpstream: streams', () => {
  it('yields chunks, then maps an iteration error to a BedrockError', async () => {
    // Prepare
    const create = scripted<unknown>([chunksThenFail([CHUNK, CHUNK], socketReset())]);
    const upstream = createOpenAIUpstream(fakeClient({ create: create.fn }), countingSecret(), 0);
    const received: ChatCompletionChunk[] = [];
    // Act
    const stream = await upstream.chatStream(STREAM_PARAMS);
    let failure: unknown;
    try {
      for await (const chunk of stream) received.push(chunk);
    } catch (error) {
      failure = error;
    }
    // Assess
    expect(received).to.have.length(2);
    expect(failure).to.be.instanceOf(BedrockError);
    expect((failure as BedrockError).exception).to.equal('ServiceUnavailableException');
    expect((failure as BedrockError).fromUpstream).to.equal(true);
    expect(create.calls).to.have.length(1);
  });

  it('maps an unparseable SSE line (SyntaxError) to ModelErrorException', async () => {
    // Prepare
    const create = scripted<unknown>([chunksThenFail([], new SyntaxError('Unexpected token'))]);
    const upstream = createOpenAIUpstream(fakeClient({ create: create.fn }), countingSecret(), 2);
    // Act
    const stream = await upstream.chatStream(STREAM_PARAMS);
    const error = await rejectedBedrockError(stream[Symbol.asyncIterator]().next());
    // Assess
    expect(error.exception).to.equal('ModelErrorException');
  });

  it('maps an in-stream error event (APIError without a status) to a BedrockError', async () => {
    // Prepare
    const inStream = new APIError(undefined, { message: 'The server had an error' }, undefined, new Headers());
    const create = scripted<unknown>([chunksThenFail([CHUNK], inStream)]);
    const upstream = createOpenAIUpstream(fakeClient({ create: create.fn }), countingSecret(), 2);
    // Act
    const stream = await upstream.chatStream(STREAM_PARAMS);
    const iterator = stream[Symbol.asyncIterator]();
    await iterator.next();
    const error = await rejectedBedrockError(iterator.next());
    // Assess
    expect(error.exception).to.equal('ModelStreamErrorException');
    expect(error.fromUpstream).to.equal(true);
  });
});

describe('openaiUpstream: pass-through', () => {
  it('passes params and the abort signal to chat.completions.create', async () => {
    // Prepare
    const create = scripted<unknown>([COMPLETION]);
    const upstream = createOpenAIUpstream(fakeClient({ create: create.fn }), countingSecret(), 2);
    const signal = new AbortController().signal;
    // Act
    await upstream.chat(CHAT_PARAMS, signal);
    // Assess
    expect(create.calls[0]).to.deep.equal([CHAT_PARAMS, { signal }]);
  });

  it('passes embeddings params and returns the response', async () => {
    // Prepare
    const response = { object: 'list', data: [], model: 'text-embedding-3-small', usage: { prompt_tokens: 1, total_tokens: 1 } };
    const embeddings = scripted<unknown>([response]);
    const upstream = createOpenAIUpstream(fakeClient({ embeddings: embeddings.fn }), countingSecret(), 2);
    const params = { model: 'text-embedding-3-small', input: 'hello' };
    // Act
    const result = await upstream.embeddings(params);
    // Assess
    expect(result).to.equal(response);
    expect(embeddings.calls[0]?.[0]).to.equal(params);
  });

  it('maps an embeddings failure', async () => {
    // Prepare
    const embeddings = scripted<unknown>([rateLimited()]);
    const upstream = createOpenAIUpstream(fakeClient({ embeddings: embeddings.fn }), countingSecret(), 2);
    // Act
    const error = await rejectedBedrockError(upstream.embeddings({ model: 'text-embedding-3-small', input: 'hello' }));
    // Assess
    expect(error.exception).to.equal('ThrottlingException');
  });
});
