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
  readonly caller: Caller;
}

/** One-shot hashing: no Hash object per request. */
const digest = (key: string): Buffer => hash('sha256', key, 'buffer');

export interface ApiKeyVerifier {
  /** The caller whose key this is, or undefined. */
  verify(key: string): Promise<Caller | undefined>;
  /** True when at least one key is configured (a rotated secret may empty the list). */
  configured(): Promise<boolean>;
}

export function createApiKeyVerifier(provide: ApiKeyProvider): ApiKeyVerifier {
  // Digests are rebuilt only when the provider hands out a new list (a secret rotation).
  let cached: { source: readonly ApiKeyEntry[]; keys: readonly DigestedKey[] } | undefined;
  const digested = async (): Promise<readonly DigestedKey[]> => {
    const source = await provide();
    if (cached?.source !== source) {
      const keys = source.map((entry) => ({
        digest: digest(entry.key),
        caller: Object.freeze({ name: entry.name, method: 'api-key' as const, ...(entry.models && { allowedModels: entry.models }) }),
      }));
      cached = { source, keys };
    }
    return cached.keys;
  };

  return {
    async verify(key) {
      const candidate = digest(key);
      let found: Caller | undefined;
      for (const known of await digested()) {
        if (timingSafeEqual(candidate, known.digest) && found === undefined) found = known.caller;
      }
      return found;
    },
    async configured() {
      return (await digested()).length > 0;
    },
  };
}
