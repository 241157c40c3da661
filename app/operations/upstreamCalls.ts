/**
 * The upstream calls operations make: each runs in its own trace subsegment, passes the
 * caller's abort signal, and records its latency (to headers, for streams) on the request record.
 */
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions/completions';
import type { ChatCompletion, ChatCompletionChunk, CreateEmbeddingResponse, EmbeddingCreateParams } from '../upstream/upstream.ts';
import { elapsedMs, type OperationContext } from './context.ts';

async function timed<T>(ctx: OperationContext, span: string, call: (signal: AbortSignal | undefined) => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await ctx.deps.tracing.span(span, () => call(ctx.request.signal));
  ctx.record.upstreamLatencyMs = elapsedMs(started);
  return result;
}

export function completeChat(ctx: OperationContext, params: ChatCompletionCreateParamsBase): Promise<ChatCompletion> {
  return timed(ctx, 'openai.chat.completions', (signal) => ctx.deps.upstream.chat({ ...params, stream: false }, signal));
}

/** Resolves once the upstream has answered with headers; failures before that are ordinary HTTP errors. */
export async function openChatStream(ctx: OperationContext, params: ChatCompletionCreateParamsBase): Promise<AsyncIterable<ChatCompletionChunk>> {
  const chunks = await timed(ctx, 'openai.chat.completions.stream', (signal) =>
    ctx.deps.upstream.chatStream({ ...params, stream: true, stream_options: { include_usage: true } }, signal),
  );
  ctx.record.streamed = true;
  return chunks;
}

export function createEmbeddings(ctx: OperationContext, params: EmbeddingCreateParams): Promise<CreateEmbeddingResponse> {
  return timed(ctx, 'openai.embeddings', (signal) => ctx.deps.upstream.embeddings(params, signal));
}
