/**
 * A `fetch` for the openai SDK that sends through the pooled undici Agent with
 * `Agent.request()` instead of undici's WHATWG `fetch`.
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

function responseHeaders(raw: Dispatcher.ResponseData['headers']): Headers {
  const headers = new Headers();
  for (const name in raw) {
    const value = raw[name];
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.append(name, value);
  }
  return headers;
}

/** Stream bodies (SSE) stay streaming; everything else is read whole, as the SDK would do next. */
function isStreamed(contentType: string | string[] | undefined): boolean {
  return typeof contentType === 'string' && contentType.startsWith('text/event-stream');
}

export function createAgentFetch(dispatcher: Dispatcher): typeof globalThis.fetch {
  const origins = new Map<string, URL>();
  const parse = (href: string): URL => {
    let url = origins.get(href);
    if (!url) {
      url = new URL(href);
      if (origins.size < 1000) origins.set(href, url);
    }
    return url;
  };

  async function agentFetch(input: FetchInput, init: RequestInit = {}): Promise<Response> {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = parse(href);
    const response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: (init.method ?? 'GET') as Dispatcher.HttpMethod,
      headers: headerObject(init.headers as HeaderSource),
      body: (init.body as string | Uint8Array | null | undefined) ?? null,
      signal: init.signal ?? undefined,
    });
    const headers = responseHeaders(response.headers);
    const status = response.statusCode;
    if (status === 204 || status === 304) {
      await response.body.dump();
      return new Response(null, { status, headers });
    }
    if (isStreamed(response.headers['content-type'])) {
      // An async iterable body: the SDK's SSE reader iterates it chunk by chunk, unbuffered.
      return new Response(response.body as unknown as ConstructorParameters<typeof Response>[0], { status, headers });
    }
    return new Response(await response.body.arrayBuffer(), { status, headers });
  }

  return agentFetch as typeof globalThis.fetch;
}
