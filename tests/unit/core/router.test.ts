import { expect } from 'chai';
import { BedrockError } from '../../../app/core/errors.ts';
import { route, type Route } from '../../../app/core/router.ts';

const PROFILE_ARN = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0';
const FOUNDATION_ARN = 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0';

/** Runs `route` and returns the BedrockError it throws (fails the test when it does not throw one). */
function routeError(method: string, path: string): BedrockError {
  try {
    route(method, path);
  } catch (error) {
    expect(error).to.be.instanceOf(BedrockError);
    return error as BedrockError;
  }
  expect.fail(`expected ${method} ${path} to throw`);
}

describe('route: operations on their Bedrock paths', () => {
  const cases: readonly (readonly [string, string, Route])[] = [
    ['POST', '/model/amazon.nova-lite-v1:0/converse', { op: 'Converse', modelId: 'amazon.nova-lite-v1:0' }],
    ['POST', '/model/amazon.nova-lite-v1:0/converse-stream', { op: 'ConverseStream', modelId: 'amazon.nova-lite-v1:0' }],
    ['POST', '/model/amazon.nova-lite-v1:0/invoke', { op: 'InvokeModel', modelId: 'amazon.nova-lite-v1:0' }],
    [
      'POST',
      '/model/amazon.nova-lite-v1:0/invoke-with-response-stream',
      { op: 'InvokeModelWithResponseStream', modelId: 'amazon.nova-lite-v1:0' },
    ],
    ['POST', '/model/amazon.nova-lite-v1:0/count-tokens', { op: 'CountTokens', modelId: 'amazon.nova-lite-v1:0' }],
    ['GET', '/foundation-models', { op: 'ListFoundationModels' }],
    ['GET', '/foundation-models/gpt-4o-mini', { op: 'GetFoundationModel', modelId: 'gpt-4o-mini' }],
    ['GET', '/health', { op: 'Health' }],
    ['HEAD', '/health', { op: 'Health' }],
  ];
  for (const [method, path, expected] of cases) {
    it(`${method} ${path} -> ${expected.op}`, () => {
      // Act
      const matched = route(method, path);
      // Assess
      expect(matched).to.deep.equal(expected);
    });
  }
});

describe('route: model ids, encoded and raw', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['a percent-encoded colon (%3A)', '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['a lower-case %3a', '/model/anthropic.claude-3-haiku-20240307-v1%3a0/converse', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['a percent-encoded slash (%2F)', '/model/my%2Fmodel/converse', 'my/model'],
    ['a fully encoded inference-profile ARN', `/model/${encodeURIComponent(PROFILE_ARN)}/converse`, PROFILE_ARN],
    ['a fully encoded foundation-model ARN', `/model/${encodeURIComponent(FOUNDATION_ARN)}/converse`, FOUNDATION_ARN],
    ['a raw inference-profile ARN with a slash', `/model/${PROFILE_ARN}/converse`, PROFILE_ARN],
    ['a raw foundation-model ARN with a slash', `/model/${FOUNDATION_ARN}/converse`, FOUNDATION_ARN],
    ['a raw colon', '/model/anthropic.claude-3-haiku-20240307-v1:0/converse', 'anthropic.claude-3-haiku-20240307-v1:0'],
    ['an encoded space', '/model/my%20model/converse', 'my model'],
  ];
  for (const [label, path, modelId] of cases) {
    it(`decodes ${label}`, () => {
      // Act
      const matched = route('POST', path);
      // Assess
      expect(matched).to.deep.equal({ op: 'Converse', modelId });
    });
  }

  it('keeps the action of a raw ARN whose path ends in an action name', () => {
    // Act
    const matched = route('POST', `/model/${PROFILE_ARN}/converse-stream`);
    // Assess
    expect(matched).to.deep.equal({ op: 'ConverseStream', modelId: PROFILE_ARN });
  });

  it('decodes an encoded ARN on GetFoundationModel', () => {
    // Act
    const matched = route('GET', `/foundation-models/${encodeURIComponent(FOUNDATION_ARN)}`);
    // Assess
    expect(matched).to.deep.equal({ op: 'GetFoundationModel', modelId: FOUNDATION_ARN });
  });

  it('accepts a raw ARN on GetFoundationModel', () => {
    // Act
    const matched = route('GET', `/foundation-models/${FOUNDATION_ARN}`);
    // Assess
    expect(matched).to.deep.equal({ op: 'GetFoundationModel', modelId: FOUNDATION_ARN });
  });
});

