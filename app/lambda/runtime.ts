/**
 * The only module that touches the Lambda runtime's `awslambda` global. Where it is absent (tests,
 * local runs) a local fallback behaves as the real runtime client (aws-lambda-ric 4, the client of
 * the nodejs:24 image) does, so unit tests exercise what production runs:
 * - streamifyResponse tags the handler as streaming and returns the same function;
 * - the handler's stream is a plain object forwarding a fixed list of methods (no `pipe`);
 * - HttpResponseStream.from sets the `application/vnd.awslambda.http-integration-response`
 *   content type and writes the JSON prelude and the 8-NUL delimiter only at the first write()
 *   (never at from(), never from end(chunk)): a response must write at least once, even an empty one.
 */
import type { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';

/**
 * The response stream a streaming handler gets: what the real client forwards of its
 * http.ClientRequest (toWritableResponseStream), and nothing more, so code cannot rely on `pipe`.
 */
export interface ResponseStream {
  write(chunk: Uint8Array | string): boolean;
  end(): void;
  destroy(error?: Error): void;
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  once(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
  setContentType(contentType: string): void;
  readonly destroyed: boolean;
  readonly writableFinished: boolean;
  readonly writableEnded: boolean;
}

export type StreamingHandler<E> = (event: E, responseStream: ResponseStream, context: Context) => Promise<void>;

export interface HttpPrelude {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
}

interface AwsLambdaGlobal {
  streamifyResponse<E>(handler: StreamingHandler<E>): StreamingHandler<E>;
  HttpResponseStream: { from(stream: ResponseStream, prelude: HttpPrelude): ResponseStream };
}

// Detect the streaming API, not just the global: @aws/lambda-invoke-store (loaded by Powertools and
// the AWS SDK) creates an empty `awslambda` object outside Lambda too.
const candidate = (globalThis as unknown as { awslambda?: Partial<AwsLambdaGlobal> }).awslambda;
const runtime: AwsLambdaGlobal | undefined =
  typeof candidate?.streamifyResponse === 'function' && typeof candidate.HttpResponseStream?.from === 'function'
    ? (candidate as AwsLambdaGlobal)
    : undefined;

export const PRELUDE_DELIMITER = new Uint8Array(8);
/** The content type HttpResponseStream.from gives the streamed POST: prelude, delimiter, body. */
export const HTTP_INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
/** The tag the runtime reads to pick its streaming invoke path (UserFunctionLoader.isHandlerStreaming). */
export const STREAMING_HANDLER_TAG = Symbol.for('aws.lambda.runtime.handler.streaming');

export const streamifyResponse: <E>(handler: StreamingHandler<E>) => StreamingHandler<E> =
  runtime?.streamifyResponse.bind(runtime) ??
  ((handler) => Object.assign(handler, { [STREAMING_HANDLER_TAG]: 'response' }));

/** The reverse of httpResponseStream: the prelude and the body of a streamed response, or undefined without a delimiter. */
export function splitPrelude(bytes: Uint8Array): { prelude: HttpPrelude; body: Buffer } | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = buffer.indexOf(PRELUDE_DELIMITER);
  if (at < 0) return undefined;
  return { prelude: JSON.parse(buffer.subarray(0, at).toString('utf8')) as HttpPrelude, body: buffer.subarray(at + PRELUDE_DELIMITER.length) };
}

export function httpResponseStream(stream: ResponseStream, prelude: HttpPrelude): ResponseStream {
  if (runtime) return runtime.HttpResponseStream.from(stream, prelude);
  stream.setContentType(HTTP_INTEGRATION_CONTENT_TYPE);
  (stream as LocalResponseStream)[BEFORE_FIRST_WRITE] = (write) => {
    write(Buffer.from(JSON.stringify(prelude)));
    write(PRELUDE_DELIMITER);
  };
  return stream;
}

/** Where the real client keeps what its first write() sends before the chunk; a stand-in that honours it gets the prelude. */
const BEFORE_FIRST_WRITE = '_onBeforeFirstWrite';

interface LocalResponseStream extends ResponseStream {
  /** The content type the streamed POST would carry (application/octet-stream until from()). */
  readonly contentType: string;
  [BEFORE_FIRST_WRITE]?: (write: (chunk: Uint8Array) => void) => void;
}

/** Methods the real client forwards from its http.ClientRequest to the handler's stream. */
const FORWARDED = ['cork', 'destroy', 'end', 'uncork', 'addListener', 'on', 'once', 'prependListener', 'prependOnceListener', 'off', 'removeListener', 'removeAllListeners', 'setMaxListeners', 'getMaxListeners', 'listeners', 'rawListeners', 'listenerCount', 'eventNames', 'emit'] as const;
const READ_ONLY = ['destroyed', 'writableFinished', 'writableObjectMode', 'writableEnded', 'writableNeedDrain', 'writableHighWaterMark', 'writableCorked', 'writableLength', 'writable'] as const;

/**
 * A response stream over `sink` shaped as the real client's: forwarded methods, read-only state, a
 * content type that can no longer change once written, and the prelude written by the first write().
 * Outside Lambda the handler's caller (a test, the build check) builds one around its own Writable.
 */
export function localResponseStream(sink: Writable): ResponseStream & { readonly contentType: string } {
  const stream = {} as Record<string, unknown>;
  for (const name of FORWARDED) stream[name] = (sink[name] as (...args: unknown[]) => unknown).bind(sink);
  for (const name of READ_ONLY) Object.defineProperty(stream, name, { get: () => sink[name], enumerable: true });
  let contentType = 'application/octet-stream';
  let written = false;
  Object.defineProperty(stream, 'contentType', { get: () => contentType, enumerable: true });
  stream.setContentType = (type: string) => {
    if (written) throw new Error('Cannot set content-type, too late.');
    contentType = type;
  };
  stream.write = (chunk: Uint8Array | string) => {
    if (!written) {
      written = true;
      const before = stream[BEFORE_FIRST_WRITE] as LocalResponseStream[typeof BEFORE_FIRST_WRITE];
      before?.((part) => sink.write(part));
    }
    return sink.write(chunk);
  };
  return stream as unknown as ResponseStream & { readonly contentType: string };
}
