/**
 * Amazon Nova InvokeModel body (`schemaVersion: "messages-v1"`; wire spec section 7).
 *
 * Nova's messages, system blocks and toolConfig already are Converse shapes, so they are validated
 * with the Converse schemas and passed through; only `inferenceConfig` is renamed (Nova 1 uses
 * snake_case `max_new_tokens`/`top_p`, Nova 2 the Converse camelCase `maxTokens`/`topP`). `top_k`
 * has no OpenAI counterpart and is dropped. A top-level Nova 2 `reasoningConfig` travels in
 * `additionalModelRequestFields`, where the Converse converter maps `maxReasoningEffort`.
 *
 * Responses and stream chunks are the Converse objects themselves, wrapped in their event name
 * (`{"contentBlockDelta": {...}}`). Usage uses Nova's `cacheRead/WriteInputTokenCount` names.
 */
import { assertNever } from '../../core/assertNever.ts';
import { Message, SystemBlock, ToolConfig } from '../../schemas/converse.ts';
import type { ConverseRequest } from '../../schemas/converse.ts';
import { parseWith } from '../../schemas/validate.ts';
import * as z from '../../schemas/zod.ts';
import type { ConverseResponseJson, ConverseStreamEvent, TokenUsage } from '../converse/types.ts';
import { inferenceConfigOf, usageFromMetrics, withInvocationMetrics } from './common.ts';
import type { FamilyStreamEncoder, InvocationMetrics, TextFamily } from './family.ts';

const NovaInferenceConfig = z.object({
  max_new_tokens: z.optional(z.number().check(z.int(), z.minimum(1))),
  maxTokens: z.optional(z.number().check(z.int(), z.minimum(1))),
  temperature: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  top_p: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  topP: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  top_k: z.optional(z.number().check(z.int(), z.minimum(0))),
  topK: z.optional(z.number().check(z.int(), z.minimum(0))),
  stopSequences: z.optional(z.array(z.string())),
});

const NovaBody = z.looseObject({
  schemaVersion: z.optional(z.literal('messages-v1')),
  system: z.optional(z.array(SystemBlock)),
  messages: z.array(Message).check(z.minLength(1)),
  inferenceConfig: z.optional(NovaInferenceConfig),
  toolConfig: z.optional(ToolConfig),
  reasoningConfig: z.optional(z.record(z.string(), z.unknown())),
});

type NovaInferenceConfig = z.output<typeof NovaInferenceConfig>;

interface NovaUsage {
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  cacheReadInputTokenCount?: number;
  cacheWriteInputTokenCount?: number;
}

const isNovaModel = (modelId: string): boolean => modelId.toLowerCase().includes('nova');

export const novaFamily: TextFamily = {
  kind: 'text',
  name: 'Amazon Nova',

  matches(body, modelId) {
    if (body.schemaVersion === 'messages-v1') return true;
    return isNovaModel(modelId) && Array.isArray(body.messages) && !('anthropic_version' in body);
  },

  toConverse(body) {
    const nova = parseWith(NovaBody, body);
    const request: ConverseRequest = { messages: nova.messages };
    if (nova.system !== undefined) request.system = nova.system;
    const inferenceConfig = toInferenceConfig(nova.inferenceConfig);
    if (inferenceConfig !== undefined) request.inferenceConfig = inferenceConfig;
    if (nova.toolConfig !== undefined) request.toolConfig = nova.toolConfig;
    if (nova.reasoningConfig !== undefined) request.additionalModelRequestFields = { reasoningConfig: nova.reasoningConfig };
    return request;
  },

  fromConverse(response: ConverseResponseJson) {
    return {
      output: { message: { role: 'assistant', content: response.output.message.content } },
      stopReason: response.stopReason,
      usage: toNovaUsage(response.usage),
    };
  },

  streamEncoder() {
    return novaStreamEncoder();
  },
};

/** Nova 2 camelCase wins over Nova 1 snake_case when a body carries both. */
function toInferenceConfig(config: NovaInferenceConfig | undefined): ConverseRequest['inferenceConfig'] {
  if (config === undefined) return undefined;
  return inferenceConfigOf({
    maxTokens: config.maxTokens ?? config.max_new_tokens,
    temperature: config.temperature,
    topP: config.topP ?? config.top_p,
    stopSequences: config.stopSequences,
  });
}

function toNovaUsage(usage: TokenUsage | undefined): NovaUsage {
  const input = usage?.inputTokens ?? 0;
  const output = usage?.outputTokens ?? 0;
  const nova: NovaUsage = { inputTokens: input, outputTokens: output, totalTokens: usage?.totalTokens ?? input + output };
  if (usage?.cacheReadInputTokens !== undefined) nova.cacheReadInputTokenCount = usage.cacheReadInputTokens;
  if (usage?.cacheWriteInputTokens !== undefined) nova.cacheWriteInputTokenCount = usage.cacheWriteInputTokens;
  return nova;
}

/**
 * Every Converse event becomes one chunk at once, except `metadata`: Bedrock puts
 * `amazon-bedrock-invocationMetrics` next to `metadata` in the final chunk, and the metrics are only
 * known in `finish`, so that one (small, last) event is held until then.
 */
function novaStreamEncoder(): FamilyStreamEncoder {
  let usage: TokenUsage | undefined;
  return {
    push(event: ConverseStreamEvent): unknown[] {
      switch (event.type) {
        case 'messageStart':
          return [{ messageStart: { role: event.payload.role } }];
        case 'contentBlockStart':
          return [{ contentBlockStart: event.payload }];
        case 'contentBlockDelta':
          return [{ contentBlockDelta: event.payload }];
        case 'contentBlockStop':
          return [{ contentBlockStop: event.payload }];
        case 'messageStop':
          return [{ messageStop: { stopReason: event.payload.stopReason } }];
        case 'metadata':
          usage = event.payload.usage;
          return [];
        default:
          return assertNever(event, 'stream event');
      }
    },
    finish(metrics: InvocationMetrics): unknown[] {
      const finalUsage = usage ?? usageFromMetrics(metrics);
      return [withInvocationMetrics({ metadata: { usage: toNovaUsage(finalUsage), metrics: {}, trace: {} } }, metrics)];
    },
  };
}
