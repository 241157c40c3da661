/** Chat Completions stream chunks for tests, built in one place. */
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';

/**
 * One chunk with a single choice carrying `delta` (no choice at all when `delta` is undefined,
 * as in the final usage-only chunk). Loose JSON on purpose: the real wire may omit fields the
 * SDK types as required. `extra` adds or overrides top-level fields (usage, id...).
 */
export function chatChunk(delta: Record<string, unknown> | undefined, finishReason: string | null = null, extra: Record<string, unknown> = {}): ChatCompletionChunk {
  const choices = delta === undefined ? [] : [{ index: 0, delta, finish_reason: finishReason, logprobs: null }];
  return { id: 'chatcmpl-test', object: 'chat.completion.chunk', created: 1750000000, model: 'gpt-4.1-mini', choices, ...extra } as ChatCompletionChunk;
}
