/**
 * ConverseStream events -> Anthropic Messages stream events (wire spec section 4), one
 * object per InvokeModelWithResponseStream `chunk`. Anthropic block indexes are the
 * Converse contentBlockIndex values: both start at 0 and grow by one per block.
 *
 * Converse opens text and reasoning blocks implicitly (no contentBlockStart), while
 * Anthropic always sends `content_block_start`; the encoder emits it on the block's
 * first delta. Nothing is ever buffered.
 */
import { assertNever } from '../../../core/assertNever.ts';
import type { ContentBlockDelta, ConverseStreamEvent, StopReason } from '../../converse/types.ts';
import { usageFromMetrics } from '../common.ts';
import type { FamilyStreamEncoder, InvocationMetrics, InvokeContext } from '../family.ts';
import { messageId, responseModel, toAnthropicUsage } from './response.ts';
import type { AnthropicUsage } from './response.ts';
import { toAnthropicStopReason } from './stopReason.ts';
import type { AnthropicStopReason } from './stopReason.ts';

type StartedBlock =
  | { type: 'text'; text: '' }
  | { type: 'thinking'; thinking: '' }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, never> };

type StreamDelta =
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; thinking: string }
  | { type: 'signature_delta'; signature: string }
  | { type: 'input_json_delta'; partial_json: string };

export type AnthropicStreamEvent =
  | {
      type: 'message_start';
      message: {
        id: string;
        type: 'message';
        role: 'assistant';
        model: string;
        content: [];
        stop_reason: null;
        stop_sequence: null;
        usage: { input_tokens: number; output_tokens: number };
      };
    }
  | { type: 'content_block_start'; index: number; content_block: StartedBlock }
  | { type: 'content_block_delta'; index: number; delta: StreamDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: AnthropicStopReason; stop_sequence: null }; usage: AnthropicUsage }
  | { type: 'message_stop'; 'amazon-bedrock-invocationMetrics': InvocationMetrics };

export class AnthropicStreamEncoder implements FamilyStreamEncoder {
  readonly #ctx: InvokeContext;
  /** Indexes that already had their content_block_start. */
  readonly #started = new Set<number>();
  #stopReason: StopReason | undefined;
  #messageDeltaSent = false;

  constructor(ctx: InvokeContext) {
    this.#ctx = ctx;
  }

  push(event: ConverseStreamEvent): AnthropicStreamEvent[] {
    switch (event.type) {
      case 'messageStart':
        return [this.#messageStart()];
      case 'contentBlockStart': {
        const { contentBlockIndex: index, start } = event.payload;
        this.#started.add(index);
        const block: StartedBlock = { type: 'tool_use', id: start.toolUse.toolUseId, name: start.toolUse.name, input: {} };
        return [{ type: 'content_block_start', index, content_block: block }];
      }
      case 'contentBlockDelta':
        return this.#delta(event.payload.contentBlockIndex, event.payload.delta);
      case 'contentBlockStop': {
        const index = event.payload.contentBlockIndex;
        // A block that never started is unknown to the caller; a stop for it would break its accumulator.
        if (!this.#started.has(index)) return [];
        return [{ type: 'content_block_stop', index }];
      }
      case 'messageStop':
        // Anthropic puts the stop reason in message_delta, together with the usage that metadata brings next.
        this.#stopReason = event.payload.stopReason;
        return [];
      case 'metadata':
        this.#messageDeltaSent = true;
        return [this.#messageDelta(toAnthropicUsage(event.payload.usage))];
      default:
        return assertNever(event, 'ConverseStream event');
    }
  }

  finish(metrics: InvocationMetrics): AnthropicStreamEvent[] {
    const events: AnthropicStreamEvent[] = [];
    if (!this.#messageDeltaSent) {
      // The Converse stream always ends with metadata; this only guards a truncated one.
      events.push(this.#messageDelta(toAnthropicUsage(usageFromMetrics(metrics))));
      this.#messageDeltaSent = true;
    }
    events.push({ type: 'message_stop', 'amazon-bedrock-invocationMetrics': metrics });
    return events;
  }

  /**
   * Input tokens are known only once the upstream's final usage arrives, and message_start
   * is never held back for them: it carries 0, and the real counts follow in message_delta
   * (which Anthropic clients merge into the message usage) and in the invocation metrics.
   */
  #messageStart(): AnthropicStreamEvent {
    return {
      type: 'message_start',
      message: {
        id: messageId(this.#ctx.requestId),
        type: 'message',
        role: 'assistant',
        model: responseModel(this.#ctx),
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 0, output_tokens: 0 },
      },
    };
  }

  #messageDelta(usage: AnthropicUsage): AnthropicStreamEvent {
    return {
      type: 'message_delta',
      delta: { stop_reason: toAnthropicStopReason(this.#stopReason), stop_sequence: null },
      usage,
    };
  }

  /** A content_block_start for an implicitly opened block, the first time its index is seen. */
  #open(index: number, block: StartedBlock): AnthropicStreamEvent[] {
    if (this.#started.has(index)) return [];
    this.#started.add(index);
    return [{ type: 'content_block_start', index, content_block: block }];
  }

  #delta(index: number, delta: ContentBlockDelta): AnthropicStreamEvent[] {
    if ('text' in delta) {
      return [...this.#open(index, { type: 'text', text: '' }), { type: 'content_block_delta', index, delta: { type: 'text_delta', text: delta.text } }];
    }
    if ('toolUse' in delta) {
      return [{ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: delta.toolUse.input } }];
    }
    if ('reasoningContent' in delta) {
      const reasoning = delta.reasoningContent;
      const opened = this.#open(index, { type: 'thinking', thinking: '' });
      if ('text' in reasoning) return [...opened, { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: reasoning.text } }];
      if ('signature' in reasoning) return [...opened, { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: reasoning.signature } }];
      return assertNever(reasoning, 'reasoning delta');
    }
    return assertNever(delta, 'content block delta');
  }
}
