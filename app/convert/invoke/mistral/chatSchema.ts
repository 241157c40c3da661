/** zod schemas for the Mistral chat InvokeModel body (OpenAI-style messages and function tools). */
import * as z from '../../../schemas/zod.ts';

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

export const MistralChatBody = z.looseObject({
  messages: z.array(ChatMessage).check(z.minLength(1)),
  tools: z.optional(z.array(FunctionTool)),
  tool_choice: z.optional(ChatToolChoice),
  max_tokens: z.optional(z.number().check(z.int(), z.minimum(1))),
  temperature: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  top_p: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
});

export type ChatMessage = z.output<typeof ChatMessage>;
export type MistralChatBody = z.output<typeof MistralChatBody>;
