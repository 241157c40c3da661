/**
 * The load client: a minimal keep-alive HTTP/1.1 POST client (a `node:http` Agent) with an
 * hrtime clock. The gateway path and the direct path share it, so the client's cost cancels
 * out of every "added" figure.
 */
import http from 'node:http';

export interface ClientOptions {
  /** e.g. http://127.0.0.1:1234 (loopback only). */
  readonly origin: string;
  /** Most sockets this client keeps open (= the highest concurrency it will drive). */
  readonly connections: number;
}

export interface Exchange {
  readonly status: number;
  readonly bytes: number;
  /** Request start to last body byte, ns. */
  readonly elapsedNs: number;
  /** The body, only when asked for (validation, error reports). */
  readonly body?: Buffer;
}

/** Called with each body chunk as it arrives and the hrtime (ns) of its arrival. */
type ChunkListener = (chunk: Buffer, atNs: number) => void;

interface PostOptions {
  readonly keepBody?: boolean;
  readonly onChunk?: ChunkListener;
}

export interface BenchClient {
  post(path: string, body: Buffer, headers: Readonly<Record<string, string>>, options?: PostOptions): Promise<Exchange>;
  /** TCP connections this client has opened so far. */
  connectionsOpened(): number;
  /** Requests this client has started so far. */
  requestsSent(): number;
  close(): Promise<void>;
}

export const nowNs = (): number => Number(process.hrtime.bigint());

/** No single exchange may hang the benchmark: a response that stalls this long fails. */
const REQUEST_TIMEOUT_MS = 30_000;

export function createClient(options: ClientOptions): BenchClient {
  const url = new URL(options.origin);
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') throw new Error(`The benchmark is loopback only, not ${url.hostname}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections, keepAliveMsecs: 120_000 });
  const seen = new WeakSet<object>();
  let opened = 0;
  let sent = 0;
  return {
    post(path, body, headers, postOptions = {}) {
      sent++;
      return new Promise<Exchange>((resolve, reject) => {
        const started = nowNs();
        const request = http.request(
          { agent, host: url.hostname, port: url.port, path, method: 'POST', headers: { ...headers, 'content-length': body.length } },
          (response) => {
            const keep = postOptions.keepBody || response.statusCode !== 200;
            let bytes = 0;
            const parts: Buffer[] = [];
            response.on('data', (chunk: Buffer) => {
              bytes += chunk.length;
              postOptions.onChunk?.(chunk, nowNs());
              if (keep) parts.push(chunk);
            });
            response.once('end', () => {
              const elapsedNs = nowNs() - started;
              resolve({ status: response.statusCode ?? 0, bytes, elapsedNs, ...(keep ? { body: Buffer.concat(parts) } : {}) });
            });
            response.once('error', reject);
          },
        );
        request.once('socket', (socket) => {
          if (!seen.has(socket)) {
            seen.add(socket);
            opened++;
          }
        });
        request.setTimeout(REQUEST_TIMEOUT_MS, () => request.destroy(new Error(`no progress for ${REQUEST_TIMEOUT_MS} ms on ${path}`)));
        request.once('error', reject);
        request.end(body);
      });
    },
    connectionsOpened: () => opened,
    requestsSent: () => sent,
    async close() {
      agent.destroy();
    },
  };
}
