/**
 * The composition root: configuration in, a ready gateway out. Clients are built here,
 * once per process (module scope in the Lambda handler), never per request.
 */
import { createApiKeyVerifier, type ApiKeyProvider } from '../auth/apiKeys.ts';
import { createAuthenticator, type Authenticator } from '../auth/authenticate.ts';
import type { JwtSettings, JwtVerifier, JwtVerifierOptions } from '../auth/jwt.ts';
import type { CredentialLookup, SigV4Options, SigV4Verifier } from '../auth/sigv4.ts';
import { parseCallerKeysSecret, parseSigV4Credentials, type Parsed, type SigV4Credentials } from '../config/credentials.ts';
import type { Config } from '../config/config.ts';
import { BedrockError, misconfigured } from '../core/errors.ts';
import { createGateway, type Gateway } from './pipeline.ts';
import { ModelCatalog } from '../models/catalog.ts';
import { createModelResolver } from '../models/resolve.ts';
import type { Telemetry } from '../observability/requestRecord.ts';
import { createTracing, type Tracing } from '../observability/tracing.ts';
import type { GatewayDeps, HealthCheck } from '../operations/context.ts';
import {
  managedSecret,
  parseUpstreamKeySecret,
  powertoolsFetcher,
  staticSecret,
  type SecretFetcher,
  type SecretSource,
} from '../secrets/secretSource.ts';
import { createOpenAIClient, openAIClientOptions, type OpenAIClient } from '../upstream/openaiClient.ts';
import { createOpenAIUpstream } from '../upstream/openaiUpstream.ts';
import type { Upstream } from '../upstream/upstream.ts';

export interface BuildOptions {
  readonly config: Config;
  /** 'lambda' fails closed without caller keys; 'local' runs open (and says so). */
  readonly mode: 'lambda' | 'local';
  readonly telemetry: Telemetry;
  readonly tracing?: Tracing;
  /** Tests: a fetch nock can see, or a fake Secrets Manager. */
  readonly fetch?: typeof globalThis.fetch;
  readonly secretFetcher?: SecretFetcher;
  /** Tests: replace the upstream entirely. */
  readonly upstream?: Upstream;
  /** Tests: how the JWT issuer's documents are fetched, and the clock auth checks dates against. */
  readonly issuerFetch?: typeof globalThis.fetch;
  readonly now?: () => number;
}

export interface Built {
  readonly gateway: Gateway;
  readonly deps: GatewayDeps;
  readonly auth: Authenticator;
  /** False when no API key, JWT issuer or SigV4 credential is configured (the local server then runs open). */
  readonly callerCredentialsConfigured: boolean;
  /** False when neither OPENAI_API_KEY nor OPENAI_API_KEY_SECRET_ID is set: calls go out with a placeholder key. */
  readonly upstreamKeyConfigured: boolean;
  close(): Promise<void>;
}

const DEEP_HEALTH_CACHE_MS = 5_000;

/** Without any configured key, send a placeholder: keyless OpenAI-compatible servers accept it, OpenAI answers 401. */
const NO_KEY = 'no-key-configured';

/**
 * A secret's parsed value. `get()` runs on every request (the SDK reads the key per call, auth reads
 * the caller keys per request), so the raw value is parsed again only when it changed (rotation), and
 * an unchanged secret keeps the same parsed object (callerAuth's digest cache keys on it).
 */
function parsedSecret<T>(source: SecretSource, parse: (raw: string) => T): { get(): Promise<T>; refresh(): Promise<T> } {
  let last: { raw: string; value: T } | undefined;
  const parseOnce = (raw: string): T => {
    if (last?.raw !== raw) last = { raw, value: parse(raw) };
    return last.value;
  };
  return { get: async () => parseOnce(await source.get()), refresh: async () => parseOnce(await source.refresh()) };
}

/**
 * The JWT and SigV4 verifiers load on first use (and `jose` and `@smithy/signature-v4` with them):
 * a cold start, or a gateway that serves only API keys, never compiles them.
 */
function lazyJwtVerifier(settings: JwtSettings, options: JwtVerifierOptions): JwtVerifier {
  let verifier: Promise<JwtVerifier> | undefined;
  const load = () => (verifier ??= import('../auth/jwt.ts').then(({ createJwtVerifier }) => createJwtVerifier(settings, options)));
  return { verify: async (token) => (await load()).verify(token) };
}

function lazySigV4Verifier(lookup: CredentialLookup, options: SigV4Options): SigV4Verifier {
  let verifier: Promise<SigV4Verifier> | undefined;
  const load = () => (verifier ??= import('../auth/sigv4.ts').then(({ createSigV4Verifier }) => createSigV4Verifier(lookup, options)));
  return { verify: async (request, body) => (await load()).verify(request, body) };
}

/** A value every call gets as is (one resolved promise, no allocation per request). */
function constant<T>(value: T): () => Promise<T> {
  const resolved = Promise.resolve(value);
  return () => resolved;
}

function tracedFetcher(fetcher: SecretFetcher, tracing: Tracing): SecretFetcher {
  return (secretId, options) => tracing.span('secretsmanager.getSecret', () => fetcher(secretId, options));
}

/**
 * The upstream client alone, as the gateway builds it for a config with a static key: the openai SDK
 * over the pooled undici Agent (`dispatcher`). The benchmark's floors measure it without the gateway.
 */
