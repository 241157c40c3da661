/**
 * ConverseResponseJson -> Anthropic Messages response body (wire spec section 7).
 */
import { assertNever } from '../../../core/assertNever.ts';
import type { ConverseResponseJson, OutputContentBlock, TokenUsage } from '../../converse/types.ts';
import type { InvokeContext } from '../family.ts';
import { toAnthropicStopReason } from './stopReason.ts';
import type { AnthropicStopReason } from './stopReason.ts';

type AnthropicResponseBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'thinking'; thinking: string; signature: string };

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

export interface AnthropicMessageResponse {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: AnthropicStopReason;
  stop_sequence: null;
  usage: AnthropicUsage;
}

const MESSAGE_ID_LENGTH = 24;

/**
 * Bedrock ids look like `msg_bdrk_01AbC...` (24 alphanumerics). Deriving ours from the
 * request id keeps it unique and lets a caller's id be matched to the gateway's logs.
 */
export function messageId(requestId: string): string {
  return `msg_bdrk_${requestId.replace(/[^A-Za-z0-9]/g, '').slice(0, MESSAGE_ID_LENGTH).padEnd(MESSAGE_ID_LENGTH, '0')}`;
}

/**
 * `model` reports the upstream model that actually answered. Bedrock puts the Anthropic
 * model name there (not the id the caller sent), so there is no caller id to echo back,
 * and the real model name is the honest equivalent.
 */
export function responseModel(ctx: InvokeContext): string {
  return ctx.upstreamModel;
}

/** Both sides count input tokens without the cached ones, so the numbers carry over as they are. */
export function toAnthropicUsage(usage: TokenUsage): AnthropicUsage {
  return {
    input_tokens: usage.inputTokens ?? 0,
    output_tokens: usage.outputTokens ?? 0,
    cache_creation_input_tokens: usage.cacheWriteInputTokens ?? 0,
    cache_read_input_tokens: usage.cacheReadInputTokens ?? 0,
  };
}

function responseBlock(block: OutputContentBlock): AnthropicResponseBlock {
  if ('text' in block) return { type: 'text', text: block.text };
  if ('toolUse' in block) {
    const { toolUseId, name, input } = block.toolUse;
    return { type: 'tool_use', id: toolUseId, name, input };
  }
  if ('reasoningContent' in block) {
    const { text, signature } = block.reasoningContent.reasoningText;
    return { type: 'thinking', thinking: text, signature: signature ?? '' };
  }
  return assertNever(block, 'output content block');
}

export function converseToAnthropic(response: ConverseResponseJson, ctx: InvokeContext): AnthropicMessageResponse {
  return {
    id: messageId(ctx.requestId),
    type: 'message',
    role: 'assistant',
    model: responseModel(ctx),
    content: response.output.message.content.map(responseBlock),
    stop_reason: toAnthropicStopReason(response.stopReason),
    // Which stop sequence matched is not known upstream (OpenAI reports only "stop").
    stop_sequence: null,
    usage: toAnthropicUsage(response.usage),
  };
}
