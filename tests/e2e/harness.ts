/** Starts the loopback fake upstream and the real local server (HTTP/1.1 + h2c) for end-to-end tests. */
import { BedrockRuntimeClient } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
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

export type Transport = 'h2' | 'h1';

export const TRANSPORTS = [
  ['h2', 'HTTP/2 (the default NodeHttp2Handler)'],
  ['h1', 'HTTP/1.1 (NodeHttpHandler)'],
] as const satisfies ReadonlyArray<readonly [Transport, string]>;

/** An unmodified runtime client pointed at the gateway: bearer key, no retries, h2 (default) or h1. */
export function runtimeClient(url: string, transport: Transport, key = TEST_KEY): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: url,
    token: { token: key },
    authSchemePreference: ['httpBearerAuth'],
    maxAttempts: 1,
    ...(transport === 'h1' ? { requestHandler: new NodeHttpHandler() } : {}),
  });
}

/** Starts one harness for the enclosing `describe` and stops it afterwards. */
export function useHarness(env: Record<string, string> = {}): () => Harness {
  let harness: Harness | undefined;
  before(async () => {
    harness = await startHarness(env);
  });
  after(async () => harness?.close());
  return () => {
    if (!harness) throw new Error('harness not started');
    return harness;
  };
}
