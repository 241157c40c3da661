/**
 * Named API keys. Keys are kept only as SHA-256 digests and a presented key is compared with every
 * one of them in constant time, without an early exit, so timing tells nothing about which key (or
 * which part of one) matched. A key is never logged: the caller is known by its name.
 */
import { hash, timingSafeEqual } from 'node:crypto';
import type { ApiKeyEntry } from '../config/credentials.ts';
import type { Caller } from '../core/caller.ts';

/** Where the configured keys come from (the environment, or a secret that may rotate). */
export type ApiKeyProvider = () => Promise<readonly ApiKeyEntry[]>;

interface DigestedKey {
  readonly digest: Buffer;
  readonly lookup: ApiKeyLookup;
}

/** One-shot hashing: no Hash object per request. */
const digest = (key: string): Buffer => hash('sha256', key, 'buffer');

/** The outcome of one look-up: whether any key is configured at all, and whose key it was. */
interface ApiKeyLookup {
  readonly configured: boolean;
  readonly caller?: Caller;
}

export interface ApiKeyVerifier {
  /** One look-up per request (a rotated secret may have emptied the list); no key, no caller. */
  verify(key: string | undefined): Promise<ApiKeyLookup>;
}

const UNCONFIGURED: ApiKeyLookup = Object.freeze({ configured: false });
const NOT_FOUND: ApiKeyLookup = Object.freeze({ configured: true });

export function createApiKeyVerifier(provide: ApiKeyProvider): ApiKeyVerifier {
  // Digests are rebuilt only when the provider hands out a new list (a secret rotation).
  let cached: { source: readonly ApiKeyEntry[]; keys: readonly DigestedKey[] } | undefined;
  const digested = async (): Promise<readonly DigestedKey[]> => {
    const source = await provide();
    if (cached?.source !== source) {
      const keys = source.map((entry) => ({
        digest: digest(entry.key),
        lookup: Object.freeze({ configured: true, caller: Object.freeze({ name: entry.name, method: 'api-key' as const, ...(entry.models && { allowedModels: entry.models }) }) }),
      }));
      cached = { source, keys };
    }
    return cached.keys;
  };

  return {
    async verify(key) {
      const keys = await digested();
      if (keys.length === 0) return UNCONFIGURED;
      if (key === undefined) return NOT_FOUND;
      const candidate = digest(key);
      let found: ApiKeyLookup = NOT_FOUND;
      for (const known of keys) {
        if (timingSafeEqual(candidate, known.digest) && found === NOT_FOUND) found = known.lookup;
      }
      return found;
    },
  };
}
