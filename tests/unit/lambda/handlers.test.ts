import { Writable } from 'node:stream';
import { expect } from 'chai';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Gateway } from '../../../app/gateway/pipeline.ts';
import type { GatewayRequest } from '../../../app/core/request.ts';
import { jsonResponse, type GatewayResponse } from '../../../app/core/response.ts';
import { createBufferedHandler, createStreamingHandler } from '../../../app/lambda/handlers.ts';
import { HTTP_INTEGRATION_CONTENT_TYPE, httpResponseStream, localResponseStream, splitPrelude, STREAMING_HANDLER_TAG, streamifyResponse } from '../../../app/lambda/runtime.ts';

const CONTEXT = {} as Context;
const EVENT_STREAM = 'application/vnd.amazon.eventstream';

const event: APIGatewayProxyEventV2 = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/model/x/converse-stream',
  rawQueryString: '',
  headers: { authorization: 'Bearer k' },
  requestContext: {
    http: { method: 'POST', path: '/model/x/converse-stream', protocol: 'HTTP/1.1', sourceIp: '198.51.100.7', userAgent: 'ua' },
    requestId: 'req-1',
  } as APIGatewayProxyEventV2['requestContext'],
  body: '{}',
  isBase64Encoded: false,
};

/** A response stream that keeps every chunk written to it. */
class CollectingStream extends Writable {
  readonly chunks: Buffer[] = [];
  constructor(options: { highWaterMark?: number; delayMs?: number } = {}) {
    super({ highWaterMark: options.highWaterMark ?? 16 * 1024 });
    this.delayMs = options.delayMs ?? 0;
  }
  private readonly delayMs: number;
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(Buffer.from(chunk));
    if (this.delayMs > 0) setTimeout(callback, this.delayMs);
    else callback();
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

/** Splits what the handler wrote into the JSON prelude and the body after the 8 NUL bytes. */
function splitWritten(written: Buffer): { prelude: unknown; body: Buffer } {
  const split = splitPrelude(written);
  expect(split, 'the 8-NUL delimiter').to.not.equal(undefined);
  return split!;
}

const frame = (text: string) => new TextEncoder().encode(text);

function streamResponse(frames: readonly Uint8Array[]): GatewayResponse {
  return {
    kind: 'stream',
    status: 200,
    headers: { 'content-type': EVENT_STREAM },
    body: (async function* () {
      for (const f of frames) yield f;
    })(),
  };
}

function gatewayReturning(response: GatewayResponse, seen: GatewayRequest[] = []): Gateway {
  return async (request) => {
    seen.push(request);
    return response;
  };
}

/** Resolves with the promise's outcome, or 'timeout' when it hangs. */
function settleWithin<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms))]);
}

type RuntimeModule = typeof import('../../../app/lambda/runtime.ts');

/** Evaluates a fresh copy of runtime.ts with `awslambda` set to `global` (restored afterwards). */
async function freshRuntime(global: unknown, tag: string): Promise<RuntimeModule> {
  const holder = globalThis as { awslambda?: unknown };
  const saved = holder.awslambda;
  const had = Object.hasOwn(globalThis, 'awslambda');
  holder.awslambda = global;
  try {
    const url = `${new URL('../../../app/lambda/runtime.ts', import.meta.url).href}?${tag}`;
    return (await import(url)) as RuntimeModule;
  } finally {
    if (had) holder.awslambda = saved;
    else delete holder.awslambda;
  }
}

