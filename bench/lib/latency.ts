/**
 * Added latency of Converse at concurrency 1: warm-up, then interleaved rounds (gateway
 * path, direct path, alternating which goes first) so drift in the machine's state hits
 * both paths alike. Added = gateway percentile minus direct percentile.
 */
import { checkChatAnswer, checkConverseAnswer, DIRECT_HEADERS, GATEWAY_HEADERS, requestsFor, TEXT_BYTES, words } from './bodies.ts';
import type { Exchange } from './client.ts';
import type { BenchContext } from './context.ts';
import { compare, interleavedRounds, type Comparison } from './interleave.ts';
import { collectLatencies } from './load.ts';

/** `gateway`, `direct`, `added` and `addedP50RoundMedian` come from the interleaved rounds (Comparison). */
export interface LatencyResult extends Comparison {
  readonly requestBytes: { readonly gateway: number; readonly direct: number };
  readonly responseBytes: { readonly gateway: number; readonly direct: number };
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

  let errors = 0;
  let firstError: string | undefined;
  const perRoundDeadline = plan.phaseDeadlineMs / plan.latency.rounds;
  /** One round of one path: perRound requests, errors tallied here, the latencies returned. */
  const roundOf = (send: () => Promise<Exchange>) => async () => {
    const result = await collectLatencies(plan.latency.perRound, perRoundDeadline, send);
    errors += result.errors;
    firstError ??= result.firstError;
    return result.samples;
  };
  ctx.log(`latency: ${plan.latency.rounds} interleaved rounds x ${plan.latency.perRound} requests per path`);
  const samples = await interleavedRounds(plan.latency.rounds, { gateway: roundOf(() => viaGateway()), direct: roundOf(() => direct()) });
  if (samples.gateway.length === 0) throw new Error(`no successful gateway requests: ${firstError ?? 'unknown error'}`);

  return {
    requestBytes: { gateway: requests.gateway.body.length, direct: requests.direct.body.length },
    responseBytes: { gateway: gatewaySample.bytes, direct: directSample.bytes },
    ...compare(samples),
    rounds: plan.latency.rounds,
    errors,
    ...(firstError ? { firstError } : {}),
  };
}
