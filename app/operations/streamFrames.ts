/**
 * The one streaming loop behind ConverseStream and InvokeModelWithResponseStream:
 * upstream chunks -> ConverseStreamTranslator events -> frames (via `encode`), as they
 * arrive. An upstream that dies, times out or ends without a finish_reason never ends
 * as a clean stream: it ends with one exception frame of a type the operation allows.
 */
import type { ConverseStreamTranslator } from '../convert/converse/stream.ts';
import type { ConverseStreamEvent, StreamExceptionType } from '../convert/converse/types.ts';
import { BedrockError, CallerAbortedError, toBedrockError } from '../core/errors.ts';
import { encodeException, streamExceptionFor } from '../eventstream/encoder.ts';
import { fromUpstreamError } from '../upstream/errors.ts';
import type { ChatCompletionChunk } from '../upstream/upstream.ts';
import { CLIENT_DISCONNECTED } from '../observability/requestRecord.ts';
import { elapsedMs, type OperationContext } from './context.ts';

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

interface StreamTiming {
  /** Whole-request latency so far, ms. */
  latencyMs: number;
  /** Time to the first content delta, ms (0 when none came). */
  firstByteLatencyMs: number;
}

export interface StreamFramesOptions {
  readonly ctx: OperationContext;
  readonly chunks: AsyncIterable<ChatCompletionChunk>;
  readonly translator: ConverseStreamTranslator;
  /** Frames for a batch of Converse events (empty array: nothing to write). */
  readonly encode: (events: readonly ConverseStreamEvent[]) => Uint8Array[];
  /** Frames written after the translator's closing events (e.g. InvokeModel's invocation metrics). */
  readonly trailer?: (timing: StreamTiming) => Uint8Array[];
  readonly exceptions: readonly StreamExceptionType[];
}

function join(frames: Uint8Array[]): Uint8Array | undefined {
  if (frames.length === 0) return undefined;
  return frames.length === 1 ? frames[0] : Buffer.concat(frames);
}

/**
 * After the first byte, a failing upstream (cut, unavailable, erroring) is a stream error
 * in Bedrock's terms; throttling and validation keep their own in-stream types.
 */
const MID_STREAM_AS_MODEL_STREAM_ERROR = new Set(['InternalServerException', 'ServiceUnavailableException', 'ModelErrorException']);

function midStream(error: BedrockError): BedrockError {
  if (!error.fromUpstream || !MID_STREAM_AS_MODEL_STREAM_ERROR.has(error.exception)) return error;
  const converted = new BedrockError('ModelStreamErrorException', 'The model stream failed before the response was complete.', {
    originalStatusCode: error.members.originalStatusCode ?? error.status,
    originalMessage: error.message,
  });
  converted.fromUpstream = true;
  return converted;
}

export async function* streamFrames(options: StreamFramesOptions): AsyncGenerator<Uint8Array> {
  const { ctx, chunks, translator, encode, trailer, exceptions } = options;
  // Whose code was running when something threw: the upstream's chunks, or the gateway's own
  // translation and encoding. A gateway bug after the 200 is the gateway's failure (ServerErrors),
  // never the upstream's, whatever the error looks like.
  let inGateway = false;
  try {
    for await (const chunk of chunks) {
      inGateway = true;
      const events = translator.push(chunk);
      if (events.length === 0) {
        inGateway = false;
        continue;
      }
      if (ctx.record.timeToFirstTokenMs === undefined && events.some((event) => event.type === 'contentBlockDelta')) {
        ctx.record.timeToFirstTokenMs = elapsedMs(ctx.startedAt);
      }
      const frames = join(encode(events));
      inGateway = false;
      if (frames) yield frames;
    }
    if (!translator.completed) {
      throw new BedrockError('ModelStreamErrorException', 'The model stream ended before the response was complete.', {
        originalStatusCode: 200,
        originalMessage: 'The upstream stream ended without a finish reason.',
      });
    }
    inGateway = true;
    const latencyMs = Math.round(elapsedMs(ctx.startedAt));
    const closing = encode(translator.finish(latencyMs));
    ctx.record.inputTokens = translator.usage.inputTokens;
    ctx.record.outputTokens = translator.usage.outputTokens;
    if (trailer) closing.push(...trailer({ latencyMs, firstByteLatencyMs: Math.round(ctx.record.timeToFirstTokenMs ?? 0) }));
    const frames = join(closing);
    inGateway = false;
    if (frames) yield frames;
  } catch (thrown) {
    const error = inGateway ? toBedrockError(thrown) : midStream(fromUpstreamError(thrown));
    if (error instanceof CallerAbortedError) {
      // Nobody is listening any more; the upstream request is already aborted.
      ctx.record.exception = CLIENT_DISCONNECTED;
      return;
    }
    ctx.record.exception = error.exception;
    ctx.record.upstreamError = !inGateway && (error.fromUpstream || error.exception === 'ModelStreamErrorException');
    if (inGateway) ctx.record.internalError = describeGatewayFailure(thrown);
    const { type, payload } = streamExceptionFor(error, exceptions);
    yield encodeException(type, payload);
  }
}

/** For the operator's request line: what broke in the gateway's own stream code (name only; never a stack or a prompt). */
function describeGatewayFailure(thrown: unknown): string {
  return thrown instanceof Error ? `in-stream: ${thrown.name}` : 'in-stream: non-error thrown';
}
