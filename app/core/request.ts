import type { BodyReader, RequestBody } from './body.ts';

/** `a=1&a=2&b=3` -> `{a: '1', b: '3'}`: decoded, first value wins (as Bedrock's single-valued query members). */
export function parseQueryString(raw: string): Record<string, string> {
  const query: Record<string, string> = {};
  if (raw.length === 0) return query;
  for (const [key, value] of new URLSearchParams(raw)) if (!(key in query)) query[key] = value;
  return query;
}

const decodeOrKeep = (part: string): string => {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
};

/**
 * `a=1&a=2&b=x+y` -> `{a: ['1', '2'], b: 'x+y'}`: every value kept, and `+` left as `+`, which is
 * how a SigV4 signer reads a query (URLSearchParams would read it as a space).
 */
export function parseSigningQuery(raw: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const part of raw.split('&')) {
    if (part === '') continue;
    const at = part.indexOf('=');
    const name = decodeOrKeep(at < 0 ? part : part.slice(0, at));
    const value = at < 0 ? '' : decodeOrKeep(part.slice(at + 1));
    const prior = query[name];
    query[name] = prior === undefined ? value : typeof prior === 'string' ? [prior, value] : [...prior, value];
  }
  return query;
}

/** The transport-free request every adapter (Lambda, local server, tests) builds. */
export interface GatewayRequest {
  readonly method: string;
  /** The raw path as received, still percent-encoded, without the query string. */
  readonly path: string;
  /** Decoded query parameters (first value wins). */
  readonly query: Readonly<Record<string, string>>;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The whole body, or a reader for one still arriving; the pipeline reads it once, after authentication. */
  readonly body: RequestBody | BodyReader;
  /** Aborted when the caller goes away; passed down to the upstream call. */
  readonly signal?: AbortSignal;
  /** Set by the adapter when the platform supplies one (API Gateway, Lambda); else generated. */
  readonly requestId?: string;
  /**
   * How a request signer (SigV4) saw this request, when an edge knows better than `path` and
   * `query`: the path as it went on the wire (an API Gateway stage included; REST events may give
   * several candidates) and every value of every query parameter.
   */
  readonly signing?: {
    readonly paths: readonly string[];
    readonly query: Readonly<Record<string, string | readonly string[]>>;
  };
}
