/**
 * OpenAI usage -> Bedrock TokenUsage. Bedrock's inputTokens excludes cache reads;
 * totalTokens includes them (wire spec section 2, "Response").
 */
import type { CompletionUsage } from 'openai/resources/completions';
import type { TokenUsage } from './types.ts';

export function toTokenUsage(usage: CompletionUsage | null | undefined): TokenUsage {
  const prompt = usage?.prompt_tokens ?? 0;
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  const output = usage?.completion_tokens ?? 0;
  const tokens: TokenUsage = {
    inputTokens: Math.max(0, prompt - cached),
    outputTokens: output,
    totalTokens: usage?.total_tokens ?? prompt + output,
  };
  if (cached > 0) {
    tokens.cacheReadInputTokens = cached;
    tokens.cacheWriteInputTokens = 0;
  }
  return tokens;
}
