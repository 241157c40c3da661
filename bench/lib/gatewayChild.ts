/**
 * Bench child: the local gateway server (runLocalGateway) alone in its own process,
 * configured from this process's environment. It reports its own CPU time and memory
 * over IPC (childUsage.ts).
 */
import { writeFileSync } from 'node:fs';
import type { Session } from 'node:inspector/promises';
import { loadConfig } from '../../app/config/config.ts';
import { runLocalGateway } from '../../app/local/main.ts';
import { startUsageReporter, type ChildUsage } from './childUsage.ts';
import { announceReady, serveCalls } from './ipc.ts';

export interface GatewayInfo {
  readonly url: string;
  readonly maxConnections: number;
}

/** The gateway's own CPU and memory (the `usage` call). */
export type GatewayUsage = ChildUsage;

const config = loadConfig(process.env);
const running = await runLocalGateway(config);
const usage = startUsageReporter();

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
  usage: usage.call,
  stop: async () => {
    usage.stop();
    await running.close();
    setTimeout(() => process.exit(0), 10);
  },
});

await announceReady({ url: running.server.url, maxConnections: config.openaiMaxConnections } satisfies GatewayInfo);
