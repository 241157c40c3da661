/**
 * Converse stopReason -> Anthropic Messages stop_reason
 * (https://docs.anthropic.com/en/api/messages#response-stop-reason).
 * A Record, so a stop reason added to the SDK union fails the typecheck here.
 */
import type { StopReason } from '../../converse/types.ts';

export type AnthropicStopReason =
  | 'end_turn'
  | 'max_tokens'
  | 'stop_sequence'
  | 'tool_use'
  | 'refusal'
  | 'model_context_window_exceeded';

const STOP_REASONS: Readonly<Record<StopReason, AnthropicStopReason>> = {
  end_turn: 'end_turn',
  max_tokens: 'max_tokens',
  stop_sequence: 'stop_sequence',
  tool_use: 'tool_use',
  // Anthropic reports a declined answer as "refusal"; both filters mean that to the caller.
  content_filtered: 'refusal',
  guardrail_intervened: 'refusal',
  // The gateway signals unparsable tool-call arguments this way, and the message still carries
  // the tool_use blocks; "tool_use" keeps Anthropic clients in their tool loop, where the tool's
  // own error result lets the model retry, instead of ending a turn that has unanswered calls.
  malformed_tool_use: 'tool_use',
  malformed_model_output: 'end_turn',
  model_context_window_exceeded: 'model_context_window_exceeded',
};

/** Unknown values (a newer upstream) end the turn rather than break the caller's parser. */
export function toAnthropicStopReason(stopReason: StopReason | undefined): AnthropicStopReason {
  return (stopReason !== undefined ? STOP_REASONS[stopReason] : undefined) ?? 'end_turn';
}
