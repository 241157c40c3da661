/**
 * zod schema for the Anthropic Messages body InvokeModel accepts
 * (`anthropic_version: "bedrock-2023-05-31"`, wire spec section 7).
 *
 * Objects strip unknown keys, so `cache_control`, `citations` and newer optional
 * fields are accepted and ignored. Kinds the gateway cannot serve (URL sources,
 * server tools) fail here, with an issue on the exact field, so `parseWith`
 * reports them as a ValidationException naming that field.
 */
import { z } from 'zod';

const base64 = z.base64('must be base64-encoded bytes');

/**
 * Anthropic accepts a plain string wherever a list of text blocks may go. Normalising
 * it up front (instead of a string|array union) keeps zod's issue paths precise:
 * a union would report only "Invalid input" on the whole field.
 */
function blocksOrString<T extends z.ZodType>(block: T) {
  return z.preprocess((value) => (typeof value === 'string' ? [{ type: 'text', text: value }] : value), z.array(block));
}

/**
 * A discriminated-union option that is recognised but never accepted: it fails with a
 * precise message on `type` (the pipe stops there), and its `never` output keeps it
 * out of the parsed types.
 */
function refused<T extends string>(type: T, message: string) {
  return z
    .looseObject({ type: z.literal(type) })
    .check((ctx) => {
      ctx.issues.push({ code: 'custom', path: ['type'], message, input: ctx.value.type });
    })
    .pipe(z.never());
}

const ImageSource = z.discriminatedUnion(
  'type',
  [
    z.object({
      type: z.literal('base64'),
      media_type: z.enum(['image/png', 'image/jpeg', 'image/gif', 'image/webp']),
      data: base64,
    }),
    refused('url', 'image source type "url" is not supported; send the image as base64'),
    refused('file', 'image source type "file" is not supported; send the image as base64'),
  ],
  { error: 'image source type must be "base64"' },
);

const DocumentSource = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('base64'), media_type: z.literal('application/pdf'), data: base64 }),
    z.object({ type: z.literal('text'), media_type: z.literal('text/plain'), data: z.string() }),
    refused('url', 'document source type "url" is not supported; send the document as base64 or text'),
    refused('content', 'document source type "content" is not supported; send the document as base64 or text'),
    refused('file', 'document source type "file" is not supported; send the document as base64 or text'),
  ],
  { error: 'document source type must be "base64" or "text"' },
);

export const TextBlock = z.object({ type: z.literal('text'), text: z.string() });
export const ImageBlock = z.object({ type: z.literal('image'), source: ImageSource });

const DocumentBlock = z.object({
  type: z.literal('document'),
  source: DocumentSource,
  title: z.string().nullish(),
});

const ToolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(64),
  input: z.unknown(),
});

const ToolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1).max(64),
  content: blocksOrString(
    z.discriminatedUnion('type', [TextBlock, ImageBlock], { error: 'tool_result content blocks must be text or image' }),
  ).optional(),
  is_error: z.boolean().optional(),
});

const ThinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() });
const RedactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.string().optional() });

const CONTENT_TYPES = 'text, image, document, tool_use, tool_result, thinking, redacted_thinking';

export const ContentBlock = z.discriminatedUnion(
  'type',
  [TextBlock, ImageBlock, DocumentBlock, ToolUseBlock, ToolResultBlock, ThinkingBlock, RedactedThinkingBlock],
  { error: `content block type must be one of: ${CONTENT_TYPES}` },
);

const Message = z.object({
  role: z.enum(['user', 'assistant']),
  content: blocksOrString(ContentBlock),
});

const CustomTool = z.object({
  type: z.literal('custom').optional(),
  name: z.string().min(1).max(64),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()),
});

/** Server tools (web_search_20250305, bash_20250124, ...) run inside Anthropic; OpenAI cannot run them. */
const Tool = z
  .looseObject({ type: z.string().optional() })
  .check((ctx) => {
    const type = ctx.value.type;
    if (type === undefined || type === 'custom') return;
    ctx.issues.push({ code: 'custom', path: ['type'], message: `server tool "${type}" is not supported`, input: type });
  })
  .pipe(CustomTool);

const ToolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  z.object({ type: z.literal('none') }),
]);

const Thinking = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.number().int().min(1) }),
  z.object({ type: z.literal('disabled') }),
  // Newer models pick their own budget; nothing to map, so it is accepted and left to the upstream's default.
  z.object({ type: z.literal('adaptive') }),
]);

const SystemPrompt = blocksOrString(TextBlock);

export const AnthropicRequest = z.object({
  anthropic_version: z.string().optional(),
  anthropic_beta: z.array(z.string()).optional(),
  max_tokens: z.number().int().min(1),
  messages: z.array(Message).min(1),
  system: SystemPrompt.optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  stop_sequences: z.array(z.string()).optional(),
  tools: z.array(Tool).optional(),
  tool_choice: ToolChoice.optional(),
  thinking: Thinking.optional(),
  metadata: z.object({ user_id: z.string().nullish() }).optional(),
});

export type AnthropicRequest = z.output<typeof AnthropicRequest>;
export type AnthropicContentBlock = z.output<typeof ContentBlock>;
export type AnthropicImageBlock = z.output<typeof ImageBlock>;
export type AnthropicTextBlock = z.output<typeof TextBlock>;
export type AnthropicMessage = z.output<typeof Message>;
export type AnthropicToolChoice = z.output<typeof ToolChoice>;
