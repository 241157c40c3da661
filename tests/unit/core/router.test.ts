import { expect } from 'chai';
import { route, type Route } from '../../../app/core/router.ts';
import { thrownBedrockError } from '../../helpers/bedrockErrors.ts';

const PROFILE_ARN = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-sonnet-20240620-v1:0';
const FOUNDATION_ARN = 'arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0';
const HAIKU = 'anthropic.claude-3-haiku-20240307-v1:0';

type RouteCase = readonly [label: string, method: string, path: string, expected: Route];

/** One test per row: `route(method, path)` matches exactly `expected`. */
function itRoutes(cases: readonly RouteCase[]): void {
  for (const [label, method, path, expected] of cases) {
    it(`${label}: ${method} ${path} -> ${expected.op}`, () => {
      // Act
      const matched = route(method, path);
      // Assess
      expect(matched).to.deep.equal(expected);
    });
  }
}

const routeError = (method: string, path: string) => thrownBedrockError(() => route(method, path));

describe('route: operations on their Bedrock paths', () => {
  itRoutes([
    ['converse', 'POST', '/model/amazon.nova-lite-v1:0/converse', { op: 'Converse', modelId: 'amazon.nova-lite-v1:0' }],
    ['converse-stream', 'POST', '/model/amazon.nova-lite-v1:0/converse-stream', { op: 'ConverseStream', modelId: 'amazon.nova-lite-v1:0' }],
    ['invoke', 'POST', '/model/amazon.nova-lite-v1:0/invoke', { op: 'InvokeModel', modelId: 'amazon.nova-lite-v1:0' }],
    [
      'invoke-with-response-stream',
      'POST',
      '/model/amazon.nova-lite-v1:0/invoke-with-response-stream',
      { op: 'InvokeModelWithResponseStream', modelId: 'amazon.nova-lite-v1:0' },
    ],
    ['count-tokens', 'POST', '/model/amazon.nova-lite-v1:0/count-tokens', { op: 'CountTokens', modelId: 'amazon.nova-lite-v1:0' }],
    ['the list', 'GET', '/foundation-models', { op: 'ListFoundationModels' }],
    ['one model', 'GET', '/foundation-models/gpt-4o-mini', { op: 'GetFoundationModel', modelId: 'gpt-4o-mini' }],
    ['health', 'GET', '/health', { op: 'Health' }],
    ['health by HEAD', 'HEAD', '/health', { op: 'Health' }],
  ]);
});

describe('route: model ids, encoded and raw', () => {
  itRoutes([
    ['a percent-encoded colon (%3A)', 'POST', '/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse', { op: 'Converse', modelId: HAIKU }],
    ['a lower-case %3a', 'POST', '/model/anthropic.claude-3-haiku-20240307-v1%3a0/converse', { op: 'Converse', modelId: HAIKU }],
    ['a percent-encoded slash (%2F)', 'POST', '/model/my%2Fmodel/converse', { op: 'Converse', modelId: 'my/model' }],
    ['a fully encoded inference-profile ARN', 'POST', `/model/${encodeURIComponent(PROFILE_ARN)}/converse`, { op: 'Converse', modelId: PROFILE_ARN }],
    ['a fully encoded foundation-model ARN', 'POST', `/model/${encodeURIComponent(FOUNDATION_ARN)}/converse`, { op: 'Converse', modelId: FOUNDATION_ARN }],
    ['a raw inference-profile ARN with a slash', 'POST', `/model/${PROFILE_ARN}/converse`, { op: 'Converse', modelId: PROFILE_ARN }],
    ['a raw foundation-model ARN with a slash', 'POST', `/model/${FOUNDATION_ARN}/converse`, { op: 'Converse', modelId: FOUNDATION_ARN }],
    ['a raw colon', 'POST', `/model/${HAIKU}/converse`, { op: 'Converse', modelId: HAIKU }],
    ['an encoded space', 'POST', '/model/my%20model/converse', { op: 'Converse', modelId: 'my model' }],
    ['a raw ARN whose path ends in an action name', 'POST', `/model/${PROFILE_ARN}/converse-stream`, { op: 'ConverseStream', modelId: PROFILE_ARN }],
    ['an encoded ARN on GetFoundationModel', 'GET', `/foundation-models/${encodeURIComponent(FOUNDATION_ARN)}`, { op: 'GetFoundationModel', modelId: FOUNDATION_ARN }],
    ['a raw ARN on GetFoundationModel', 'GET', `/foundation-models/${FOUNDATION_ARN}`, { op: 'GetFoundationModel', modelId: FOUNDATION_ARN }],
  ]);
});

describe('route: base-path prefixes and trailing slashes', () => {
  itRoutes([
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
  ]);
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
