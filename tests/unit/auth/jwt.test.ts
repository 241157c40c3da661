/** JWT verification against a loopback OIDC issuer, with keys and tokens made in the test. */
import { expect } from 'chai';
import { SignJWT } from 'jose';
import { createJwtVerifier, type JwtSettings, type JwtVerifierOptions } from '../../../app/auth/jwt.ts';
import { looksLikeJwt } from '../../../app/auth/tokenShape.ts';
import { rejectedBedrockError } from '../../helpers/bedrockErrors.ts';
import { startOidcIssuer, unsignedToken, type OidcIssuer } from '../../helpers/oidcIssuer.ts';

const AUDIENCE = 'gateway-client';
const ALGORITHMS = ['RS256', 'ES256'];

describe('JWT verification', function () {
  this.timeout(10_000);
  let issuer: OidcIssuer;
  beforeEach(async () => {
    issuer = await startOidcIssuer();
  });
  afterEach(async () => issuer.close());

  const settings = (overrides: Partial<JwtSettings> = {}): JwtSettings => ({
    issuer: issuer.issuer,
    audiences: [AUDIENCE],
    jwksUrl: undefined,
    algorithms: ALGORITHMS,
    requiredScopes: [],
    callerClaim: 'sub',
    modelsClaim: undefined,
    clockSkewSeconds: 60,
    ...overrides,
  });
  const verifier = (overrides: Partial<JwtSettings> = {}, options: JwtVerifierOptions = {}) =>
    createJwtVerifier(settings(overrides), { fetchTimeoutMs: 300, jwksCooldownMs: 0, ...options });

  describe('accepted tokens', () => {
    it('names the caller by its sub, discovering the key set from the issuer', async () => {
      // Prepare
      const token = await issuer.sign({ sub: 'alice', aud: AUDIENCE });
      // Act
      const caller = await verifier().verify(token);
      // Assess
      expect(caller).to.deep.equal({ name: 'alice', method: 'jwt' });
      expect(issuer.fetches).to.deep.equal({ discovery: 1, jwks: 1 });
    });

    it("accepts a Cognito access token: no aud, the app client in client_id, scopes in 'scope'", async () => {
      // Prepare
      const token = await issuer.sign({ sub: 'svc-7', client_id: AUDIENCE, scope: 'gateway/invoke gateway/list', token_use: 'access' });
      // Act
      const caller = await verifier({ requiredScopes: ['gateway/invoke'] }).verify(token);
      // Assess
      expect(caller.name).to.equal('svc-7');
    });

    it("accepts scopes as Okta and Entra send them ('scp', a list)", async () => {
      // Prepare
      const token = await issuer.sign({ sub: 'okta-user', aud: AUDIENCE, scp: ['gateway.invoke', 'openid'] });
      // Act
      const caller = await verifier({ requiredScopes: ['gateway.invoke'] }).verify(token);
      // Assess
      expect(caller.name).to.equal('okta-user');
    });

    it('reads the caller name from JWT_CALLER_CLAIM and the models from JWT_MODELS_CLAIM', async () => {
      // Prepare
      const token = await issuer.sign({ sub: 'x', email: 'bob@example.com', aud: AUDIENCE, models: ['gpt-4o-mini', 'anthropic.*'] });
      // Act
      const caller = await verifier({ callerClaim: 'email', modelsClaim: 'models' }).verify(token);
      // Assess
      expect(caller).to.deep.equal({ name: 'bob@example.com', method: 'jwt', allowedModels: ['gpt-4o-mini', 'anthropic.*'] });
    });

    it('lets a token without the models claim use every model, and one with an empty list none', async () => {
      // Prepare
      const verify = verifier({ modelsClaim: 'models' });
      // Act
      const unlisted = await verify.verify(await issuer.sign({ sub: 'a', aud: AUDIENCE }));
      const empty = await verify.verify(await issuer.sign({ sub: 'b', aud: AUDIENCE, models: [] }));
      // Assess
      expect(unlisted).to.not.have.property('allowedModels');
      expect(empty.allowedModels).to.deep.equal([]);
    });

    it('uses JWT_JWKS_URL without discovery when it is set', async () => {
      // Prepare
      const token = await issuer.sign({ sub: 'alice', aud: AUDIENCE });
      // Act
      await verifier({ jwksUrl: issuer.jwksUrl }).verify(token);
      // Assess
      expect(issuer.fetches).to.deep.equal({ discovery: 0, jwks: 1 });
    });

    it('keeps the key set per verifier: a second token costs no fetch', async () => {
      // Prepare
      const verify = verifier();
      await verify.verify(await issuer.sign({ sub: 'a', aud: AUDIENCE }));
      // Act
      await verify.verify(await issuer.sign({ sub: 'b', aud: AUDIENCE }));
      // Assess
      expect(issuer.fetches).to.deep.equal({ discovery: 1, jwks: 1 });
    });

    it('follows a key rotation: a token with the new kid makes it fetch the key set again', async () => {
      // Prepare
      const verify = verifier();
      await verify.verify(await issuer.sign({ sub: 'before', aud: AUDIENCE }));
      await issuer.rotate();
      // Act
      const caller = await verify.verify(await issuer.sign({ sub: 'after', aud: AUDIENCE }));
      // Assess
      expect(caller.name).to.equal('after');
      expect(issuer.fetches.jwks).to.equal(2);
    });

    it('accepts a token just past exp within JWT_CLOCK_SKEW_SECONDS', async () => {
      // Prepare
      const now = Math.floor(Date.now() / 1000);
      const token = await issuer.sign({ sub: 'late', aud: AUDIENCE, exp: now - 30 });
      // Act
      const caller = await verifier({ clockSkewSeconds: 60 }).verify(token);
      // Assess
      expect(caller.name).to.equal('late');
    });
  });

  describe('refused tokens, each for its own reason (403 AccessDeniedException)', () => {
    const now = () => Math.floor(Date.now() / 1000);
    const cases: ReadonlyArray<readonly [string, (issuer: OidcIssuer) => Promise<string>, string, Partial<JwtSettings>?]> = [
      ['an expired token', (i) => i.sign({ sub: 'a', aud: AUDIENCE, exp: now() - 3600 }), 'has expired'],
      ['a token that is not valid yet', (i) => i.sign({ sub: 'a', aud: AUDIENCE, nbf: now() + 3600 }), 'not valid yet'],
      ['a token for another audience', (i) => i.sign({ sub: 'a', aud: 'another-app' }), 'audience'],
      ['a token from another issuer', (i) => i.sign({ sub: 'a', aud: AUDIENCE, iss: 'https://evil.example' }), 'not issued by the identity provider'],
      ['a token with no exp', (i) => i.sign({ sub: 'a', aud: AUDIENCE, exp: undefined }), '"exp" claim'],
      ['alg: none', async () => unsignedToken({ sub: 'a', aud: AUDIENCE, exp: now() + 600 }), 'algorithm'],
      [
        'HS256 signed with the public key as the secret',
        async (i) =>
          new SignJWT({ sub: 'a', aud: AUDIENCE, iss: i.issuer, exp: now() + 600 })
            .setProtectedHeader({ alg: 'HS256', kid: 'test-key-1' })
            .sign(new TextEncoder().encode(await i.publicKeyPem())),
        'algorithm',
      ],
      [
        'a tampered payload',
        async (i) => {
          const [header, , signature] = (await i.sign({ sub: 'a', aud: AUDIENCE })).split('.');
          const forged = Buffer.from(JSON.stringify({ sub: 'admin', aud: AUDIENCE, iss: i.issuer, exp: now() + 600 })).toString('base64url');
          return `${header}.${forged}.${signature}`;
        },
        'signature could not be verified',
      ],
      ['a token signed with a key the issuer does not publish', (i) => i.sign({ sub: 'a', aud: AUDIENCE }, { kid: 'unknown-kid' }), 'signature could not be verified'],
      ['a token missing a required scope', (i) => i.sign({ sub: 'a', aud: AUDIENCE, scope: 'gateway/list' }), 'gateway/invoke', { requiredScopes: ['gateway/invoke'] }],
      ['a token with no caller claim', (i) => i.sign({ aud: AUDIENCE }), '"sub" claim'],
      ['a token with a disallowed (but asymmetric) algorithm', (i) => i.sign({ sub: 'a', aud: AUDIENCE }), 'algorithm', { algorithms: ['ES256'] }],
    ];
    for (const [label, make, reason, overrides] of cases) {
      it(`refuses ${label}`, async () => {
        // Prepare
        const token = await make(issuer);
        // Act
        const error = await rejectedBedrockError(verifier(overrides).verify(token));
        // Assess
        expect(error.exception).to.equal('AccessDeniedException');
        expect(error.status).to.equal(403);
        expect(error.message).to.include(reason);
        expect(error.message).to.not.include(token.split('.')[2]!.slice(0, 16) || 'never');
      });
    }

    it('refuses a token signed with a key the issuer rotated out, once the cached key set expires', async () => {
      // Prepare: a key-set cache that expires at once (10 minutes in production)
      const verify = verifier({}, { jwksMaxAgeMs: 0 });
      await verify.verify(await issuer.sign({ sub: 'warm', aud: AUDIENCE }));
      await issuer.rotate();
      // Act: the old kid is no longer published
      const error = await rejectedBedrockError(verify.verify(await issuer.sign({ sub: 'old', aud: AUDIENCE }, { key: 'stale' })));
      // Assess
      expect(error.exception).to.equal('AccessDeniedException');
    });
  });

  describe('an issuer that cannot be reached is not the caller\'s fault (503 ServiceUnavailableException)', () => {
    for (const mode of ['fail', 'stall'] as const) {
      it(`answers 503 when discovery ${mode === 'fail' ? 'fails' : 'stalls'}, within the fetch timeout`, async () => {
        // Prepare
        issuer.setMode(mode);
        const token = await issuer.sign({ sub: 'a', aud: AUDIENCE });
        const started = Date.now();
        // Act
        const error = await rejectedBedrockError(verifier().verify(token));
        // Assess
        expect(error.exception).to.equal('ServiceUnavailableException');
        expect(error.status).to.equal(503);
        expect(Date.now() - started).to.be.lessThan(2_000);
      });
    }

    it('answers 503 when the key set stalls, and recovers when the issuer does', async () => {
      // Prepare
      const token = await issuer.sign({ sub: 'a', aud: AUDIENCE });
      const verify = verifier({ jwksUrl: issuer.jwksUrl });
      issuer.setMode('stall');
      // Act
      const error = await rejectedBedrockError(verify.verify(token));
      issuer.setMode('ok');
      const caller = await verify.verify(token);
      // Assess
      expect(error.exception).to.equal('ServiceUnavailableException');
      expect(caller.name).to.equal('a');
    });

    it('answers callers at once for a while after a failed discovery, instead of each waiting on the issuer', async () => {
      // Prepare
      let clock = 1_000_000;
      const verify = verifier({}, { now: () => clock });
      const token = await issuer.sign({ sub: 'a', aud: AUDIENCE });
      issuer.setMode('fail');
      await rejectedBedrockError(verify.verify(token));
      issuer.setMode('ok');
      // Act
      const soon = await rejectedBedrockError(verify.verify(token));
      clock += 10_001;
      const later = await verify.verify(token).catch((e: unknown) => e);
      // Assess
      expect(soon.exception).to.equal('ServiceUnavailableException');
      expect(issuer.fetches.discovery).to.equal(2);
      expect(later).to.not.have.property('exception', 'ServiceUnavailableException');
    });
  });
});

describe('looksLikeJwt', () => {
  const cases: readonly (readonly [string, string, boolean])[] = [
    ['a compact JWS', `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.e30.c2ln`, true],
    ['an API key with dots', 'key.with.dots', false],
    ['a plain API key', 'k-0123456789abcdef', false],
    ['a base64url header without alg', `${Buffer.from('{"typ":"JWT"}').toString('base64url')}.e30.c2ln`, false],
  ];
  for (const [label, token, expected] of cases) {
    it(`is ${expected} for ${label}`, () => {
      // Assess
      expect(looksLikeJwt(token)).to.equal(expected);
    });
  }
});
