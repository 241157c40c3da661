/** The floor children (floorChild.ts): their kinds and names, and the accounting of their phases. */
import type { BenchContext } from './context.ts';
import { gatewayThroughput, type GatewayThroughput } from './throughput.ts';
import type { UpstreamStats } from './upstreamChild.ts';

export const FLOOR_KINDS = ['sdk', 'agent'] as const;
export type FloorKind = (typeof FLOOR_KINDS)[number];

export const FLOOR_LABELS: Record<FloorKind, string> = {
  sdk: 'node:http + openai SDK only',
  agent: 'node:http + undici Agent, no SDK',
};

/** A throughput run on one of the floor children. */
export interface FloorThroughput extends GatewayThroughput {
  readonly kind: FloorKind;
}

/** A floor child with the context pointed at it, the upstream connections it has opened so far, and whether its warm-up worked. */
export interface Floor {
  readonly kind: FloorKind;
  readonly ctx: BenchContext;
  connections: number;
  warmed: boolean;
}

/**
 * Runs one phase on a floor and charges the upstream connections opened meanwhile to it, whatever
 * the outcome: the upstream's count, less what the direct client (which the latency phase also
 * uses) opened in the same time. What is not charged to a floor is charged to the gateway.
 */
export async function onFloor<T>(floor: Floor, phase: () => Promise<T>): Promise<T> {
  const { upstream, directClient } = floor.ctx;
  const before = { upstream: (await upstream.call<UpstreamStats>('stats')).connections, direct: directClient.connectionsOpened() };
  try {
    return await phase();
  } finally {
    const opened = (await upstream.call<UpstreamStats>('stats')).connections - before.upstream;
    floor.connections += opened - (directClient.connectionsOpened() - before.direct);
  }
}

export async function floorThroughput(floor: Floor, concurrency: number, total: number): Promise<FloorThroughput> {
  const result = await onFloor(floor, () => gatewayThroughput(floor.ctx, concurrency, total, total, `floor (${floor.kind})`));
  return { ...result, kind: floor.kind };
}
