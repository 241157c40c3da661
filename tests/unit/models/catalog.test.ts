import { expect } from 'chai';
import { BedrockError } from '../../../app/core/errors.ts';
import { ModelCatalog, type CatalogOptions, type ListFilters } from '../../../app/models/catalog.ts';
import type { Model } from '../../../app/upstream/upstream.ts';
import { rejectedBedrockError } from '../../helpers/bedrockErrors.ts';

const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const MODEL_MAP: Readonly<Record<string, string>> = {
  [SONNET]: 'gpt-4o',
  'amazon.titan-embed-text-v2:0': 'text-embedding-3-small',
  // An upstream id that is also an alias key must appear once.
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
};

const model = (id: string, ownedBy = 'system'): Model => ({ id, object: 'model', created: 1_700_000_000, owned_by: ownedBy });
const UPSTREAM: readonly Model[] = [model('gpt-4o'), model('gpt-4o-mini'), model('text-embedding-3-small', 'openai-internal'), model('llama-3-70b', 'meta-llama')];

/** The members of `FoundationModelSummary` in @aws-sdk/client-bedrock that the gateway fills. */
const SUMMARY_MEMBERS = [
  'modelArn',
  'modelId',
  'modelName',
  'providerName',
  'inputModalities',
  'outputModalities',
  'responseStreamingSupported',
  'customizationsSupported',
  'inferenceTypesSupported',
  'modelLifecycle',
];

interface Harness {
  catalog: ModelCatalog;
  calls: () => number;
  clock: { now: number };
}

function harness(overrides: Partial<CatalogOptions> = {}, upstream: () => Promise<Model[]> = async () => [...UPSTREAM]): Harness {
  let calls = 0;
  const clock = { now: 1_000_000 };
  const catalog = new ModelCatalog({
    modelMap: MODEL_MAP,
    cacheSeconds: 60,
    region: 'us-east-1',
    now: () => clock.now,
    listUpstream: () => {
      calls += 1;
      return upstream();
    },
    ...overrides,
  });
  return { catalog, calls: () => calls, clock };
}

