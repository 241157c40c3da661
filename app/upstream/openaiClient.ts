/**
 * The OpenAI client, built once per container: the openai SDK driven by undici's own
 * `fetch` and a pooled undici `Agent` (keep-alive, bounded connections). The SDK's
 * `fetch` and `dispatcher` must come from the same undici (mixing npm undici's Agent with
 * Node's built-in fetch breaks), so both are imported here, together.
 */
import OpenAI, { type ClientOptions } from 'openai';
import { Agent, fetch as undiciFetch } from 'undici';
import type { SecretSource } from '../secrets/secretSource.ts';

export interface OpenAIClientOptions {
  readonly baseURL: string;
  readonly apiKey: SecretSource;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** Upper bound on upstream connections from this process. */
  readonly maxConnections: number;
  /** Tests may inject a fetch (nock intercepts the global one); production uses undici's. */
  readonly fetch?: typeof globalThis.fetch;
}

export function createDispatcher(options: Pick<OpenAIClientOptions, 'timeoutMs' | 'maxConnections'>): Agent {
  return new Agent({
    connections: options.maxConnections,
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
    fetch: (options.fetch ?? undiciFetch) as unknown as typeof globalThis.fetch,
  };
  // undici's RequestInit and the SDK's view of it differ only in typing; the values match at run time.
  if (dispatcher) clientOptions.fetchOptions = { dispatcher } as unknown as ClientOptions['fetchOptions'];
  const client = new OpenAI(clientOptions);
  return { client, dispatcher };
}
