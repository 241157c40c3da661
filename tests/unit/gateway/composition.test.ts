/** The composition root: key sources, fail-closed auth in Lambda mode, and the deep health check. */
import { expect } from 'chai';
import { buildGateway, type Built } from '../../../app/gateway/composition.ts';
import { loadConfig } from '../../../app/config/config.ts';
import { BedrockError } from '../../../app/core/errors.ts';
import { rejectedBedrockError } from '../../helpers/bedrockErrors.ts';
import { fakeUpstream } from '../../helpers/fakes.ts';

const telemetry = { record: () => undefined };

/** Resolves (to undefined) when the gateway's authenticator lets `headers` in, rejects with its refusal otherwise. */
const authorize = (built: Built, headers: Record<string, string>): Promise<undefined> =>
  built.auth
    .authenticate({ method: 'POST', path: '/model/m/converse', query: {}, headers, body: new Uint8Array(0) }, async () => new Uint8Array(0))
    .then(() => undefined);

/** A Lambda-mode gateway whose upstream counts its listModels calls (what the deep health check makes). */
function gatewayCountingListCalls() {
  let calls = 0;
  const built = buildGateway({
    config: loadConfig({ PROXY_API_KEYS: 'k', OPENAI_API_KEY: 'sk-configured' }),
    mode: 'lambda',
    telemetry,
    upstream: fakeUpstream({ listModels: async () => (calls++, []) }),
  });
  return { built, listCalls: () => calls };
}

describe('Composition: buildGateway', () => {
  it('caches the deep health check briefly, so anonymous callers cannot hammer the upstream', async () => {
    // Prepare
    const { built, listCalls } = gatewayCountingListCalls();
    // Act
    const first = await built.deps.health.deep();
    await built.deps.health.deep();
    await built.deps.health.deep();
    // Assess
    expect(first).to.deep.equal({ secrets: 'ok', upstream: 'ok' });
    expect(listCalls()).to.equal(1);
  });

  it('reports a missing upstream key in the deep check, and still asks the upstream (a keyless server may answer)', async () => {
    // Prepare
    const built = buildGateway({ config: loadConfig({ PROXY_API_KEYS: 'k' }), mode: 'local', telemetry, upstream: fakeUpstream() });
    // Act
    const checks = await built.deps.health.deep();
    // Assess
    expect(built.upstreamKeyConfigured).to.equal(false);
    expect(checks).to.deep.equal({ secrets: 'no upstream key configured (OPENAI_API_KEY or OPENAI_API_KEY_SECRET_ID)', upstream: 'ok' });
  });

  it('names a missing upstream key when the upstream then refuses the deep check', async () => {
    // Prepare: OpenAI answers a placeholder key with 401, which the upstream maps to a misconfiguration
    const built = buildGateway({
      config: loadConfig({ PROXY_API_KEYS: 'k' }),
      mode: 'local',
      telemetry,
      upstream: fakeUpstream({ listModels: async () => Promise.reject(new BedrockError('InternalServerException', 'gateway misconfigured')) }),
    });
    // Act
    const error = await rejectedBedrockError(built.deps.health.deep());
    // Assess
    expect(error.exception).to.equal('ServiceUnavailableException');
    expect(error.message).to.equal('Health check failed: upstream (InternalServerException). No upstream key is configured (OPENAI_API_KEY or OPENAI_API_KEY_SECRET_ID).');
  });

  it('asks the upstream again once the cached deep check is older than 5 seconds', async () => {
    // Prepare
    const { built, listCalls } = gatewayCountingListCalls();
    const realNow = Date.now;
    let now = 1_000_000;
    Date.now = () => now;
    // Act
    try {
      await built.deps.health.deep();
      now += 5_000;
      await built.deps.health.deep();
      now += 1;
      await built.deps.health.deep();
    } finally {
      Date.now = realNow;
    }
    // Assess
    expect(listCalls()).to.equal(2);
  });

  it('reports which deep check failed as ServiceUnavailableException', async () => {
    // Prepare
    const built = buildGateway({
      config: loadConfig({ PROXY_API_KEYS: 'k', OPENAI_API_KEY: 'sk-configured' }),
      mode: 'lambda',
      telemetry,
      upstream: fakeUpstream({
        listModels: async () => {
          throw new Error('down');
        },
      }),
    });
    // Act
    const error = await built.deps.health.deep().catch((e: unknown) => e);
    // Assess
    expect(error).to.have.property('exception', 'ServiceUnavailableException');
    expect((error as Error).message).to.equal('Health check failed: upstream (error).');
  });

  it('reads keys from Secrets Manager through the fetcher, with the configured maxAge', async () => {
    // Prepare
    const asked: Array<[string, number, boolean]> = [];
    const built = buildGateway({
      config: loadConfig({ PROXY_API_KEYS_SECRET_ID: 'arn:callers', OPENAI_API_KEY_SECRET_ID: 'arn:openai', SECRETS_MAX_AGE_SECONDS: '120' }),
      mode: 'lambda',
      telemetry,
      upstream: fakeUpstream(),
      secretFetcher: async (id, { maxAge, forceFetch }) => {
        asked.push([id, maxAge, forceFetch]);
        return id === 'arn:callers' ? '{"keys":["caller-1","caller-2"]}' : '{"apiKey":"sk-x"}';
      },
    });
    // Act
    await authorize(built, { authorization: 'Bearer caller-2' });
    const denied = await authorize(built, { authorization: 'Bearer caller-3' }).catch((e: unknown) => e);
    // Assess
    expect(denied).to.have.property('exception', 'AccessDeniedException');
    expect(asked).to.deep.include(['arn:callers', 120, false]);
    expect(built.callerCredentialsConfigured).to.equal(true);
  });

  it('follows the caller-keys secret when its value changes (the fetcher’s maxAge expired after a rotation)', async () => {
    // Prepare
    let secret = 'caller-old';
    const built = buildGateway({
      config: loadConfig({ PROXY_API_KEYS_SECRET_ID: 'arn:callers', OPENAI_API_KEY: 'sk-x' }),
      mode: 'lambda',
      telemetry,
      upstream: fakeUpstream(),
      secretFetcher: async () => secret,
    });
    const before = await authorize(built, { authorization: 'Bearer caller-old' }).catch((e: unknown) => e);
    // Act
    secret = '["caller-new"]';
    const oldKey = await authorize(built, { authorization: 'Bearer caller-old' }).catch((e: unknown) => e);
    const newKey = await authorize(built, { authorization: 'Bearer caller-new' }).catch((e: unknown) => e);
    // Assess
    expect(before).to.equal(undefined);
    expect(oldKey).to.have.property('exception', 'AccessDeniedException');
    expect(newKey).to.equal(undefined);
  });

  it('fails closed in Lambda mode and runs open in local mode when no caller keys exist', async () => {
    // Prepare
    const config = loadConfig({});
    const upstream = fakeUpstream();
    const lambda = buildGateway({ config, mode: 'lambda', telemetry, upstream });
    const local = buildGateway({ config, mode: 'local', telemetry, upstream });
    // Act
    const lambdaError = await authorize(lambda, {}).catch((e: unknown) => e);
    const localResult = await authorize(local, {});
    // Assess
    expect(lambdaError).to.have.property('exception', 'AccessDeniedException');
    expect(localResult).to.equal(undefined);
  });
});
