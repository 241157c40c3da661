import type { BodyReader, RequestBody } from './body.ts';

/** `a=1&a=2&b=3` -> `{a: '1', b: '3'}`: decoded, first value wins (as Bedrock's single-valued query members). */
export function parseQueryString(raw: string): Record<string, string> {
  const query: Record<string, string> = {};
  if (raw.length === 0) return query;
  for (const [key, value] of new URLSearchParams(raw)) if (!(key in query)) query[key] = value;
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
}
