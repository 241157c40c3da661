/**
 * Amazon Titan Text InvokeModel body (`{inputText, textGenerationConfig}`; wire spec section 7).
 *
 * `inputText` is one user message as is: Titan's "User: ... Bot:" conventions are plain text the
 * OpenAI model reads fine. `inputTextTokenCount` is the whole prompt (Titan has no prompt cache).
 * Stream chunks carry `outputText` per delta; the counts and `completionReason` arrive in the last
 * chunk, next to `amazon-bedrock-invocationMetrics`.
 */
import { z } from 'zod';
import { assertNever } from '../../core/assertNever.ts';
import { parseWith } from '../../schemas/validate.ts';
import type { ConverseResponseJson, ConverseStreamEvent, StopReason, TokenUsage } from '../converse/types.ts';
import type { FamilyStreamEncoder, InvocationMetrics, TextFamily } from './family.ts';

const INVOCATION_METRICS = 'amazon-bedrock-invocationMetrics';

export const TitanTextBody = z.looseObject({
  inputText: z.string().min(1),
  textGenerationConfig: z
    .looseObject({
      maxTokenCount: z.number().int().min(1).optional(),
      stopSequences: z.array(z.string()).optional(),
      temperature: z.number().min(0).max(1).optional(),
      topP: z.number().min(0).max(1).optional(),
    })
    .optional(),
});

type CompletionReason = 'FINISH' | 'LENGTH' | 'STOP_CRITERIA_MET' | 'CONTENT_FILTERED';

/** Converse stopReason -> Titan completionReason; anything unlisted finished normally. */
const COMPLETION_REASONS: ReadonlyMap<StopReason, CompletionReason> = new Map<StopReason, CompletionReason>([
  ['max_tokens', 'LENGTH'],
  ['model_context_window_exceeded', 'LENGTH'],
  ['stop_sequence', 'STOP_CRITERIA_MET'],
  ['content_filtered', 'CONTENT_FILTERED'],
  ['guardrail_intervened', 'CONTENT_FILTERED'],
]);

const toCompletionReason = (reason: StopReason | undefined): CompletionReason =>
  (reason === undefined ? undefined : COMPLETION_REASONS.get(reason)) ?? 'FINISH';

const isTitanTextModel = (modelId: string): boolean => /titan-(text|tg)/.test(modelId.toLowerCase());

function promptTokens(usage: TokenUsage): number {
  return (usage.inputTokens ?? 0) + (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0);
}

export const titanTextFamily: TextFamily = {
  kind: 'text',
  name: 'Amazon Titan Text',

  /** Tried after Titan Embeddings, which claims `inputText` bodies for embedding model ids. */
  matches(body, modelId) {
    if (typeof body.inputText !== 'string') return false;
    return 'textGenerationConfig' in body || isTitanTextModel(modelId);
  },

  toConverse(body) {
    const titan = parseWith(TitanTextBody, body);
    const config = titan.textGenerationConfig ?? {};
    const stop = config.stopSequences?.filter((sequence) => sequence.length > 0) ?? [];
    const inferenceConfig = {
      ...(config.maxTokenCount !== undefined && { maxTokens: config.maxTokenCount }),
      ...(config.temperature !== undefined && { temperature: config.temperature }),
      ...(config.topP !== undefined && { topP: config.topP }),
      ...(stop.length > 0 && { stopSequences: stop }),
    };
    return {
      messages: [{ role: 'user', content: [{ text: titan.inputText }] }],
      ...(Object.keys(inferenceConfig).length > 0 && { inferenceConfig }),
    };
  },

  fromConverse(response: ConverseResponseJson) {
    const outputText = response.output.message.content.map((block) => ('text' in block ? block.text : '')).join('');
    return {
      inputTextTokenCount: promptTokens(response.usage),
      results: [{
        tokenCount: response.usage.outputTokens ?? 0,
        outputText,
        completionReason: toCompletionReason(response.stopReason),
      }],
    };
  },

  streamEncoder() {
    return titanTextStreamEncoder();
  },
};

function titanTextStreamEncoder(): FamilyStreamEncoder {
  let stopReason: StopReason | undefined;
  return {
    push(event: ConverseStreamEvent): unknown[] {
      switch (event.type) {
        case 'contentBlockDelta': {
          const { delta } = event.payload;
          // Titan text has no reasoning or tool-call fields; only text is streamed.
          if (!('text' in delta) || delta.text.length === 0) return [];
          return [{ outputText: delta.text, index: 0, totalOutputTextTokenCount: null, completionReason: null, inputTextTokenCount: null }];
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
      return [{
        outputText: '',
        index: 0,
        totalOutputTextTokenCount: metrics.outputTokenCount,
        completionReason: toCompletionReason(stopReason),
        inputTextTokenCount: metrics.inputTokenCount + (metrics.cacheReadInputTokenCount ?? 0) + (metrics.cacheWriteInputTokenCount ?? 0),
        [INVOCATION_METRICS]: metrics,
      }];
    },
  };
}
