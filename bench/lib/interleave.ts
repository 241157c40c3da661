/**
 * Interleaved rounds, the comparison the latency and stream scenarios share: each round
 * measures both paths one after the other, alternating which goes first, so drift in the
 * machine's state (clock, caches, other load) hits both paths alike.
 */
import { difference, median, summarizeNs, type Percentiles } from './stats.ts';

export type BenchPath = 'gateway' | 'direct';

/** One round's measurement of one path: its successful samples, ns (errors are the caller's to tally). */
export type MeasureRound = () => Promise<readonly number[]>;

interface InterleavedSamples {
  readonly gateway: readonly number[];
  readonly direct: readonly number[];
  /** Per round with samples on both paths: gateway p50 minus direct p50, ms. */
  readonly roundP50Diffs: readonly number[];
}

export interface Comparison {
  readonly gateway: Percentiles;
  readonly direct: Percentiles;
  /** Gateway percentile minus direct percentile, ms. */
  readonly added: { readonly p50: number; readonly p90: number; readonly p99: number };
  /** Median over rounds of the per-round p50 difference (drift-proof cross-check), ms. */
  readonly addedP50RoundMedian: number;
}

/** The gateway goes first in even rounds, the direct path in odd ones. */
export function roundOrder(round: number): readonly [BenchPath, BenchPath] {
  return round % 2 === 0 ? ['gateway', 'direct'] : ['direct', 'gateway'];
}

/** Runs `rounds` rounds, each measuring both paths in `roundOrder`, awaiting one before starting the other. */
export async function interleavedRounds(rounds: number, measure: Readonly<Record<BenchPath, MeasureRound>>): Promise<InterleavedSamples> {
  const gateway: number[] = [];
  const direct: number[] = [];
  const roundP50Diffs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const samples: Record<BenchPath, readonly number[]> = { gateway: [], direct: [] };
    for (const path of roundOrder(round)) samples[path] = await measure[path]();
    gateway.push(...samples.gateway);
    direct.push(...samples.direct);
    if (samples.gateway.length && samples.direct.length) roundP50Diffs.push(summarizeNs(samples.gateway).p50 - summarizeNs(samples.direct).p50);
  }
  return { gateway, direct, roundP50Diffs };
}

/** Percentiles of both paths, their difference, and the median per-round p50 difference. */
export function compare(samples: InterleavedSamples): Comparison {
  const gateway = summarizeNs(samples.gateway);
  const direct = summarizeNs(samples.direct);
  return { gateway, direct, added: difference(gateway, direct), addedP50RoundMedian: median(samples.roundP50Diffs) };
}
