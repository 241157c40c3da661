/**
 * Mistral InvokeModel bodies (wire spec section 7), two forms, two families:
 *
 * - text: `{prompt:"<s>[INST] ... [/INST]", max_tokens, stop, temperature, top_p, top_k}` ->
 *   `{outputs:[{text, stop_reason}]}`. `[INST]...[/INST]` spans are user turns and the text between
 *   them assistant turns; a prompt without `[INST]` is one user message.
 * - chat (Mistral Large / Pixtral): `{messages, tools, tool_choice, max_tokens, temperature, top_p}`
 *   with OpenAI-style messages and function tools -> `{choices:[{index, message, stop_reason}]}`.
 *
 * `top_k` has no OpenAI counterpart and is dropped. `tool_choice: "none"` has no Converse
 * counterpart either, so it sends no tools at all (the history's tool calls still go through).
 *
 * Streaming: text deltas go out as they come. A chat tool call goes out as one chunk when its block
 * stops, because Mistral sends tool calls whole (id, name and complete arguments) rather than as
 * argument fragments; only that one call's arguments are held, never the rest of the stream.
 */
import { assertNever } from '../../core/assertNever.ts';
import { validation } from '../../core/errors.ts';
import type { ContentBlock, ConverseRequest, Message, SystemBlock } from '../../schemas/converse.ts';
import { parseWith } from '../../schemas/validate.ts';
import * as z from '../../schemas/zod.ts';
import type { ConverseResponseJson, ConverseStreamEvent, StopReason } from '../converse/types.ts';
import {
  appendMergingRoles,
  inferenceConfigOf,
  isLlamaModelId,
  isMistralModelId,
  responseText,
  textOnlyStreamEncoder,
  withInvocationMetrics,
} from './common.ts';
import type { FamilyStreamEncoder, InvocationMetrics, TextFamily } from './family.ts';

type MistralStopReason = 'stop' | 'length' | 'tool_calls';

const STOP_REASONS: ReadonlyMap<StopReason, MistralStopReason> = new Map<StopReason, MistralStopReason>([
  ['max_tokens', 'length'],
  ['model_context_window_exceeded', 'length'],
  ['tool_use', 'tool_calls'],
]);

/** Text completions never call tools, so their reason is only ever stop or length. */
function toStopReason(reason: StopReason | undefined, form: 'text' | 'chat'): MistralStopReason {
  const mapped = reason === undefined ? 'stop' : (STOP_REASONS.get(reason) ?? 'stop');
  return form === 'text' && mapped === 'tool_calls' ? 'stop' : mapped;
}

/** Model ids that name a provider whose `messages` body is not Mistral's. */
const isOtherChatProvider = (modelId: string): boolean => /anthropic|claude|nova|llama|titan|cohere/.test(modelId.toLowerCase());

// ---------------------------------------------------------------------------------------------
// Text form
// ---------------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------------
// Chat form
// ---------------------------------------------------------------------------------------------

const ImageUrl = z.union([z.string(), z.object({ url: z.string() })]);

const ChatContentPart = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text'), text: z.string() }),
    z.object({ type: z.literal('image_url'), image_url: ImageUrl }),
  ],
  { error: 'content parts must be of type "text" or "image_url"' },
);

const ToolCall = z.object({
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  type: z.optional(z.literal('function')),
  function: z.object({
    name: z.string().check(z.minLength(1), z.maxLength(64)),
    arguments: z.union([z.string(), z.record(z.string(), z.unknown())]),
  }),
});

const ChatMessage = z
  .object({
    role: z.enum(['system', 'user', 'assistant', 'tool']),
    content: z.nullish(z.union([z.string(), z.array(ChatContentPart)])),
    tool_calls: z.optional(z.array(ToolCall)),
    tool_call_id: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    name: z.optional(z.string()),
  })
  .check(
    z.refine((message) => message.role !== 'tool' || message.tool_call_id !== undefined, {
      message: 'tool messages must set tool_call_id',
      path: ['tool_call_id'],
    }),
  );

const FunctionTool = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string().check(z.minLength(1), z.maxLength(64)),
    description: z.optional(z.string()),
    parameters: z.optional(z.record(z.string(), z.unknown())),
  }),
});

const ChatToolChoice = z.union([
  z.enum(['auto', 'any', 'none', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: z.string().check(z.minLength(1)) }) }),
]);

const MistralChatBody = z.looseObject({
  messages: z.array(ChatMessage).check(z.minLength(1)),
  tools: z.optional(z.array(FunctionTool)),
  tool_choice: z.optional(ChatToolChoice),
  max_tokens: z.optional(z.number().check(z.int(), z.minimum(1))),
  temperature: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  top_p: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
});

type ChatMessage = z.output<typeof ChatMessage>;
type MistralChatBody = z.output<typeof MistralChatBody>;

const DATA_URL = /^data:image\/(png|jpeg|jpg|gif|webp);base64,([A-Za-z0-9+/]+={0,2})$/;

/** Strings in content or tool_calls are the giveaway of an OpenAI-style body rather than Nova's block lists. */
function looksLikeChatMessages(messages: readonly unknown[]): boolean {
  return messages.some((message) => {
    if (typeof message !== 'object' || message === null) return false;
    const { content, role } = message as Record<string, unknown>;
    return typeof content === 'string' || role === 'tool' || 'tool_calls' in message;
  });
}

