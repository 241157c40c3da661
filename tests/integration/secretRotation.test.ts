/**
 * Secrets in the Lambda wiring: the OpenAI key comes from Secrets Manager (through the
 * Powertools-shaped fetcher), is cached, and an upstream 401 after a rotation makes the
 * gateway re-read it once, with the real openai SDK and undici pool against a loopback upstream.
 */
import { expect } from 'chai';
import { buildGateway } from '../../app/gateway/composition.ts';
import { loadConfig } from '../../app/config/config.ts';
import { startFakeUpstream, type FakeUpstream } from '../../app/dev/fakeUpstream.ts';

const encoder = new TextEncoder();
const converse = {
  method: 'POST',
  path: '/model/gpt-4o/converse',
  query: {},
  headers: { authorization: 'Bearer caller' },
  body: encoder.encode(JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'rotate' }] }] })),
};

describe('Secrets: cached per container, refreshed once on an upstream 401', () => {
  let upstream: FakeUpstream;
  beforeEach(async () => {
    upstream = await startFakeUpstream({ apiKey: 'sk-old-key-000' });
  });
  afterEach(async () => upstream.close());

  function gatewayWith(secretValue: () => string, calls: Array<{ id: string; forceFetch: boolean }>) {
    const cache = new Map<string, string>();
    return buildGateway({
      config: loadConfig({
        OPENAI_BASE_URL: upstream.baseURL,
        OPENAI_API_KEY_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:openai',
        PROXY_API_KEYS: 'caller',
        OPENAI_MAX_RETRIES: '0',
      }),
      mode: 'lambda',
      telemetry: { record: () => undefined },
      // Behaves like Powertools getSecret: the cached value until maxAge, unless forceFetch.
      secretFetcher: async (id, { forceFetch }) => {
        calls.push({ id, forceFetch });
        if (forceFetch || !cache.has(id)) cache.set(id, secretValue());
        return cache.get(id);
      },
    });
  }

  it('uses the secret and, after a rotation, re-reads it once and succeeds', async () => {
    // Prepare
    let current = '{"apiKey":"sk-old-key-000"}';
    const calls: Array<{ id: string; forceFetch: boolean }> = [];
    const built = gatewayWith(() => current, calls);
    const before = await built.gateway(converse);
    // Act: the operator rotates the key; the upstream now refuses the old one.
    current = '{"apiKey":"sk-new-key-111"}';
    upstream.setApiKey('sk-new-key-111');
    const after = await built.gateway(converse);
    // Assess
    expect(before.status).to.equal(200);
    expect(after.status).to.equal(200);
    expect(calls.filter((c) => c.forceFetch)).to.have.length(1);
    await built.close();
  });

  it('reports a gateway misconfiguration (not the caller’s fault) when the fresh key is refused too', async () => {
    // Prepare
    const calls: Array<{ id: string; forceFetch: boolean }> = [];
    const built = gatewayWith(() => 'sk-wrong-key-222', calls);
    // Act
    const response = await built.gateway(converse);
    // Assess
    expect(response.status).to.equal(500);
    expect(response.headers['x-amzn-ErrorType']).to.equal('InternalServerException');
    const body = response.kind === 'buffered' ? new TextDecoder().decode(response.body) : '';
    expect(body).to.include('misconfigured');
    expect(body).to.not.include('sk-');
    expect(calls.filter((c) => c.forceFetch)).to.have.length(1);
    await built.close();
  });
});
