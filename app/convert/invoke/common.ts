/**
 * Small pieces the InvokeModel text families share: how the last stream chunk carries the
 * invocation metrics and how usage is read back from them, how prompt tokens are counted for
 * families without a prompt cache, how a response's text is read, how turns merge into Converse
 * messages, how sampling parameters become an inferenceConfig, and the stream encoder of the
 * families whose chunks carry only text.
 */
import { assertNever } from '../../core/assertNever.ts';
import type { ContentBlock, ConverseRequest, Message } from '../../schemas/converse.ts';
import type { ConverseStreamEvent, OutputContentBlock, StopReason, TokenUsage } from '../converse/types.ts';
import type { FamilyStreamEncoder, InvocationMetrics } from './family.ts';

/** The member Bedrock adds to the last stream chunk of every InvokeModel stream. */
const INVOCATION_METRICS_KEY = 'amazon-bedrock-invocationMetrics';

/** The last stream chunk: the family's closing fields plus the invocation metrics. */
export function withInvocationMetrics(chunk: Record<string, unknown>, metrics: InvocationMetrics): Record<string, unknown> {
  return { ...chunk, [INVOCATION_METRICS_KEY]: metrics };
}

/** Families without a prompt cache on Bedrock report the whole prompt, cached tokens included. */
export function wholePromptTokens(usage: TokenUsage): number {
  return (usage.inputTokens ?? 0) + (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0);
}

/** A stream's usage read back from its invocation metrics (which a stream always has, usage or not). */
export function usageFromMetrics(metrics: InvocationMetrics): TokenUsage {
  return {
    inputTokens: metrics.inputTokenCount,
    outputTokens: metrics.outputTokenCount,
    totalTokens: metrics.inputTokenCount + metrics.outputTokenCount + (metrics.cacheReadInputTokenCount ?? 0) + (metrics.cacheWriteInputTokenCount ?? 0),
    ...(metrics.cacheReadInputTokenCount !== undefined && { cacheReadInputTokens: metrics.cacheReadInputTokenCount }),
    ...(metrics.cacheWriteInputTokenCount !== undefined && { cacheWriteInputTokens: metrics.cacheWriteInputTokenCount }),
  };
}

/** The text blocks of a response joined; tool uses and reasoning are not text. */
export function responseText(content: readonly OutputContentBlock[]): string {
  return content.map((block) => ('text' in block ? block.text : '')).join('');
}

/** Appends a turn's blocks, merged into the last message when it has the same role (Converse alternates roles). */
export function appendMergingRoles(messages: Message[], role: Message['role'], content: readonly ContentBlock[]): void {
  const last = messages.at(-1);
  if (last?.role === role) last.content.push(...content);
  else messages.push({ role, content: [...content] });
}

/** Sampling parameters the prompt families share; empty stop sequences are dropped, unset fields left out. */
export interface SamplingParameters {
  maxTokens?: number | undefined;
  temperature?: number | undefined;
  topP?: number | undefined;
  stopSequences?: readonly string[] | undefined;
}

/** The Converse inferenceConfig for these parameters, or undefined when none is set. */
export function inferenceConfigOf(parameters: SamplingParameters): ConverseRequest['inferenceConfig'] {
  const stop = parameters.stopSequences?.filter((sequence) => sequence.length > 0) ?? [];
  const config = {
    ...(parameters.maxTokens !== undefined && { maxTokens: parameters.maxTokens }),
    ...(parameters.temperature !== undefined && { temperature: parameters.temperature }),
    ...(parameters.topP !== undefined && { topP: parameters.topP }),
    ...(stop.length > 0 && { stopSequences: stop }),
  };
  return Object.keys(config).length > 0 ? config : undefined;
}

/** Model-id hints some families use to break ties between overlapping bodies. */
export const isLlamaModelId = (modelId: string): boolean => modelId.toLowerCase().includes('llama');
export const isMistralModelId = (modelId: string): boolean => /mistral|mixtral|pixtral/.test(modelId.toLowerCase());
export const isTitanTextModelId = (modelId: string): boolean => /titan-(text|tg)/.test(modelId.toLowerCase());

/** What a text-only family puts in its chunks. */
export interface TextOnlyChunks {
  /** The chunk for one non-empty text delta. */
  textChunk(text: string): Record<string, unknown>;
  /** The closing fields of the last chunk; the invocation metrics are added to them. */
  lastChunk(stopReason: StopReason | undefined, metrics: InvocationMetrics): Record<string, unknown>;
}

/**
 * Stream encoder for families whose bodies have no place for reasoning or tool calls: each non-empty
 * text delta becomes one chunk at once, the stop reason is kept for the last chunk, and every other
 * event is silent.
 */
export function textOnlyStreamEncoder(chunks: TextOnlyChunks): FamilyStreamEncoder {
  let stopReason: StopReason | undefined;
  return {
    push(event: ConverseStreamEvent): unknown[] {
      switch (event.type) {
        case 'contentBlockDelta': {
          const { delta } = event.payload;
          if (!('text' in delta) || delta.text.length === 0) return [];
          return [chunks.textChunk(delta.text)];
        }
        case 'messageStop':
          stopReason = event.payload.stopReason;
          return [];
        case 'messageStart':
        case 'contentBlockStart':
        case 'contentBlockStop':
        case 'metadata':
          return [];
        default:
          return assertNever(event, 'stream event');
      }
    },
    finish(metrics: InvocationMetrics): unknown[] {
      return [withInvocationMetrics(chunks.lastChunk(stopReason, metrics), metrics)];
    },
  };
}
