/** Which credential a request carries and who it names: API keys (bearer or x-api-key), JWTs, SigV4. */
import { expect } from 'chai';
import { createApiKeyVerifier, type ApiKeyProvider } from '../../../app/auth/apiKeys.ts';
import { createAuthenticator, presentedToken, type AuthenticatorOptions } from '../../../app/auth/authenticate.ts';
import type { JwtVerifier } from '../../../app/auth/jwt.ts';
import type { SigV4Verifier } from '../../../app/auth/sigv4.ts';
import { parseApiKeyList, type ApiKeyEntry } from '../../../app/config/credentials.ts';
import type { Caller } from '../../../app/core/caller.ts';
import { BedrockError } from '../../../app/core/errors.ts';
import type { GatewayRequest } from '../../../app/core/request.ts';
import { rejectedBedrockError } from '../../helpers/bedrockErrors.ts';

type HeaderMap = Record<string, string | undefined>;

const KEYS: readonly ApiKeyEntry[] = parseApiKeyList('alpha=key-alpha-0001,key-beta-0002');
const provide = (keys: readonly ApiKeyEntry[]): ApiKeyProvider => async () => keys;
const request = (headers: HeaderMap, extra: Partial<GatewayRequest> = {}): GatewayRequest => ({ method: 'POST', path: '/model/m/converse', query: {}, headers, body: new Uint8Array(0), ...extra });
const noBody = async () => new Uint8Array(0);
const SIGV4 = 'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host;x-amz-date, Signature=abcdef0123456789';

function authenticator(options: Partial<AuthenticatorOptions> = {}, keys: readonly ApiKeyEntry[] = KEYS) {
  return createAuthenticator({ apiKeys: createApiKeyVerifier(provide(keys)), whenUnconfigured: 'deny', ...options });
}

describe('authenticate: API keys', () => {
  const cases: readonly (readonly [string, HeaderMap, string])[] = [
    ['Authorization: Bearer with a named key', { authorization: 'Bearer key-alpha-0001' }, 'alpha'],
    ['Authorization: Bearer with a bare key (named by its hash)', { authorization: 'Bearer key-beta-0002' }, KEYS[1]!.name],
    ['a lower-case bearer scheme', { authorization: 'bearer key-alpha-0001' }, 'alpha'],
    ['extra spaces around the token', { authorization: 'Bearer    key-alpha-0001  ' }, 'alpha'],
    ['x-api-key', { 'x-api-key': 'key-beta-0002' }, KEYS[1]!.name],
    ['x-api-key with surrounding spaces', { 'x-api-key': '  key-beta-0002 ' }, KEYS[1]!.name],
    // With API Gateway usage-plan keys on, x-api-key carries the API Gateway key: Authorization wins.
    ['Authorization winning over an API Gateway x-api-key', { authorization: 'Bearer key-alpha-0001', 'x-api-key': 'apigw-usage-plan-key' }, 'alpha'],
  ];
  for (const [label, headers, name] of cases) {
    it(`accepts ${label}, as caller ${name}`, async () => {
      // Act
      const caller = await authenticator().authenticate(request(headers), noBody);
      // Assess
      expect(caller).to.deep.equal({ name, method: 'api-key' });
    });
  }

  it("carries the key's model list to the caller", async () => {
    // Prepare
    const auth = authenticator({}, [{ name: 'limited', key: 'k-limited-1', models: ['gpt-4o-mini'] }]);
    // Act
    const caller = await auth.authenticate(request({ authorization: 'Bearer k-limited-1' }), noBody);
    // Assess
    expect(caller).to.deep.equal({ name: 'limited', method: 'api-key', allowedModels: ['gpt-4o-mini'] });
  });

  const refusals: readonly (readonly [string, HeaderMap, string, string | undefined])[] = [
    ['a wrong bearer key', { authorization: 'Bearer wrong-key-SECRET-1' }, 'not valid', 'wrong-key-SECRET-1'],
    ['a wrong x-api-key', { 'x-api-key': 'wrong-key-SECRET-2' }, 'not valid', 'wrong-key-SECRET-2'],
    ['a key that is a prefix of a real one', { authorization: 'Bearer key-alpha' }, 'not valid', undefined],
    ['a key with a different case', { authorization: 'Bearer KEY-ALPHA-0001' }, 'not valid', 'KEY-ALPHA-0001'],
    ['a key name sent instead of the key', { authorization: 'Bearer alpha' }, 'not valid', undefined],
    ['no credentials at all', {}, 'Missing credentials', undefined],
    ['an empty x-api-key', { 'x-api-key': '' }, 'Missing credentials', undefined],
    ['a Basic scheme', { authorization: 'Basic a2V5LWFscGhhLTAwMDE=' }, 'Missing credentials', 'a2V5LWFscGhhLTAwMDE='],
    ['a bare Bearer with no token', { authorization: 'Bearer ' }, 'Missing credentials', undefined],
    ['a SigV4 signature on a gateway with no SigV4 credentials', { authorization: SIGV4 }, 'AWS_BEARER_TOKEN_BEDROCK', 'AKIDEXAMPLE'],
    ['a wrong bearer next to a valid x-api-key', { authorization: 'Bearer nope-SECRET-3', 'x-api-key': 'key-alpha-0001' }, 'not valid', 'nope-SECRET-3'],
  ];
  for (const [label, headers, fragment, secret] of refusals) {
    it(`refuses ${label} with AccessDeniedException 403`, async () => {
      // Act
      const error = await rejectedBedrockError(authenticator().authenticate(request(headers), noBody));
      // Assess
      expect(error.exception).to.equal('AccessDeniedException');
      expect(error.status).to.equal(403);
      expect(error.message).to.include(fragment);
      if (secret) expect(error.message).to.not.include(secret);
      for (const { key } of KEYS) expect(error.message).to.not.include(key);
    });
  }
});

