/**
 * The formats in which an operator issues caller credentials: named API keys (PROXY_API_KEYS or the
 * secret PROXY_API_KEYS_SECRET_ID) and SigV4 key pairs (SIGV4_CREDENTIALS or the secret
 * SIGV4_CREDENTIALS_SECRET_ID). Pure parsers, shared by the environment and the secrets: each
 * answers the parsed value or a problem that never quotes a secret.
 */
import { hash } from 'node:crypto';

export interface ApiKeyEntry {
  /** Safe to log: the name the operator gave, or `key-` and the first 12 hex digits of the key's SHA-256. */
  readonly name: string;
  readonly key: string;
  /** The models this caller may use; undefined means every model. */
  readonly models?: readonly string[];
}

export interface SigV4Credential {
  readonly accessKeyId: string;
  /** Kept as issued: a signature can only be computed with the secret itself. */
  readonly secretAccessKey: string;
  readonly name: string;
  readonly models?: readonly string[];
}

export type SigV4Credentials = ReadonlyMap<string, SigV4Credential>;

/** Parsed, or why not (never quoting a key). */
export type Parsed<T> = { readonly value: T } | { readonly problem: string };

/** Caller names go into logs and metric dimensions: printable, bounded, no spaces or commas. */
const CALLER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@:+/-]{0,127}$/;
const ACCESS_KEY_ID = /^[A-Za-z0-9]{4,128}$/;
const MIN_SECRET_LENGTH = 16;

/** `a, b,,c` -> `['a', 'b', 'c']`. */
export const splitCommaList = (value: string): string[] =>
  value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);

/** The stable name of a key issued without one: derived from its hash, never the key itself. */
export const nameFromKeyHash = (key: string): string => `key-${hash('sha256', key, 'hex').slice(0, 12)}`;

/**
 * One `PROXY_API_KEYS` entry: `name=key`, or a bare `key`. An entry is named only when the part
 * before the first `=` is a valid name and the rest is more than `=` padding, so a bare base64 key
 * such as `c2VjcmV0==` stays a bare key.
 */
function apiKeyEntry(entry: string): ApiKeyEntry {
  const at = entry.indexOf('=');
  if (at > 0) {
    const name = entry.slice(0, at).trim();
    const key = entry.slice(at + 1).trim();
    if (CALLER_NAME.test(name) && /[^=]/.test(key)) return { name, key };
  }
  return { name: nameFromKeyHash(entry), key: entry };
}

/** `PROXY_API_KEYS`: comma-separated `name=key` or bare `key` entries. */
export function parseApiKeyList(value: string): ApiKeyEntry[] {
  return splitCommaList(value).map(apiKeyEntry);
}

function modelList(value: unknown, where: string): Parsed<readonly string[] | undefined> {
  if (value === undefined) return { value: undefined };
  if (!Array.isArray(value) || value.some((model) => typeof model !== 'string' || model.length === 0)) {
    return { problem: `${where}: "models" must be a list of model ids` };
  }
  return { value: Object.freeze([...value] as string[]) };
}

/** One item of a JSON key list; undefined for what the list format always skipped (blanks, non-strings). */
function keyObject(item: unknown, index: number): Parsed<ApiKeyEntry> | undefined {
  if (typeof item === 'string') return item.length > 0 ? { value: apiKeyEntry(item) } : undefined;
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const { name, key, models } = item as Record<string, unknown>;
  if (typeof key !== 'string' || key.length === 0) return { problem: `entry ${index} has no "key"` };
  if (name !== undefined && (typeof name !== 'string' || !CALLER_NAME.test(name))) {
    return { problem: `entry ${index}: "name" must be 1 to 128 letters, digits or _.@:+/- (starting with a letter or digit)` };
  }
  const allowed = modelList(models, `entry ${index}`);
  if ('problem' in allowed) return allowed;
  return { value: { name: (name as string | undefined) ?? nameFromKeyHash(key), key, ...(allowed.value && { models: allowed.value }) } };
}

/**
 * The caller-keys secret: comma-separated entries (as PROXY_API_KEYS), a JSON list of keys or of
 * `{"name", "key", "models"?}` objects, or `{"keys": [...]}` holding such a list.
 */
export function parseCallerKeysSecret(value: string): Parsed<ApiKeyEntry[]> {
  const trimmed = value.trim();
  if (!trimmed.startsWith('[') && !trimmed.startsWith('{')) return { value: parseApiKeyList(trimmed) };
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    return { problem: 'it is not valid JSON' };
  }
  const list = Array.isArray(parsed) ? parsed : (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(list)) return { problem: 'JSON must be a list, or an object with a "keys" list' };
  const entries: ApiKeyEntry[] = [];
  for (const [index, item] of list.entries()) {
    const entry = keyObject(item, index);
    if (entry === undefined) continue;
    if ('problem' in entry) return entry;
    entries.push(entry.value);
  }
  return { value: entries };
}

/** `SIGV4_CREDENTIALS` (or its secret): JSON `{"<access key id>": {"secretAccessKey", "name"?, "models"?}}`. */
export function parseSigV4Credentials(value: string): Parsed<SigV4Credentials> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return { problem: 'it is not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { problem: 'it must be a JSON object keyed by access key id' };
  const credentials = new Map<string, SigV4Credential>();
  for (const [accessKeyId, item] of Object.entries(parsed)) {
    if (!ACCESS_KEY_ID.test(accessKeyId)) return { problem: 'access key ids must be 4 to 128 letters and digits' };
    const { secretAccessKey, name, models } = (item ?? {}) as Record<string, unknown>;
    if (typeof secretAccessKey !== 'string' || secretAccessKey.length < MIN_SECRET_LENGTH) {
      return { problem: `${accessKeyId}: "secretAccessKey" must be a string of at least ${MIN_SECRET_LENGTH} characters` };
    }
    if (name !== undefined && (typeof name !== 'string' || !CALLER_NAME.test(name))) {
      return { problem: `${accessKeyId}: "name" must be 1 to 128 letters, digits or _.@:+/- (starting with a letter or digit)` };
    }
    const allowed = modelList(models, accessKeyId);
    if ('problem' in allowed) return allowed;
    credentials.set(accessKeyId, {
      accessKeyId,
      secretAccessKey,
      name: (name as string | undefined) ?? accessKeyId,
      ...(allowed.value && { models: allowed.value }),
    });
  }
  return { value: credentials };
}
