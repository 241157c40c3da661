/**
 * Converse response and stream-event shapes in their JSON wire form.
 * Built from the SDK's own types (type-only import) so that field names cannot drift;
 * only the members the gateway emits are narrowed here.
 */
import type {
  ConverseStreamMetadataEvent,
  MessageStartEvent,
  MessageStopEvent,
  StopReason,
  TokenUsage,
} from '@aws-sdk/client-bedrock-runtime';

export type { StopReason, TokenUsage };

/** Output content blocks the gateway produces (Converse response `output.message.content[]`). */
export type OutputContentBlock =
  | { text: string }
  | { toolUse: { toolUseId: string; name: string; input: unknown } }
  | { reasoningContent: { reasoningText: { text: string; signature?: string } } };

export interface ConverseResponseJson {
  output: { message: { role: 'assistant'; content: OutputContentBlock[] } };
  stopReason: StopReason;
  usage: TokenUsage;
  metrics: { latencyMs: number };
  additionalModelResponseFields?: Record<string, unknown>;
  performanceConfig?: { latency: string };
}

/** Deltas inside `contentBlockDelta` events. */
export type ContentBlockDelta =
  | { text: string }
  | { toolUse: { input: string } }
  | { reasoningContent: { text: string } | { signature: string } };

/**
 * One ConverseStream event: `type` becomes the `:event-type` header and `payload` the
 * JSON body (the member structure itself, not wrapped in the event name).
 */
export type ConverseStreamEvent =
  | { type: 'messageStart'; payload: Required<Pick<MessageStartEvent, 'role'>> & { role: 'assistant' } }
  | {
      type: 'contentBlockStart';
      payload: { contentBlockIndex: number; start: { toolUse: { toolUseId: string; name: string } } };
    }
  | { type: 'contentBlockDelta'; payload: { contentBlockIndex: number; delta: ContentBlockDelta } }
  | { type: 'contentBlockStop'; payload: { contentBlockIndex: number } }
  | { type: 'messageStop'; payload: Pick<MessageStopEvent, 'stopReason'> & { stopReason: StopReason; additionalModelResponseFields?: Record<string, unknown> } }
  | {
      type: 'metadata';
      payload: Pick<ConverseStreamMetadataEvent, 'usage' | 'metrics'> & { usage: TokenUsage; metrics: { latencyMs: number } };
    };

/** In-stream exceptions ConverseStream and InvokeModelWithResponseStream may carry (lowerCamel, as on the wire). */
export type StreamExceptionType =
  | 'internalServerException'
  | 'modelStreamErrorException'
  | 'validationException'
  | 'throttlingException'
  | 'serviceUnavailableException'
  | 'modelTimeoutException';
