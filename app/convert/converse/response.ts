/**
 * OpenAI ChatCompletion -> Converse response (wire spec section 8, "Response"). Pure.
 *
 * Decisions:
 * - Only `choices[0]` is used (the request never asks for n > 1); no choices is a model error.
 * - Content order: reasoning, text, refusal, tool uses (reasoning first, as Bedrock emits it).
 * - A model that produced nothing gets `content: []` rather than an invented `{text:""}`; Bedrock
 *   itself returns `[]` for empty turns and the Vercel AI SDK and LangChain handle it.
 * - Tool-call arguments that are not a JSON object become `input: {}` and stopReason
 *   `malformed_tool_use`, so the caller sees the call but does not run it with garbage input.
 */
import type { ChatCompletion, ChatCompletionMessage } from 'openai/resources/chat/completions';
import { BedrockError } from '../../core/errors.ts';
import { additionalResponseFields, nonEmpty, reasoningText } from './outputFields.ts';
import type { ReasoningFields } from './outputFields.ts';
import { toStopReason } from './stopReason.ts';
import type { ConverseResponseJson, OutputContentBlock, StopReason } from './types.ts';
import { toTokenUsage } from './usage.ts';

export interface ChatToConverseOptions {
  /** Wall-clock time the gateway spent on the call; becomes `metrics.latencyMs`. */
  latencyMs: number;
  additionalModelResponseFieldPaths?: readonly string[];
}

interface ToolUses {
  blocks: OutputContentBlock[];
  malformed: boolean;
}

export function chatToConverse(completion: ChatCompletion, options: ChatToConverseOptions): ConverseResponseJson {
  const choice = completion.choices[0];
  if (choice === undefined) {
    throw new BedrockError('ModelErrorException', 'The model returned no choices.', { originalStatusCode: 200 });
  }
  const message: ChatCompletionMessage & ReasoningFields = choice.message;
  const text = nonEmpty(message.content);
  const refusal = nonEmpty(message.refusal);
  const reasoning = reasoningText(message);
  const toolUses = toToolUses(message);
  const content: OutputContentBlock[] = [
    ...(reasoning === undefined ? [] : [{ reasoningContent: { reasoningText: { text: reasoning } } }]),
    ...(text === undefined ? [] : [{ text }]),
    ...(refusal === undefined ? [] : [{ text: refusal }]),
    ...toolUses.blocks,
  ];
  const stopReason = decideStopReason(choice.finish_reason, {
    malformedToolUse: toolUses.malformed,
    refusedOnly: refusal !== undefined && text === undefined && toolUses.blocks.length === 0,
    usedTools: toolUses.blocks.length > 0,
  });
  const response: ConverseResponseJson = {
    output: { message: { role: 'assistant', content } },
    stopReason,
    usage: toTokenUsage(completion.usage),
    metrics: { latencyMs: options.latencyMs },
  };
  const additionalModelResponseFields = additionalResponseFields(options.additionalModelResponseFieldPaths);
  if (additionalModelResponseFields) response.additionalModelResponseFields = additionalModelResponseFields;
  return response;
}

/**
 * Only function calls are mapped: the gateway never declares custom tools. Calls are recognised by
 * their `function` member rather than `type`, since some compatible servers omit `type`.
 */
function toToolUses(message: ChatCompletionMessage): ToolUses {
  const result: ToolUses = { blocks: [], malformed: false };
  for (const call of message.tool_calls ?? []) {
    if (!('function' in call) || call.function === undefined) continue;
    const input = parseArguments(call.function.arguments);
    if (input === undefined) result.malformed = true;
    result.blocks.push({ toolUse: { toolUseId: call.id, name: call.function.name, input: input ?? {} } });
  }
  return result;
}

/** Tool input must be a JSON object (Converse `toolUse.input` and every toolSpec schema are objects). */
function parseArguments(args: string | undefined): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args === undefined || args.trim() === '' ? '{}' : args);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

interface TurnFacts {
  malformedToolUse: boolean;
  /** A refusal and nothing else: the model declined, which Bedrock reports as content_filtered. */
  refusedOnly: boolean;
  usedTools: boolean;
}

/**
 * `max_tokens` wins (the caller must raise the limit; truncation is likely why arguments broke).
 * Otherwise malformed tool input wins, then a bare refusal. Some compatible servers answer tool
 * calls with finish_reason "stop"; agent loops wait for `tool_use`, so tool calls upgrade end_turn.
 */
function decideStopReason(finishReason: string | null | undefined, facts: TurnFacts): StopReason {
  const base = toStopReason(finishReason);
  if (base === 'max_tokens') return base;
  if (facts.malformedToolUse) return 'malformed_tool_use';
  if (base !== 'end_turn') return base;
  if (facts.refusedOnly) return 'content_filtered';
  if (facts.usedTools) return 'tool_use';
  return base;
}
