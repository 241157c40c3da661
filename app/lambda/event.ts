/**
 * API Gateway REST (payload v1) and Function URL (payload v2) events -> GatewayRequest.
 * A REST event behind a custom domain can also carry `rawPath`, so v2 is recognised by
 * `rawPath` together with `requestContext.http` (as Hono's adapter does).
 */
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';
import { EMPTY_BODY, type RequestBody } from '../core/body.ts';
import { parseQueryString, parseSigningQuery, type GatewayRequest } from '../core/request.ts';

export type LambdaHttpEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;

export function isV2Event(event: LambdaHttpEvent): event is APIGatewayProxyEventV2 {
  return Object.hasOwn(event, 'rawPath') && Object.hasOwn(event.requestContext ?? {}, 'http');
}

function lowerCaseHeaders(headers: Record<string, string | undefined> | null | undefined): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (!headers) return out;
  for (const name of Object.keys(headers)) out[name.toLowerCase()] = headers[name];
  return out;
}

/** A base64 body becomes bytes; a plain one stays the text the platform already decoded (parsed as it is, never re-encoded). */
function eventBody(body: string | null | undefined, isBase64Encoded: boolean): RequestBody {
  if (!body) return EMPTY_BODY;
  return isBase64Encoded ? Buffer.from(body, 'base64') : body;
}

export function toGatewayRequest(event: LambdaHttpEvent, signal?: AbortSignal): GatewayRequest {
  if (isV2Event(event)) {
    return {
      method: event.requestContext.http.method.toUpperCase(),
      path: event.rawPath,
      query: parseQueryString(event.rawQueryString ?? ''),
      headers: lowerCaseHeaders(event.headers),
      body: eventBody(event.body, event.isBase64Encoded),
      requestId: event.requestContext.requestId,
      signal,
      // rawPath and rawQueryString are as sent; the query only needs a signer's reading when there is one.
      ...(event.rawQueryString && { signing: { paths: [event.rawPath], query: parseSigningQuery(event.rawQueryString) } }),
    };
  }
  // First value wins, as for Function URL events (queryStringParameters holds the last one).
  const query: Record<string, string> = {};
  for (const [key, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) if (values?.[0] !== undefined) query[key] = values[0];
  for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined && !(key in query)) query[key] = value;
  return {
    method: event.httpMethod.toUpperCase(),
    path: event.path,
    query,
    headers: restHeaders(event),
    body: eventBody(event.body, event.isBase64Encoded),
    requestId: event.requestContext?.requestId,
    signal,
    signing: restSigning(event),
  };
}

/** `headers` keeps only a repeated header's last value; `multiValueHeaders` keeps all, joined by ',' as SigV4 signs them. */
function restHeaders(event: APIGatewayProxyEvent): Record<string, string | undefined> {
  const headers = lowerCaseHeaders(event.headers);
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) if (values && values.length > 1) headers[name.toLowerCase()] = values.join(',');
  return headers;
}

/**
 * The path a SigV4 client signed: `requestContext.path` is the path it used, still encoded (with
 * the stage on the execute-api host, with the base path on a custom domain); `path` lacks the stage.
 * Both are tried, with `/<stage><path>` for events that lack `requestContext.path`.
 */
function restSigning(event: APIGatewayProxyEvent): GatewayRequest['signing'] {
  const context = event.requestContext as Partial<APIGatewayProxyEvent['requestContext']> | undefined;
  const candidates = [context?.path, event.path, context?.stage ? `/${context.stage}${event.path}` : undefined];
  const query: Record<string, readonly string[]> = {};
  for (const [name, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) if (values) query[name] = values;
  for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) if (value !== undefined && !(name in query)) query[name] = [value];
  return { paths: [...new Set(candidates.filter((path): path is string => typeof path === 'string' && path.length > 0))], query };
}