describe('route: base-path prefixes and trailing slashes', () => {
  const cases: readonly (readonly [string, string, string, Route])[] = [
    ['a stage prefix', 'POST', '/prod/model/x/converse', { op: 'Converse', modelId: 'x' }],
    ['a two-segment prefix', 'POST', '/a/b/model/x/converse-stream', { op: 'ConverseStream', modelId: 'x' }],
    ['a stage prefix and a raw ARN', 'POST', `/prod/model/${PROFILE_ARN}/invoke`, { op: 'InvokeModel', modelId: PROFILE_ARN }],
    ['a stage prefix and an encoded ARN', 'POST', `/prod/model/${encodeURIComponent(PROFILE_ARN)}/converse`, { op: 'Converse', modelId: PROFILE_ARN }],
    ['a two-segment prefix on the list', 'GET', '/a/b/foundation-models', { op: 'ListFoundationModels' }],
    ['a stage prefix on get', 'GET', '/prod/foundation-models/gpt-4o', { op: 'GetFoundationModel', modelId: 'gpt-4o' }],
    ['a stage prefix on health', 'GET', '/prod/health', { op: 'Health' }],
    ['a trailing slash on converse', 'POST', '/model/x/converse/', { op: 'Converse', modelId: 'x' }],
    ['a trailing slash with a prefix', 'POST', '/prod/model/x/count-tokens/', { op: 'CountTokens', modelId: 'x' }],
    ['a trailing slash on the list', 'GET', '/foundation-models/', { op: 'ListFoundationModels' }],
    ['a trailing slash on get', 'GET', '/foundation-models/gpt-4o/', { op: 'GetFoundationModel', modelId: 'gpt-4o' }],
    ['a trailing slash on health', 'GET', '/health/', { op: 'Health' }],
  ];
  for (const [label, method, path, expected] of cases) {
    it(`routes ${label}: ${method} ${path}`, () => {
      // Act
      const matched = route(method, path);
      // Assess
      expect(matched).to.deep.equal(expected);
    });
  }
});

describe('route: wrong method', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['GET', '/model/x/converse', 'POST'],
    ['PUT', '/model/x/converse-stream', 'POST'],
    ['DELETE', '/prod/model/x/invoke', 'POST'],
    ['GET', '/model/x/invoke-with-response-stream', 'POST'],
    ['GET', '/model/x/count-tokens', 'POST'],
    ['POST', '/foundation-models', 'GET'],
    ['DELETE', '/foundation-models/gpt-4o', 'GET'],
    ['POST', '/health', 'GET'],
  ];
  for (const [method, path, allowed] of cases) {
    it(`${method} ${path} -> 405 ValidationException naming ${allowed}`, () => {
      // Act
      const error = routeError(method, path);
      // Assess
      expect(error.status).to.equal(405);
      expect(error.exception).to.equal('ValidationException');
      expect(error.message).to.include(`use ${allowed}`);
      expect(error.message).to.include(method);
    });
  }
});

describe('route: unknown paths', () => {
  const cases: readonly (readonly [string, string])[] = [
    ['GET', '/'],
    ['POST', '/model/x/chat'],
    ['POST', '/model/converse'],
    ['POST', '/model//converse'],
    ['POST', '/v1/chat/completions'],
    ['GET', '/foundation-modelsx'],
    ['POST', '/guardrail/g1/version/1/apply'],
  ];
  for (const [method, path] of cases) {
    it(`${method} ${path} -> 404 ResourceNotFoundException`, () => {
      // Act
      const error = routeError(method, path);
      // Assess
      expect(error.status).to.equal(404);
      expect(error.exception).to.equal('ResourceNotFoundException');
    });
  }

  it('truncates a very long unknown path in the message', () => {
    // Prepare
    const path = `/${'a'.repeat(5000)}`;
    // Act
    const error = routeError('GET', path);
    // Assess
    expect(error.message.length).to.be.lessThan(300);
  });
});

describe('route: invalid model ids', () => {
  const cases: readonly (readonly [string, string, string])[] = [
    ['a truncated percent-escape', 'POST', '/model/%E0%A4%A/converse'],
    ['a lone percent sign', 'POST', '/model/abc%/converse'],
    ['an invalid UTF-8 sequence', 'POST', '/model/%FF%FE/invoke'],
    ['an invalid escape on GetFoundationModel', 'GET', '/foundation-models/%E0%A4%A'],
    ['an id longer than 2048 characters', 'POST', `/model/${'m'.repeat(2049)}/converse`],
  ];
  for (const [label, method, path] of cases) {
    it(`rejects ${label} with 400 ValidationException`, () => {
      // Act
      const error = routeError(method, path);
      // Assess
      expect(error.status).to.equal(400);
      expect(error.exception).to.equal('ValidationException');
      expect(error.message).to.include('modelId');
    });
  }
});
