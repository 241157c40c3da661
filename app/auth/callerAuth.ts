/**
 * Caller authentication with API keys: `Authorization: Bearer <key>` (what the AWS SDKs
 * and boto3 send when AWS_BEARER_TOKEN_BEDROCK is set) or `x-api-key`.
 * Keys are kept only as SHA-256 digests and compared in constant time; a key is never logged.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import { accessDenied, BedrockError } from '../core/errors.ts';

export interface CallerAuth {
  /** Resolves when the caller may proceed; throws AccessDeniedException otherwise. */
  authorize(headers: Readonly<Record<string, string | undefined>>): Promise<void>;
}

/** Where the configured keys come from; an empty list means no keys are configured. */
export type KeyProvider = () => Promise<readonly string[]>;

export interface CallerAuthOptions {
  /** What to do with no keys configured: the local server runs open, the Lambda fails closed. */
  readonly whenUnconfigured: 'allow' | 'deny';
}

/** One-shot hashing: no Hash object per request. */
const digest = (key: string): Buffer => hash('sha256', key, 'buffer');

/** The presented key, or undefined. SigV4 is recognised so its caller gets a precise message. */
export function presentedKey(headers: Readonly<Record<string, string | undefined>>): string | undefined {
  // Authorization first: with API Gateway usage-plan keys on, x-api-key belongs to API Gateway.
  const authorization = headers['authorization'];
  if (!authorization) return headers['x-api-key']?.trim() || undefined;
  if (/^AWS4-HMAC-SHA256\s/i.test(authorization)) {
    throw new BedrockError(
      'AccessDeniedException',
      'SigV4-signed requests are not accepted by this gateway. Send an API key: set AWS_BEARER_TOKEN_BEDROCK (or the x-api-key header).',
    );
  }
  const match = /^Bearer\s+(.+)$/i.exec(authorization);
  return match?.[1]?.trim();
}

export function createCallerAuth(provideKeys: KeyProvider, options: CallerAuthOptions): CallerAuth {
  let cached: { source: readonly string[]; digests: Buffer[] } | undefined;
  const digestsFor = (keys: readonly string[]): Buffer[] => {
    if (cached?.source !== keys) cached = { source: keys, digests: keys.map(digest) };
    return cached.digests;
  };

  return {
    async authorize(headers) {
      const keys = await provideKeys();
      if (keys.length === 0) {
        if (options.whenUnconfigured === 'allow') return;
        throw accessDenied('This gateway has no caller API keys configured, so it refuses every request. Contact the gateway operator.');
      }
      const key = presentedKey(headers);
      if (!key) throw accessDenied('Missing API key: send Authorization: Bearer <key> (AWS_BEARER_TOKEN_BEDROCK) or x-api-key.');
      const candidate = digest(key);
      let ok = false;
      // Compare against every configured key without an early exit.
      for (const known of digestsFor(keys)) ok = timingSafeEqual(candidate, known) || ok;
      if (!ok) throw accessDenied('The API key is not valid for this gateway.');
    },
  };
}
