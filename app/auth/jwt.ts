/**
 * JWT callers from any OIDC issuer (Cognito, Okta, Entra ID, Auth0...), verified with `jose`:
 *
 * - the signing keys come from the issuer's JWKS (JWT_JWKS_URL, or `jwks_uri` discovered from
 *   `<issuer>/.well-known/openid-configuration`), cached per container; an unknown `kid` makes jose
 *   fetch the set again (key rotation), at most once per cooldown, and every fetch has a timeout;
 * - the signature, with asymmetric algorithms only (config refuses HMAC and `none`);
 * - `iss` equal to JWT_ISSUER, `exp` and `nbf` within JWT_CLOCK_SKEW_SECONDS;
 * - `aud`, or Cognito's `client_id` (its access tokens carry no `aud`), in JWT_AUDIENCE;
 * - JWT_REQUIRED_SCOPES against `scope` (space-separated: Cognito, Auth0) or `scp` (Okta, Entra).
 *
 * A token that fails any check is the caller's problem (403 AccessDeniedException, with a reason
 * that names the check, never the key or the claim values); an issuer that cannot be reached is not
 * (503 ServiceUnavailableException).
 */
import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config/config.ts';
import type { Caller } from '../core/caller.ts';
import { accessDenied, BedrockError } from '../core/errors.ts';

export type JwtSettings = NonNullable<Config['jwt']>;

/** Bounds every fetch from the issuer (discovery and key set). */
const ISSUER_FETCH_TIMEOUT_MS = 5_000;
/** After a failed discovery, callers get a 503 at once for this long instead of each waiting on the issuer. */
const DISCOVERY_RETRY_MS = 10_000;
/** jose fetches the key set again for an unknown `kid` at most this often. */
const JWKS_COOLDOWN_MS = 30_000;
/** Keys are refetched after this long even when every `kid` is known (revoked keys drop out). */
const JWKS_MAX_AGE_MS = 10 * 60_000;

export interface JwtVerifierOptions {
  /** Tests: a fetch for the issuer's documents; the global fetch otherwise. */
  readonly fetch?: typeof globalThis.fetch;
  readonly now?: () => number;
  /** Tests: shorter bounds than production's (ISSUER_FETCH_TIMEOUT_MS, 30 s between key-set fetches, 10 min of key-set cache). */
  readonly fetchTimeoutMs?: number;
  readonly jwksCooldownMs?: number;
  readonly jwksMaxAgeMs?: number;
}

export interface JwtVerifier {
  verify(token: string): Promise<Caller>;
}

const issuerUnavailable = (): BedrockError =>
  new BedrockError('ServiceUnavailableException', 'The identity provider that signs this gateway\'s tokens could not be reached. Try again.');

/** The token's problem in words that help its holder and give nothing away. */
function tokenRefusal(error: unknown): BedrockError | undefined {
  if (error instanceof errors.JWTExpired) return accessDenied('The token has expired.');
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return accessDenied('The token is not valid yet.');
    if (error.claim === 'iss') return accessDenied('The token was not issued by the identity provider this gateway trusts.');
    return accessDenied(`The token's "${error.claim}" claim is not accepted.`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) {
    return accessDenied('The token is not signed with an algorithm this gateway accepts.');
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return accessDenied("The token's signature could not be verified.");
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) return accessDenied('The token is malformed.');
  return undefined;
}

const asList = (value: unknown): string[] => {
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((item) => item.length > 0);
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string' && item.length > 0);
  return [];
};

function checkAudience(payload: JWTPayload, audiences: readonly string[]): void {
  const presented = [...asList(payload.aud), ...asList((payload as { client_id?: unknown }).client_id)];
  if (!presented.some((audience) => audiences.includes(audience))) throw accessDenied('The token was not issued for this gateway (audience).');
}

function checkScopes(payload: JWTPayload, required: readonly string[]): void {
  if (required.length === 0) return;
  const granted = new Set([...asList((payload as { scope?: unknown }).scope), ...asList((payload as { scp?: unknown }).scp)]);
  const missing = required.filter((scope) => !granted.has(scope));
  if (missing.length > 0) throw accessDenied(`The token lacks the required scope${missing.length > 1 ? 's' : ''} ${missing.join(', ')}.`);
}

function callerOf(payload: JWTPayload, settings: JwtSettings): Caller {
  const claim = (payload as Record<string, unknown>)[settings.callerClaim];
  if ((typeof claim !== 'string' || claim.length === 0) && typeof claim !== 'number') {
    throw accessDenied(`The token has no "${settings.callerClaim}" claim to name its caller.`);
  }
  // Names go into logs and metric dimensions: bounded, printable.
  const name = String(claim).replace(/[^\x21-\x7e]/g, '_').slice(0, 128);
  // A token without the claim may use every model, as an API key without a list may.
  const models = settings.modelsClaim === undefined ? undefined : (payload as Record<string, unknown>)[settings.modelsClaim];
  if (models === undefined) return { name, method: 'jwt' };
  return { name, method: 'jwt', allowedModels: Object.freeze(asList(models)) };
}

export function createJwtVerifier(settings: JwtSettings, options: JwtVerifierOptions = {}): JwtVerifier {
  const fetchDocument = options.fetch ?? globalThis.fetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.fetchTimeoutMs ?? ISSUER_FETCH_TIMEOUT_MS;
  let keySet: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;
  let lastDiscoveryFailure = -Infinity;

  async function discoverJwksUrl(): Promise<URL> {
    if (settings.jwksUrl !== undefined) return new URL(settings.jwksUrl);
    const response = await fetchDocument(`${settings.issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`, {
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    if (!response.ok) throw new Error(`discovery answered ${response.status}`);
    const document = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
    // OIDC Discovery: the document must name the issuer it was fetched for.
    if (document.issuer !== settings.issuer || typeof document.jwks_uri !== 'string') throw new Error('discovery document does not match the issuer');
    return new URL(document.jwks_uri);
  }

  function keys(): Promise<ReturnType<typeof createRemoteJWKSet>> {
    if (keySet) return keySet;
    if (now() - lastDiscoveryFailure < DISCOVERY_RETRY_MS) return Promise.reject(issuerUnavailable());
    keySet = discoverJwksUrl().then(
      (url) =>
        createRemoteJWKSet(url, {
          timeoutDuration: timeoutMs,
          cooldownDuration: options.jwksCooldownMs ?? JWKS_COOLDOWN_MS,
          cacheMaxAge: options.jwksMaxAgeMs ?? JWKS_MAX_AGE_MS,
          ...(options.fetch && { [customFetch]: options.fetch }),
        }),
      () => {
        keySet = undefined;
        lastDiscoveryFailure = now();
        throw issuerUnavailable();
      },
    );
    return keySet;
  }

  return {
    async verify(token) {
      const jwks = await keys();
      let payload: JWTPayload;
      try {
        ({ payload } = await jwtVerify(token, jwks, {
          issuer: settings.issuer,
          algorithms: [...settings.algorithms],
          clockTolerance: settings.clockSkewSeconds,
          currentDate: new Date(now()),
          requiredClaims: ['exp'],
        }));
      } catch (error) {
        throw tokenRefusal(error) ?? issuerUnavailable();
      }
      checkAudience(payload, settings.audiences);
      checkScopes(payload, settings.requiredScopes);
      return callerOf(payload, settings);
    },
  };
}
