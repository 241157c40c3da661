/**
 * Added latency of Converse at concurrency 1: warm-up, then interleaved rounds (gateway
 * path, direct path, alternating which goes first) so drift in the machine's state hits
 * both paths alike. Added = gateway percentile minus direct percentile.
 */
import { checkChatAnswer, checkConverseAnswer, DIRECT_HEADERS, GATEWAY_HEADERS, requestsFor, TEXT_BYTES, words } from './bodies.ts';
import type { BenchContext } from './context.ts';
import { collectLatencies } from './load.ts';
import { difference, median, summarizeNs, type Percentiles } from './stats.ts';

export interface LatencyResult {
  readonly requestBytes: { readonly gateway: number; readonly direct: number };
  readonly responseBytes: { readonly gateway: number; readonly direct: number };
  readonly gateway: Percentiles;
  readonly direct: Percentiles;
  /** Difference of the percentiles, ms. */
  readonly added: { readonly p50: number; readonly p90: number; readonly p99: number };
  /** Median over rounds of (gateway p50 - direct p50) within the round: a drift-proof cross-check. */
  readonly addedP50RoundMedian: number;
  readonly rounds: number;
  readonly errors: number;
  readonly firstError?: string;
}

export async function measureLatency(ctx: BenchContext): Promise<LatencyResult> {
  const { plan, gatewayClient, directClient } = ctx;
  const text = words(TEXT_BYTES);
  const requests = requestsFor(text, false);
  const viaGateway = (keepBody = false) => gatewayClient.post(requests.gateway.path, requests.gateway.body, GATEWAY_HEADERS, { keepBody });
  const direct = (keepBody = false) => directClient.post(requests.direct.path, requests.direct.body, DIRECT_HEADERS, { keepBody });

  // Both paths must really work before anything is timed.
  const [gatewaySample, directSample] = [await viaGateway(true), await direct(true)];
  const invalid =
    (gatewaySample.status !== 200 ? `gateway HTTP ${gatewaySample.status}: ${gatewaySample.body?.toString('utf8').slice(0, 400)}` : checkConverseAnswer(gatewaySample.body!, text)) ??
    (directSample.status !== 200 ? `direct HTTP ${directSample.status}` : checkChatAnswer(directSample.body!, text));
  if (invalid) throw new Error(invalid);

  ctx.log(`latency: warm-up ${plan.latency.warmup} requests per path`);
  await collectLatencies(plan.latency.warmup, plan.phaseDeadlineMs, () => viaGateway());
  await collectLatencies(plan.latency.warmup, plan.phaseDeadlineMs, () => direct());

  const gatewaySamples: number[] = [];
  const directSamples: number[] = [];
  const roundDiffs: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const perRoundDeadline = plan.phaseDeadlineMs / plan.latency.rounds;
  ctx.log(`latency: ${plan.latency.rounds} interleaved rounds x ${plan.latency.perRound} requests per path`);
  for (let round = 0; round < plan.latency.rounds; round++) {
    const gatewayFirst = round % 2 === 0;
    const first = await collectLatencies(plan.latency.perRound, perRoundDeadline, gatewayFirst ? () => viaGateway() : () => direct());
    const second = await collectLatencies(plan.latency.perRound, perRoundDeadline, gatewayFirst ? () => direct() : () => viaGateway());
    const [g, d] = gatewayFirst ? [first, second] : [second, first];
    gatewaySamples.push(...g.samples);
    directSamples.push(...d.samples);
    errors += g.errors + d.errors;
    firstError ??= g.firstError ?? d.firstError;
    if (g.samples.length && d.samples.length) roundDiffs.push(summarizeNs(g.samples).p50 - summarizeNs(d.samples).p50);
  }
  if (gatewaySamples.length === 0) throw new Error(`no successful gateway requests: ${firstError ?? 'unknown error'}`);

  const gateway = summarizeNs(gatewaySamples);
  const directSummary = summarizeNs(directSamples);
  return {
    requestBytes: { gateway: requests.gateway.body.length, direct: requests.direct.body.length },
    responseBytes: { gateway: gatewaySample.bytes, direct: directSample.bytes },
    gateway,
    direct: directSummary,
    added: difference(gateway, directSummary),
    addedP50RoundMedian: median(roundDiffs),
    rounds: plan.latency.rounds,
    errors,
    ...(firstError ? { firstError } : {}),
  };
}
