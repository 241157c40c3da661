/**
 * The local HTTP adapter: HTTP/1.1 and cleartext HTTP/2 (prior knowledge) on one port.
 * The stock BedrockRuntimeClient speaks only HTTP/2 (NodeHttp2Handler) and boto3/curl
 * speak HTTP/1.1, so each connection is sniffed for the h2 preface and handed to the
 * right server; both feed the same core.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import http2, { type Http2ServerRequest, type Http2ServerResponse } from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import { EMPTY_BODY, type BodyReader } from '../core/body.ts';
import { CallerAbortedError } from '../core/errors.ts';
import { parseQueryString, parseSigningQuery } from '../core/request.ts';
import type { GatewayResponse } from '../core/response.ts';
import type { Gateway } from '../gateway/pipeline.ts';

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');

type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

export interface LocalServer {
  readonly port: number;
  readonly url: string;
  close(): Promise<void>;
}

export interface LocalServerOptions {
  readonly gateway: Gateway;
  readonly host: string;
  readonly port: number;
}

/**
 * The body as the pipeline asks for it, after authentication: plain stream events (cheaper than an
 * async iterator per request), buffering at most `limit` bytes plus one chunk. Past the limit (or a
 * declared Content-Length over it) it stops buffering and reports the size; the pipeline answers 413.
 * A caller that goes away mid-body ends the read with CallerAbortedError.
 */
function bodyReader(req: AnyRequest, signal: AbortSignal): BodyReader {
  return (limit) => {
    if (signal.aborted || req.destroyed) return Promise.reject(new CallerAbortedError());
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) return Promise.resolve({ body: EMPTY_BODY, byteLength: declared });
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const settle = () => {
        req.off('data', onData);
        req.off('end', onEnd);
        req.off('error', onAbort);
        signal.removeEventListener('abort', onAbort);
      };
      const onData = (chunk: Buffer) => {
        size += chunk.length;
        if (size <= limit) {
          chunks.push(chunk);
          return;
        }
        settle();
        req.resume(); // the rest is read and dropped
        resolve({ body: EMPTY_BODY, byteLength: size });
      };
      const onEnd = () => {
        settle();
        resolve({ body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), byteLength: size });
      };
      const onAbort = () => {
        settle();
        reject(new CallerAbortedError());
      };
      req.on('data', onData);
      req.once('end', onEnd);
      req.once('error', onAbort);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  };
}

/** Header names as Node lower-cased them; HTTP/2's `:authority` is kept (a SigV4 client signs it in place of `host`). */
function headersOf(req: AnyRequest): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (name.startsWith(':') && name !== ':authority') continue;
    out[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

const NO_QUERY: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The HTTP/1 and HTTP/2 compatibility responses share this API; the union is not callable in TS.
 * The response's own header map is written as is: the h2 compatibility layer lower-cases names itself.
 */
async function send(anyRes: AnyResponse, response: GatewayResponse): Promise<void> {
  const res = anyRes as ServerResponse;
  const headers = response.headers;
  if (response.kind === 'buffered') {
    headers['content-length'] = String(response.body.byteLength);
    res.writeHead(response.status, headers);
    res.end(response.body);
    return;
  }
  res.writeHead(response.status, headers);
  // Send the headers now: a streaming client must see the response start before the first frame.
  res.flushHeaders?.();
  for await (const frame of response.body) {
    if (res.destroyed) break;
    if (!res.write(frame)) await once(res, 'drain');
  }
  res.end();
}

function createRequestListener(gateway: Gateway) {
  return async (req: AnyRequest, anyRes: AnyResponse): Promise<void> => {
    const res = anyRes as ServerResponse;
    const aborter = new AbortController();
    // 'close' on the response before it finished = the caller went away.
    res.once('close', () => {
      if (!res.writableFinished) aborter.abort();
    });
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    try {
      // The pipeline answers every failure itself, body-read failures and the size limit included.
      const path = q >= 0 ? url.slice(0, q) : url;
      const response = await gateway({
        method: (req.method ?? 'GET').toUpperCase(),
        path,
        query: q >= 0 ? parseQueryString(url.slice(q + 1)) : NO_QUERY,
        headers: headersOf(req),
        body: bodyReader(req, aborter.signal),
        signal: aborter.signal,
        signing: { paths: [path], query: q >= 0 ? parseSigningQuery(url.slice(q + 1)) : NO_QUERY },
      });
      await send(res, response);
    } catch {
      // The caller went away mid-response, or the stream failed after the headers: nothing left to tell.
      res.destroy();
    }
  };
}

export async function startLocalServer(options: LocalServerOptions): Promise<LocalServer> {
  const listener = createRequestListener(options.gateway);
  const h1 = http.createServer({ keepAliveTimeout: 65_000 }, listener);
  const h2 = http2.createServer({}, listener);
  const sockets = new Set<Socket>();

  const front = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    socket.once('readable', () => {
      const head: Buffer | null = socket.read(H2_PREFACE.length) ?? socket.read();
      if (head === null) {
        socket.once('readable', () => socket.emit('readable'));
        return;
      }
      socket.unshift(head);
      const isH2 = head.length >= 3 && head.subarray(0, Math.min(head.length, H2_PREFACE.length)).equals(H2_PREFACE.subarray(0, Math.min(head.length, H2_PREFACE.length)));
      (isH2 ? h2 : h1).emit('connection', socket);
    });
  });

  front.listen(options.port, options.host);
  await once(front, 'listening');
  const { port } = front.address() as AddressInfo;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    port,
    url: `http://${host}:${port}`,
    async close() {
      const closed = once(front, 'close');
      front.close();
      h1.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
