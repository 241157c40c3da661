/**
 * The request bodies: a Converse request for the gateway path and the equivalent Chat
 * Completions request for the direct path. The fake upstream echoes the user text, so
 * ~1 KB in gives ~1 KB of answer out.
 */

const BEDROCK_MODEL_ID = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
export const UPSTREAM_MODEL = 'gpt-4o-mini';
/** MODEL_MAP for the gateway, so the path exercises the usual Bedrock-id lookup. */
export const MODEL_MAP = JSON.stringify({ [BEDROCK_MODEL_ID]: UPSTREAM_MODEL });

export const CALLER_KEY = 'bench-caller-key';
export const UPSTREAM_KEY = 'bench-upstream-key';

/** The user text of the ordinary request (echoed back, so also the answer's size). */
export const TEXT_BYTES = 1024;

const WORDS = ['gateway', 'latency', 'bedrock', 'stream', 'token', 'model', 'answer', 'request', 'budget', 'measure', 'socket', 'frame'];

/** Deterministic plain words (no `[` so no fake-upstream directive), exactly `bytes` long. */
export function words(bytes: number): string {
  let text = '';
  for (let i = 0; text.length < bytes; i++) text += `${WORDS[(i * 7) % WORDS.length]} `;
  return text.slice(0, bytes).trimEnd().padEnd(bytes, '.');
}

interface PathPair {
  readonly path: string;
  readonly body: Buffer;
}

export interface BenchRequests {
  readonly gateway: PathPair;
  readonly direct: PathPair;
}

/**
 * `text` sent as Converse (or ConverseStream) and as Chat Completions (stream or not).
 * With `system`, that text goes first as the system prompt (input size without answer size).
 */
export function requestsFor(text: string, stream: boolean, system?: string): BenchRequests {
  const action = stream ? 'converse-stream' : 'converse';
  const converse = {
    ...(system ? { system: [{ text: system }] } : {}),
    messages: [{ role: 'user', content: [{ text }] }],
    inferenceConfig: { maxTokens: 1024, temperature: 0 },
  };
  const chat = {
    model: UPSTREAM_MODEL,
    messages: [...(system ? [{ role: 'system', content: system }] : []), { role: 'user', content: text }],
    max_completion_tokens: 1024,
    temperature: 0,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
  return {
    gateway: { path: `/model/${encodeURIComponent(BEDROCK_MODEL_ID)}/${action}`, body: Buffer.from(JSON.stringify(converse)) },
    direct: { path: '/v1/chat/completions', body: Buffer.from(JSON.stringify(chat)) },
  };
}

/**
 * A short answer whose SSE chunks the fake upstream sends PACE_MS apart (its [slow:MS]
 * directive), as a real model does: the first content chunk then arrives on its own.
 */
export const PACE_MS = 1;
export const PACED_PROMPT = `[slow:${PACE_MS}] Hi`;

export const GATEWAY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json',
  accept: 'application/json',
  authorization: `Bearer ${CALLER_KEY}`,
});

export const DIRECT_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'application/json',
  accept: 'application/json',
  authorization: `Bearer ${UPSTREAM_KEY}`,
});

/** A Converse answer is the echo of the 1 KB text: check it came back whole. */
export function checkConverseAnswer(body: Buffer, text: string): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { output?: { message?: { content?: Array<{ text?: string }> } }; stopReason?: string };
    const answer = parsed.output?.message?.content?.[0]?.text ?? '';
    if (!answer.includes(text)) return `the Converse answer does not echo the request text: ${body.toString('utf8').slice(0, 300)}`;
    if (parsed.stopReason !== 'end_turn') return `unexpected stopReason ${parsed.stopReason}`;
    return undefined;
  } catch (error) {
    return `the Converse answer is not JSON: ${(error as Error).message}`;
  }
}

export function checkChatAnswer(body: Buffer, text: string): string | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { choices?: Array<{ message?: { content?: string } }> };
    return parsed.choices?.[0]?.message?.content?.includes(text) ? undefined : 'the direct answer does not echo the request text';
  } catch (error) {
    return `the direct answer is not JSON: ${(error as Error).message}`;
  }
}