export function buildUpstreamClient(config: Config): OpenAIClient {
  return createOpenAIClient(openAIClientOptions(config, staticSecret(config.openaiApiKey ?? NO_KEY)));
}

export function buildGateway(options: BuildOptions): Built {
  const { config, mode } = options;
  const tracing = options.tracing ?? createTracing(false);
  const fetcher = tracedFetcher(options.secretFetcher ?? powertoolsFetcher, tracing);

  const upstreamKeyConfigured = Boolean(config.openaiApiKeySecretId || config.openaiApiKey);
  const apiKey: SecretSource = config.openaiApiKeySecretId
    ? parsedSecret(managedSecret(config.openaiApiKeySecretId, config.secretsMaxAgeSeconds, fetcher), parseUpstreamKeySecret)
    : staticSecret(config.openaiApiKey ?? NO_KEY);

  // Caller credentials: a secret (rotatable) wins over the environment, as for the upstream key.
  const callerKeys: ApiKeyProvider = config.proxyApiKeysSecretId
    ? managedValue(config.proxyApiKeysSecretId, parseCallerKeysSecret, 'caller-keys')
    : constant(config.proxyApiKeys);
  const sigv4Credentials: (() => Promise<SigV4Credentials>) | undefined = config.sigv4CredentialsSecretId
    ? managedValue(config.sigv4CredentialsSecretId, parseSigV4Credentials, 'SigV4 credentials')
    : config.sigv4Credentials && constant(config.sigv4Credentials);
  function managedValue<T>(secretId: string, parse: (raw: string) => Parsed<T>, what: string): () => Promise<T> {
    const value = parsedSecret(managedSecret(secretId, config.secretsMaxAgeSeconds, fetcher), (raw) => {
      const parsed = parse(raw);
      if ('value' in parsed) return parsed.value;
      throw misconfigured(`The gateway's ${what} secret is not in a supported format. Contact the gateway operator.`, `${what} secret: ${parsed.problem}`);
    });
    return () => value.get();
  }

  const openai = options.upstream
    ? undefined
    : createOpenAIClient({ ...openAIClientOptions(config, apiKey), fetch: options.fetch });
  const upstream = options.upstream ?? createOpenAIUpstream(openai!.client, apiKey, config.openaiMaxRetries);

  const catalog = new ModelCatalog({
    modelMap: config.modelMap,
    listUpstream: () => upstream.listModels(),
    cacheSeconds: config.modelsCacheSeconds,
    region: config.region,
  });

  // /health?deep=1 needs no credentials, so its result is cached briefly: anonymous callers
  // cannot turn it into a stream of upstream calls.
  let lastDeep: { at: number; result: Promise<Record<string, string>> } | undefined;
  const health: HealthCheck = {
    deep() {
      const now = Date.now();
      if (!lastDeep || now - lastDeep.at > DEEP_HEALTH_CACHE_MS) lastDeep = { at: now, result: deepCheck() };
      return lastDeep.result;
    },
  };
  async function deepCheck(): Promise<Record<string, string>> {
    const checks: Record<string, string> = {};
    try {
      await apiKey.get();
      await callerKeys();
      await sigv4Credentials?.();
      // A keyless OpenAI-compatible server may still answer below; OpenAI itself will not.
      checks.secrets = upstreamKeyConfigured ? 'ok' : 'no upstream key configured (OPENAI_API_KEY or OPENAI_API_KEY_SECRET_ID)';
      await upstream.listModels();
      checks.upstream = 'ok';
      return checks;
    } catch (error) {
      const failed = checks.secrets ? 'upstream' : 'secrets';
      const reason = error instanceof BedrockError ? error.exception : 'error';
      const keyNote = failed === 'upstream' && !upstreamKeyConfigured ? ' No upstream key is configured (OPENAI_API_KEY or OPENAI_API_KEY_SECRET_ID).' : '';
      const unavailable = new BedrockError('ServiceUnavailableException', `Health check failed: ${failed} (${reason}).${keyNote}`);
      // An upstream that does not answer is the upstream's failure, not the gateway's (UpstreamErrors, not ServerErrors).
      unavailable.fromUpstream = failed === 'upstream';
      throw unavailable;
    }
  }

  const deps: GatewayDeps = { config, upstream, catalog, resolveModel: createModelResolver(config.modelMap), tracing, health };
  const auth = createAuthenticator({
    apiKeys: createApiKeyVerifier(callerKeys),
    jwt: config.jwt && lazyJwtVerifier(config.jwt, { fetch: options.issuerFetch, now: options.now }),
    sigv4: sigv4Credentials && lazySigV4Verifier(async (accessKeyId) => (await sigv4Credentials()).get(accessKeyId), { now: options.now }),
    whenUnconfigured: mode === 'local' ? 'allow' : 'deny',
  });
  const gateway = createGateway({ deps, auth, telemetry: options.telemetry });
  return {
    gateway,
    deps,
    auth,
    callerCredentialsConfigured:
      Boolean(config.proxyApiKeysSecretId || config.sigv4CredentialsSecretId || config.sigv4Credentials || config.jwt) || config.proxyApiKeys.length > 0,
    upstreamKeyConfigured,
    close: async () => {
      await openai?.dispatcher?.close();
    },
  };
}
