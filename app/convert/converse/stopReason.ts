/**
 * OpenAI finish_reason (+ what the turn produced) -> Bedrock stopReason, for the response
 * (response.ts) and the stream (stream.ts), so both answer the same for the same completion.
 * finish_reason mapping: inverse of LiteLLM `_FINISH_REASON_MAP` / Portkey `utils/finishReasonMap.ts`
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_ResponseSyntax).
 */
import type { ChatCompletion } from 'openai/resources/chat/completions';
import type { StopReason } from './types.ts';

type FinishReason = ChatCompletion.Choice['finish_reason'];

const STOP_REASONS: ReadonlyMap<FinishReason, StopReason> = new Map<FinishReason, StopReason>([
  ['stop', 'end_turn'],
  ['length', 'max_tokens'],
  ['tool_calls', 'tool_use'],
  ['function_call', 'tool_use'],
  ['content_filter', 'content_filtered'],
]);

/** Unknown or missing reasons (some OpenAI-compatible servers send null or their own) end the turn. */
export function toStopReason(finishReason: string | null | undefined): StopReason {
  return STOP_REASONS.get(finishReason as FinishReason) ?? 'end_turn';
}

/** What the assistant turn carried, as far as the stop reason depends on it. */
export interface TurnContent {
  /** Non-empty answer text (`content`). */
  text: boolean;
  /** A non-empty `refusal`. */
  refusal: boolean;
  /** Tool calls the caller receives as toolUse blocks. */
  toolUses: number;
  /** Some tool call's arguments are not a JSON object. */
  malformedToolUse: boolean;
}

/**
 * `max_tokens` wins (the caller must raise the limit; truncation is likely why arguments broke).
 * Otherwise malformed tool input wins, then a bare refusal (the model declined, which Bedrock
 * reports as content_filtered). Some compatible servers answer tool calls with finish_reason
 * "stop"; agent loops wait for `tool_use`, so tool calls upgrade end_turn.
 */
export function decideStopReason(finishReason: string | null | undefined, turn: TurnContent): StopReason {
  const base = toStopReason(finishReason);
  if (base === 'max_tokens') return base;
  if (turn.malformedToolUse) return 'malformed_tool_use';
  if (base !== 'end_turn') return base;
  if (turn.refusal && !turn.text && turn.toolUses === 0) return 'content_filtered';
  if (turn.toolUses > 0) return 'tool_use';
  return base;
}
