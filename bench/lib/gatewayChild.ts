/**
 * Bench child: the local gateway server (runLocalGateway) alone in its own process,
 * configured from this process's environment. It reports its own CPU time and memory
 * over IPC (childUsage.ts).
 */
import { loadConfig } from '../../app/config/config.ts';
import { runLocalGateway } from '../../app/local/main.ts';
import { profilerCalls } from './childProfiler.ts';
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

serveCalls({
  ...profilerCalls(),
  usage: usage.call,
  stop: async () => {
    usage.stop();
    await running.close();
    setTimeout(() => process.exit(0), 10);
  },
});

await announceReady({ url: running.server.url, maxConnections: config.openaiMaxConnections } satisfies GatewayInfo);
