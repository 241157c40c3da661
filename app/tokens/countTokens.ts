/**
 * Offline token counting for CountTokens (`POST /model/{id}/count-tokens`, wire spec section 1).
 *
 * The upstream is an OpenAI model, so tokens are counted with OpenAI's o200k_base encoding
 * (gpt-tokenizer, bundled; nothing is downloaded at run time). Its ~2 MB rank table is imported on
 * first use only and the module promise is kept, so cold starts that never count pay nothing.
 *
 * The count is an approximation of what the upstream will bill as prompt tokens:
 * - text: the serialization in `converseToCountableText` (roles, system text, message text, tool
 *   specs as name/description/JSON schema, tool inputs and results as JSON), tokenized as a whole;
 * - per message, OpenAI's chat overhead from the cookbook ("How to count tokens with tiktoken"):
 *   3 tokens per message plus 3 priming the reply. Tool results count as their own message,
 *   since they become `role: "tool"` messages upstream;
 * - images: a fixed IMAGE_TOKENS each, OpenAI's base cost of an image (the "low detail" price; a
 *   high-detail image costs 85 + 170 per 512 px tile, which needs its size, which we do not decode);
 * - binary documents (pdf, docx, ...) count their name only; text documents count their text.
 * Special-token strings in user text (`<|endoftext|>`) are counted as ordinary text, as the API does.
 */
import { z } from 'zod';
import { BedrockError, validation } from '../core/errors.ts';
import type { ContentBlock, ConverseRequest as ConverseRequestType, ToolResultContent } from '../schemas/converse.ts';
import { ConverseRequest } from '../schemas/converse.ts';
import { parseWith } from '../schemas/validate.ts';
import { selectFamily } from '../convert/invoke/registry.ts';

type Encoding = typeof import('gpt-tokenizer/encoding/o200k_base');

/** OpenAI cookbook: every message is wrapped in <|start|>{role}<|message|>{content}<|end|>. */
export const TOKENS_PER_MESSAGE = 3;
/** OpenAI cookbook: every reply is primed with <|start|>assistant<|message|>. */
export const REPLY_PRIMING_TOKENS = 3;
/** OpenAI's base (low-detail) cost of one image. */
export const IMAGE_TOKENS = 85;

const AS_PLAIN_TEXT = { disallowedSpecial: new Set<string>() };
const TEXT_DOCUMENT_FORMATS: ReadonlySet<string> = new Set(['txt', 'md', 'csv', 'html']);

let encoding: Promise<Encoding> | undefined;

function loadEncoding(): Promise<Encoding> {
  encoding ??= import('gpt-tokenizer/encoding/o200k_base').catch((error: unknown) => {
    encoding = undefined; // let the next call retry instead of caching the failure
    throw error;
  });
  return encoding;
}

export async function countTokens(text: string): Promise<number> {
  if (text.length === 0) return 0;
  const { countTokens: count } = await loadEncoding();
  return count(text, AS_PLAIN_TEXT);
}

/** A deterministic rendering of what the model reads, one piece per line. */
export function converseToCountableText(req: ConverseRequestType): string {
  const lines: string[] = [];
  const systemTexts = (req.system ?? []).flatMap((block) => (block.text === undefined ? [] : [block.text]));
  if (systemTexts.length > 0) lines.push('system', ...systemTexts);
  for (const message of req.messages ?? []) {
    lines.push(message.role);
    for (const block of message.content) lines.push(...blockTexts(block));
  }
  for (const tool of req.toolConfig?.tools ?? []) {
    if (tool.toolSpec === undefined) continue;
    const { name, description, inputSchema } = tool.toolSpec;
    lines.push(name, ...(description === undefined ? [] : [description]), JSON.stringify(inputSchema.json));
  }
  return lines.join('\n');
}

function blockTexts(block: ContentBlock): string[] {
  if (block.text !== undefined) return [block.text];
  if (block.document !== undefined) return documentTexts(block.document);
  if (block.toolUse !== undefined) return [block.toolUse.name, JSON.stringify(block.toolUse.input ?? {})];
  if (block.toolResult !== undefined) return block.toolResult.content.flatMap(toolResultTexts);
  // images are counted by countImages; cache points, reasoning history and the rest send no text.
  return [];
}

