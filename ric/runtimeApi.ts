/**
 * A loopback emulator of the AWS Lambda Runtime API (2018-06-01) for the real runtime client, on
 * plain node:http. It hands out queued events on GET /next (long-polling while none is queued) and
 * records what the runtime posts back: headers as sent, body chunks with their arrival times,
 * trailers (how a streamed invocation reports an error).
 *
 *   const api = await startRuntimeApi();            // AWS_LAMBDA_RUNTIME_API=api.address
 *   const result = await api.invoke(event);         // { kind, headers, chunks, trailers, body, ... }
 *
 * Times are performance.now() of this process, so a caller can relate them to its own readings.
 */
import http from 'node:http';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

const PREFIX = '/2018-06-01/runtime';

export interface Invocation {
  readonly requestId: string;
  /** `response` / `error` when the POST completed; `response-aborted` when its connection was cut. */
  kind: 'pending' | 'response' | 'error' | 'response-aborted' | 'error-aborted';
  /** The POST's headers (lower-cased names) and as sent, in order, as [name, value] pairs. */
  headers: http.IncomingHttpHeaders;
  rawHeaders: [string, string][];
  chunks: { at: number; bytes: Buffer }[];
  trailers: NodeJS.Dict<string>;
  body: Buffer;
  queuedAt: number;
  deliveredAt?: number;
  endedAt?: number;
}

interface InvokeOptions {
  readonly requestId?: string;
  /** Cut the POST's connection this long after its headers arrive (as if the caller went away). */
  readonly abortPostAfterMs?: number;
  /** The invocation deadline the runtime is told (Lambda-Runtime-Deadline-Ms), ms from delivery. */
  readonly timeoutMs?: number;
}

export interface RuntimeApi {
  /** host:port, the value of AWS_LAMBDA_RUNTIME_API. */
  readonly address: string;
  /** Resolves with the time of the first GET /next: the end of the runtime's init. */
  readonly firstNext: Promise<number>;
  /** Init errors the runtime posted (error type header and body). */
  readonly initErrors: { errorType: string | undefined; body: string }[];
  /** Resolves when a GET /next is parked: the runtime finished the last invocation and asks for more. */
  whenIdle(timeoutMs?: number): Promise<void>;
  invoke(event: unknown, options?: InvokeOptions): Promise<Invocation>;
  close(): Promise<void>;
}

const pairs = (raw: string[]): [string, string][] => {
  const out: [string, string][] = [];
  for (let i = 0; i < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
};

interface Queued {
  readonly record: Invocation;
  readonly event: unknown;
  readonly options: InvokeOptions;
  readonly resolve: (record: Invocation) => void;
}

export async function startRuntimeApi(): Promise<RuntimeApi> {
  const queue: Queued[] = [];
  const waiting: http.ServerResponse[] = [];
  const live = new Map<string, Queued>();
  const initErrors: RuntimeApi['initErrors'] = [];
  let firstNextResolve: (at: number) => void = () => {};
  const firstNext = new Promise<number>((resolve) => (firstNextResolve = resolve));

  function pump(): void {
    while (queue.length > 0 && waiting.length > 0) {
      const res = waiting.shift()!;
      if (res.destroyed) continue;
      const item = queue.shift()!;
      item.record.deliveredAt = performance.now();
      const body = Buffer.from(JSON.stringify(item.event));
      res.writeHead(200, {
        'Content-Type': 'application/json',
        'Content-Length': body.length,
        'Lambda-Runtime-Aws-Request-Id': item.record.requestId,
        'Lambda-Runtime-Deadline-Ms': String(Date.now() + (item.options.timeoutMs ?? 900_000)),
        'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:us-east-1:123456789012:function:gateway:live',
        'Lambda-Runtime-Trace-Id': `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)};Sampled=0`,
      });
      res.end(body);
    }
  }

  /** Reads a POST body into `record`; resolves true when it ended, false when its connection was cut. */
  function readPost(req: http.IncomingMessage, record: Invocation): Promise<boolean> {
    record.headers = req.headers;
    record.rawHeaders = pairs(req.rawHeaders);
    req.on('data', (bytes: Buffer) => record.chunks.push({ at: performance.now(), bytes }));
    return new Promise((resolve) => {
      req.on('end', () => {
        record.trailers = { ...req.trailers };
        resolve(true);
      });
      req.on('aborted', () => resolve(false));
      req.on('error', () => resolve(false));
    });
  }

  const server = http.createServer({ keepAliveTimeout: 0, requestTimeout: 0, headersTimeout: 0 }, async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://runtime').pathname;
    const accepted = () => {
      res.writeHead(202, { 'Content-Type': 'application/json' });
      res.end('{"status":"OK"}');
    };
    if (req.method === 'GET' && path === `${PREFIX}/invocation/next`) {
      firstNextResolve(performance.now());
      waiting.push(res);
      pump();
      return;
    }
    if (req.method === 'POST' && path === `${PREFIX}/init/error`) {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      initErrors.push({ errorType: req.headers['lambda-runtime-function-error-type'] as string | undefined, body: Buffer.concat(chunks).toString('utf8') });
      accepted();
      return;
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    const item = match && req.method === 'POST' ? live.get(decodeURIComponent(match[1]!)) : undefined;
    if (!match || !item) {
      res.writeHead(400, { 'Content-Type': 'application/json' });
      res.end('{"errorType":"InvalidRequestID","errorMessage":"unknown invocation"}');
      return;
    }
    live.delete(item.record.requestId);
    if (item.options.abortPostAfterMs !== undefined) setTimeout(() => req.socket.destroy(), item.options.abortPostAfterMs);
    const complete = await readPost(req, item.record);
    if (complete) accepted();
    item.record.kind = complete ? (match[2] as 'response' | 'error') : (`${match[2]}-aborted` as 'response-aborted' | 'error-aborted');
    item.record.endedAt = performance.now();
    item.record.body = Buffer.concat(item.record.chunks.map((chunk) => chunk.bytes));
    item.resolve(item.record);
  });
  server.on('connection', (socket) => socket.setNoDelay(true));
  server.on('close', () => {
    for (const res of waiting.splice(0)) res.destroy();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    firstNext,
    initErrors,
    async whenIdle(timeoutMs = 10_000) {
      const deadline = performance.now() + timeoutMs;
      while (waiting.filter((res) => !res.destroyed).length === 0) {
        if (performance.now() > deadline) throw new Error('the runtime did not ask for the next invocation');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    },
    invoke(event, options = {}) {
      const record: Invocation = {
        requestId: options.requestId ?? randomUUID(),
        kind: 'pending',
        headers: {},
        rawHeaders: [],
        chunks: [],
        trailers: {},
        body: Buffer.alloc(0),
        queuedAt: performance.now(),
      };
      return new Promise((resolve) => {
        const item = { record, event, options, resolve };
        live.set(record.requestId, item);
        queue.push(item);
        pump();
      });
    },
    async close() {
      for (const res of waiting.splice(0)) res.destroy();
      server.closeAllConnections();
      server.close();
    },
  };
}

/** A streamed body split at the first 8-NUL delimiter: the JSON prelude, whether the delimiter came, and the body after it. */
export function splitStreamedBody(body: Buffer): { prelude: unknown; delimiter: boolean; body: Buffer } {
  const at = body.indexOf(Buffer.alloc(8));
  if (at < 0) return { prelude: undefined, delimiter: false, body };
  return { prelude: JSON.parse(body.subarray(0, at).toString('utf8')) as unknown, delimiter: true, body: body.subarray(at + 8) };
}
