/**
 * The Anthropic Messages InvokeModel family (`anthropic_version: "bedrock-2023-05-31"`).
 * Pure translations to and from the Converse shapes; see ./anthropic/ for each direction.
 */
import type { TextFamily } from './family.ts';
import { anthropicToConverse } from './anthropic/request.ts';
import { converseToAnthropic } from './anthropic/response.ts';
import { AnthropicStreamEncoder } from './anthropic/stream.ts';

const ANTHROPIC_MODEL = /anthropic|claude/i;

export const anthropicFamily: TextFamily = {
  kind: 'text',
  name: 'anthropic',
  matches(body, modelId) {
    if (typeof body.anthropic_version === 'string') return true;
    // Some callers omit anthropic_version; the Messages shape plus a Claude model id is unambiguous.
    return 'messages' in body && 'max_tokens' in body && ANTHROPIC_MODEL.test(modelId);
  },
  toConverse: (body) => anthropicToConverse(body),
  fromConverse: (response, ctx) => converseToAnthropic(response, ctx),
  streamEncoder: (ctx) => new AnthropicStreamEncoder(ctx),
};
