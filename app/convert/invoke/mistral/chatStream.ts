/**
 * Mistral chat stream chunks. Text deltas go out as they come. A tool call goes out as one chunk
 * when its block stops, because Mistral sends tool calls whole (id, name and complete arguments)
 * rather than as argument fragments; only that one call's arguments are held, never the rest of
 * the stream.
 */
import { assertNever } from '../../../core/assertNever.ts';
import type { ConverseStreamEvent, StopReason } from '../../converse/types.ts';
import { withInvocationMetrics } from '../common.ts';
import type { FamilyStreamEncoder, InvocationMetrics } from '../family.ts';
import { toStopReason } from './stopReason.ts';

interface PendingToolCall {
  id: string;
  name: string;
  arguments: string;
}

function chatChunk(message: Record<string, unknown>): unknown {
  return { choices: [{ index: 0, message: { role: 'assistant', ...message }, stop_reason: null }] };
}

export function mistralChatStreamEncoder(): FamilyStreamEncoder {
  let stopReason: StopReason | undefined;
  const pending = new Map<number, PendingToolCall>();
  return {
    push(event: ConverseStreamEvent): unknown[] {
      switch (event.type) {
        case 'contentBlockStart': {
          const { toolUse } = event.payload.start;
          pending.set(event.payload.contentBlockIndex, { id: toolUse.toolUseId, name: toolUse.name, arguments: '' });
          return [];
        }
        case 'contentBlockDelta': {
          const { delta, contentBlockIndex } = event.payload;
          if ('text' in delta) return delta.text.length === 0 ? [] : [chatChunk({ content: delta.text })];
          if ('toolUse' in delta) {
            const call = pending.get(contentBlockIndex);
            if (call !== undefined) call.arguments += delta.toolUse.input;
          }
          // Reasoning has no place in Mistral's chat body.
          return [];
        }
        case 'contentBlockStop': {
          const call = pending.get(event.payload.contentBlockIndex);
          if (call === undefined) return [];
          pending.delete(event.payload.contentBlockIndex);
          const args = call.arguments.length > 0 ? call.arguments : '{}';
          return [chatChunk({ content: '', tool_calls: [{ id: call.id, function: { name: call.name, arguments: args } }] })];
        }
        case 'messageStop':
          stopReason = event.payload.stopReason;
          return [];
        case 'messageStart':
        case 'metadata':
          return [];
        default:
          return assertNever(event, 'stream event');
      }
    },
    finish(metrics: InvocationMetrics): unknown[] {
      const choices = [{ index: 0, message: { role: 'assistant', content: '' }, stop_reason: toStopReason(stopReason, 'chat') }];
      return [withInvocationMetrics({ choices }, metrics)];
    },
  };
}
