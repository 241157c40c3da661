/**
 * Which credential a request carries, and who it names. Every request except the health check
 * goes through here before its body is parsed or anything goes upstream:
 *
 * - `Authorization: AWS4-HMAC-SHA256 ...` -> SigV4 against the gateway-issued key pairs;
 * - `Authorization: Bearer <token>` (what AWS_BEARER_TOKEN_BEDROCK sends) or `x-api-key: <token>`:
 *   a JWT when JWT_ISSUER is set and the token is one, a named API key otherwise.
 *
 * With no credential of any kind configured, the local server lets everyone in (as `anonymous`,
 * and says so at start) and the Lambda refuses everyone (fails closed).
 */
import type { Caller } from '../core/caller.ts';
import { ANONYMOUS } from '../core/caller.ts';
import { accessDenied } from '../core/errors.ts';
import type { GatewayRequest } from '../core/request.ts';
import type { ApiKeyVerifier } from './apiKeys.ts';
import type { JwtVerifier } from './jwt.ts';
import type { SigV4Verifier } from './sigv4.ts';
import { looksLikeJwt } from './tokenShape.ts';

export interface Authenticator {
  /** The caller, or a Bedrock-shaped refusal. `body` is read only when a signature covers it. */
  authenticate(request: GatewayRequest, body: () => Promise<Uint8Array>): Promise<Caller>;
}

export interface AuthenticatorOptions {
  readonly apiKeys: ApiKeyVerifier;
  readonly jwt?: JwtVerifier;
  readonly sigv4?: SigV4Verifier;
  /** With nothing configured: the local server runs open, the Lambda fails closed. */
  readonly whenUnconfigured: 'allow' | 'deny';
}

type Headers = GatewayRequest['headers'];

/** The bearer token or API key, or undefined. Authorization wins: with API Gateway usage plans on, x-api-key is API Gateway's. */
export function presentedToken(headers: Headers): string | undefined {
  const authorization = headers['authorization'];
  if (!authorization) return headers['x-api-key']?.trim() || undefined;
  return /^Bearer\s+(.+)$/i.exec(authorization)?.[1]?.trim() || undefined;
}

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { apiKeys, jwt, sigv4 } = options;

  /** Nothing configured at all: the local server lets everyone in, the Lambda no one. */
  const unconfigured = (): Caller => {
    if (options.whenUnconfigured === 'allow') return ANONYMOUS;
    throw accessDenied('This gateway has no caller credentials configured, so it refuses every request. Contact the gateway operator.');
  };

  return {
    async authenticate(request, body) {
      const authorization = request.headers['authorization'];
      if (authorization !== undefined && /^AWS4-HMAC-SHA256\s/i.test(authorization)) {
        if (sigv4) {
          const signing = request.signing ?? { paths: [request.path], query: request.query };
          return sigv4.verify({ method: request.method, headers: request.headers, ...signing }, body);
        }
        if (!jwt && !(await apiKeys.verify(undefined)).configured) return unconfigured();
        throw accessDenied(
          'SigV4-signed requests are not accepted by this gateway (it has issued no SigV4 credentials). Send an API key: set AWS_BEARER_TOKEN_BEDROCK (or the x-api-key header).',
        );
      }
      const token = presentedToken(request.headers);
      if (token !== undefined && jwt && looksLikeJwt(token)) return jwt.verify(token);
      // One look-up answers both questions: is any key configured, and whose key is this.
      const found = await apiKeys.verify(token);
      if (found.caller) return found.caller;
      if (!found.configured && !jwt && !sigv4) return unconfigured();
      if (token === undefined) {
        throw accessDenied('Missing credentials: send Authorization: Bearer <API key or token> (AWS_BEARER_TOKEN_BEDROCK), the x-api-key header, or a SigV4 signature.');
      }
      throw accessDenied('The API key is not valid for this gateway.');
    },
  };
}
