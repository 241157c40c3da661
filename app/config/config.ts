/**
 * Configuration, parsed once from the environment at cold start. This folder is the only place
 * that reads process.env (an architecture test checks it). The names are a fixed contract (README
 * "Configuration"); a bad value fails fast with a message that names it.
 */
import * as z from '../schemas/zod.ts';
import { parseApiKeyList, parseSigV4Credentials, splitCommaList, type ApiKeyEntry, type Parsed } from './credentials.ts';
import { parseAllowedOrigins, type AllowedOrigins } from './cors.ts';
import { lambdaRuntime } from './lambdaRuntime.ts';
import { LOG_LEVELS, logLevelOf, type LogLevel } from './logLevels.ts';
import { timeBudgetProblem } from './timeBudget.ts';

const intFrom = (fallback: number, min: number, max: number) =>
  z._default(z.coerce.number().check(z.int(), z.minimum(min), z.maximum(max)), fallback);

const csv = z.pipe(z._default(z.string(), ''), z.transform(splitCommaList));

/** A list separated by commas and/or spaces (scopes are written either way). */
const words = z.pipe(z._default(z.string(), ''), z.transform((value: string) => value.split(/[\s,]+/).filter((item) => item.length > 0)));

/** Asymmetric JWS algorithms only: an HMAC key would have to be shared with every verifier, and `none` signs nothing. */
const JWT_ASYMMETRIC_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'] as const;

const jwtAlgorithms = z.pipe(
  z._default(z.string(), JWT_ASYMMETRIC_ALGORITHMS.join(',')),
  z.transform((value: string, ctx) => {
    const algorithms = splitCommaList(value);
    const refused = algorithms.filter((algorithm) => !(JWT_ASYMMETRIC_ALGORITHMS as readonly string[]).includes(algorithm));
    if (algorithms.length > 0 && refused.length === 0) return algorithms;
    ctx.issues.push({
      code: 'custom',
      message: `must list asymmetric algorithms only (${JWT_ASYMMETRIC_ALGORITHMS.join(', ')}); HMAC and none are refused${refused.length ? `, got ${refused.join(', ')}` : ''}`,
      input: value,
    });
    return z.NEVER;
  }),
);

/** A JSON secret-shaped variable parsed by one of the credentials parsers; the issue quotes its problem, never its value. */
function credentialsJson<T>(parse: (value: string) => Parsed<T>) {
  return z.optional(
    z.pipe(
      z.string(),
      z.transform((value: string, ctx) => {
        const parsed = parse(value);
        if ('value' in parsed) return parsed.value;
        ctx.issues.push({ code: 'custom', message: parsed.problem, input: '(not shown)' });
        return z.NEVER;
      }),
    ),
  );
}

const allowedOrigins = z.pipe(
  z._default(z.string(), ''),
  z.transform((value: string, ctx) => {
    const parsed = parseAllowedOrigins(value);
    if ('origins' in parsed) return parsed.origins;
    ctx.issues.push({ code: 'custom', message: parsed.problem, input: value });
    return z.NEVER;
  }),
);

/**
 * What the default MAX_BODY_BYTES leaves room for: Lambda refuses an invocation whose event is over
 * 6,291,456 bytes, and the event carries the body (JSON-escaped) plus headers and request context.
 * Just under it, the gateway's own 413 is what a caller with a large body meets (docs/deployment.md).
 */
export const DEFAULT_MAX_BODY_BYTES = 6_000_000;

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

/** `true`/`false` switches (any case); anything else is refused with the accepted values. */
const booleanSwitch = z.pipe(
  z.string().check(z.refine((value) => /^(true|false)$/i.test(value), { message: 'must be true or false' })),
  z.transform((value: string) => value.toLowerCase() === 'true'),
);

