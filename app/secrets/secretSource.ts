/**
 * Values that live either in the environment (local server) or in Secrets Manager
 * (Lambda). Secrets go through Powertools Parameters `getSecret` with an explicit
 * maxAge, fetched lazily on first use and cached per container; `refresh()` forces a
 * new fetch (used once when the upstream rejects the key: rotation).
 */
import { BedrockError } from '../core/errors.ts';

export interface SecretSource {
  get(): Promise<string>;
  refresh(): Promise<string>;
}

export type SecretFetcher = (secretId: string, options: { maxAge: number; forceFetch: boolean }) => Promise<string | undefined>;

export function staticSecret(value: string): SecretSource {
  const resolved = Promise.resolve(value);
  return { get: () => resolved, refresh: () => resolved };
}

/** Loads the Powertools secrets provider only when a secret is actually used (keeps cold start lean). */
export const powertoolsFetcher: SecretFetcher = async (secretId, { maxAge, forceFetch }) => {
  const { getSecret } = await import('@aws-lambda-powertools/parameters/secrets');
  const value = await getSecret(secretId, { maxAge, forceFetch });
  if (value === undefined || typeof value === 'string') return value;
  return new TextDecoder().decode(value as Uint8Array);
};

export function managedSecret(secretId: string, maxAgeSeconds: number, fetcher: SecretFetcher = powertoolsFetcher): SecretSource {
  const load = async (forceFetch: boolean): Promise<string> => {
    let value: string | undefined;
    try {
      value = await fetcher(secretId, { maxAge: maxAgeSeconds, forceFetch });
    } catch {
      // The SDK error may name ARNs or roles; the caller only learns the gateway is misconfigured.
      throw new BedrockError('InternalServerException', 'The gateway could not read its configured secrets. Contact the gateway operator.');
    }
    if (!value) throw new BedrockError('InternalServerException', 'A gateway secret is empty. Contact the gateway operator.');
    return value;
  };
  return { get: () => load(false), refresh: () => load(true) };
}

/** The OpenAI key secret holds the raw key or JSON `{"apiKey": "..."}`. */
export function parseUpstreamKeySecret(value: string): string {
  const trimmed = value.trim();
  if (trimmed.startsWith('{')) {
    try {
      const parsed = JSON.parse(trimmed) as { apiKey?: unknown; OPENAI_API_KEY?: unknown };
      const key = parsed.apiKey ?? parsed.OPENAI_API_KEY;
      if (typeof key === 'string' && key) return key;
    } catch {
      // fall through
    }
    throw new BedrockError('InternalServerException', 'The OpenAI key secret is not in a supported format. Contact the gateway operator.');
  }
  return trimmed;
}
