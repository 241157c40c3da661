import OpenAI from 'openai';
import { buildGateway } from '../app/composition.ts';
import { loadConfig } from '../app/config/config.ts';
import { createLogger } from '../app/observability/logger.ts';
import { createTelemetry } from '../app/observability/telemetry.ts';
import type { Upstream } from '../app/upstream/upstream.ts';

const text = 'x'.repeat(1024);
const completion = { id: 'c', object: 'chat.completion', created: 1, model: 'gpt-4o-mini', choices: [{ index: 0, message: { role: 'assistant', content: 'Echo: ' + text, refusal: null }, finish_reason: 'stop', logprobs: null }], usage: { prompt_tokens: 300, completion_tokens: 260, total_tokens: 560 } };
const completionText = JSON.stringify(completion);
const body = new TextEncoder().encode(JSON.stringify({ messages: [{ role: 'user', content: [{ text }] }] }));

async function time(label: string, n: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < 2000; i++) await fn();
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  const c = process.cpuUsage(c0); const t = performance.now() - t0;
  console.error(label.padEnd(50), ((c.user + c.system) / n).toFixed(1), 'us cpu/req', ((t * 1000) / n).toFixed(1), 'us wall/req');
}

for (const logLevel of ['SILENT', 'INFO']) {
  const fake: Upstream = { chat: async () => JSON.parse(completionText), chatStream: async () => { throw 0; }, embeddings: async () => { throw 0; }, listModels: async () => [] };
  const logger = createLogger(logLevel);
  const built = buildGateway({ config: loadConfig({ PROXY_API_KEYS: 'k' }), mode: 'local', telemetry: createTelemetry(logger, undefined), upstream: fake });
  const origWrite = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as never;
  const req = { method: 'POST', path: '/model/gpt-4o-mini/converse', query: {}, headers: { authorization: 'Bearer k' }, body };
  await time(`core pipeline (fake upstream) LOG=${logLevel}`, 20000, () => built.gateway(req));
  process.stdout.write = origWrite;
}

const sdk = new OpenAI({ apiKey: 'sk-x', baseURL: 'http://127.0.0.1:9/v1', maxRetries: 0,
  fetch: (async () => new Response(completionText, { status: 200, headers: { 'content-type': 'application/json' } })) as never });
const params = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: [{ type: 'text' as const, text }] }], max_completion_tokens: 100, stream: false as const };
await time('openai SDK create() with an in-memory fetch', 20000, () => sdk.chat.completions.create(params));
const ac = new AbortController();
await time('openai SDK create() + signal', 20000, () => sdk.chat.completions.create(params, { signal: ac.signal }));
await time('new Response + json()', 20000, async () => new Response(completionText, { status: 200, headers: { 'content-type': 'application/json' } }).json());
