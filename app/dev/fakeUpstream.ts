/**
 * A loopback OpenAI-compatible server for demos, tests and the benchmark. It answers
 * /chat/completions (JSON and SSE), /embeddings and /models with no key and no network.
 *
 * By default it echoes the last user text. Directives in that text pick other behaviour,
 * so one running instance can demonstrate every route:
 *   [tool:NAME]     call tool NAME with {"query": <text>}      [tools:2] two parallel calls
 *   [reason]        send reasoning_content before the answer   [length] finish_reason "length"
 *   [filter]        finish_reason "content_filter"             [slow:MS] wait MS between SSE chunks
 *   [cut]           drop the connection mid-stream             [error:STATUS] answer with that HTTP status
 *   [bad-args]      tool call with unparseable arguments
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

export interface FakeUpstreamOptions {
  readonly port?: number;
  readonly host?: string;
  /** When set, requests must carry `Authorization: Bearer <apiKey>`. */
  readonly apiKey?: string;
  readonly models?: readonly string[];
}

export interface FakeUpstream {
  readonly url: string;
  /** The base URL to use as OPENAI_BASE_URL (ends in /v1). */
  readonly baseURL: string;
  readonly stats: { connections: number; requests: number; closedEarly: number };
  /** Replace the accepted key (simulates a rotation). */
  setApiKey(key: string | undefined): void;
  close(): Promise<void>;
}

interface ChatBody {
  model?: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: Array<{ role: string; content?: unknown }>;
  tools?: Array<{ function?: { name?: string } }>;
}

const directive = (text: string, name: string): string | undefined => {
  const match = new RegExp(`\\[${name}(?::([^\\]]*))?\\]`).exec(text);
  return match ? (match[1] ?? '') : undefined;
};

function lastUserText(body: ChatBody): string {
  const user = [...(body.messages ?? [])].reverse().find((m) => m.role === 'user' || m.role === 'tool');
  if (!user) return '';
  if (typeof user.content === 'string') return user.content;
  if (Array.isArray(user.content)) {
    return user.content.map((p: { type?: string; text?: string }) => (p.type === 'text' ? (p.text ?? '') : '')).join(' ');
  }
  return '';
}

const approximateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4));

interface Plan {
  reasoning?: string;
  text?: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  finish: 'stop' | 'length' | 'tool_calls' | 'content_filter';
  promptTokens: number;
  slowMs: number;
  cut: boolean;
}

function plan(body: ChatBody, requestNo: number): Plan {
  const text = lastUserText(body);
  const promptTokens = approximateTokens(JSON.stringify(body.messages ?? []));
  const toolName = directive(text, 'tool');
  const toolCount = Number(directive(text, 'tools') ?? 0);
  const base: Plan = { toolCalls: [], finish: 'stop', promptTokens, slowMs: Number(directive(text, 'slow') ?? 0), cut: directive(text, 'cut') !== undefined };
  if (directive(text, 'reason') !== undefined) base.reasoning = 'Thinking about the request.';
  if (toolName !== undefined || toolCount > 0) {
    const names = toolCount > 0 ? Array.from({ length: toolCount }, (_, i) => body.tools?.[i]?.function?.name ?? `tool_${i}`) : [toolName || body.tools?.[0]?.function?.name || 'tool'];
    const args = directive(text, 'bad-args') !== undefined ? '{"query": ' : JSON.stringify({ query: text.replace(/\[[^\]]*\]/g, '').trim() });
    base.toolCalls = names.map((name, i) => ({ id: `call_${requestNo}_${i}`, name, arguments: args }));
    base.finish = 'tool_calls';
    return base;
  }
  base.text = `Echo: ${text}`;
  if (directive(text, 'length') !== undefined) base.finish = 'length';
  if (directive(text, 'filter') !== undefined) base.finish = 'content_filter';
  return base;
}

function usage(p: Plan) {
  const completion = approximateTokens((p.text ?? '') + (p.reasoning ?? '') + p.toolCalls.map((t) => t.arguments).join(''));
  return { prompt_tokens: p.promptTokens, completion_tokens: completion, total_tokens: p.promptTokens + completion, prompt_tokens_details: { cached_tokens: 0 } };
}

function completion(body: ChatBody, p: Plan, id: string) {
  return {
    id,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: body.model ?? 'fake',
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: p.text ?? null,
          refusal: null,
          ...(p.reasoning ? { reasoning_content: p.reasoning } : {}),
          ...(p.toolCalls.length ? { tool_calls: p.toolCalls.map((t) => ({ id: t.id, type: 'function', function: { name: t.name, arguments: t.arguments } })) } : {}),
        },
        finish_reason: p.finish,
        logprobs: null,
      },
    ],
    usage: usage(p),
  };
}

