/**
 * Converse `system[]` + `messages[]` -> OpenAI chat messages (wire spec section 8, "Request").
 *
 * Shapes chosen once and kept everywhere:
 * - user content is always an array of parts (it may carry images and files);
 * - system, assistant and tool content is a plain string (text blocks joined with "\n");
 * - blank text blocks are never sent, and a message left empty is dropped.
 *
 * Errors name the offending field (`messages[2].content[0]...`) so the caller can fix the request.
 */
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionContentPart,
  ChatCompletionContentPartText,
  ChatCompletionMessageFunctionToolCall,
  ChatCompletionMessageParam,
  ChatCompletionToolMessageParam,
} from 'openai/resources/chat/completions';
import { assertNever } from '../../core/assertNever.ts';
import { validation } from '../../core/errors.ts';
import type { BedrockError } from '../../core/errors.ts';
import { CONTENT_BLOCK_MEMBERS } from '../../schemas/converse.ts';
import type { ContentBlock, Message, SystemBlock, ToolResultContent } from '../../schemas/converse.ts';

const BLOCK_KINDS = CONTENT_BLOCK_MEMBERS satisfies readonly (keyof ContentBlock)[];
type BlockKind = (typeof BLOCK_KINDS)[number];
type TaggedBlock = { [K in BlockKind]: { kind: K; value: NonNullable<ContentBlock[K]> } }[BlockKind];
type ServedBlock = Extract<TaggedBlock, { kind: 'text' | 'image' | 'document' | 'toolUse' | 'toolResult' }>;
type ImageBlock = NonNullable<ContentBlock['image']>;
type DocumentBlock = NonNullable<ContentBlock['document']>;
type ToolResultBlock = NonNullable<ContentBlock['toolResult']>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

const unsupported = (path: string, kind: string): BedrockError =>
  validation(`${path}: ${kind} content is not supported by this gateway`);

const isBlank = (text: string): boolean => text.trim().length === 0;
const textPart = (text: string): ChatCompletionContentPartText => ({ type: 'text', text });

/** The schema guarantees exactly one member is set; this names it, with its value narrowed. */
function tag(block: ContentBlock, path: string): TaggedBlock {
  for (const kind of BLOCK_KINDS) {
    if (block[kind] !== undefined) return { kind, value: block[kind] } as TaggedBlock;
  }
  throw validation(`${path}: a content block must set exactly one member`);
}

/** Blocks every role may carry: the served kinds come back, dropped kinds give undefined, the rest throw. */
function served(block: ContentBlock, path: string): ServedBlock | undefined {
  const tagged = tag(block, path);
  switch (tagged.kind) {
    case 'text':
    case 'image':
    case 'document':
    case 'toolUse':
    case 'toolResult':
      return tagged;
    // OpenAI caches prompt prefixes automatically, so cache points carry nothing it needs.
    case 'cachePoint':
    // Reasoning is signed (or redacted) by the model that produced it; OpenAI cannot take it back as input.
    case 'reasoningContent':
      return undefined;
    case 'video':
    case 'audio':
    case 'guardContent':
    case 'citationsContent':
    case 'searchResult':
    case 'toolAddition':
    case 'toolRemoval':
      throw unsupported(path, tagged.kind);
    default:
      return assertNever(tagged, 'content block');
  }
}

/** Visits the served blocks of message `i` in order, each with its field path; dropped blocks are skipped. */
function forEachServedBlock(message: Message, i: number, visit: (item: ServedBlock, path: string) => void): void {
  message.content.forEach((block, j) => {
    const path = `messages[${i}].content[${j}]`;
    const item = served(block, path);
    if (item !== undefined) visit(item, path);
  });
}

function imagePart(image: ImageBlock, path: string): ChatCompletionContentPart {
  if (image.source.s3Location !== undefined) {
    throw validation(`${path}.source.s3Location: S3 sources are not supported by this gateway; send the bytes inline`);
  }
  if (image.source.bytes === undefined) throw validation(`${path}.source.bytes: image bytes are required`);
  return { type: 'image_url', image_url: { url: `data:image/${image.format};base64,${image.source.bytes}` } };
}

