/**
 * The Mistral chat InvokeModel family (Mistral Large / Pixtral):
 * `{messages, tools, tool_choice, max_tokens, temperature, top_p}` with OpenAI-style messages and
 * function tools -> `{choices:[{index, message, stop_reason}]}`. `tool_choice: "none"` has no
 * Converse counterpart, so it sends no tools at all (the history's tool calls still go through).
 */
import { validation } from '../../../core/errors.ts';
import type { ContentBlock, ConverseRequest, Message, SystemBlock } from '../../../schemas/converse.ts';
import { parseWith } from '../../../schemas/validate.ts';
import type { ConverseResponseJson } from '../../converse/types.ts';
import { appendMergingRoles, inferenceConfigOf, isMistralModelId, responseText } from '../common.ts';
import type { TextFamily } from '../family.ts';
import { MistralChatBody, type ChatMessage } from './chatSchema.ts';
import { mistralChatStreamEncoder } from './chatStream.ts';
import { toStopReason } from './stopReason.ts';

/** Model ids that name a provider whose `messages` body is not Mistral's. */
const isOtherChatProvider = (modelId: string): boolean => /anthropic|claude|nova|llama|titan|cohere/.test(modelId.toLowerCase());

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