describe('ModelCatalog.list: contents', () => {
  it('lists the MODEL_MAP aliases and the upstream models, once each, sorted by id', async () => {
    // Prepare
    const { catalog } = harness();
    // Act
    const models = await catalog.list();
    // Assess
    expect(models.map((m) => m.modelId)).to.deep.equal([
      'amazon.titan-embed-text-v2:0',
      SONNET,
      'gpt-4o',
      'gpt-4o-mini',
      'llama-3-70b',
      'text-embedding-3-small',
    ]);
  });

  it('names an alias after its upstream target', async () => {
    // Prepare
    const { catalog } = harness();
    // Act
    const alias = (await catalog.list()).find((m) => m.modelId === 'gpt-4o-mini');
    // Assess
    expect(alias?.modelName).to.equal('gpt-4o-mini-2024-07-18');
  });

  it('gives every summary exactly the FoundationModelSummary members, well typed', async () => {
    // Prepare
    const { catalog } = harness();
    // Act
    const models = await catalog.list();
    // Assess
    for (const summary of models) {
      expect(Object.keys(summary)).to.have.members(SUMMARY_MEMBERS);
      expect(summary.modelArn).to.equal(`arn:aws:bedrock:us-east-1::foundation-model/${summary.modelId}`);
      expect(summary.modelName).to.be.a('string').and.not.equal('');
      expect(summary.providerName).to.be.a('string').and.not.equal('');
      expect(summary.inputModalities).to.be.an('array').that.is.not.empty;
      expect(summary.outputModalities).to.be.an('array').that.is.not.empty;
      for (const modality of [...(summary.inputModalities ?? []), ...(summary.outputModalities ?? [])]) {
        expect(['TEXT', 'IMAGE', 'EMBEDDING']).to.include(modality);
      }
      expect(summary.responseStreamingSupported).to.be.a('boolean');
      expect(summary.customizationsSupported).to.deep.equal([]);
      expect(summary.inferenceTypesSupported).to.deep.equal(['ON_DEMAND']);
      expect(summary.modelLifecycle).to.deep.equal({ status: 'ACTIVE' });
    }
  });

  const shapes: readonly (readonly [string, string, readonly string[], readonly string[], boolean])[] = [
    ['a chat alias', SONNET, ['TEXT', 'IMAGE'], ['TEXT'], true],
    ['an embedding alias', 'amazon.titan-embed-text-v2:0', ['TEXT'], ['EMBEDDING'], false],
    ['an upstream embedding model', 'text-embedding-3-small', ['TEXT'], ['EMBEDDING'], false],
    ['an upstream chat model', 'gpt-4o', ['TEXT', 'IMAGE'], ['TEXT'], true],
  ];
  for (const [label, modelId, input, output, streaming] of shapes) {
    it(`describes ${label} (${modelId})`, async () => {
      // Prepare
      const { catalog } = harness();
      // Act
      const summary = await catalog.get(modelId);
      // Assess
      expect(summary.inputModalities).to.deep.equal(input);
      expect(summary.outputModalities).to.deep.equal(output);
      expect(summary.responseStreamingSupported).to.equal(streaming);
    });
  }

  const providers: readonly (readonly [string, string])[] = [
    [SONNET, 'Anthropic'],
    ['amazon.titan-embed-text-v2:0', 'Amazon'],
    ['gpt-4o', 'OpenAI'],
    ['text-embedding-3-small', 'OpenAI'],
    ['llama-3-70b', 'meta-llama'],
  ];
  for (const [modelId, provider] of providers) {
    it(`names the provider of ${modelId} ${provider}`, async () => {
      // Prepare
      const { catalog } = harness();
      // Act
      const summary = await catalog.get(modelId);
      // Assess
      expect(summary.providerName).to.equal(provider);
    });
  }

  it('names the provider of an inference-profile alias after its vendor', async () => {
    // Prepare
    const { catalog } = harness({ modelMap: { [`us.${SONNET}`]: 'gpt-4o' } }, async () => []);
    // Act
    const summary = await catalog.get(`us.${SONNET}`);
    // Assess
    expect(summary.providerName).to.equal('Anthropic');
  });
});

