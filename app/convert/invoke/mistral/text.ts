/**
 * The Mistral text InvokeModel family (wire spec section 7):
 * `{prompt:"<s>[INST] ... [/INST]", max_tokens, stop, temperature, top_p, top_k}` ->
 * `{outputs:[{text, stop_reason}]}`. `[INST]...[/INST]` spans are user turns and the text between
 * them assistant turns; a prompt without `[INST]` is one user message. `top_k` has no OpenAI
 * counterpart and is dropped. Streamed text goes out as it comes.
 */
import { validation } from '../../../core/errors.ts';
import type { Message } from '../../../schemas/converse.ts';
import { parseWith } from '../../../schemas/validate.ts';
import * as z from '../../../schemas/zod.ts';
import type { ConverseResponseJson } from '../../converse/types.ts';
import { appendMergingRoles, inferenceConfigOf, isLlamaModelId, isMistralModelId, responseText, textOnlyStreamEncoder } from '../common.ts';
import type { FamilyStreamEncoder, TextFamily } from '../family.ts';
import { toStopReason } from './stopReason.ts';

const MistralTextBody = z.looseObject({
  prompt: z.string().check(z.minLength(1)),
  max_tokens: z.optional(z.number().check(z.int(), z.minimum(1))),
  stop: z.optional(z.array(z.string())),
  temperature: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  top_p: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  top_k: z.optional(z.number().check(z.int(), z.minimum(0))),
});

export interface InstructTurn {
  role: 'user' | 'assistant';
  text: string;
}

const INST = /\[INST\]([\s\S]*?)\[\/INST\]/g;
const SENTENCE_MARKERS = /<\/?s>/g;

/** `<s>[INST] a [/INST] b</s>[INST] c [/INST]` -> user a, assistant b, user c. */
export function parseInstructPrompt(prompt: string): InstructTurn[] {
  const source = prompt.replace(SENTENCE_MARKERS, '');
  const spans = [...source.matchAll(INST)];
  if (spans.length === 0) return [{ role: 'user' as const, text: source.trim() }].filter((turn) => turn.text.length > 0);
  const turns: InstructTurn[] = [];
  let cursor = 0;
  for (const span of spans) {
    const between = source.slice(cursor, span.index).trim();
    // Text before the first [INST] is context the caller put up front; later gaps are answers.
    if (between.length > 0) turns.push({ role: cursor === 0 ? 'user' : 'assistant', text: between });
    const user = (span[1] ?? '').trim();
    if (user.length > 0) turns.push({ role: 'user', text: user });
    cursor = span.index + span[0].length;
  }
  const trailing = source.slice(cursor).trim();
  if (trailing.length > 0) turns.push({ role: 'assistant', text: trailing });
  return turns;
}

function turnsToMessages(turns: readonly InstructTurn[]): Message[] {
  const messages: Message[] = [];
  for (const turn of turns) appendMergingRoles(messages, turn.role, [{ text: turn.text }]);
  return messages;
}

export const mistralTextFamily: TextFamily = {
  kind: 'text',
  name: 'Mistral',

  /** Tried before Llama; a Llama model id or `max_gen_len` always means Llama. */
  matches(body, modelId) {
    const prompt = body.prompt;
    if (typeof prompt !== 'string' || 'max_gen_len' in body || isLlamaModelId(modelId)) return false;
    return isMistralModelId(modelId) || 'max_tokens' in body || 'stop' in body || 'top_k' in body || prompt.includes('[INST]');
  },

  toConverse(body) {
    const mistral = parseWith(MistralTextBody, body);
    const messages = turnsToMessages(parseInstructPrompt(mistral.prompt));
    if (!messages.some((message) => message.role === 'user')) throw validation('prompt: the prompt contains no user text');
    const inferenceConfig = inferenceConfigOf({
      maxTokens: mistral.max_tokens,
      temperature: mistral.temperature,
      topP: mistral.top_p,
      stopSequences: mistral.stop,
    });
    return { messages, ...(inferenceConfig !== undefined && { inferenceConfig }) };
  },

  fromConverse(response: ConverseResponseJson) {
    return { outputs: [{ text: responseText(response.output.message.content), stop_reason: toStopReason(response.stopReason, 'text') }] };
  },

  streamEncoder() {
    return mistralTextStreamEncoder();
  },
};

function mistralTextStreamEncoder(): FamilyStreamEncoder {
  return textOnlyStreamEncoder({
    textChunk: (text) => ({ outputs: [{ text, stop_reason: null }] }),
    lastChunk: (stopReason) => ({ outputs: [{ text: '', stop_reason: toStopReason(stopReason, 'text') }] }),
  });
}