function toolResultTexts(content: ToolResultContent): string[] {
  if (content.text !== undefined) return [content.text];
  if (content.json !== undefined) return [JSON.stringify(content.json)];
  if (content.document !== undefined) return documentTexts(content.document);
  return [];
}

function documentTexts(doc: NonNullable<ContentBlock['document']>): string[] {
  const texts = [doc.name];
  if (doc.context !== undefined) texts.push(doc.context);
  if (doc.source.text !== undefined) texts.push(doc.source.text);
  for (const part of doc.source.content ?? []) texts.push(part.text);
  if (doc.source.bytes !== undefined && TEXT_DOCUMENT_FORMATS.has(doc.format ?? '')) {
    texts.push(Buffer.from(doc.source.bytes, 'base64').toString('utf8'));
  }
  return texts;
}

function countImages(req: ConverseRequestType): number {
  let images = 0;
  for (const message of req.messages ?? []) {
    for (const block of message.content) {
      if (block.image !== undefined) images += 1;
      for (const content of block.toolResult?.content ?? []) if (content.image !== undefined) images += 1;
    }
  }
  return images;
}

/** Chat messages the upstream will see: one system message, one per Converse message, one per tool result. */
function countChatMessages(req: ConverseRequestType): number {
  let count = (req.system ?? []).some((block) => block.text !== undefined) ? 1 : 0;
  for (const message of req.messages ?? []) {
    const toolResults = message.content.filter((block) => block.toolResult !== undefined).length;
    const hasOtherContent = message.content.some((block) => block.toolResult === undefined);
    count += toolResults + (hasOtherContent || toolResults === 0 ? 1 : 0);
  }
  return count;
}

export async function countConverseTokens(req: ConverseRequestType): Promise<number> {
  const textTokens = await countTokens(converseToCountableText(req));
  return textTokens + countChatMessages(req) * TOKENS_PER_MESSAGE + REPLY_PRIMING_TOKENS + countImages(req) * IMAGE_TOKENS;
}

export const CountTokensRequest = z.object({
  input: z
    .object({
      converse: ConverseRequest.optional(),
      invokeModel: z.object({ body: z.base64('must be the base64-encoded InvokeModel body') }).optional(),
    })
    .strict()
    .refine((input) => (input.converse === undefined) !== (input.invokeModel === undefined), {
      message: 'input must set exactly one of: converse, invokeModel',
    }),
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

function decodeInvokeBody(base64: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8.decode(Buffer.from(base64, 'base64')));
  } catch {
    throw validation('input.invokeModel.body: the decoded body is not valid UTF-8 JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw validation('input.invokeModel.body: the decoded body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}

export async function countTokensForRequest(body: unknown, modelId: string): Promise<{ inputTokens: number }> {
  const { input } = parseWith(CountTokensRequest, body);
  if (input.converse !== undefined) return { inputTokens: await countConverseTokens(input.converse) };
  const invokeBody = decodeInvokeBody(input.invokeModel?.body ?? '');
  const family = inInvokeBody(() => selectFamily(invokeBody, modelId));
  if (family.kind === 'embedding') {
    const texts = inInvokeBody(() => family.toEmbeddingRequest(invokeBody).input);
    const counts = await Promise.all(texts.map((text) => countTokens(text)));
    return { inputTokens: counts.reduce((sum, n) => sum + n, 0) };
  }
  const request = inInvokeBody(() => family.toConverse(invokeBody, { modelId, upstreamModel: modelId, requestId: 'count-tokens' }));
  return { inputTokens: await countConverseTokens(request) };
}

/** Family errors name fields of the decoded body; say which body that is. */
function inInvokeBody<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof BedrockError && error.exception === 'ValidationException') {
      throw validation(`input.invokeModel.body: ${error.message}`);
    }
    throw error;
  }
}
