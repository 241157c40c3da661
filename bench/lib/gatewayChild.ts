/**
 * Bench child: the local gateway server (runLocalGateway) alone in its own process,
 * configured from this process's environment. It reports its own CPU time and memory
 * over IPC, and samples its RSS every 100 ms to catch the peak between calls.
 */
import { writeFileSync } from 'node:fs';
import type { Session } from 'node:inspector/promises';
import { loadConfig } from '../../app/config/config.ts';
import { runLocalGateway } from '../../app/local/main.ts';
import { announceReady, serveCalls } from './ipc.ts';

export interface GatewayInfo {
  readonly url: string;
  readonly maxConnections: number;
}

export interface GatewayUsage {
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

const config = loadConfig(process.env);
const running = await runLocalGateway(config);

let sampledPeakRss = process.memoryUsage.rss();
const sampler = setInterval(() => {
  sampledPeakRss = Math.max(sampledPeakRss, process.memoryUsage.rss());
}, SAMPLE_EVERY_MS);
sampler.unref();

function usage(): GatewayUsage {
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

/** V8's sampling CPU profiler (what --cpu-prof uses), scoped to the phase the parent asks for. */
let profiler: Session | undefined;
const PROFILE_INTERVAL_US = 250;

serveCalls({
  profileStart: async () => {
    // Imported here, not at the top: the inspector module adds about 2.5 MB of RSS to the gateway
    // being measured, which only a profiled run should carry.
    const { Session: InspectorSession } = await import('node:inspector/promises');
    profiler = new InspectorSession();
    profiler.connect();
    await profiler.post('Profiler.enable');
    await profiler.post('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
    await profiler.post('Profiler.start');
    return null;
  },
  profileStop: async (payload) => {
    if (!profiler) throw new Error('profileStart was not called');
    const { profile } = await profiler.post('Profiler.stop');
    profiler.disconnect();
    profiler = undefined;
    const file = (payload as { file: string }).file;
    writeFileSync(file, JSON.stringify(profile));
    return file;
  },
  usage: (payload) => {
    // A forced full collection first, so RSS/heap compare like with like (needs --expose-gc).
    if ((payload as { gc?: boolean } | null)?.gc && globalThis.gc) {
      globalThis.gc();
      globalThis.gc();
    }
    return usage();
  },
  stop: async () => {
    clearInterval(sampler);
    await running.close();
    setTimeout(() => process.exit(0), 10);
  },
});

await announceReady({ url: running.server.url, maxConnections: config.openaiMaxConnections } satisfies GatewayInfo);
