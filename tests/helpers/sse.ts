/**
 * Reads the recorded-style OpenAI SSE streams in tests/fixtures/sse: one `data: {json}` line per
 * event, blank-line separated, normally ending with `data: [DONE]` (a cut stream has no [DONE]).
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';

export interface SseStream {
  chunks: ChatCompletionChunk[];
  /** True when the stream ended with `data: [DONE]`. */
  done: boolean;
}

const FIXTURES = new URL('../fixtures/sse/', import.meta.url);

/** Parses SSE text into chunks; comment (`:`) and `event:` lines are ignored, as SSE clients do. */
function parseSse(text: string): SseStream {
  const chunks: ChatCompletionChunk[] = [];
  let done = false;
  for (const line of text.split(/\r?\n/)) {
    if (!line.startsWith('data:')) continue;
    const data = line.slice('data:'.length).trim();
    if (data === '[DONE]') {
      done = true;
      break;
    }
    chunks.push(JSON.parse(data) as ChatCompletionChunk);
  }
  return { chunks, done };
}

/** Loads tests/fixtures/sse/<name>.sse. */
export function readSseFixture(name: string): SseStream {
  return parseSse(readFileSync(new URL(`${name}.sse`, FIXTURES), 'utf8'));
}

/** The names of every fixture (without `.sse`), for invariant checks over all of them. */
export function sseFixtureNames(): string[] {
  return readdirSync(FIXTURES)
    .filter((file) => file.endsWith('.sse'))
    .map((file) => file.slice(0, -'.sse'.length))
    .sort();
}
