/** Starts the loopback fake upstream and the real local server (HTTP/1.1 + h2c) for end-to-end tests. */
import { loadConfig } from '../../app/config/config.ts';
import { startFakeUpstream, type FakeUpstream } from '../../app/dev/fakeUpstream.ts';
import { runLocalGateway, type RunningGateway } from '../../app/local/main.ts';
import { TEST_KEY, TEST_MODEL_MAP } from '../helpers/gateway.ts';

export interface Harness {
  readonly upstream: FakeUpstream;
  readonly gateway: RunningGateway;
  readonly url: string;
  close(): Promise<void>;
}

export async function startHarness(env: Record<string, string> = {}): Promise<Harness> {
  const upstream = await startFakeUpstream({ apiKey: 'sk-upstream-e2e' });
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    OPENAI_BASE_URL: upstream.baseURL,
    OPENAI_API_KEY: 'sk-upstream-e2e',
    PROXY_API_KEYS: TEST_KEY,
    MODEL_MAP: JSON.stringify(TEST_MODEL_MAP),
    OPENAI_MAX_RETRIES: '0',
    ...env,
  });
  const gateway = await runLocalGateway(config, 'SILENT');
  return {
    upstream,
    gateway,
    url: gateway.server.url,
    async close() {
      await gateway.close();
      await upstream.close();
    },
  };
}
