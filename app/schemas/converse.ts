/**
 * zod schemas for the Converse / ConverseStream request body, in its JSON wire form
 * (blobs are base64 strings). Shapes follow the Bedrock Runtime model; see
 * `@aws-sdk/client-bedrock-runtime` ConverseRequest for the SDK-side types.
 *
 * Content blocks are unions in Bedrock ("set exactly one key"). The schema checks that
 * exactly one member is set; the converter then rejects the kinds it cannot serve,
 * by name, so the caller learns precisely what is unsupported.
 */
import { z } from 'zod';

const base64 = z.base64('must be base64-encoded bytes');

const S3Location = z.object({ uri: z.string(), bucketOwner: z.string().optional() });

export const ImageBlock = z.object({
  format: z.enum(['png', 'jpeg', 'gif', 'webp']),
  source: z.object({ bytes: base64.optional(), s3Location: S3Location.optional() }),
});

export const DocumentBlock = z.object({
  format: z.enum(['pdf', 'csv', 'doc', 'docx', 'xls', 'xlsx', 'html', 'txt', 'md']).optional(),
  name: z.string().min(1).max(200),
  source: z.object({
    bytes: base64.optional(),
    s3Location: S3Location.optional(),
    text: z.string().optional(),
    content: z.array(z.object({ text: z.string() })).optional(),
  }),
  context: z.string().optional(),
  citations: z.object({ enabled: z.boolean() }).optional(),
});

export const ToolUseBlock = z.object({
  toolUseId: z.string().min(1).max(64),
  name: z.string().min(1).max(64),
  input: z.unknown(),
  type: z.string().optional(),
});

export const ToolResultContent = z.looseObject({
  json: z.unknown().optional(),
  text: z.string().optional(),
  image: ImageBlock.optional(),
  document: DocumentBlock.optional(),
});

export const ToolResultBlock = z.object({
  toolUseId: z.string().min(1).max(64),
  content: z.array(ToolResultContent),
  status: z.enum(['success', 'error']).optional(),
  type: z.string().optional(),
});

/** Every ContentBlock member Bedrock defines; those the gateway cannot serve are typed loosely and rejected later by name. */
const CONTENT_BLOCK_MEMBERS = [
  'text', 'image', 'document', 'video', 'audio', 'toolUse', 'toolResult', 'guardContent', 'cachePoint',
  'reasoningContent', 'citationsContent', 'searchResult', 'toolAddition', 'toolRemoval',
] as const;

export const ContentBlock = z
  .object({
    text: z.string().optional(),
    image: ImageBlock.optional(),
    document: DocumentBlock.optional(),
    toolUse: ToolUseBlock.optional(),
    toolResult: ToolResultBlock.optional(),
    cachePoint: z.object({ type: z.string(), ttl: z.string().optional() }).optional(),
    reasoningContent: z.unknown().optional(),
    video: z.unknown().optional(),
    audio: z.unknown().optional(),
    guardContent: z.unknown().optional(),
    citationsContent: z.unknown().optional(),
    searchResult: z.unknown().optional(),
    toolAddition: z.unknown().optional(),
    toolRemoval: z.unknown().optional(),
  })
  .strict()
  .refine((block) => CONTENT_BLOCK_MEMBERS.filter((key) => block[key] !== undefined).length === 1, {
    message: `a content block must set exactly one of: ${CONTENT_BLOCK_MEMBERS.join(', ')}`,
  });

export const Message = z.object({
  role: z.enum(['user', 'assistant', 'system']),
  content: z.array(ContentBlock),
});

export const SystemBlock = z
  .object({ text: z.string().optional(), guardContent: z.unknown().optional(), cachePoint: z.unknown().optional() })
  .strict()
  .refine((block) => [block.text, block.guardContent, block.cachePoint].filter((v) => v !== undefined).length === 1, {
    message: 'a system block must set exactly one of: text, guardContent, cachePoint',
  });

export const InferenceConfig = z.object({
  maxTokens: z.number().int().min(1).optional(),
  temperature: z.number().min(0).max(2).optional(),
  topP: z.number().min(0).max(1).optional(),
  stopSequences: z.array(z.string()).max(2500).optional(),
});

export const ToolSpec = z.object({
  name: z.string().min(1).max(64),
  description: z.string().optional(),
  inputSchema: z.object({ json: z.record(z.string(), z.unknown()) }),
  strict: z.boolean().optional(),
});

export const Tool = z
  .object({ toolSpec: ToolSpec.optional(), systemTool: z.unknown().optional(), cachePoint: z.unknown().optional() })
  .strict();

export const ToolChoice = z
  .object({
    auto: z.object({}).loose().optional(),
    any: z.object({}).loose().optional(),
    tool: z.object({ name: z.string().min(1) }).optional(),
  })
  .strict()
  .refine((choice) => [choice.auto, choice.any, choice.tool].filter((v) => v !== undefined).length === 1, {
    message: 'toolChoice must set exactly one of: auto, any, tool',
  });

export const ToolConfig = z.object({ tools: z.array(Tool).min(1), toolChoice: ToolChoice.optional() });

export const OutputConfig = z.looseObject({
  textFormat: z
    .object({
      type: z.literal('json_schema'),
      structure: z.object({
        jsonSchema: z.object({
          schema: z.string(),
          name: z.string().optional(),
          description: z.string().optional(),
        }),
      }),
    })
    .optional(),
});

export const ConverseRequest = z.looseObject({
  messages: z.array(Message).optional(),
  system: z.array(SystemBlock).optional(),
  inferenceConfig: InferenceConfig.optional(),
  toolConfig: ToolConfig.optional(),
  additionalModelRequestFields: z.record(z.string(), z.unknown()).optional(),
  additionalModelResponseFieldPaths: z.array(z.string()).max(10).optional(),
  outputConfig: OutputConfig.optional(),
  guardrailConfig: z.unknown().optional(),
  promptVariables: z.unknown().optional(),
  requestMetadata: z.record(z.string(), z.string()).optional(),
  performanceConfig: z.object({ latency: z.enum(['standard', 'optimized']) }).optional(),
  serviceTier: z.object({ type: z.string() }).optional(),
});

export type ConverseRequest = z.output<typeof ConverseRequest>;
export type ContentBlock = z.output<typeof ContentBlock>;
export type Message = z.output<typeof Message>;
export type SystemBlock = z.output<typeof SystemBlock>;
export type ToolResultContent = z.output<typeof ToolResultContent>;
