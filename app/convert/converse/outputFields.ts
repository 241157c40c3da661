/**
 * Readings of the OpenAI output shared by the response (response.ts) and stream (stream.ts)
 * conversions, so a message and a delta are read the same way.
 */

/** A string with at least one character; null, "" and non-strings mean "nothing". */
export function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Non-standard reasoning fields some OpenAI-compatible servers put on messages and deltas (DeepSeek, vLLM, OpenRouter). */
export interface ReasoningFields {
  reasoning_content?: unknown;
  reasoning?: unknown;
}

/** The reasoning text of a message or delta; `reasoning_content` wins when a server sends both. */
export function reasoningText(fields: ReasoningFields): string | undefined {
  return nonEmpty(fields.reasoning_content) ?? nonEmpty(fields.reasoning);
}

/**
 * Tool-call arguments as Converse `toolUse.input`, which must be a JSON object (as every toolSpec
 * schema is); empty arguments mean `{}`. Undefined when they are not a JSON object: the caller
 * then reports malformed_tool_use.
 */
export function parseToolInput(args: string | undefined): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(args === undefined || args.trim() === '' ? '{}' : args);
  } catch {
    return undefined;
  }
  return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

/** The one response path we can answer; Vercel asks for it on Anthropic models. The stop sequence is unknowable from OpenAI. */
const STOP_SEQUENCE_PATH = '/delta/stop_sequence';

/** `additionalModelResponseFields` for the requested paths, or undefined when none of them can be answered. */
export function additionalResponseFields(paths: readonly string[] | undefined): Record<string, unknown> | undefined {
  return paths?.includes(STOP_SEQUENCE_PATH) ? { delta: { stop_sequence: null } } : undefined;
}