describe('lambda runtime detection', () => {
  it('test setup: no awslambda streaming API is present in tests', () => {
    // Assess
    const global = (globalThis as { awslambda?: { streamifyResponse?: unknown } }).awslambda;
    expect(global?.streamifyResponse).to.equal(undefined);
  });

  it('falls back when awslambda is the empty object other libraries create outside Lambda', async () => {
    // Prepare (@aws/lambda-invoke-store sets `globalThis.awslambda = {}` when Powertools or the AWS SDK load)
    const runtime = await freshRuntime({ InvokeStore: undefined }, 'empty-global');
    const handler = async () => undefined;
    const sink = new CollectingStream();
    const stream = localResponseStream(sink);
    // Act
    const wrapped = runtime.streamifyResponse(handler);
    const out = runtime.httpResponseStream(stream, { statusCode: 200, headers: {} });
    out.write('');
    // Assess
    expect(wrapped).to.equal(handler);
    expect(out).to.equal(stream);
    expect(splitWritten(sink.bytes()).prelude).to.deep.equal({ statusCode: 200, headers: {} });
  });

  it('uses the Lambda runtime API when it is present', async () => {
    // Prepare
    const calls: string[] = [];
    const wrappedByRuntime = async () => undefined;
    const runtimeStream = new CollectingStream();
    const fakeRuntime = {
      streamifyResponse: () => {
        calls.push('streamifyResponse');
        return wrappedByRuntime;
      },
      HttpResponseStream: {
        from: (_stream: unknown, prelude: unknown) => {
          calls.push(`from ${JSON.stringify(prelude)}`);
          return runtimeStream;
        },
      },
    };
    const runtime = await freshRuntime(fakeRuntime, 'real-runtime');
    // Act
    const wrapped = runtime.streamifyResponse(async () => undefined);
    const out = runtime.httpResponseStream(localResponseStream(new CollectingStream()), { statusCode: 201, headers: {} });
    // Assess
    expect(wrapped).to.equal(wrappedByRuntime);
    expect(out).to.equal(runtimeStream);
    expect(calls).to.deep.equal(['streamifyResponse', 'from {"statusCode":201,"headers":{}}']);
  });
});

describe('lambda runtime without the awslambda streaming API: the real client\'s behaviour', () => {
  it('streamifyResponse tags the handler as streaming, as the runtime does, and returns it', () => {
    // Prepare
    const handler = async () => undefined;
    // Act
    const wrapped = streamifyResponse(handler);
    // Assess
    expect(wrapped).to.equal(handler);
    expect((wrapped as unknown as Record<symbol, unknown>)[STREAMING_HANDLER_TAG]).to.equal('response');
    expect(STREAMING_HANDLER_TAG).to.equal(Symbol.for('aws.lambda.runtime.handler.streaming'));
  });

  it('hands the handler a plain object forwarding a fixed list of methods: no pipe, not a Writable', () => {
    // Act
    const stream = localResponseStream(new CollectingStream());
    // Assess
    expect(Object.getPrototypeOf(stream)).to.equal(Object.prototype);
    expect(stream).to.not.be.instanceOf(Writable);
    expect('pipe' in stream).to.equal(false);
    expect(stream.contentType).to.equal('application/octet-stream');
  });

  it('httpResponseStream sets the integration content type and writes nothing until the first write', () => {
    // Prepare
    const sink = new CollectingStream();
    const prelude = { statusCode: 201, headers: { 'content-type': 'application/json', 'x-amzn-RequestId': 'r' } };
    // Act
    const out = httpResponseStream(localResponseStream(sink), prelude);
    const before = sink.bytes().byteLength;
    out.write('body');
    // Assess
    expect((out as ReturnType<typeof localResponseStream>).contentType).to.equal(HTTP_INTEGRATION_CONTENT_TYPE);
    expect(before).to.equal(0);
    expect(sink.bytes().equals(Buffer.concat([Buffer.from(JSON.stringify(prelude)), Buffer.alloc(8), Buffer.from('body')]))).to.equal(true);
  });

  it('sends no prelude for a response that only ends (as the real client), and refuses a late content type', () => {
    // Prepare
    const sink = new CollectingStream();
    const out = httpResponseStream(localResponseStream(sink), { statusCode: 204, headers: {} });
    // Act
    out.end();
    // Assess
    expect(sink.bytes().byteLength).to.equal(0);
    const written = localResponseStream(new CollectingStream());
    written.write('x');
    expect(() => written.setContentType('text/plain')).to.throw('Cannot set content-type, too late.');
  });
});

