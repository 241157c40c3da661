import { expect } from 'chai';
import { createCallerAuth, presentedKey, type CallerAuthOptions, type KeyProvider } from '../../../app/auth/callerAuth.ts';
import { BedrockError } from '../../../app/core/errors.ts';
import { rejectedBedrockError, thrownBedrockError } from '../../helpers/bedrockErrors.ts';

type HeaderMap = Record<string, string | undefined>;

const KEYS: readonly string[] = ['key-alpha-0001', 'key-beta-0002'];
const provide = (keys: readonly string[]): KeyProvider => async () => keys;
const DENY: CallerAuthOptions = { whenUnconfigured: 'deny' };
const ALLOW: CallerAuthOptions = { whenUnconfigured: 'allow' };

describe('callerAuth: accepted keys', () => {
  const cases: readonly (readonly [string, HeaderMap])[] = [
    ['Authorization: Bearer with the first key', { authorization: 'Bearer key-alpha-0001' }],
    ['Authorization: Bearer with the second key', { authorization: 'Bearer key-beta-0002' }],
    ['a lower-case bearer scheme', { authorization: 'bearer key-alpha-0001' }],
    ['extra spaces around the token', { authorization: 'Bearer    key-alpha-0001  ' }],
    ['x-api-key', { 'x-api-key': 'key-beta-0002' }],
    ['x-api-key with surrounding spaces', { 'x-api-key': '  key-beta-0002 ' }],
    // With API Gateway usage-plan keys on, x-api-key carries the API Gateway key: Authorization wins.
    ['Authorization winning over an API Gateway x-api-key', { authorization: 'Bearer key-alpha-0001', 'x-api-key': 'apigw-usage-plan-key' }],
  ];
  for (const [label, headers] of cases) {
    it(`accepts ${label}`, async () => {
      // Prepare
      const auth = createCallerAuth(provide(KEYS), DENY);
      // Act
      const outcome = await auth.authorize(headers);
      // Assess
      expect(outcome).to.equal(undefined);
    });
  }
});

describe('callerAuth: refused requests', () => {
  const SIGV4 =
    'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef0123456789';
  const cases: readonly (readonly [string, HeaderMap, string | undefined, string | undefined])[] = [
    ['a wrong bearer key', { authorization: 'Bearer wrong-key-SECRET-1' }, 'not valid', 'wrong-key-SECRET-1'],
    ['a wrong x-api-key', { 'x-api-key': 'wrong-key-SECRET-2' }, 'not valid', 'wrong-key-SECRET-2'],
    ['a key that is a prefix of a real one', { authorization: 'Bearer key-alpha' }, 'not valid', undefined],
    ['a key with a different case', { authorization: 'Bearer KEY-ALPHA-0001' }, 'not valid', 'KEY-ALPHA-0001'],
    ['no credentials at all', {}, 'Missing API key', undefined],
    ['an empty x-api-key', { 'x-api-key': '' }, 'Missing API key', undefined],
    ['a Basic scheme', { authorization: 'Basic a2V5LWFscGhhLTAwMDE=' }, 'Missing API key', 'a2V5LWFscGhhLTAwMDE='],
    ['a bare Bearer with no token', { authorization: 'Bearer ' }, 'Missing API key', undefined],
    ['a SigV4 signature', { authorization: SIGV4 }, 'AWS_BEARER_TOKEN_BEDROCK', 'AKIDEXAMPLE'],
    ['a wrong bearer next to a valid x-api-key', { authorization: 'Bearer nope-SECRET-3', 'x-api-key': 'key-alpha-0001' }, 'not valid', 'nope-SECRET-3'],
  ];
  for (const [label, headers, fragment, secret] of cases) {
    it(`refuses ${label} with AccessDeniedException 403`, async () => {
      // Prepare
      const auth = createCallerAuth(provide(KEYS), DENY);
      // Act
      const error = await rejectedBedrockError(auth.authorize(headers));
      // Assess
      expect(error.exception).to.equal('AccessDeniedException');
      expect(error.status).to.equal(403);
      if (fragment) expect(error.message).to.include(fragment);
      if (secret) expect(error.message).to.not.include(secret);
      for (const key of KEYS) expect(error.message).to.not.include(key);
    });
  }
});

describe('callerAuth: no keys configured', () => {
  it("'allow' lets every request through", async () => {
    // Prepare
    const auth = createCallerAuth(provide([]), ALLOW);
    // Act
    const outcome = await auth.authorize({});
    // Assess
    expect(outcome).to.equal(undefined);
  });

  it("'allow' lets a request with any key through", async () => {
    // Prepare
    const auth = createCallerAuth(provide([]), ALLOW);
    // Act
    const outcome = await auth.authorize({ authorization: 'Bearer anything' });
    // Assess
    expect(outcome).to.equal(undefined);
  });

  it("'deny' refuses every request with 403", async () => {
    // Prepare
    const auth = createCallerAuth(provide([]), DENY);
    // Act
    const error = await rejectedBedrockError(auth.authorize({ authorization: 'Bearer anything-SECRET' }));
    // Assess
    expect(error.exception).to.equal('AccessDeniedException');
    expect(error.status).to.equal(403);
    expect(error.message).to.not.include('anything-SECRET');
  });
});

describe('callerAuth: key provider', () => {
  it('asks the provider on every request, so rotated keys take effect', async () => {
    // Prepare
    let keys: readonly string[] = ['old-key'];
    const auth = createCallerAuth(async () => keys, DENY);
    await auth.authorize({ authorization: 'Bearer old-key' });
    // Act
    keys = ['new-key'];
    const error = await rejectedBedrockError(auth.authorize({ authorization: 'Bearer old-key' }));
    await auth.authorize({ authorization: 'Bearer new-key' });
    // Assess
    expect(error.exception).to.equal('AccessDeniedException');
  });

  it('propagates a provider failure unchanged (never allows)', async () => {
    // Prepare
    const failure = new BedrockError('InternalServerException', 'secrets unavailable');
    const auth = createCallerAuth(async () => Promise.reject(failure), ALLOW);
    // Act
    let thrown: unknown;
    try {
      await auth.authorize({ authorization: 'Bearer key-alpha-0001' });
    } catch (error) {
      thrown = error;
    }
    // Assess
    expect(thrown).to.equal(failure);
  });
});

describe('presentedKey', () => {
  const cases: readonly (readonly [string, HeaderMap, string | undefined])[] = [
    ['bearer', { authorization: 'Bearer abc' }, 'abc'],
    ['x-api-key', { 'x-api-key': 'xyz' }, 'xyz'],
    ['Authorization before x-api-key', { 'x-api-key': 'xyz', authorization: 'Bearer abc' }, 'abc'],
    ['a blank x-api-key as nothing', { 'x-api-key': '   ' }, undefined],
    ['nothing', {}, undefined],
    ['an unknown scheme', { authorization: 'Token abc' }, undefined],
  ];
  for (const [label, headers, expected] of cases) {
    it(`reads ${label}`, () => {
      // Act
      const key = presentedKey(headers);
      // Assess
      expect(key).to.equal(expected);
    });
  }

  it('throws a SigV4-specific AccessDeniedException', () => {
    // Act
    const thrown = thrownBedrockError(() => presentedKey({ authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/bedrock/aws4_request' }));
    // Assess
    expect(thrown.status).to.equal(403);
    expect(thrown.message).to.include('AWS_BEARER_TOKEN_BEDROCK');
  });
});
