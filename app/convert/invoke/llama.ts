/**
 * Meta Llama InvokeModel body (`{prompt, max_gen_len, temperature, top_p, images?}`; wire spec section 7).
 *
 * Callers usually send a prompt already rendered with the Llama 3 chat template
 * (`<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\n...<|eot_id|>...`). Those turns are
 * parsed back into Converse system/user/assistant messages, so the OpenAI model sees a conversation
 * rather than template tokens; a prompt without headers is one user message. Llama 3.2 vision
 * `images` (base64) are attached to the first user turn and `<|image|>` markers are removed.
 *
 * Token counts: `prompt_token_count` is the whole prompt (cached tokens included, Llama has no
 * prompt cache on Bedrock). While streaming, `generation_token_count` is the running number of
 * text deltas (OpenAI sends about one token per delta); the last chunk carries the exact counts.
 */
import { validation } from '../../core/errors.ts';
import type { ContentBlock, ConverseRequest, Message, SystemBlock } from '../../schemas/converse.ts';
import { parseWith } from '../../schemas/validate.ts';
import * as z from '../../schemas/zod.ts';
import type { ConverseResponseJson, StopReason } from '../converse/types.ts';
import {
  appendMergingRoles,
  inferenceConfigOf,
  isLlamaModelId,
  isMistralModelId,
  responseText,
  textOnlyStreamEncoder,
  usageFromMetrics,
  wholePromptTokens,
} from './common.ts';
import type { FamilyStreamEncoder, TextFamily } from './family.ts';

const LlamaBody = z.looseObject({
  prompt: z.string().check(z.minLength(1)),
  max_gen_len: z.optional(z.number().check(z.int(), z.minimum(1))),
  temperature: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  top_p: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  images: z.optional(z.array(z.base64('must be base64-encoded image bytes'))),
});

type LlamaStopReason = 'stop' | 'length';

export interface LlamaTurn {
  role: 'system' | 'user' | 'assistant';
  text: string;
}

const HEADER = /<\|start_header_id\|>(.*?)<\|end_header_id\|>/g;
const END_OF_TURN = /<\|(?:eot_id|eom_id|end_of_text)\|>/g;
const BEGIN_OF_TEXT = /<\|begin_of_text\|>/g;
const IMAGE_MARKER = /<\|image\|>/g;

/** Llama 3 roles -> Converse roles; tool output (`ipython`, `tool`) is something the user side supplies. */
const ROLES: ReadonlyMap<string, LlamaTurn['role']> = new Map([
  ['system', 'system'],
  ['user', 'user'],
  ['assistant', 'assistant'],
  ['ipython', 'user'],
  ['tool', 'user'],
]);

export const llamaFamily: TextFamily = {
  kind: 'text',
  name: 'Meta Llama',

  /** Tried after Mistral: a bare `{prompt}` for an unknown model id is read as Llama. */
  matches(body, modelId) {
    if (typeof body.prompt !== 'string') return false;
    return 'max_gen_len' in body || isLlamaModelId(modelId) || !isMistralModelId(modelId);
  },

  toConverse(body) {
    const llama = parseWith(LlamaBody, body);
    const turns = parseLlamaPrompt(llama.prompt);
    const request = turnsToConverse(turns, llama.images ?? []);
    const inferenceConfig = inferenceConfigOf({ maxTokens: llama.max_gen_len, temperature: llama.temperature, topP: llama.top_p });
    if (inferenceConfig !== undefined) request.inferenceConfig = inferenceConfig;
    return request;
  },

  fromConverse(response: ConverseResponseJson) {
    return {
      generation: responseText(response.output.message.content),
      prompt_token_count: wholePromptTokens(response.usage),
      generation_token_count: response.usage.outputTokens ?? 0,
      stop_reason: toLlamaStopReason(response.stopReason),
    };
  },

  streamEncoder() {
    return llamaStreamEncoder();
  },
};

/**
 * Splits a Llama 3 chat-template prompt into turns. Text before the first header is a user turn;
 * empty turns (notably the trailing `assistant` header that asks for the generation) are dropped.
 */
export function parseLlamaPrompt(prompt: string): LlamaTurn[] {
  const source = prompt.replace(BEGIN_OF_TEXT, '');
  const headers = [...source.matchAll(HEADER)];
  if (headers.length === 0) return [{ role: 'user' as const, text: clean(source) }].filter((turn) => turn.text.length > 0);
  const turns: LlamaTurn[] = [];
  const leading = clean(source.slice(0, headers[0]?.index ?? 0));
  if (leading.length > 0) turns.push({ role: 'user', text: leading });
  headers.forEach((header, k) => {
    const name = (header[1] ?? '').trim();
    const role = ROLES.get(name);
    if (role === undefined) throw validation(`prompt: unknown Llama role header "${name}"; expected system, user, assistant or ipython`);
    const start = header.index + header[0].length;
    const end = headers[k + 1]?.index ?? source.length;
    const text = clean(source.slice(start, end));
    if (text.length > 0) turns.push({ role, text });
  });
  return turns;
}

function clean(text: string): string {
  return text.replace(END_OF_TURN, '').replace(IMAGE_MARKER, '').trim();
}

/** System turns become `system`; consecutive same-role turns are merged (Converse alternates roles). */
function turnsToConverse(turns: readonly LlamaTurn[], images: readonly string[]): ConverseRequest {
  const system: SystemBlock[] = [];
  const messages: Message[] = [];
  for (const turn of turns) {
    if (turn.role === 'system') {
      system.push({ text: turn.text });
      continue;
    }
    appendMergingRoles(messages, turn.role, [{ text: turn.text }]);
  }
  if (images.length > 0) attachImages(messages, images);
  if (!messages.some((message) => message.role === 'user')) {
    throw validation('prompt: the prompt contains no user text');
  }
  return { messages, ...(system.length > 0 && { system }) };
}

function attachImages(messages: Message[], images: readonly string[]): void {
  const blocks: ContentBlock[] = images.map((bytes, k) => ({ image: { format: imageFormat(bytes, `images[${k}]`), source: { bytes } } }));
  const firstUser = messages.find((message) => message.role === 'user');
  if (firstUser === undefined) messages.unshift({ role: 'user', content: blocks });
  else firstUser.content.unshift(...blocks);
}

/** Llama takes bare base64 without a media type; the format is read from the magic bytes. */
function imageFormat(base64: string, path: string): 'png' | 'jpeg' | 'gif' | 'webp' {
  const head = Buffer.from(base64.slice(0, 24), 'base64');
  if (head.subarray(0, 4).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47]))) return 'png';
  if (head.subarray(0, 3).equals(Buffer.from([0xff, 0xd8, 0xff]))) return 'jpeg';
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'gif';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'webp';
  throw validation(`${path}: the image must be PNG, JPEG, GIF or WebP`);
}

function toLlamaStopReason(reason: StopReason | undefined): LlamaStopReason {
  return reason === 'max_tokens' || reason === 'model_context_window_exceeded' ? 'length' : 'stop';
}

/** Llama's body has no place for reasoning or tool calls; only text is streamed. */
function llamaStreamEncoder(): FamilyStreamEncoder {
  let deltas = 0;
  return textOnlyStreamEncoder({
    textChunk(text) {
      deltas += 1;
      return { generation: text, prompt_token_count: null, generation_token_count: deltas, stop_reason: null };
    },
    lastChunk: (stopReason, metrics) => ({
      generation: '',
      prompt_token_count: wholePromptTokens(usageFromMetrics(metrics)),
      generation_token_count: metrics.outputTokenCount,
      stop_reason: toLlamaStopReason(stopReason),
    }),
  });
}
