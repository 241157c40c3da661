/**
 * The OpenAI client, built once per container: the openai SDK sending through a pooled
 * undici `Agent` (keep-alive, bounded connections). The SDK's `fetch` is an adapter over that
 * same Agent's `request()` (undiciFetch.ts): one undici, one pool, and none of the WHATWG
 * fetch overhead that the benchmark measured at a third of the gateway's CPU.
 */
import OpenAI, { type ClientOptions } from 'openai';
import { Agent } from 'undici';
import { createAgentFetch } from './undiciFetch.ts';
import type { Config } from '../config/config.ts';
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

/** The client options the configuration asks for (the gateway's composition and the benchmark's floor use them). */
export function openAIClientOptions(config: Config, apiKey: SecretSource): OpenAIClientOptions {
  return {
    baseURL: config.openaiBaseUrl,
    apiKey,
    timeoutMs: config.openaiTimeoutMs,
    maxRetries: config.openaiMaxRetries,
    maxConnections: config.openaiMaxConnections,
  };
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

type Fetch = typeof globalThis.fetch;

/**
 * The openai client with one override, at the hook the SDK exposes for it (`fetchWithTimeout`):
 * the caller's abort signal is linked to the SDK's per-attempt controller with one listener.
 *
 * Why: given a caller signal, the stock method composes it with `AbortSignal.any` and tracks the
 * pair with weak references and a FinalizationRegistry, per request: about 2.3 us per call in a
 * tight loop, and weak cells that survive young-generation collections (bench/README.md). Here
 * the caller's signal lives exactly as long as the request it belongs to, so a plain listener
 * cannot outlive it; it is removed as soon as an attempt has nothing left to cancel. The rest is
 * what the stock method does: the SDK's timeout aborts the attempt, the method is upper-cased,
 * fetch is called without `this`, and the SDK still sees the caller's signal (an aborted caller
 * is an APIUserAbortError and is never retried).
 */
class GatewayOpenAI extends OpenAI {
  readonly #send: Fetch;

  constructor(options: ClientOptions & { readonly fetch: Fetch }) {
    super(options);
    this.#send = options.fetch;
  }

  override async fetchWithTimeout(url: Parameters<Fetch>[0], init: RequestInit | undefined, ms: number, controller: AbortController): Promise<Response> {
    const { signal: callerSignal, method, ...rest } = init ?? {};
    const abort = () => controller.abort();
    // Kept past the headers while a streamed body is open: it is cancelled through the same controller.
    if (callerSignal?.aborted) abort();
    else callerSignal?.addEventListener('abort', abort, { once: true });
    // Bounds the whole attempt, including time queued behind a full pool (undici's own timeouts start at the socket).
    const timer = setTimeout(abort, ms);
    const send = this.#send; // called without `this`, as the stock method calls fetch
    try {
      const response = await send(url, { ...rest, method: (method ?? 'GET').toUpperCase(), signal: controller.signal });
      // A body already read whole (the Agent adapter reads every non-streamed body) leaves nothing to cancel.
      if (response.body === null) callerSignal?.removeEventListener('abort', abort);
      return response;
    } catch (error) {
      // A failed attempt is over: a retry adds its own listener.
      callerSignal?.removeEventListener('abort', abort);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }
}

export interface OpenAIClient {
  readonly client: OpenAI;
  readonly dispatcher: Agent | undefined;
}

export function createOpenAIClient(options: OpenAIClientOptions): OpenAIClient {
  const dispatcher = options.fetch ? undefined : createDispatcher(options);
  const client = new GatewayOpenAI({
    baseURL: options.baseURL,
    apiKey: () => options.apiKey.get(),
    timeout: options.timeoutMs,
    maxRetries: options.maxRetries,
    fetch: options.fetch ?? createAgentFetch(dispatcher!),
  });
  return { client, dispatcher };
}