describe('authenticate: nothing configured', () => {
  it("'allow' (the local server) lets every request through as anonymous, with or without a key", async () => {
    // Prepare
    const auth = authenticator({ whenUnconfigured: 'allow' }, []);
    // Act
    const bare = await auth.authenticate(request({}), noBody);
    const keyed = await auth.authenticate(request({ authorization: 'Bearer anything' }), noBody);
    // Assess
    expect([bare, keyed]).to.deep.equal([
      { name: 'anonymous', method: 'none' },
      { name: 'anonymous', method: 'none' },
    ]);
  });

  it("'deny' (the Lambda) refuses every request with 403", async () => {
    // Act
    const error = await rejectedBedrockError(authenticator({}, []).authenticate(request({ authorization: 'Bearer anything-SECRET' }), noBody));
    // Assess
    expect(error.exception).to.equal('AccessDeniedException');
    expect(error.message).to.include('no caller credentials configured');
    expect(error.message).to.not.include('anything-SECRET');
  });

  it('is not "nothing configured" when only a JWT issuer or SigV4 credentials are', async () => {
    // Prepare
    const jwt: JwtVerifier = { verify: async () => ({ name: 'j', method: 'jwt' }) };
    // Act
    const error = await rejectedBedrockError(authenticator({ jwt, whenUnconfigured: 'allow' }, []).authenticate(request({}), noBody));
    // Assess
    expect(error.message).to.include('Missing credentials');
  });
});

