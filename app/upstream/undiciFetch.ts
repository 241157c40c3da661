/**
 * A `fetch` for the openai SDK that sends through the pooled undici Agent with
 * `Agent.request()` instead of undici's WHATWG `fetch`, and answers with the slice of
 * `Response` the SDK reads.
 *
 * Why: the benchmark (bench/README.md) showed undici's spec-complete `fetch` (Request and
 * Response objects, web streams, body mixins on both sides) costing about a third of the
 * gateway's CPU per request. The SDK needs far less: status, headers, a text body, or an
 * SSE body it can iterate. The same Agent, so the same keep-alive pool and connection bound.
 *
 * Contract kept with the SDK: rejects (never resolves) on transport failure and on abort,
 * with undici's own errors as the cause (codes such as ECONNRESET and UND_ERR_SOCKET, and
 * "Timeout" in the message for header/body timeouts, which the SDK maps to its timeout error).
 */
import type { Dispatcher } from 'undici';

type FetchInput = string | URL | { url: string };
type HeaderSource = Headers | Record<string, string> | Array<[string, string]> | undefined;

function headerObject(headers: HeaderSource): Record<string, string> {
  if (!headers) return {};
  if (headers instanceof Headers || Array.isArray(headers)) {
    const out: Record<string, string> = {};
    for (const [name, value] of headers) out[name] = value;
    return out;
  }
  return headers;
}

/**
 * The read side of `Headers`, over the names undici already lower-cased. Building a WHATWG
 * `Headers` validates every name and value again, per response; the SDK only reads.
 */
class ResponseHeaders {
  private readonly values: Map<string, string>;

  constructor(raw: Dispatcher.ResponseData['headers']) {
    this.values = new Map();
    for (const name in raw) {
      const value = raw[name];
      if (value !== undefined) this.values.set(name, Array.isArray(value) ? value.join(', ') : value);
    }
  }

  get(name: string): string | null {
    return this.values.get(name.toLowerCase()) ?? null;
  }

  has(name: string): boolean {
    return this.values.has(name.toLowerCase());
  }

  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.values) callback(value, name);
  }

  entries(): IterableIterator<[string, string]> {
    return this.values.entries();
  }

  keys(): IterableIterator<string> {
    return this.values.keys();
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.values.entries();
  }
}

/**
 * The part of `Response` the openai SDK uses (status, headers, a text body, or an SSE body it
 * iterates), without a WHATWG body stream per response.
 */
class AgentResponse {
  readonly status: number;
  readonly statusText = '';
  readonly headers: ResponseHeaders;
  readonly url: string;
  /** The streamed body (an async iterable, which the SDK's SSE reader accepts), or null. */
  readonly body: AsyncIterable<Uint8Array> | null;
  private readonly payload: string;

  constructor(status: number, headers: ResponseHeaders, url: string, body: AsyncIterable<Uint8Array> | null, payload = '') {
    this.status = status;
    this.headers = headers;
    this.url = url;
    this.body = body;
    this.payload = payload;
  }

  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }

  async text(): Promise<string> {
    if (this.body) {
      let text = '';
      const decoder = new TextDecoder();
      for await (const chunk of this.body) text += decoder.decode(chunk, { stream: true });
      return text + decoder.decode();
    }
    return this.payload;
  }

  async json(): Promise<unknown> {
    return JSON.parse(await this.text());
  }
}

/** Stream bodies (SSE) stay streaming; everything else is read whole, as the SDK would do next. */
function isStreamed(contentType: string | null): boolean {
  return contentType !== null && contentType.startsWith('text/event-stream');
}

export function createAgentFetch(dispatcher: Dispatcher): typeof globalThis.fetch {
  // The SDK calls a handful of URLs; each is split into undici's origin and path once.
  const targets = new Map<string, { origin: string; path: string }>();
  const target = (href: string): { origin: string; path: string } => {
    let found = targets.get(href);
    if (!found) {
      const url = new URL(href);
      found = { origin: url.origin, path: `${url.pathname}${url.search}` };
      if (targets.size < 1000) targets.set(href, found);
    }
    return found;
  };

  async function agentFetch(input: FetchInput, init: RequestInit = {}): Promise<Response> {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const { origin, path } = target(href);
    const response = await dispatcher.request({
      origin,
      path,
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: headerObject(init.headers as HeaderSource),
      body: (init.body as string | Uint8Array | null | undefined) ?? null,
      signal: init.signal ?? undefined,
    });
    const headers = new ResponseHeaders(response.headers);
    const status = response.statusCode;
    if (isStreamed(headers.get('content-type'))) {
      return new AgentResponse(status, headers, href, response.body) as unknown as Response;
    }
    const payload = status === 204 || status === 304 ? (await response.body.dump(), '') : await response.body.text();
    return new AgentResponse(status, headers, href, null, payload) as unknown as Response;
  }

  return agentFetch as typeof globalThis.fetch;
}