describe('createStreamingHandler', () => {
  it('writes prelude + 8 NUL bytes + body for a buffered response', async () => {
    // Prepare
    const response = jsonResponse(200, { output: { message: { role: 'assistant', content: [{ text: 'hi' }] } } }, { 'x-amzn-RequestId': 'req-1' });
    const handler = createStreamingHandler(gatewayReturning(response));
    const stream = new CollectingStream();
    // Act
    await handler(event, localResponseStream(stream), CONTEXT);
    // Assess
    const { prelude, body } = splitWritten(stream.bytes());
    expect(prelude).to.deep.equal({ statusCode: 200, headers: { 'content-type': 'application/json', 'x-amzn-RequestId': 'req-1' } });
    expect(Buffer.from(body).equals(Buffer.from(response.body))).to.equal(true);
    expect(stream.writableFinished).to.equal(true);
  });

  it('writes the prelude of a bodiless response (a 204 preflight), which the real client sends only at a first write', async () => {
    // Prepare
    const response: GatewayResponse = { kind: 'buffered', status: 404, headers: { 'x-amzn-ErrorType': 'ResourceNotFoundException' }, body: new Uint8Array(0) };
    const handler = createStreamingHandler(gatewayReturning(response));
    const stream = new CollectingStream();
    // Act
    await handler(event, localResponseStream(stream), CONTEXT);
    // Assess
    const { prelude, body } = splitWritten(stream.bytes());
    expect(prelude).to.deep.equal({ statusCode: 404, headers: { 'x-amzn-ErrorType': 'ResourceNotFoundException' } });
    expect(body.byteLength).to.equal(0);
  });

  it('writes prelude + 8 NUL bytes + every frame, in order, for a stream response', async () => {
    // Prepare
    const frames = [frame('frame-1'), frame('frame-2'), frame('frame-3')];
    const handler = createStreamingHandler(gatewayReturning(streamResponse(frames)));
    const stream = new CollectingStream();
    // Act
    await handler(event, localResponseStream(stream), CONTEXT);
    // Assess
    const { prelude, body } = splitWritten(stream.bytes());
    expect(prelude).to.deep.equal({ statusCode: 200, headers: { 'content-type': EVENT_STREAM } });
    expect(body.toString('utf8')).to.equal('frame-1frame-2frame-3');
    expect(stream.writableFinished).to.equal(true);
  });

  it('writes each frame as its own chunk (no collecting first)', async () => {
    // Prepare
    const frames = [frame('a'), frame('b')];
    const handler = createStreamingHandler(gatewayReturning(streamResponse(frames)));
    const stream = new CollectingStream();
    // Act
    await handler(event, localResponseStream(stream), CONTEXT);
    // Assess
    expect(stream.chunks.slice(-2).map((c) => c.toString('utf8'))).to.deep.equal(['a', 'b']);
  });

  it('waits for drain under backpressure and still delivers every frame', async () => {
    // Prepare
    const frames = Array.from({ length: 20 }, (_, i) => frame(`f${String(i).padStart(2, '0')};`));
    const handler = createStreamingHandler(gatewayReturning(streamResponse(frames)));
    const stream = new CollectingStream({ highWaterMark: 1, delayMs: 1 });
    // Act
    await handler(event, localResponseStream(stream), CONTEXT);
    // Assess
    const { body } = splitWritten(stream.bytes());
    expect(body.toString('utf8')).to.equal(frames.map((f) => Buffer.from(f).toString('utf8')).join(''));
  });

  it('passes the event to the gateway as a GatewayRequest with a live signal', async () => {
    // Prepare
    const seen: GatewayRequest[] = [];
    let abortedWhenCalled: boolean | undefined;
    const gateway: Gateway = async (request) => {
      seen.push(request);
      abortedWhenCalled = request.signal?.aborted;
      return jsonResponse(200, {});
    };
    const handler = createStreamingHandler(gateway);
    // Act
    await handler(event, localResponseStream(new CollectingStream()), CONTEXT);
    // Assess
    expect(seen).to.have.length(1);
    expect(seen[0]?.method).to.equal('POST');
    expect(seen[0]?.path).to.equal('/model/x/converse-stream');
    expect(seen[0]?.requestId).to.equal('req-1');
    expect(seen[0]?.signal).to.be.instanceOf(AbortSignal);
    expect(abortedWhenCalled).to.equal(false);
  });

  it("aborts the request's signal when the response stream closes early", async () => {
    // Prepare
    const seen: GatewayRequest[] = [];
    const stream = new CollectingStream();
    let aborted = false;
    const gateway: Gateway = async (request) => {
      seen.push(request);
      return {
        kind: 'stream',
        status: 200,
        headers: { 'content-type': EVENT_STREAM },
        body: (async function* () {
          yield frame('first');
          // The caller goes away while the upstream is still producing.
          stream.destroy();
          await new Promise<void>((resolve) => request.signal?.addEventListener('abort', () => resolve(), { once: true }));
          aborted = request.signal?.aborted ?? false;
          yield frame('never-written');
        })(),
      };
    };
    const handler = createStreamingHandler(gateway);
    // Act
    const outcome = await settleWithin(handler(event, localResponseStream(stream), CONTEXT).catch(() => 'rejected'), 2_000);
    // Assess
    expect(aborted).to.equal(true);
    expect(seen[0]?.signal?.aborted).to.equal(true);
    expect(outcome).to.not.equal('timeout');
    expect(stream.bytes().toString('utf8')).to.not.include('never-written');
  });

  it('does not hang when the response stream is destroyed while waiting for drain', async () => {
    // Prepare
    const stream = new CollectingStream({ highWaterMark: 1, delayMs: 50 });
    let bodyClosed = false;
    const response: GatewayResponse = {
      kind: 'stream',
      status: 200,
      headers: { 'content-type': EVENT_STREAM },
      body: (async function* () {
        try {
          for (const text of ['one', 'two', 'three', 'four']) yield frame(text);
        } finally {
          bodyClosed = true;
        }
      })(),
    };
    const handler = createStreamingHandler(gatewayReturning(response));
    setTimeout(() => stream.destroy(), 10);
    // Act
    const outcome = await settleWithin(handler(event, localResponseStream(stream), CONTEXT).catch(() => 'rejected'), 2_000);
    // Assess
    expect(outcome).to.not.equal('timeout');
    // The body was closed, so the pipeline's end-of-request bookkeeping runs.
    expect(bodyClosed).to.equal(true);
  });
});

