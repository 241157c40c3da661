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
 * - The stop reason is `decideStopReason` (stopReason.ts), which the stream uses too.
 */
import type { ChatCompletion, ChatCompletionMessage } from 'openai/resources/chat/completions';
import { BedrockError } from '../../core/errors.ts';
import { additionalResponseFields, nonEmpty, parseToolInput, reasoningText } from './outputFields.ts';
import type { ReasoningFields } from './outputFields.ts';
import { decideStopReason } from './stopReason.ts';
import type { ConverseResponseJson, OutputContentBlock } from './types.ts';
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
    text: text !== undefined,
    refusal: refusal !== undefined,
    toolUses: toolUses.blocks.length,
    malformedToolUse: toolUses.malformed,
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
    const input = parseToolInput(call.function.arguments);
    if (input === undefined) result.malformed = true;
    result.blocks.push({ toolUse: { toolUseId: call.id, name: call.function.name, input: input ?? {} } });
  }
  return result;
}
