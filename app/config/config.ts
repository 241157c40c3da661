/**
 * Configuration, parsed once from the environment at cold start.
 * The names are a fixed contract (README "Configuration"); a bad value fails fast with a clear message.
 */
import * as z from '../schemas/zod.ts';
import { LOG_LEVELS, logLevelOf, type LogLevel } from './logLevels.ts';

const intFrom = (fallback: number, min: number, max: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);

/** `a, b,,c` -> `['a', 'b', 'c']` (PROXY_API_KEYS and the comma-separated form of the caller-keys secret). */
export const splitCommaList = (value: string): string[] =>
  value.split(',').map((item) => item.trim()).filter((item) => item.length > 0);

const csv = z.pipe(z._default(z.string(), ''), z.transform(splitCommaList));

/** MODEL_MAP's JSON: an object of non-empty strings. */
const ModelMapObject = z.record(z.string(), z.string().check(z.minLength(1)));

const modelMap = z.pipe(
  z._default(z.string(), '{}'),
  z.transform((value: string, ctx) => {
    try {
      const parsed: unknown = JSON.parse(value);
      const result = ModelMapObject.safeParse(parsed);
      if (result.success) return result.data;
    } catch {
      // fall through to the issue below
    }
    // zod/mini's transform context has no addIssue; the issue is the one classic's addIssue made.
    ctx.issues.push({ code: 'custom', message: 'MODEL_MAP must be a JSON object of strings', input: value });
    return z.NEVER;
  }),
);

const EnvSchema = z.object({
  PORT: intFrom(3000, 0, 65535),
  HOST: z._default(z.string(), '127.0.0.1'),
  OPENAI_BASE_URL: z._default(z.url(), 'https://api.openai.com/v1'),
  OPENAI_API_KEY: z.optional(z.string()),
  OPENAI_API_KEY_SECRET_ID: z.optional(z.string()),
  PROXY_API_KEYS: csv,
  PROXY_API_KEYS_SECRET_ID: z.optional(z.string()),
  MODEL_MAP: modelMap,
  OPENAI_TIMEOUT_MS: intFrom(600_000, 1, 3_600_000),
  OPENAI_MAX_RETRIES: intFrom(2, 0, 10),
  OPENAI_MAX_CONNECTIONS: intFrom(64, 1, 4096),
  LOG_LEVEL: z._default(z.string().check(z.refine((value) => logLevelOf(value) !== undefined, { message: `must be one of ${LOG_LEVELS.join(', ')} (any case)` })), 'INFO'),
  MAX_BODY_BYTES: intFrom(20 * 1024 * 1024, 1024, 200 * 1024 * 1024),
  SECRETS_MAX_AGE_SECONDS: intFrom(300, 1, 86_400),
  MODELS_CACHE_SECONDS: intFrom(300, 0, 86_400),
});

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly openaiBaseUrl: string;
  readonly openaiApiKey: string | undefined;
  readonly openaiApiKeySecretId: string | undefined;
  readonly proxyApiKeys: readonly string[];
  readonly proxyApiKeysSecretId: string | undefined;
  readonly modelMap: Readonly<Record<string, string>>;
  readonly openaiTimeoutMs: number;
  readonly openaiMaxRetries: number;
  readonly openaiMaxConnections: number;
  readonly logLevel: LogLevel;
  readonly maxBodyBytes: number;
  readonly secretsMaxAgeSeconds: number;
  readonly modelsCacheSeconds: number;
}

export class ConfigError extends Error {}

/** Parses an environment (process.env by default) into a frozen Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`PORT=` in a .env file) means "unset": z.coerce would turn '' into 0 (port 0,
  // no retries, no model cache) and an empty HOST would listen on every interface.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = EnvSchema.safeParse(present);
  if (!result.success) {
    const detail = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${detail}`);
  }
  const e = result.data;
  return Object.freeze({
    port: e.PORT,
    host: e.HOST,
    openaiBaseUrl: e.OPENAI_BASE_URL.replace(/\/+$/, ''),
    openaiApiKey: e.OPENAI_API_KEY || undefined,
    openaiApiKeySecretId: e.OPENAI_API_KEY_SECRET_ID || undefined,
    proxyApiKeys: Object.freeze(e.PROXY_API_KEYS),
    proxyApiKeysSecretId: e.PROXY_API_KEYS_SECRET_ID || undefined,
    modelMap: Object.freeze({ ...e.MODEL_MAP }),
    openaiTimeoutMs: e.OPENAI_TIMEOUT_MS,
    openaiMaxRetries: e.OPENAI_MAX_RETRIES,
    openaiMaxConnections: e.OPENAI_MAX_CONNECTIONS,
    logLevel: logLevelOf(e.LOG_LEVEL)!,
    maxBodyBytes: e.MAX_BODY_BYTES,
    secretsMaxAgeSeconds: e.SECRETS_MAX_AGE_SECONDS,
    modelsCacheSeconds: e.MODELS_CACHE_SECONDS,
  });
}
