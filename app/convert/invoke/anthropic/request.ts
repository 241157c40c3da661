/**
 * Anthropic Messages body -> ConverseRequest. From there the shared Converse path
 * takes it to OpenAI, so this file never speaks OpenAI itself.
 */
import { assertNever } from '../../../core/assertNever.ts';
import type { ConverseRequest, SystemBlock } from '../../../schemas/converse.ts';
import { parseWith } from '../../../schemas/validate.ts';
import { inferenceConfigOf } from '../common.ts';
import { messageContent } from './content.ts';
import { AnthropicRequest } from './schema.ts';
import type { AnthropicToolChoice } from './schema.ts';

type ToolConfig = NonNullable<ConverseRequest['toolConfig']>;
type ToolChoice = NonNullable<ToolConfig['toolChoice']>;

function system(prompt: AnthropicRequest['system']): SystemBlock[] | undefined {
  if (prompt === undefined) return undefined;
  // An empty system prompt ("" or no blocks) says nothing; sending it would add an empty system message.
  const blocks = prompt.filter((block) => block.text.length > 0).map((block) => ({ text: block.text }));
  return blocks.length > 0 ? blocks : undefined;
}

/** max_tokens is required, so there always is a config. top_k has no OpenAI (hence no useful Converse) counterpart: dropped. */
function inferenceConfig(body: AnthropicRequest): ConverseRequest['inferenceConfig'] {
  return inferenceConfigOf({ maxTokens: body.max_tokens, temperature: body.temperature, topP: body.top_p, stopSequences: body.stop_sequences });
}

/** `none` is handled by toolConfig (it removes the tools); `disable_parallel_tool_use` by additionalFields. */
function toolChoice(choice: Exclude<AnthropicToolChoice, { type: 'none' }>): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return { auto: {} };
    case 'any':
      return { any: {} };
    case 'tool':
      return { tool: { name: choice.name } };
    default:
      return assertNever(choice, 'tool_choice');
  }
}

function toolConfig(body: AnthropicRequest): ToolConfig | undefined {
  const tools = body.tools ?? [];
  // Converse has no "none" choice (OpenAI's "none" has no Converse form); a model offered no
  // tools cannot call one, so dropping the tools means the same thing.
  if (tools.length === 0 || body.tool_choice?.type === 'none') return undefined;
  const config: ToolConfig = {
    tools: tools.map((tool) => ({
      toolSpec: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        inputSchema: { json: tool.input_schema },
      },
    })),
  };
  if (body.tool_choice !== undefined) config.toolChoice = toolChoice(body.tool_choice);
  return config;
}

/**
 * Fields the Converse converter reads from additionalModelRequestFields:
 * `thinking.budget_tokens` (-> reasoning_effort), `user` and `parallel_tool_calls`
 * (Converse has no first-class form for either of the last two).
 */
function additionalFields(body: AnthropicRequest, toolsKept: boolean): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  const choice = body.tool_choice;
  if (toolsKept && choice !== undefined && choice.type !== 'none' && choice.disable_parallel_tool_use === true) {
    fields.parallel_tool_calls = false;
  }
  if (body.thinking?.type === 'enabled') {
    fields.thinking = { type: 'enabled', budget_tokens: body.thinking.budget_tokens };
  }
  const user = body.metadata?.user_id;
  if (typeof user === 'string' && user.length > 0) fields.user = user;
  return Object.keys(fields).length > 0 ? fields : undefined;
}

/**
 * Validates and converts. `anthropic_version` and `anthropic_beta` select Anthropic-side
 * behaviour that has no upstream meaning; unknown top-level keys are ignored, as newer
 * SDKs add optional fields faster than any gateway can follow.
 */
export function anthropicToConverse(raw: Record<string, unknown>): ConverseRequest {
  const body = parseWith(AnthropicRequest, raw);
  const request: ConverseRequest = {
    messages: body.messages.map((message) => ({ role: message.role, content: messageContent(message.content) })),
    inferenceConfig: inferenceConfig(body),
  };
  const systemBlocks = system(body.system);
  if (systemBlocks !== undefined) request.system = systemBlocks;
  const tools = toolConfig(body);
  if (tools !== undefined) request.toolConfig = tools;
  const additional = additionalFields(body, tools !== undefined);
  if (additional !== undefined) request.additionalModelRequestFields = additional;
  return request;
}
