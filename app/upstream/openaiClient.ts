/**
 * The OpenAI client, built once per container: the openai SDK sending through a pooled
 * undici `Agent` (keep-alive, bounded connections). The SDK's `fetch` is an adapter over that
 * same Agent's `request()` (undiciFetch.ts): one undici, one pool, and none of the WHATWG
 * fetch overhead that the benchmark measured at a third of the gateway's CPU.
 */
import OpenAI, { type ClientOptions } from 'openai';
import { Agent } from 'undici';
import { createAgentFetch } from './undiciFetch.ts';
import type { SecretSource } from '../secrets/secretSource.ts';

export interface OpenAIClientOptions {
  readonly baseURL: string;
  readonly apiKey: SecretSource;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** Upper bound on upstream connections from this process. */
  readonly maxConnections: number;
  /** Tests may inject a fetch (nock intercepts the global one); production sends through the pooled Agent. */
  readonly fetch?: typeof globalThis.fetch;
}

export function createDispatcher(options: Pick<OpenAIClientOptions, 'timeoutMs' | 'maxConnections'>): Agent {
  return new Agent({
    connections: options.maxConnections,
    // HTTP/1.1 keep-alive only, as Node's own fetch and the openai SDK use by default. undici 8
    // would otherwise offer h2 over TLS, multiplexing many requests on one connection, which is
    // not the bounded pool this gateway promises (and the bundle leaves undici's h2 client out).
    allowH2: false,
    // Lambda freezes idle sockets; a short idle timeout keeps most reused sockets alive on thaw.
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 120_000,
    headersTimeout: options.timeoutMs,
    bodyTimeout: options.timeoutMs,
    connect: { timeout: 10_000 },
  });
}

export interface OpenAIClient {
  readonly client: OpenAI;
  readonly dispatcher: Agent | undefined;
}

export function createOpenAIClient(options: OpenAIClientOptions): OpenAIClient {
  const dispatcher = options.fetch ? undefined : createDispatcher(options);
  const clientOptions: ClientOptions = {
    baseURL: options.baseURL,
    apiKey: () => options.apiKey.get(),
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    fetch: options.fetch ?? createAgentFetch(dispatcher!),
  };
  const client = new OpenAI(clientOptions);
  return { client, dispatcher };
}
