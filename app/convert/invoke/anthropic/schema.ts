/**
 * zod schema for the Anthropic Messages body InvokeModel accepts
 * (`anthropic_version: "bedrock-2023-05-31"`, wire spec section 7).
 *
 * Objects strip unknown keys, so `cache_control`, `citations` and newer optional
 * fields are accepted and ignored. Kinds the gateway cannot serve (URL sources,
 * server tools) fail here, with an issue on the exact field, so `parseWith`
 * reports them as a ValidationException naming that field.
 */
import * as z from '../../../schemas/zod.ts';

const base64 = z.base64('must be base64-encoded bytes');

/**
 * Anthropic accepts a plain string wherever a list of text blocks may go. Normalising
 * it up front (instead of a string|array union) keeps zod's issue paths precise:
 * a union would report only "Invalid input" on the whole field. (`z.pipe(z.transform(f), s)` is
 * zod/mini's spelling of classic `z.preprocess(f, s)`.)
 */
function blocksOrString<T extends z.core.SomeType>(block: T) {
  return z.pipe(
    z.transform((value: unknown) => (typeof value === 'string' ? [{ type: 'text', text: value }] : value)),
    z.array(block),
  );
}

/**
 * A discriminated-union option that is recognised but never accepted: it fails with a
 * precise message on `type` (the pipe stops there), and its `never` output keeps it
 * out of the parsed types.
 */
function refused<T extends string>(type: T, message: string) {
  return z.pipe(
    z.looseObject({ type: z.literal(type) }).check((ctx) => {
      ctx.issues.push({ code: 'custom', path: ['type'], message, input: ctx.value.type });
    }),
    z.never(),
  );
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

const TextBlock = z.object({ type: z.literal('text'), text: z.string() });
const ImageBlock = z.object({ type: z.literal('image'), source: ImageSource });

const DocumentBlock = z.object({
  type: z.literal('document'),
  source: DocumentSource,
  title: z.nullish(z.string()),
});

const ToolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string().check(z.minLength(1), z.maxLength(64)),
  name: z.string().check(z.minLength(1), z.maxLength(64)),
  input: z.unknown(),
});

const ToolResultBlock = z.object({
  type: z.literal('tool_result'),
  tool_use_id: z.string().check(z.minLength(1), z.maxLength(64)),
  content: z.optional(
    blocksOrString(z.discriminatedUnion('type', [TextBlock, ImageBlock], { error: 'tool_result content blocks must be text or image' })),
  ),
  is_error: z.optional(z.boolean()),
});

const ThinkingBlock = z.object({ type: z.literal('thinking'), thinking: z.string(), signature: z.optional(z.string()) });
const RedactedThinkingBlock = z.object({ type: z.literal('redacted_thinking'), data: z.optional(z.string()) });

const CONTENT_TYPES = 'text, image, document, tool_use, tool_result, thinking, redacted_thinking';

const ContentBlock = z.discriminatedUnion(
  'type',
  [TextBlock, ImageBlock, DocumentBlock, ToolUseBlock, ToolResultBlock, ThinkingBlock, RedactedThinkingBlock],
  { error: `content block type must be one of: ${CONTENT_TYPES}` },
);

const Message = z.object({
  role: z.enum(['user', 'assistant']),
  content: blocksOrString(ContentBlock),
});

const CustomTool = z.object({
  type: z.optional(z.literal('custom')),
  name: z.string().check(z.minLength(1), z.maxLength(64)),
  description: z.optional(z.string()),
  input_schema: z.record(z.string(), z.unknown()),
});

/** Server tools (web_search_20250305, bash_20250124, ...) run inside Anthropic; OpenAI cannot run them. */
const Tool = z.pipe(
  z.looseObject({ type: z.optional(z.string()) }).check((ctx) => {
    const type = ctx.value.type;
    if (type === undefined || type === 'custom') return;
    ctx.issues.push({ code: 'custom', path: ['type'], message: `server tool "${type}" is not supported`, input: type });
  }),
  CustomTool,
);

const ToolChoice = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto'), disable_parallel_tool_use: z.optional(z.boolean()) }),
  z.object({ type: z.literal('any'), disable_parallel_tool_use: z.optional(z.boolean()) }),
  z.object({ type: z.literal('tool'), name: z.string().check(z.minLength(1)), disable_parallel_tool_use: z.optional(z.boolean()) }),
  z.object({ type: z.literal('none') }),
]);

const Thinking = z.discriminatedUnion('type', [
  z.object({ type: z.literal('enabled'), budget_tokens: z.number().check(z.int(), z.minimum(1)) }),
  z.object({ type: z.literal('disabled') }),
  // Newer models pick their own budget; nothing to map, so it is accepted and left to the upstream's default.
  z.object({ type: z.literal('adaptive') }),
]);

const SystemPrompt = blocksOrString(TextBlock);

export const AnthropicRequest = z.object({
  anthropic_version: z.optional(z.string()),
  anthropic_beta: z.optional(z.array(z.string())),
  max_tokens: z.number().check(z.int(), z.minimum(1)),
  messages: z.array(Message).check(z.minLength(1)),
  system: z.optional(SystemPrompt),
  temperature: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  top_p: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  top_k: z.optional(z.number().check(z.int(), z.minimum(0))),
  stop_sequences: z.optional(z.array(z.string())),
  tools: z.optional(z.array(Tool)),
  tool_choice: z.optional(ToolChoice),
  thinking: z.optional(Thinking),
  metadata: z.optional(z.object({ user_id: z.nullish(z.string()) })),
});

export type AnthropicRequest = z.output<typeof AnthropicRequest>;
export type AnthropicContentBlock = z.output<typeof ContentBlock>;
export type AnthropicImageBlock = z.output<typeof ImageBlock>;
export type AnthropicTextBlock = z.output<typeof TextBlock>;
export type AnthropicMessage = z.output<typeof Message>;
export type AnthropicToolChoice = z.output<typeof ToolChoice>;
