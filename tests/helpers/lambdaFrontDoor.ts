/**
 * A loopback stand-in for the Lambda's front doors, so stock HTTP clients can reach the Lambda
 * handler: each request becomes the event API Gateway REST (payload v1, a stage in the path) or a
 * Function URL (payload v2) would deliver, and the handler's streamed answer (prelude, 8 NULs, body)
 * goes back as an HTTP response, chunk by chunk. What the real services do that matters to a
 * signature is copied: REST strips the stage from `path` but keeps it in `requestContext.path`,
 * forwards no Content-Length and hands over the body as text; a Function URL sends the raw path and
 * query and a base64 body.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
import type { LambdaHttpEvent } from '../../app/lambda/event.ts';
import { localResponseStream, type StreamingHandler } from '../../app/lambda/runtime.ts';

export type FrontDoor = 'rest' | 'url';

export interface RunningFrontDoor {
  /** What a client puts as its endpoint (the stage included for REST). */
  readonly endpoint: string;
  close(): Promise<void>;
}

async function readAll(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function restEvent(req: http.IncomingMessage, body: Buffer, stage: string): LambdaHttpEvent {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const fullPath = q >= 0 ? url.slice(0, q) : url;
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    if (name.toLowerCase() === 'content-length') continue; // API Gateway REST does not forward it
    (multiValueHeaders[name] ??= []).push(req.rawHeaders[i + 1]!);
  }
  const multiValueQuery: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(q >= 0 ? url.slice(q + 1) : '')) (multiValueQuery[name] ??= []).push(value);
  const requestId = randomUUID();
  return {
    resource: '/{proxy+}',
    path: fullPath.startsWith(`/${stage}/`) ? fullPath.slice(stage.length + 1) : fullPath,
    httpMethod: req.method ?? 'GET',
    headers: Object.fromEntries(Object.entries(multiValueHeaders).map(([name, values]) => [name, values.at(-1)!])),
    multiValueHeaders,
    queryStringParameters: Object.keys(multiValueQuery).length ? Object.fromEntries(Object.entries(multiValueQuery).map(([n, v]) => [n, v.at(-1)!])) : null,
    multiValueQueryStringParameters: Object.keys(multiValueQuery).length ? multiValueQuery : null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { path: fullPath, stage, requestId, httpMethod: req.method ?? 'GET' } as never,
    body: body.byteLength ? body.toString('utf8') : null,
    isBase64Encoded: false,
  };
}

function functionUrlEvent(req: http.IncomingMessage, body: Buffer): LambdaHttpEvent {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    headers[name] = headers[name] === undefined ? req.rawHeaders[i + 1]! : `${headers[name]},${req.rawHeaders[i + 1]}`;
  }
  const rawPath = q >= 0 ? url.slice(0, q) : url;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: q >= 0 ? url.slice(q + 1) : '',
    headers,
    requestContext: { requestId: randomUUID(), http: { method: req.method ?? 'GET', path: decodeURIComponent(rawPath) } } as never,
    body: body.byteLength ? body.toString('base64') : undefined,
    isBase64Encoded: body.byteLength > 0,
  } as LambdaHttpEvent;
}

const DELIMITER = Buffer.alloc(8);

/** The handler's response stream: holds bytes until the prelude's delimiter, then streams the body as it comes. */
function responseStream(res: http.ServerResponse): Writable {
  let pending: Buffer | undefined = Buffer.alloc(0);
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (pending === undefined) return res.write(chunk) ? done() : res.once('drain', () => done());
      pending = Buffer.concat([pending, chunk]);
      const at = pending.indexOf(DELIMITER);
      if (at < 0) return done();
      const prelude = JSON.parse(pending.subarray(0, at).toString('utf8')) as { statusCode: number; headers: Record<string, string> };
      const rest = pending.subarray(at + DELIMITER.length);
      pending = undefined;
      res.writeHead(prelude.statusCode, prelude.headers);
      res.flushHeaders();
      if (rest.byteLength) res.write(rest);
      done();
    },
    final(done) {
      res.end();
      done();
    },
  });
}

export async function startLambdaFrontDoor(handler: StreamingHandler<LambdaHttpEvent>, door: FrontDoor, stage = 'prod'): Promise<RunningFrontDoor> {
  const server = http.createServer(async (req, res) => {
    const body = await readAll(req);
    const event = door === 'rest' ? restEvent(req, body, stage) : functionUrlEvent(req, body);
    // The sink behind the real runtime client's stream shape (the prelude comes with the first write).
    const out = localResponseStream(responseStream(res));
    try {
      await handler(event, out, {} as Context);
    } catch {
      res.destroy();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    endpoint: door === 'rest' ? `${origin}/${stage}` : origin,
    async close() {
      server.closeAllConnections();
      server.close();
    },
  };
}
