/** nock interceptors for an OpenAI-compatible upstream at NOCK_BASE (JSON, SSE, embeddings, models). */
import nock from 'nock';
import { chatChunk } from './chunks.ts';
import { NOCK_BASE } from './gateway.ts';

export const upstream = () => nock(new URL(NOCK_BASE).origin);
const path = (p: string) => `${new URL(NOCK_BASE).pathname}${p}`;

function chatCompletion(text: string, overrides: Record<string, unknown> = {}) {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1764115200,
    model: 'gpt-4o',
    choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }],
    usage: { prompt_tokens: 12, completion_tokens: 5, total_tokens: 17, prompt_tokens_details: { cached_tokens: 2 } },
    ...overrides,
  };
}

export function sse(chunks: unknown[], done = true): string {
  return chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join('') + (done ? 'data: [DONE]\n\n' : '');
}

export function textChunks(words: string[], finish = 'stop') {
  return [
    chatChunk({ role: 'assistant', content: '' }),
    ...words.map((w) => chatChunk({ content: w })),
    chatChunk({}, finish),
    chatChunk(undefined, null, { usage: { prompt_tokens: 9, completion_tokens: words.length, total_tokens: 9 + words.length } }),
  ];
}

/** Answers every chat call: JSON for plain calls, SSE for stream calls; records the bodies it saw. */
export function echoChat(seen: unknown[] = [], times = 1) {
  return upstream()
    .post(path('/chat/completions'))
    .times(times)
    .reply(200, (_uri: string, body: nock.Body) => {
      seen.push(body);
      const request = body as { stream?: boolean };
      return request.stream ? sse(textChunks(['Hello', ' there'])) : chatCompletion('Hello there');
    });
}

export function models(ids = ['gpt-4o', 'gpt-4o-mini']) {
  return upstream()
    .get(path('/models'))
    .reply(200, { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1, owned_by: 'system' })) });
}

export function embeddings(dimensions = 4) {
  return upstream()
    .post(path('/embeddings'))
    .reply(200, (_uri: string, body: nock.Body) => {
      const input = (body as { input: string[] | string }).input;
      const list = Array.isArray(input) ? input : [input];
      return {
        object: 'list',
        data: list.map((_t, index) => ({ object: 'embedding', index, embedding: Array.from({ length: dimensions }, (_v, i) => (i + 1) / 10) })),
        model: 'text-embedding-3-small',
        usage: { prompt_tokens: 7, total_tokens: 7 },
      };
    });
}

export function failWith(status: number, message = 'upstream says no', code: string | null = null, times = 1) {
  return upstream()
    .post(path('/chat/completions'))
    .times(times)
    .reply(status, { error: { message, type: 'invalid_request_error', code } });
}

export { path as upstreamPath };
