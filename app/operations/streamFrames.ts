/**
 * The one streaming loop behind ConverseStream and InvokeModelWithResponseStream:
 * upstream chunks -> ConverseStreamTranslator events -> frames (via `encode`), as they
 * arrive. An upstream that dies, times out or ends without a finish_reason never ends
 * as a clean stream: it ends with one exception frame of a type the operation allows.
 */
import type { ConverseStreamTranslator } from '../convert/converse/stream.ts';
import type { ConverseStreamEvent, StreamExceptionType } from '../convert/converse/types.ts';
import { BedrockError, CallerAbortedError } from '../core/errors.ts';
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
  try {
    for await (const chunk of chunks) {
      const events = translator.push(chunk);
      if (events.length === 0) continue;
      if (ctx.record.timeToFirstTokenMs === undefined && events.some((event) => event.type === 'contentBlockDelta')) {
        ctx.record.timeToFirstTokenMs = elapsedMs(ctx.startedAt);
      }
      const frames = join(encode(events));
      if (frames) yield frames;
    }
    if (!translator.completed) {
      throw new BedrockError('ModelStreamErrorException', 'The model stream ended before the response was complete.', {
        originalStatusCode: 200,
        originalMessage: 'The upstream stream ended without a finish reason.',
      });
    }
    const latencyMs = Math.round(elapsedMs(ctx.startedAt));
    const closing = encode(translator.finish(latencyMs));
    ctx.record.inputTokens = translator.usage.inputTokens;
    ctx.record.outputTokens = translator.usage.outputTokens;
    if (trailer) closing.push(...trailer({ latencyMs, firstByteLatencyMs: Math.round(ctx.record.timeToFirstTokenMs ?? 0) }));
    const frames = join(closing);
    if (frames) yield frames;
  } catch (thrown) {
    const error = midStream(fromUpstreamError(thrown));
    if (error instanceof CallerAbortedError) {
      // Nobody is listening any more; the upstream request is already aborted.
      ctx.record.exception = CLIENT_DISCONNECTED;
      return;
    }
    ctx.record.exception = error.exception;
    ctx.record.upstreamError = error.fromUpstream || error.exception === 'ModelStreamErrorException';
    const { type, payload } = streamExceptionFor(error, exceptions);
    yield encodeException(type, payload);
  }
}