const EnvSchema = z.object({
  PORT: intFrom(3000, 0, 65535),
  HOST: z._default(z.string(), '127.0.0.1'),
  OPENAI_BASE_URL: z._default(z.url(), 'https://api.openai.com/v1'),
  OPENAI_API_KEY: z.optional(z.string()),
  OPENAI_API_KEY_SECRET_ID: z.optional(z.string()),
  PROXY_API_KEYS: z.pipe(z._default(z.string(), ''), z.transform(parseApiKeyList)),
  PROXY_API_KEYS_SECRET_ID: z.optional(z.string()),
  MODEL_MAP: modelMap,
  OPENAI_TIMEOUT_MS: intFrom(600_000, 1, 3_600_000),
  OPENAI_MAX_RETRIES: intFrom(2, 0, 10),
  OPENAI_MAX_CONNECTIONS: intFrom(64, 1, 4096),
  LOG_LEVEL: z._default(z.string().check(z.refine((value) => logLevelOf(value) !== undefined, { message: `must be one of ${LOG_LEVELS.join(', ')} (any case)` })), 'INFO'),
  MAX_BODY_BYTES: intFrom(DEFAULT_MAX_BODY_BYTES, 1024, 200 * 1024 * 1024),
  SECRETS_MAX_AGE_SECONDS: intFrom(300, 1, 86_400),
  MODELS_CACHE_SECONDS: intFrom(300, 0, 86_400),
  // Observability (Powertools' own names), and the region the model ARNs name.
  POWERTOOLS_SERVICE_NAME: z._default(z.string(), 'bedrock-gateway'),
  POWERTOOLS_METRICS_NAMESPACE: z._default(z.string(), 'BedrockGateway'),
  POWERTOOLS_METRICS_DISABLED: z.optional(booleanSwitch),
  POWERTOOLS_TRACE_ENABLED: z.optional(booleanSwitch),
  POWERTOOLS_LOGGER_SAMPLE_RATE: z._default(z.coerce.number().check(z.minimum(0), z.maximum(1)), 0),
  AWS_REGION: z._default(z.string(), 'us-east-1'),
  // Callers: JWT from an OIDC issuer, SigV4 with gateway-issued key pairs, attribution in metrics.
  JWT_ISSUER: z.optional(z.url()),
  JWT_AUDIENCE: csv,
  JWT_JWKS_URL: z.optional(z.url()),
  JWT_ALGORITHMS: jwtAlgorithms,
  JWT_REQUIRED_SCOPES: words,
  JWT_CALLER_CLAIM: z._default(z.string().check(z.minLength(1)), 'sub'),
  JWT_MODELS_CLAIM: z.optional(z.string().check(z.minLength(1))),
  JWT_CLOCK_SKEW_SECONDS: intFrom(60, 0, 600),
  SIGV4_CREDENTIALS: credentialsJson(parseSigV4Credentials),
  SIGV4_CREDENTIALS_SECRET_ID: z.optional(z.string()),
  METRICS_CALLER_DIMENSION: z._default(booleanSwitch, true),
  METRICS_CALLER_LIMIT: intFrom(100, 1, 10_000),
  CORS_ALLOWED_ORIGINS: allowedOrigins,
  // The function's own timeout (template.yaml passes its Timeout): the upstream budget must fit in it.
  FUNCTION_TIMEOUT_SECONDS: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(900))),
  // The Lambda runtime's own (config/lambdaRuntime.ts).
  AWS_LAMBDA_FUNCTION_NAME: z.optional(z.string()),
  AWS_SAM_LOCAL: z.optional(z.string()),
  AWS_LAMBDA_FUNCTION_VERSION: z.optional(z.string()),
});

