/**
 * zod schemas for the Converse / ConverseStream request body, in its JSON wire form
 * (blobs are base64 strings). Shapes follow the Bedrock Runtime model; see
 * `@aws-sdk/client-bedrock-runtime` ConverseRequest for the SDK-side types.
 *
 * Content blocks are unions in Bedrock ("set exactly one key"). The schema checks that
 * exactly one member is set; the converter then rejects the kinds it cannot serve,
 * by name, so the caller learns precisely what is unsupported.
 */
import * as z from './zod.ts';

const base64 = z.base64('must be base64-encoded bytes');

const S3Location = z.object({ uri: z.string(), bucketOwner: z.optional(z.string()) });

const ImageBlock = z.object({
  format: z.enum(['png', 'jpeg', 'gif', 'webp']),
  source: z.object({ bytes: z.optional(base64), s3Location: z.optional(S3Location) }),
});

const DocumentBlock = z.object({
  format: z.optional(z.enum(['pdf', 'csv', 'doc', 'docx', 'xls', 'xlsx', 'html', 'txt', 'md'])),
  name: z.string().check(z.minLength(1), z.maxLength(200)),
  source: z.object({
    bytes: z.optional(base64),
    s3Location: z.optional(S3Location),
    text: z.optional(z.string()),
    content: z.optional(z.array(z.object({ text: z.string() }))),
  }),
  context: z.optional(z.string()),
  citations: z.optional(z.object({ enabled: z.boolean() })),
});

const ToolUseBlock = z.object({
  toolUseId: z.string().check(z.minLength(1), z.maxLength(64)),
  name: z.string().check(z.minLength(1), z.maxLength(64)),
  input: z.unknown(),
  type: z.optional(z.string()),
});

export const ToolResultContent = z.looseObject({
  json: z.optional(z.unknown()),
  text: z.optional(z.string()),
  image: z.optional(ImageBlock),
  document: z.optional(DocumentBlock),
});

const ToolResultBlock = z.object({
  toolUseId: z.string().check(z.minLength(1), z.maxLength(64)),
  content: z.array(ToolResultContent),
  status: z.optional(z.enum(['success', 'error'])),
  type: z.optional(z.string()),
});

/** The check of a Bedrock union ("set exactly one key"): exactly one of `keys` is set. */
function exactlyOneOf<K extends string>(subject: string, keys: readonly K[]): z.core.$ZodCheck<{ readonly [key in K]?: unknown }> {
  return z.refine<{ readonly [key in K]?: unknown }>((value) => keys.filter((key) => value[key] !== undefined).length === 1, {
    message: `${subject} must set exactly one of: ${keys.join(', ')}`,
  });
}

/**
 * Every ContentBlock member Bedrock defines; those the gateway cannot serve are typed loosely and
 * rejected later by name (the converter in convert/converse/content.ts switches over this list).
 */
export const CONTENT_BLOCK_MEMBERS = [
  'text', 'image', 'document', 'video', 'audio', 'toolUse', 'toolResult', 'guardContent', 'cachePoint',
  'reasoningContent', 'citationsContent', 'searchResult', 'toolAddition', 'toolRemoval',
] as const;

export const ContentBlock = z
  .strictObject({
    text: z.optional(z.string()),
    image: z.optional(ImageBlock),
    document: z.optional(DocumentBlock),
    toolUse: z.optional(ToolUseBlock),
    toolResult: z.optional(ToolResultBlock),
    cachePoint: z.optional(z.object({ type: z.string(), ttl: z.optional(z.string()) })),
    reasoningContent: z.optional(z.unknown()),
    video: z.optional(z.unknown()),
    audio: z.optional(z.unknown()),
    guardContent: z.optional(z.unknown()),
    citationsContent: z.optional(z.unknown()),
    searchResult: z.optional(z.unknown()),
    toolAddition: z.optional(z.unknown()),
    toolRemoval: z.optional(z.unknown()),
  })
  .check(exactlyOneOf('a content block', CONTENT_BLOCK_MEMBERS));

export const Message = z.object({
  role: z.enum(['user', 'assistant', 'system']),
  content: z.array(ContentBlock),
});

export const SystemBlock = z
  .strictObject({ text: z.optional(z.string()), guardContent: z.optional(z.unknown()), cachePoint: z.optional(z.unknown()) })
  .check(exactlyOneOf('a system block', ['text', 'guardContent', 'cachePoint']));

const InferenceConfig = z.object({
  maxTokens: z.optional(z.number().check(z.int(), z.minimum(1))),
  temperature: z.optional(z.number().check(z.minimum(0), z.maximum(2))),
  topP: z.optional(z.number().check(z.minimum(0), z.maximum(1))),
  stopSequences: z.optional(z.array(z.string()).check(z.maxLength(2500))),
});

const ToolSpec = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(64)),
  description: z.optional(z.string()),
  inputSchema: z.object({ json: z.record(z.string(), z.unknown()) }),
  strict: z.optional(z.boolean()),
});

const Tool = z.strictObject({
  toolSpec: z.optional(ToolSpec),
  systemTool: z.optional(z.unknown()),
  cachePoint: z.optional(z.unknown()),
});

const ToolChoice = z
  .strictObject({
    auto: z.optional(z.looseObject({})),
    any: z.optional(z.looseObject({})),
    tool: z.optional(z.object({ name: z.string().check(z.minLength(1)) })),
  })
  .check(exactlyOneOf('toolChoice', ['auto', 'any', 'tool']));

export const ToolConfig = z.object({ tools: z.array(Tool).check(z.minLength(1)), toolChoice: z.optional(ToolChoice) });

const OutputConfig = z.looseObject({
  textFormat: z.optional(
    z.object({
      type: z.literal('json_schema'),
      structure: z.object({
        jsonSchema: z.object({
          schema: z.string(),
          name: z.optional(z.string()),
          description: z.optional(z.string()),
        }),
      }),
    }),
  ),
});

export const ConverseRequest = z.looseObject({
  messages: z.optional(z.array(Message)),
  system: z.optional(z.array(SystemBlock)),
  inferenceConfig: z.optional(InferenceConfig),
  toolConfig: z.optional(ToolConfig),
  additionalModelRequestFields: z.optional(z.record(z.string(), z.unknown())),
  additionalModelResponseFieldPaths: z.optional(z.array(z.string()).check(z.maxLength(10))),
  outputConfig: z.optional(OutputConfig),
  guardrailConfig: z.optional(z.unknown()),
  promptVariables: z.optional(z.unknown()),
  requestMetadata: z.optional(z.record(z.string(), z.string())),
  performanceConfig: z.optional(z.object({ latency: z.enum(['standard', 'optimized']) })),
  serviceTier: z.optional(z.object({ type: z.string() })),
});

export type ConverseRequest = z.output<typeof ConverseRequest>;
export type ContentBlock = z.output<typeof ContentBlock>;
export type Message = z.output<typeof Message>;
export type SystemBlock = z.output<typeof SystemBlock>;
export type ToolResultContent = z.output<typeof ToolResultContent>;
