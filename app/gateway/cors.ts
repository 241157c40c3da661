/**
 * CORS, the same policy on every response the pipeline gives (JSON, streamed, errors) and on the
 * preflight, for the Lambda and the local server alike. Off unless CORS_ALLOWED_ORIGINS lists
 * origins: then an allowed Origin is echoed with the headers a browser needs to read a Bedrock
 * answer (the request id, the error type the SDKs pick the exception by, the token counts), and
 * any other origin gets no CORS header at all. Everything but the Origin lookup is built once.
 */
import { ANY_ORIGIN, type AllowedOrigins } from '../config/cors.ts';
import type { GatewayRequest } from '../core/request.ts';
import type { BufferedResponse, HeaderMap } from '../core/response.ts';

/** Response headers a browser script may read: the request id, the error type, the X-Amzn-Bedrock-* headers the gateway sends. */
export const CORS_EXPOSED_HEADERS = [
  'x-amzn-RequestId',
  'x-amzn-ErrorType',
  'X-Amzn-Bedrock-Input-Token-Count',
  'X-Amzn-Bedrock-Output-Token-Count',
  'X-Amzn-Bedrock-Invocation-Latency',
  'X-Amzn-Bedrock-Cache-Read-Input-Token-Count',
  'X-Amzn-Bedrock-Content-Type',
] as const;

/** Request headers a browser may send (the AWS SDKs' own, bearer and API-key auth, SigV4, Bedrock's x-amzn-bedrock-*); template.yaml's preflight mocks list the same. */
export const CORS_ALLOWED_HEADERS = [
  'authorization',
  'content-type',
  'accept',
  'x-api-key',
  'x-amz-date',
  'x-amz-security-token',
  'x-amz-content-sha256',
  'x-amz-user-agent',
  'amz-sdk-invocation-id',
  'amz-sdk-request',
  'x-amzn-bedrock-accept',
  'x-amzn-bedrock-trace',
  'x-amzn-bedrock-guardrailidentifier',
  'x-amzn-bedrock-guardrailversion',
  'x-amzn-bedrock-performanceconfig-latency',
  'x-amzn-bedrock-service-tier',
] as const;

export const CORS_ALLOWED_METHODS = 'GET,POST,OPTIONS';
/** How long a browser may reuse a preflight answer (seconds). */
const CORS_MAX_AGE_SECONDS = 600;

export interface Cors {
  /** Adds the CORS headers (or only `Vary: Origin`) to a response's headers. */
  decorate(request: GatewayRequest, headers: HeaderMap): void;
  /** The answer to a CORS preflight, or undefined when the request is not one. */
  preflight(request: GatewayRequest): BufferedResponse | undefined;
}

const EMPTY = new Uint8Array(0);

/** Undefined when no origin is allowed: no CORS header on any response, preflights go to routing (405). */
export function createCors(allowed: AllowedOrigins): Cors | undefined {
  if (allowed.length === 0) return undefined;
  const anyOrigin = allowed.includes(ANY_ORIGIN);
  const origins = new Set(allowed);
  const exposed = CORS_EXPOSED_HEADERS.join(',');
  const allowedHeaders = CORS_ALLOWED_HEADERS.join(',');
  const maxAge = String(CORS_MAX_AGE_SECONDS);
  const allowedOrigin = (request: GatewayRequest): string | undefined => {
    const origin = request.headers.origin;
    return origin !== undefined && (anyOrigin || origins.has(origin)) ? origin : undefined;
  };

  return {
    decorate(request, headers) {
      // The answer differs by Origin whenever CORS is on, so caches must key on it.
      headers.Vary = 'Origin';
      const origin = allowedOrigin(request);
      if (origin === undefined) return;
      headers['Access-Control-Allow-Origin'] = origin;
      headers['Access-Control-Expose-Headers'] = exposed;
    },
    preflight(request) {
      if (request.method !== 'OPTIONS' || request.headers['access-control-request-method'] === undefined) return undefined;
      const headers: HeaderMap = { Vary: 'Origin' };
      const origin = allowedOrigin(request);
      if (origin !== undefined) {
        headers['Access-Control-Allow-Origin'] = origin;
        headers['Access-Control-Allow-Methods'] = CORS_ALLOWED_METHODS;
        headers['Access-Control-Allow-Headers'] = allowedHeaders;
        headers['Access-Control-Max-Age'] = maxAge;
      }
      return { kind: 'buffered', status: 204, headers, body: EMPTY };
    },
  };
}
