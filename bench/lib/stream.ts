/**
 * ConverseStream: time from request start to the first event-stream frame carrying a
 * contentBlockDelta, against the time to the first SSE chunk with content on the direct
 * path (interleaved rounds, like the latency scenario), once with an upstream that paces
 * its chunks like a model and once with a 1 KB answer sent in one burst; then frames per
 * second over a long streamed answer.
 */
import { DIRECT_HEADERS, GATEWAY_HEADERS, PACE_MS, PACED_PROMPT, requestsFor, TEXT_BYTES, words, type BenchRequests } from './bodies.ts';
import { nowNs } from './client.ts';
import type { BenchContext } from './context.ts';
import { FrameReader, type DecodedFrame } from './eventStream.ts';
import { compare, interleavedRounds, type Comparison } from './interleave.ts';
import { hasContent, SseReader } from './sse.ts';

interface StreamRun {
  /** Request start to the first content event, ns (NaN when none came). */
  readonly firstEventNs: number;
  /** Content-bearing events / frames seen. */
  readonly events: number;
  /** First to last event, ns. */
  readonly spanNs: number;
  readonly status: number;
  readonly problem?: string;
}

/** Time to the first content event, gateway against direct, over interleaved rounds. */
type FirstEvent = Comparison;

export interface StreamResult {
  /** 1 KB system prompt, short answer whose chunks arrive PACE_MS apart (as from a real model): the budget figure. */
  readonly paced: FirstEvent;
  /** 1 KB in, 1 KB answer sent by the upstream all at once: the first frame waits for the whole burst. */
  readonly burst: FirstEvent;
  readonly longAnswer: {
    readonly answerBytes: number;
    /** Event-stream frames per second through the gateway (all frames, first to last). */
    readonly gatewayFramesPerSecond: number;
    /** SSE data events per second straight from the upstream. */
    readonly directEventsPerSecond: number;
    readonly gatewayFramesPerStream: number;
    readonly directEventsPerStream: number;
  };
  readonly errors: number;
  readonly firstError?: string;
}

/** One ConverseStream call through the gateway, decoding every frame. */
async function gatewayStream(ctx: BenchContext, path: string, body: Buffer, expectText?: string): Promise<StreamRun> {
  const reader = new FrameReader();
  const frames: DecodedFrame[] = [];
  let firstEventAt = Number.NaN;
  let firstFrameAt = Number.NaN;
  let lastFrameAt = Number.NaN;
  let text = '';
  const started = nowNs();
  const exchange = await ctx.gatewayClient.post(path, body, GATEWAY_HEADERS, {
    onChunk: (chunk, at) => {
      for (const frame of reader.push(chunk)) {
        frames.push(frame);
        if (Number.isNaN(firstFrameAt)) firstFrameAt = at;
        lastFrameAt = at;
        if (frame.type === 'contentBlockDelta') {
          if (Number.isNaN(firstEventAt)) firstEventAt = at;
          if (expectText !== undefined) text += (JSON.parse(frame.payload) as { delta?: { text?: string } }).delta?.text ?? '';
        }
      }
    },
  });
  let problem: string | undefined;
  if (exchange.status !== 200) problem = `gateway stream HTTP ${exchange.status}: ${exchange.body?.toString('utf8').slice(0, 300)}`;
  else if (reader.leftover !== 0) problem = `the stream ended inside a frame (${reader.leftover} bytes left)`;
  else if (frames.some((frame) => frame.messageType !== 'event')) problem = `exception frame: ${frames.find((f) => f.messageType !== 'event')?.payload}`;
  else if (frames.at(-1)?.type !== 'metadata') problem = `the last frame is ${frames.at(-1)?.type}, not metadata`;
  else if (expectText !== undefined && !text.includes(expectText)) problem = 'the streamed text does not echo the request text';
  return { firstEventNs: firstEventAt - started, events: frames.length, spanNs: lastFrameAt - firstFrameAt, status: exchange.status, ...(problem ? { problem } : {}) };
}

/** The same request as Chat Completions SSE, straight to the upstream. */
async function directStream(ctx: BenchContext, path: string, body: Buffer): Promise<StreamRun> {
  const reader = new SseReader();
  let events = 0;
  let firstEventAt = Number.NaN;
  let firstDataAt = Number.NaN;
  let lastDataAt = Number.NaN;
  let done = false;
  const started = nowNs();
  const exchange = await ctx.directClient.post(path, body, DIRECT_HEADERS, {
    onChunk: (chunk, at) => {
      for (const data of reader.push(chunk)) {
        if (data === '[DONE]') {
          done = true;
          continue;
        }
        events++;
        if (Number.isNaN(firstDataAt)) firstDataAt = at;
        lastDataAt = at;
        if (Number.isNaN(firstEventAt) && hasContent(data)) firstEventAt = at;
      }
    },
  });
  const problem = exchange.status !== 200 ? `direct stream HTTP ${exchange.status}` : done ? undefined : 'the direct stream ended without [DONE]';
  return { firstEventNs: firstEventAt - started, events, spanNs: lastDataAt - firstDataAt, status: exchange.status, ...(problem ? { problem } : {}) };
}

