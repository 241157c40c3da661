/**
 * OpenAI finish_reason -> Bedrock stopReason.
 * Inverse of LiteLLM `_FINISH_REASON_MAP` / Portkey `utils/finishReasonMap.ts`
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
