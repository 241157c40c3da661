/**
 * Throughput of one gateway process: a fixed number of Converse requests in flight, with
 * the gateway's own CPU time (process.cpuUsage in the child), its RSS after a forced GC at
 * checkpoints, and the upstream connections it opened. The same load straight to the
 * upstream gives the ceiling of this machine for comparison.
 */
import { checkConverseAnswer, DIRECT_HEADERS, GATEWAY_HEADERS, requestsFor, TEXT_BYTES, words } from './bodies.ts';
import type { BenchContext } from './context.ts';
import type { GatewayUsage } from './gatewayChild.ts';
import { runClosedLoop, type LoadResult } from './load.ts';
import type { UpstreamStats } from './upstreamChild.ts';

export interface MemoryCheckpoint {
  /** Requests completed in this phase when the checkpoint was taken. */
  readonly afterRequests: number;
  /** After a forced full GC. */
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
}

export interface GatewayThroughput {
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly firstError?: string;
  readonly timedOut: boolean;
  readonly requestsPerSecond: number;
  /** Gateway process CPU (user + system) per request, µs. */
  readonly cpuMicrosPerRequest: number;
  /** The upstream process's CPU per request, µs (it shares the machine). */
  readonly upstreamCpuMicrosPerRequest: number;
  /** The load client's (this process's) CPU per request, µs. */
  readonly clientCpuMicrosPerRequest: number;
  readonly upstreamConnectionsOpened: number;
  readonly checkpoints: readonly MemoryCheckpoint[];
}

export interface DirectThroughput {
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly requestsPerSecond: number;
  readonly upstreamCpuMicrosPerRequest: number;
  readonly clientCpuMicrosPerRequest: number;
}

interface UsageWithCpuBeforeGc extends GatewayUsage {
  readonly cpuBeforeGc: NodeJS.CpuUsage;
}

const cpuMicros = (cpu: NodeJS.CpuUsage) => cpu.user + cpu.system;

/** Gateway usage; with `gc`, CPU is read before the forced collection so the GC we force is not billed to requests. */
async function gatewayUsage(ctx: BenchContext, gc: boolean): Promise<UsageWithCpuBeforeGc> {
  if (!gc) {
    const usage = await ctx.gateway.call<GatewayUsage>('usage', { gc: false });
    return { ...usage, cpuBeforeGc: usage.cpu };
  }
  const before = await ctx.gateway.call<GatewayUsage>('usage', { gc: false });
  const after = await ctx.gateway.call<GatewayUsage>('usage', { gc: true });
  return { ...after, cpuBeforeGc: before.cpu };
}

/** Converse load on the gateway, or on a floor child when ctx.gateway and ctx.gatewayClient point at it (`name` labels the log line). */
export async function gatewayThroughput(ctx: BenchContext, concurrency: number, total: number, checkpointEvery: number, name = 'gateway'): Promise<GatewayThroughput> {
  const text = words(TEXT_BYTES);
  const { gateway } = requestsFor(text, false);
  const send = () => ctx.gatewayClient.post(gateway.path, gateway.body, GATEWAY_HEADERS);
  // One request in 500 is checked in full (the rest only by status) to keep the client light.
  const sendChecked = () => ctx.gatewayClient.post(gateway.path, gateway.body, GATEWAY_HEADERS, { keepBody: true });
  let sent = 0;
  const sendSome = () => (sent++ % 500 === 0 ? sendChecked() : send());
  const check = (exchange: { body?: Buffer }) => (exchange.body ? checkConverseAnswer(exchange.body, text) : undefined);

  const connectionsBefore = (await ctx.upstream.call<UpstreamStats>('stats')).connections;
  const upstreamCpuBefore = await ctx.upstream.call<NodeJS.CpuUsage>('cpu');
  let segmentStart = await gatewayUsage(ctx, false);
  let gatewayCpu = 0;
  let clientCpu = 0;
  let elapsedNs = 0;
  let completed = 0;
  let errors = 0;
  let timedOut = false;
  let firstError: string | undefined;
  const checkpoints: MemoryCheckpoint[] = [];
  const segmentDeadlineMs = ctx.plan.phaseDeadlineMs / Math.max(1, Math.ceil(total / checkpointEvery));

  if (checkpointEvery >= total) ctx.log(`throughput: ${name} c=${concurrency}, ${total} requests`);
  while (completed < total && !timedOut) {
    const clientBefore = process.cpuUsage();
    const result: LoadResult = await runClosedLoop({ total: Math.min(checkpointEvery, total - completed), concurrency, deadlineMs: segmentDeadlineMs, send: sendSome, check });
    clientCpu += cpuMicros(process.cpuUsage(clientBefore));
    const end = await gatewayUsage(ctx, true);
    gatewayCpu += cpuMicros(end.cpuBeforeGc) - cpuMicros(segmentStart.cpu);
    elapsedNs += result.elapsedNs;
    completed += result.completed;
    errors += result.errors;
    timedOut ||= result.timedOut;
    firstError ??= result.firstError;
    checkpoints.push({ afterRequests: completed, rss: end.rss, heapUsed: end.heapUsed, heapTotal: end.heapTotal, external: end.external });
    segmentStart = end;
  }
  const upstreamCpu = cpuMicros(await ctx.upstream.call<NodeJS.CpuUsage>('cpu')) - cpuMicros(upstreamCpuBefore);
  const connectionsAfter = (await ctx.upstream.call<UpstreamStats>('stats')).connections;
  return {
    concurrency,
    requests: completed,
    errors,
    ...(firstError ? { firstError } : {}),
    timedOut,
    requestsPerSecond: completed / (elapsedNs / 1e9),
    cpuMicrosPerRequest: gatewayCpu / completed,
    // The upstream figure includes the GC checkpoints' idle time only, which costs it nothing.
    upstreamCpuMicrosPerRequest: upstreamCpu / completed,
    clientCpuMicrosPerRequest: clientCpu / completed,
    upstreamConnectionsOpened: connectionsAfter - connectionsBefore,
    checkpoints,
  };
}

export async function directThroughput(ctx: BenchContext, concurrency: number, total: number): Promise<DirectThroughput> {
  const { direct } = requestsFor(words(TEXT_BYTES), false);
  const upstreamCpuBefore = await ctx.upstream.call<NodeJS.CpuUsage>('cpu');
  const clientBefore = process.cpuUsage();
  ctx.log(`throughput: direct c=${concurrency}, ${total} requests`);
  const result = await runClosedLoop({
    total,
    concurrency,
    deadlineMs: ctx.plan.phaseDeadlineMs,
    send: () => ctx.directClient.post(direct.path, direct.body, DIRECT_HEADERS),
  });
  const clientCpu = cpuMicros(process.cpuUsage(clientBefore));
  const upstreamCpu = cpuMicros(await ctx.upstream.call<NodeJS.CpuUsage>('cpu')) - cpuMicros(upstreamCpuBefore);
  return {
    concurrency,
    requests: result.completed,
    errors: result.errors,
    requestsPerSecond: result.completed / (result.elapsedNs / 1e9),
    upstreamCpuMicrosPerRequest: upstreamCpu / result.completed,
    clientCpuMicrosPerRequest: clientCpu / result.completed,
  };
}