const inlineDocument = (doc: DocumentBlock, text: string): ChatCompletionContentPartText =>
  textPart(`Document "${doc.name}"${doc.format === undefined ? '' : ` (${doc.format})`}:\n${text}`);

/**
 * pdf bytes go as an OpenAI file part; text formats are decoded and inlined. A `text` or `content`
 * source already is text, so it is inlined whatever the declared format. `context` and `citations`
 * have no OpenAI counterpart and are ignored.
 */
function documentPart(doc: DocumentBlock, path: string): ChatCompletionContentPart {
  const { source } = doc;
  if (source.s3Location !== undefined) {
    throw validation(`${path}.source.s3Location: S3 sources are not supported by this gateway; send the bytes inline`);
  }
  if (source.text !== undefined) return inlineDocument(doc, source.text);
  if (source.content !== undefined) return inlineDocument(doc, source.content.map((part) => part.text).join('\n'));
  if (source.bytes === undefined) throw validation(`${path}.source: a document needs bytes, text or content`);
  const format = doc.format;
  switch (format) {
    case 'pdf':
      return { type: 'file', file: { filename: doc.name, file_data: `data:application/pdf;base64,${source.bytes}` } };
    case 'txt':
    case 'md':
    case 'csv':
    case 'html':
      return inlineDocument(doc, decodeUtf8(source.bytes, `${path}.source.bytes`));
    case 'doc':
    case 'docx':
    case 'xls':
    case 'xlsx':
      throw validation(`${path}.format: ${format} documents are not supported by this gateway (use pdf, txt, md, csv or html)`);
    case undefined:
      throw validation(`${path}.format: a format is required for document bytes`);
    default:
      return assertNever(format, 'document format');
  }
}

function decodeUtf8(base64: string, path: string): string {
  try {
    return utf8.decode(Buffer.from(base64, 'base64'));
  } catch {
    throw validation(`${path}: the document is not valid UTF-8 text`);
  }
}

/** What one toolResult becomes: a tool message, plus any images/files OpenAI only accepts from the user. */
interface ConvertedToolResult {
  message: ChatCompletionToolMessageParam;
  attachments: ChatCompletionContentPart[];
}

function convertToolResult(result: ToolResultBlock, path: string): ConvertedToolResult {
  const texts: string[] = [];
  const files: ChatCompletionContentPart[] = [];
  let imagesOnly = true;
  result.content.forEach((item: ToolResultContent, k) => {
    const itemPath = `${path}.content[${k}]`;
    if (item.text !== undefined) {
      if (!isBlank(item.text)) texts.push(item.text);
    } else if (item.json !== undefined) {
      texts.push(JSON.stringify(item.json));
    } else if (item.image !== undefined) {
      files.push(imagePart(item.image, `${itemPath}.image`));
    } else if (item.document !== undefined) {
      files.push(documentPart(item.document, `${itemPath}.document`));
      imagesOnly = false;
    } else {
      throw unsupported(itemPath, Object.keys(item)[0] ?? 'empty');
    }
  });
  // A tool message has no error flag; the prefix keeps the failure visible to the model.
  const prefix = result.status === 'error' ? '[tool error] ' : '';
  const label = `${imagesOnly ? 'Images' : 'Files'} returned by tool ${result.toolUseId}:`;
  return {
    message: { role: 'tool', tool_call_id: result.toolUseId, content: prefix + texts.join('\n') },
    attachments: files.length === 0 ? [] : [textPart(label), ...files],
  };
}