describe('createBufferedHandler', () => {
  it('returns a JSON response as plain text', async () => {
    // Prepare
    const response = jsonResponse(200, { inputTokens: 12 }, { 'x-amzn-RequestId': 'req-1' });
    const handler = createBufferedHandler(gatewayReturning(response));
    // Act
    const result = await handler(event);
    // Assess
    expect(result).to.deep.equal({
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'x-amzn-RequestId': 'req-1' },
      body: '{"inputTokens":12}',
      isBase64Encoded: false,
    });
  });

  it('returns an error response as plain JSON with its status', async () => {
    // Prepare
    const response = jsonResponse(403, { message: 'denied' }, { 'x-amzn-ErrorType': 'AccessDeniedException' });
    const handler = createBufferedHandler(gatewayReturning(response));
    // Act
    const result = await handler(event);
    // Assess
    expect(result.statusCode).to.equal(403);
    expect(result.isBase64Encoded).to.equal(false);
    expect(JSON.parse(result.body)).to.deep.equal({ message: 'denied' });
  });

  it('returns an event-stream response as base64 of all frames', async () => {
    // Prepare
    const frames = [Uint8Array.from([0, 0, 0, 16, 0xff]), Uint8Array.from([1, 2, 3])];
    const handler = createBufferedHandler(gatewayReturning(streamResponse(frames)));
    // Act
    const result = await handler(event);
    // Assess
    expect(result.statusCode).to.equal(200);
    expect(result.headers).to.deep.equal({ 'content-type': EVENT_STREAM });
    expect(result.isBase64Encoded).to.equal(true);
    expect(Buffer.from(result.body, 'base64').equals(Buffer.from([0, 0, 0, 16, 0xff, 1, 2, 3]))).to.equal(true);
  });

  it('returns a buffered binary response as base64', async () => {
    // Prepare
    const response: GatewayResponse = { kind: 'buffered', status: 200, headers: { 'content-type': 'application/octet-stream' }, body: Uint8Array.from([0xde, 0xad]) };
    const handler = createBufferedHandler(gatewayReturning(response));
    // Act
    const result = await handler(event);
    // Assess
    expect(result.isBase64Encoded).to.equal(true);
    expect(result.body).to.equal(Buffer.from([0xde, 0xad]).toString('base64'));
  });
});
