/** Builds the real gateway for tests, with the upstream reachable by nock (global fetch) or a loopback fake. */
import { buildGateway, type BuildOptions, type Built } from '../../app/gateway/composition.ts';
import { loadConfig } from '../../app/config/config.ts';
import { SAMPLE_JWT, SAMPLE_JWT_PUBLIC_JWK, SAMPLE_SIGV4, SAMPLE_TIME } from '../../scripts/sampleCredentials.ts';
import type { RequestRecord, Telemetry } from '../../app/observability/requestRecord.ts';

export const TEST_KEY = 'local-test-key';
export const NOCK_BASE = 'https://upstream.test/v1';

export const TEST_MODEL_MAP = {
  'anthropic.claude-3-5-sonnet-20240620-v1:0': 'gpt-4o',
  'amazon.titan-embed-text-v2:0': 'text-embedding-3-small',
};

export interface TestGateway extends Built {
  readonly records: RequestRecord[];
}

export function testGateway(env: Record<string, string> = {}, mode: 'lambda' | 'local' = 'lambda', options: Pick<BuildOptions, 'now' | 'issuerFetch'> = {}): TestGateway {
  const records: RequestRecord[] = [];
  const telemetry: Telemetry = { record: (record) => records.push({ ...record }) };
  const config = loadConfig({
    OPENAI_BASE_URL: NOCK_BASE,
    OPENAI_API_KEY: 'sk-test-upstream-key-123456',
    PROXY_API_KEYS: TEST_KEY,
    MODEL_MAP: JSON.stringify(TEST_MODEL_MAP),
    OPENAI_MAX_RETRIES: '0',
    ...env,
  });
  // Global fetch: nock (v14+) intercepts it, unlike undici's own fetch with a custom dispatcher.
  const built = buildGateway({ config, mode, telemetry, fetch: globalThis.fetch, ...options });
  return { ...built, records };
}

/** One test gateway for the enclosing `describe`, closed afterwards. */
export function useTestGateway(env: Record<string, string> = {}, mode: 'lambda' | 'local' = 'lambda'): () => TestGateway {
  let built: TestGateway | undefined;
  before(() => {
    built = testGateway(env, mode);
  });
  after(async () => built?.close());
  return () => {
    if (!built) throw new Error('test gateway not built');
    return built;
  };
}

/**
 * The environment and options under which the sample events in events/ authenticate: the sample
 * SigV4 credential, the sample JWT issuer (its key set answered in memory), and the sample time.
 */
export const SAMPLE_AUTH_ENV: Record<string, string> = {
  SIGV4_CREDENTIALS: JSON.stringify({ [SAMPLE_SIGV4.accessKeyId]: { secretAccessKey: SAMPLE_SIGV4.secretAccessKey, name: SAMPLE_SIGV4.name } }),
  JWT_ISSUER: SAMPLE_JWT.issuer,
  JWT_AUDIENCE: SAMPLE_JWT.audience,
  JWT_JWKS_URL: `${SAMPLE_JWT.issuer}/jwks.json`,
};

export const SAMPLE_AUTH_OPTIONS: Pick<BuildOptions, 'now' | 'issuerFetch'> = {
  now: () => SAMPLE_TIME,
  issuerFetch: async () => Response.json({ keys: [SAMPLE_JWT_PUBLIC_JWK] }),
};
