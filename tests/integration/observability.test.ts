/**
 * What the pipeline tells operators, end to end through the real core: trace subsegments
 * around the upstream call and the secret fetch, the bounded model dimension, and records
 * that never carry a caller key or prompt text.
 */
import { expect } from 'chai';
import nock from 'nock';
import { buildGateway } from '../../app/gateway/composition.ts';
import { loadConfig } from '../../app/config/config.ts';
import type { RequestRecord } from '../../app/observability/requestRecord.ts';
import type { Tracing } from '../../app/observability/tracing.ts';
import { NOCK_BASE, TEST_KEY, TEST_MODEL_MAP } from '../helpers/gateway.ts';
import { echoChat } from '../helpers/nockUpstream.ts';

const encoder = new TextEncoder();
const PROMPT = 'a secret prompt about penguins';

function converseRequest(modelId: string) {
  return {
    method: 'POST',
    path: `/model/${encodeURIComponent(modelId)}/converse`,
    query: {},
    headers: { authorization: `Bearer ${TEST_KEY}` },
    body: encoder.encode(JSON.stringify({ messages: [{ role: 'user', content: [{ text: PROMPT }] }] })),
  };
}

function observedGateway() {
  const spans: string[] = [];
  const records: RequestRecord[] = [];
  const tracing: Tracing = {
    span: async (name, work) => {
      spans.push(name);
      return work();
    },
  };
  const built = buildGateway({
    config: loadConfig({
      OPENAI_BASE_URL: NOCK_BASE,
      OPENAI_API_KEY_SECRET_ID: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:openai',
      PROXY_API_KEYS: TEST_KEY,
      MODEL_MAP: JSON.stringify(TEST_MODEL_MAP),
      OPENAI_MAX_RETRIES: '0',
    }),
    mode: 'lambda',
    telemetry: { record: (record) => records.push({ ...record }) },
    tracing,
    fetch: globalThis.fetch,
    secretFetcher: async () => 'sk-from-secrets-manager',
  });
  return { built, spans, records };
}

describe('Observability through the core', () => {
  afterEach(() => nock.cleanAll());

  it('traces the secret fetch and the upstream call as subsegments', async () => {
    // Prepare
    const { built, spans } = observedGateway();
    echoChat();
    // Act
    const response = await built.gateway(converseRequest('gpt-4o'));
    // Assess
    expect(response.status).to.equal(200);
    expect(spans).to.include.members(['secretsmanager.getSecret', 'openai.chat.completions']);
  });

  it('collapses unmapped model ids into one metrics dimension, and keeps mapped ones', async () => {
    // Prepare
    const { built, records } = observedGateway();
    echoChat([], 3);
    // Act
    for (const id of ['some-unknown-model', 'another-unknown-model', 'anthropic.claude-3-5-sonnet-20240620-v1:0']) {
      await built.gateway(converseRequest(id));
    }
    // Assess
    expect(records.map((r) => r.modelDimension)).to.deep.equal(['unmapped', 'unmapped', 'gpt-4o']);
    expect(records.map((r) => r.modelId)).to.deep.equal(['some-unknown-model', 'another-unknown-model', 'anthropic.claude-3-5-sonnet-20240620-v1:0']);
  });

  it('never puts the caller key, the upstream key or the prompt in a record', async () => {
    // Prepare
    const { built, records } = observedGateway();
    echoChat();
    // Act
    await built.gateway(converseRequest('gpt-4o'));
    await built.gateway({ ...converseRequest('gpt-4o'), headers: { authorization: 'Bearer wrong-key-987' } });
    // Assess
    const logged = JSON.stringify(records);
    expect(records).to.have.length(2);
    for (const secret of [TEST_KEY, 'wrong-key-987', 'sk-from-secrets-manager', PROMPT]) expect(logged).to.not.include(secret);
  });
});
