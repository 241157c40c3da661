/**
 * The only module that touches the Lambda runtime's `awslambda` global. Where it is
 * absent (tests, local runs) a local fallback behaves the same on the wire: the handler
 * receives a Writable, and `HttpResponseStream.from` writes the JSON prelude followed by
 * the 8-NUL delimiter before the body, as the runtime does.
 */
import type { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';

export type StreamingHandler<E> = (event: E, responseStream: Writable, context: Context) => Promise<void>;

export interface HttpPrelude {
  statusCode: number;
  headers: Record<string, string>;
  cookies?: string[];
}

interface AwsLambdaGlobal {
  streamifyResponse<E>(handler: StreamingHandler<E>): StreamingHandler<E>;
  HttpResponseStream: { from(stream: Writable, prelude: HttpPrelude): Writable };
}

// Detect the streaming API, not just the global: @aws/lambda-invoke-store (loaded by Powertools and
// the AWS SDK) creates an empty `awslambda` object outside Lambda too.
const candidate = (globalThis as unknown as { awslambda?: Partial<AwsLambdaGlobal> }).awslambda;
const runtime: AwsLambdaGlobal | undefined =
  typeof candidate?.streamifyResponse === 'function' && typeof candidate.HttpResponseStream?.from === 'function'
    ? (candidate as AwsLambdaGlobal)
    : undefined;

export const PRELUDE_DELIMITER = new Uint8Array(8);

export const streamifyResponse: <E>(handler: StreamingHandler<E>) => StreamingHandler<E> =
  runtime?.streamifyResponse.bind(runtime) ?? ((handler) => handler);

/** The reverse of httpResponseStream: the prelude and the body of a streamed response, or undefined without a delimiter. */
export function splitPrelude(bytes: Uint8Array): { prelude: HttpPrelude; body: Buffer } | undefined {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = buffer.indexOf(PRELUDE_DELIMITER);
  if (at < 0) return undefined;
  return { prelude: JSON.parse(buffer.subarray(0, at).toString('utf8')) as HttpPrelude, body: buffer.subarray(at + PRELUDE_DELIMITER.length) };
}

export function httpResponseStream(stream: Writable, prelude: HttpPrelude): Writable {
  if (runtime) return runtime.HttpResponseStream.from(stream, prelude);
  stream.write(Buffer.from(JSON.stringify(prelude)));
  stream.write(PRELUDE_DELIMITER);
  return stream;
}
