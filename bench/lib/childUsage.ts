/**
 * What a measured server child (the gateway, the floor) reports about itself over IPC: its own
 * CPU time and memory, with an RSS sampler every 100 ms to catch the peak between calls.
 */

export interface ChildUsage {
  /** process.cpuUsage(), µs since start. */
  readonly cpu: NodeJS.CpuUsage;
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  /** Memory outside the JS heap that V8 knows of (Buffers, wasm memories). */
  readonly external: number;
  readonly arrayBuffers: number;
  /** Highest RSS seen by the 100 ms sampler since the child started. */
  readonly sampledPeakRss: number;
  /** The kernel's own high-water mark for this process (bytes). */
  readonly maxRss: number;
}

const SAMPLE_EVERY_MS = 100;

export interface UsageReporter {
  /** The `usage` IPC call: with `{ gc: true }`, a forced full collection first (needs --expose-gc), so RSS/heap compare like with like. */
  readonly call: (payload: unknown) => ChildUsage;
  readonly stop: () => void;
}

export function startUsageReporter(): UsageReporter {
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
      arrayBuffers: memory.arrayBuffers,
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
