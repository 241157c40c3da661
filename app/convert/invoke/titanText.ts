/**
 * Amazon Titan Text InvokeModel body (`{inputText, textGenerationConfig}`; wire spec section 7).
 *
 * `inputText` is one user message as is: Titan's "User: ... Bot:" conventions are plain text the
 * OpenAI model reads fine. `inputTextTokenCount` is the whole prompt (Titan has no prompt cache).
 * Stream chunks carry `outputText` per delta; the counts and `completionReason` arrive in the last
 * chunk, next to `amazon-bedrock-invocationMetrics`.
 */
import * as z from '../../schemas/zod.ts';
import { parseWith } from '../../schemas/validate.ts';
import type { ConverseResponseJson, StopReason } from '../converse/types.ts';
import { inferenceConfigOf, isTitanTextModelId, responseText, textOnlyStreamEncoder, usageFromMetrics, wholePromptTokens } from './common.ts';
import type { FamilyStreamEncoder, TextFamily } from './family.ts';

const TitanTextBody = z.looseObject({
  inputText: z.string().check(z.minLength(1)),
  textGenerationConfig: z.optional(
    z.looseObject({
      maxTokenCount: z.optional(z.number().check(z.int(), z.minimum(1))),
      stopSequences: z.optional(z.array(z.string())),
      temperature: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
      topP: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
    }),
  ),
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

export const titanTextFamily: TextFamily = {
  kind: 'text',
  name: 'Amazon Titan Text',

  /** Tried after Titan Embeddings, which claims `inputText` bodies for embedding model ids. */
  matches(body, modelId) {
    if (typeof body.inputText !== 'string') return false;
    return 'textGenerationConfig' in body || isTitanTextModelId(modelId);
  },

  toConverse(body) {
    const titan = parseWith(TitanTextBody, body);
    const config = titan.textGenerationConfig ?? {};
    const inferenceConfig = inferenceConfigOf({
      maxTokens: config.maxTokenCount,
      temperature: config.temperature,
      topP: config.topP,
      stopSequences: config.stopSequences,
    });
    return {
      messages: [{ role: 'user', content: [{ text: titan.inputText }] }],
      ...(inferenceConfig !== undefined && { inferenceConfig }),
    };
  },

  fromConverse(response: ConverseResponseJson) {
    return {
      inputTextTokenCount: wholePromptTokens(response.usage),
      results: [{
        tokenCount: response.usage.outputTokens ?? 0,
        outputText: responseText(response.output.message.content),
        completionReason: toCompletionReason(response.stopReason),
      }],
    };
  },

  streamEncoder() {
    return titanTextStreamEncoder();
  },
};

/** Titan text has no reasoning or tool-call fields; only text is streamed. */
function titanTextStreamEncoder(): FamilyStreamEncoder {
  return textOnlyStreamEncoder({
    textChunk: (text) => ({ outputText: text, index: 0, totalOutputTextTokenCount: null, completionReason: null, inputTextTokenCount: null }),
    lastChunk: (stopReason, metrics) => ({
      outputText: '',
      index: 0,
      totalOutputTextTokenCount: metrics.outputTokenCount,
      completionReason: toCompletionReason(stopReason),
      inputTextTokenCount: wholePromptTokens(usageFromMetrics(metrics)),
    }),
  });
}