describe('authenticate: which verifier a credential goes to', () => {
  const jwtToken = `${Buffer.from('{"alg":"RS256","kid":"k"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.c2ln`;
  const recorder = () => {
    const seen: string[] = [];
    const jwt: JwtVerifier = { verify: async (token) => (seen.push(`jwt ${token === jwtToken}`), { name: 'jwt-caller', method: 'jwt' }) };
    const sigv4: SigV4Verifier = {
      verify: async (signedRequest, body) => (seen.push(`sigv4 ${signedRequest.paths.join(',')} ${(await body()).byteLength}`), { name: 'signer', method: 'sigv4' }),
    };
    return { seen, jwt, sigv4 };
  };

  it('a JWT bearer token goes to the JWT verifier when JWT_ISSUER is set', async () => {
    // Prepare
    const { seen, jwt } = recorder();
    // Act
    const caller = await authenticator({ jwt }).authenticate(request({ authorization: `Bearer ${jwtToken}` }), noBody);
    // Assess
    expect(caller.name).to.equal('jwt-caller');
    expect(seen).to.deep.equal(['jwt true']);
  });

  it('a JWT sent as x-api-key (what some clients send) goes to the JWT verifier too', async () => {
    // Prepare
    const { seen, jwt } = recorder();
    // Act
    await authenticator({ jwt }).authenticate(request({ 'x-api-key': jwtToken }), noBody);
    // Assess
    expect(seen).to.deep.equal(['jwt true']);
  });

  it('a JWT is only an API key when no issuer is configured', async () => {
    // Act
    const error = await rejectedBedrockError(authenticator().authenticate(request({ authorization: `Bearer ${jwtToken}` }), noBody));
    // Assess
    expect(error.message).to.include('API key is not valid');
  });

  it('an API key still works next to a JWT issuer', async () => {
    // Prepare
    const { seen, jwt } = recorder();
    // Act
    const caller = await authenticator({ jwt }).authenticate(request({ authorization: 'Bearer key-alpha-0001' }), noBody);
    // Assess
    expect(caller.name).to.equal('alpha');
    expect(seen).to.deep.equal([]);
  });

  it('a SigV4 signature goes to the SigV4 verifier with the edge’s signing view and the body', async () => {
    // Prepare
    const { seen, sigv4 } = recorder();
    const signedRequest = request({ authorization: SIGV4 }, { signing: { paths: ['/prod/model/m/converse', '/model/m/converse'], query: {} } });
    // Act
    const caller = await authenticator({ sigv4 }).authenticate(signedRequest, async () => new Uint8Array(7));
    // Assess
    expect(caller.name).to.equal('signer');
    expect(seen).to.deep.equal(['sigv4 /prod/model/m/converse,/model/m/converse 7']);
  });

  it('without a signing view, SigV4 uses the path as received', async () => {
    // Prepare
    const { seen, sigv4 } = recorder();
    // Act
    await authenticator({ sigv4 }).authenticate(request({ authorization: SIGV4 }), noBody);
    // Assess
    expect(seen).to.deep.equal(['sigv4 /model/m/converse 0']);
  });
});

describe('authenticate: the key provider', () => {
  it('asks the provider on every request, so rotated keys take effect', async () => {
    // Prepare
    let keys: readonly ApiKeyEntry[] = parseApiKeyList('old-key');
    const auth = createAuthenticator({ apiKeys: createApiKeyVerifier(async () => keys), whenUnconfigured: 'deny' });
    await auth.authenticate(request({ authorization: 'Bearer old-key' }), noBody);
    // Act
    keys = parseApiKeyList('new-key');
    const error = await rejectedBedrockError(auth.authenticate(request({ authorization: 'Bearer old-key' }), noBody));
    const caller: Caller = await auth.authenticate(request({ authorization: 'Bearer new-key' }), noBody);
    // Assess
    expect(error.exception).to.equal('AccessDeniedException');
    expect(caller.method).to.equal('api-key');
  });

  it('propagates a provider failure unchanged (never allows)', async () => {
    // Prepare
    const failure = new BedrockError('InternalServerException', 'secrets unavailable');
    const auth = createAuthenticator({ apiKeys: createApiKeyVerifier(async () => Promise.reject(failure)), whenUnconfigured: 'allow' });
    // Act
    const thrown = await auth.authenticate(request({ authorization: 'Bearer key-alpha-0001' }), noBody).catch((error: unknown) => error);
    // Assess
    expect(thrown).to.equal(failure);
  });

  it('answers the first matching key when one name has two keys (a rotation in progress)', async () => {
    // Prepare
    const auth = authenticator({}, parseApiKeyList('alice=old-key,alice=new-key,bob=other'));
    // Act
    const callers = await Promise.all(['old-key', 'new-key'].map((key) => auth.authenticate(request({ authorization: `Bearer ${key}` }), noBody)));
    // Assess
    expect(callers.map((caller) => caller.name)).to.deep.equal(['alice', 'alice']);
  });
});

describe('presentedToken', () => {
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
      // Assess
      expect(presentedToken(headers)).to.equal(expected);
    });
  }
});