describe('ModelCatalog.list: filters', () => {
  const cases: readonly (readonly [string, ListFilters, readonly string[]])[] = [
    ['no filter', {}, ['amazon.titan-embed-text-v2:0', SONNET, 'gpt-4o', 'gpt-4o-mini', 'llama-3-70b', 'text-embedding-3-small']],
    ['byProvider exact', { byProvider: 'Anthropic' }, [SONNET]],
    ['byProvider lower-case', { byProvider: 'anthropic' }, [SONNET]],
    ['byProvider upper-case', { byProvider: 'OPENAI' }, ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small']],
    ['byProvider unknown', { byProvider: 'Cohere' }, []],
    ['byOutputModality EMBEDDING', { byOutputModality: 'EMBEDDING' }, ['amazon.titan-embed-text-v2:0', 'text-embedding-3-small']],
    ['byOutputModality TEXT', { byOutputModality: 'TEXT' }, [SONNET, 'gpt-4o', 'gpt-4o-mini', 'llama-3-70b']],
    ['byOutputModality IMAGE', { byOutputModality: 'IMAGE' }, []],
    ['byInferenceType ON_DEMAND', { byInferenceType: 'ON_DEMAND' }, ['amazon.titan-embed-text-v2:0', SONNET, 'gpt-4o', 'gpt-4o-mini', 'llama-3-70b', 'text-embedding-3-small']],
    ['byInferenceType PROVISIONED', { byInferenceType: 'PROVISIONED' }, []],
    ['byCustomizationType FINE_TUNING', { byCustomizationType: 'FINE_TUNING' }, []],
    ['two filters together', { byProvider: 'openai', byOutputModality: 'EMBEDDING' }, ['text-embedding-3-small']],
  ];
  for (const [label, filters, expected] of cases) {
    it(`applies ${label}`, async () => {
      // Prepare
      const { catalog } = harness();
      // Act
      const models = await catalog.list(filters);
      // Assess
      expect(models.map((m) => m.modelId)).to.deep.equal(expected);
    });
  }
});

describe('ModelCatalog: cache', () => {
  it('calls the upstream once within the TTL and again after it', async () => {
    // Prepare
    const { catalog, calls, clock } = harness({ cacheSeconds: 60 });
    // Act
    await catalog.list();
    clock.now += 59_999;
    await catalog.list();
    await catalog.get('gpt-4o');
    const withinTtl = calls();
    clock.now += 1;
    await catalog.list();
    // Assess
    expect(withinTtl).to.equal(1);
    expect(calls()).to.equal(2);
  });

  it('calls the upstream every time with a TTL of 0', async () => {
    // Prepare
    const { catalog, calls } = harness({ cacheSeconds: 0 });
    // Act
    await catalog.list();
    await catalog.list();
    // Assess
    expect(calls()).to.equal(2);
  });

  it('shares one upstream call between concurrent callers', async () => {
    // Prepare
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const { catalog, calls } = harness({}, async () => {
      await gate;
      return [...UPSTREAM];
    });
    // Act
    const pending = [catalog.list(), catalog.get('gpt-4o'), catalog.list({ byProvider: 'openai' })];
    release();
    const [all, one, filtered] = await Promise.all(pending);
    // Assess
    expect(calls()).to.equal(1);
    expect(all).to.have.length(6);
    expect(one).to.include({ modelId: 'gpt-4o' });
    expect(filtered).to.have.length(3);
  });

  it('does not cache a failed upstream call', async () => {
    // Prepare
    let attempt = 0;
    const { catalog, calls } = harness({}, async () => {
      attempt += 1;
      if (attempt === 1) throw new BedrockError('ServiceUnavailableException', 'down');
      return [...UPSTREAM];
    });
    // Act
    const first = await rejectedBedrockError(catalog.list());
    const second = await catalog.list();
    // Assess
    expect(first).to.be.instanceOf(BedrockError);
    expect(second).to.have.length(6);
    expect(calls()).to.equal(2);
  });

  it("loads without any caller's abort signal, so one caller going away cannot fail the others sharing the load", async () => {
    // Prepare
    let release: (models: never[]) => void = () => undefined;
    const catalog = new ModelCatalog({
      modelMap: { a: 'gpt-4o' },
      cacheSeconds: 60,
      region: 'eu-west-1',
      listUpstream: (...args: unknown[]) => {
        expect(args).to.have.length(0);
        return new Promise((resolve) => {
          release = resolve;
        });
      },
    });
    // Act
    const first = catalog.list({});
    const second = catalog.list({});
    release([]);
    // Assess
    expect((await first).map((m) => m.modelId)).to.deep.equal(['a']);
    expect((await second).map((m) => m.modelId)).to.deep.equal(['a']);
  });
});

describe('ModelCatalog.get', () => {
  const found: readonly (readonly [string, string, string])[] = [
    ['an alias id', SONNET, SONNET],
    ['an upstream id', 'gpt-4o', 'gpt-4o'],
    ['an alias ARN', `arn:aws:bedrock:us-east-1::foundation-model/${SONNET}`, SONNET],
    ['an upstream ARN', 'arn:aws:bedrock:us-east-1::foundation-model/llama-3-70b', 'llama-3-70b'],
  ];
  for (const [label, identifier, modelId] of found) {
    it(`finds ${label}`, async () => {
      // Prepare
      const { catalog } = harness();
      // Act
      const summary = await catalog.get(identifier);
      // Assess
      expect(summary.modelId).to.equal(modelId);
    });
  }

  for (const unknown of ['gpt-9', 'arn:aws:bedrock:eu-west-1::foundation-model/gpt-4o']) {
    it(`throws ResourceNotFoundException 404 for ${unknown}`, async () => {
      // Prepare
      const { catalog } = harness();
      // Act
      const error = await rejectedBedrockError(catalog.get(unknown));
      // Assess
      expect(error).to.be.instanceOf(BedrockError);
      expect((error as BedrockError).exception).to.equal('ResourceNotFoundException');
      expect((error as BedrockError).status).to.equal(404);
    });
  }
});