export const mistralChatFamily: TextFamily = {
  kind: 'text',
  name: 'Mistral chat',

  matches(body, modelId) {
    if (!Array.isArray(body.messages) || 'anthropic_version' in body || 'schemaVersion' in body) return false;
    return isMistralModelId(modelId) || (!isOtherChatProvider(modelId) && looksLikeChatMessages(body.messages));
  },

  toConverse(body) {
    const chat = parseWith(MistralChatBody, body);
    const system: SystemBlock[] = [];
    const messages: Message[] = [];
    chat.messages.forEach((message, k) => {
      if (message.role === 'system') {
        const text = plainText(message, k);
        if (text.length > 0) system.push({ text });
        return;
      }
      const role = message.role === 'assistant' ? 'assistant' : 'user';
      const content = toContentBlocks(message, k);
      if (content.length === 0) return;
      appendMergingRoles(messages, role, content);
    });
    if (messages.length === 0) throw validation('messages: must contain at least one user or assistant message');
    const request: ConverseRequest = { messages };
    if (system.length > 0) request.system = system;
    const inferenceConfig = inferenceConfigOf({ maxTokens: chat.max_tokens, temperature: chat.temperature, topP: chat.top_p });
    if (inferenceConfig !== undefined) request.inferenceConfig = inferenceConfig;
    const toolConfig = toToolConfig(chat);
    if (toolConfig !== undefined) request.toolConfig = toolConfig;
    return request;
  },

  fromConverse(response: ConverseResponseJson) {
    const content = response.output.message.content;
    const toolCalls = content.flatMap((block) =>
      'toolUse' in block ? [{ id: block.toolUse.toolUseId, function: { name: block.toolUse.name, arguments: JSON.stringify(block.toolUse.input ?? {}) } }] : [],
    );
    return {
      choices: [{
        index: 0,
        message: { role: 'assistant', content: responseText(content), ...(toolCalls.length > 0 && { tool_calls: toolCalls }) },
        stop_reason: toStopReason(response.stopReason, 'chat'),
      }],
    };
  },

  streamEncoder() {
    return mistralChatStreamEncoder();
  },
};

function plainText(message: ChatMessage, k: number): string {
  const content = message.content ?? '';
  if (typeof content === 'string') return content;
  return content.map((part, p) => {
    if (part.type !== 'text') throw validation(`messages[${k}].content[${p}]: ${message.role} messages may only carry text`);
    return part.text;
  }).join('\n');
}

function toContentBlocks(message: ChatMessage, k: number): ContentBlock[] {
  if (message.role === 'tool') {
    return [{ toolResult: { toolUseId: message.tool_call_id ?? '', content: [{ text: plainText(message, k) }] } }];
  }
  const blocks: ContentBlock[] = [];
  const content = message.content ?? '';
  if (typeof content === 'string') {
    if (content.length > 0) blocks.push({ text: content });
  } else {
    content.forEach((part, p) => {
      if (part.type === 'text') {
        if (part.text.length > 0) blocks.push({ text: part.text });
      } else {
        blocks.push({ image: imageFromUrl(typeof part.image_url === 'string' ? part.image_url : part.image_url.url, `messages[${k}].content[${p}].image_url`) });
      }
    });
  }
  for (const [c, call] of (message.tool_calls ?? []).entries()) {
    if (message.role !== 'assistant') throw validation(`messages[${k}].tool_calls: only assistant messages may carry tool_calls`);
    blocks.push({ toolUse: { toolUseId: call.id, name: call.function.name, input: toolInput(call.function.arguments, `messages[${k}].tool_calls[${c}].function.arguments`) } });
  }
  return blocks;
}

function toolInput(args: string | Record<string, unknown>, path: string): unknown {
  if (typeof args !== 'string') return args;
  if (args.trim().length === 0) return {};
  try {
    return JSON.parse(args);
  } catch {
    throw validation(`${path}: must be a JSON string`);
  }
}

function imageFromUrl(url: string, path: string): NonNullable<ContentBlock['image']> {
  const match = DATA_URL.exec(url);
  if (match === null) throw validation(`${path}: only base64 image data URLs (data:image/png;base64,...) are supported`);
  const format = match[1] === 'jpg' ? 'jpeg' : (match[1] as 'png' | 'jpeg' | 'gif' | 'webp');
  return { format, source: { bytes: match[2] ?? '' } };
}

function toToolConfig(chat: MistralChatBody): ConverseRequest['toolConfig'] {
  if (chat.tools === undefined || chat.tools.length === 0 || chat.tool_choice === 'none') return undefined;
  const tools = chat.tools.map(({ function: fn }) => ({
    toolSpec: {
      name: fn.name,
      ...(fn.description !== undefined && { description: fn.description }),
      inputSchema: { json: fn.parameters ?? { type: 'object', properties: {} } },
    },
  }));
  const choice = chat.tool_choice;
  if (choice === undefined) return { tools };
  if (choice === 'auto') return { tools, toolChoice: { auto: {} } };
  if (choice === 'any' || choice === 'required') return { tools, toolChoice: { any: {} } };
  return { tools, toolChoice: { tool: { name: choice.function.name } } };
}

interface PendingToolCall {
  id: string;
  name: string;
  arguments: string;
}

function chatChunk(message: Record<string, unknown>): unknown {
  return { choices: [{ index: 0, message: { role: 'assistant', ...message }, stop_reason: null }] };
}

function mistralChatStreamEncoder(): FamilyStreamEncoder {
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
