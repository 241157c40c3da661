/** Converse stop reasons in Mistral's words, for both body forms. */
import type { StopReason } from '../../converse/types.ts';

type MistralStopReason = 'stop' | 'length' | 'tool_calls';

const STOP_REASONS: ReadonlyMap<StopReason, MistralStopReason> = new Map<StopReason, MistralStopReason>([
  ['max_tokens', 'length'],
  ['model_context_window_exceeded', 'length'],
  ['tool_use', 'tool_calls'],
]);

/** Text completions never call tools, so their reason is only ever stop or length. */
export function toStopReason(reason: StopReason | undefined, form: 'text' | 'chat'): MistralStopReason {
  const mapped = reason === undefined ? 'stop' : (STOP_REASONS.get(reason) ?? 'stop');
  return form === 'text' && mapped === 'tool_calls' ? 'stop' : mapped;
}
