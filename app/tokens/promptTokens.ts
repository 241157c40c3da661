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
 *   3 tokens per message plus 3 priming the reply. The messages are the ones the Converse
 *   conversion (`toChatMessages`) sends upstream, so the count follows it: a tool result is its own
 *   `role: "tool"` message, a message left empty is dropped. A request that conversion refuses is
 *   refused here too, with the same message;
 * - images: a fixed IMAGE_TOKENS each, OpenAI's base cost of an image (the "low detail" price; a
 *   high-detail image costs 85 + 170 per 512 px tile, which needs its size, which we do not decode);
 * - binary documents (pdf, docx, ...) count their name only; text documents count their text.
 * Special-token strings in user text (`<|endoftext|>`) are counted as ordinary text, as the API does.
 */
import { toChatMessages } from '../convert/converse/content.ts';
import { parseInvokeBody } from '../convert/invoke/body.ts';
import { selectFamily } from '../convert/invoke/registry.ts';
import { BedrockError, validation } from '../core/errors.ts';
import type { ContentBlock, ConverseRequest as ConverseRequestType, ToolResultContent } from '../schemas/converse.ts';
import { ConverseRequest } from '../schemas/converse.ts';
import { parseWith } from '../schemas/validate.ts';
import * as z from '../schemas/zod.ts';

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

export async function countTextTokens(text: string): Promise<number> {
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

/** The chat messages the upstream will see: counted from the real conversion, so the two cannot drift. */
function countChatMessages(req: ConverseRequestType): number {
  return toChatMessages(req.system ?? [], req.messages ?? []).length;
}

/** Throws the conversion's ValidationException (naming `messages[i]...`) for content the gateway cannot send. */
export async function countConverseTokens(req: ConverseRequestType): Promise<number> {
  const messages = countChatMessages(req);
  const textTokens = await countTextTokens(converseToCountableText(req));
  return textTokens + messages * TOKENS_PER_MESSAGE + REPLY_PRIMING_TOKENS + countImages(req) * IMAGE_TOKENS;
}

const CountTokensRequest = z.object({
  input: z
    .strictObject({
      converse: z.optional(ConverseRequest),
      invokeModel: z.optional(z.object({ body: z.base64('must be the base64-encoded InvokeModel body') })),
    })
    .check(
      z.refine((input) => (input.converse === undefined) !== (input.invokeModel === undefined), {
        message: 'input must set exactly one of: converse, invokeModel',
      }),
    ),
});

const INVOKE_BODY_FIELD = 'input.invokeModel.body';

export async function countRequestTokens(body: unknown, modelId: string): Promise<{ inputTokens: number }> {
  const { input } = parseWith(CountTokensRequest, body);
  if (input.converse !== undefined) {
    // Conversion errors name `messages[i]...`; here those sit under input.converse.
    const converse = input.converse;
    return { inputTokens: await within('input.converse.', () => countConverseTokens(converse)) };
  }
  const invokeBody = parseInvokeBody(Buffer.from(input.invokeModel?.body ?? '', 'base64'), INVOKE_BODY_FIELD);
  // Family and conversion errors name fields of the decoded body; say which body that is.
  return within(`${INVOKE_BODY_FIELD}: `, async () => {
    const family = selectFamily(invokeBody, modelId);
    if (family.kind === 'embedding') {
      const counts = await Promise.all(family.toEmbeddingRequest(invokeBody).input.map((text) => countTextTokens(text)));
      return { inputTokens: counts.reduce((sum, n) => sum + n, 0) };
    }
    return { inputTokens: await countConverseTokens(family.toConverse(invokeBody)) };
  });
}

/** Runs `action`, prefixing the message of a ValidationException it throws with where in the request the problem is. */
async function within<T>(prefix: string, action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof BedrockError && error.exception === 'ValidationException') {
      throw validation(`${prefix}${error.message}`);
    }
    throw error;
  }
}
