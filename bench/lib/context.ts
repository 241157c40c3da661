/** What every scenario gets: the plan (how much to run), the clients and the two children. */
import type { BenchClient } from './client.ts';
import type { GatewayInfo } from './gatewayChild.ts';
import type { ChildHandle } from './processes.ts';
import type { UpstreamInfo } from './upstreamChild.ts';

export interface Plan {
  readonly quick: boolean;
  readonly latency: { readonly warmup: number; readonly rounds: number; readonly perRound: number };
  readonly stream: { readonly warmup: number; readonly rounds: number; readonly perRound: number; readonly longBytes: number; readonly longCount: number };
  readonly throughput: { readonly requests: number; readonly concurrencies: readonly number[] };
  /** Unmeasured Converse requests (at the first throughput concurrency) before any figure: the JIT's steady state. */
  readonly warmupRequests: number;
  readonly coldStartRuns: number;
  /** Upper bound on any one measuring loop. */
  readonly phaseDeadlineMs: number;
}

export const FULL_PLAN: Plan = {
  quick: false,
  latency: { warmup: 1000, rounds: 20, perRound: 200 },
  stream: { warmup: 100, rounds: 10, perRound: 30, longBytes: 16 * 1024, longCount: 10 },
  throughput: { requests: 10_000, concurrencies: [32, 64] },
  warmupRequests: 20_000,
  coldStartRuns: 10,
  phaseDeadlineMs: 45_000,
};

export const QUICK_PLAN: Plan = {
  quick: true,
  latency: { warmup: 300, rounds: 6, perRound: 100 },
  stream: { warmup: 30, rounds: 4, perRound: 20, longBytes: 8 * 1024, longCount: 4 },
  throughput: { requests: 2_000, concurrencies: [32, 64] },
  warmupRequests: 4_000,
  coldStartRuns: 3,
  phaseDeadlineMs: 20_000,
};

export interface BenchContext {
  readonly plan: Plan;
  /** Keep-alive client to the gateway's local server. */
  readonly gatewayClient: BenchClient;
  /** The same kind of client, straight to the fake upstream. */
  readonly directClient: BenchClient;
  readonly gateway: ChildHandle<GatewayInfo>;
  readonly upstream: ChildHandle<UpstreamInfo>;
  readonly log: (line: string) => void;
}
