/** Bench child: the repo's fake OpenAI-compatible upstream, alone in its own process. */
import { startFakeUpstream } from '../../app/dev/fakeUpstream.ts';
import { announceReady, serveCalls } from './ipc.ts';

export interface UpstreamInfo {
  readonly url: string;
  readonly baseURL: string;
}

export interface UpstreamStats {
  readonly connections: number;
  readonly requests: number;
  readonly closedEarly: number;
}

const upstream = await startFakeUpstream({ host: '127.0.0.1', port: 0 });

serveCalls({
  stats: (): UpstreamStats => ({ ...upstream.stats }),
  cpu: () => process.cpuUsage(),
  stop: async () => {
    await upstream.close();
    setTimeout(() => process.exit(0), 10);
  },
});

await announceReady({ url: upstream.url, baseURL: upstream.baseURL } satisfies UpstreamInfo);
