/**
 * Converse request -> OpenAI Chat Completions params (wire spec section 8). Pure; the input has
 * already passed the zod schema. Messages are mapped in content.ts.
 *
 * `additionalModelRequestFields`:
 * | key                                           | becomes                                          |
 * |-----------------------------------------------|--------------------------------------------------|
 * | reasoning_effort, verbosity, seed,            | passed through unchanged                         |
 * | frequency_penalty, presence_penalty,          |                                                  |
 * | logit_bias, logprobs, top_logprobs,           |                                                  |
 * | parallel_tool_calls, service_tier, user,      |                                                  |
 * | prediction, modalities, store, metadata,      |                                                  |
 * | web_search_options                            |                                                  |
 * | n                                             | passed through; anything but 1 is rejected       |
 * | reasoningConfig.maxReasoningEffort (Nova),    | reasoning_effort                                 |
 * | output_config.effort, outputConfig.effort     |                                                  |
 * | thinking.budget_tokens (Anthropic)            | reasoning_effort: <=1024 low, <=2048 medium,     |
 * |                                               | else high; type "disabled" -> nothing            |
 * | top_k, anthropic_beta, anthropic_version,     | dropped: Bedrock/Anthropic-only, no counterpart  |
 * | any other key                                 |                                                  |
 *
 * Precedence: first-class Converse fields win over additionalModelRequestFields (`serviceTier`
 * over `service_tier`, `outputConfig.effort` over every effort key). No pass-through key can set
 * a field inferenceConfig sets (max tokens, temperature, top_p, stop are not in the table).
 * Among effort sources the explicit `reasoning_effort` wins, then the order of the table.
 */
import type { ChatCompletionTool, ChatCompletionToolChoiceOption } from 'openai/resources/chat/completions';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions/completions';
import type { ReasoningEffort } from 'openai/resources/shared';
import { validation } from '../../core/errors.ts';
import type { ConverseRequest } from '../../schemas/converse.ts';
import { toChatMessages } from './content.ts';

export interface ConverseToChatOptions {
  /** OpenAI accepts at most 4 stop sequences; OpenAI-compatible servers may allow more. */
  maxStopSequences?: number;
}

type Params = ChatCompletionCreateParamsBase;
type Fields = Readonly<Record<string, unknown>>;

const PASS_THROUGH_KEYS = [
  'reasoning_effort', 'verbosity', 'seed', 'frequency_penalty', 'presence_penalty', 'logit_bias', 'logprobs',
  'top_logprobs', 'parallel_tool_calls', 'service_tier', 'user', 'n', 'prediction', 'modalities', 'store',
  'metadata', 'web_search_options',
] as const satisfies readonly (keyof Params)[];

/** Effort keys other gateways and Bedrock model families use, in precedence order. */
const EFFORT_PATHS: readonly (readonly [string, string])[] = [
  ['reasoningConfig', 'maxReasoningEffort'],
  ['output_config', 'effort'],
  ['outputConfig', 'effort'],
];

const REASONING_EFFORTS: ReadonlySet<unknown> = new Set<ReasoningEffort>(['none', 'minimal', 'low', 'medium', 'high', 'xhigh', 'max']);