interface Tally {
  errors: number;
  firstError?: string;
}

/** Runs `count` streams (bounded by the deadline), collecting time to first event (ns). */
async function repeat(count: number, deadlineNs: number, run: () => Promise<StreamRun>, tally: Tally, into?: number[]): Promise<void> {
  for (let i = 0; i < count && nowNs() < deadlineNs; i++) {
    try {
      const result = await run();
      if (result.problem || Number.isNaN(result.firstEventNs)) {
        tally.errors++;
        tally.firstError ??= result.problem ?? 'no content event';
      } else into?.push(result.firstEventNs);
    } catch (error) {
      tally.errors++;
      tally.firstError ??= (error as Error).message;
    }
  }
}

/** Warm-up, then interleaved rounds of gateway and direct streams (alternating which goes first). */
async function firstEvent(ctx: BenchContext, requests: BenchRequests, rounds: number, perRound: number, tally: Tally): Promise<FirstEvent> {
  const { plan } = ctx;
  const deadline = nowNs() + plan.phaseDeadlineMs * 1e6;
  const viaGateway = () => gatewayStream(ctx, requests.gateway.path, requests.gateway.body);
  const direct = () => directStream(ctx, requests.direct.path, requests.direct.body);
  await repeat(plan.stream.warmup, deadline, viaGateway, tally);
  await repeat(plan.stream.warmup, deadline, direct, tally);
  /** One round of one path: perRound streams, their times to first event returned. */
  const roundOf = (run: () => Promise<StreamRun>) => async () => {
    const samples: number[] = [];
    await repeat(perRound, deadline, run, tally, samples);
    return samples;
  };
  const samples = await interleavedRounds(rounds, { gateway: roundOf(viaGateway), direct: roundOf(direct) });
  if (samples.gateway.length === 0 || samples.direct.length === 0) throw new Error(`no successful streams: ${tally.firstError ?? 'deadline reached'}`);
  return compare(samples);
}

export async function measureStream(ctx: BenchContext): Promise<StreamResult> {
  const { plan } = ctx;
  const tally: Tally = { errors: 0 };
  const text = words(TEXT_BYTES);
  const burstRequests = requestsFor(text, true);
  const pacedRequests = requestsFor(PACED_PROMPT, true, text);

  // The stream must really work (whole text back, well-formed frames) before anything is timed.
  const check = await gatewayStream(ctx, burstRequests.gateway.path, burstRequests.gateway.body, text);
  if (check.problem) throw new Error(check.problem);

  ctx.log(`stream: first event, paced upstream (${PACE_MS} ms between chunks): ${plan.stream.rounds} rounds x ${plan.stream.perRound} per path`);
  const paced = await firstEvent(ctx, pacedRequests, plan.stream.rounds, plan.stream.perRound, tally);
  ctx.log(`stream: first event, 1 KB answer in one burst: ${plan.stream.rounds} rounds x ${plan.stream.perRound} per path`);
  const burst = await firstEvent(ctx, burstRequests, plan.stream.rounds, plan.stream.perRound, tally);

  // A long answer: the fake upstream sends one SSE chunk per word, as fast as it can.
  const long = requestsFor(words(plan.stream.longBytes), true);
  ctx.log(`stream: ${plan.stream.longCount} long answers (${plan.stream.longBytes} bytes) per path`);
  const longDeadline = nowNs() + plan.phaseDeadlineMs * 1e6;
  const longRuns = async (run: () => Promise<StreamRun>) => {
    let events = 0;
    let spanNs = 0;
    let runs = 0;
    for (let i = 0; i < plan.stream.longCount && nowNs() < longDeadline; i++) {
      const result = await run();
      if (result.problem) {
        tally.errors++;
        tally.firstError ??= result.problem;
        continue;
      }
      events += result.events;
      spanNs += result.spanNs;
      runs++;
    }
    return { perSecond: spanNs > 0 ? events / (spanNs / 1e9) : Number.NaN, perStream: runs ? events / runs : Number.NaN };
  };
  await longRuns(() => gatewayStream(ctx, long.gateway.path, long.gateway.body)); // warm-up
  const gatewayLong = await longRuns(() => gatewayStream(ctx, long.gateway.path, long.gateway.body));
  const directLong = await longRuns(() => directStream(ctx, long.direct.path, long.direct.body));

  return {
    paced,
    burst,
    longAnswer: {
      answerBytes: plan.stream.longBytes,
      gatewayFramesPerSecond: gatewayLong.perSecond,
      directEventsPerSecond: directLong.perSecond,
      gatewayFramesPerStream: gatewayLong.perStream,
      directEventsPerStream: directLong.perStream,
    },
    errors: tally.errors,
    ...(tally.firstError ? { firstError: tally.firstError } : {}),
  };
}
