/**
 * What a measured server child (the gateway, the floors) reports about itself over IPC: its own
 * CPU time and memory, with an RSS sampler every 100 ms to catch the peak between calls.
 */
import { profilerCalls } from './childProfiler.ts';
import { announceReady, serveCalls } from './ipc.ts';

export interface ChildUsage {
  /** process.cpuUsage(), µs since start. */
  readonly cpu: NodeJS.CpuUsage;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  /** Memory outside the JS heap that V8 knows of (Buffers, wasm memories). */
  readonly external: number;
  /** Highest RSS seen by the 100 ms sampler since the child started. */
  readonly sampledPeakRss: number;
  /** The kernel's own high-water mark for this process (bytes). */
  readonly maxRss: number;
}

const SAMPLE_EVERY_MS = 100;

interface UsageReporter {
  /** The `usage` IPC call: with `{ gc: true }`, a forced full collection first (needs --expose-gc), so RSS/heap compare like with like. */
  readonly call: (payload: unknown) => ChildUsage;
  readonly stop: () => void;
}

function startUsageReporter(): UsageReporter {
  let sampledPeakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage.rss());
  }, SAMPLE_EVERY_MS);
  sampler.unref();

  function usage(): ChildUsage {
    const memory = process.memoryUsage();
    sampledPeakRss = Math.max(sampledPeakRss, memory.rss);
    return {
      cpu: process.cpuUsage(),
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      heapTotal: memory.heapTotal,
      external: memory.external,
      sampledPeakRss,
      maxRss: process.resourceUsage().maxRSS * 1024,
    };
  }

  return {
    call: (payload) => {
      if ((payload as { gc?: boolean } | null)?.gc && globalThis.gc) {
        globalThis.gc();
        globalThis.gc();
      }
      return usage();
    },
    stop: () => clearInterval(sampler),
  };
}

/**
 * What a measured server child does once it listens: answer the parent's calls (profiler, usage,
 * stop) and announce itself. `close` stops its server; the process exits after it.
 */
export async function serveMeasuredChild(info: { readonly url: string; readonly maxConnections: number }, close: () => Promise<void>): Promise<void> {
  const usage = startUsageReporter();
  serveCalls({
    ...profilerCalls(),
    usage: usage.call,
    stop: async () => {
      usage.stop();
      await close();
      setTimeout(() => process.exit(0), 10);
    },
  });
  await announceReady(info);
}