/** `serviceTier.type` -> `service_tier`; `reserved` (provisioned capacity) has no OpenAI counterpart. */
const SERVICE_TIERS: ReadonlyMap<string, Params['service_tier'] | undefined> = new Map([
  ['default', 'default'],
  ['priority', 'priority'],
  ['flex', 'flex'],
  ['reserved', undefined],
]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isPresent = (value: unknown): boolean =>
  value !== undefined && value !== null && (!isRecord(value) || Object.keys(value).length > 0);

/** Returns Chat Completions params WITHOUT `stream`/`stream_options` (the caller adds them). */
export function converseToChat(request: ConverseRequest, upstreamModel: string, options: ConverseToChatOptions = {}): Params {
  rejectUnservable(request);
  if (request.messages === undefined || request.messages.length === 0) {
    throw validation('messages must contain at least one message');
  }
  const messages = toChatMessages(request.system ?? [], request.messages);
  if (!messages.some((message) => message.role !== 'system')) {
    throw validation('messages must contain at least one non-empty message');
  }
  // Later spreads win: first-class Converse fields override additionalModelRequestFields.
  return {
    ...additionalFields(request.additionalModelRequestFields ?? {}),
    model: upstreamModel,
    messages,
    ...inferenceParams(request.inferenceConfig, options.maxStopSequences ?? 4),
    ...toolParams(request.toolConfig),
    ...outputParams(request.outputConfig),
    ...serviceTierParams(request.serviceTier),
  };
}

/**
 * A caller relying on a guardrail must not be silently unguarded, and prompt variables only make
 * sense for Bedrock Prompt Management prompts. `requestMetadata` (Bedrock invocation-log tags) and
 * `performanceConfig` (latency hint) change nothing about the answer and are dropped; OpenAI's
 * `metadata` would need `store: true`, which we do not turn on for the caller.
 */
function rejectUnservable(request: ConverseRequest): void {
  if (isPresent(request.guardrailConfig)) {
    throw validation('guardrailConfig: guardrails are not supported by this gateway; remove guardrailConfig to proceed unguarded');
  }
  if (isPresent(request.promptVariables)) {
    throw validation('promptVariables: prompt variables are not supported by this gateway');
  }
}

function inferenceParams(config: ConverseRequest['inferenceConfig'], maxStopSequences: number): Partial<Params> {
  if (config === undefined) return {};
  const stop = (config.stopSequences ?? []).filter((sequence) => sequence.length > 0);
  if (stop.length > maxStopSequences) {
    throw validation(`inferenceConfig.stopSequences: at most ${maxStopSequences} stop sequences are supported (got ${stop.length})`);
  }
  return {
    ...(config.maxTokens !== undefined && { max_completion_tokens: config.maxTokens }),
    ...(config.temperature !== undefined && { temperature: config.temperature }),
    ...(config.topP !== undefined && { top_p: config.topP }),
    ...(stop.length > 0 && { stop }),
  };
}

function toolParams(config: ConverseRequest['toolConfig']): Partial<Params> {
  if (config === undefined) return {};
  const tools: ChatCompletionTool[] = [];
  config.tools.forEach((tool, k) => {
    if (tool.toolSpec !== undefined) {
      const { name, description, inputSchema, strict } = tool.toolSpec;
      const fn = { name, ...(description !== undefined && { description }), parameters: inputSchema.json };
      tools.push({ type: 'function', function: { ...fn, ...(strict !== undefined && { strict }) } });
    } else if (tool.systemTool !== undefined) {
      throw validation(`toolConfig.tools[${k}].systemTool: system tools are not supported by this gateway`);
    } else if (tool.cachePoint === undefined) {
      throw validation(`toolConfig.tools[${k}]: a tool must set toolSpec`);
    }
    // cachePoint: dropped, OpenAI caches prompt prefixes automatically.
  });
  if (tools.length === 0) return {};
  const choice = config.toolChoice;
  if (choice === undefined) return { tools };
  return { tools, tool_choice: toolChoice(choice, tools) };
}

function toolChoice(choice: NonNullable<NonNullable<ConverseRequest['toolConfig']>['toolChoice']>, tools: ChatCompletionTool[]): ChatCompletionToolChoiceOption {
  if (choice.auto !== undefined) return 'auto';
  if (choice.any !== undefined) return 'required';
  const name = choice.tool?.name ?? '';
  if (!tools.some((tool) => tool.type === 'function' && tool.function.name === name)) {
    throw validation(`toolConfig.toolChoice.tool.name: "${name}" is not one of the tools in toolConfig.tools`);
  }
  return { type: 'function', function: { name } };
}

function outputParams(config: ConverseRequest['outputConfig']): Partial<Params> {
  const effort = config?.['effort'];
  const params: Partial<Params> = effort === undefined ? {} : { reasoning_effort: checkEffort(effort, 'outputConfig.effort') };
  const format = config?.textFormat;
  if (format === undefined) return params;
  const { schema, name, description } = format.structure.jsonSchema;
  const path = 'outputConfig.textFormat.structure.jsonSchema.schema';
  let parsed: unknown;
  try {
    parsed = JSON.parse(schema);
  } catch {
    throw validation(`${path}: the schema is not valid JSON`);
  }
  if (!isRecord(parsed)) throw validation(`${path}: the schema must be a JSON object`);
  const jsonSchema = { name: name ?? 'response', ...(description !== undefined && { description }), schema: parsed, strict: true };
  return { ...params, response_format: { type: 'json_schema', json_schema: jsonSchema } };
}

function serviceTierParams(serviceTier: ConverseRequest['serviceTier']): Partial<Params> {
  if (serviceTier === undefined) return {};
  if (!SERVICE_TIERS.has(serviceTier.type)) {
    throw validation(`serviceTier.type: must be one of ${[...SERVICE_TIERS.keys()].join(', ')}`);
  }
  const tier = SERVICE_TIERS.get(serviceTier.type);
  return tier === undefined ? {} : { service_tier: tier };
}

function additionalFields(fields: Fields): Partial<Params> {
  const params: Record<string, unknown> = {};
  for (const key of PASS_THROUGH_KEYS) {
    if (fields[key] !== undefined) params[key] = fields[key];
  }
  if (params['n'] !== undefined && params['n'] !== 1) {
    throw validation('additionalModelRequestFields.n: only n=1 is supported (Converse returns one message)');
  }
  const effort = params['reasoning_effort'] ?? mappedEffort(fields);
  if (effort !== undefined) params['reasoning_effort'] = checkEffort(effort, 'additionalModelRequestFields.reasoning_effort');
  return params as Partial<Params>;
}

function mappedEffort(fields: Fields): ReasoningEffort | undefined {
  for (const [parent, key] of EFFORT_PATHS) {
    const container = fields[parent];
    if (!isRecord(container) || container[key] === undefined || container['type'] === 'disabled') continue;
    return checkEffort(container[key], `additionalModelRequestFields.${parent}.${key}`);
  }
  return thinkingEffort(fields['thinking']);
}

/** Inverse of LiteLLM's reasoning_effort -> budget_tokens table (1024 / 2048 / 4096). */
function thinkingEffort(thinking: unknown): ReasoningEffort | undefined {
  if (!isRecord(thinking) || thinking['type'] === 'disabled' || thinking['budget_tokens'] === undefined) return undefined;
  const budget = thinking['budget_tokens'];
  if (typeof budget !== 'number' || !(budget > 0)) {
    throw validation('additionalModelRequestFields.thinking.budget_tokens: must be a positive number');
  }
  if (budget <= 1024) return 'low';
  if (budget <= 2048) return 'medium';
  return 'high';
}

function checkEffort(value: unknown, path: string): ReasoningEffort {
  if (!REASONING_EFFORTS.has(value)) {
    throw validation(`${path}: must be one of ${[...REASONING_EFFORTS].join(', ')}`);
  }
  return value as ReasoningEffort;
}
