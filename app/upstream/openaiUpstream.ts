/**
 * Upstream implemented with the openai SDK. Adds what the SDK does not do on its own:
 * a single key refresh when the upstream answers 401 (the secret was rotated), one
 * retry of a socket reset when SDK retries are off (sockets die while a Lambda is frozen),
 * and the mapping of every failure to a BedrockError.
 */
import { APIConnectionError, APIConnectionTimeoutError, AuthenticationError } from 'openai';
import type OpenAI from 'openai';
import type { SecretSource } from '../secrets/secretSource.ts';
import { fromUpstreamError } from './errors.ts';
import type { ChatCompletionChunk, Upstream } from './upstream.ts';

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

function isSocketReset(error: unknown): boolean {
  if (!(error instanceof APIConnectionError) || error instanceof APIConnectionTimeoutError) return false;
  let cause: unknown = error.cause;
  for (let depth = 0; cause && depth < 4; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && RESET_CODES.has(code)) return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}

export function createOpenAIUpstream(client: OpenAI, apiKey: SecretSource, maxRetries: number): Upstream {
  async function call<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      if (error instanceof AuthenticationError) {
        // The key may have been rotated since we cached it: fetch it again, once.
        await apiKey.refresh();
        return retryOnce(operation);
      }
      if (maxRetries === 0 && isSocketReset(error)) return retryOnce(operation);
      throw fromUpstreamError(error);
    }
  }

  async function retryOnce<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      throw fromUpstreamError(error);
    }
  }

  return {
    chat: (params, signal) => call(() => client.chat.completions.create(params, { signal })),
    chatStream: (params, signal) =>
      call(async () => mapStreamErrors(await client.chat.completions.create(params, { signal }))),
    embeddings: (params, signal) => call(() => client.embeddings.create(params, { signal })),
    listModels: (signal) =>
      call(async () => {
        const models = [];
        for await (const model of client.models.list({ signal })) models.push(model);
        return models;
      }),
  };
}

/** Errors raised while iterating (a cut connection, a bad SSE line) become BedrockErrors too. */
async function* mapStreamErrors(stream: AsyncIterable<ChatCompletionChunk>): AsyncGenerator<ChatCompletionChunk> {
  try {
    yield* stream;
  } catch (error) {
    throw fromUpstreamError(error);
  }
}
