/**
 * Bench child: a floor. The least any Converse-to-OpenAI server on this stack must do per
 * request: `node:http`, JSON parse, one upstream call with the caller's abort signal passed on,
 * and a Converse-shaped JSON answer. No validation, auth, model lookup, logging, metrics or error
 * mapping. Two kinds (FLOOR_UPSTREAM):
 *   - `sdk`: the call goes through the openai client the gateway builds, from the composition's
 *     public builder (`buildUpstreamClient`: the SDK over the pooled undici Agent);
 *   - `agent`: that same Agent's `request()` with the JSON body, no SDK.
 * Measured next to the gateway, they show how much of a budget the required stack uses before
 * the gateway's own work, and how much of that is the openai SDK.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import type { ChatCompletion, ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import { loadConfig, type Config } from '../../app/config/config.ts';
import { buildUpstreamClient } from '../../app/gateway/composition.ts';
import { UPSTREAM_MODEL } from './bodies.ts';
import type { GatewayInfo } from './gatewayChild.ts';
import { serveMeasuredChild } from './childUsage.ts';
import { FLOOR_KINDS, type FloorKind } from './floors.ts';

/** Announced like the gateway, so the same throughput code drives both. */
export type FloorInfo = GatewayInfo;

interface ConverseText {
  readonly messages: ReadonlyArray<{ readonly role: 'user' | 'assistant'; readonly content: ReadonlyArray<{ readonly text?: string }> }>;
  readonly inferenceConfig?: { readonly maxTokens?: number; readonly temperature?: number };
}

type Complete = (params: ChatCompletionCreateParamsNonStreaming, signal: AbortSignal) => Promise<ChatCompletion>;

function completer(kind: FloorKind, config: Config): Complete {
  const { client, dispatcher } = buildUpstreamClient(config);
  if (kind === 'sdk') return (params, signal) => client.chat.completions.create(params, { signal });
  if (!dispatcher) throw new Error('buildUpstreamClient gave no undici Agent');
  const url = new URL(`${config.openaiBaseUrl}/chat/completions`);
  const headers = { authorization: `Bearer ${config.openaiApiKey ?? ''}`, 'content-type': 'application/json', accept: 'application/json' };
  return async (params, signal) => {
    const response = await dispatcher.request({ origin: url.origin, path: url.pathname, method: 'POST', headers, body: JSON.stringify(params), signal });
    if (response.statusCode !== 200) throw new Error(`upstream HTTP ${response.statusCode}: ${await response.body.text()}`);
    return (await response.body.json()) as ChatCompletion;
  };
}

/** A bounded body read, as any server must do: at most `limit` bytes are buffered. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) reject(new Error('body over the limit'));
      else chunks.push(chunk);
    });
    req.once('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

const kind = (process.env.FLOOR_UPSTREAM ?? 'sdk') as FloorKind;
if (!FLOOR_KINDS.includes(kind)) throw new Error(`FLOOR_UPSTREAM must be one of ${FLOOR_KINDS.join(', ')}`);
const config = loadConfig(process.env);
const complete = completer(kind, config);

const server = http.createServer({ keepAliveTimeout: 65_000 }, async (req, res) => {
  const aborter = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) aborter.abort();
  });
  try {
    const converse = JSON.parse(Buffer.from(await readBody(req, config.maxBodyBytes)).toString('utf8')) as ConverseText;
    const completion = await complete(
      {
        model: UPSTREAM_MODEL,
        messages: converse.messages.map((message) => ({ role: message.role, content: message.content.map((block) => block.text ?? '').join('') })),
        max_completion_tokens: converse.inferenceConfig?.maxTokens,
        temperature: converse.inferenceConfig?.temperature,
      },
      aborter.signal,
    );
    const usage = completion.usage;
    const body = Buffer.from(
      JSON.stringify({
        output: { message: { role: 'assistant', content: [{ text: completion.choices[0]?.message.content ?? '' }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: usage?.prompt_tokens ?? 0, outputTokens: usage?.completion_tokens ?? 0, totalTokens: usage?.total_tokens ?? 0 },
        metrics: { latencyMs: 0 },
      }),
    );
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.byteLength) });
    res.end(body);
  } catch (error) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: (error as Error).message }));
  }
});

server.listen(0, '127.0.0.1');
await once(server, 'listening');
await serveMeasuredChild({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, maxConnections: config.openaiMaxConnections } satisfies FloorInfo, async () => {
  server.closeAllConnections();
  server.close();
});