function* chunks(body: ChatBody, p: Plan, id: string): Generator<Record<string, unknown>> {
  const base = { id, object: 'chat.completion.chunk', created: Math.floor(Date.now() / 1000), model: body.model ?? 'fake' };
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
  yield choice({ role: 'assistant', content: '' });
  if (p.reasoning) for (const word of p.reasoning.split(/(?<= )/)) yield choice({ reasoning_content: word });
  if (p.text) for (const word of p.text.split(/(?<= )/)) yield choice({ content: word });
  // Real OpenAI: the first fragment of a tool call carries id and name, later ones only arguments.
  for (const [index, call] of p.toolCalls.entries()) {
    const half = Math.ceil(call.arguments.length / 2);
    yield choice({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] });
    yield choice({ tool_calls: [{ index, function: { arguments: call.arguments.slice(0, half) } }] });
    yield choice({ tool_calls: [{ index, function: { arguments: call.arguments.slice(half) } }] });
  }
  if (p.cut) return;
  yield choice({}, p.finish);
  if (body.stream_options?.include_usage) yield { ...base, choices: [], usage: usage(p) };
}

function embed(text: string, dimensions: number): number[] {
  const vector: number[] = [];
  let seed = 0;
  for (const char of text) seed = (seed * 31 + char.charCodeAt(0)) >>> 0;
  for (let i = 0; i < dimensions; i++) {
    seed = (seed * 1103515245 + 12345) >>> 0;
    vector.push(Number(((seed / 0xffffffff) * 2 - 1).toFixed(6)));
  }
  return vector;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return parts.length ? JSON.parse(Buffer.concat(parts).toString('utf8')) : {};
}

function sendJson(res: ServerResponse, status: number, payload: unknown): void {
  const body = JSON.stringify(payload);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export async function startFakeUpstream(options: FakeUpstreamOptions = {}): Promise<FakeUpstream> {
  let apiKey = options.apiKey;
  const models = options.models ?? ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'];
  const stats = { connections: 0, requests: 0, closedEarly: 0 };
  let requestNo = 0;

  const server = http.createServer({ keepAliveTimeout: 120_000 }, async (req, res) => {
    stats.requests++;
    const id = `chatcmpl-fake${++requestNo}`;
    try {
      if (apiKey && req.headers.authorization !== `Bearer ${apiKey}`) {
        await readJson(req).catch(() => undefined);
        return sendJson(res, 401, { error: { message: 'Incorrect API key provided: sk-te***', type: 'invalid_request_error', code: 'invalid_api_key' } });
      }
      const path = (req.url ?? '').replace(/^\/v1/, '').split('?')[0];
      if (req.method === 'GET' && path === '/models') {
        return sendJson(res, 200, { object: 'list', data: models.map((m) => ({ id: m, object: 'model', created: 1700000000, owned_by: 'system' })) });
      }
      if (req.method === 'POST' && path === '/embeddings') {
        const body = (await readJson(req)) as { input: string | string[]; dimensions?: number };
        const inputs = Array.isArray(body.input) ? body.input : [body.input];
        const tokens = inputs.reduce((n, t) => n + approximateTokens(t), 0);
        return sendJson(res, 200, {
          object: 'list',
          data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: embed(text, body.dimensions ?? 8) })),
          model: 'fake-embedding',
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        });
      }
      if (req.method === 'POST' && path === '/chat/completions') {
        const body = (await readJson(req)) as ChatBody;
        const text = lastUserText(body);
        const status = directive(text, 'error');
        if (status) return sendJson(res, Number(status), { error: { message: `Simulated upstream error ${status}`, type: 'server_error', code: null } });
        const p = plan(body, requestNo);
        if (!body.stream) return sendJson(res, 200, completion(body, p, id));
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        res.on('close', () => {
          if (!res.writableFinished) stats.closedEarly++;
        });
        for (const chunk of chunks(body, p, id)) {
          if (res.destroyed) return;
          res.write(`data: ${JSON.stringify(chunk)}\n\n`);
          if (p.slowMs) await sleep(p.slowMs);
        }
        if (p.cut) {
          // Let the chunks reach the gateway first, then drop the connection mid-answer.
          await sleep(50);
          res.socket?.destroy();
          return;
        }
        res.end('data: [DONE]\n\n');
        return;
      }
      sendJson(res, 404, { error: { message: `Unknown path ${req.method} ${req.url}`, type: 'invalid_request_error' } });
    } catch {
      if (!res.headersSent) sendJson(res, 400, { error: { message: 'Bad request body', type: 'invalid_request_error' } });
      else res.destroy();
    }
  });
  server.on('connection', () => stats.connections++);
  server.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  return {
    url,
    baseURL: `${url}/v1`,
    stats,
    setApiKey: (key) => {
      apiKey = key;
    },
    async close() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close').catch(() => undefined);
    },
  };
}
