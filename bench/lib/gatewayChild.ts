/**
 * Bench child: the local gateway server (runLocalGateway) alone in its own process,
 * configured from this process's environment. It reports its own CPU time and memory
 * over IPC (childUsage.ts).
 */
import { loadConfig } from '../../app/config/config.ts';
import { runLocalGateway } from '../../app/local/main.ts';
import { serveMeasuredChild, type ChildUsage } from './childUsage.ts';

export interface GatewayInfo {
  readonly url: string;
  readonly maxConnections: number;
}

/** The gateway's own CPU and memory (the `usage` call). */
export type GatewayUsage = ChildUsage;

const config = loadConfig(process.env);
const running = await runLocalGateway(config);
await serveMeasuredChild({ url: running.server.url, maxConnections: config.openaiMaxConnections } satisfies GatewayInfo, () => running.close());
