/**
 * The one streaming loop: a failure after the 200 ends the stream with an exception frame, and the
 * request record says whose failure it was, so the metrics count it (ServerErrors for the gateway's
 * own, UpstreamErrors for the upstream's) and the canary alarms see it.
 */
import { expect } from 'chai';
import { APIConnectionError } from 'openai';
import { ConverseStreamTranslator } from '../../../app/convert/converse/stream.ts';
import { CONVERSE_STREAM_EXCEPTIONS, encodeEvent } from '../../../app/eventstream/encoder.ts';
import { createMetrics, publishRequestMetrics } from '../../../app/observability/metrics.ts';
import { failureOrigin, type RequestRecord } from '../../../app/observability/requestRecord.ts';
import type { OperationContext } from '../../../app/operations/context.ts';
import { streamFrames } from '../../../app/operations/streamFrames.ts';
import type { ChatCompletionChunk } from '../../../app/upstream/upstream.ts';
import { chatChunk } from '../../helpers/chunks.ts';
import { eventsOf } from '../../helpers/eventStream.ts';

function contextWith(record: RequestRecord): OperationContext {
  return { record, startedAt: performance.now() } as unknown as OperationContext;
}

async function* upstreamChunks(chunks: readonly ChatCompletionChunk[], failAfter?: Error): AsyncGenerator<ChatCompletionChunk> {
  for (const chunk of chunks) yield chunk;
  if (failAfter) throw failAfter;
}

/** A translator whose own code breaks on the second chunk, as a gateway bug would. */
class BrokenTranslator extends ConverseStreamTranslator {
  private seen = 0;
  override push(chunk: ChatCompletionChunk) {
    this.seen += 1;
    if (this.seen === 2) throw new TypeError("Cannot read properties of undefined (reading 'text')");
    return super.push(chunk);
  }
}

async function run(translator: ConverseStreamTranslator, chunks: AsyncIterable<ChatCompletionChunk>): Promise<{ record: RequestRecord; events: Array<[string, unknown]> }> {
  const record: RequestRecord = { requestId: 'r', operation: 'ConverseStream', status: 200, latencyMs: 0 };
  const frames: Uint8Array[] = [];
  for await (const frame of streamFrames({
    ctx: contextWith(record),
    chunks,
    translator,
    encode: (events) => events.map((event) => encodeEvent(event.type, event.payload)),
    exceptions: CONVERSE_STREAM_EXCEPTIONS,
  })) {
    frames.push(frame);
  }
  return { record, events: eventsOf(Buffer.concat(frames)) };
}

/** The ServerErrors and UpstreamErrors values one record publishes (EMF on stdout, captured). */
function publishedErrorCounts(record: RequestRecord): { ServerErrors: number; UpstreamErrors: number } {
  const saved = { dev: process.env.POWERTOOLS_DEV, disabled: process.env.POWERTOOLS_METRICS_DISABLED };
  delete process.env.POWERTOOLS_DEV;
  delete process.env.POWERTOOLS_METRICS_DISABLED;
  const written: string[] = [];
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string | Uint8Array) => (written.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    publishRequestMetrics(createMetrics('StreamFramesTest', 'stream-frames-test'), record);
  } finally {
    process.stdout.write = write;
    if (saved.dev !== undefined) process.env.POWERTOOLS_DEV = saved.dev;
    if (saved.disabled !== undefined) process.env.POWERTOOLS_METRICS_DISABLED = saved.disabled;
  }
  const line = written.join('').split('\n').map((text) => text.trim()).find((text) => text.includes('"Requests"'));
  return JSON.parse(line!) as { ServerErrors: number; UpstreamErrors: number };
}

const started = [chatChunk({ role: 'assistant', content: '' }), chatChunk({ content: 'Hello' })];

describe('streamFrames: failures after the 200 are counted by whom they came from', () => {
  it("a gateway bug mid-stream ends with internalServerException and counts as the gateway's (ServerErrors)", async () => {
    // Prepare
    const chunks = upstreamChunks([...started, chatChunk({ content: ' world' })]);
    // Act
    const { record, events } = await run(new BrokenTranslator(), chunks);
    // Assess
    expect(events.at(-1)?.[0]).to.equal('!internalServerException');
    expect(record).to.include({ status: 200, exception: 'InternalServerException', upstreamError: false });
    expect(record.internalError).to.equal('in-stream: TypeError');
    expect(failureOrigin(record)).to.equal('gateway');
    expect(publishedErrorCounts(record)).to.include({ ServerErrors: 1, UpstreamErrors: 0 });
  });

  it("an upstream connection lost mid-stream ends with modelStreamErrorException and counts as the upstream's (UpstreamErrors)", async () => {
    // Prepare
    const chunks = upstreamChunks(started, new APIConnectionError({ message: 'socket hang up' }));
    // Act
    const { record, events } = await run(new ConverseStreamTranslator(), chunks);
    // Assess
    expect(events.map(([type]) => type)).to.include('contentBlockDelta');
    expect(events.at(-1)?.[0]).to.equal('!modelStreamErrorException');
    expect(record).to.include({ status: 200, exception: 'ModelStreamErrorException', upstreamError: true });
    expect(failureOrigin(record)).to.equal('upstream');
    expect(publishedErrorCounts(record)).to.include({ ServerErrors: 0, UpstreamErrors: 1 });
  });

  it('an upstream that stops without a finish reason counts as the upstream\'s', async () => {
    // Prepare
    const chunks = upstreamChunks(started);
    // Act
    const { record, events } = await run(new ConverseStreamTranslator(), chunks);
    // Assess
    expect(events.at(-1)?.[0]).to.equal('!modelStreamErrorException');
    expect(publishedErrorCounts(record)).to.include({ ServerErrors: 0, UpstreamErrors: 1 });
  });

  it('a complete stream counts as neither', async () => {
    // Prepare
    const chunks = upstreamChunks([...started, chatChunk({}, 'stop'), chatChunk(undefined, null, { usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } })]);
    // Act
    const { record, events } = await run(new ConverseStreamTranslator(), chunks);
    // Assess
    expect(events.map(([type]) => type)).to.include.members(['messageStop', 'metadata']);
    expect(record.exception).to.equal(undefined);
    expect(publishedErrorCounts(record)).to.include({ ServerErrors: 0, UpstreamErrors: 0 });
  });
});
