import { expect } from 'chai';
import { createModelResolver, modelIdCandidates, type ResolvedModel } from '../../../app/models/resolve.ts';

const SONNET = 'anthropic.claude-3-5-sonnet-20240620-v1:0';
const MODEL_MAP: Readonly<Record<string, string>> = {
  [SONNET]: 'gpt-4o',
  'amazon.nova-lite-v1:0': 'gpt-4o-mini',
  'us.meta.llama3-1-70b-instruct-v1:0': 'llama-profile-specific',
  'meta.llama3-1-70b-instruct-v1:0': 'llama-base',
};

describe('createModelResolver', () => {
  const cases: readonly (readonly [string, string, Omit<ResolvedModel, 'names'>])[] = [
    ['an exact MODEL_MAP id', SONNET, { upstream: 'gpt-4o', mapped: true }],
    ['a us. inference-profile id', `us.${SONNET}`, { upstream: 'gpt-4o', mapped: true }],
    ['an eu. inference-profile id', `eu.${SONNET}`, { upstream: 'gpt-4o', mapped: true }],
    ['an apac. inference-profile id', `apac.${SONNET}`, { upstream: 'gpt-4o', mapped: true }],
    ['a global. inference-profile id', `global.${SONNET}`, { upstream: 'gpt-4o', mapped: true }],
    ['a foundation-model ARN', `arn:aws:bedrock:us-east-1::foundation-model/${SONNET}`, { upstream: 'gpt-4o', mapped: true }],
    [
      'an inference-profile ARN',
      `arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.${SONNET}`,
      { upstream: 'gpt-4o', mapped: true },
    ],
    [
      'an inference-profile ARN in another partition',
      'arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.amazon.nova-lite-v1:0',
      { upstream: 'gpt-4o-mini', mapped: true },
    ],
    ['a profile id mapped itself (most specific wins)', 'us.meta.llama3-1-70b-instruct-v1:0', { upstream: 'llama-profile-specific', mapped: true }],
    ['another profile id of the same base', 'eu.meta.llama3-1-70b-instruct-v1:0', { upstream: 'llama-base', mapped: true }],
    ['an unmapped OpenAI name (pass-through)', 'gpt-4o-mini', { upstream: 'gpt-4o-mini', mapped: false }],
    ['an unmapped Bedrock id (pass-through)', 'cohere.command-r-v1:0', { upstream: 'cohere.command-r-v1:0', mapped: false }],
    ['an unmapped profile id (passed through whole)', 'us.cohere.command-r-v1:0', { upstream: 'us.cohere.command-r-v1:0', mapped: false }],
    [
      'an unmapped ARN (passed through whole)',
      'arn:aws:bedrock:us-east-1::foundation-model/cohere.command-r-v1:0',
      { upstream: 'arn:aws:bedrock:us-east-1::foundation-model/cohere.command-r-v1:0', mapped: false },
    ],
    ['a prefix that is not a region group', `xx.${SONNET}`, { upstream: `xx.${SONNET}`, mapped: false }],
  ];
  for (const [label, modelId, expected] of cases) {
    it(`resolves ${label}`, () => {
      // Prepare
      const resolve = createModelResolver(MODEL_MAP);
      // Act
      const resolved = resolve(modelId);
      // Assess
      expect({ upstream: resolved.upstream, mapped: resolved.mapped }).to.deep.equal(expected);
    });
  }

  for (const inherited of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'us.constructor']) {
    it(`does not resolve the inherited Object member ${inherited} as a mapping`, () => {
      // Prepare
      const resolve = createModelResolver({ ...MODEL_MAP });
      // Act
      const resolved = resolve(inherited);
      // Assess
      expect(resolved).to.deep.equal({ upstream: inherited, mapped: false, names: [...new Set([...modelIdCandidates(inherited), inherited])] });
    });
  }

  it('answers a repeated look-up from its cache, the same way', () => {
    // Prepare
    const resolve = createModelResolver(MODEL_MAP);
    // Act
    const first = resolve(`us.${SONNET}`);
    const second = resolve(`us.${SONNET}`);
    // Assess
    expect(second).to.deep.equal(first);
    expect(second).to.deep.include({ upstream: 'gpt-4o', mapped: true });
    expect(second).to.equal(first);
  });

  it('names the model every way an allow-list may: as sent, as MODEL_MAP matches it, and upstream', () => {
    // Prepare
    const resolve = createModelResolver(MODEL_MAP);
    // Act
    const { names } = resolve(`arn:aws:bedrock:us-east-1:1:inference-profile/us.${SONNET}`);
    // Assess
    expect(names).to.deep.equal([`arn:aws:bedrock:us-east-1:1:inference-profile/us.${SONNET}`, `us.${SONNET}`, SONNET, 'gpt-4o']);
  });
});

describe('modelIdCandidates', () => {
  const cases: readonly (readonly [string, readonly string[]])[] = [
    ['gpt-4o', ['gpt-4o']],
    [`us.${SONNET}`, [`us.${SONNET}`, SONNET]],
    [`arn:aws:bedrock:us-east-1::foundation-model/${SONNET}`, [`arn:aws:bedrock:us-east-1::foundation-model/${SONNET}`, SONNET]],
    [
      `arn:aws:bedrock:us-east-1:1:inference-profile/eu.${SONNET}`,
      [`arn:aws:bedrock:us-east-1:1:inference-profile/eu.${SONNET}`, `eu.${SONNET}`, SONNET],
    ],
  ];
  for (const [modelId, expected] of cases) {
    it(`lists ${modelId} most specific first`, () => {
      // Act
      const candidates = modelIdCandidates(modelId);
      // Assess
      expect(candidates).to.deep.equal(expected);
    });
  }
});