/** The environment as the gateway uses it: one frozen object, its type derived from this mapping. */
const ConfigSchema = z.pipe(
  EnvSchema,
  z.transform((e, ctx) => {
    if (e.JWT_ISSUER !== undefined && e.JWT_AUDIENCE.length === 0) {
      // Without an audience, a token the same issuer minted for any other application would pass.
      ctx.issues.push({ code: 'custom', path: ['JWT_AUDIENCE'], message: 'is required with JWT_ISSUER (the client ids or audiences this gateway accepts)', input: '' });
      return z.NEVER;
    }
    const budgetProblem = timeBudgetProblem({
      upstreamTimeoutMs: e.OPENAI_TIMEOUT_MS,
      upstreamMaxRetries: e.OPENAI_MAX_RETRIES,
      functionTimeoutSeconds: e.FUNCTION_TIMEOUT_SECONDS,
    });
    if (budgetProblem) {
      ctx.issues.push({ code: 'custom', path: ['OPENAI_TIMEOUT_MS'], message: budgetProblem, input: e.OPENAI_TIMEOUT_MS });
      return z.NEVER;
    }
    const runtime = lambdaRuntime({
      AWS_LAMBDA_FUNCTION_NAME: e.AWS_LAMBDA_FUNCTION_NAME,
      AWS_SAM_LOCAL: e.AWS_SAM_LOCAL,
      AWS_LAMBDA_FUNCTION_VERSION: e.AWS_LAMBDA_FUNCTION_VERSION,
    });
    return Object.freeze({
      port: e.PORT,
      host: e.HOST,
      openaiBaseUrl: e.OPENAI_BASE_URL.replace(/\/+$/, ''),
      openaiApiKey: e.OPENAI_API_KEY || undefined,
      openaiApiKeySecretId: e.OPENAI_API_KEY_SECRET_ID || undefined,
      proxyApiKeys: Object.freeze(e.PROXY_API_KEYS) as readonly ApiKeyEntry[],
      proxyApiKeysSecretId: e.PROXY_API_KEYS_SECRET_ID || undefined,
      modelMap: Object.freeze({ ...e.MODEL_MAP }) as Readonly<Record<string, string>>,
      openaiTimeoutMs: e.OPENAI_TIMEOUT_MS,
      openaiMaxRetries: e.OPENAI_MAX_RETRIES,
      openaiMaxConnections: e.OPENAI_MAX_CONNECTIONS,
      logLevel: logLevelOf(e.LOG_LEVEL) as LogLevel,
      maxBodyBytes: e.MAX_BODY_BYTES,
      secretsMaxAgeSeconds: e.SECRETS_MAX_AGE_SECONDS,
      modelsCacheSeconds: e.MODELS_CACHE_SECONDS,
      serviceName: e.POWERTOOLS_SERVICE_NAME,
      metricsNamespace: e.POWERTOOLS_METRICS_NAMESPACE,
      /** The local server writes EMF lines only when asked to (POWERTOOLS_METRICS_DISABLED=false); Lambda always does. */
      localMetrics: e.POWERTOOLS_METRICS_DISABLED === false,
      loggerSampleRate: e.POWERTOOLS_LOGGER_SAMPLE_RATE,
      /** X-Ray: POWERTOOLS_TRACE_ENABLED when set, else on inside a real Lambda (not sam local). */
      tracing: e.POWERTOOLS_TRACE_ENABLED ?? (runtime.functionName !== undefined && !runtime.samLocal),
      region: e.AWS_REGION,
      /** Present when JWT_ISSUER is set: bearer tokens that are JWTs are verified against the issuer. */
      jwt: e.JWT_ISSUER === undefined ? undefined : Object.freeze({
        issuer: e.JWT_ISSUER,
        audiences: Object.freeze(e.JWT_AUDIENCE) as readonly string[],
        jwksUrl: e.JWT_JWKS_URL,
        algorithms: Object.freeze(e.JWT_ALGORITHMS) as readonly string[],
        requiredScopes: Object.freeze(e.JWT_REQUIRED_SCOPES) as readonly string[],
        callerClaim: e.JWT_CALLER_CLAIM,
        modelsClaim: e.JWT_MODELS_CLAIM,
        clockSkewSeconds: e.JWT_CLOCK_SKEW_SECONDS,
      }),
      sigv4Credentials: e.SIGV4_CREDENTIALS,
      sigv4CredentialsSecretId: e.SIGV4_CREDENTIALS_SECRET_ID || undefined,
      /** The caller as a metrics dimension: at most `limit` distinct names per container, the rest as `other`. */
      callerMetrics: Object.freeze({ enabled: e.METRICS_CALLER_DIMENSION, limit: e.METRICS_CALLER_LIMIT }),
      /** Web origins that get CORS headers (empty: none; `*`: any). */
      allowedOrigins: Object.freeze(e.CORS_ALLOWED_ORIGINS) as AllowedOrigins,
      /** The Lambda function version serving (a metrics dimension the canary alarms select by); undefined outside Lambda. */
      functionVersion: runtime.functionVersion,
      functionTimeoutSeconds: e.FUNCTION_TIMEOUT_SECONDS,
    });
  }),
);

export type Config = z.output<typeof ConfigSchema>;

export class ConfigError extends Error {}

/** This process's environment over `defaults`, under `overrides` (`npm run dev` presets some variables and fixes others). */
export const processEnvironment = (defaults: NodeJS.ProcessEnv = {}, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...defaults,
  ...process.env,
  ...overrides,
});

/** Parses an environment (process.env by default) into a frozen Config. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`PORT=` in a .env file) means "unset": z.coerce would turn '' into 0 (port 0,
  // no retries, no model cache) and an empty HOST would listen on every interface.
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = ConfigSchema.safeParse(present);
  if (!result.success) {
    const detail = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${detail}`);
  }
  return result.data;
}