/** Tool messages first (they answer the previous assistant turn), then moved attachments, then the user's own content. */
function convertUserMessage(message: Message, i: number): ChatCompletionMessageParam[] {
  const toolMessages: ChatCompletionToolMessageParam[] = [];
  const attachments: ChatCompletionContentPart[] = [];
  const parts: ChatCompletionContentPart[] = [];
  forEachServedBlock(message, i, (item, path) => {
    switch (item.kind) {
      case 'text':
        if (!isBlank(item.value)) parts.push(textPart(item.value));
        return;
      case 'image':
        parts.push(imagePart(item.value, `${path}.image`));
        return;
      case 'document':
        parts.push(documentPart(item.value, `${path}.document`));
        return;
      case 'toolResult': {
        const converted = convertToolResult(item.value, `${path}.toolResult`);
        toolMessages.push(converted.message);
        attachments.push(...converted.attachments);
        return;
      }
      case 'toolUse':
        throw validation(`${path}.toolUse: toolUse blocks are only allowed in assistant messages`);
      default:
        return assertNever(item, 'content block');
    }
  });
  const userMessages = [attachments, parts]
    .filter((content) => content.length > 0)
    .map((content): ChatCompletionMessageParam => ({ role: 'user', content }));
  return [...toolMessages, ...userMessages];
}

function convertAssistantMessage(message: Message, i: number): ChatCompletionAssistantMessageParam | undefined {
  const texts: string[] = [];
  const toolCalls: ChatCompletionMessageFunctionToolCall[] = [];
  forEachServedBlock(message, i, (item, path) => {
    switch (item.kind) {
      case 'text':
        if (!isBlank(item.value)) texts.push(item.value);
        return;
      case 'toolUse': {
        const { toolUseId, name, input } = item.value;
        toolCalls.push({ id: toolUseId, type: 'function', function: { name, arguments: JSON.stringify(input ?? {}) } });
        return;
      }
      case 'image':
      case 'document':
        // OpenAI accepts only text and tool calls from the assistant role.
        throw validation(`${path}.${item.kind}: ${item.kind} content is not supported in assistant messages`);
      case 'toolResult':
        throw validation(`${path}.toolResult: toolResult blocks are only allowed in user messages`);
      default:
        return assertNever(item, 'content block');
    }
  });
  if (texts.length === 0 && toolCalls.length === 0) return undefined;
  return {
    role: 'assistant',
    ...(texts.length > 0 && { content: texts.join('\n') }),
    ...(toolCalls.length > 0 && { tool_calls: toolCalls }),
  };
}

function systemMessage(texts: string[]): ChatCompletionMessageParam[] {
  return texts.length === 0 ? [] : [{ role: 'system', content: texts.join('\n') }];
}

function convertSystemRoleMessage(message: Message, i: number): ChatCompletionMessageParam[] {
  const texts: string[] = [];
  forEachServedBlock(message, i, (item, path) => {
    if (item.kind !== 'text') throw validation(`${path}.${item.kind}: system messages may contain only text`);
    if (!isBlank(item.value)) texts.push(item.value);
  });
  return systemMessage(texts);
}

function systemBlockTexts(system: readonly SystemBlock[]): string[] {
  return system.flatMap((block, k) => {
    if (block.guardContent !== undefined) throw unsupported(`system[${k}]`, 'guardContent');
    // cachePoint: dropped, OpenAI caches prompt prefixes automatically.
    return block.text !== undefined && !isBlank(block.text) ? [block.text] : [];
  });
}

/** `system[]` becomes the first message; `role:"system"` messages stay where the caller put them. */
export function toChatMessages(system: readonly SystemBlock[], messages: readonly Message[]): ChatCompletionMessageParam[] {
  const converted = messages.flatMap((message, i): ChatCompletionMessageParam[] => {
    switch (message.role) {
      case 'user':
        return convertUserMessage(message, i);
      case 'assistant':
        return [convertAssistantMessage(message, i)].filter((m) => m !== undefined);
      case 'system':
        return convertSystemRoleMessage(message, i);
      default:
        return assertNever(message.role, 'message role');
    }
  });
  return [...systemMessage(systemBlockTexts(system)), ...converted];
}
